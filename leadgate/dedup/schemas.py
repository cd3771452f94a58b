"""API shapes of duplicate rules, matches, scans and merges."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from leadgate.core.fields import Input

RecordType = Literal["lead", "contact", "account"]
Operator = Literal["exact", "first_n", "last_n", "similar"]


class CriterionIn(Input):
    field: str = Field(min_length=1, max_length=60)
    match_field: str | None = Field(default=None, max_length=60)
    operator: Operator
    n: int | None = Field(default=None, ge=1, le=100)
    threshold: float | None = Field(default=None, gt=0, le=1)


class RuleCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    base: RecordType
    match: RecordType
    criteria: list[CriterionIn] = Field(min_length=1, max_length=10)
    ignore_blanks: bool = True
    case_sensitive: bool = False
    exclude_inactive: bool = True


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    base_type: str
    match_type: str
    criteria: list[dict[str, Any]]
    ignore_blanks: bool
    case_sensitive: bool
    exclude_inactive: bool
    published: bool
    version: int


class DuplicateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    record_type: str
    id: uuid.UUID
    name: str
    rules: list[str]
    score: float


class MergeRequest(Input):
    record_type: RecordType
    master_id: uuid.UUID
    other_id: uuid.UUID
    # Fields whose value comes from the other record (the master wins everywhere else).
    prefer_other: list[str] = Field(default_factory=list, max_length=100)
    # Fill the master's empty fields from the other record.
    fill_blanks: bool = True


class MergeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    record_type: str
    master_id: uuid.UUID
    other_id: uuid.UUID
    master_before: dict[str, Any]
    moved: list[list[str]]
    merged_at: datetime
    undone_at: datetime | None


class GroupMemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    merged_into_id: uuid.UUID | None


class DuplicateGroupRead(BaseModel):
    id: uuid.UUID
    record_type: str
    rule: str
    score: float
    status: str
    member_count: int
    created_at: datetime
    resolved_at: datetime | None
    members: list[GroupMemberRead]

    @classmethod
    def of(cls, view: Any) -> DuplicateGroupRead:
        g = view.group
        return cls(
            id=g.id,
            record_type=g.record_type,
            rule=g.rule,
            score=g.score,
            status=g.status,
            member_count=g.member_count,
            created_at=g.created_at,
            resolved_at=g.resolved_at,
            members=[GroupMemberRead.model_validate(m) for m in view.members],
        )
