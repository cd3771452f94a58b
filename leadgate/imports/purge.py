"""Purge a rented list: remove the vendor's leads that never responded.

A lead "responded" when it has a completed activity or any campaign response
regarding it, a campaign response link, or was qualified. Those stay; the rest
are soft-deleted through the lead service (permission check and audit each).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from leadgate.activities.models import Activity
from leadgate.leads.models import Lead
from leadgate.leads.service import delete_lead
from leadgate.leads.states import LeadState
from leadgate.security.access import Actor, scoped
from leadgate.security.roles import Op


def _silent(actor: Actor, vendor: str) -> Select[uuid.UUID]:
    responded = exists().where(
        Activity.regarding_type == "lead",
        Activity.regarding_id == Lead.id,
        or_(Activity.state == "completed", Activity.type == "campaign_response"),
    )
    visible = scoped(actor, Lead, Op.DELETE).subquery()
    return (
        select(Lead.id)
        .where(
            Lead.id.in_(select(visible.c.id)),
            Lead.list_vendor == vendor,
            Lead.state != LeadState.QUALIFIED.value,
            and_(Lead.qualifying_opportunity_id.is_(None), Lead.campaign_response_id.is_(None)),
            ~responded,
        )
        .order_by(Lead.id)
    )


def purge_candidates(session: Session, actor: Actor, vendor: str) -> list[uuid.UUID]:
    return list(session.scalars(_silent(actor, vendor)))


def purge_vendor(session: Session, actor: Actor, vendor: str, dry_run: bool = True) -> int:
    """How many leads would go (dry run) or went."""
    ids = purge_candidates(session, actor, vendor)
    if not dry_run:
        for lead_id in ids:
            delete_lead(session, actor, lead_id, None)
    return len(ids)
