"""A record's timeline: quick-add of a note, phone call or task, and completing an activity."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Request, Response

from leadgate.activities import service
from leadgate.activities.queries import timeline
from leadgate.activities.schemas import ActivityAction, ActivityCreate, NoteCreate
from leadgate.core.errors import DomainError, NotFound
from leadgate.security.access import load
from leadgate.security.models import User as UserModel
from leadgate.web.auth import DbSession, FormData, User
from leadgate.web.common import names, redirect
from leadgate.web.forms import FormState, apply_error, validate
from leadgate.web.render import formatter_for, is_htmx, render
from leadgate.web.specs import SPECS

router = APIRouter(include_in_schema=False)
KINDS = ("note", "phone_call", "task")


def _payload(
    kind: str, record_type: str, record_id: uuid.UUID, values: dict[str, str], due: Any
) -> dict[str, Any]:
    if kind == "note":
        return {
            "title": values["subject"] or None,
            "text": values["text"],
            "regarding_type": record_type,
            "regarding_id": record_id,
        }
    data: dict[str, Any] = {
        "type": kind,
        "subject": values["subject"],
        "description": values["text"] or None,
        "regarding_type": record_type,
        "regarding_id": record_id,
    }
    if due is not None:
        data["due_at"] = due
    if kind == "phone_call":
        data["direction"] = "outgoing"
    return data


@router.post("/timeline/{record_type}/{record_id}")
def quick_add(
    request: Request,
    record_type: str,
    record_id: uuid.UUID,
    user: User,
    form: FormData,
    session: DbSession,
) -> Response:
    spec = SPECS.get(record_type)
    if spec is None or record_type == "activity":
        raise NotFound(f"no timeline for {record_type!r}")
    values = {k: str(form.get(k, "")).strip() for k in ("kind", "subject", "text", "due")}
    state = FormState(values=values)
    kind = values["kind"] if values["kind"] in KINDS else "note"
    due = None
    if values["due"]:
        try:
            day = date.fromisoformat(values["due"])
            # Due at the end of that day in the user's own time zone.
            due = datetime.combine(day, time(17, 0), tzinfo=formatter_for(user).zone)
        except ValueError:
            state.errors["due"] = "not a date"
    schema = NoteCreate if kind == "note" else ActivityCreate
    data = (
        None
        if state.errors
        else validate(schema, _payload(kind, record_type, record_id, values, due), state)
    )
    if data is not None and not state.errors:
        try:
            with session.begin():
                if isinstance(data, NoteCreate):
                    service.create_note(session, user.actor, data)
                else:
                    service.create_activity(session, user.actor, data)  # type: ignore[arg-type]
            state = FormState(values={"kind": kind})
            if not is_htmx(request):
                return redirect(request, f"{spec.path}/{record_id}", "Added to the timeline.")
        except DomainError as exc:
            if exc.status not in (409, 412, 422):
                raise
            apply_error(state, exc)
    status = 422 if state.errors or state.message else 200
    with session.begin():
        record = load(session, user.actor, spec.model, record_id)
        refs = [(record_type, record_id)]
        lead_id = getattr(record, "originating_lead_id", None)
        if lead_id is not None:
            refs.append(("lead", lead_id))
        entries = timeline(session, user.actor, refs, limit=50)
        people = names(session, user.actor, UserModel, [e.actor_id for e in entries])
        return render(
            request,
            "partials/timeline.html",
            {
                "spec": spec,
                "record": record,
                "timeline": entries,
                "people": people,
                "quick": state,
                "can_add": True,
                "closed": False,
            },
            status=status,
        )


@router.post("/activities/{activity_id}/complete")
def complete(
    request: Request, activity_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    version = str(form.get("version", ""))
    with session.begin():
        activity = service.transition_activity(
            session,
            user.actor,
            activity_id,
            "complete",
            ActivityAction(),
            int(version) if version.isdigit() else None,
        )
        back = str(form.get("back") or f"/activities/{activity.id}")
    back = back if back.startswith("/") and not back.startswith("//") else "/activities"
    return redirect(request, back, "Activity completed.")
