"""Reads of opportunities and their close records."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from leadgate.core.money import round_money
from leadgate.db.paging import Page
from leadgate.opportunities.models import Opportunity, OpportunityClose
from leadgate.opportunities.states import OpportunityState
from leadgate.security.access import Actor, scoped
from leadgate.security.listing import list_records

SORTS = {
    "created_at": Opportunity.created_at,
    "updated_at": Opportunity.updated_at,
    "name": Opportunity.name,
    "estimated_close_date": Opportunity.estimated_close_date,
    "estimated_value": Opportunity.estimated_value,
    "probability": Opportunity.probability,
}
FILTERS = (
    "owner_id",
    "state",
    "status",
    "account_id",
    "customer_contact_id",
    "contact_id",
    "forecast_category",
    "sales_stage",
    "originating_lead_id",
    "campaign_id",
)


def list_opportunities(
    session: Session,
    actor: Actor,
    *,
    filters: dict[str, Any],
    q: str | None,
    sort: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Opportunity]:
    where: list[ColumnElement[bool]] = [
        getattr(Opportunity, name) == filters[name]
        for name in FILTERS
        if filters.get(name) is not None
    ]
    if filters.get("close_before") is not None:
        where.append(Opportunity.estimated_close_date < filters["close_before"])
    return list_records(
        session,
        actor,
        Opportunity,
        where=where,
        q=q,
        search=[Opportunity.name, Opportunity.description],
        sort=sort,
        sortable=SORTS,
        cursor=cursor,
        limit=limit,
    )


def closes_of(session: Session, actor: Actor, opportunity_id: uuid.UUID) -> list[OpportunityClose]:
    stmt = (
        scoped(actor, OpportunityClose)
        .where(OpportunityClose.opportunity_id == opportunity_id)
        .order_by(OpportunityClose.closed_at.desc())
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class PipelineTotal:
    """Open pipeline in one currency: estimated value and value times probability."""

    currency: str
    count: int
    value: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Pipeline:
    totals: list[PipelineTotal]
    # (YYYY-MM of the estimated close date or "" when unknown, currency) → value
    by_month: dict[tuple[str, str], Decimal]


def open_pipeline(session: Session, actor: Actor, owner_id: uuid.UUID) -> Pipeline:
    """`owner_id`'s open opportunities as the actor sees them, totalled and weighted.

    One user's open opportunities are few, so the sums run over their rows in
    Decimal (exact on SQLite too) rather than in SQL.
    """
    stmt = (
        scoped(actor, Opportunity)
        .where(Opportunity.owner_id == owner_id, Opportunity.state == OpportunityState.OPEN.value)
        .with_only_columns(
            Opportunity.currency,
            Opportunity.estimated_value,
            Opportunity.probability,
            Opportunity.estimated_close_date,
        )
    )
    counts: dict[str, int] = defaultdict(int)
    values: dict[str, Decimal] = defaultdict(Decimal)
    weighted: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for currency, value, probability, close in session.execute(stmt):
        counts[currency] += 1
        amount = Decimal(value or 0)
        values[currency] += amount
        weighted[currency] += amount * Decimal(probability or 0) / 100
        by_month[(close.strftime("%Y-%m") if close else "", currency)] += amount
    totals = [
        PipelineTotal(c, counts[c], round_money(values[c], c), round_money(weighted[c], c))
        for c in sorted(counts)
    ]
    return Pipeline(totals, {k: round_money(v, k[1]) for k, v in sorted(by_month.items())})
