"""Events the lead service publishes (duplicate detection keeps its match keys by them)."""

from __future__ import annotations

from dataclasses import dataclass

from leadgate.core.events import Event
from leadgate.leads.models import Lead


@dataclass(frozen=True)
class LeadSaved(Event):
    """A lead was created or changed (flushed, in the caller's transaction)."""

    record: Lead
    created: bool


@dataclass(frozen=True)
class LeadsCreated(Event):
    """Many leads created at once (imports), flushed in the caller's transaction."""

    records: list[Lead]
