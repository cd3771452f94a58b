"""API shapes of accounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from leadgate.core.fields import (
    Count,
    Currency,
    Email,
    Input,
    Money,
    MoneyOut,
    Name,
    Patch,
    Phone,
    Text,
    Url,
)
from leadgate.core.picklists import RelationshipType


class AccountFields(Input):
    account_number: str | None = Field(default=None, max_length=40)
    relationship_type: RelationshipType = RelationshipType.PROSPECT
    parent_account_id: uuid.UUID | None = None
    primary_contact_id: uuid.UUID | None = None
    industry: str | None = Field(default=None, max_length=100)
    annual_revenue: Money | None = None
    employee_count: Count | None = None
    email: Email | None = None
    phone: Phone | None = None
    website: Url | None = None
    description: Text | None = None
    street: str | None = Field(default=None, max_length=250)
    city: str | None = Field(default=None, max_length=100)
    state_or_province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=100)
    currency: Currency = "USD"


class AccountCreate(AccountFields):
    name: Name
    owner_id: uuid.UUID | None = None


class AccountUpdate(Patch):
    name: Name | None = None
    account_number: str | None = Field(default=None, max_length=40)
    relationship_type: RelationshipType | None = None
    parent_account_id: uuid.UUID | None = None
    primary_contact_id: uuid.UUID | None = None
    industry: str | None = Field(default=None, max_length=100)
    annual_revenue: Money | None = None
    employee_count: Count | None = None
    email: Email | None = None
    phone: Phone | None = None
    website: Url | None = None
    description: Text | None = None
    street: str | None = Field(default=None, max_length=250)
    city: str | None = Field(default=None, max_length=100)
    state_or_province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=100)
    currency: Currency | None = None
    owner_id: uuid.UUID | None = None


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    account_number: str | None
    relationship_type: str
    parent_account_id: uuid.UUID | None
    primary_contact_id: uuid.UUID | None
    industry: str | None
    annual_revenue: MoneyOut | None
    employee_count: int | None
    email: str | None
    phone: str | None
    website: str | None
    description: str | None
    street: str | None
    city: str | None
    state_or_province: str | None
    postal_code: str | None
    country: str | None
    currency: str
    originating_lead_id: uuid.UUID | None
    merged_into_id: uuid.UUID | None = None
    owner_id: uuid.UUID
    created_at: datetime
    created_by_id: uuid.UUID | None
    updated_at: datetime
    updated_by_id: uuid.UUID | None
    version: int
