"""The Huey queue: which storage (settings), the one task that executes a run, consumers.

The queue carries only a run's id; its state lives in `job_runs`. Modes:
- immediate (tests): the run executes inside the call that enqueues it;
- sqlite (embedded default): a queue file under var/, shared by `leadgate serve`
  and `leadgate worker` on the same machine;
- redis (production, LEADGATE_REDIS_URL): workers on any machine.
`leadgate serve` starts an in-process consumer when the settings say so
(development by default), so uploads from the pages run without a worker process.

Any number of workers may run, each with Huey's scheduler: a scheduled job starts
once per slot (`runs.claim_slot`), and every minute each worker sweeps runs whose
worker stopped renewing its lease back into the queue (`runs.requeue_stale`).
"""

from __future__ import annotations

import logging
import signal
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core.clock import utcnow
from leadgate.core.errors import DomainError
from leadgate.core.settings import ConfigError, Settings
from leadgate.db.bulk import analyze_all
from leadgate.jobs import handlers as _handlers  # noqa: F401  (registers the job kinds)
from leadgate.jobs import runs
from leadgate.jobs.executor import Factories, execute
from leadgate.jobs.models import JobRun
from leadgate.scoring.models import ScoringModel
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.service import actor_for_user

log = logging.getLogger(__name__)
QUEUE_NAME = "leadgate"
# Minute of every hour the planner statistics are refreshed (off the hour, when
# scheduled jobs such as the nightly retrain tend to start).
STATISTICS_MINUTE = "17"


class QueueUnavailable(DomainError):
    code = "queue_unavailable"
    status = 503
    title = "Job queue unavailable"


def make_huey(settings: Settings) -> Huey:
    mode = settings.effective_jobs_mode
    if mode == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if mode == "redis":
        if not settings.redis_url:
            raise ConfigError("LEADGATE_JOBS_MODE=redis needs LEADGATE_REDIS_URL")
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    path = Path(settings.jobs_sqlite_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


def parse_cron(expression: str) -> Any:
    """ "minute hour day month weekday" → a Huey schedule (ConfigError when malformed)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ConfigError(
            f"LEADGATE_RETRAIN_CRON must have 5 fields (minute hour day month weekday), "
            f"got {expression!r}"
        )
    try:
        return crontab(*fields, strict=True)
    except ValueError as exc:
        raise ConfigError(f"LEADGATE_RETRAIN_CRON {expression!r}: {exc}") from exc


class JobQueue:
    """Huey plus where a run finds its database sessions (read when it executes, so
    an app whose session factory is swapped, as in tests, is honoured)."""

    def __init__(self, huey: Huey, factories: Callable[[], Factories], settings: Settings):
        self.huey = huey
        self._factories = factories
        self._settings = settings

        # Immediate mode runs a job inside the request that asks for it: nothing to lease.
        heartbeat = None if huey.immediate else settings.jobs_heartbeat_seconds

        def execute_run(run_id: str) -> None:
            execute(self._factories(), uuid.UUID(run_id), heartbeat)

        # Huey's decorators are untyped; the wrapped callables enqueue when called.
        as_task: Callable[..., Any] = huey.task(name="execute_run")
        self._execute_run: Callable[[str], Any] = as_task(execute_run)
        if settings.retrain_cron:
            as_periodic: Callable[..., Any] = huey.periodic_task(
                parse_cron(settings.retrain_cron), name="retrain"
            )
            as_periodic(self.retrain_all)
        as_sweep: Callable[..., Any] = huey.periodic_task(crontab(), name="requeue_stale")
        as_sweep(self.requeue_stale)
        as_hourly: Callable[..., Any] = huey.periodic_task(
            crontab(minute=STATISTICS_MINUTE), name="statistics"
        )
        as_hourly(self.refresh_statistics)

    @property
    def immediate(self) -> bool:
        return bool(self.huey.immediate)

    def enqueue(self, run_id: uuid.UUID) -> None:
        """Queue a committed run; when the queue cannot take it, the run ends failed with
        the reason (nothing would ever execute it) and the caller gets a 503."""
        try:
            self._execute_run(str(run_id))
        except Exception as exc:
            log.exception("job run %s could not be queued", run_id)
            factories = self._factories()
            with factories.write() as session, session.begin():
                run = session.get_one(JobRun, run_id)
                who = session.get_one(User, run.requested_by_id)
                runs.fail(session, actor_for_user(who, "job"), run_id, f"not queued: {exc}")
            raise QueueUnavailable(
                "the job queue is unavailable; try again later (the run is marked failed)"
            ) from exc

    def requeue_stale(self) -> list[uuid.UUID]:
        """Queue again the runs whose worker stopped renewing their lease."""
        settings = self._settings
        with self._factories().write() as session, session.begin():
            ids = runs.requeue_stale(
                session, settings.jobs_stale_after_seconds, settings.jobs_max_attempts
            )
        for run_id in ids:
            log.warning("job run %s lost its worker; queued again", run_id)
            self.enqueue(run_id)
        return ids

    def refresh_statistics(self) -> bool:
        """Every hour: the database's planner statistics (SQLite gathers none by itself;
        see db.bulk.analyze_all). Whether there was anything to do."""
        with self._factories().write() as session, session.begin():
            return analyze_all(session)

    def retrain_all(self, slot: datetime | None = None) -> list[uuid.UUID]:
        """The scheduled retrain: one queued training run per model, as the first
        active administrator (none yet: nothing to do); once per schedule slot however
        many workers fire it (the slot is the minute it fired in unless given)."""
        factories = self._factories()
        slot = slot or utcnow().replace(second=0, microsecond=0)
        with factories.write() as session, session.begin():
            if not runs.claim_slot(session, "retrain", slot):
                log.info("scheduled retrain of %s already started by another worker", slot)
                return []
            admin = _first_admin(session)
            if admin is None:
                log.warning("scheduled retrain skipped: no active administrator")
                return []
            actor = actor_for_user(admin, "schedule")
            ids = [
                runs.create_run(
                    session, actor, "scoring_train", {"model_id": str(m), "publish": False}, 1
                ).id
                for m in session.scalars(select(ScoringModel.id).order_by(ScoringModel.name))
            ]
        for run_id in ids:
            self.enqueue(run_id)
        return ids


def _first_admin(session: Session) -> User | None:
    return session.scalar(
        select(User)
        .where(User.role == Role.SYSTEM_ADMINISTRATOR.value, User.is_active.is_(True))
        .order_by(User.created_at)
    )


def queue_for(settings: Settings, factories: Callable[[], Factories]) -> JobQueue:
    return JobQueue(make_huey(settings), factories, settings)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer that runs beside something else (the web server, a test): worker
    threads only, and the host process keeps its own signal handling."""

    def _set_signal_handlers(self) -> None:
        pass


class WorkerConsumer(Consumer):  # type: ignore[misc]
    """`leadgate worker`: SIGTERM (what service managers and containers send) stops as
    gracefully as Ctrl+C — no new runs, running ones finish; a second signal stops at
    once, and the stale-run sweep hands what was cut off to another worker."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signal_actions[signal.SIGTERM] = (False, True)


def start_embedded(queue: JobQueue, workers: int) -> EmbeddedConsumer:
    consumer = EmbeddedConsumer(
        queue.huey,
        workers=workers,
        worker_type="thread",
        initial_delay=0.05,
        max_delay=1.0,
        check_worker_health=False,
    )
    consumer.start()
    return consumer
