"""API shapes of quotes and their actions; `SalesDocumentRead` is shared with orders
and invoices."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from leadgate.core.fields import Currency, Input, Money, MoneyOut, Patch, Text

Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)]


class DocumentFields(Input):
    """Header fields a user edits on a quote, order or invoice."""

    account_id: uuid.UUID | None = None
    customer_contact_id: uuid.UUID | None = None
    price_list_id: uuid.UUID | None = None
    currency: Currency | None = None
    payment_terms: str | None = Field(default=None, max_length=100)
    terms: Text | None = None
    description: Text | None = None
    discount_percent: Percent | None = None
    discount_amount: Money | None = None
    freight_amount: Money | None = None


class QuoteCreate(DocumentFields):
    """From an opportunity (customer, price list, currency and lines are copied) or on
    its own for a customer."""

    opportunity_id: uuid.UUID | None = None
    name: str | None = Field(default=None, min_length=1, max_length=300)
    effective_from: date | None = None
    effective_to: date | None = None
    owner_id: uuid.UUID | None = None


class QuoteUpdate(DocumentFields, Patch):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    effective_from: date | None = None
    effective_to: date | None = None


class SalesDocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    name: str
    opportunity_id: uuid.UUID | None
    account_id: uuid.UUID | None
    customer_contact_id: uuid.UUID | None
    price_list_id: uuid.UUID | None
    currency: str
    payment_terms: str | None
    terms: str | None
    description: str | None
    discount_percent: Decimal | None
    discount_amount: MoneyOut | None
    freight_amount: MoneyOut | None
    total_line_amount: MoneyOut
    total_discount_amount: MoneyOut
    total_amount_less_freight: MoneyOut
    total_tax: MoneyOut
    total_amount: MoneyOut
    state: str
    status: str
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int


class QuoteRead(SalesDocumentRead):
    revision: int
    effective_from: date | None
    effective_to: date | None
    closed_on: date | None


class CloseQuoteRequest(Input):
    status: Literal["lost", "canceled"] = "lost"
    # Closing the opportunity's last open quote can close the opportunity as lost too.
    close_opportunity: bool = False
    reason: str | None = Field(default=None, max_length=500)


class WinQuoteRequest(Input):
    win_opportunity: bool = False
