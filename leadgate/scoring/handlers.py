"""Reactions of scoring to lead changes: rescore the lead at once, in the same transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core.events import subscribe
from leadgate.leads.events import LeadSaved, LeadsCreated
from leadgate.leads.models import Lead
from leadgate.scoring.scorer import BATCH, published, rescore_lead, rescore_leads


def on_lead_saved(session: Session, event: LeadSaved) -> None:
    rescore_lead(session, event.record)


def on_leads_created(session: Session, event: LeadsCreated) -> None:
    # Bulk creates (imports) announce Drafts of their leads together: when a model is
    # published, its one pass scores the stored leads (scores are written back to them).
    if not event.records or not published(session):
        return
    ids = [lead.id for lead in event.records]
    leads = [
        lead
        for i in range(0, len(ids), BATCH)
        for lead in session.scalars(select(Lead).where(Lead.id.in_(ids[i : i + BATCH])))
    ]
    rescore_leads(session, leads)


def register() -> None:
    subscribe(LeadSaved, on_lead_saved)
    subscribe(LeadsCreated, on_leads_created)
