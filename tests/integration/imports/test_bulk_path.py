"""The bulk path of lead imports, on both databases: new leads of a batch are written by
one bulk create (Core INSERTs of leads, audit events, match keys, process instances),
and must leave the same rows as creating each lead through `create_lead`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.models import AuditEvent
from leadgate.core.errors import ValidationFailed
from leadgate.dedup.models import MatchKey
from leadgate.imports import service
from leadgate.imports.models import ImportJob
from leadgate.imports.service import ImportOptions, run_job, start_import
from leadgate.imports.targets import TARGETS
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.processes.models import ProcessInstance, StageVisit
from leadgate.security.access import Actor
from tests.factories import actor
from tests.integration.imports.test_import_jobs import leads, outcomes, run, write

# Columns whose values differ between two leads made at different moments.
_PER_RECORD = {"topic", "email", "email_key", "lead_id"}


@pytest.fixture
def who(session_factory: sessionmaker[Session]) -> Actor:
    with session_factory() as session, session.begin():
        return actor(session)


def _created_event(session: Session, record_type: str, record_id: Any) -> AuditEvent:
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.record_type == record_type,
            AuditEvent.record_id == record_id,
            AuditEvent.action == "create",
        )
    )
    assert event is not None, f"no create event for {record_type} {record_id}"
    return event


def _comparable(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if k not in _PER_RECORD}


def test_bulk_created_leads_leave_the_rows_create_lead_leaves(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    text = "Topic,First Name,Last Name,Company,Email,Business Phone,Country,Est. Value,Rating\n"
    text += "Bulk,Ada,Lovelace,Analytical Ltd,bulk@same.example,+44 20 7946 0000,GB,12.50,hot\n"
    job = run(session_factory, who, write(tmp_path, "a.csv", text))
    assert (job.created_count, job.failed_count) == (1, 0)
    (bulk,) = leads(session_factory, email="bulk@same.example")
    with session_factory() as session, session.begin():
        single = create_lead(
            session,
            who.via("import"),
            LeadCreate.model_validate(
                {
                    "topic": "Single",
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "company_name": "Analytical Ltd",
                    "email": "single@same.example",
                    "phone": "+44 20 7946 0000",
                    "country": "GB",
                    "estimated_value": "12.50",
                    "rating": "hot",
                }
            ),
        )
    with session_factory() as session:
        mine, theirs = session.get_one(Lead, bulk.id), session.get_one(Lead, single.id)
        assert (mine.phone_key, mine.company_key, mine.version) == (
            theirs.phone_key, theirs.company_key, theirs.version,
        )  # fmt: skip
        assert mine.created_by_id == who.user_id
        # The lead's audit event: same fields, same values, same actor and channel.
        ours, reference = (_created_event(session, "lead", x) for x in (bulk.id, single.id))
        assert _comparable(ours.changes) == _comparable(reference.changes)
        assert ours.changes["topic"] == [None, "Bulk"]
        assert (ours.actor_id, ours.channel) == (reference.actor_id, reference.channel)
        # Its match keys: one per published lead rule, as for a lead made one by one.
        keys = {
            lead_id: sorted(
                (str(rule), key)
                for rule, key in session.execute(
                    select(MatchKey.rule_id, MatchKey.key).where(MatchKey.record_id == lead_id)
                )
                if not key.startswith("k:bulk") and not key.startswith("k:single")
            )
            for lead_id in (bulk.id, single.id)
        }
        assert keys[bulk.id] == keys[single.id] != []
        # Its process flow: an instance on the first stage, its visit and its audit event.
        instances = {
            lead_id: session.scalar(
                select(ProcessInstance).where(ProcessInstance.lead_id == lead_id)
            )
            for lead_id in (bulk.id, single.id)
        }
        started, reference_instance = instances[bulk.id], instances[single.id]
        assert started is not None
        assert reference_instance is not None
        assert (started.flow_id, started.active_stage, started.path, started.state) == (
            reference_instance.flow_id, reference_instance.active_stage,
            reference_instance.path, reference_instance.state,
        )  # fmt: skip
        visit = session.scalar(select(StageVisit).where(StageVisit.instance_id == started.id))
        assert visit is not None
        assert (visit.record_id, visit.owner_id, visit.exited_at) == (bulk.id, who.user_id, None)
        instance_event = _created_event(session, "process_instance", started.id)
        reference_event = _created_event(session, "process_instance", reference_instance.id)
        assert _comparable(instance_event.changes) == _comparable(reference_event.changes)


def test_a_refused_row_in_a_bulk_batch_leaves_the_others_imported(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    who: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bulk create refuses the batch because of one row; row by row, that row fails
    with the service's reason, the others are created, and rows skipped as duplicates of
    the batch's new leads point to the leads that exist in the end."""
    lead = TARGETS["lead"]

    def refuse_bad(session: Session, who: Actor, data: LeadCreate) -> Lead:
        if data.topic == "Bad":
            raise ValidationFailed.on("topic", "refused by a service check")
        return lead.create(session, who, data)

    def refuse_batch(session: Session, who: Actor, items: list[tuple[Any, LeadCreate]]) -> Any:
        if any(data.topic == "Bad" for _, data in items):
            raise ValidationFailed.on("topic", "refused by a service check")
        assert lead.create_many is not None
        return lead.create_many(session, who, items)

    monkeypatch.setitem(TARGETS, "lead", replace(lead, create=refuse_bad, create_many=refuse_batch))
    text = "Topic,Email\n"
    text += "Good,good@bulk.example\n"
    text += "Bad,bad@bulk.example\n"
    text += "Also good,other@bulk.example\n"
    text += "Copy of good,GOOD@bulk.example\n"
    text += "Copy of bad,bad@bulk.example\n"
    job = run(session_factory, who, write(tmp_path, "b.csv", text))
    result = outcomes(session_factory, job)
    assert {n: o for n, (o, _) in result.items()} == {
        1: "created", 2: "failed", 3: "created", 4: "skipped_duplicate", 5: "failed",
    }  # fmt: skip
    assert result[2][1] == ["topic: refused by a service check"]
    assert result[5][1] == ["duplicate of a row of this file that was refused"]
    (good,) = leads(session_factory, email="good@bulk.example")
    assert leads(session_factory, email="bad@bulk.example") == []
    with session_factory() as session:
        rows = list(service.report_rows(session, who, job.id))
        skipped = next(r for r in rows if r[0] == 4)
    assert skipped[2] == good.id
    assert str(good.id) in skipped[3]
    assert (job.created_count, job.skipped_count, job.failed_count) == (2, 1, 2)


