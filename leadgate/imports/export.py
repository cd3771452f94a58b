"""Export a list view (its filters, its text search, the user's permissions) to CSV or XLSX.

Rows stream from the database in chunks and are written as they come. Text
cells that a spreadsheet would run as a formula (starting with = + - @, a tab
or a carriage return) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from leadgate.core.errors import ValidationFailed
from leadgate.imports.targets import target_for
from leadgate.security.access import Actor, scoped
from leadgate.security.listing import MAX_QUERY_LENGTH, text_match

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LEAD_EXTRA = ("state", "status")
_SEARCH = {
    "lead": ("topic", "first_name", "last_name", "company_name", "email"),
    "contact": ("first_name", "last_name", "email"),
    "account": ("name", "account_number", "email"),
}
CHUNK = 1000


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
) -> Iterator[list[Any]]:
    """The header row, then one row per record the actor may read, oldest first."""
    target = target_for(record_type)
    model = target.model
    columns = columns_for(record_type)
    stmt = scoped(actor, model)
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
    yield columns
    for record in session.scalars(stmt):
        yield [getattr(record, c) for c in columns]


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


def csv_chunks(rows: Iterator[list[Any]], every: int = CHUNK) -> Iterator[str]:
    """CSV text in pieces of `every` rows (for streaming responses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, 1):
        writer.writerow([_text(v) for v in row])
        if n % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_csv(rows: Iterator[list[Any]], out: TextIO) -> int:
    writer = csv.writer(out)
    count = -1
    for row in rows:
        writer.writerow([_text(v) for v in row])
        count += 1
    return max(count, 0)


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        return value
    return neutralise(str(value))


def write_xlsx(rows: Iterator[list[Any]], path: Path) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("export")
    count = -1
    for row in rows:
        sheet.append([_cell(v) for v in row])
        count += 1
    book.save(path)
    return max(count, 0)
