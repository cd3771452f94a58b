"""The audit event row. Append-only: the ORM refuses to update or delete one, and the
migration installs database triggers that refuse it too."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from leadgate.core.clock import utcnow
from leadgate.core.ids import new_id
from leadgate.db.base import Base

JsonType = JSON().with_variant(JSONB(), "postgresql")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_record", "record_type", "record_id", "occurred_at"),)
    RECORD_TYPE = "audit_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    # create, update, delete, transition:<name>, token_issued, …
    action: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID] = mapped_column()
    summary: Mapped[str] = mapped_column(String(500), default="")
    # {"field": [old, new], …}
    changes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class AppendOnlyViolation(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper: Mapper[Any], _connection: Any, target: AuditEvent) -> None:
    raise AppendOnlyViolation(f"audit event {target.id} is append-only")
