"""A batch of import rows: what its rows would each look up, fetched once, and the
new records waiting to be created together.

The match keys, the records behind them and the vendor's existing keys are read
with one query per rule (or chunk) for the whole batch; new records wait here and
are written by one bulk create, row by row only if that is refused, so one bad
row never sinks the batch.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leadgate.core.errors import DomainError
from leadgate.dedup.index import ActiveRule, RuleKeys, published_rules, rule_keys
from leadgate.dedup.keys import score, side_fields, values_of
from leadgate.dedup.models import MatchKey
from leadgate.dedup.registry import is_active
from leadgate.imports.columns import Columns
from leadgate.imports.targets import Target
from leadgate.security.access import Actor, scoped

_IN_CHUNK = 500


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
    # The columns' checks compiled for the fast path (`imports.columns`), if the schema has one.
    compiled: Columns | None = None


@dataclass
class Prepared:
    row_number: int
    values: dict[str, Any]
    data: Any
    unsaved: Any


def vendor_key(values: dict[str, Any]) -> tuple[str, str] | None:
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
        # Each row's normalised values and keys per rule, worked out once for the
        # prefetch, its duplicate decision and its filing as a new record.
        self.row_keys: dict[uuid.UUID, dict[uuid.UUID, RuleKeys]] = {
            row.unsaved.id: {rule.id: rule_keys(rule, row.unsaved) for rule in self.rules}
            for row in rows
        }
        for rule in self.rules:
            ordered = sorted({k for keys in self.row_keys.values() for k in keys[rule.id].base})
            for start in range(0, len(ordered), _IN_CHUNK):
                found = session.execute(
                    select(MatchKey.key, MatchKey.record_id).where(
                        MatchKey.rule_id == rule.id,
                        MatchKey.key.in_(ordered[start : start + _IN_CHUNK]),
                    )
                )
                for key, record_id in found:
                    self.known[(rule.id, key)].add(record_id)
        self._prefetch_records(session, actor, ctx)
        self.by_vendor_key: dict[tuple[str, str], uuid.UUID] = {}
        self.deferred = {}
        self.outcomes = {}
        self.renamed: dict[uuid.UUID, uuid.UUID | None] = {}
        if ctx.target.upsert_by_vendor_key:
            self._prefetch_vendor_keys(session, actor, ctx, rows)

    def _prefetch_records(self, session: Session, actor: Actor, ctx: RowContext) -> None:
        """The records behind the prefetched keys that the actor may read, so each row's
        duplicate check scores them without a query of its own."""
        model = ctx.target.model
        ids = sorted({i for found in self.known.values() for i in found})
        self.fetched: set[uuid.UUID] = set(ids)
        self.records: dict[uuid.UUID, Any] = {}
        for i in range(0, len(ids), _IN_CHUNK):
            stmt = scoped(actor, model).where(model.id.in_(ids[i : i + _IN_CHUNK]))
            self.records.update((r.id, r) for r in session.scalars(stmt))

    def held(self, rule: ActiveRule, ids: list[uuid.UUID]) -> tuple[list[Any], list[uuid.UUID]]:
        """Candidates the batch holds, limited as `find_duplicates`' query would limit them
        (prefetched ones are readable; waiting ones are the actor's, and new records are
        active), and the ids it knows nothing of (created since, one by one)."""
        held: list[Any] = []
        rest: list[uuid.UUID] = []
        for i in ids:
            if i in self.deferred:
                held.append(self.deferred[i].unsaved)
            elif i in self.records:
                record = self.records[i]
                if not rule.exclude_inactive or is_active(record):
                    held.append(record)
            elif i not in self.fetched:
                rest.append(i)
        return held, rest

    def _prefetch_vendor_keys(
        self, session: Session, actor: Actor, ctx: RowContext, rows: list[Prepared]
    ) -> None:
        model = ctx.target.model
        wanted: defaultdict[str, set[str]] = defaultdict(set)
        for row in rows:
            pair = vendor_key(row.values)
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
        """A row that may update a record still waiting to be created needs that record
        written first (the update reads it from the table). A row that would only be
        skipped as its duplicate does not: the check scores the waiting record as is."""
        if not self.deferred:
            return False
        pair = vendor_key(row.values)
        if pair is not None and self.by_vendor_key.get(pair) in self.deferred:
            return True
        if ctx.on_duplicate != "update":
            return False
        for entry in self.keys_of(row.unsaved).values():
            logic = entry.rule.logic
            for key in entry.base:
                for other_id in self.known.get((entry.rule.id, key), ()):
                    other = self.deferred.get(other_id)
                    if other is None:
                        continue
                    fields = side_fields(logic, "match")
                    theirs = values_of(other.unsaved, fields, logic.case_sensitive)
                    if score(logic, entry.mine, theirs) is not None:
                        return True
        return False

    def keys_of(self, record: Any) -> dict[uuid.UUID, RuleKeys]:
        """The record's values and keys per rule id (worked out here if it is not a row)."""
        found = self.row_keys.get(record.id)
        if found is None:
            found = {rule.id: rule_keys(rule, record) for rule in self.rules}
        return found

    def may_have_duplicates(self, row: Prepared) -> bool:
        """Whether any key of the row is known (prefetched, or filed by an earlier row of
        the batch): without one, the duplicate check finds no candidate under any rule."""
        known = self.known
        return any(
            (rule_id, key) in known
            for rule_id, entry in self.keys_of(row.unsaved).items()
            for key in entry.base
        )

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
            self.renamed[row.unsaved.id] = None
            try:
                with session.begin_nested():
                    record = ctx.target.create(session, actor, row.data)
                self.outcomes[row.row_number] = RowResult(row.row_number, "created", record.id)
                self.renamed[row.unsaved.id] = record.id
                self.remember(record, row.values)
            except DomainError as exc:
                problems = [f"{e.field}: {e.message}" for e in exc.errors] or [exc.detail]
                self.outcomes[row.row_number] = RowResult(row.row_number, "failed", errors=problems)
            except DBAPIError as exc:
                reason = f"refused by the database: {str(exc.orig).splitlines()[0][:300]}"
                self.outcomes[row.row_number] = RowResult(row.row_number, "failed", errors=[reason])

    def settle(self, result: RowResult) -> RowResult:
        """The row's final outcome once the batch is written: a row created row by row
        after a refused bulk write has a new id, and so has the duplicate a skipped row
        points to (or that row was refused, and the skipped one is refused with it)."""
        result = self.outcomes.get(result.row_number, result)
        old = result.record_id
        if result.outcome != "skipped_duplicate" or old not in self.renamed:
            return result
        new = self.renamed[old]
        if new is None:
            reason = "duplicate of a row of this file that was refused"
            return RowResult(result.row_number, "failed", errors=[reason])
        errors = [e.replace(str(old), str(new)) for e in result.errors]
        return RowResult(result.row_number, result.outcome, new, errors=errors)

    def lookup(self, rule: ActiveRule, keys: set[str]) -> Iterable[uuid.UUID]:
        return {i for key in keys for i in self.known.get((rule.id, key), ())}

    def remember(self, record: Any, values: dict[str, Any]) -> None:
        for rule_id, entry in self.keys_of(record).items():
            for key in entry.match:
                self.known[(rule_id, key)].add(record.id)
        pair = vendor_key(values)
        if pair is not None:
            self.by_vendor_key.setdefault(pair, record.id)
