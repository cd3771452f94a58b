"""The export's typed rows: formatting done by the database and in Python, formula
neutralisation for every dangerous first character, read scope and filters."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from leadgate.imports import export
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.security.roles import Role
from tests.factories import actor

DANGEROUS = ["=1+2", "+33 1 23", "-5", "@SUM(A1)", "\tTab", "\rReturn"]


def _csv(db: Session, who: object, **filters: object) -> list[dict[str, str]]:
    out = io.StringIO()
    export.write_csv(export.export_rows(db, who, "lead", filters), out)  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_values_are_formatted_and_formulas_neutralised(db: Session) -> None:
    who = actor(db)
    for n, text in enumerate(DANGEROUS):
        lead = create_lead(
            db, who, LeadCreate(topic=f"t{n}", last_name=f"Safe{n}", list_vendor="fmt")
        )
        lead.topic = text  # as stored by any path, e.g. an older import (schemas trim blanks)
    db.flush()
    made = create_lead(
        db,
        who,
        LeadCreate(
            topic="Plain", list_vendor="fmt", do_not_email=True, estimated_value=Decimal("1500"),
            budget_amount=Decimal("12.5"), estimated_close_date=date(2027, 3, 31),
            employee_count=40,
        ),
    )  # fmt: skip
    rows = _csv(db, who, list_vendor="fmt")
    topics = sorted(r["topic"] for r in rows)
    assert topics == sorted(["'" + t for t in DANGEROUS] + ["Plain"])
    plain = next(r for r in rows if r["topic"] == "Plain")
    assert plain["do_not_email"] == "true"
    assert plain["do_not_phone"] == "false"
    assert plain["estimated_value"] == "1500"
    assert Decimal(plain["budget_amount"]) == Decimal("12.5")
    assert plain["estimated_close_date"] == "2027-03-31"
    assert plain["employee_count"] == "40"
    assert plain["email"] == ""
    assert plain["created_at"] == made.created_at.isoformat()
    assert plain["created_at"].endswith("+00:00")
    assert plain["id"] == str(made.id)


def test_xlsx_keeps_the_neutralised_text(db: Session, tmp_path: Path) -> None:
    who = actor(db)
    create_lead(db, who, LeadCreate(topic="=cmd|' /C calc'!A0", list_vendor="x"))
    path = tmp_path / "leads.xlsx"
    assert export.write_xlsx(export.export_rows(db, who, "lead", {"list_vendor": "x"}), path) == 1
    values = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    topic = values[0].index("topic")
    assert values[1][topic] == "'=cmd|' /C calc'!A0"


def test_a_salesperson_exports_only_his_leads(db: Session) -> None:
    seller = actor(db, Role.SALESPERSON)
    other = actor(db, Role.SALESPERSON)
    create_lead(db, seller, LeadCreate(topic="Mine", list_vendor="scope"))
    create_lead(db, other, LeadCreate(topic="Theirs", list_vendor="scope"))
    assert [r["topic"] for r in _csv(db, seller, list_vendor="scope")] == ["Mine"]
    assert [r["topic"] for r in _csv(db, other, list_vendor="scope")] == ["Theirs"]


def test_stored_times_print_as_isoformat() -> None:
    assert export._stored_utc("2025-01-01 09:30:00.000000") == "2025-01-01T09:30:00+00:00"
    assert export._stored_utc("2025-01-01T09:30:00.250000") == "2025-01-01T09:30:00.250000+00:00"
    assert export._stored_utc("2025-01-01T09:30:00") == "2025-01-01T09:30:00+00:00"
    assert export._numeric_text("1500.0000") == "1500"
    assert export._numeric_text("0.0000") == "0"
    assert export._numeric_text("12.5000") == "12.5000"
    assert export._hex_uuid("0123456789abcdef0123456789abcdef") == (
        "01234567-89ab-cdef-0123-456789abcdef"
    )


def test_csv_chunks_stream_the_same_text(db: Session) -> None:
    who = actor(db)
    for n in range(7):
        create_lead(db, who, LeadCreate(topic=f"-chunk {n}", list_vendor="chunks"))
    whole = io.StringIO()
    export.write_csv(export.export_rows(db, who, "lead", {"list_vendor": "chunks"}), whole)
    pieces = list(
        export.csv_chunks(export.export_rows(db, who, "lead", {"list_vendor": "chunks"}), every=3)
    )
    assert len(pieces) == 3  # header + 7 rows in pieces of 3
    assert "".join(pieces) == whole.getvalue()
