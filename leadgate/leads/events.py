"""Events leads publish so higher layers (scoring, process flows, duplicate detection) can
react without leads importing them. All are published after the flush, inside the
caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leadgate.core.drafts import Draft
from leadgate.core.events import Event
from leadgate.leads.models import Lead
from leadgate.security.access import Actor


@dataclass(frozen=True)
class LeadSaved(Event):
    """A lead was created or its fields changed."""

    record: Lead
    created: bool

    @property
    def lead_id(self) -> uuid.UUID:
        return self.record.id


@dataclass(frozen=True)
class LeadsCreated(Event):
    """Many leads created at once (imports); each is not announced on its own, neither
    by LeadSaved nor by LeadCreated, so reactions can handle the batch in one go. The
    records are Drafts of the inserted rows (every column readable as an attribute),
    not ORM instances."""

    records: list[Draft]
    actor: Actor | None = None


@dataclass(frozen=True)
class LeadCreated(Event):
    actor: Actor
    lead_id: uuid.UUID


@dataclass(frozen=True)
class LeadQualified(Event):
    actor: Actor
    lead_id: uuid.UUID
    opportunity_id: uuid.UUID | None


@dataclass(frozen=True)
class LeadDisqualified(Event):
    actor: Actor
    lead_id: uuid.UUID


@dataclass(frozen=True)
class LeadReactivated(Event):
    actor: Actor
    lead_id: uuid.UUID
