"""API shapes of leads and their actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from leadgate.core.fields import (
    Count,
    Currency,
    Email,
    Input,
    Money,
    MoneyOut,
    Patch,
    Phone,
    Text,
    Url,
)
from leadgate.core.picklists import (
    BudgetStatus,
    LeadSource,
    Need,
    PurchaseProcess,
    PurchaseTimeframe,
    Rating,
)


class _LeadFields(Input):
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    company_name: str | None = Field(default=None, max_length=200)
    job_title: str | None = Field(default=None, max_length=100)
    email: Email | None = None
    email2: Email | None = None
    phone: Phone | None = None
    mobile_phone: Phone | None = None
    website: Url | None = None
    street: str | None = Field(default=None, max_length=250)
    city: str | None = Field(default=None, max_length=100)
    state_or_province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=100)
    lead_source: LeadSource | None = None
    rating: Rating | None = None
    industry: str | None = Field(default=None, max_length=100)
    annual_revenue: Money | None = None
    employee_count: Count | None = None
    budget_amount: Money | None = None
    budget_status: BudgetStatus | None = None
    purchase_timeframe: PurchaseTimeframe | None = None
    purchase_process: PurchaseProcess | None = None
    decision_maker: bool | None = None
    need: Need | None = None
    estimated_value: Money | None = None
    estimated_close_date: date | None = None
    currency: Currency | None = None
    description: Text | None = None
    existing_account_id: uuid.UUID | None = None
    existing_contact_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    external_key: str | None = Field(default=None, max_length=100)
    list_vendor: str | None = Field(default=None, max_length=100)
    do_not_email: bool | None = None
    do_not_phone: bool | None = None
    do_not_bulk_email: bool | None = None
    owner_id: uuid.UUID | None = None


class LeadCreate(_LeadFields):
    topic: str = Field(min_length=1, max_length=300)


class LeadUpdate(_LeadFields, Patch):
    topic: str | None = Field(default=None, min_length=1, max_length=300)


class LeadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    topic: str
    first_name: str | None
    last_name: str | None
    full_name: str
    company_name: str | None
    job_title: str | None
    email: str | None
    email2: str | None
    phone: str | None
    mobile_phone: str | None
    website: str | None
    street: str | None
    city: str | None
    state_or_province: str | None
    postal_code: str | None
    country: str | None
    lead_source: str | None
    rating: str | None
    industry: str | None
    annual_revenue: MoneyOut | None
    employee_count: int | None
    budget_amount: MoneyOut | None
    budget_status: str | None
    purchase_timeframe: str | None
    purchase_process: str | None
    decision_maker: bool | None
    need: str | None
    estimated_value: MoneyOut | None
    estimated_close_date: date | None
    currency: str
    description: str | None
    existing_account_id: uuid.UUID | None
    existing_contact_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    campaign_response_id: uuid.UUID | None
    external_key: str | None
    list_vendor: str | None
    do_not_email: bool
    do_not_phone: bool
    do_not_bulk_email: bool
    state: str
    status: str
    status_reason: str | None
    qualifying_opportunity_id: uuid.UUID | None
    merged_into_id: uuid.UUID | None
    score: int | None
    grade: str | None
    score_trend: str | None
    score_reasons: dict[str, Any] | None
    owner_id: uuid.UUID
    created_at: datetime
    created_by_id: uuid.UUID | None
    updated_at: datetime
    updated_by_id: uuid.UUID | None
    version: int


class DisqualifyRequest(Input):
    status: str = Field(default="lost", max_length=32)
    reason: str | None = Field(default=None, max_length=500)


class EmptyAction(Input):
    """An action without parameters (unknown fields are still refused)."""
