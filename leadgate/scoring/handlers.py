"""Reactions of scoring to lead changes: rescore the lead at once, in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from leadgate.core.events import subscribe
from leadgate.leads.events import LeadSaved, LeadsCreated
from leadgate.scoring.scorer import rescore_lead, rescore_new_leads


def on_lead_saved(session: Session, event: LeadSaved) -> None:
    rescore_lead(session, event.record)


def on_leads_created(session: Session, event: LeadsCreated) -> None:
    # Bulk creates (imports) announce their leads together, not one LeadSaved each.
    rescore_new_leads(session, [lead.id for lead in event.records])


def register() -> None:
    subscribe(LeadSaved, on_lead_saved)
    subscribe(LeadsCreated, on_leads_created)
