"""The scan's fast paths agree with pair-by-pair scoring: large fuzzy groups (RapidFuzz
cdist), exact-key groups, scoping to what the actor reads and to active records."""

from __future__ import annotations

from itertools import combinations

from sqlalchemy.orm import Session

from leadgate.dedup.index import published_rules
from leadgate.dedup.keys import score, side_fields, values_of
from leadgate.dedup.scan import scan
from leadgate.leads.models import Lead
from leadgate.leads.schemas import DisqualifyRequest, LeadCreate
from leadgate.leads.service import create_lead, disqualify
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.factories import actor

NAMES = [("Ada", "Lovelace"), ("Ada", "Lovelance"), ("Lovelace", "Ada"), ("Grace", "Hopper"),
         ("Grace", "Hoper"), ("Alan", "Turing"), ("Alan", "Turin"), ("Edsger", "Dijkstra"),
         ("Barbara", "Liskov"), ("Barbra", "Liskov"), ("Donald", "Knuth"), ("Ken", "Thompson"),
         ("Kenneth", "Thompson"), ("Margaret", "Hamilton"), ("Margret", "Hamilton"),
         ("Frances", "Allen"), ("Fran", "Allen"), ("Linus", "Torvalds")]  # fmt: skip


def _lead(db: Session, who: Actor, first: str, last: str, **extra: object) -> Lead:
    return create_lead(
        db,
        who,
        LeadCreate.model_validate(
            {"topic": "Seats", "first_name": first, "last_name": last, **extra}
        ),
    )


def _expected(db: Session, leads: list[Lead]) -> dict[frozenset[object], float]:
    """What scoring every pair one by one under the company + similar name rule gives."""
    (rule,) = [r for r in published_rules(db) if "similar name" in r.logic.name]
    logic = rule.logic
    found = {}
    for a, b in combinations(leads, 2):
        va = values_of(a, side_fields(logic, "match"), logic.case_sensitive)
        vb = values_of(b, side_fields(logic, "match"), logic.case_sensitive)
        result = score(logic, va, vb)
        if result is not None:
            found[frozenset({a.id, b.id})] = result
    return found


def test_a_large_fuzzy_group_matches_pair_by_pair_scoring(db: Session) -> None:
    who = actor(db)
    leads = [_lead(db, who, f, last, company_name="Analytical Engines Ltd") for f, last in NAMES]
    assert len(leads) >= 12  # big enough for the cdist path
    expected = _expected(db, leads)
    assert expected  # the data has real matches
    found = {frozenset({p.id_a, p.id_b}): p.score for p in scan(db, who, "lead").pairs}
    assert found == expected


def test_exact_groups_and_scoping(db: Session) -> None:
    admin = actor(db)
    seller = actor(db, Role.SALESPERSON)
    mine = [_lead(db, seller, "Ann", f"Own{n}", email="same@own.example") for n in range(3)]
    theirs = _lead(db, admin, "Bob", "Other", email="same@own.example")
    closed = _lead(db, seller, "Cy", "Closed", phone="+1 212 555 0100", country="US")
    _lead(db, seller, "Di", "Open", phone="(212) 555-0100", country="US")
    disqualify(db, seller, closed.id, DisqualifyRequest(status="lost"), None)
    pairs = scan(db, seller, "lead").pairs
    found = {frozenset({p.id_a, p.id_b}) for p in pairs}
    assert found == {frozenset(pair) for pair in combinations([m.id for m in mine], 2)}
    assert all(p.score == 1.0 and p.rule == "Leads with the same email" for p in pairs)
    everything = {frozenset({p.id_a, p.id_b}) for p in scan(db, admin, "lead").pairs}
    assert frozenset({mine[0].id, theirs.id}) in everything
    assert not any(closed.id in pair for pair in everything)  # inactive leads are left out
