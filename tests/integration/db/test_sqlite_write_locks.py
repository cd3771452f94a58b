"""On SQLite, write transactions begin IMMEDIATE so a use case that reads before it writes
cannot be refused halfway because another connection wrote in between."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from leadgate.db.engine import make_engine, make_session_factory


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    yield engine
    engine.dispose()


def _bump(session) -> None:  # type: ignore[no-untyped-def]
    session.execute(text("UPDATE counter SET value = value + 1 WHERE id = 1"))


def test_a_deferred_reader_is_refused_when_it_later_writes(engine) -> None:  # type: ignore[no-untyped-def]
    reads, writes = make_session_factory(engine), make_session_factory(engine, writes=True)
    with reads() as first, writes() as second:
        first.begin()
        first.execute(text("SELECT value FROM counter")).scalar_one()
        with second.begin():
            _bump(second)
        with pytest.raises(OperationalError, match="locked"):
            _bump(first)
        first.rollback()


def test_a_write_transaction_holds_the_lock_from_its_first_read(engine) -> None:  # type: ignore[no-untyped-def]
    writes = make_session_factory(engine, writes=True)
    with writes() as first:
        first.begin()
        assert first.execute(text("SELECT value FROM counter")).scalar_one() == 0
        # A competing writer waits (here: gives up after 50 ms) instead of slipping in …
        competing = engine.connect()
        competing.exec_driver_sql("PRAGMA busy_timeout=50")
        with pytest.raises(OperationalError, match="locked"):
            competing.execute(text("UPDATE counter SET value = 99 WHERE id = 1"))
        competing.close()
        # … and the first one, which read first, still writes and commits.
        _bump(first)
        first.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() == 1
