"""Execute one job run: claim it, run its kind's handler as the requester, record the end.

Idempotence: a run that is not queued (taken by another worker, or finished)
is skipped; a handler commits its own work in
transactions and marks the run completed inside its last one (`ctx.complete`),
so a crash either leaves the run resumable or finished, never both half-done.
A refused job (a DomainError: bad input, not enough data, no permission) ends
failed with the reason and its transaction rolled back. Any other error ends
failed as "interrupted" and may be resumed (`runs.reopen`). While a handler works,
a heartbeat thread renews the run's lease; a worker killed mid-run stops renewing
it, and the stale-run sweep (`runs.requeue_stale`, a periodic task of every
worker) queues the run again for another worker. A worker that was only stalled
and comes back finds its lease gone (`runs.Superseded`): it stops without
recording anything, and the new attempt carries on.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
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
    attempt: int  # the lease's fencing token (the run's attempts when this one claimed it)
    # Told of progress as it is recorded: the CLI's progress bar when it runs a job itself.
    observer: Callable[[int], None] | None = None

    def observe(self, done: int) -> None:
        if self.observer is not None:
            self.observer(done)

    def progress(self, done: int, total: int | None = None) -> None:
        """Record progress in a short transaction of its own (visible at once)."""
        with self.factories.write() as session, session.begin():
            self.record_progress(session, done, total)

    def record_progress(self, session: Session, done: int, total: int | None = None) -> None:
        """Record progress inside the caller's transaction, so the work and the progress
        commit together (and tell the observer); raises runs.Superseded (rolling the
        work back) once the run belongs to another attempt."""
        runs.set_progress(session, self.run_id, self.attempt, done, total)
        self.observe(done)

    def complete(self, session: Session, result: dict[str, Any]) -> None:
        runs.complete(session, self.actor, self.run_id, self.attempt, result)

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


def _start(
    factories: Factories, run_id: uuid.UUID, observer: Callable[[int], None] | None
) -> JobContext | None:
    with factories.write() as session, session.begin():
        run = runs.claim(session, run_id)
        if run is None:
            return None
        user = session.get_one(User, run.requested_by_id)
        actor = actor_for_user(user, "job")
        return JobContext(
            factories,
            actor,
            run.id,
            run.kind,
            dict(run.params),
            run.done,
            user.is_active,
            run.attempts,
            observer,
        )


class Heartbeat:
    """Renews a run's lease every `every` seconds on a thread of its own, in short
    transactions, until stopped or until the run is no longer this attempt's."""

    def __init__(self, factories: Factories, run_id: uuid.UUID, attempt: int, every: float):
        self._factories, self._run_id, self._attempt, self._every = (
            factories, run_id, attempt, every,
        )  # fmt: skip
        self._stopped = threading.Event()
        self.beats = 0
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {run_id}", daemon=True)

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                with self._factories.write() as session, session.begin():
                    if not runs.beat(session, self._run_id, self._attempt):
                        return  # finished or taken over: nothing left to renew
                self.beats += 1
            except Exception:
                # A busy database can delay a beat; the stale limit allows several misses.
                log.warning("job run %s: heartbeat skipped", self._run_id, exc_info=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._thread.join()


def execute(
    factories: Factories,
    run_id: uuid.UUID,
    heartbeat_seconds: float | None = 30.0,
    observer: Callable[[int], None] | None = None,
) -> str | None:
    """Run (or resume) `run_id` to its end; the final state, None if nothing ran, or
    "superseded" when another attempt took the run over meanwhile. Without
    `heartbeat_seconds` (a run executed inside the request that queued it) no lease is
    renewed: no other worker could take that run. `observer` hears of the progress as
    the job records it (the CLI's progress bar when it runs an import itself)."""
    ctx = _start(factories, run_id, observer)
    if ctx is None:
        return None
    try:
        error = _run_handler(ctx, heartbeat_seconds)
        with factories.write() as session, session.begin():
            if error is not None:
                runs.fail(session, ctx.actor, run_id, error, ctx.attempt)
                return "failed"
            state = session.get_one(JobRun, run_id).state
            if state != "completed":  # a handler that forgot to complete is a bug
                runs.fail(session, ctx.actor, run_id, "the job ended without a result", ctx.attempt)
                return "failed"
            return state
    except runs.Superseded:
        log.warning("job run %s: attempt %s was taken over; stopping", run_id, ctx.attempt)
        return "superseded"


def _run_handler(ctx: JobContext, heartbeat_seconds: float | None) -> str | None:
    """Run the kind's handler under the run's lease; the reason it failed, or None.
    `runs.Superseded` passes through: that attempt must record nothing."""
    lease: AbstractContextManager[object] = (
        nullcontext()
        if heartbeat_seconds is None
        else Heartbeat(ctx.factories, ctx.run_id, ctx.attempt, heartbeat_seconds)
    )
    try:
        with lease:
            job = HANDLERS.get(ctx.kind)
            if job is None:
                raise DomainError(f"no job of kind {ctx.kind!r} exists")
            if not ctx.actor_active:
                raise DomainError("the user who asked for this job is deactivated")
            job(ctx)
    except runs.Superseded:
        raise
    except DomainError as exc:
        return exc.detail
    except Exception as exc:
        log.exception("job run %s interrupted", ctx.run_id)
        return f"interrupted: {exc}"
    return None
