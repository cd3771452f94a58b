"""Reads of opportunities and their close records."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from leadgate.db.paging import Page
from leadgate.opportunities.models import Opportunity, OpportunityClose
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
