"""Find the duplicates of a record through the published rules and the key index.

Candidates come from `match_keys` (an indexed lookup per rule and key), are
limited to what the actor may read, optionally to active records, and only
then scored. Used on create/update (409 unless the client says
ignore_duplicates), per import row, and by the qualify preview.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core.errors import Conflict
from leadgate.dedup.index import ActiveRule, RuleKeys, published_rules
from leadgate.dedup.keys import blocking_keys, score, side_fields, values_of
from leadgate.dedup.models import MatchKey
from leadgate.dedup.registry import active_clause, label_of, model_for
from leadgate.leads.matching import Match, Matches, simple_matches
from leadgate.leads.models import Lead
from leadgate.security.access import Actor, scoped

MAX_CANDIDATES = 200
MAX_MATCHES = 20


@dataclass
class Duplicate:
    record_type: str
    id: uuid.UUID
    name: str
    score: float
    rules: list[str] = field(default_factory=list)


class DuplicatesFound(Conflict):
    """Create/update refused because published rules found likely duplicates."""

    code = "duplicates_found"
    title = "Possible duplicates"

    def __init__(self, record_type: str, matches: list[Duplicate]) -> None:
        names = ", ".join(f"{m.record_type} {m.name!r}" for m in matches[:5])
        super().__init__(
            f"this {record_type} looks like {len(matches)} existing record(s): {names}; "
            "resend with ignore_duplicates=true to save it anyway"
        )
        self.matches = matches

    def extra(self) -> dict[str, object]:
        return {
            "matches": [
                {
                    "record_type": m.record_type,
                    "id": str(m.id),
                    "name": m.name,
                    "score": m.score,
                    "rules": m.rules,
                }
                for m in self.matches
            ]
        }


# Where candidate ids come from: the index table, or a batch's prefetched copy of it.
Lookup = Callable[[ActiveRule, set[str]], Iterable[uuid.UUID]]


def index_lookup(session: Session) -> Lookup:
    def lookup(rule: ActiveRule, keys: set[str]) -> Iterable[uuid.UUID]:
        return session.scalars(
            select(MatchKey.record_id)
            .where(MatchKey.rule_id == rule.id, MatchKey.key.in_(keys))
            .limit(MAX_CANDIDATES)
        ).all()

    return lookup


# Where candidate records come from: the database, or records a batch already holds,
# limited as the query would limit them (readable by the actor, active when the rule
# excludes inactive records); the ids it knows nothing of are left to the database.
Known = Callable[[ActiveRule, list[uuid.UUID]], tuple[list[Any], list[uuid.UUID]]]


def _candidates(
    session: Session,
    actor: Actor,
    rule: ActiveRule,
    record: Any,
    keys: set[str],
    lookup: Lookup,
    known: Known | None = None,
) -> list[Any]:
    ids = [i for i in set(lookup(rule, keys)) if i != record.id][:MAX_CANDIDATES]
    if not ids:
        return []
    held: list[Any] = []
    if known is not None:
        held, ids = known(rule, ids)
        if not ids:
            return held
    model = model_for(rule.match_type)
    stmt = scoped(actor, model).where(model.id.in_(ids))
    if rule.exclude_inactive:
        stmt = stmt.where(active_clause(rule.match_type))
    return held + list(session.scalars(stmt))


def find_duplicates(
    session: Session,
    actor: Actor,
    record: Any,
    match_type: str | None = None,
    lookup: Lookup | None = None,
    known: Known | None = None,
    prepared: Mapping[uuid.UUID, RuleKeys] | None = None,
) -> list[Duplicate]:
    """Records that published rules say duplicate `record`, best first (`prepared`: the
    record's values and keys per rule id, if the caller has worked them out already)."""
    lookup = lookup or index_lookup(session)
    found: dict[tuple[str, uuid.UUID], Duplicate] = {}
    for rule in published_rules(session):
        if rule.base_type != record.RECORD_TYPE:
            continue
        if match_type is not None and rule.match_type != match_type:
            continue
        logic = rule.logic
        ready = prepared.get(rule.id) if prepared is not None else None
        if ready is not None:
            mine, keys = ready.mine, ready.base
        else:
            mine = values_of(record, side_fields(logic, "base"), logic.case_sensitive)
            keys = blocking_keys(logic, mine, "base")
        if not keys:
            continue
        for other in _candidates(session, actor, rule, record, keys, lookup, known):
            theirs = values_of(other, side_fields(logic, "match"), logic.case_sensitive)
            result = score(logic, mine, theirs)
            if result is None:
                continue
            entry = found.setdefault(
                (rule.match_type, other.id),
                Duplicate(rule.match_type, other.id, label_of(other), result),
            )
            entry.score = max(entry.score, result)
            entry.rules.append(logic.name)
    ranked = sorted(found.values(), key=lambda d: (-d.score, d.record_type, str(d.id)))
    return ranked[:MAX_MATCHES]


def watched_fields(session: Session, record_type: str) -> set[str]:
    """Stored fields whose change can change what `record_type`'s published rules match."""
    fields: set[str] = set()
    for rule in published_rules(session):
        if rule.base_type == record_type:
            fields |= set(side_fields(rule.logic, "base"))
    if "full_name" in fields:
        fields |= {"first_name", "last_name"}
    if fields & {"phone", "mobile_phone"}:
        fields.add("country")  # phones are compared in E.164, which depends on the country
    return fields


def check_duplicates(
    session: Session, actor: Actor, record: Any, changed: Iterable[str] | None = None
) -> None:
    """Raise DuplicatesFound (409) when published rules match `record`.

    On an update (`changed` given) only a change to a watched field triggers the
    check, so editing a record that already has a known duplicate is not blocked.
    """
    if changed is not None and not set(changed) & watched_fields(session, record.RECORD_TYPE):
        return
    matches = find_duplicates(session, actor, record)
    if matches:
        raise DuplicatesFound(record.RECORD_TYPE, matches)


def rules_matcher(session: Session, actor: Actor, lead: Lead) -> Matches:
    """The qualify preview's matcher: the lead's duplicates by the published rules, added to
    the core's same-party matches (same normalised email, phone or company name), so an
    administrator's rules can widen what the preview finds but never hide those."""
    result = simple_matches(session, actor, lead)
    buckets = {"account": result.accounts, "contact": result.contacts, "lead": result.leads}
    for dup in find_duplicates(session, actor, lead):
        bucket = buckets[dup.record_type]
        known = next((m for m in bucket if m.id == dup.id), None)
        if known is None:
            bucket.append(Match(dup.record_type, dup.id, dup.name, list(dup.rules)))
        else:
            known.reasons.extend(r for r in dup.rules if r not in known.reasons)
    return result
