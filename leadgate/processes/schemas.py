"""API shapes of flows, instances, stage history and the stage reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from leadgate.core.fields import Input, Patch
from leadgate.processes.definition import Stage
from leadgate.security.roles import Role

RecordType = Literal["lead", "opportunity"]


class FlowCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    # A plain string so an unknown type is reported with the definition's other problems.
    primary_record_type: str = Field(min_length=1, max_length=20)
    sort_order: int = Field(default=0, ge=0, le=10_000)
    roles: list[Role] | None = None
    # Bounded for safety; the limit of 30 is a definition rule reported by validation.
    stages: list[Stage] = Field(max_length=200)


class FlowUpdate(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    sort_order: int | None = Field(default=None, ge=0, le=10_000)
    roles: list[Role] | None = None
    stages: list[Stage] | None = Field(default=None, max_length=200)


class FlowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    family_id: uuid.UUID
    flow_version: int
    name: str
    description: str | None
    primary_record_type: str
    sort_order: int
    roles: list[str] | None
    status: str
    stages: list[Stage]
    version: int
    created_at: datetime
    updated_at: datetime


class StepState(BaseModel):
    field: str
    label: str
    required: bool
    filled: bool


class StageSummary(BaseModel):
    key: str
    name: str
    record_type: str
    category: str
    status: Literal["done", "active", "ahead", "off_path"]


class InstanceRead(BaseModel):
    id: uuid.UUID
    flow_id: uuid.UUID
    flow_family_id: uuid.UUID
    flow_name: str
    flow_version: int
    lead_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    record_type: str
    state: str
    active_stage: str
    path: list[str]
    is_current: bool
    # The active stage's steps with whether each is filled, and where Next leads now.
    steps: list[StepState]
    missing_required: list[str]
    next_stage: str | None
    stages: list[StageSummary]
    allowed: list[str]
    completed_at: datetime | None
    created_at: datetime
    version: int


class SwitchFlowRequest(Input):
    record_type: RecordType
    record_id: uuid.UUID
    flow_id: uuid.UUID


class VisitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    instance_id: uuid.UUID
    flow_id: uuid.UUID
    stage_key: str
    record_type: str
    record_id: uuid.UUID
    owner_id: uuid.UUID
    entered_at: datetime
    entered_by_id: uuid.UUID | None
    exited_at: datetime | None
    exited_by_id: uuid.UUID | None
    exit_kind: str | None
    duration_seconds: float | None


class TimeInStageRow(BaseModel):
    flow_family_id: uuid.UUID
    flow_name: str
    stage_key: str
    owner_id: uuid.UUID | None
    visits: int
    median_seconds: float
    p90_seconds: float


class ConversionRow(BaseModel):
    flow_family_id: uuid.UUID
    flow_name: str = ""
    stage_key: str
    entered: int
    advanced: int
    finished: int
    dropped: int
    went_back: int
    still_in_stage: int
    conversion_rate: float
    drop_out_rate: float