def test_match_keys_of_a_bulk_import_find_later_duplicates(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    first = "Topic,First Name,Last Name,Company,Email,Business Phone,Country\n"
    first += "One,Grace,Hopper,Navy Ltd,grace@navy.example,+1 202 555 0100,US\n"
    run(session_factory, who, write(tmp_path, "1.csv", first))
    # Same phone written differently; same company with a near name; same email.
    second = "Topic,First Name,Last Name,Company,Email,Business Phone,Country\n"
    second += "By phone,Someone,Else,Other Co,x@other.example,(202) 555-0100,US\n"
    second += "By name,Grace,Hoper,Navy Ltd,y@other.example,,\n"
    second += "By email,Nobody,Known,Third Co,GRACE@navy.example,,\n"
    second += "New,Alan,Turing,Bletchley Ltd,alan@park.example,,\n"
    job = run(session_factory, who, write(tmp_path, "2.csv", second))
    result = outcomes(session_factory, job)
    assert [result[n][0] for n in (1, 2, 3, 4)] == [
        "skipped_duplicate", "skipped_duplicate", "skipped_duplicate", "created",
    ]  # fmt: skip
    assert "same phone" in result[1][1][0]
    assert "similar name" in result[2][1][0]
    assert "same email" in result[3][1][0]


def test_duplicates_by_company_and_name_inside_one_batch_are_skipped(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    text = "Topic,First Name,Last Name,Company,Email\n"
    text += "A,Edsger,Dijkstra,Eindhoven BV,e1@tue.example\n"
    text += "B,Edsger,Dijkstra,Eindhoven BV,e2@tue.example\n"
    text += "C,Barbara,Liskov,Eindhoven BV,b@tue.example\n"
    job = run(session_factory, who, write(tmp_path, "c.csv", text))
    result = outcomes(session_factory, job)
    assert [result[n][0] for n in (1, 2, 3)] == ["created", "skipped_duplicate", "created"]
    (first,) = leads(session_factory, email="e1@tue.example")
    assert str(first.id) in result[2][1][0]


def test_a_crash_between_bulk_batches_resumes_to_the_same_end_state(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    who: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With duplicates across batches, a crash after the second batch and a resume give
    the same leads, outcomes and audit events as one uninterrupted run."""
    monkeypatch.setattr(service, "BATCH_SIZE", 4)

    def text(vendor: str) -> str:
        rows = [f"Topic {i},p{i % 7}@{vendor}.example,r{i:02d}\n" for i in range(14)]
        return "Topic,Email,External Key\n" + "".join(rows)

    def state(vendor: str, job_id: Any) -> tuple[Any, ...]:
        with session_factory() as session:
            found = session.scalars(
                select(Lead).where(Lead.list_vendor == vendor).order_by(Lead.external_key)
            ).all()
            events = session.scalars(
                select(AuditEvent.record_id).where(
                    AuditEvent.record_id.in_([x.id for x in found]), AuditEvent.action == "create"
                )
            ).all()
            job = session.get_one(ImportJob, job_id)
            counts = (job.state, job.rows_done, job.created_count, job.skipped_count)
        done = outcomes(session_factory, job)
        return (
            [(x.external_key, x.topic) for x in found],
            len(events),
            counts,
            {n: o for n, (o, _) in done.items()},
        )

    whole = run(session_factory, who, write(tmp_path, "w.csv", text("whole")), list_vendor="whole")
    path = write(tmp_path, "c.csv", text("cut"))
    with session_factory() as session, session.begin():
        job = start_import(session, who, path, path.name, ImportOptions("lead", list_vendor="cut"))

    def crash(progress: ImportJob) -> None:
        if progress.rows_done >= 8:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        run_job(session_factory, who, job.id, progress=crash)
    run_job(session_factory, who, job.id)
    assert state("cut", job.id) == state("whole", whole.id)
    assert state("cut", job.id)[2] == ("completed", 14, 7, 7)


def _stored(session: Session, table: Any, where: Any, skip: set[str]) -> dict[str, Any]:
    """Every column of one row as the database stores it (as text: a JSON null and an
    SQL NULL differ), but the columns in `skip`."""
    columns = [c for c in table.c if c.name not in skip]
    row = session.execute(select(*(cast(c, String).label(c.name) for c in columns)).where(where))
    return dict(row.one()._mapping)


def test_bulk_created_rows_store_every_column_as_single_creates_do(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    """Column by column, as stored: the lead, its process instance and first visit, and
    both "create" audit events (but ids, times and what names the lead)."""
    text = "Topic,First Name,Last Name,Company,Email,Business Phone,Country,Est. Value,Rating\n"
    text += "Bulk,Ada,Lovelace,Analytical Ltd,raw@same.example,+44 20 7946 0001,GB,12.50,hot\n"
    run(session_factory, who, write(tmp_path, "raw.csv", text))
    (bulk,) = leads(session_factory, email="raw@same.example")
    with session_factory() as session, session.begin():
        data = {"topic": "Bulk", "first_name": "Ada", "last_name": "Lovelace",
                "company_name": "Analytical Ltd", "email": "raw@same.example",
                "phone": "+44 20 7946 0001", "country": "GB", "estimated_value": "12.50",
                "rating": "hot"}  # fmt: skip
        single = create_lead(session, who.via("import"), LeadCreate.model_validate(data))
    times = {"id", "created_at", "updated_at"}
    with session_factory() as session:
        lead_table, instance_table = Lead.__table__, ProcessInstance.__table__
        visit_table, event_table = StageVisit.__table__, AuditEvent.__table__
        assert _stored(session, lead_table, lead_table.c.id == bulk.id, times) == _stored(
            session, lead_table, lead_table.c.id == single.id, times
        )
        instances = [
            session.scalars(select(ProcessInstance.id).where(ProcessInstance.lead_id == x)).one()
            for x in (bulk.id, single.id)
        ]
        stored = [
            _stored(session, instance_table, instance_table.c.id == i, times | {"lead_id"})
            for i in instances
        ]
        assert stored[0] == stored[1]
        visit_skip = {"id", "instance_id", "record_id", "entered_at"}
        visits = [
            _stored(session, visit_table, visit_table.c.instance_id == i, visit_skip)
            for i in instances
        ]
        assert visits[0] == visits[1]
        event_skip = {"id", "record_id", "occurred_at", "changes"}
        for record_type, ids in (("lead", (bulk.id, single.id)), ("process_instance", instances)):
            events = [
                _stored(
                    session,
                    event_table,
                    (event_table.c.record_id == i) & (event_table.c.record_type == record_type),
                    event_skip,
                )
                for i in ids
            ]
            assert events[0] == events[1]
