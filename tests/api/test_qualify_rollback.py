"""A database failure in the middle of qualify leaves nothing behind: no account, contact
or opportunity, no audit rows, and the lead still open at the same version."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.audit.models import AuditEvent
from leadgate.contacts.models import Contact
from leadgate.leads.models import Lead
from leadgate.opportunities.models import Opportunity
from tests.factories import Api, lead_body, problem_of

_SQLITE = [
    """CREATE TRIGGER contacts_fail_for_test BEFORE INSERT ON contacts
       BEGIN SELECT RAISE(ABORT, 'injected'); END""",
]
_POSTGRES = [
    """CREATE FUNCTION contacts_fail_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'injected'; END $$""",
    """CREATE TRIGGER contacts_fail_for_test BEFORE INSERT ON contacts
       FOR EACH ROW EXECUTE FUNCTION contacts_fail_for_test()""",
]


def _break_contact_inserts(db: Session, dialect: str) -> None:
    """A real database error on the contact insert, after the account is written.
    The trigger lives in the test's transaction, so the rollback removes it."""
    for statement in _SQLITE if dialect == "sqlite" else _POSTGRES:
        db.execute(text(statement))
    db.flush()


def _count(db: Session, model: type, lead_id: uuid.UUID) -> int:
    return (
        db.scalar(
            select(func.count()).select_from(model).where(model.originating_lead_id == lead_id)  # type: ignore[attr-defined]
        )
        or 0
    )


def test_a_failure_inside_qualify_leaves_nothing_half_written(
    admin: Api, db: Session, dialect: str
) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    lead_id = uuid.UUID(lead["id"])
    audit_before = db.scalar(select(func.count()).select_from(AuditEvent))
    _break_contact_inserts(db, dialect)

    response = admin.action(f"/api/v1/leads/{lead['id']}/qualify", {}, etag='"1"')

    problem = problem_of(response, 500, "internal_error")
    assert "injected" not in problem["detail"]  # internals are logged, not shown
    db.expire_all()
    for model in (Account, Contact, Opportunity):
        assert _count(db, model, lead_id) == 0, model.__name__
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audit_before
    stored = db.get(Lead, lead_id)
    assert stored is not None
    assert (stored.state, stored.status, stored.version) == ("open", "new", 1)
    assert stored.qualifying_opportunity_id is None
    fetched = admin.get(f"/api/v1/leads/{lead['id']}")
    assert fetched.headers["ETag"] == '"1"'


def test_the_same_qualify_succeeds_once_the_failure_is_gone(
    admin: Api, db: Session, dialect: str
) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    _break_contact_inserts(db, dialect)
    assert admin.action(f"/api/v1/leads/{lead['id']}/qualify", {}).status_code == 500
    drop = ["DROP TRIGGER contacts_fail_for_test"]
    if dialect == "postgresql":
        drop = ["DROP TRIGGER contacts_fail_for_test ON contacts"]
    for statement in drop:
        db.execute(text(statement))
    db.flush()
    done = admin.action(f"/api/v1/leads/{lead['id']}/qualify", {}, etag='"1"')
    assert done.status_code == 200, done.text
    assert done.json()["account"]["originating_lead_id"] == lead["id"]
    assert _count(db, Account, uuid.UUID(lead["id"])) == 1
