"""Reads: activity and note lists, and a record's timeline."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from leadgate.activities.models import Activity, Note
from leadgate.activities.schemas import TimelineEntry
from leadgate.activities.states import OPEN_STATES
from leadgate.audit.models import AuditEvent
from leadgate.db.paging import Page
from leadgate.security.access import Actor, scoped
from leadgate.security.listing import list_records

ACTIVITY_SORTS = {
    "created_at": Activity.created_at,
    "due_at": Activity.due_at,
    "starts_at": Activity.starts_at,
    "subject": Activity.subject,
}
NOTE_SORTS = {"created_at": Note.created_at}

Ref = tuple[str, uuid.UUID]


def list_activities(
    session: Session,
    actor: Actor,
    *,
    filters: dict[str, Any],
    q: str | None,
    sort: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Activity]:
    where: list[ColumnElement[bool]] = []
    for name in ("type", "state", "owner_id", "regarding_type", "regarding_id", "priority"):
        if filters.get(name) is not None:
            where.append(getattr(Activity, name) == filters[name])
    if filters.get("due_before") is not None:
        where.append(Activity.due_at < filters["due_before"])
    return list_records(
        session,
        actor,
        Activity,
        where=where,
        q=q,
        search=[Activity.subject, Activity.description],
        sort=sort,
        sortable=ACTIVITY_SORTS,
        cursor=cursor,
        limit=limit,
    )


def list_notes(
    session: Session,
    actor: Actor,
    *,
    filters: dict[str, Any],
    q: str | None,
    sort: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Note]:
    where = [
        getattr(Note, n) == filters[n]
        for n in ("owner_id", "regarding_type", "regarding_id")
        if filters.get(n) is not None
    ]
    return list_records(
        session,
        actor,
        Note,
        where=where,
        q=q,
        search=[Note.title, Note.text],
        sort=sort,
        sortable=NOTE_SORTS,
        cursor=cursor,
        limit=limit,
    )


def _regarding(model: type[Activity] | type[Note], refs: Sequence[Ref]) -> ColumnElement[bool]:
    return or_(*(and_(model.regarding_type == t, model.regarding_id == i) for t, i in refs))


def timeline(
    session: Session,
    actor: Actor,
    refs: Sequence[Ref],
    *,
    before: datetime | None = None,
    limit: int = 100,
) -> list[TimelineEntry]:
    """Activities, notes and audit events of the records in `refs`, newest first.

    The caller has checked that the actor may read the first record; `refs`
    may add related records whose history belongs on this timeline (a
    qualified lead's notes on its opportunity).
    """
    activities = scoped(actor, Activity).where(_regarding(Activity, refs))
    notes = scoped(actor, Note).where(_regarding(Note, refs))
    audit = select(AuditEvent).where(
        or_(*(and_(AuditEvent.record_type == t, AuditEvent.record_id == i) for t, i in refs))
    )
    if before is not None:
        activities = activities.where(Activity.created_at < before)
        notes = notes.where(Note.created_at < before)
        audit = audit.where(AuditEvent.occurred_at < before)
    entries: list[TimelineEntry] = []
    for a in session.scalars(activities.order_by(Activity.created_at.desc()).limit(limit)):
        entries.append(
            TimelineEntry(
                kind="activity",
                id=a.id,
                at=a.created_at,
                title=f"{a.type}: {a.subject}",
                detail=a.description,
                record_type=a.regarding_type or "",
                record_id=a.regarding_id or a.id,
                actor_id=a.created_by_id,
                state=a.state,
            )
        )
    for n in session.scalars(notes.order_by(Note.created_at.desc()).limit(limit)):
        entries.append(
            TimelineEntry(
                kind="note",
                id=n.id,
                at=n.created_at,
                title=n.title or "Note",
                detail=n.text,
                record_type=n.regarding_type,
                record_id=n.regarding_id,
                actor_id=n.created_by_id,
            )
        )
    for e in session.scalars(audit.order_by(AuditEvent.occurred_at.desc()).limit(limit)):
        entries.append(
            TimelineEntry(
                kind="audit",
                id=e.id,
                at=e.occurred_at,
                title=e.action,
                detail=e.summary or None,
                record_type=e.record_type,
                record_id=e.record_id,
                actor_id=e.actor_id,
                changes=e.changes,
            )
        )
    entries.sort(key=lambda entry: (entry.at, entry.id), reverse=True)
    return entries[:limit]


def due_for(
    session: Session,
    actor: Actor,
    owner_id: uuid.UUID,
    *,
    start: datetime,
    end: datetime,
    limit: int = 20,
) -> tuple[list[Activity], list[Activity]]:
    """`owner_id`'s open activities overdue (due before `start`) and due in [start, end)."""
    open_states = [s.value for s in OPEN_STATES]
    base = scoped(actor, Activity).where(
        Activity.owner_id == owner_id, Activity.state.in_(open_states)
    )
    overdue = base.where(Activity.due_at < start).order_by(Activity.due_at).limit(limit)
    today = (
        base.where(Activity.due_at >= start, Activity.due_at < end)
        .order_by(Activity.due_at)
        .limit(limit)
    )
    return list(session.scalars(overdue)), list(session.scalars(today))
