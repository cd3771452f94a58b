"""The CLI tests of this folder run `leadgate` on a migrated SQLite file of their own
with one administrator, and their uploads under the test's own folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leadgate.core.settings import get_settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.security.roles import Role
from tests.factories import make_user


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        make_user(session, Role.SYSTEM_ADMINISTRATOR)
    engine.dispose()
    monkeypatch.setenv("LEADGATE_DATABASE_URL", url)
    monkeypatch.setenv("LEADGATE_IMPORT_DIR", str(tmp_path / "uploads"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
