"""API shapes of opportunities, their actions, and qualification."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from leadgate.accounts.schemas import AccountRead
from leadgate.contacts.schemas import ContactRead
from leadgate.core.fields import Currency, Input, Money, MoneyOut, Patch, Probability, Text
from leadgate.core.picklists import (
    ForecastCategory,
    Need,
    PurchaseProcess,
    PurchaseTimeframe,
    Rating,
)
from leadgate.leads.schemas import LeadRead

SalesStage = Literal["qualify", "develop", "propose", "close"]


class OpportunityDetails(Input):
    """What a salesperson records about a deal, whichever way it arrives (API, import)."""

    estimated_value: Money | None = None
    estimated_close_date: date | None = None
    probability: Probability | None = None
    rating: Rating | None = None
    forecast_category: ForecastCategory | None = None
    sales_stage: SalesStage | None = None
    budget_amount: Money | None = None
    purchase_timeframe: PurchaseTimeframe | None = None
    purchase_process: PurchaseProcess | None = None
    decision_maker: bool | None = None
    need: Need | None = None
    current_situation: Text | None = None
    customer_need: Text | None = None
    proposed_solution: Text | None = None
    description: Text | None = None
    currency: Currency | None = None


class _OpportunityFields(OpportunityDetails):
    # account_id before customer_contact_id: OpportunityCreate's check reads the former.
    account_id: uuid.UUID | None = None
    customer_contact_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    proposal_presented: bool | None = None
    final_proposal_presented: bool | None = None
    final_decision_date: date | None = None
    price_list_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class OpportunityCreate(_OpportunityFields):
    name: str = Field(min_length=1, max_length=300)
    # Re-declared to validate even when absent: "no customer" is reported on this field.
    customer_contact_id: uuid.UUID | None = Field(default=None, validate_default=True)

    @field_validator("customer_contact_id")
    @classmethod
    def _one_customer(cls, value: uuid.UUID | None, info: ValidationInfo) -> uuid.UUID | None:
        if (info.data.get("account_id") is None) == (value is None):
            raise ValueError(
                "an opportunity has exactly one customer: account_id or customer_contact_id"
            )
        return value


class OpportunityUpdate(_OpportunityFields, Patch):
    name: str | None = Field(default=None, min_length=1, max_length=300)


class OpportunityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    account_id: uuid.UUID | None
    customer_contact_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    estimated_value: MoneyOut | None
    estimated_close_date: date | None
    probability: int | None
    rating: str | None
    forecast_category: str
    sales_stage: str
    budget_amount: MoneyOut | None
    purchase_timeframe: str | None
    purchase_process: str | None
    decision_maker: bool | None
    need: str | None
    current_situation: str | None
    customer_need: str | None
    proposed_solution: str | None
    proposal_presented: bool | None
    final_proposal_presented: bool | None
    final_decision_date: date | None
    description: str | None
    price_list_id: uuid.UUID | None
    currency: str
    campaign_id: uuid.UUID | None
    originating_lead_id: uuid.UUID | None
    total_amount: MoneyOut | None
    actual_value: MoneyOut | None
    actual_close_date: date | None
    state: str
    status: str
    owner_id: uuid.UUID
    created_at: datetime
    created_by_id: uuid.UUID | None
    updated_at: datetime
    updated_by_id: uuid.UUID | None
    version: int


class WinRequest(Input):
    actual_value: Money | None = None
    actual_close_date: date | None = None
    description: Text | None = None


class LoseRequest(Input):
    status: Literal["canceled", "out_sold"] = "canceled"
    competitor_id: uuid.UUID | None = None
    reason: str | None = Field(default=None, max_length=500)
    actual_close_date: date | None = None
    description: Text | None = None


class OpportunityCloseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    opportunity_id: uuid.UUID
    outcome: str
    status: str
    actual_value: MoneyOut | None
    actual_close_date: date
    competitor_id: uuid.UUID | None
    reason: str | None
    description: str | None
    closed_by_id: uuid.UUID
    closed_at: datetime


class QualifyRequest(Input):
    create_account: bool = True
    create_contact: bool = True
    create_opportunity: bool = True
    existing_account_id: uuid.UUID | None = None
    existing_contact_id: uuid.UUID | None = None
    currency: Currency | None = None
    campaign_id: uuid.UUID | None = None


class QualifyResult(BaseModel):
    lead: LeadRead
    account: AccountRead | None
    contact: ContactRead | None
    opportunity: OpportunityRead | None


class MatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    record_type: str
    id: uuid.UUID
    name: str
    reasons: list[str]


class PlannedRecord(BaseModel):
    record_type: Literal["account", "contact", "opportunity"]
    fields: dict[str, object]


class QualifyPreview(BaseModel):
    lead: LeadRead
    will_create: list[PlannedRecord]
    matching_accounts: list[MatchRead]
    matching_contacts: list[MatchRead]
    matching_leads: list[MatchRead]
    problems: list[str]


class MappingRow(Input):
    source_field: str = Field(min_length=1, max_length=60)
    target_field: str = Field(min_length=1, max_length=60)


class MappingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    target_type: str
    source_field: str
    target_field: str


class MappingReplace(Input):
    rows: list[MappingRow] = Field(max_length=100)
