"""Export a list view (its filters, its text search, the user's permissions) to CSV or XLSX.

Rows stream from the database (a Core select of the exported columns only, a
server-side cursor on PostgreSQL) and are written as they come, a chunk of rows
per `csv.writer.writerows` call. Each value is formatted by a per-type table
(one dict lookup, no isinstance chain): the export of a million rows spends its
time in the driver, not in formatting. Text cells that a spreadsheet would run
as a formula (starting with = + - @, a tab or a carriage return) get a leading
apostrophe.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Boolean, String, case, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from leadgate.core.errors import ValidationFailed
from leadgate.imports.targets import target_for
from leadgate.security.access import Actor, visible
from leadgate.security.listing import MAX_QUERY_LENGTH, text_match

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LEAD_EXTRA = ("state", "status")
_SEARCH = {
    "lead": ("topic", "first_name", "last_name", "company_name", "email"),
    "contact": ("first_name", "last_name", "email"),
    "account": ("name", "account_number", "email"),
}
CHUNK = 2000


def neutralise(value: Any) -> Any:
    """The cell value safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def columns_for(record_type: str) -> list[str]:
    target = target_for(record_type)
    names = [f for f in target.create_schema.model_fields if f in target.fields]
    extra = list(_LEAD_EXTRA) if record_type == "lead" else []
    return ["id", *names, *extra, "created_at"]


def export_rows(
    session: Session,
    actor: Actor,
    record_type: str,
    filters: Mapping[str, Any] | None = None,
    q: str | None = None,
) -> Iterator[Sequence[Any]]:
    """The header row, then one row per record the actor may read, oldest first."""
    target = target_for(record_type)
    model = target.model
    columns = columns_for(record_type)
    # PostgreSQL neutralises text in its own process, in parallel with ours; SQLite runs
    # in ours, where the check is cheaper inline in Python than as SQL expressions.
    in_db = session.get_bind().dialect.name != "sqlite"
    stmt = select(*(_exported(getattr(model, c), in_db) for c in columns)).where(
        visible(actor, model), model.deleted_at.is_(None)
    )
    for name, value in (filters or {}).items():
        if value is None:
            continue
        if name not in columns or name == "id":
            raise ValidationFailed.on(f"filter.{name}", f"cannot filter {record_type} on {name}")
        stmt = stmt.where(getattr(model, name) == value)
    if q:
        if len(q) > MAX_QUERY_LENGTH:
            raise ValidationFailed.on("q", f"at most {MAX_QUERY_LENGTH} characters")
        stmt = stmt.where(text_match(q, [getattr(model, c) for c in _SEARCH[record_type]]))
    stmt = stmt.order_by(model.created_at, model.id).execution_options(yield_per=CHUNK)
    texts = [] if in_db else [i for i, c in enumerate(columns) if _is_text(getattr(model, c))]
    yield Header(columns, [_FORMATS.get(_python_type(getattr(model, c))) for c in columns], texts)
    yield from session.connection().execute(stmt)  # Core rows: no ORM loading step


class Header(list[str]):
    """The header row of a typed export: which columns still need formatting in Python
    (booleans, and text unless listed in `texts`, come out of the database ready)."""

    def __init__(
        self,
        names: Sequence[str],
        formats: Sequence[Callable[[Any], Any] | None],
        texts: Sequence[int] = (),
    ) -> None:
        super().__init__(names)
        self.formats = [(i, f) for i, f in enumerate(formats) if f is not None]
        self.texts = list(texts)


def _is_text(column: Any) -> bool:
    return isinstance(column.type, String) and not isinstance(column.type, Boolean)


def _python_type(column: Any) -> type:
    kind = column.type
    if isinstance(kind, String | Boolean):
        return str  # formatted by the database (see _exported)
    try:
        return kind.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return object


def _exported(column: Any, in_db: bool) -> Any:
    """The column as written: booleans spelled out by the database, and text neutralised
    by it when `in_db` (a CASE per value in C is far cheaper than a Python call per cell)."""
    kind = column.type
    if isinstance(kind, Boolean):
        return case((column.is_(True), "true"), (column.is_(False), "false")).label(column.key)
    if isinstance(kind, String):
        text = type_coerce(column, String)  # plain text: no enum conversion on the way out
        if not in_db:
            return text.label(column.key)
        return case(
            (func.substr(text, 1, 1).in_(_FORMULA_START), literal("'", String) + text),
            else_=text,
        ).label(column.key)
    return column


def _str(value: str) -> str:
    return "'" + value if value[:1] in _FORMULA_SET else value


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _iso(value: date) -> str:
    return value.isoformat()


def _same(value: Any) -> Any:
    return value  # csv.writer writes None as "" and ints, floats, UUIDs as str() would


def _bool(value: bool) -> str:
    return "true" if value else "false"


_FORMULA_SET = frozenset(_FORMULA_START)
# Per Python type of a column of a typed export (text and booleans come ready).
_FORMATS: dict[type, Callable[[Any], Any]] = {Decimal: _decimal, datetime: _iso, date: _iso}
# Per class of a value of any other rows.
_GENERIC: dict[type, Callable[[Any], Any]] = {
    **_FORMATS,
    str: _str,
    bool: _bool,
    type(None): _same,
    int: _same,
    float: _same,
    uuid.UUID: _same,
}


def _text(value: Any) -> Any:
    fmt = _GENERIC.get(value.__class__)
    return fmt(value) if fmt is not None else neutralise(str(value))


def _formatted(rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Rows ready for csv.writer. After a typed `Header` only its few Python-formatted
    columns are touched; any other rows go value by value."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        return
    yield header
    if isinstance(header, Header):
        formats, texts, danger = header.formats, header.texts, _FORMULA_SET
        for row in rows:
            out = list(row)
            for i in texts:
                text = out[i]
                if text and text[0] in danger:
                    out[i] = "'" + text
            for i, fmt in formats:
                value = out[i]
                if value is not None:
                    out[i] = fmt(value)
            yield out
        return
    generic = _GENERIC
    for row in rows:
        yield [generic.get(v.__class__, _text)(v) for v in row]


def csv_chunks(rows: Iterator[Sequence[Any]], every: int = CHUNK) -> Iterator[str]:
    """CSV text in pieces of `every` rows (for streaming responses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    formatted = _formatted(rows)
    while chunk := list(islice(formatted, every)):
        writer.writerows(chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def write_csv(rows: Iterator[Sequence[Any]], out: TextIO) -> int:
    """Write the header and rows; the number of rows after the header."""
    writer = csv.writer(out)
    formatted = _formatted(rows)
    count = -1
    while chunk := list(islice(formatted, CHUNK)):
        writer.writerows(chunk)
        count += len(chunk)
    return max(count, 0)


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        return value
    return neutralise(str(value))


def write_xlsx(rows: Iterator[Sequence[Any]], path: Path) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("export")
    count = -1
    for row in rows:
        sheet.append([_cell(v) for v in row])
        count += 1
    book.save(path)
    return max(count, 0)
