"""Merging leads moves every child link to the master; undo moves each one back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.activities.models import Activity, ActivityParty, Note
from leadgate.activities.schemas import ActivityCreate, NoteCreate, PartyIn
from leadgate.activities.service import create_activity, create_note
from leadgate.audit.models import AuditEvent
from leadgate.contacts.models import Contact
from leadgate.dedup.merge import merge, undo_merge
from leadgate.dedup.schemas import MergeRequest
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.qualification import qualify
from leadgate.opportunities.schemas import QualifyRequest
from tests.factories import actor


def test_lead_merge_and_undo(db: Session) -> None:
    who = actor(db)
    master = create_lead(db, who, LeadCreate(topic="Seats", last_name="Lovelace"))
    other = create_lead(
        db, who, LeadCreate(topic="Seats again", last_name="Lovelace", company_name="Engines",
                            email="ada@engines.example")
    )  # fmt: skip
    call = create_activity(
        db, who, ActivityCreate(type="phone_call", subject="Called", regarding_type="lead",
                                regarding_id=other.id,
                                participants=[PartyIn(role="to", party_type="lead",
                                                      party_id=other.id)])
    )  # fmt: skip
    note = create_note(db, who, NoteCreate(text="Met at fair", regarding_type="lead",
                                           regarding_id=other.id))  # fmt: skip
    done = qualify(db, who, other.id, QualifyRequest())
    assert done.opportunity is not None
    record = merge(
        db, who, MergeRequest(record_type="lead", master_id=master.id, other_id=other.id,
                              prefer_other=["topic"])
    )  # fmt: skip
    db.expire_all()
    assert db.get_one(Lead, master.id).topic == "Seats again"
    assert db.get_one(Lead, master.id).email == "ada@engines.example"  # a blank filled
    assert db.get_one(Activity, call.id).regarding_id == master.id
    assert (
        db.scalar(select(ActivityParty.party_id).where(ActivityParty.activity_id == call.id))
        == master.id
    )
    assert db.get_one(Note, note.id).regarding_id == master.id
    assert db.get_one(Opportunity, done.opportunity.id).originating_lead_id == master.id
    assert db.get_one(Account, done.account.id).originating_lead_id == master.id  # type: ignore[union-attr]
    assert db.get_one(Contact, done.contact.id).originating_lead_id == master.id  # type: ignore[union-attr]
    gone = db.get_one(Lead, other.id)
    assert (gone.merged_into_id, gone.deleted_at is not None) == (master.id, True)
    actions = set(
        db.scalars(select(AuditEvent.action).where(AuditEvent.record_id.in_([master.id, other.id])))
    )
    assert {"merge", "merged_into"} <= actions

    undo_merge(db, who, record.id)
    db.expire_all()
    back = db.get_one(Lead, master.id)
    assert (back.topic, back.email) == ("Seats", None)
    assert db.get_one(Activity, call.id).regarding_id == other.id
    assert (
        db.scalar(select(ActivityParty.party_id).where(ActivityParty.activity_id == call.id))
        == other.id
    )
    assert db.get_one(Note, note.id).regarding_id == other.id
    assert db.get_one(Opportunity, done.opportunity.id).originating_lead_id == other.id
    restored = db.get_one(Lead, other.id)
    assert (restored.merged_into_id, restored.deleted_at) == (None, None)
