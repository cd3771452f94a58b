"""A queue that cannot take a run: the caller gets a clear 503 error and the run says why."""

from __future__ import annotations

import pytest
from huey import RedisHuey
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.settings import Settings
from leadgate.jobs.executor import Factories
from leadgate.jobs.models import JobRun
from leadgate.jobs.queue import JobQueue, QueueUnavailable
from leadgate.jobs.requests import request_duplicate_scan
from tests.factories import actor


def test_an_unreachable_queue_fails_the_run_with_the_reason(
    session_factory: sessionmaker[Session],
) -> None:
    factories = Factories(read=session_factory, write=session_factory)
    # Port 1 refuses connections at once: the enqueue fails without waiting.
    down = RedisHuey("down", url="redis://127.0.0.1:1/0", results=False)
    queue = JobQueue(down, lambda: factories, Settings(env="test", secret_key="x" * 32))
    with session_factory() as session, session.begin():
        run_id = request_duplicate_scan(session, actor(session), "lead").id
    with pytest.raises(QueueUnavailable) as raised:
        queue.enqueue(run_id)
    assert raised.value.status == 503
    with session_factory() as session:
        run = session.get_one(JobRun, run_id)
        assert run.state == "failed"
        assert (run.error or "").startswith("not queued:")
