"""Events leads publish so higher layers (scoring, process flows) can react without leads
importing them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leadgate.core.events import Event
from leadgate.security.access import Actor


@dataclass(frozen=True)
class LeadSaved(Event):
    """A lead was created or its fields changed (published after the flush)."""

    lead_id: uuid.UUID
    created: bool


@dataclass(frozen=True)
class LeadCreated(Event):
    actor: Actor
    lead_id: uuid.UUID


@dataclass(frozen=True)
class LeadQualified(Event):
    actor: Actor
    lead_id: uuid.UUID
    opportunity_id: uuid.UUID | None
