"""Published rules are read once per transaction, never kept past it."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from leadgate.dedup.index import published_rules
from leadgate.dedup.rules import add_rule, publish_rule, unpublish_rule
from leadgate.dedup.schemas import RuleCreate
from tests.factories import actor

RULE = {
    "name": "Contacts with the same first four of the last name",
    "base": "contact",
    "match": "contact",
    "criteria": [{"field": "last_name", "operator": "first_n", "n": 4}],
}


def test_one_read_per_transaction_and_a_new_transaction_sees_other_sessions(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as worker:
        with worker.begin():
            first = published_rules(worker)
            assert published_rules(worker) is first  # the second read is the cache
        with session_factory() as other, other.begin():
            admin = actor(other)
            rule = add_rule(other, admin, RuleCreate.model_validate(RULE))
            publish_rule(other, admin, rule.id)
        with worker.begin():
            again = published_rules(worker)
            assert again is not first
            assert rule.id in {r.id for r in again}
            assert rule.id not in {r.id for r in first}


def test_publishing_in_the_same_transaction_clears_the_cache(db: Session) -> None:
    admin = actor(db)
    before = {r.id for r in published_rules(db)}
    rule = add_rule(db, admin, RuleCreate.model_validate(RULE))
    publish_rule(db, admin, rule.id)
    assert {r.id for r in published_rules(db)} == before | {rule.id}
    unpublish_rule(db, admin, rule.id)
    assert {r.id for r in published_rules(db)} == before
