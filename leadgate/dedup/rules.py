"""Use cases of duplicate rules: add, list, publish (at most 5 per base type), unpublish."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from leadgate.audit.recording import add_record, change_record
from leadgate.core.errors import Conflict, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.dedup.index import forget_rules, reindex_rule
from leadgate.dedup.models import DuplicateRule, MatchKey
from leadgate.dedup.registry import matchable_fields
from leadgate.dedup.schemas import RuleCreate
from leadgate.security.access import Actor, ensure, load
from leadgate.security.roles import Op

MAX_PUBLISHED = 5


def add_rule(session: Session, actor: Actor, data: RuleCreate) -> DuplicateRule:
    base_fields, match_fields = matchable_fields(data.base), matchable_fields(data.match)
    criteria = []
    for i, c in enumerate(data.criteria):
        match_field = c.match_field or c.field
        if c.field not in base_fields:
            raise ValidationFailed.on(f"criteria.{i}.field", f"{data.base} has no field {c.field}")
        if match_field not in match_fields:
            raise ValidationFailed.on(
                f"criteria.{i}.match_field", f"{data.match} has no field {match_field}"
            )
        entry: dict[str, object] = {
            "field": c.field,
            "match_field": match_field,
            "operator": c.operator,
        }
        if c.operator in ("first_n", "last_n"):
            entry["n"] = c.n or 3
        if c.operator == "similar":
            entry["threshold"] = c.threshold or 0.85
        criteria.append(entry)
    rule = DuplicateRule(
        id=new_id(),
        name=data.name,
        base_type=data.base,
        match_type=data.match,
        criteria=criteria,
        ignore_blanks=data.ignore_blanks,
        case_sensitive=data.case_sensitive,
        exclude_inactive=data.exclude_inactive,
        published=False,
    )
    add_record(session, actor, rule)
    return rule


def list_rules(session: Session, actor: Actor, base: str | None = None) -> Sequence[DuplicateRule]:
    ensure(actor, "duplicate_rule", Op.READ)
    stmt = select(DuplicateRule).order_by(DuplicateRule.base_type, DuplicateRule.created_at)
    if base:
        stmt = stmt.where(DuplicateRule.base_type == base)
    return session.scalars(stmt).all()


def get_rule(session: Session, actor: Actor, rule_id: uuid.UUID, op: Op) -> DuplicateRule:
    return load(session, actor, DuplicateRule, rule_id, op)


def publish_rule(session: Session, actor: Actor, rule_id: uuid.UUID) -> DuplicateRule:
    rule = get_rule(session, actor, rule_id, Op.WRITE)
    if rule.published:
        return rule
    count = session.scalar(
        select(func.count())
        .select_from(DuplicateRule)
        .where(DuplicateRule.base_type == rule.base_type, DuplicateRule.published.is_(True))
    )
    if (count or 0) >= MAX_PUBLISHED:
        raise Conflict(
            f"{rule.base_type} already has {MAX_PUBLISHED} published duplicate rules; "
            "unpublish one first"
        )
    change_record(session, actor, rule, {"published": True}, action="publish")
    forget_rules(session)
    reindex_rule(session, rule)
    return rule


def unpublish_rule(session: Session, actor: Actor, rule_id: uuid.UUID) -> DuplicateRule:
    rule = get_rule(session, actor, rule_id, Op.WRITE)
    if not rule.published:
        raise Conflict(f"duplicate rule {rule_id} is not published")
    change_record(session, actor, rule, {"published": False}, action="unpublish")
    session.execute(delete(MatchKey).where(MatchKey.rule_id == rule.id))
    forget_rules(session)
    return rule


def reindex_all(session: Session, actor: Actor) -> int:
    """Rebuild every published rule's keys (after a bulk load outside the services)."""
    ensure(actor, "duplicate_rule", Op.WRITE)
    forget_rules(session)
    total = 0
    for rule in session.scalars(select(DuplicateRule).where(DuplicateRule.published.is_(True))):
        total += reindex_rule(session, rule)
    return total
