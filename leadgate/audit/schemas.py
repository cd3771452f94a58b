"""API shape of audit events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    occurred_at: datetime
    actor_id: uuid.UUID | None
    channel: str
    action: str
    record_type: str
    record_id: uuid.UUID
    summary: str
    changes: dict[str, Any]
