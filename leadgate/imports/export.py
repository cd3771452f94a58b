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

from sqlalchemy import (
    Boolean,
    Date,
    Numeric,
    String,
    Uuid,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from leadgate.core.clock import as_utc
from leadgate.core.errors import ValidationFailed
from leadgate.db.types import UTCDateTime
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
    # PostgreSQL formats in its own process, in parallel with ours; SQLite runs in ours,
    # where plain text and a little Python beat SQL expressions and type conversions.
    dialect = session.get_bind().dialect.name
    specs = [_column(getattr(model, c), dialect) for c in columns]
    stmt = select(*(spec[0] for spec in specs)).where(
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
    texts = [i for i, spec in enumerate(specs) if spec[2]]
    yield Header(columns, [spec[1] for spec in specs], texts)
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


def _column(column: Any, dialect: str) -> tuple[Any, Callable[[Any], Any] | None, bool]:
    """How a column is exported: the selected expression, the Python formatting left to
    do (None: none), and whether Python still neutralises it as text.

    Booleans are spelled out by the database; text is neutralised by PostgreSQL, or on
    SQLite inline by the writer (cheaper there than SQL in the same process). Ids,
    dates, times (and on PostgreSQL amounts) are read as text and at most reshaped,
    instead of being parsed into objects and printed again.
    """
    kind = column.type
    name = column.key
    sqlite = dialect == "sqlite"
    if dialect == "postgresql":
        if isinstance(kind, UTCDateTime):
            utc = func.timezone("UTC", column)
            return func.to_char(utc, _PG_TIME).label(name), _stored_utc, False
        if isinstance(kind, Uuid | Date):
            return cast(column, String).label(name), None, False
        if isinstance(kind, Numeric):
            return cast(column, String).label(name), _numeric_text, False
    if isinstance(kind, Boolean):
        return (
            case((column.is_(True), "true"), (column.is_(False), "false")).label(name),
            None,
            False,
        )
    if isinstance(kind, String):
        text = type_coerce(column, String)  # plain text: no enum conversion on the way out
        if sqlite:
            return text.label(name), None, True
        neutralised = case(
            (func.substr(text, 1, 1).in_(_FORMULA_START), literal("'", String) + text),
            else_=text,
        )
        return neutralised.label(name), None, False
    if sqlite and isinstance(kind, Uuid):
        return type_coerce(column, String).label(name), _hex_uuid, False
    if sqlite and isinstance(kind, UTCDateTime):
        return type_coerce(column, String).label(name), _stored_utc, False
    if sqlite and isinstance(kind, Date):
        return type_coerce(column, String).label(name), None, False  # stored as YYYY-MM-DD
    try:
        python_type = kind.python_type
    except NotImplementedError:
        python_type = object
    return column, _FORMATS.get(python_type), False


def _hex_uuid(value: str) -> str:
    """SQLite's 32 hex digits as the usual 8-4-4-4-12 form."""
    if len(value) != 32:
        return str(uuid.UUID(value))
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


_PG_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.US'


def _stored_utc(value: str) -> str:
    """A UTC time read as text ("2025-01-01 09:30:00.000000", or "…T…" from PostgreSQL) as
    `datetime.isoformat` of the aware value prints it ("2025-01-01T09:30:00+00:00")."""
    if len(value) == 26 and value[10] in " T":
        fraction = value[19:]
        return (
            value[:10] + "T" + value[11:19] + ("" if fraction == ".000000" else fraction) + "+00:00"
        )
    return as_utc(datetime.fromisoformat(value)).isoformat()


def _numeric_text(value: str) -> str:
    """A money amount read as text ("1500.0000") as `_decimal` prints it ("1500"; a
    fraction keeps the stored scale: "12.5000")."""
    whole, _, fraction = value.partition(".")
    return whole if not fraction.strip("0") else value


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
