"""Import jobs on both databases: conversion, upsert, duplicates, dry run, bad rows,
crash and resume, undo, XLSX."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.models import AuditEvent
from leadgate.core.errors import Conflict, ValidationFailed
from leadgate.imports import service
from leadgate.imports.models import ImportJob, ImportRow
from leadgate.imports.service import ImportOptions, run_job, start_import, undo_import
from leadgate.imports.targets import TARGETS
from leadgate.leads.models import Lead
from leadgate.security.access import Actor
from tests.factories import actor

DYNAMICS_HEADER = "Topic;First Name;Last Name;Company Name;Email;Business Phone;Country/Region;"
DYNAMICS_HEADER += "Est. Value;Est. Close Date;Rating;Do not allow Emails;Lead Number"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def who(session_factory: sessionmaker[Session]) -> Actor:
    with session_factory() as session, session.begin():
        return actor(session)


def run(factory: sessionmaker[Session], who: Actor, path: Path, **options: Any) -> ImportJob:
    with factory() as session, session.begin():
        job = start_import(
            session, who, path, path.name, ImportOptions(**{"record_type": "lead", **options})
        )
    run_job(factory, who, job.id)
    with factory() as session:
        return session.get_one(ImportJob, job.id)


def leads(factory: sessionmaker[Session], **where: Any) -> list[Lead]:
    with factory() as session:
        stmt = select(Lead).where(Lead.deleted_at.is_(None)).order_by(Lead.external_key)
        for name, value in where.items():
            stmt = stmt.where(getattr(Lead, name) == value)
        return list(session.scalars(stmt))


def outcomes(factory: sessionmaker[Session], job: ImportJob) -> dict[int, tuple[str, list[str]]]:
    with factory() as session:
        rows = session.scalars(select(ImportRow).where(ImportRow.job_id == job.id))
        return {r.row_number: (r.outcome, r.errors or []) for r in rows}


def test_latin1_semicolon_file_with_dynamics_headers(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    text = DYNAMICS_HEADER + "\n"
    text += "Café seats;José;Müller;Zürich AG;jose@zurich.example;+41 44 000 00 00;Switzerland;"
    text += "12.000,50;31/12/2026;Hot;Yes;V-1\n"
    path = write(tmp_path, "leads.csv", text, "latin-1")
    job = run(session_factory, who, path, list_vendor="acme-lists")
    assert (job.state, job.created_count, job.failed_count) == ("completed", 1, 0)
    (lead,) = leads(session_factory, list_vendor="acme-lists")
    assert lead.topic == "Café seats"
    assert lead.last_name == "Müller"
    assert lead.estimated_value == Decimal("12000.50")
    assert lead.estimated_close_date.isoformat() == "2026-12-31"  # type: ignore[union-attr]
    assert (lead.rating, lead.do_not_email, lead.country) == ("hot", True, "CH")
    assert lead.external_key == "V-1"


def test_reimport_of_a_vendor_file_updates_and_appends(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    header = "Topic,Last Name,Email,Lead Number\n"
    first = write(tmp_path, "a.csv", header + "T1,One,one@x.example,K1\nT2,Two,two@x.example,K2\n")
    run(session_factory, who, first, list_vendor="v")
    second = write(
        tmp_path, "b.csv", header + "T1 again,One,one@x.example,K1\nT3,Three,three@x.example,K3\n"
    )
    job = run(session_factory, who, second, list_vendor="v")
    assert (job.created_count, job.updated_count) == (1, 1)
    assert [
        (lead.external_key, lead.topic) for lead in leads(session_factory, list_vendor="v")
    ] == [
        ("K1", "T1 again"),
        ("K2", "T2"),
        ("K3", "T3"),
    ]


@pytest.mark.parametrize(
    ("policy", "expected_outcome", "lead_count"),
    [("skip", "skipped_duplicate", 1), ("update", "updated", 1), ("create", "created", 2)],
)
def test_duplicate_handling(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    who: Actor,
    policy: str,
    expected_outcome: str,
    lead_count: int,
) -> None:
    run(session_factory, who, write(tmp_path, "a.csv", "Topic,Email\nFirst,dup@x.example\n"))
    job = run(
        session_factory,
        who,
        write(tmp_path, "b.csv", "Topic,Email\nSecond,DUP@x.example\n"),
        on_duplicate=policy,
    )
    assert outcomes(session_factory, job)[1][0] == expected_outcome
    assert len(leads(session_factory, email="dup@x.example")) == lead_count


def test_bad_rows_are_refused_with_reasons_and_the_rest_imported(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    text = "Topic,Email,Est. Close Date,Rating\n"
    text += "Good,good@x.example,2026-01-31,warm\n"
    text += "Ragged,r@x.example,2026-01-31,warm,extra\n"
    text += '=HYPERLINK("http://evil"),f@x.example,,\n'
    text += "Far future,ff@x.example,3000-01-01,\n"
    text += "Bad email,not-an-email,,\n"
    text += "Bad option,o@x.example,,scorching\n"
    text += ("x" * 301) + ",long@x.example,,\n"
    job = run(session_factory, who, write(tmp_path, "bad.csv", text))
    result = outcomes(session_factory, job)
    assert result[1] == ("created", [])
    assert {n: o for n, (o, _) in result.items()} == {
        1: "created",
        2: "failed",
        3: "failed",
        4: "failed",
        5: "failed",
        6: "failed",
        7: "failed",
    }
    assert "header has 4" in result[2][1][0]
    assert result[3][1][0].startswith("topic: holds a formula")
    assert result[4][1][0].startswith("estimated_close_date: date out of range")
    assert result[5][1][0].startswith("email:")
    assert result[6][1][0].startswith("rating: unknown option")
    assert result[7][1][0].startswith("topic:")
    assert (job.created_count, job.failed_count) == (1, 6)
    # A row without errors or earlier values stores SQL NULL there, not JSON 'null'.
    with session_factory() as session:
        empty = session.execute(
            select(ImportRow.errors.is_(None), ImportRow.before.is_(None)).where(
                ImportRow.job_id == job.id, ImportRow.row_number == 1
            )
        ).one()
    assert tuple(empty) == (True, True)


def test_dry_run_writes_nothing_but_reports(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    path = write(tmp_path, "a.csv", "Topic,Email\nA,a@x.example\nB,\n")
    job = run(session_factory, who, path, dry_run=True)
    assert (job.state, job.created_count) == ("completed", 2)
    assert leads(session_factory, topic="A") == []


def test_unmapped_required_field_refuses_the_file(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    path = write(tmp_path, "a.csv", "Email,Shoe size\na@x.example,44\n")
    with session_factory() as session, pytest.raises(ValidationFailed) as caught:
        start_import(session, who, path, path.name, ImportOptions("lead"))
    assert caught.value.errors[0].field == "mapping.topic"
    wide_path = write(tmp_path, "w.csv", ",".join(f"c{i}" for i in range(16_000)) + "\n")
    with session_factory() as session, pytest.raises(ValidationFailed) as wide:
        start_import(session, who, wide_path, "w.csv", ImportOptions("lead"))
    assert "16000 columns" in wide.value.detail


def test_zip_bomb_posing_as_xlsx_is_refused(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    with session_factory() as session, pytest.raises(ValidationFailed) as caught:
        start_import(session, who, path, path.name, ImportOptions("lead"))
    assert "zip bomb" in caught.value.detail


def test_xlsx_import(tmp_path: Path, session_factory: sessionmaker[Session], who: Actor) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Lead Name", "Company", "Email Address", "Annual Revenue", "Phone Number"])
    sheet.append(["From Salesforce", "Initech", "peter@initech.example", 1250000.5, 14155550123])
    path = tmp_path / "sf.xlsx"
    book.save(path)
    job = run(session_factory, who, path)
    assert job.created_count == 1, outcomes(session_factory, job)
    (lead,) = leads(session_factory, email="peter@initech.example")
    assert (lead.topic, lead.company_name) == ("From Salesforce", "Initech")
    assert lead.annual_revenue == Decimal("1250000.5")
    assert lead.phone == "14155550123"


def _state(factory: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    return [(x.external_key, x.topic, x.email) for x in leads(factory, list_vendor="crash")]


def test_crash_mid_import_resumes_to_the_same_end_state(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    who: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "BATCH_SIZE", 3)
    rows = "".join(f"Topic {i},k{i:02d},p{i}@crash.example\n" for i in range(10))
    path = write(tmp_path, "c.csv", "Topic,External Key,Email\n" + rows)
    with session_factory() as session, session.begin():
        job = start_import(
            session, who, path, path.name, ImportOptions("lead", list_vendor="crash")
        )

    def crash(progress: ImportJob) -> None:
        if progress.rows_done >= 6:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        run_job(session_factory, who, job.id, progress=crash)
    assert len(_state(session_factory)) == 3  # the first batch committed, the second did not
    run_job(session_factory, who, job.id)
    with session_factory() as session:
        done = session.get_one(ImportJob, job.id)
        assert (done.state, done.rows_done, done.created_count) == ("completed", 10, 10)
        assert (
            session.scalar(
                select(func.count()).select_from(ImportRow).where(ImportRow.job_id == job.id)
            )
            == 10
        )
    assert _state(session_factory) == [
        (f"k{i:02d}", f"Topic {i}", f"p{i}@crash.example") for i in range(10)
    ]


def test_undo_restores_the_previous_state(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    header = "Topic,External Key,Email,Est. Value\n"
    run(
        session_factory,
        who,
        write(tmp_path, "a.csv", header + "Old,k1,a@u.example,10\n"),
        list_vendor="u",
    )
    before = [
        (x.topic, x.estimated_value, x.email) for x in leads(session_factory, list_vendor="u")
    ]
    job = run(
        session_factory,
        who,
        write(tmp_path, "b.csv", header + "New,k1,a@u.example,20\nAdded,k2,b@u.example,5\n"),
        list_vendor="u",
    )
    assert (job.created_count, job.updated_count) == (1, 1)
    with session_factory() as session, session.begin():
        undo_import(session, who, job.id)
    after = [(x.topic, x.estimated_value, x.email) for x in leads(session_factory, list_vendor="u")]
    assert after == before
    with session_factory() as session, session.begin(), pytest.raises(Conflict, match="undone"):
        undo_import(session, who, job.id)


def test_duplicates_inside_one_file_are_caught(
    tmp_path: Path, session_factory: sessionmaker[Session], who: Actor
) -> None:
    text = "Topic,Email,External Key\nA,same@f.example,f1\nB,SAME@f.example,f2\nC,c@f.example,f1\n"
    job = run(session_factory, who, write(tmp_path, "f.csv", text), list_vendor="f")
    assert [o for o, _ in outcomes(session_factory, job).values()] == [
        "created", "skipped_duplicate", "updated",
    ]  # fmt: skip
    assert [(x.external_key, x.topic) for x in leads(session_factory, list_vendor="f")] == [
        ("f1", "C")
    ]


def test_batched_creates_are_audited_and_fall_back_row_by_row(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    who: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = run(session_factory, who, write(tmp_path, "a.csv", "Topic,Email\nA,a@audit.example\n"))
    (lead,) = leads(session_factory, email="a@audit.example")
    with session_factory() as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.record_id == lead.id, AuditEvent.action == "create")
        )
        assert event is not None
        assert (event.channel, event.changes["topic"]) == ("import", [None, "A"])

    def refuse(*_: Any) -> None:
        raise ValidationFailed.on("owner_id", "refused in bulk")

    monkeypatch.setitem(TARGETS, "lead", replace(TARGETS["lead"], create_many=refuse))
    job = run(session_factory, who, write(tmp_path, "b.csv", "Topic,Email\nB,b@audit.example\n"))
    assert outcomes(session_factory, job)[1][0] == "created"
    assert len(leads(session_factory, email="b@audit.example")) == 1
