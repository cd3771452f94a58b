"""Product lines of an opportunity: priced from its price list like every document's
lines; the opportunity's `total_amount` is the sum of their extended amounts (None
while it has none), kept in step on every change. Only open opportunities change."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from leadgate.catalog.documents import (
    LineColumns,
    check_price_list,
    refuse_currency_change,
)
from leadgate.catalog.line_book import LineBook
from leadgate.core.errors import ReadOnlyRecord
from leadgate.core.money import DEFAULT_CURRENCY
from leadgate.db.base import Base, Tracked
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.states import OpportunityState, allowed_moves


class OpportunityLine(LineColumns, Tracked, Base):
    __tablename__ = "opportunity_lines"
    RECORD_TYPE = "opportunity_line"

    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )


def _guard_open(opportunity: Opportunity) -> None:
    if opportunity.state != OpportunityState.OPEN:
        raise ReadOnlyRecord(
            f"a {opportunity.state} opportunity is read-only; reopen it first "
            f"(allowed: {', '.join(allowed_moves(OpportunityState(opportunity.state)))})"
        )


def _recalculate(session: Session, opportunity: Opportunity, lines: list[OpportunityLine]) -> None:
    opportunity.total_amount = (
        sum((line.extended_amount for line in lines), Decimal(0)) if lines else None
    )


OPPORTUNITY_LINES: LineBook[Opportunity, OpportunityLine] = LineBook(
    Opportunity, OpportunityLine, "opportunity_id", _guard_open, _recalculate
)


def has_lines(session: Session, opportunity_id: uuid.UUID) -> bool:
    stmt = select(OpportunityLine.id).where(OpportunityLine.opportunity_id == opportunity_id)
    return session.scalar(stmt.limit(1)) is not None


def check_pricing(
    session: Session, opportunity: Opportunity | None, values: dict[str, Any]
) -> None:
    """The price list is in the opportunity's currency; both lock once it has lines."""
    if opportunity is not None:
        refuse_currency_change(has_lines(session, opportunity.id), opportunity, values)
    if {"price_list_id", "currency"} & values.keys():
        check_price_list(
            session,
            values.get("price_list_id", getattr(opportunity, "price_list_id", None)),
            values.get("currency") or getattr(opportunity, "currency", None) or DEFAULT_CURRENCY,
        )
