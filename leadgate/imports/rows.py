"""One import row: convert, validate, upsert or check duplicates, write through the service.

A new record waits for its batch's bulk create (`imports.batch`); an update, or a
create through the per-record service, runs in its own SAVEPOINT, so a row refused
half-way (a service check after a flush) leaves nothing behind and the rest of the
batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from leadgate.audit.recording import jsonable
from leadgate.core.errors import DomainError
from leadgate.dedup.detection import find_duplicates
from leadgate.imports.batch import BatchCache, Prepared, RowContext, RowResult, vendor_key
from leadgate.imports.columns import Refused, unquoted
from leadgate.imports.convert import ConversionError, convert
from leadgate.imports.reading import is_broken
from leadgate.security.access import Actor, ensure_on
from leadgate.security.roles import Op

__all__ = ["BatchCache", "Prepared", "RowContext", "RowResult", "prepare_row", "write_row"]


def _values(ctx: RowContext, cells: list[Any]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    errors: list[str] = []
    for index, name in ctx.columns:
        try:
            raw = unquoted(name, cells[index] if index < len(cells) else None)
        except Refused as exc:
            errors.append(str(exc))
            continue
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


def prepare_row(ctx: RowContext, row_number: int, cells: list[Any]) -> Prepared | RowResult:
    """Convert and validate a row (no database): a Prepared row, or the failure."""
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
    fast = ctx.compiled.row(cells) if ctx.compiled is not None else None
    if fast is not None:
        values, data, dumped = fast
        return Prepared(row_number, values, data, ctx.target.transient(data, dumped))
    values, errors = _values(ctx, cells)
    data, problems = _validated(ctx.target.create_schema, values)
    refused = {e.split(":", 1)[0] for e in errors}
    errors += [p for p in problems if p.split(":", 1)[0] not in refused]
    if errors:
        return RowResult(row_number, "failed", errors=errors)
    return Prepared(row_number, values, data, ctx.target.transient(data))


def _update(
    session: Session, actor: Actor, ctx: RowContext, record: Any, values: dict[str, Any]
) -> RowResult:
    changed = {k: v for k, v in values.items() if getattr(record, k) != v}
    before = {k: jsonable(getattr(record, k)) for k in changed}
    data = ctx.target.update_schema.model_validate(changed)
    ctx.target.update(session, actor, record.id, data, None)
    return RowResult(0, "updated", record.id, before=before)


def write_row(
    session: Session, actor: Actor, ctx: RowContext, row: Prepared, cache: BatchCache
) -> RowResult:
    """Upsert, check duplicates and write one prepared row.

    A new record waits for the batch's bulk create (no savepoint needed: nothing is
    written yet); an update, or a create through the per-record service, runs in its
    own savepoint so a refusal leaves nothing behind."""
    if cache.must_flush_before(ctx, row):
        cache.flush(session, actor, ctx)
    try:
        action, result = _decide(session, actor, ctx, row, cache)
        if action is not None:
            with session.begin_nested():
                result = action()
    except (DomainError, ValidationError) as exc:
        detail = exc.detail if isinstance(exc, DomainError) else str(exc)
        fields = [f"{e.field}: {e.message}" for e in getattr(exc, "errors", [])]
        return RowResult(row.row_number, "failed", errors=fields or [detail])
    result.row_number = row.row_number
    return result


_Action = Callable[[], RowResult] | None


def _decide(
    session: Session, actor: Actor, ctx: RowContext, row: Prepared, cache: BatchCache
) -> tuple[_Action, RowResult]:
    """What to do with the row: a write to run in a savepoint, or an outcome already."""
    values = row.values
    pair = vendor_key(values) if ctx.target.upsert_by_vendor_key else None
    existing_id = cache.by_vendor_key.get(pair) if pair is not None else None
    if existing_id is not None:
        record = session.get_one(ctx.target.model, existing_id)
        return lambda: _update(session, actor, ctx, record, values), _PENDING
    key = ctx.target.natural_key
    if key is not None and (key.unique or ctx.on_duplicate != "create"):
        keyed = key.find(session, actor, row.data)
        if keyed is not None:
            return _on_key(session, actor, ctx, row, keyed)
    if ctx.on_duplicate != "create" and cache.may_have_duplicates(row):
        matches = find_duplicates(
            session,
            actor,
            row.unsaved,
            match_type=ctx.target.record_type,
            lookup=cache.lookup,
            known=cache.held,
            prepared=cache.keys_of(row.unsaved),
        )
        if matches:
            best = matches[0]
            if ctx.on_duplicate == "skip":
                reason = f"duplicate of {best.record_type} {best.id} ({', '.join(best.rules)})"
                return None, RowResult(0, "skipped_duplicate", best.id, errors=[reason])
            match = session.get_one(ctx.target.model, best.id)
            return lambda: _update(session, actor, ctx, match, values), _PENDING
    if ctx.target.create_many is not None:
        # Written with the batch's other new records by `BatchCache.flush`.
        cache.defer(row)
        cache.remember(row.unsaved, values)
        return None, RowResult(0, "created", row.unsaved.id)

    def create() -> RowResult:
        record = ctx.target.create(session, actor, row.data)
        cache.remember(record, values)
        return RowResult(0, "created", record.id)

    return create, _PENDING


def _on_key(
    session: Session, actor: Actor, ctx: RowContext, row: Prepared, record: Any
) -> tuple[_Action, RowResult]:
    """A row naming an existing record by its key (a product number, a deal's name and
    customer)."""
    key = ctx.target.natural_key
    assert key is not None
    value = getattr(record, key.field)
    kind = ctx.target.record_type
    if ctx.on_duplicate == "skip":
        same = key.same.format(field=key.field, value=value)
        reason = f"duplicate of {kind} {record.id} (same {same})"
        return None, RowResult(0, "skipped_duplicate", record.id, errors=[reason])
    if ctx.on_duplicate == "create":
        reason = (
            f"{key.field}: {kind} {value!r} already exists and its {key.field} is unique; "
            "import with on-duplicate update or skip"
        )
        return None, RowResult(0, "failed", errors=[reason])

    def update() -> RowResult:
        changes = key.changes(session, actor, record, row.data)
        if all(getattr(record, k) == v for k, v in changes.items()):
            # Nothing to write (a closed deal is read-only even to an empty update).
            ensure_on(actor, record, Op.WRITE)
            return RowResult(0, "updated", record.id, before={})
        return _update(session, actor, ctx, record, changes)

    return update, _PENDING


_PENDING = RowResult(0, "pending")
