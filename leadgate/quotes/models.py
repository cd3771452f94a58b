"""The quote and its lines; `SalesDocument` is the header that orders and invoices share."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from leadgate.catalog.documents import DocumentTotals, LineColumns
from leadgate.db.base import Base, Owned, Tracked
from leadgate.quotes.states import QuoteState


class SalesDocument(DocumentTotals, Tracked, Owned):
    """Number, customer (an account or a contact), opportunity, terms and totals."""

    number: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("opportunities.id"), index=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    customer_contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contacts.id"))
    payment_terms: Mapped[str | None] = mapped_column(String(100))
    terms: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[object, ...]:  # noqa: N805
        return (
            CheckConstraint(
                "(account_id IS NULL) <> (customer_contact_id IS NULL)", name="one_customer"
            ),
            Index(
                f"ix_{getattr(cls, '__tablename__')}_owner_state_created",  # noqa: B009
                "owner_id",
                "state",
                "created_at",
                "id",
            ),
            *getattr(cls, "__extra_args__")(),  # noqa: B009
        )


class Quote(SalesDocument, Base):
    __tablename__ = "quotes"
    RECORD_TYPE = "quote"

    @classmethod
    def __extra_args__(cls) -> tuple[object, ...]:
        return (UniqueConstraint("number", "revision"),)

    revision: Mapped[int] = mapped_column(default=0)
    effective_from: Mapped[date | None] = mapped_column()
    effective_to: Mapped[date | None] = mapped_column()
    closed_on: Mapped[date | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default=QuoteState.DRAFT.value)
    status: Mapped[str] = mapped_column(String(32), default="in_progress")


class QuoteLine(LineColumns, Tracked, Base):
    __tablename__ = "quote_lines"
    RECORD_TYPE = "quote_line"

    quote_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
