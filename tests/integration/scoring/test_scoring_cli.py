"""`leadgate scoring create|train|publish|revert|rescore|models` on a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadgate.cli.main import app
from leadgate.core.settings import get_settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.security.roles import Role
from leadgate.wiring import wire
from tests.factories import actor
from tests.integration.scoring.closed_leads import FIELDS, seed_closed

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LEADGATE_DATABASE_URL", url)
    get_settings.cache_clear()
    wire()
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        seed_closed(session, actor(session, Role.SYSTEM_ADMINISTRATOR), 200)
    engine.dispose()
    yield url
    get_settings.cache_clear()


def scoring(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["scoring", *args])
    return result.exit_code, result.stdout, result.stderr


def test_define_train_publish_rescore(database: str) -> None:
    code, stdout, stderr = scoring("create", "Everyone", "--fields", ",".join(FIELDS))
    assert code == 0, stderr
    assert "created scoring model Everyone" in stdout
    code, _, stderr = scoring("create", "Bad", "--fields", "lead_source,fax")
    assert code == 1
    assert "unknown field(s) fax" in stderr
    code, stdout, stderr = scoring("train", "Everyone", "--publish")
    assert code == 0, stderr
    assert "version 1" in stdout
    assert "version 1 published" in stdout
    code, stdout, _ = scoring("train", "--all")
    assert code == 0
    assert "version 2" in stdout
    assert scoring("publish", "Everyone", "2")[0] == 0
    code, stdout, _ = scoring("revert", "Everyone")
    assert code == 0
    assert "back to version 1" in stdout
    code, stdout, _ = scoring("rescore")
    assert code == 0
    assert "0 leads scored" in stdout  # every seeded lead is closed
    code, stdout, _ = scoring("models")
    assert "v1 (AUC" in stdout


def test_errors_are_one_line(database: str) -> None:
    code, _, stderr = scoring("train", "Nobody")
    assert code == 1
    assert "no scoring model named 'Nobody'" in stderr
    code, _, stderr = scoring("train")
    assert code == 2
    assert "name one model or pass --all" in stderr
    scoring("create", "Everyone")
    code, _, stderr = scoring("publish", "Everyone", "7")
    assert code == 1
    assert "has no version 7" in stderr
