"""What the composition root registers for duplicate detection."""

from __future__ import annotations

from leadgate.accounts.events import AccountSaved
from leadgate.contacts.events import ContactSaved
from leadgate.core.events import subscribe
from leadgate.dedup.detection import rules_matcher
from leadgate.dedup.index import on_created_many, on_saved
from leadgate.leads.events import LeadSaved, LeadsCreated
from leadgate.leads.matching import set_matcher


def register() -> None:
    for event in (LeadSaved, AccountSaved, ContactSaved):
        subscribe(event, on_saved)
    subscribe(LeadsCreated, on_created_many)
    set_matcher(rules_matcher)
