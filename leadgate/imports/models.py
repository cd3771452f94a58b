"""Import jobs with their per-row outcomes, saved column mappings, web forms and
the database-held rate-limit counters of the public form endpoint.

An import job's `rows_done` moves only when a batch commits, in the same
transaction as the batch's records and row outcomes: a crash resumes from
there and never leaves half a batch.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.db.base import Base, Owned, Tracked


class ImportJob(Tracked, Owned, Base):
    __tablename__ = "import_jobs"
    RECORD_TYPE = "import_job"

    record_type: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(300))
    file_path: Mapped[str] = mapped_column(String(1000))
    # column header → field; unmapped headers are ignored.
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    on_duplicate: Mapped[str] = mapped_column(String(10), default="skip")
    list_vendor: Mapped[str | None] = mapped_column(String(100))
    dry_run: Mapped[bool] = mapped_column(default=False)
    # pending → running → completed | failed; completed → undone.
    state: Mapped[str] = mapped_column(String(16), default="pending")
    rows_done: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ImportRow(Base):
    __tablename__ = "import_rows"
    __table_args__ = (Index("ix_import_rows_record", "record_id"),)

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    row_number: Mapped[int] = mapped_column(primary_key=True)
    # created, updated, skipped_duplicate, failed (would_* on a dry run)
    outcome: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID | None] = mapped_column()
    # None is stored as SQL NULL (not JSON 'null'), whichever path writes the row.
    errors: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # The updated fields' values before the import (for undo).
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class ImportMapping(Tracked, Base):
    __tablename__ = "import_mappings"
    RECORD_TYPE = "import_mapping"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    record_type: Mapped[str] = mapped_column(String(20))
    columns: Mapped[dict[str, str]] = mapped_column(JSON)


class WebForm(Tracked, Base):
    __tablename__ = "web_forms"
    RECORD_TYPE = "web_form"

    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    fields: Mapped[list[str]] = mapped_column(JSON)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    thank_you_url: Mapped[str | None] = mapped_column(String(400))
    is_active: Mapped[bool] = mapped_column(default=True)


class RateHit(Base):
    """Requests per bucket (form + client address) per minute, shared by every process."""

    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_hits_window_start", "window_start"),)

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
