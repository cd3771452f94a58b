"""The duplicate scan: every pair of records of one type that a published rule matches.

Works from the key index: only keys shared by two or more records are read
(GROUP BY … HAVING), records are loaded per chunk of groups, and pairs are
scored inside each group. Very large groups (a key shared by thousands of
records, usually a placeholder value) are capped and reported.
"""

from __future__ import annotations

import csv
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.dedup.index import ActiveRule, published_rules
from leadgate.dedup.keys import score, side_fields, values_of
from leadgate.dedup.models import MatchKey
from leadgate.dedup.registry import active_clause, model_for
from leadgate.security.access import Actor, scoped

MAX_GROUP = 100
GROUPS_PER_CHUNK = 500


@dataclass
class Pair:
    id_a: uuid.UUID
    id_b: uuid.UUID
    external_key_a: str | None
    external_key_b: str | None
    rule: str
    score: float


@dataclass
class ScanResult:
    pairs: list[Pair]
    oversized_groups: int


def _groups(session: Session, rule: ActiveRule) -> Iterator[list[uuid.UUID]]:
    shared = (
        select(MatchKey.key)
        .where(MatchKey.rule_id == rule.id)
        .group_by(MatchKey.key)
        .having(func.count() > 1)
    ).subquery()
    rows = session.execute(
        select(MatchKey.key, MatchKey.record_id)
        .where(MatchKey.rule_id == rule.id, MatchKey.key.in_(select(shared.c.key)))
        .order_by(MatchKey.key, MatchKey.record_id)
    )
    current: str | None = None
    group: list[uuid.UUID] = []
    for key, record_id in rows:
        if key != current and group:
            yield group
            group = []
        current = key
        group.append(record_id)
    if group:
        yield group


def _score_chunk(
    session: Session,
    actor: Actor,
    rule: ActiveRule,
    groups: list[list[uuid.UUID]],
    best: dict[tuple[uuid.UUID, uuid.UUID], Pair],
) -> None:
    model = model_for(rule.match_type)
    ids = {i for g in groups for i in g}
    stmt = scoped(actor, model).where(model.id.in_(ids))
    if rule.exclude_inactive:
        stmt = stmt.where(active_clause(rule.match_type))
    records: dict[uuid.UUID, Any] = {r.id: r for r in session.scalars(stmt)}
    logic = rule.logic
    values = {
        i: values_of(r, side_fields(logic, "match"), logic.case_sensitive)
        for i, r in records.items()
    }
    for group in groups:
        present = sorted((i for i in group if i in records), key=str)
        for a, b in combinations(present, 2):
            result = score(logic, values[a], values[b])
            if result is None:
                continue
            old = best.get((a, b))
            if old is None or result > old.score:
                best[(a, b)] = Pair(
                    a,
                    b,
                    getattr(records[a], "external_key", None),
                    getattr(records[b], "external_key", None),
                    logic.name,
                    result,
                )


def scan(
    session: Session,
    actor: Actor,
    record_type: str,
    progress: Callable[[int], None] | None = None,
) -> ScanResult:
    """Pairs of `record_type` records matched by its same-type published rules."""
    best: dict[tuple[uuid.UUID, uuid.UUID], Pair] = {}
    oversized = 0
    seen = 0
    for rule in published_rules(session):
        if rule.base_type != record_type or rule.match_type != record_type:
            continue
        chunk: list[list[uuid.UUID]] = []
        for group in _groups(session, rule):
            if len(group) > MAX_GROUP:
                oversized += 1
                group = group[:MAX_GROUP]
            chunk.append(group)
            if len(chunk) >= GROUPS_PER_CHUNK:
                _score_chunk(session, actor, rule, chunk, best)
                seen += len(chunk)
                chunk = []
                if progress is not None:
                    progress(seen)
        if chunk:
            _score_chunk(session, actor, rule, chunk, best)
            seen += len(chunk)
            if progress is not None:
                progress(seen)
    pairs = sorted(best.values(), key=lambda p: (-p.score, str(p.id_a), str(p.id_b)))
    return ScanResult(pairs, oversized)


def groups_of(pairs: list[Pair]) -> list[set[uuid.UUID]]:
    """Connected groups of records linked by matched pairs (for review)."""
    parent: dict[uuid.UUID, uuid.UUID] = {}

    def root(x: uuid.UUID) -> uuid.UUID:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        parent[root(p.id_a)] = root(p.id_b)
    members: defaultdict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for node in list(parent):
        members[root(node)].add(node)
    return list(members.values())


PAIR_COLUMNS = ("id_a", "id_b", "external_key_a", "external_key_b", "rule", "score")


def write_pairs(pairs: list[Pair], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(PAIR_COLUMNS)
    for p in pairs:
        writer.writerow(
            [p.id_a, p.id_b, p.external_key_a or "", p.external_key_b or "", p.rule, p.score]
        )


def write_pairs_file(pairs: list[Pair], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_pairs(pairs, handle)
