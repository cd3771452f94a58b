"""The `job_runs` table: one row per piece of background work, read by progress bars.

A run moves queued → running → completed | failed. The queue (Huey) carries only
the run's id; everything a job needs and everything it reports lives here, so a
run can be inspected, resumed after a crash and never executed twice once finished.
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
