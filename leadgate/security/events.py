"""Events security publishes so the audit log (a higher layer) can record them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from leadgate.core.events import Event


@dataclass(frozen=True)
class SecurityChange(Event):
    actor_id: uuid.UUID | None
    channel: str
    action: str  # create, update, token_issued, token_revoked, login
    record_type: str
    record_id: uuid.UUID
    changes: dict[str, Any] = field(default_factory=dict)
