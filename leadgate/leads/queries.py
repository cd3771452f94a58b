"""Reads of leads."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import Session

from leadgate.db.paging import Page
from leadgate.leads.models import Lead, LeadScore
from leadgate.leads.states import LeadState
from leadgate.security.access import Actor, scoped
from leadgate.security.listing import list_records

SORTS = {
    "created_at": Lead.created_at,
    "updated_at": Lead.updated_at,
    "topic": Lead.topic,
    "last_name": Lead.last_name,
    "company_name": Lead.company_name,
    "estimated_value": Lead.estimated_value,
    "score": LeadScore.score,
}
FILTERS = (
    "owner_id",
    "state",
    "status",
    "lead_source",
    "rating",
    "list_vendor",
    "external_key",
    "campaign_id",
)
# Filters and sorts on the score side table (joined only when one is used).
SCORE_FILTERS = {"grade": LeadScore.grade}


def list_leads(
    session: Session,
    actor: Actor,
    *,
    filters: dict[str, Any],
    q: str | None,
    sort: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Lead]:
    where: list[ColumnElement[bool]] = [
        getattr(Lead, name) == filters[name] for name in FILTERS if filters.get(name) is not None
    ]
    scored = [
        column == filters[name]
        for name, column in SCORE_FILTERS.items()
        if filters.get(name) is not None
    ]
    where += scored
    by_score = any(token.strip().lstrip("-+") == "score" for token in (sort or "").split(","))
    return list_records(
        session,
        actor,
        Lead,
        where=where,
        q=q,
        search=[Lead.topic, Lead.first_name, Lead.last_name, Lead.company_name, Lead.email],
        sort=sort,
        sortable=SORTS,
        cursor=cursor,
        limit=limit,
        join=Lead.score_row if scored or by_score else None,
    )


def open_by_rating(session: Session, actor: Actor, owner_id: uuid.UUID) -> dict[str, int]:
    """How many open leads `owner_id` has per rating ("" for unrated), as the actor sees them."""
    stmt = (
        scoped(actor, Lead)
        .where(Lead.owner_id == owner_id, Lead.state == LeadState.OPEN.value)
        .with_only_columns(Lead.rating, func.count())
        .group_by(Lead.rating)
    )
    return {rating or "": count for rating, count in session.execute(stmt)}
