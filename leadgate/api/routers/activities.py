"""/api/v1/activities and /api/v1/notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from leadgate.activities import queries, service
from leadgate.activities.models import Activity, Note
from leadgate.activities.schemas import (
    ActivityAction,
    ActivityCreate,
    ActivityRead,
    ActivityUpdate,
    NoteCreate,
    NoteRead,
    NoteUpdate,
)
from leadgate.activities.states import ActivityState
from leadgate.api.deps import ActorDep, IfMatch, ListDep, SessionDep
from leadgate.api.responses import PageOut, list_response, record_response
from leadgate.api.routers.record_routes import (
    add_delete_route,
    add_read_route,
    add_update_route,
)

router = APIRouter(tags=["activities"])


@router.get("/activities", response_model=PageOut[ActivityRead], summary="List activities")
def list_activities(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    type: Annotated[str | None, Query(max_length=40)] = None,
    state: ActivityState | None = None,
    owner_id: uuid.UUID | None = None,
    regarding_type: Annotated[str | None, Query(max_length=40)] = None,
    regarding_id: uuid.UUID | None = None,
    due_before: datetime | None = None,
) -> dict[str, Any]:
    filters = {
        "type": type,
        "state": state,
        "owner_id": owner_id,
        "regarding_type": regarding_type,
        "regarding_id": regarding_id,
        "due_before": due_before,
    }
    return list_response(
        ActivityRead, session, params, queries.list_activities, actor, filters=filters
    )


@router.post("/activities", status_code=201, response_model=ActivityRead)
def create_activity(data: ActivityCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        activity = service.create_activity(session, actor, data)
        return record_response(ActivityRead, activity, 201, f"/api/v1/activities/{activity.id}")


ACTIVITY = "activity_id"
add_read_route(router, Activity, ActivityRead, ACTIVITY, "/activities")
add_update_route(
    router,
    Activity,
    ActivityRead,
    ActivityUpdate,
    service.update_activity,
    ACTIVITY,
    path="/activities",
)
add_delete_route(router, Activity, service.delete_activity, ACTIVITY, "/activities")


@router.post("/activities/{activity_id}/complete", response_model=ActivityRead)
def complete_activity(
    activity_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    data: ActivityAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(
            ActivityRead,
            service.transition_activity(
                session, actor, activity_id, "complete", data or ActivityAction(), version
            ),
        )


@router.post("/activities/{activity_id}/cancel", response_model=ActivityRead)
def cancel_activity(
    activity_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    data: ActivityAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(
            ActivityRead,
            service.transition_activity(
                session, actor, activity_id, "cancel", data or ActivityAction(), version
            ),
        )


@router.get("/notes", response_model=PageOut[NoteRead], summary="List notes", tags=["notes"])
def list_notes(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    owner_id: uuid.UUID | None = None,
    regarding_type: Annotated[str | None, Query(max_length=40)] = None,
    regarding_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    filters = {"owner_id": owner_id, "regarding_type": regarding_type, "regarding_id": regarding_id}
    return list_response(NoteRead, session, params, queries.list_notes, actor, filters=filters)


@router.post("/notes", status_code=201, response_model=NoteRead, tags=["notes"])
def create_note(data: NoteCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        note = service.create_note(session, actor, data)
        return record_response(NoteRead, note, 201, f"/api/v1/notes/{note.id}")


NOTE, NOTES = "note_id", ["notes"]
add_read_route(router, Note, NoteRead, NOTE, "/notes", NOTES)
add_update_route(
    router, Note, NoteRead, NoteUpdate, service.update_note, NOTE, path="/notes", tags=NOTES
)
add_delete_route(router, Note, service.delete_note, NOTE, "/notes", NOTES)
