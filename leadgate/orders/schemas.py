"""API shapes of orders and their actions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from leadgate.core.fields import Input, Patch
from leadgate.quotes.schemas import DocumentFields, SalesDocumentRead


class OrderCreate(DocumentFields):
    name: str = Field(min_length=1, max_length=300)
    opportunity_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class OrderUpdate(DocumentFields, Patch):
    name: str | None = Field(default=None, min_length=1, max_length=300)


class OrderRead(SalesDocumentRead):
    quote_id: uuid.UUID | None
    price_locked: bool
    fulfilled_on: date | None


class CreateOrderRequest(Input):
    """Win the active quote and create its order; optionally win the opportunity too."""

    win_opportunity: bool = False


class FulfillRequest(Input):
    status: Literal["complete", "partial"] = "complete"
    fulfilled_on: date | None = None
