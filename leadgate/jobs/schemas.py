"""What the API shows of a job run and what a client sends to ask for one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from leadgate.core.fields import Input


class JobRunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    params: dict[str, Any]
    state: str
    done: int
    total: int | None
    error: str | None
    result: dict[str, Any] | None
    attempts: int
    requested_by_id: uuid.UUID
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobRunCreate(Input):
    kind: str = Field(max_length=40, description="scoring_train, scoring_rescore, duplicate_scan")
    params: dict[str, Any] = Field(default_factory=dict, max_length=20)
