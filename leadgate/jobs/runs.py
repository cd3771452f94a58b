"""Use cases of the `job_runs` table: record, read, list, claim, progress, finish, resume.

Only the user who asked for a run and administrators may see it; anyone else
gets 404, as for any unreadable record. A worker claims a run only while it is
queued (under a row lock), so a duplicated queue message never runs it twice and
a finished run is never executed again. Claiming starts a lease: the worker renews
the heartbeat (`beat`), and a running run whose heartbeat is older than the stale
limit is queued again by `requeue_stale` (or failed once it has used its attempts).
Progress and results are recorded only under the lease (`Superseded` otherwise),
so a worker that wakes up after its run was taken over cannot write over the new
attempt. A failed run, or a running one whose lease expired (or, said by an
operator with `force`, whose worker died), is queued again by `reopen` and its job
resumes where it stopped. Every state change writes an audit event.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadgate.audit.recording import write_event
from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict, NotFound
from leadgate.db.paging import Page, fetch_page, parse_sort
from leadgate.jobs.models import JobRun, ScheduleSlot
from leadgate.security.access import Actor
from leadgate.security.roles import Role

ERROR_LIMIT = 2000
# How long a scheduled slot's row is kept (a slot is only ever claimed in its minute).
SLOT_KEEP = timedelta(days=31)


class Superseded(Exception):
    """The worker's lease on a run is gone: the run was queued again and taken by
    another attempt, or finished, while this one was away. Nothing it did since may
    be recorded (the caller's transaction must roll back)."""


def create_run(
    session: Session,
    actor: Actor,
    kind: str,
    params: dict[str, Any],
    total: int | None = None,
) -> JobRun:
    run = JobRun(
        kind=kind,
        params=params,
        state="queued",
        done=0,
        total=total,
        attempts=0,
        requested_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(run)
    session.flush()
    write_event(session, actor, "job_queued", JobRun.RECORD_TYPE, run.id, summary=kind)
    return run


def _readable(actor: Actor, run: JobRun) -> bool:
    return actor.role is Role.SYSTEM_ADMINISTRATOR or run.requested_by_id == actor.user_id


def get_run(session: Session, actor: Actor, run_id: uuid.UUID) -> JobRun:
    run = session.get(JobRun, run_id)
    if run is None or not _readable(actor, run):
        raise NotFound(f"no job run {run_id}")
    return run


def list_runs(
    session: Session,
    actor: Actor,
    *,
    cursor: str | None,
    limit: int,
    kind: str | None = None,
    state: str | None = None,
) -> Page[JobRun]:
    """The actor's own runs, newest first (keyset paging on created_at, id)."""
    keys = parse_sort(None, {"created_at": JobRun.created_at}, "-created_at", JobRun.id)
    stmt = select(JobRun).where(JobRun.requested_by_id == actor.user_id)
    if kind is not None:
        stmt = stmt.where(JobRun.kind == kind)
    if state is not None:
        stmt = stmt.where(JobRun.state == state)
    return fetch_page(session, stmt, keys, cursor=cursor, limit=limit, count=cursor is None)


def claim(session: Session, run_id: uuid.UUID) -> JobRun | None:
    """Mark the run running for a new attempt and start its lease; None when it is not
    queued (already taken by another worker, or finished)."""
    run = session.get(JobRun, run_id, with_for_update=True)
    if run is None or run.state != "queued":
        return None
    now = utcnow()
    run.state = "running"
    run.attempts += 1
    run.error = None
    run.started_at = run.started_at or now
    run.heartbeat_at = now
    return run


def _leased(session: Session, run_id: uuid.UUID, attempt: int) -> JobRun:
    # The row lock orders this against a takeover: either this attempt's transaction
    # commits first (and the new attempt resumes after its work), or it sees it lost.
    run = session.get(JobRun, run_id, with_for_update=True, populate_existing=True)
    if run is None or run.state != "running" or run.attempts != attempt:
        raise Superseded(f"job run {run_id}: attempt {attempt} no longer holds the run")
    return run


def beat(session: Session, run_id: uuid.UUID, attempt: int) -> bool:
    """Renew the lease; False when the run is no longer this attempt's."""
    result = session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.state == "running", JobRun.attempts == attempt)
        .values(heartbeat_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


def set_progress(
    session: Session, run_id: uuid.UUID, attempt: int, done: int, total: int | None
) -> None:
    run = _leased(session, run_id, attempt)
    run.done = done
    run.heartbeat_at = utcnow()
    if total is not None:
        run.total = total


def complete(
    session: Session, actor: Actor, run_id: uuid.UUID, attempt: int, result: dict[str, Any]
) -> None:
    """Record success; called inside the job's last transaction, so the work and the
    "completed" mark commit together (a crash before that commit reruns the work)."""
    run = _leased(session, run_id, attempt)
    run.state, run.result, run.error, run.finished_at = "completed", result, None, utcnow()
    if run.total is not None:
        run.done = run.total
    write_event(session, actor, "job_completed", JobRun.RECORD_TYPE, run.id, summary=run.kind)


def fail(
    session: Session, actor: Actor, run_id: uuid.UUID, error: str, attempt: int | None = None
) -> None:
    """End the run failed; with `attempt`, only while that attempt holds it (a run that
    never started, e.g. one the queue refused, has no attempt to check)."""
    run = session.get_one(JobRun, run_id) if attempt is None else _leased(session, run_id, attempt)
    _fail(session, actor, run, error)


def _fail(session: Session, actor: Actor | None, run: JobRun, error: str) -> None:
    run.state, run.error, run.finished_at = "failed", error[:ERROR_LIMIT], utcnow()
    write_event(
        session,
        actor,
        "job_failed",
        JobRun.RECORD_TYPE,
        run.id,
        summary=error[:ERROR_LIMIT],
        channel=None if actor else "job",
    )


def _stale(run: JobRun, cutoff: datetime) -> bool:
    # Runs started before leases existed have no heartbeat: their start time stands in.
    last = run.heartbeat_at or run.started_at
    return last is None or last < cutoff


def requeue_stale(
    session: Session, stale_after: float, max_attempts: int, now: datetime | None = None
) -> list[uuid.UUID]:
    """Queue again every running run whose worker stopped renewing its lease; a run that
    has used its attempts ends failed instead. The ids to enqueue."""
    cutoff = (now or utcnow()) - timedelta(seconds=stale_after)
    stmt = (
        select(JobRun)
        .where(
            JobRun.state == "running",
            or_(JobRun.heartbeat_at < cutoff, JobRun.heartbeat_at.is_(None)),
        )
        .order_by(JobRun.created_at)
        # Two sweepers (one per worker) never handle the same run twice.
        .with_for_update(skip_locked=True)
    )
    requeued = []
    for run in session.scalars(stmt):
        if not _stale(run, cutoff):
            continue
        if run.attempts >= max_attempts:
            _fail(
                session,
                None,
                run,
                f"its worker stopped answering; gave up after {run.attempts} attempts",
            )
            continue
        _requeue(session, None, run, "its worker stopped answering")
        requeued.append(run.id)
    return requeued


def _requeue(session: Session, actor: Actor | None, run: JobRun, why: str) -> None:
    run.state, run.finished_at = "queued", None
    summary = f"{run.kind}: {why}" if why else run.kind
    write_event(
        session,
        actor,
        "job_requeued",
        JobRun.RECORD_TYPE,
        run.id,
        summary=summary,
        channel=None if actor else "job",
    )


def claim_slot(session: Session, name: str, slot: datetime) -> bool:
    """Take the scheduled job `name`'s `slot` for this worker; False when another worker
    already did (every worker runs the scheduler)."""
    session.execute(
        delete(ScheduleSlot).where(ScheduleSlot.name == name, ScheduleSlot.slot < slot - SLOT_KEEP)
    )
    try:
        with session.begin_nested():
            session.add(ScheduleSlot(name=name, slot=slot, claimed_at=utcnow()))
    except IntegrityError:
        return False
    return True


def reopen(
    session: Session,
    actor: Actor,
    run_id: uuid.UUID,
    *,
    force: bool = False,
    stale_after: float | None = None,
) -> JobRun:
    """Queue a failed run again (or a running one whose lease expired, or, with `force`,
    one whose worker the operator knows died); its job resumes where it stopped."""
    run = get_run(session, actor, run_id)
    if run.state == "completed":
        raise Conflict(f"job run {run_id} is completed; it does not run again")
    if run.state == "running" and not force:
        cutoff = utcnow() - timedelta(seconds=stale_after) if stale_after else None
        if cutoff is None or not _stale(run, cutoff):
            raise Conflict(
                f"job run {run_id} is running and its worker is answering; "
                "only if that worker died, resume it with force"
            )
    _requeue(session, actor, run, "")
    return run
