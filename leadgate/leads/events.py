"""Events leads publish so higher layers (process flows) can react without being imported."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leadgate.core.events import Event
from leadgate.security.access import Actor


@dataclass(frozen=True)
class LeadCreated(Event):
    actor: Actor
    lead_id: uuid.UUID


@dataclass(frozen=True)
class LeadQualified(Event):
    actor: Actor
    lead_id: uuid.UUID
    opportunity_id: uuid.UUID | None
