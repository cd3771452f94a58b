"""API shapes of scoring models and their versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from leadgate.core.fields import Input, Name, Patch
from leadgate.scoring.leadfields import CATALOG, DEFAULT_FIELDS, FILTERABLE

Months = Annotated[int, Field(ge=3, le=24, description="training window: 3 to 24 months")]
FieldCodes = Annotated[list[str], Field(min_length=1, max_length=60)]


def _check_fields(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in CATALOG]
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(CATALOG)}")
    if len(set(codes)) != len(codes):
        raise ValueError("a field is listed twice")
    return codes


def _check_filter(value: dict[str, Any]) -> dict[str, Any]:
    bad = [k for k in value if k not in FILTERABLE]
    if bad:
        raise ValueError(
            f"cannot filter on {', '.join(bad)}; allowed: {', '.join(sorted(FILTERABLE))}"
        )
    for key, item in value.items():
        if not isinstance(item, str | int | bool) or (isinstance(item, str) and len(item) > 200):
            raise ValueError(f"{key}: a filter value is one string, number or boolean")
    return value


class GradeBands(Input):
    """Lowest score of grades A, B and C; anything below C is D."""

    A: int = Field(default=70, ge=1, le=100)
    B: int = Field(default=45, ge=1, le=100)
    C: int = Field(default=20, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> GradeBands:
        if not self.A > self.B > self.C:
            raise ValueError("bands must satisfy A > B > C")
        return self


class ScoringModelCreate(Input):
    name: Name
    description: str | None = Field(default=None, max_length=500)
    fields: FieldCodes = Field(default_factory=lambda: list(DEFAULT_FIELDS))
    filter: dict[str, Any] = Field(default_factory=dict)
    training_months: Months = 24
    grade_bands: GradeBands = Field(default_factory=GradeBands)

    _fields = field_validator("fields")(_check_fields)
    _filter = field_validator("filter")(_check_filter)


class ScoringModelUpdate(Patch):
    name: Name | None = None
    description: str | None = Field(default=None, max_length=500)
    fields: FieldCodes | None = None
    filter: dict[str, Any] | None = None
    training_months: Months | None = None
    grade_bands: GradeBands | None = None

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_fields(value)

    @field_validator("filter")
    @classmethod
    def _filter(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else _check_filter(value)


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    model_id: uuid.UUID
    number: int
    family: str
    fields: list[str]
    metrics: dict[str, Any]
    ready_to_publish: bool
    is_published: bool
    published_at: datetime | None
    sklearn_version: str
    created_at: datetime
    created_by_id: uuid.UUID | None


class VersionSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int
    family: str
    ready_to_publish: bool
    is_published: bool
    published_at: datetime | None
    created_at: datetime


class ScoringModelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    fields: list[str]
    filter: dict[str, Any]
    training_months: int
    grade_bands: dict[str, int]
    versions: list[VersionSummary]
    created_at: datetime
    updated_at: datetime
    version: int


class RescoreResult(BaseModel):
    scored: int
