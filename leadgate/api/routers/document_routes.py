"""Routes every sales document (quote, order, invoice) has in the same shape:
read, edit, its lines, timeline, PDF, and state actions that answer the document.

Each router keeps what differs (its list filters, creates, actions that make
another document); this module registers the rest, so a rule such as "a PATCH
needs If-Match" or "a PDF needs read access" is written once for all three.
No `from __future__ import annotations` here: FastAPI reads the endpoint
annotations at registration, and some of them are the arguments of these factories.
"""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from leadgate.activities.schemas import TimelineEntry
from leadgate.api.deps import ActorDep, IfMatch, IfMatchRequired, SessionDep, SettingsDep
from leadgate.api.responses import record_response, timeline_of
from leadgate.api.routers.document_lines import add_line_routes
from leadgate.api.routers.pdfs import pdf_response
from leadgate.catalog.line_book import LineBook
from leadgate.leads.schemas import EmptyAction
from leadgate.security.access import Actor, load

Update = Callable[[Session, Actor, uuid.UUID, Any, int | None], Any]
Act = Callable[..., Any]


def add_document_routes(
    router: APIRouter,
    book: LineBook[Any, Any],
    read: type[BaseModel],
    update_schema: type[BaseModel],
    update: Update,
) -> None:
    """GET and PATCH /{document_id}, the line routes, /timeline and /pdf."""
    model = book.document_model
    noun = model.RECORD_TYPE

    def get_document(document_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
        with session.begin():
            return record_response(read, load(session, actor, model, document_id))

    def update_document(
        document_id: uuid.UUID,
        data: Any,
        session: SessionDep,
        actor: ActorDep,
        version: IfMatchRequired,
    ) -> JSONResponse:
        with session.begin():
            return record_response(read, update(session, actor, document_id, data, version))

    update_document.__annotations__["data"] = update_schema

    def document_timeline(
        document_id: uuid.UUID,
        session: SessionDep,
        actor: ActorDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[TimelineEntry]:
        with session.begin():
            return timeline_of(session, actor, model, document_id, None, limit)

    def document_pdf(
        document_id: uuid.UUID, session: SessionDep, actor: ActorDep, settings: SettingsDep
    ) -> Response:
        with session.begin():
            return pdf_response(session, actor, model, document_id, settings.company_name)

    _name(get_document, f"get_{noun}")
    _name(update_document, f"update_{noun}")
    _name(document_timeline, f"{noun}_timeline")
    _name(document_pdf, f"{noun}_pdf")
    router.get("/{document_id}", response_model=read, summary=f"Read a {noun}")(get_document)
    router.patch("/{document_id}", response_model=read, summary=f"Edit a {noun}")(update_document)
    add_line_routes(router, book)
    router.get("/{document_id}/timeline", response_model=list[TimelineEntry])(document_timeline)
    router.get("/{document_id}/pdf", response_class=Response, summary=f"The {noun} as PDF")(
        document_pdf
    )


def add_action_route(
    router: APIRouter,
    verb: str,
    read: type[BaseModel],
    act: Act,
    body: type[BaseModel] | None = None,
    *,
    summary: str | None = None,
) -> None:
    """POST /{document_id}/{verb}: `act(session, actor, id, [body,] version)` → the document.

    Without a body schema the action takes an optional empty JSON object, so
    clients may send `{}` or nothing; extra fields are refused with 422.
    """
    if body is None:

        def action(
            document_id: uuid.UUID,
            session: SessionDep,
            actor: ActorDep,
            version: IfMatch,
            _data: EmptyAction | None = None,
        ) -> JSONResponse:
            with session.begin():
                return record_response(read, act(session, actor, document_id, version))

    else:

        def action(  # type: ignore[misc]  # the same endpoint with a request body
            document_id: uuid.UUID,
            data: Any,
            session: SessionDep,
            actor: ActorDep,
            version: IfMatch,
        ) -> JSONResponse:
            with session.begin():
                return record_response(read, act(session, actor, document_id, data, version))

        action.__annotations__["data"] = body

    _name(action, verb.replace("-", "_"))
    router.post(f"/{{document_id}}/{verb}", response_model=read, summary=summary)(action)


def _name(endpoint: Callable[..., Any], name: str) -> None:
    # FastAPI names routes and OpenAPI operation ids after the function.
    endpoint.__name__ = endpoint.__qualname__ = name
