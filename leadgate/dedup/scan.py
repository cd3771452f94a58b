"""The duplicate scan: every pair of records of one type that a published rule matches.

Works from the key index, in one streamed query per rule: the keys shared by
two or more records (GROUP BY … HAVING) joined to the records the actor may
read (and, for rules that say so, only active ones), ordered by key, with only
the columns the rule compares. Records sharing a rule's composite key already
agree on its exact / first N / last N criteria, so within a group only the
"similar" criteria are scored; a large group is scored in one RapidFuzz
`cdist` call instead of pair by pair. Groups of an exact-only key larger than
`MAX_GROUP` (usually a placeholder value shared by thousands) are capped and
reported; fuzzy groups are capped at `MAX_FUZZY_GROUP`.
"""

from __future__ import annotations

import csv
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from leadgate.dedup.index import ActiveRule, published_rules
from leadgate.dedup.keys import normalise, score
from leadgate.dedup.models import MatchKey
from leadgate.dedup.registry import active_clause, model_for
from leadgate.security.access import Actor, visible

MAX_GROUP = 100
MAX_FUZZY_GROUP = 2000
GROUPS_PER_CHUNK = 500  # progress is reported every this many groups
_STREAM = 5000
_CDIST_FROM = 12  # below this many members a plain pair loop is cheaper than cdist


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


@dataclass
class _Member:
    # As the driver returns it (a UUID, or SQLite's hex text): most members never make a
    # pair, and converting a million ids to UUID objects cost a fifth of the scan.
    id: Any
    external_key: str | None
    values: dict[str, str]


def _uuid(raw: Any) -> uuid.UUID:
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))


def _reader(model: type[Any], field: str) -> tuple[list[Any], Callable[[Any], Any]]:
    """The columns to select for `field` and how to get its value from a result row."""
    if field == "full_name":
        first, last = model.first_name, model.last_name

        def full_name(row: Any) -> str:
            return " ".join(p for p in (row.first_name, row.last_name) if p)

        return [first, last], full_name
    column = getattr(model, field)
    return [column], lambda row: getattr(row, field)


def _statement(actor: Actor, rule: ActiveRule, fields: Sequence[str]) -> tuple[Any, Any]:
    model = model_for(rule.match_type)
    columns: dict[str, Any] = {}
    getters: dict[str, Callable[[Any], Any]] = {}
    for field in fields:
        cols, getter = _reader(model, field)
        for c in cols:
            columns[c.key] = c
        getters[field] = getter
    needs_country = hasattr(model, "country") and any(
        f in ("phone", "mobile_phone") for f in fields
    )
    if needs_country:
        columns["country"] = model.country
    extra = [model.external_key] if hasattr(model, "external_key") else []
    shared = (
        select(MatchKey.key)
        .where(MatchKey.rule_id == rule.id)
        .group_by(MatchKey.key)
        .having(func.count() > 1)
    )
    stmt = (
        select(MatchKey.key, type_coerce(model.id, String).label("id"), *extra, *columns.values())
        .join(model, model.id == MatchKey.record_id)
        .where(MatchKey.rule_id == rule.id, MatchKey.key.in_(shared))
        .where(visible(actor, model), model.deleted_at.is_(None))
        .order_by(MatchKey.key, model.id)
    )
    if rule.exclude_inactive:
        stmt = stmt.where(active_clause(rule.match_type))
    case_sensitive = rule.logic.case_sensitive

    def member(row: Any) -> _Member:
        country = row.country if needs_country else None
        values = {
            f: normalise(f, getter(row), country, case_sensitive) for f, getter in getters.items()
        }
        return _Member(row.id, getattr(row, "external_key", None), values)

    return stmt.execution_options(yield_per=_STREAM), member


def _groups(
    session: Session, actor: Actor, rule: ActiveRule, fields: Sequence[str]
) -> Iterator[list[_Member]]:
    """Members of each shared key the actor may read (groups of two or more)."""
    stmt, member = _statement(actor, rule, fields)
    current: str | None = None
    group: list[_Member] = []
    for row in session.execute(stmt):
        if row.key != current:
            if len(group) > 1:
                yield group
            group = []
            current = row.key
        group.append(member(row))
    if len(group) > 1:
        yield group


def _fuzzy_pairs(
    rule: ActiveRule, group: list[_Member], exact: int
) -> Iterator[tuple[int, int, float]]:
    """(i, j, score) of the members whose single "similar" criterion holds."""
    logic = rule.logic
    (crit,) = [c for c in logic.criteria if c.operator == "similar"]
    n = len(logic.criteria)
    idx = [i for i, m in enumerate(group) if m.values[crit.match_field]]
    texts = [group[i].values[crit.match_field] for i in idx]
    if len(texts) < _CDIST_FROM:
        for x, y in combinations(range(len(texts)), 2):
            ratio = fuzz.token_sort_ratio(texts[x], texts[y]) / 100.0
            if ratio >= crit.threshold:
                yield idx[x], idx[y], round((exact + ratio) / n, 4)
        return
    matrix = process.cdist(
        texts,
        texts,
        scorer=fuzz.token_sort_ratio,
        score_cutoff=crit.threshold * 100 - 1e-6,
        dtype=np.float64,
    )
    rows, cols = np.nonzero(np.triu(matrix, k=1))
    for x, y in zip(rows.tolist(), cols.tolist(), strict=True):
        ratio = float(matrix[x, y]) / 100.0
        if ratio >= crit.threshold:
            yield idx[x], idx[y], round((exact + ratio) / n, 4)


def _group_pairs(rule: ActiveRule, group: list[_Member]) -> Iterator[tuple[int, int, float]]:
    logic = rule.logic
    similar = [c for c in logic.criteria if c.operator == "similar"]
    exact = len(logic.criteria) - len(similar)
    if not similar:
        # Sharing the composite key means every criterion holds.
        for i, j in combinations(range(len(group)), 2):
            yield i, j, 1.0
    elif exact and len(similar) == 1 and logic.ignore_blanks:
        yield from _fuzzy_pairs(rule, group, exact)
    else:
        for i, j in combinations(range(len(group)), 2):
            result = score(logic, group[i].values, group[j].values)
            if result is not None:
                yield i, j, result


def _plan(rule: ActiveRule) -> tuple[list[str], int]:
    """The fields a group still has to compare (the shared key vouches for the exact
    criteria on the fast paths), and the group cap."""
    logic = rule.logic
    similar = [c.match_field for c in logic.criteria if c.operator == "similar"]
    if not similar:
        return [], MAX_GROUP
    if len(similar) == 1 and len(logic.criteria) > 1 and logic.ignore_blanks:
        return similar, MAX_FUZZY_GROUP
    return sorted({c.match_field for c in logic.criteria}), MAX_GROUP


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
        fields, cap = _plan(rule)
        for group in _groups(session, actor, rule, fields):
            if len(group) > cap:
                oversized += 1
                group = group[:cap]
            group.sort(key=lambda m: str(m.id))  # hex text and UUIDs sort alike
            for i, j, result in _group_pairs(rule, group):
                a, b = group[i], group[j]
                key = (_uuid(a.id), _uuid(b.id))
                old = best.get(key)
                if old is None or result > old.score:
                    best[key] = Pair(*key, a.external_key, b.external_key, rule.logic.name, result)
            seen += 1
            if progress is not None and seen % GROUPS_PER_CHUNK == 0:
                progress(seen)
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
