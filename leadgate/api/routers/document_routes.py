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
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from leadgate.api.deps import ActorDep, SessionDep, SettingsDep
from leadgate.api.routers.document_lines import add_line_routes
from leadgate.api.routers.pdfs import pdf_response
from leadgate.api.routers.record_routes import add_action_route as add_record_action
from leadgate.api.routers.record_routes import (
    add_read_route,
    add_timeline_route,
    add_update_route,
)
from leadgate.catalog.line_book import LineBook
from leadgate.security.access import Actor

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

    add_read_route(router, model, read, "document_id", summary=f"Read a {noun}")
    add_update_route(
        router, model, read, update_schema, update, "document_id", summary=f"Edit a {noun}"
    )

    def document_pdf(
        document_id: uuid.UUID, session: SessionDep, actor: ActorDep, settings: SettingsDep
    ) -> Response:
        with session.begin():
            return pdf_response(session, actor, model, document_id, settings.company_name)

    _name(document_pdf, f"{noun}_pdf")
    add_line_routes(router, book)
    add_timeline_route(router, model, "document_id")
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
    """POST /{document_id}/{verb}: `act(session, actor, id, [body,] version)` → the document."""
    add_record_action(router, verb, read, act, body, id_name="document_id", summary=summary)


def _name(endpoint: Callable[..., Any], name: str) -> None:
    # FastAPI names routes and OpenAPI operation ids after the function.
    endpoint.__name__ = endpoint.__qualname__ = name
