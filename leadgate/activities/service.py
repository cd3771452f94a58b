"""Use cases of activities and notes. Each takes a Session and the actor, flushes, never commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from leadgate.activities.models import Activity, ActivityParty, Note
from leadgate.activities.schemas import (
    ActivityAction,
    ActivityCreate,
    ActivityUpdate,
    NoteCreate,
    NoteUpdate,
)
from leadgate.activities.states import OPEN_STATES, STATUSES, ActivityState, check_transition
from leadgate.audit.editing import check_owner, update_record
from leadgate.audit.recording import (
    add_record,
    check_version,
    record_transition,
    remove_record,
)
from leadgate.core.clock import utcnow
from leadgate.core.errors import NotFound, ReadOnlyRecord, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.db.base import Base
from leadgate.db.records import model_for
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op

# Records an activity or note may be "regarding" (later domains add theirs by RECORD_TYPE).
_NOT_REGARDABLE = frozenset({"activity", "note", "user", "audit_event", "opportunity_close"})


def check_regarding(
    session: Session,
    actor: Actor,
    record_type: str,
    record_id: uuid.UUID,
    field: str = "regarding_id",
) -> Base:
    """The regarded record must exist and be visible to the actor."""
    model = model_for(record_type)
    if model is None or record_type in _NOT_REGARDABLE:
        raise ValidationFailed.on("regarding_type", f"cannot attach to {record_type!r}")
    try:
        return load(session, actor, model, record_id)
    except Exception as exc:
        raise ValidationFailed.on(field, f"{record_type} {record_id} not found") from exc


def create_activity(session: Session, actor: Actor, data: ActivityCreate) -> Activity:
    if data.regarding_type and data.regarding_id:
        check_regarding(session, actor, data.regarding_type, data.regarding_id)
    for i, party in enumerate(data.participants):
        model = model_for(party.party_type)
        try:
            if model is None:
                raise NotFound(party.party_type)
            # Through security: a participant the actor may not see answers like a missing one.
            load(session, actor, model, party.party_id)
        except NotFound as exc:
            raise ValidationFailed.on(
                f"participants[{i}].party_id", f"{party.party_type} not found"
            ) from exc
    owner_id = data.owner_id or actor.user_id
    check_owner(session, actor, Activity.RECORD_TYPE, owner_id)
    state = ActivityState.SCHEDULED if data.type == "appointment" else ActivityState.OPEN
    values = data.model_dump(exclude={"participants", "owner_id"})
    activity = Activity(
        id=new_id(), owner_id=owner_id, state=state.value, status=state.value, **values
    )
    activity.participants = [
        ActivityParty(id=new_id(), role=p.role, party_type=p.party_type, party_id=p.party_id)
        for p in data.participants
    ]
    add_record(session, actor, activity)
    return activity


def _guard_open(activity: Activity) -> None:
    if ActivityState(activity.state) not in OPEN_STATES:
        raise ReadOnlyRecord(f"a {activity.state} activity is read-only")


def _check_timing(activity: Activity, values: dict[str, Any]) -> None:
    starts = values.get("starts_at", activity.starts_at)
    ends = values.get("ends_at", activity.ends_at)
    if starts and ends and ends < starts:
        raise ValidationFailed.on("ends_at", "must not be before starts_at")


def update_activity(
    session: Session,
    actor: Actor,
    activity_id: uuid.UUID,
    data: ActivityUpdate,
    expected_version: int | None,
) -> Activity:
    return update_record(
        session,
        actor,
        Activity,
        activity_id,
        data.changes(),
        expected_version=expected_version,
        required=("subject", "priority"),
        guard=_guard_open,
        derive=_check_timing,
    )


def transition_activity(
    session: Session,
    actor: Actor,
    activity_id: uuid.UUID,
    name: str,
    data: ActivityAction,
    expected_version: int | None = None,
) -> Activity:
    activity = load(session, actor, Activity, activity_id, Op.WRITE)
    transition = check_transition(name, ActivityState(activity.state))
    status = data.status or transition.target.value
    if status not in STATUSES[transition.target]:
        raise ValidationFailed.on("status", f"one of {', '.join(STATUSES[transition.target])}")
    check_version(activity, expected_version)
    before: dict[str, Any] = {
        "state": activity.state,
        "status": activity.status,
        "duration_minutes": activity.duration_minutes,
    }
    activity.state = transition.target.value
    activity.status = status
    if transition.target is ActivityState.COMPLETED:
        activity.completed_at = utcnow()
    if data.duration_minutes is not None:
        activity.duration_minutes = data.duration_minutes
    record_transition(session, actor, activity, name, before)
    return activity


def delete_activity(
    session: Session, actor: Actor, activity_id: uuid.UUID, expected_version: int | None
) -> None:
    activity = load(session, actor, Activity, activity_id, Op.DELETE)
    remove_record(session, actor, activity, expected_version=expected_version)


def create_note(session: Session, actor: Actor, data: NoteCreate) -> Note:
    check_regarding(session, actor, data.regarding_type, data.regarding_id)
    owner_id = data.owner_id or actor.user_id
    check_owner(session, actor, Note.RECORD_TYPE, owner_id)
    note = Note(id=new_id(), owner_id=owner_id, **data.model_dump(exclude={"owner_id"}))
    add_record(session, actor, note)
    return note


def update_note(
    session: Session,
    actor: Actor,
    note_id: uuid.UUID,
    data: NoteUpdate,
    expected_version: int | None,
) -> Note:
    return update_record(
        session,
        actor,
        Note,
        note_id,
        data.changes(),
        expected_version=expected_version,
        required=("text",),
    )


def delete_note(
    session: Session, actor: Actor, note_id: uuid.UUID, expected_version: int | None
) -> None:
    note = load(session, actor, Note, note_id, Op.DELETE)
    remove_record(session, actor, note, expected_version=expected_version)
