"""Keyset (cursor) pagination that stays fast at a million rows.

A page is "the next `limit` rows after the last row seen", expressed as a
WHERE on the sort keys (never OFFSET), so a deep page costs the same as the
first one when an index matches the filter and sort. `id` always closes the
sort so the order is total. NULLs sort last in both directions.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from leadgate.core.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
COUNT_CAP = 1000


@dataclass(frozen=True)
class SortKey:
    name: str
    column: InstrumentedAttribute[Any]
    descending: bool

    @property
    def nullable(self) -> bool:
        return bool(getattr(self.column.property.columns[0], "nullable", True))

    def order_by(self) -> ColumnElement[Any]:
        expr = self.column.desc() if self.descending else self.column.asc()
        # Plain order on NOT NULL columns so PostgreSQL can walk a plain index.
        return expr.nulls_last() if self.nullable else expr


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    count: int | None = None
    count_is_exact: bool = True


def parse_sort(
    sort: str | None,
    allowed: Mapping[str, InstrumentedAttribute[Any]],
    default: str,
    id_column: InstrumentedAttribute[Any],
) -> list[SortKey]:
    keys: list[SortKey] = []
    for raw in (sort or default).split(","):
        token = raw.strip()
        if not token:
            continue
        desc = token.startswith("-")
        name = token.lstrip("-+")
        if name not in allowed:
            raise ValidationFailed.on(
                "sort", f"cannot sort by {name!r}; allowed: {', '.join(sorted(allowed))}"
            )
        keys.append(SortKey(name, allowed[name], desc))
    if not keys:
        raise ValidationFailed.on("sort", "empty sort")
    if keys[-1].name != "id":
        keys.append(SortKey("id", id_column, keys[-1].descending))
    return keys


def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if isinstance(value, float):
        return {"f": value}
    return str(value)


def _decode_value(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    ((tag, text),) = raw.items()
    converters: dict[str, Any] = {
        "dt": datetime.fromisoformat,
        "d": date.fromisoformat,
        "u": uuid.UUID,
        "n": Decimal,
        "f": float,
    }
    return converters[tag](text)


def encode_cursor(keys: Sequence[SortKey], row: Any) -> str:
    values = [_encode_value(getattr(row, key.column.key)) for key in keys]
    payload = json.dumps({"s": [k.name for k in keys], "v": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if payload["s"] != [k.name for k in keys]:
            raise ValueError("sort changed")
        values = [_decode_value(v) for v in payload["v"]]
    except (ValueError, KeyError, TypeError, InvalidOperation, json.JSONDecodeError) as exc:
        raise ValidationFailed.on("cursor", "invalid or expired cursor for this sort") from exc
    if len(values) != len(keys):
        raise ValidationFailed.on("cursor", "invalid cursor")
    return values


def _after(key: SortKey, value: Any) -> ColumnElement[bool]:
    if value is None:
        return false()  # NULLs come last: nothing sorts strictly after them
    beyond = key.column < value if key.descending else key.column > value
    return or_(beyond, key.column.is_(None)) if key.nullable else beyond


def _equal(key: SortKey, value: Any) -> ColumnElement[bool]:
    return key.column.is_(None) if value is None else key.column == value


def keyset_condition(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    same_direction = len({k.descending for k in keys}) == 1
    if same_direction and not any(k.nullable for k in keys):
        # A row-value comparison lets both databases seek the matching index directly.
        columns = tuple_(*(k.column for k in keys))
        bound = tuple_(*values)
        return columns < bound if keys[0].descending else columns > bound
    clauses = []
    for i, key in enumerate(keys):
        prefix = [_equal(k, v) for k, v in zip(keys[:i], values[:i], strict=True)]
        clauses.append(and_(*prefix, _after(key, values[i])))
    return or_(*clauses)


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.on("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def fetch_page(
    session: Session,
    stmt: Select[T],
    keys: Sequence[SortKey],
    *,
    cursor: str | None,
    limit: int,
    count: bool = False,
    narrow: InstrumentedAttribute[Any] | None = None,
) -> Page[T]:
    """Run one page of `stmt`; with `count`, also count matches up to COUNT_CAP. With
    `narrow` (the id column), the page is chosen by ids first (one statement still)."""
    check_limit(limit)
    total: int | None = None
    exact = True
    if count:
        # Count a constant, not the rows' columns: the index alone can then answer it.
        capped = (
            stmt.with_only_columns(literal(1), maintain_column_froms=True)
            .order_by(None)
            .limit(COUNT_CAP + 1)
            .subquery()
        )
        total = session.execute(select(func.count()).select_from(capped)).scalar_one()
        if total > COUNT_CAP:
            total, exact = COUNT_CAP, False
    paged = stmt.order_by(*(k.order_by() for k in keys)).limit(limit + 1)
    if cursor:
        paged = paged.where(keyset_condition(keys, decode_cursor(cursor, keys)))
    if narrow is not None:
        # Pick the page's ids from narrow rows (index-only where indexes allow), then
        # load only those rows: sorting every candidate's full row (a lead joined to its
        # score row) read thousands of wide rows to show fifty.
        ids = paged.with_only_columns(narrow, maintain_column_froms=True).subquery()
        paged = stmt.where(narrow.in_(select(ids.c[0]))).order_by(*(k.order_by() for k in keys))
    rows = list(session.execute(paged).scalars())
    next_cursor = encode_cursor(keys, rows[limit - 1]) if len(rows) > limit else None
    return Page(rows[:limit], next_cursor, total, exact)
