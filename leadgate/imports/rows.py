"""One import row: convert, validate, upsert or check duplicates, write through the service.

Each row runs in its own SAVEPOINT, so a row refused half-way (a service
check after a flush) leaves nothing behind and the rest of the batch goes on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from leadgate.audit.recording import jsonable
from leadgate.core.errors import DomainError
from leadgate.dedup.detection import find_duplicates
from leadgate.imports.convert import ConversionError, convert
from leadgate.imports.reading import is_broken
from leadgate.imports.targets import Target
from leadgate.security.access import Actor, scoped

FORMULA_START = "="
NEUTRALISED = frozenset("=+-@\t\r")


@dataclass
class RowResult:
    row_number: int
    outcome: str  # created, updated, skipped_duplicate, failed
    record_id: uuid.UUID | None = None
    errors: list[str] = field(default_factory=list)
    before: dict[str, Any] | None = None


@dataclass(frozen=True)
class RowContext:
    target: Target
    columns: list[tuple[int, str]]  # (cell index, field)
    header_count: int
    on_duplicate: str
    list_vendor: str | None


def _values(ctx: RowContext, cells: list[Any]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    errors: list[str] = []
    for index, name in ctx.columns:
        raw = cells[index] if index < len(cells) else None
        if isinstance(raw, str) and raw.lstrip().startswith(FORMULA_START):
            errors.append(f"{name}: holds a formula; formulas are not imported")
            continue
        if isinstance(raw, str) and raw.startswith("'") and raw[1:2] in NEUTRALISED:
            raw = raw[1:]  # our exports' guard against formula injection, taken off again
        try:
            value = convert(name, raw)
        except ConversionError as exc:
            errors.append(f"{name}: {exc}")
            continue
        if value is None:
            continue
        if name == "full_name":
            first, _, last = str(value).rpartition(" ")
            values.setdefault("first_name", first or None)
            values.setdefault("last_name", last)
        else:
            values[name] = value
    if ctx.list_vendor and ctx.target.upsert_by_vendor_key:
        values["list_vendor"] = ctx.list_vendor
    return {k: v for k, v in values.items() if v is not None}, errors


def _validated(schema: type[BaseModel], values: dict[str, Any]) -> tuple[Any, list[str]]:
    try:
        return schema.model_validate(values), []
    except ValidationError as exc:
        return None, [
            f"{'.'.join(str(p) for p in err['loc']) or 'row'}: {err['msg']}" for err in exc.errors()
        ]


def _existing_by_vendor_key(
    session: Session, actor: Actor, ctx: RowContext, values: dict[str, Any]
) -> Any:
    model = ctx.target.model
    vendor, key = values.get("list_vendor"), values.get("external_key")
    if not (ctx.target.upsert_by_vendor_key and vendor and key):
        return None
    return session.scalar(
        scoped(actor, model).where(model.list_vendor == vendor, model.external_key == key).limit(1)
    )


def _update(
    session: Session, actor: Actor, ctx: RowContext, record: Any, values: dict[str, Any]
) -> RowResult:
    changed = {k: v for k, v in values.items() if getattr(record, k) != v}
    before = {k: jsonable(getattr(record, k)) for k in changed}
    data = ctx.target.update_schema.model_validate(changed)
    ctx.target.update(session, actor, record.id, data, None)
    return RowResult(0, "updated", record.id, before=before)


def process_row(
    session: Session, actor: Actor, ctx: RowContext, row_number: int, cells: list[Any]
) -> RowResult:
    broken = is_broken(cells)
    if broken is not None:
        return RowResult(row_number, "failed", errors=[f"unreadable row: {broken}"])
    if len(cells) > ctx.header_count and any(
        c not in (None, "") for c in cells[ctx.header_count :]
    ):
        return RowResult(
            row_number,
            "failed",
            errors=[f"row has {len(cells)} cells but the header has {ctx.header_count}"],
        )
    values, errors = _values(ctx, cells)
    data, problems = _validated(ctx.target.create_schema, values)
    refused = {e.split(":", 1)[0] for e in errors}
    errors += [p for p in problems if p.split(":", 1)[0] not in refused]
    if errors:
        return RowResult(row_number, "failed", errors=errors)
    try:
        with session.begin_nested():
            result = _write(session, actor, ctx, values, data)
    except (DomainError, ValidationError) as exc:
        detail = exc.detail if isinstance(exc, DomainError) else str(exc)
        fields = [f"{e.field}: {e.message}" for e in getattr(exc, "errors", [])]
        return RowResult(row_number, "failed", errors=fields or [detail])
    result.row_number = row_number
    return result


def _write(
    session: Session, actor: Actor, ctx: RowContext, values: dict[str, Any], data: Any
) -> RowResult:
    existing = _existing_by_vendor_key(session, actor, ctx, values)
    if existing is not None:
        return _update(session, actor, ctx, existing, values)
    if ctx.on_duplicate != "create":
        matches = find_duplicates(
            session, actor, ctx.target.transient(data), match_type=ctx.target.record_type
        )
        if matches:
            best = matches[0]
            if ctx.on_duplicate == "skip":
                reason = f"duplicate of {best.record_type} {best.id} ({', '.join(best.rules)})"
                return RowResult(0, "skipped_duplicate", best.id, errors=[reason])
            record = session.get(ctx.target.model, best.id)
            return _update(session, actor, ctx, record, values)
    record = ctx.target.create(session, actor, data)
    return RowResult(0, "created", record.id)
