"""The audit log: every create, update (old → new of changed fields only), delete and
transition, with actor and channel; append-only in the ORM and in the database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leadgate.audit.models import AppendOnlyViolation, AuditEvent
from leadgate.leads import service
from leadgate.leads.schemas import DisqualifyRequest, LeadCreate, LeadUpdate
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.factories import actor, lead_body


def _events(db: Session, record_id: Any) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.record_id == record_id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return list(db.scalars(stmt))


@pytest.fixture
def seller(db: Session) -> Actor:
    return actor(db, Role.SALESPERSON)


def test_create_logs_every_non_empty_field(db: Session, seller: Actor) -> None:
    lead = service.create_lead(db, seller, LeadCreate.model_validate(lead_body(topic="50 seats")))
    (event,) = _events(db, lead.id)
    assert (event.action, event.record_type, event.channel) == ("create", "lead", "api")
    assert event.actor_id == seller.user_id
    assert event.changes["topic"] == [None, "50 seats"]
    assert event.changes["estimated_value"] == [None, "12000.50"]
    assert event.changes["owner_id"] == [None, str(seller.user_id)]
    assert event.changes["state"] == [None, "open"]
    assert "job_title" not in event.changes  # empty fields are not logged
    for noise in ("version", "updated_at", "created_at", "id"):
        assert noise not in event.changes
    assert event.occurred_at.tzinfo is not None


def test_update_logs_old_and_new_of_changed_fields_only(db: Session, seller: Actor) -> None:
    lead = service.create_lead(db, seller, LeadCreate.model_validate(lead_body(rating="hot")))
    same_topic = lead.topic
    service.update_lead(
        db,
        seller,
        lead.id,
        LeadUpdate(rating="cold", topic=same_topic, job_title="CFO"),  # type: ignore[arg-type]
        expected_version=1,
    )
    event = _events(db, lead.id)[-1]
    assert event.action == "update"
    assert event.changes == {"rating": ["hot", "cold"], "job_title": [None, "CFO"]}
    assert lead.version == 2


def test_an_update_that_changes_nothing_logs_nothing(db: Session, seller: Actor) -> None:
    lead = service.create_lead(db, seller, LeadCreate.model_validate(lead_body(rating="hot")))
    service.update_lead(db, seller, lead.id, LeadUpdate(rating="hot"), expected_version=1)  # type: ignore[arg-type]
    assert [e.action for e in _events(db, lead.id)] == ["create"]


def test_delete_and_transitions_are_logged_with_the_channel(db: Session, seller: Actor) -> None:
    cli = seller.via("cli")
    lead = service.create_lead(db, cli, LeadCreate.model_validate(lead_body()))
    service.disqualify(db, cli, lead.id, DisqualifyRequest(status="cannot_contact", reason="gone"))
    service.reactivate(db, seller, lead.id)
    service.delete_lead(db, seller, lead.id, expected_version=3)
    logged = _events(db, lead.id)
    # The lead's process flow reacts in the same transaction and logs on the lead too.
    assert ("process_aborted", "cli") in [(e.action, e.channel) for e in logged]
    events = [e for e in logged if not e.action.startswith("process_")]
    assert [(e.action, e.channel) for e in events] == [
        ("create", "cli"),
        ("transition:disqualify", "cli"),
        ("transition:reactivate", "api"),
        ("delete", "api"),
    ]
    disqualified = events[1]
    assert disqualified.changes == {
        "state": ["open", "disqualified"],
        "status": ["new", "cannot_contact"],
        "status_reason": [None, "gone"],
    }
    assert disqualified.summary == "gone"
    assert events[3].changes["topic"] == [lead.topic, None]
    assert {e.actor_id for e in events} == {seller.user_id}


def test_an_audit_row_cannot_be_changed_or_deleted_through_the_orm(
    db: Session, seller: Actor
) -> None:
    lead = service.create_lead(db, seller, LeadCreate.model_validate(lead_body()))
    db.flush()
    (event,) = _events(db, lead.id)
    savepoint = db.begin_nested()
    event.summary = "tampered"
    with pytest.raises(AppendOnlyViolation):
        db.flush()
    savepoint.rollback()
    (event,) = _events(db, lead.id)
    savepoint = db.begin_nested()
    db.delete(event)
    with pytest.raises(AppendOnlyViolation):
        db.flush()
    savepoint.rollback()
    db.expire_all()
    assert [e.summary for e in _events(db, lead.id)] == [""]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET summary = 'tampered' WHERE record_id = :id",
        "UPDATE audit_events SET actor_id = NULL WHERE record_id = :id",
        "DELETE FROM audit_events WHERE record_id = :id",
    ],
)
def test_the_database_refuses_raw_sql_changes_to_audit_rows(
    db: Session, seller: Actor, statement: str
) -> None:
    lead = service.create_lead(db, seller, LeadCreate.model_validate(lead_body()))
    db.flush()
    record_id = lead.id.hex if db.bind.dialect.name == "sqlite" else lead.id  # type: ignore[union-attr]
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement), {"id": record_id})
    db.expire_all()
    (event,) = _events(db, lead.id)
    assert (event.summary, event.actor_id) == ("", seller.user_id)
