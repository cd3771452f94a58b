"""Events leads publish so higher layers (scoring) can react without leads importing them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leadgate.core.events import Event


@dataclass(frozen=True)
class LeadSaved(Event):
    """A lead was created or its fields changed (published after the flush)."""

    lead_id: uuid.UUID
    created: bool
