"""Job runs are leased to the worker executing them, on both databases: a run whose
worker stopped renewing its heartbeat goes back to the queue (or fails once it has used
its attempts), a worker that comes back after a takeover can record nothing, and a
scheduled job starts once per slot however many workers fire it."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.models import AuditEvent
from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.jobs import runs
from leadgate.jobs.executor import HANDLERS, Factories, Heartbeat, JobContext, execute
from leadgate.jobs.models import JobRun, ScheduleSlot
from leadgate.leads.models import Lead
from leadgate.security.access import Actor
from tests.factories import actor

STALE = 300.0
LATER = timedelta(seconds=STALE + 1)


@pytest.fixture
def who(session_factory: sessionmaker[Session]) -> Actor:
    with session_factory() as session, session.begin():
        return actor(session)


def _queued(factory: sessionmaker[Session], who: Actor, kind: str = "lease_test") -> uuid.UUID:
    with factory() as session, session.begin():
        return runs.create_run(session, who, kind, {}).id


def _claimed(factory: sessionmaker[Session], run_id: uuid.UUID) -> JobRun:
    with factory() as session, session.begin():
        run = runs.claim(session, run_id)
        assert run is not None
        return run


def _run(factory: sessionmaker[Session], run_id: uuid.UUID) -> JobRun:
    with factory() as session:
        return session.get_one(JobRun, run_id)


def _events(factory: sessionmaker[Session], run_id: uuid.UUID) -> list[tuple[str, str]]:
    with factory() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.summary)
            .where(AuditEvent.record_id == run_id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
        return [(action, summary) for action, summary in rows]


def _sweep(factory: sessionmaker[Session], at: datetime, max_attempts: int = 5) -> list[uuid.UUID]:
    with factory() as session, session.begin():
        return runs.requeue_stale(session, STALE, max_attempts, now=at)


def test_claiming_starts_the_lease_and_a_beat_renews_it_only_for_its_attempt(
    session_factory: sessionmaker[Session], who: Actor
) -> None:
    run_id = _queued(session_factory, who)
    claimed = _claimed(session_factory, run_id)
    assert claimed.heartbeat_at is not None
    first = claimed.heartbeat_at
    with session_factory() as session, session.begin():
        assert runs.beat(session, run_id, attempt=1)
        assert not runs.beat(session, run_id, attempt=2)  # not that attempt's run
    renewed = _run(session_factory, run_id).heartbeat_at
    assert renewed is not None
    assert renewed >= first


def test_a_run_whose_worker_stopped_answering_is_queued_again_and_a_live_one_is_not(
    session_factory: sessionmaker[Session], who: Actor
) -> None:
    dead, alive = _queued(session_factory, who), _queued(session_factory, who)
    _claimed(session_factory, dead)
    _claimed(session_factory, alive)
    with session_factory() as session, session.begin():
        # The live worker keeps beating; the dead one's last beat is older than the limit.
        session.get_one(JobRun, dead).heartbeat_at = utcnow() - LATER
    assert _sweep(session_factory, utcnow()) == [dead]
    assert _run(session_factory, dead).state == "queued"
    assert _run(session_factory, alive).state == "running"
    assert _events(session_factory, dead)[-1] == (
        "job_requeued",
        "lease_test: its worker stopped answering",
    )
    # The next worker takes it as a new attempt.
    assert _claimed(session_factory, dead).attempts == 2
    assert _sweep(session_factory, utcnow()) == []


def test_a_run_that_used_its_attempts_fails_instead_of_looping(
    session_factory: sessionmaker[Session], who: Actor
) -> None:
    run_id = _queued(session_factory, who)
    for _ in range(2):
        _claimed(session_factory, run_id)
        requeued = _sweep(session_factory, utcnow() + LATER, max_attempts=2)
    assert requeued == []
    run = _run(session_factory, run_id)
    assert (run.state, run.attempts) == ("failed", 2)
    assert run.error == "its worker stopped answering; gave up after 2 attempts"
    assert _events(session_factory, run_id)[-1][0] == "job_failed"


def test_resume_without_force_takes_a_stale_run_but_not_one_whose_worker_answers(
    session_factory: sessionmaker[Session], who: Actor
) -> None:
    run_id = _queued(session_factory, who)
    _claimed(session_factory, run_id)
    with session_factory() as session, session.begin(), pytest.raises(Conflict, match="force"):
        runs.reopen(session, who, run_id, stale_after=STALE)
    with session_factory() as session, session.begin():
        session.get_one(JobRun, run_id).heartbeat_at = utcnow() - LATER
    with session_factory() as session, session.begin():
        assert runs.reopen(session, who, run_id, stale_after=STALE).state == "queued"


def test_a_worker_that_comes_back_after_a_takeover_records_nothing(
    session_factory: sessionmaker[Session], who: Actor
) -> None:
    factories = Factories(read=session_factory, write=session_factory)
    seen: dict[str, object] = {}

    def stalled_then_back(ctx: JobContext) -> None:
        # While this worker is stalled, the sweep gives its run to another worker.
        _sweep(session_factory, utcnow() + LATER)
        seen["new"] = _claimed(session_factory, ctx.run_id).attempts

        def batch_with_progress(session: Session) -> None:
            with session.begin():
                session.add(Lead(topic="written by the stalled attempt", owner_id=who.user_id))
                session.flush()
                ctx.record_progress(session, 5)

        with session_factory() as session:
            with pytest.raises(runs.Superseded):
                batch_with_progress(session)
            seen["leads"] = session.scalar(
                select(func.count()).select_from(Lead).where(Lead.topic.like("written by%"))
            )
        ctx.complete_with({"from": "the stalled attempt"})

    HANDLERS["lease_test"] = stalled_then_back
    try:
        run_id = _queued(session_factory, who)
        assert execute(factories, run_id) == "superseded"
    finally:
        del HANDLERS["lease_test"]
    assert seen == {"new": 2, "leads": 0}  # its work rolled back with the refused progress
    run = _run(session_factory, run_id)
    # The new attempt owns the run: not completed, failed or moved by the old one.
    assert (run.state, run.attempts, run.done, run.result) == ("running", 2, 0, None)


def test_a_scheduled_slot_starts_once_however_many_workers_fire_it(
    session_factory: sessionmaker[Session],
) -> None:
    slot = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    with session_factory() as session, session.begin():
        assert runs.claim_slot(session, "retrain", slot)
        assert not runs.claim_slot(session, "retrain", slot)  # a second worker, same minute
        assert runs.claim_slot(session, "retrain", slot + timedelta(days=20))
        assert runs.claim_slot(session, "other", slot)
    # Slots older than a month are forgotten as new ones are claimed.
    with session_factory() as session, session.begin():
        assert runs.claim_slot(session, "retrain", slot + timedelta(days=40))
        kept = session.scalars(
            select(ScheduleSlot.slot).where(ScheduleSlot.name == "retrain")
        ).all()
        assert sorted(kept) == [slot + timedelta(days=20), slot + timedelta(days=40)]


@pytest.fixture
def stale_kind() -> Iterator[str]:
    HANDLERS["lease_noop"] = lambda ctx: ctx.complete_with({"ok": True})
    yield "lease_noop"
    del HANDLERS["lease_noop"]


def test_a_requeued_run_completes_on_the_next_worker(
    session_factory: sessionmaker[Session], who: Actor, stale_kind: str
) -> None:
    run_id = _queued(session_factory, who, stale_kind)
    _claimed(session_factory, run_id)  # a worker took it, then its machine was lost
    assert _sweep(session_factory, utcnow() + LATER) == [run_id]
    factories = Factories(read=session_factory, write=session_factory)
    assert execute(factories, run_id) == "completed"
    run = _run(session_factory, run_id)
    assert (run.state, run.attempts, run.result) == ("completed", 2, {"ok": True})


def test_the_heartbeat_thread_renews_the_lease_until_the_run_is_no_longer_its_own(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'leadgate.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine, writes=True)
    factories = Factories(read=factory, write=factory)
    try:
        with factory() as session, session.begin():
            who = actor(session)
        run_id = _queued(factory, who)
        claimed = _claimed(factory, run_id).heartbeat_at
        assert claimed is not None
        with Heartbeat(factories, run_id, attempt=1, every=0.02) as heartbeat:
            renewed = _wait_for(lambda: heartbeat.beats >= 2)
            assert renewed, "no heartbeat within the deadline"
            last = _run(factory, run_id).heartbeat_at
            assert last is not None
            assert last > claimed
            # Taken over: the next beat finds the run is not its own and the thread ends.
            _sweep(factory, utcnow() + LATER)
            _claimed(factory, run_id)
            assert _wait_for(lambda: not heartbeat.alive), "the heartbeat did not stop"
        assert _run(factory, run_id).attempts == 2
    finally:
        engine.dispose()


def _wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Poll `condition` until it holds or the deadline passes (the thread beats on its own)."""
    pause = threading.Event()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        pause.wait(0.01)
    return condition()
