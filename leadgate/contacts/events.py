"""Events the contact service publishes (duplicate detection keeps its match keys by them)."""

from __future__ import annotations

from dataclasses import dataclass

from leadgate.contacts.models import Contact
from leadgate.core.events import Event


@dataclass(frozen=True)
class ContactSaved(Event):
    """A contact was created or changed (flushed, in the caller's transaction)."""

    record: Contact
    created: bool
