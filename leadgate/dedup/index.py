"""The match-key index: kept in step with every saved lead, contact and account.

Records publish `*Saved` events from their services; `on_saved` (registered by
the composition root) replaces the record's keys under each published rule
whose match side is the record's type. Publishing a rule (re)builds its keys
for the whole table in chunks.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from leadgate.db.bulk import insert_columns
from leadgate.dedup.keys import RuleLogic, blocking_keys, side_fields, values_of
from leadgate.dedup.models import DuplicateRule, MatchKey
from leadgate.dedup.registry import model_for

_CACHE = "dedup.published_rules"
CHUNK = 2000


@dataclass(frozen=True)
class ActiveRule:
    id: uuid.UUID
    base_type: str
    match_type: str
    exclude_inactive: bool
    logic: RuleLogic


@dataclass(frozen=True)
class RuleKeys:
    """A record's normalised values under one rule and the keys it is looked up (base
    side) and filed (match side) under."""

    rule: ActiveRule
    mine: dict[str, str]
    base: set[str]
    match: set[str]


def rule_keys(rule: ActiveRule, record: Any) -> RuleKeys:
    """Work out a record's values and keys under one rule once, for callers that need them
    several times (an import row: the batch's prefetch, its duplicate check, its filing)."""
    logic = rule.logic
    fields = side_fields(logic, "base")
    mine = values_of(record, fields, logic.case_sensitive)
    match_fields = side_fields(logic, "match")
    theirs = (
        mine if match_fields == fields else values_of(record, match_fields, logic.case_sensitive)
    )
    return RuleKeys(
        rule, mine, blocking_keys(logic, mine, "base"), blocking_keys(logic, theirs, "match")
    )


def as_active(rule: DuplicateRule) -> ActiveRule:
    logic = RuleLogic.of(rule.name, rule.criteria, rule.ignore_blanks, rule.case_sensitive)
    return ActiveRule(rule.id, rule.base_type, rule.match_type, rule.exclude_inactive, logic)


def published_rules(session: Session) -> list[ActiveRule]:
    """Published rules, read once per transaction.

    A create reads them for its duplicate check and again for its match keys, an
    import for every batch: the cache answers those. It is tied to the session's
    current (root) transaction, so a long-lived session (a worker, a CLI loop)
    sees rules another process published as soon as it starts a new transaction;
    publishing or unpublishing in this session clears it (`forget_rules`).
    """
    transaction = session.get_transaction()
    cached: tuple[weakref.ref[SessionTransaction], list[ActiveRule]] | None = session.info.get(
        _CACHE
    )
    if cached is not None and transaction is not None and cached[0]() is transaction:
        return cached[1]
    rows = session.scalars(
        select(DuplicateRule)
        .where(DuplicateRule.published.is_(True))
        .order_by(DuplicateRule.created_at, DuplicateRule.id)
    )
    rules = [as_active(r) for r in rows]
    transaction = session.get_transaction()  # the read above may have begun it
    if transaction is not None:
        session.info[_CACHE] = (weakref.ref(transaction), rules)
    return rules


def forget_rules(session: Session) -> None:
    session.info.pop(_CACHE, None)


def _rows(rule: ActiveRule, record: Any) -> list[dict[str, Any]]:
    values = values_of(record, side_fields(rule.logic, "match"), rule.logic.case_sensitive)
    return [
        {"rule_id": rule.id, "record_id": record.id, "key": key, "record_type": rule.match_type}
        for key in blocking_keys(rule.logic, values, "match")
    ]


def index_records(session: Session, record_type: str, records: Iterable[Any], new: bool) -> None:
    """File `records` under every published rule matching their type."""
    rules = [r for r in published_rules(session) if r.match_type == record_type]
    if not rules:
        return
    records = list(records)
    if not new:
        ids = [r.id for r in records]
        session.execute(
            delete(MatchKey).where(
                MatchKey.record_id.in_(ids), MatchKey.rule_id.in_([r.id for r in rules])
            )
        )
    table = MatchKey.__table__
    assert isinstance(table, Table)
    for rule in rules:
        fields, exact = side_fields(rule.logic, "match"), rule.logic.case_sensitive
        record_ids: list[uuid.UUID] = []
        keys: list[str] = []
        for record in records:
            for key in blocking_keys(rule.logic, values_of(record, fields, exact), "match"):
                record_ids.append(record.id)
                keys.append(key)
        if keys:
            # One INSERT per rule: the rule and record type are written once, not per key.
            same = {"rule_id": rule.id, "record_type": rule.match_type}
            insert_columns(session, table, {"record_id": record_ids, "key": keys}, same=same)


def on_created_many(session: Session, event: Any) -> None:
    if event.records:
        index_records(session, event.records[0].RECORD_TYPE, event.records, new=True)


def on_saved(session: Session, event: Any) -> None:
    record = event.record
    index_records(session, record.RECORD_TYPE, [record], new=event.created)


def reindex_rule(
    session: Session, rule: DuplicateRule, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild one rule's keys over every live record of its match type."""
    active = as_active(rule)
    session.execute(delete(MatchKey).where(MatchKey.rule_id == rule.id))
    model = model_for(rule.match_type)
    done = 0
    last: uuid.UUID | None = None
    while True:
        stmt = select(model).where(model.deleted_at.is_(None)).order_by(model.id).limit(CHUNK)
        if last is not None:
            stmt = stmt.where(model.id > last)
        chunk = list(session.scalars(stmt))
        if not chunk:
            break
        rows = [row for record in chunk for row in _rows(active, record)]
        if rows:
            session.execute(insert(MatchKey), rows)
        done += len(chunk)
        last = chunk[-1].id
        if progress is not None:
            progress(done)
    return done
