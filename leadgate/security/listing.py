"""Every list read goes through here: scoped by the permission engine, filtered,
searched, sorted and keyset-paged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute, Session, contains_eager

from leadgate.core.errors import ValidationFailed
from leadgate.db.base import Base
from leadgate.db.paging import Page, fetch_page, parse_sort
from leadgate.security.access import Actor, scoped

M = TypeVar("M", bound=Base)
MAX_QUERY_LENGTH = 200


def text_match(q: str, columns: Sequence[InstrumentedAttribute[Any]]) -> ColumnElement[bool]:
    """Case-insensitive substring match of `q` on any of `columns` (LIKE wildcards escaped)."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))


def list_records(
    session: Session,
    actor: Actor,
    model: type[M],
    *,
    where: Sequence[ColumnElement[bool]] = (),
    q: str | None = None,
    search: Sequence[InstrumentedAttribute[Any]] = (),
    sort: str | None = None,
    sortable: Mapping[str, InstrumentedAttribute[Any]],
    default_sort: str = "-created_at",
    cursor: str | None = None,
    limit: int = 50,
    join: InstrumentedAttribute[Any] | None = None,
) -> Page[M]:
    """`join`: a one-to-one relationship of `model` (outer-joined and loaded from that
    join) whose columns `where` or `sortable` name; the scoping applies to `model`."""
    stmt = scoped(actor, model)
    if join is not None:
        stmt = stmt.outerjoin(join).options(contains_eager(join))
    for clause in where:
        stmt = stmt.where(clause)
    if q:
        if len(q) > MAX_QUERY_LENGTH:
            raise ValidationFailed.on("q", f"at most {MAX_QUERY_LENGTH} characters")
        stmt = stmt.where(text_match(q.strip(), search))
    keys = parse_sort(sort, sortable, default_sort, model.id)  # type: ignore[attr-defined]
    return fetch_page(
        session,
        stmt,
        keys,
        cursor=cursor,
        limit=limit,
        count=cursor is None,
        # Sorted by a joined table's column: choose the page by ids, then load its rows.
        narrow=model.id if join is not None else None,  # type: ignore[attr-defined]
    )
