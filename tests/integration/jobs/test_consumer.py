"""Jobs on a real queue: SqliteHuey in a file and Huey's consumer on worker threads (and
RedisHuey when a Redis server answers), against a migrated SQLite database file.

The test waits on the consumer's "complete"/"error" signal with a timeout, then
reads the run's end state from the database: no sleeps, no immediate mode.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from huey import Huey, RedisHuey, SqliteHuey, signals
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.settings import Settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.imports.models import ImportJob
from leadgate.imports.service import ImportOptions, start_import
from leadgate.jobs.executor import Factories
from leadgate.jobs.models import JobRun
from leadgate.jobs.queue import JobQueue, start_embedded
from leadgate.jobs.requests import request_import
from leadgate.leads.models import Lead
from leadgate.security.access import Actor
from tests.factories import actor

WAIT_SECONDS = 120


@dataclass
class Database:
    factories: Factories
    who: Actor

    @property
    def write(self) -> sessionmaker[Session]:
        return self.factories.write


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'leadgate.db'}"
    upgrade(url)
    engine = make_engine(url)
    factories = Factories(
        read=make_session_factory(engine), write=make_session_factory(engine, writes=True)
    )
    with factories.write() as session, session.begin():
        who = actor(session)
    yield Database(factories, who)
    engine.dispose()


def _queued_import(db: Database, tmp_path: Path, vendor: str, rows: int) -> uuid.UUID:
    path = tmp_path / f"{vendor}.csv"
    body = "".join(f"Topic {i},{vendor}-{i:03d}\n" for i in range(rows))
    path.write_text("Topic,External Key\n" + body, encoding="utf-8")
    with db.write() as session, session.begin():
        job = start_import(
            session, db.who, path, path.name, ImportOptions("lead", list_vendor=vendor)
        )
        return request_import(session, db.who, job.id).id


def _run_on_consumer(huey: Huey, db: Database, run_id: uuid.UUID) -> dict[str, Any]:
    finished = threading.Event()
    seen: dict[str, Any] = {}

    @huey.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR)
    def done(signal: str, task: Any, exc: Exception | None = None) -> None:
        seen.update(signal=signal, thread=threading.current_thread().name, exc=exc)
        finished.set()

    queue = JobQueue(huey, lambda: db.factories, Settings(env="production"))
    consumer = start_embedded(queue, workers=2)
    try:
        queue.enqueue(run_id)
        assert finished.wait(WAIT_SECONDS), "the consumer did not finish the job in time"
    finally:
        consumer.stop(graceful=True)
    return seen


def _assert_imported(db: Database, run_id: uuid.UUID, vendor: str, rows: int) -> None:
    with db.factories.read() as session:
        run = session.get_one(JobRun, run_id)
        assert (run.state, run.done, run.total, run.attempts) == ("completed", rows, rows, 1)
        job = session.get_one(ImportJob, uuid.UUID(run.params["import_id"]))
        assert (job.state, job.created_count) == ("completed", rows)
        keys = session.scalars(
            select(Lead.external_key).where(Lead.list_vendor == vendor).order_by(Lead.external_key)
        ).all()
        assert keys == [f"{vendor}-{i:03d}" for i in range(rows)]


def test_an_import_runs_on_a_sqlite_queue_and_a_real_consumer(
    database: Database, tmp_path: Path
) -> None:
    run_id = _queued_import(database, tmp_path, "sqliteq", 25)
    huey = SqliteHuey("leadgate-test", filename=str(tmp_path / "queue.db"), results=False)
    assert not huey.immediate
    seen = _run_on_consumer(huey, database, run_id)
    assert seen["signal"] == signals.SIGNAL_COMPLETE, seen
    assert seen["thread"] != threading.current_thread().name  # a consumer worker ran it
    _assert_imported(database, run_id, "sqliteq", 25)
    assert huey.pending_count() == 0


def _redis_url() -> str:
    return os.environ.get("LEADGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_an_import_runs_on_a_redis_queue_when_redis_answers(
    database: Database, tmp_path: Path
) -> None:
    import redis

    client = redis.Redis.from_url(_redis_url(), socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis unreachable at {_redis_url()}: {exc}")
    finally:
        client.close()
    run_id = _queued_import(database, tmp_path, "redisq", 7)
    huey = RedisHuey(f"leadgate-test-{uuid.uuid4().hex[:8]}", url=_redis_url(), results=False)
    try:
        seen = _run_on_consumer(huey, database, run_id)
        assert seen["signal"] == signals.SIGNAL_COMPLETE, seen
        _assert_imported(database, run_id, "redisq", 7)
    finally:
        huey.flush()
