"""Routes every editable record has in the same shape: read, edit, delete, its
timeline, and lifecycle actions that answer the record.

Routers keep what differs (list filters, creates, previews); this module registers
the rest, so rules such as "a PATCH or DELETE needs If-Match", "an edit that makes
a duplicate is refused unless the client says ignore_duplicates" or "the timeline
needs read access" are written once for accounts, contacts, leads, opportunities,
activities and the sales documents. The path parameter keeps each record's own
name (`lead_id`, `account_id`, …) through an alias, so the OpenAPI document reads
as if each route were written by hand.
No `from __future__ import annotations` here: FastAPI reads the endpoint
annotations at registration, and some of them are the arguments of these factories.
"""

import uuid
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from leadgate.activities.schemas import TimelineEntry
from leadgate.api.deps import ActorDep, IfMatch, IfMatchRequired, SessionDep
from leadgate.api.duplicates import IgnoreDuplicates, refuse_duplicates
from leadgate.api.responses import record_response, timeline_of
from leadgate.leads.schemas import EmptyAction
from leadgate.security.access import Actor, load

Update = Callable[[Session, Actor, uuid.UUID, Any, int | None], Any]
Delete = Callable[[Session, Actor, uuid.UUID, int | None], Any]
Act = Callable[..., Any]
# Other records whose notes and activities belong on a record's timeline.
Related = Callable[[Any], Sequence[tuple[str, uuid.UUID]]]


def _tags(tags: Sequence[str] | None) -> list[str | Enum] | None:
    return [*tags] if tags else None


def add_read_route(
    router: APIRouter,
    model: type[Any],
    read: type[BaseModel],
    id_name: str,
    path: str = "",
    tags: Sequence[str] | None = None,
    summary: str | None = None,
) -> None:
    """GET {path}/{id}: the record, if the actor may read it (404 otherwise)."""

    def get_record(record_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
        with session.begin():
            return record_response(read, load(session, actor, model, record_id))

    _named(get_record, f"get_{model.RECORD_TYPE}", id_name)
    router.get(f"{path}/{{{id_name}}}", response_model=read, summary=summary, tags=_tags(tags))(
        get_record
    )


def add_update_route(
    router: APIRouter,
    model: type[Any],
    read: type[BaseModel],
    update_schema: type[BaseModel],
    update: Update,
    id_name: str,
    *,
    path: str = "",
    tags: Sequence[str] | None = None,
    duplicates: bool = False,
    summary: str | None = None,
) -> None:
    """PATCH {path}/{id} with If-Match; with `duplicates`, an edit that makes the record
    a duplicate of another is refused (409) unless the client says ignore_duplicates."""
    if duplicates:

        def update_record(
            record_id: uuid.UUID,
            data: Any,
            session: SessionDep,
            actor: ActorDep,
            version: IfMatchRequired,
            ignore: IgnoreDuplicates,
        ) -> JSONResponse:
            with session.begin():
                record = update(session, actor, record_id, data, version)
                refuse_duplicates(session, actor, record, ignore, changed=data.changes())
                return record_response(read, record)

    else:

        def update_record(  # type: ignore[misc]  # the same endpoint without the duplicate check
            record_id: uuid.UUID,
            data: Any,
            session: SessionDep,
            actor: ActorDep,
            version: IfMatchRequired,
        ) -> JSONResponse:
            with session.begin():
                return record_response(read, update(session, actor, record_id, data, version))

    update_record.__annotations__["data"] = update_schema
    _named(update_record, f"update_{model.RECORD_TYPE}", id_name)
    router.patch(f"{path}/{{{id_name}}}", response_model=read, summary=summary, tags=_tags(tags))(
        update_record
    )


def add_delete_route(
    router: APIRouter,
    model: type[Any],
    delete: Delete,
    id_name: str,
    path: str = "",
    tags: Sequence[str] | None = None,
) -> None:
    """DELETE {path}/{id} with If-Match: 204."""

    def delete_record(
        record_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatchRequired
    ) -> Response:
        with session.begin():
            delete(session, actor, record_id, version)
        return Response(status_code=204)

    _named(delete_record, f"delete_{model.RECORD_TYPE}", id_name)
    router.delete(f"{path}/{{{id_name}}}", status_code=204, tags=_tags(tags))(delete_record)


def add_timeline_route(
    router: APIRouter,
    model: type[Any],
    id_name: str,
    related: Related | None = None,
    path: str = "",
) -> None:
    """GET {path}/{id}/timeline: the record's audit events, notes and activities."""

    def record_timeline(
        record_id: uuid.UUID,
        session: SessionDep,
        actor: ActorDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[TimelineEntry]:
        with session.begin():
            return timeline_of(session, actor, model, record_id, related, limit)

    _named(record_timeline, f"{model.RECORD_TYPE}_timeline", id_name)
    router.get(f"{path}/{{{id_name}}}/timeline", response_model=list[TimelineEntry])(
        record_timeline
    )


def add_record_routes(
    router: APIRouter,
    model: type[Any],
    read: type[BaseModel],
    update_schema: type[BaseModel],
    update: Update,
    delete: Delete,
    *,
    duplicates: bool = False,
    related: Related | None = None,
) -> None:
    """GET, PATCH and DELETE /{<record>_id} and its /timeline."""
    id_name = f"{model.RECORD_TYPE}_id"
    add_read_route(router, model, read, id_name)
    add_update_route(router, model, read, update_schema, update, id_name, duplicates=duplicates)
    add_delete_route(router, model, delete, id_name)
    add_timeline_route(router, model, id_name, related)


def add_action_route(
    router: APIRouter,
    verb: str,
    read: type[BaseModel],
    act: Act,
    body: type[BaseModel] | None = None,
    *,
    id_name: str,
    summary: str | None = None,
) -> None:
    """POST /{id}/{verb}: `act(session, actor, id, [body,] version)` → the record.

    Without a body schema the action takes an optional empty JSON object, so
    clients may send `{}` or nothing; extra fields are refused with 422.
    """
    if body is None:

        def action(
            record_id: uuid.UUID,
            session: SessionDep,
            actor: ActorDep,
            version: IfMatch,
            _data: EmptyAction | None = None,
        ) -> JSONResponse:
            with session.begin():
                return record_response(read, act(session, actor, record_id, version))

    else:

        def action(  # type: ignore[misc]  # the same endpoint with a request body
            record_id: uuid.UUID,
            data: Any,
            session: SessionDep,
            actor: ActorDep,
            version: IfMatch,
        ) -> JSONResponse:
            with session.begin():
                return record_response(read, act(session, actor, record_id, data, version))

        action.__annotations__["data"] = body

    _named(action, verb.replace("-", "_"), id_name)
    router.post(f"/{{{id_name}}}/{verb}", response_model=read, summary=summary)(action)


def _named(endpoint: Callable[..., Any], name: str, id_name: str) -> None:
    # FastAPI names routes and OpenAPI operation ids after the function, and reads the
    # path parameter's name from its annotation: each record keeps its own (`lead_id`).
    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__annotations__["record_id"] = Annotated[uuid.UUID, Path(alias=id_name)]
