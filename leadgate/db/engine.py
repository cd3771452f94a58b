"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin, so SAVEPOINTs
    # (nested use cases, test isolation) behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    # WAL lets readers work beside the single writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A write transaction takes the write lock up front (BEGIN IMMEDIATE, waiting up to
    # busy_timeout). A deferred BEGIN that reads first and writes later fails at once with
    # "database is locked" when another connection wrote in between.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "immediate" else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        raw = url.split("///", 1)[-1]
        if raw and raw != ":memory:":
            Path(raw).parent.mkdir(parents=True, exist_ok=True)
        connect_args = kwargs.pop("connect_args", {})
        # Requests run on a thread pool; SQLite's per-thread check does not apply to a pool.
        connect_args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine, *, writes: bool = False) -> sessionmaker[Session]:
    """Sessions on `engine`; with `writes`, SQLite transactions begin IMMEDIATE (no effect
    on PostgreSQL, whose row locks need no such hint)."""
    bind = engine.execution_options(sqlite_begin="immediate") if writes else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)
