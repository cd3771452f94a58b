"""API shapes of contacts."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from leadgate.core.fields import Email, Input, Patch, Phone, Text


class ContactCreate(Input):
    first_name: str | None = Field(default=None, max_length=100)
    # Validated even when absent, so "neither name" is reported on this field.
    last_name: str | None = Field(default=None, max_length=100, validate_default=True)
    job_title: str | None = Field(default=None, max_length=100)
    account_id: uuid.UUID | None = None
    email: Email | None = None
    phone: Phone | None = None
    mobile_phone: Phone | None = None
    description: Text | None = None
    street: str | None = Field(default=None, max_length=250)
    city: str | None = Field(default=None, max_length=100)
    state_or_province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=100)
    do_not_email: bool = False
    do_not_phone: bool = False
    do_not_bulk_email: bool = False
    owner_id: uuid.UUID | None = None

    @field_validator("last_name")
    @classmethod
    def _a_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not (value or info.data.get("first_name")):
            raise ValueError("a contact needs a first_name or a last_name")
        return value


class ContactUpdate(Patch):
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    job_title: str | None = Field(default=None, max_length=100)
    account_id: uuid.UUID | None = None
    email: Email | None = None
    phone: Phone | None = None
    mobile_phone: Phone | None = None
    description: Text | None = None
    street: str | None = Field(default=None, max_length=250)
    city: str | None = Field(default=None, max_length=100)
    state_or_province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=100)
    do_not_email: bool | None = None
    do_not_phone: bool | None = None
    do_not_bulk_email: bool | None = None
    owner_id: uuid.UUID | None = None


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    first_name: str | None
    last_name: str | None
    full_name: str
    job_title: str | None
    account_id: uuid.UUID | None
    email: str | None
    phone: str | None
    mobile_phone: str | None
    description: str | None
    street: str | None
    city: str | None
    state_or_province: str | None
    postal_code: str | None
    country: str | None
    do_not_email: bool
    do_not_phone: bool
    do_not_bulk_email: bool
    originating_lead_id: uuid.UUID | None
    merged_into_id: uuid.UUID | None = None
    owner_id: uuid.UUID
    created_at: datetime
    created_by_id: uuid.UUID | None
    updated_at: datetime
    updated_by_id: uuid.UUID | None
    version: int
