"""One import row: convert, validate, upsert or check duplicates, write through the service.

Each row runs in its own SAVEPOINT, so a row refused half-way (a service
check after a flush) leaves nothing behind and the rest of the batch goes on.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leadgate.audit.recording import jsonable
from leadgate.core.errors import DomainError
from leadgate.dedup.detection import find_duplicates
from leadgate.dedup.index import ActiveRule, published_rules
from leadgate.dedup.keys import blocking_keys, score, side_fields, values_of
from leadgate.dedup.models import MatchKey
from leadgate.imports.convert import ConversionError, convert
from leadgate.imports.reading import is_broken
from leadgate.imports.targets import Target
from leadgate.security.access import Actor, scoped

FORMULA_START = "="
_IN_CHUNK = 500
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


def _vendor_key(values: dict[str, Any]) -> tuple[str, str] | None:
    vendor, key = values.get("list_vendor"), values.get("external_key")
    return (str(vendor), str(key)) if vendor and key else None


class BatchCache:
    """What a batch's rows would each look up, fetched once for the whole batch.

    Holds the match keys (same-type published rules) of every record sharing a key
    with a row of the batch, and the ids of the vendor's records with the batch's
    external keys; rows created in the batch are added as they are written, so
    duplicates inside one file are caught too.
    """

    def __init__(
        self, session: Session, actor: Actor, ctx: RowContext, rows: list[Prepared]
    ) -> None:
        record_type = ctx.target.record_type
        self.rules = [
            r
            for r in published_rules(session)
            if r.base_type == record_type and r.match_type == record_type
        ]
        self.known: defaultdict[tuple[uuid.UUID, str], set[uuid.UUID]] = defaultdict(set)
        for rule in self.rules:
            keys: set[str] = set()
            for row in rows:
                mine = values_of(
                    row.unsaved, side_fields(rule.logic, "base"), rule.logic.case_sensitive
                )
                keys |= blocking_keys(rule.logic, mine, "base")
            ordered = sorted(keys)
            for i in range(0, len(ordered), _IN_CHUNK):
                found = session.execute(
                    select(MatchKey.key, MatchKey.record_id).where(
                        MatchKey.rule_id == rule.id, MatchKey.key.in_(ordered[i : i + _IN_CHUNK])
                    )
                )
                for key, record_id in found:
                    self.known[(rule.id, key)].add(record_id)
        self.by_vendor_key: dict[tuple[str, str], uuid.UUID] = {}
        self.deferred = {}
        self.outcomes = {}
        if ctx.target.upsert_by_vendor_key:
            self._prefetch_vendor_keys(session, actor, ctx, rows)

    def _prefetch_vendor_keys(
        self, session: Session, actor: Actor, ctx: RowContext, rows: list[Prepared]
    ) -> None:
        model = ctx.target.model
        wanted: defaultdict[str, set[str]] = defaultdict(set)
        for row in rows:
            pair = _vendor_key(row.values)
            if pair is not None:
                wanted[pair[0]].add(pair[1])
        for vendor, keys in wanted.items():
            ordered = sorted(keys)
            for i in range(0, len(ordered), _IN_CHUNK):
                stmt = scoped(actor, model).where(
                    model.list_vendor == vendor, model.external_key.in_(ordered[i : i + _IN_CHUNK])
                )
                for record in session.scalars(stmt):
                    self.by_vendor_key.setdefault((vendor, record.external_key), record.id)

    deferred: dict[uuid.UUID, Prepared]
    outcomes: dict[int, RowResult]

    def defer(self, row: Prepared) -> None:
        self.deferred[row.unsaved.id] = row

    def must_flush_before(self, ctx: RowContext, row: Prepared) -> bool:
        """A row that may update or duplicate a record still waiting to be created needs
        that record written first (the duplicate check and the update read the table)."""
        if not self.deferred:
            return False
        pair = _vendor_key(row.values)
        if pair is not None and self.by_vendor_key.get(pair) in self.deferred:
            return True
        for rule in self.rules:
            mine = values_of(
                row.unsaved, side_fields(rule.logic, "base"), rule.logic.case_sensitive
            )
            for key in blocking_keys(rule.logic, mine, "base"):
                for other_id in self.known.get((rule.id, key), ()):
                    other = self.deferred.get(other_id)
                    if other is None:
                        continue
                    fields = side_fields(rule.logic, "match")
                    theirs = values_of(other.unsaved, fields, rule.logic.case_sensitive)
                    if score(rule.logic, mine, theirs) is not None:
                        return True
        return False

    def flush(self, session: Session, actor: Actor, ctx: RowContext) -> None:
        """Create the deferred rows in one batched write; row by row if that fails."""
        if not self.deferred or ctx.target.create_many is None:
            return
        rows = list(self.deferred.values())
        self.deferred.clear()
        try:
            with session.begin_nested():
                ctx.target.create_many(session, actor, [(r.unsaved.id, r.data) for r in rows])
            return
        except (DomainError, ValidationError, DBAPIError):
            pass  # one bad row sinks the bulk write; row by row finds it
        for row in rows:
            try:
                with session.begin_nested():
                    record = ctx.target.create(session, actor, row.data)
                self.outcomes[row.row_number] = RowResult(row.row_number, "created", record.id)
            except DomainError as exc:
                problems = [f"{e.field}: {e.message}" for e in exc.errors] or [exc.detail]
                self.outcomes[row.row_number] = RowResult(row.row_number, "failed", errors=problems)
            except DBAPIError as exc:
                reason = f"refused by the database: {str(exc.orig).splitlines()[0][:300]}"
                self.outcomes[row.row_number] = RowResult(row.row_number, "failed", errors=[reason])

    def lookup(self, rule: ActiveRule, keys: set[str]) -> Iterable[uuid.UUID]:
        # Waiting rows are left out: `must_flush_before` found none of them a match.
        found = {i for key in keys for i in self.known.get((rule.id, key), ())}
        return found - self.deferred.keys()

    def remember(self, record: Any, values: dict[str, Any]) -> None:
        for rule in self.rules:
            theirs = values_of(record, side_fields(rule.logic, "match"), rule.logic.case_sensitive)
            for key in blocking_keys(rule.logic, theirs, "match"):
                self.known[(rule.id, key)].add(record.id)
        pair = _vendor_key(values)
        if pair is not None:
            self.by_vendor_key.setdefault(pair, record.id)


@dataclass
class Prepared:
    row_number: int
    values: dict[str, Any]
    data: Any
    unsaved: Any


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
    pair = _vendor_key(values) if ctx.target.upsert_by_vendor_key else None
    existing_id = cache.by_vendor_key.get(pair) if pair is not None else None
    if existing_id is not None:
        record = session.get_one(ctx.target.model, existing_id)
        return lambda: _update(session, actor, ctx, record, values), _PENDING
    if ctx.on_duplicate != "create":
        matches = find_duplicates(
            session, actor, row.unsaved, match_type=ctx.target.record_type, lookup=cache.lookup
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


_PENDING = RowResult(0, "pending")
