"""Line endpoints shared by opportunities, quotes, orders and invoices:
GET/POST …/{id}/lines, PATCH/DELETE …/{id}/lines/{line_id}. Each change answers with
the document's new ETag (a line change is a change of its document)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from leadgate.api.deps import ActorDep, IfMatch, SessionDep, etag
from leadgate.catalog.line_book import LineBook
from leadgate.catalog.line_schemas import LineCreate, LineRead, LineUpdate
from leadgate.security.access import load


def _document_etag(session: Session, book: LineBook[Any, Any], document_id: uuid.UUID) -> str:
    document = session.get(book.document_model, document_id)
    return etag(document.version if document is not None else 0)


def _line_response(line: Any, document_etag: str, status: int = 200) -> JSONResponse:
    body = LineRead.model_validate(line).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers={"ETag": document_etag})


def add_line_routes(router: APIRouter, book: LineBook[Any, Any]) -> None:
    """Register the line endpoints of `book` under `/{document_id}/lines`."""
    noun = book.document_model.RECORD_TYPE

    @router.get("/{document_id}/lines", response_model=list[LineRead], summary=f"Lines of a {noun}")
    def list_lines(document_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> list[LineRead]:
        with session.begin():
            load(session, actor, book.document_model, document_id)
            return [LineRead.model_validate(line) for line in book.lines(session, document_id)]

    @router.post("/{document_id}/lines", status_code=201, response_model=LineRead,
                 summary=f"Add a line to a {noun}")  # fmt: skip
    def add_line(
        document_id: uuid.UUID, data: LineCreate, session: SessionDep, actor: ActorDep,
        version: IfMatch,
    ) -> JSONResponse:  # fmt: skip
        with session.begin():
            line = book.add(session, actor, document_id, data.request(), version)
            return _line_response(line, _document_etag(session, book, document_id), 201)

    @router.patch("/{document_id}/lines/{line_id}", response_model=LineRead,
                  summary=f"Change a line of a {noun}")  # fmt: skip
    def change_line(
        document_id: uuid.UUID, line_id: uuid.UUID, data: LineUpdate, session: SessionDep,
        actor: ActorDep, version: IfMatch,
    ) -> JSONResponse:  # fmt: skip
        with session.begin():
            line = book.change(session, actor, document_id, line_id, data.change(), version)
            return _line_response(line, _document_etag(session, book, document_id))

    @router.delete("/{document_id}/lines/{line_id}", status_code=204,
                   summary=f"Remove a line from a {noun}")  # fmt: skip
    def remove_line(
        document_id: uuid.UUID, line_id: uuid.UUID, session: SessionDep, actor: ActorDep,
        version: IfMatch,
    ) -> Response:  # fmt: skip
        with session.begin():
            book.remove(session, actor, document_id, line_id, version)
            headers = {"ETag": _document_etag(session, book, document_id)}
            return Response(status_code=204, headers=headers)
