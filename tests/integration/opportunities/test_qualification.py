"""Qualification through the service layer: one unit of work the caller commits or rolls
back, audited record by record, with a replaceable matcher."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.audit.models import AuditEvent
from leadgate.contacts.models import Contact
from leadgate.leads import matching
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.qualification import preview, qualify
from leadgate.opportunities.schemas import QualifyRequest
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.factories import actor, lead_body


@pytest.fixture
def seller(db: Session) -> Actor:
    return actor(db, Role.SALESPERSON).via("cli")


def _originated(db: Session, lead: Lead) -> dict[str, int]:
    return {
        model.__name__: db.scalar(
            select(func.count()).select_from(model).where(model.originating_lead_id == lead.id)
        )
        or 0
        for model in (Account, Contact, Opportunity)
    }


def test_qualify_audits_every_record_it_writes(db: Session, seller: Actor) -> None:
    lead = create_lead(db, seller, LeadCreate.model_validate(lead_body()))
    done = qualify(db, seller, lead.id, QualifyRequest(), expected_version=1)
    assert done.account is not None
    assert done.contact is not None
    assert done.opportunity is not None
    records = [
        ("account", done.account.id, "create"),
        ("contact", done.contact.id, "create"),
        ("opportunity", done.opportunity.id, "create"),
        ("lead", lead.id, "transition:qualify"),
    ]
    for record_type, record_id, action in records:
        event = db.scalar(
            select(AuditEvent).where(AuditEvent.record_id == record_id, AuditEvent.action == action)
        )
        assert event is not None, (record_type, action)
        assert (event.record_type, event.channel, event.actor_id) == (
            record_type,
            "cli",
            seller.user_id,
        )
    assert done.account.owner_id == done.opportunity.owner_id == seller.user_id
    assert _originated(db, lead) == {"Account": 1, "Contact": 1, "Opportunity": 1}


def test_a_failure_rolls_back_everything_the_unit_of_work_wrote(
    db: Session, seller: Actor, dialect: str
) -> None:
    lead = create_lead(db, seller, LeadCreate.model_validate(lead_body()))
    if dialect == "sqlite":
        db.execute(
            text(
                "CREATE TRIGGER opportunities_fail_for_test BEFORE INSERT ON opportunities "
                "BEGIN SELECT RAISE(ABORT, 'injected'); END"
            )
        )
    else:
        db.execute(
            text(
                "CREATE FUNCTION opportunities_fail_for_test() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$"
            )
        )
        db.execute(
            text(
                "CREATE TRIGGER opportunities_fail_for_test BEFORE INSERT ON opportunities "
                "FOR EACH ROW EXECUTE FUNCTION opportunities_fail_for_test()"
            )
        )
    audit_before = db.scalar(select(func.count()).select_from(AuditEvent))
    unit = db.begin_nested()  # what a router's `session.begin()` is inside a test
    with pytest.raises(DBAPIError, match="injected"):
        qualify(db, seller, lead.id, QualifyRequest())
    unit.rollback()
    db.expire_all()
    # Account and contact were flushed before the opportunity failed; none survive.
    assert _originated(db, lead) == {"Account": 0, "Contact": 0, "Opportunity": 0}
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audit_before
    stored = db.get(Lead, lead.id)
    assert stored is not None
    assert (stored.state, stored.version, stored.qualifying_opportunity_id) == ("open", 1, None)


def test_the_matcher_can_be_replaced(
    db: Session, seller: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = create_lead(db, seller, LeadCreate.model_validate(lead_body()))
    seen: list[Lead] = []

    def rules_engine(_session: Session, _actor: Actor, target: Lead) -> matching.Matches:
        seen.append(target)
        found = matching.Matches()
        found.leads.append(matching.Match("lead", target.id, "itself", ["custom rule"]))
        return found

    monkeypatch.setattr(matching, "_matcher", matching.simple_matches)
    matching.set_matcher(rules_engine)
    _, plan, matches = preview(db, seller, lead.id)
    assert seen == [lead]
    assert [m.reasons for m in matches.leads] == [["custom rule"]]
    assert [record_type for record_type, _ in plan.records] == [
        "account",
        "contact",
        "opportunity",
    ]


def test_the_qualify_event_records_the_links_it_sets_on_the_lead(
    db: Session, seller: Actor
) -> None:
    from leadgate.accounts.schemas import AccountCreate
    from leadgate.accounts.service import create_account
    from tests.factories import account_body

    existing = create_account(db, seller, AccountCreate.model_validate(account_body()))
    lead = create_lead(db, seller, LeadCreate.model_validate(lead_body()))
    request = QualifyRequest(create_account=False, existing_account_id=existing.id)
    done = qualify(db, seller, lead.id, request)
    assert done.opportunity is not None
    event = db.scalar(
        select(AuditEvent).where(
            AuditEvent.record_id == lead.id, AuditEvent.action == "transition:qualify"
        )
    )
    assert event is not None
    assert event.changes == {
        "state": ["open", "qualified"],
        "status": ["new", "qualified"],
        "qualifying_opportunity_id": [None, str(done.opportunity.id)],
        "existing_account_id": [None, str(existing.id)],
    }
