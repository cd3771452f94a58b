"""Events opportunities publish so higher layers (process flows) can react."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leadgate.core.events import Event
from leadgate.security.access import Actor


@dataclass(frozen=True)
class OpportunityEvent(Event):
    actor: Actor
    opportunity_id: uuid.UUID


@dataclass(frozen=True)
class OpportunityCreated(OpportunityEvent):
    # Set when qualify created it: the lead's process instance crosses over instead.
    originating_lead_id: uuid.UUID | None = None


@dataclass(frozen=True)
class OpportunityWon(OpportunityEvent):
    pass


@dataclass(frozen=True)
class OpportunityLost(OpportunityEvent):
    pass


@dataclass(frozen=True)
class OpportunityReopened(OpportunityEvent):
    pass
