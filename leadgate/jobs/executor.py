"""Execute one job run: claim it, run its kind's handler as the requester, record the end.

Idempotence: a run that is not queued (taken by another worker, or finished)
is skipped; a handler commits its own work in
transactions and marks the run completed inside its last one (`ctx.complete`),
so a crash either leaves the run resumable or finished, never both half-done.
A refused job (a DomainError: bad input, not enough data, no permission) ends
failed with the reason and its transaction rolled back. Any other error ends
failed as "interrupted" and may be resumed (`runs.reopen`). A worker killed
mid-run leaves the run "running"; an operator resumes it with force.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.errors import DomainError
from leadgate.jobs import runs
from leadgate.jobs.models import JobRun
from leadgate.security.access import Actor
from leadgate.security.models import User
from leadgate.security.service import actor_for_user

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Factories:
    """Sessions for the work (`write`, SQLite BEGIN IMMEDIATE) and for long reads."""

    read: sessionmaker[Session]
    write: sessionmaker[Session]


@dataclass(frozen=True)
class JobContext:
    factories: Factories
    actor: Actor
    run_id: uuid.UUID
    kind: str
    params: dict[str, Any]
    done: int  # progress already committed by an earlier attempt
    actor_active: bool

    def progress(self, done: int, total: int | None = None) -> None:
        """Record progress in a short transaction of its own (visible at once)."""
        with self.factories.write() as session, session.begin():
            runs.set_progress(session, self.run_id, done, total)

    def complete(self, session: Session, result: dict[str, Any]) -> None:
        runs.complete(session, self.actor, self.run_id, result)

    def complete_with(self, result: dict[str, Any]) -> None:
        """Mark completed in a transaction of its own (for jobs that wrote nothing)."""
        with self.factories.write() as session, session.begin():
            self.complete(session, result)


Handler = Callable[[JobContext], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def _start(factories: Factories, run_id: uuid.UUID) -> JobContext | None:
    with factories.write() as session, session.begin():
        run = runs.claim(session, run_id)
        if run is None:
            return None
        user = session.get_one(User, run.requested_by_id)
        actor = actor_for_user(user, "job")
        return JobContext(
            factories, actor, run.id, run.kind, dict(run.params), run.done, user.is_active
        )


def execute(factories: Factories, run_id: uuid.UUID) -> str | None:
    """Run (or resume) `run_id` to its end; the final state, or None if nothing ran."""
    ctx = _start(factories, run_id)
    if ctx is None:
        return None
    error: str | None = None
    try:
        job = HANDLERS.get(ctx.kind)
        if job is None:
            raise DomainError(f"no job of kind {ctx.kind!r} exists")
        if not ctx.actor_active:
            raise DomainError("the user who asked for this job is deactivated")
        job(ctx)
    except DomainError as exc:
        error = exc.detail
    except Exception as exc:
        log.exception("job run %s interrupted", run_id)
        error = f"interrupted: {exc}"
    with factories.write() as session, session.begin():
        if error is not None:
            runs.fail(session, ctx.actor, run_id, error)
            return "failed"
        state = session.get_one(JobRun, run_id).state
        if state != "completed":  # a handler that forgot to complete is a bug, not success
            runs.fail(session, ctx.actor, run_id, "the job ended without a result")
            return "failed"
        return state
