"""Reactions of scoring to lead changes: rescore the lead at once, in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from leadgate.core.events import subscribe
from leadgate.leads.events import LeadSaved
from leadgate.leads.models import Lead
from leadgate.scoring.scorer import rescore_lead


def on_lead_saved(session: Session, event: LeadSaved) -> None:
    lead = session.get(Lead, event.lead_id)
    if lead is not None:
        rescore_lead(session, lead)


def register() -> None:
    subscribe(LeadSaved, on_lead_saved)
