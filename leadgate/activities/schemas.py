"""API shapes of activities and notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadgate.core.fields import Input, Patch, Str400, Text

ActivityType = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
Priority = Literal["low", "normal", "high"]
Direction = Literal["incoming", "outgoing"]
PartyRole = Literal["from", "to", "cc", "bcc", "attendee", "organizer", "required", "optional"]
PartyType = Literal["user", "contact", "lead", "account"]


class PartyIn(Input):
    role: PartyRole
    party_type: PartyType
    party_id: uuid.UUID


class PartyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    role: str
    party_type: str
    party_id: uuid.UUID


class _Timing(Input):
    @model_validator(mode="after")
    def _ends_after_start(self) -> _Timing:
        starts = getattr(self, "starts_at", None)
        ends = getattr(self, "ends_at", None)
        if starts and ends and ends < starts:
            raise ValueError("ends_at must not be before starts_at")
        return self


class ActivityCreate(_Timing):
    type: str = ActivityType
    subject: Str400 = Field(min_length=1)
    description: Text | None = None
    regarding_type: str | None = Field(default=None, max_length=40)
    regarding_id: uuid.UUID | None = None
    due_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    direction: Direction | None = None
    priority: Priority = "normal"
    duration_minutes: int | None = Field(default=None, ge=0, le=100_000)
    participants: list[PartyIn] = Field(default_factory=list, max_length=200)
    owner_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _regarding_pair(self) -> ActivityCreate:
        if (self.regarding_type is None) != (self.regarding_id is None):
            raise ValueError("regarding_type and regarding_id go together")
        if self.type == "appointment" and self.starts_at is None:
            raise ValueError("an appointment needs starts_at")
        return self


class ActivityUpdate(Patch):
    subject: Str400 | None = Field(default=None, min_length=1)
    description: Text | None = None
    due_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    direction: Direction | None = None
    priority: Priority | None = None
    duration_minutes: int | None = Field(default=None, ge=0, le=100_000)
    owner_id: uuid.UUID | None = None


class ActivityAction(Input):
    status: str | None = Field(default=None, max_length=32)
    duration_minutes: int | None = Field(default=None, ge=0, le=100_000)


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    type: str
    subject: str
    description: str | None
    regarding_type: str | None
    regarding_id: uuid.UUID | None
    due_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    direction: str | None
    priority: str
    duration_minutes: int | None
    state: str
    status: str
    completed_at: datetime | None
    participants: list[PartyRead]
    owner_id: uuid.UUID
    created_at: datetime
    created_by_id: uuid.UUID | None
    updated_at: datetime
    version: int


class NoteCreate(Input):
    title: str | None = Field(default=None, max_length=200)
    text: Text = Field(min_length=1)
    regarding_type: str = Field(max_length=40)
    regarding_id: uuid.UUID
    owner_id: uuid.UUID | None = None


class NoteUpdate(Patch):
    title: str | None = Field(default=None, max_length=200)
    text: Text | None = Field(default=None, min_length=1)


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    title: str | None
    text: str
    regarding_type: str
    regarding_id: uuid.UUID
    owner_id: uuid.UUID
    created_at: datetime
    created_by_id: uuid.UUID | None
    updated_at: datetime
    version: int


class TimelineEntry(BaseModel):
    kind: Literal["activity", "note", "audit"]
    id: uuid.UUID
    at: datetime
    title: str
    detail: str | None = None
    record_type: str
    record_id: uuid.UUID
    actor_id: uuid.UUID | None = None
    state: str | None = None
    changes: dict[str, object] | None = None
