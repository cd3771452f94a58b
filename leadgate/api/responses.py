"""Response helpers: records with their ETag, pages, timelines."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from leadgate.activities.queries import Ref, timeline
from leadgate.activities.schemas import TimelineEntry
from leadgate.api.deps import ListParams, etag
from leadgate.db.base import Base
from leadgate.db.paging import Page
from leadgate.security.access import Actor, load

T = TypeVar("T")
M = TypeVar("M", bound=Base)


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    count: int | None = None
    count_is_exact: bool = True


def record_response(
    schema: type[BaseModel], record: Any, status: int = 200, location: str | None = None
) -> JSONResponse:
    body = schema.model_validate(record).model_dump(mode="json")
    headers = {"ETag": etag(record.version)} if getattr(record, "version", None) else {}
    if location:
        headers["Location"] = location
    return JSONResponse(body, status_code=status, headers=headers)


def page_response(schema: type[BaseModel], page: Page[Any]) -> dict[str, Any]:
    return {
        "items": [schema.model_validate(item).model_dump(mode="json") for item in page.items],
        "next_cursor": page.next_cursor,
        "count": page.count,
        "count_is_exact": page.count_is_exact,
    }


def list_response(
    schema: type[BaseModel],
    session: Session,
    params: ListParams,
    fetch: Callable[..., Page[Any]],
    *args: Any,
    **kwargs: Any,
) -> dict[str, Any]:
    """A list endpoint's page, read in its own transaction:
    `fetch(session, *args, q=…, sort=…, cursor=…, limit=…, **kwargs)` as `schema` items."""
    with session.begin():
        page = fetch(
            session,
            *args,
            q=params.q,
            sort=params.sort,
            cursor=params.cursor,
            limit=params.limit,
            **kwargs,
        )
        return page_response(schema, page)


def timeline_of(
    session: Session,
    actor: Actor,
    model: type[M],
    record_id: uuid.UUID,
    related: Callable[[M], Sequence[Ref]] | None = None,
    limit: int = 100,
) -> list[TimelineEntry]:
    """The timeline of a record the actor may read (404 otherwise)."""
    record = load(session, actor, model, record_id)
    refs: list[Ref] = [(model.RECORD_TYPE, record_id)]
    if related is not None:
        refs.extend(related(record))
    return timeline(session, actor, refs, limit=limit)
