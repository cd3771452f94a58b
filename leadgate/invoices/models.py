"""The invoice and its lines."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.catalog.documents import LineColumns
from leadgate.db.base import Base, Tracked
from leadgate.invoices.states import InvoiceState
from leadgate.quotes.models import SalesDocument


class Invoice(SalesDocument, Base):
    __tablename__ = "invoices"
    RECORD_TYPE = "invoice"

    @classmethod
    def __extra_args__(cls) -> tuple[object, ...]:
        return (UniqueConstraint("number"),)

    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"), index=True)
    due_date: Mapped[date | None] = mapped_column()
    paid_on: Mapped[date | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default=InvoiceState.ACTIVE.value)
    status: Mapped[str] = mapped_column(String(32), default="new")


class InvoiceLine(LineColumns, Tracked, Base):
    __tablename__ = "invoice_lines"
    RECORD_TYPE = "invoice_line"

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
