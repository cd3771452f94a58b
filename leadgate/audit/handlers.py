"""Reactions of the audit log to events published by lower layers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from leadgate.audit.recording import write_event
from leadgate.core.events import subscribe
from leadgate.security.events import SecurityChange


def on_security_change(session: Session, event: SecurityChange) -> None:
    event_row = write_event(
        session,
        None,
        event.action,
        event.record_type,
        event.record_id,
        event.changes,
        channel=event.channel,
    )
    event_row.actor_id = event.actor_id


def register() -> None:
    subscribe(SecurityChange, on_security_change)
