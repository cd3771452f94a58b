"""Duplicate detection through the default rules and the key index, on both databases."""

from __future__ import annotations

import random
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.accounts.schemas import AccountCreate
from leadgate.accounts.service import create_account
from leadgate.contacts.schemas import ContactCreate
from leadgate.contacts.service import create_contact
from leadgate.dedup.detection import find_duplicates
from leadgate.dedup.models import MatchKey
from leadgate.dedup.scan import scan
from leadgate.leads.matching import find_matches
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.leads.service import create_lead, update_lead
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.factories import actor

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson"]


def lead(session: Session, who: Actor, **fields: object) -> Lead:
    return create_lead(session, who, LeadCreate.model_validate({"topic": "Seats", **fields}))


def test_keys_follow_creates_and_updates(db: Session) -> None:
    who = actor(db)
    a = lead(db, who, email="ada@x.example", first_name="Ada", last_name="L")
    keys = db.scalars(select(MatchKey.key).where(MatchKey.record_id == a.id)).all()
    assert any("ada@x.example" in k for k in keys)
    update_lead(db, who, a.id, LeadUpdate(email="ada@y.example"), None)
    keys = db.scalars(select(MatchKey.key).where(MatchKey.record_id == a.id)).all()
    assert any("ada@y.example" in k for k in keys)
    assert not any("ada@x.example" in k for k in keys)


def test_same_email_and_reformatted_phone_are_found(db: Session) -> None:
    who = actor(db)
    first = lead(db, who, email="Ada@Engines.example", phone="+1 415 555 0101", country="US")
    by_email = lead(db, who, email="ada@engines.example")
    by_phone = lead(db, who, phone="(415) 555-0101", country="US")
    other = lead(db, who, email="grace@navy.example", phone="+1 212 555 0199")
    assert [d.id for d in find_duplicates(db, who, by_email)] == [first.id]
    assert [d.id for d in find_duplicates(db, who, by_phone)] == [first.id]
    assert find_duplicates(db, who, other) == []


def test_lead_matches_contacts_and_accounts_and_the_preview_uses_the_rules(db: Session) -> None:
    who = actor(db)
    account = create_account(db, who, AccountCreate(name="Analytical Engines Ltd"))
    contact = create_contact(db, who, ContactCreate(last_name="Lovelace", email="ada@ae.example"))
    new = lead(db, who, company_name="ANALYTICAL ENGINES", email="ADA@ae.example")
    matches = find_matches(db, who, new)
    assert [m.id for m in matches.accounts] == [account.id]
    assert [m.id for m in matches.contacts] == [contact.id]
    # The rule's name joins the core's own same-party reason.
    assert matches.accounts[0].reasons == [
        "same company name",
        "Lead with the company of an account",
    ]


def test_inactive_leads_are_excluded(db: Session) -> None:
    who = actor(db)
    old = lead(db, who, email="ada@x.example")
    old.state = "disqualified"
    db.flush()
    new = lead(db, who, email="ada@x.example")
    assert find_duplicates(db, who, new) == []


def test_matches_are_limited_to_what_the_actor_may_read(db: Session) -> None:
    owner = actor(db, Role.SALESPERSON)
    stranger = actor(db, Role.SALESPERSON)
    lead(db, owner, email="ada@x.example")
    mine = lead(db, stranger, email="ada@x.example")
    assert find_duplicates(db, stranger, mine) == []


def _generated(db: Session, who: Actor) -> set[frozenset[uuid.UUID]]:
    """Originals with one known duplicate each (typo, swap, reformatted phone),
    plus colleagues at the same company who are not duplicates."""
    rng = random.Random(8)
    truth: set[frozenset[uuid.UUID]] = set()
    for i in range(40):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"Company {i} Ltd"
        original = lead(
            db,
            who,
            first_name=first,
            last_name=last,
            company_name=company,
            email=f"{first}.{last}{i}@corp{i}.example".lower(),
            phone=f"+1 415 555 {i:04d}",
            country="US",
        )
        kind = i % 4
        if kind == 0:  # same email in another case, typo in the last name
            dup = lead(
                db, who, first_name=first, last_name=last[:-1] + "x",
                email=original.email.upper() if original.email else None,
            )  # fmt: skip
        elif kind == 1:  # the phone written differently
            dup = lead(
                db, who, first_name=first, last_name=last, phone=f"(415) 555-{i:04d}",
                country="US",
            )  # fmt: skip
        elif kind == 2:  # swapped names at the same company
            dup = lead(db, who, first_name=last, last_name=first, company_name=f"{company}.")
        else:  # a typo in the name at the same company, new email
            dup = lead(
                db, who, first_name=first, last_name=last[:-2] + last[-1] + last[-2],
                company_name=company.upper(), email=f"x{i}@other.example",
            )  # fmt: skip
        truth.add(frozenset({original.id, dup.id}))
        # A colleague at the same company: a different person.
        lead(db, who, first_name="Zed", last_name=f"Colleague{i}", company_name=company)
    return truth


def test_scan_finds_the_known_duplicates(db: Session) -> None:
    who = actor(db)
    truth = _generated(db, who)
    result = scan(db, who, "lead")
    found = {frozenset({p.id_a, p.id_b}) for p in result.pairs}
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth)
    print(f"duplicate scan: {len(found)} pairs, precision {precision:.3f}, recall {recall:.3f}")
    assert recall >= 0.95
    assert precision >= 0.95
    assert db.scalar(select(func.count()).select_from(MatchKey)) > 0
