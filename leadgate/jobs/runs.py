"""Use cases of the `job_runs` table: record, read, list, claim, progress, finish, resume.

Only the user who asked for a run and administrators may see it; anyone else
gets 404, as for any unreadable record. A worker claims a run only while it is
queued (under a row lock), so a duplicated queue message never runs it twice and
a finished run is never executed again. A failed run, or a running one whose
worker died (the operator says so: `force`), is queued again by `reopen` and its
job resumes where it stopped. Every state change writes an audit event.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.audit.recording import write_event
from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict, NotFound
from leadgate.db.paging import Page, fetch_page, parse_sort
from leadgate.jobs.models import JobRun
from leadgate.security.access import Actor
from leadgate.security.roles import Role

ERROR_LIMIT = 2000


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
    """Mark the run running for this attempt; None when it is not queued (already taken
    by another worker, or finished)."""
    run = session.get(JobRun, run_id, with_for_update=True)
    if run is None or run.state != "queued":
        return None
    run.state = "running"
    run.attempts += 1
    run.error = None
    run.started_at = run.started_at or utcnow()
    return run


def set_progress(session: Session, run_id: uuid.UUID, done: int, total: int | None) -> None:
    run = session.get_one(JobRun, run_id)
    run.done = done
    if total is not None:
        run.total = total


def complete(session: Session, actor: Actor, run_id: uuid.UUID, result: dict[str, Any]) -> None:
    """Record success; called inside the job's last transaction, so the work and the
    "completed" mark commit together (a crash before that commit reruns the work)."""
    run = session.get_one(JobRun, run_id)
    run.state, run.result, run.error, run.finished_at = "completed", result, None, utcnow()
    if run.total is not None:
        run.done = run.total
    write_event(session, actor, "job_completed", JobRun.RECORD_TYPE, run.id, summary=run.kind)


def fail(session: Session, actor: Actor, run_id: uuid.UUID, error: str) -> None:
    run = session.get_one(JobRun, run_id)
    run.state, run.error, run.finished_at = "failed", error[:ERROR_LIMIT], utcnow()
    write_event(
        session, actor, "job_failed", JobRun.RECORD_TYPE, run.id, summary=error[:ERROR_LIMIT]
    )


def reopen(session: Session, actor: Actor, run_id: uuid.UUID, *, force: bool = False) -> JobRun:
    """Queue a failed run again (or, with `force`, a running one whose worker died);
    its job resumes where it stopped."""
    run = get_run(session, actor, run_id)
    if run.state == "completed":
        raise Conflict(f"job run {run_id} is completed; it does not run again")
    if run.state == "running" and not force:
        raise Conflict(
            f"job run {run_id} is running; only if its worker died, resume it with force"
        )
    run.state, run.finished_at = "queued", None
    write_event(session, actor, "job_requeued", JobRun.RECORD_TYPE, run.id, summary=run.kind)
    return run
