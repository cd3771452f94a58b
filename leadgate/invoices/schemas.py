"""API shapes of invoices and their actions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from leadgate.core.fields import Input, Patch
from leadgate.quotes.schemas import DocumentFields, SalesDocumentRead


class InvoiceUpdate(DocumentFields, Patch):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    due_date: date | None = None


class InvoiceRead(SalesDocumentRead):
    order_id: uuid.UUID | None
    due_date: date | None
    paid_on: date | None


class CreateInvoiceRequest(Input):
    due_date: date | None = None


class MarkPaidRequest(Input):
    status: Literal["complete", "partial"] = "complete"
    paid_on: date | None = None
