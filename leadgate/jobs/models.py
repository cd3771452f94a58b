"""The `job_runs` table: one row per piece of background work, read by progress bars.

A run moves queued → running → completed | failed. The queue (Huey) carries only
the run's id; everything a job needs and everything it reports lives here, so a
run can be inspected, resumed after a crash and never executed twice once finished.

A running run is leased: its worker renews `heartbeat_at` while it works, and a run
whose heartbeat stopped (the worker was killed, its machine lost) is queued again
for another worker (`runs.requeue_stale`). `attempts` doubles as the lease's fencing
token: a worker that comes back after its run was taken over can no longer record
progress or a result for it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.core.clock import utcnow
from leadgate.db.base import Base, HasId


class JobRun(HasId, Base):
    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_requester_created", "requested_by_id", "created_at", "id"),
        # The stale-run sweep: running runs by the age of their heartbeat.
        Index("ix_job_runs_state_heartbeat", "state", "heartbeat_at"),
    )
    RECORD_TYPE = "job_run"

    # import, scoring_train, scoring_rescore, duplicate_scan (leadgate.jobs.handlers)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # queued → running → completed | failed; failed (or, forced, running) → queued again.
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # How many times a worker started it (more than one: resumed after a crash or a retry).
    attempts: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # Renewed by the worker executing the run; None unless it ever ran.
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)


class ScheduleSlot(Base):
    """One row per scheduled job and time slot it was started for: every worker runs
    Huey's scheduler, and the first to insert the slot's row is the one that starts
    the job (the others find the key taken)."""

    __tablename__ = "job_schedule_slots"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot: Mapped[datetime] = mapped_column(primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
