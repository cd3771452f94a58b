"""Opportunity files with closed deals: won and lost rows are closed through the win and
lose transitions (audited, with a close record), contradicting columns fail the row
naming the column, and undo removes closed deals too. A re-imported file's deals are
matched by name and customer: skipped, updated or created again as the import says."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.models import AuditEvent
from leadgate.core.clock import utcnow
from tests.api.imports.test_catalog_opportunity_imports import report, upload
from tests.factories import Api, account_body, contact_body


def _actions(factory: sessionmaker[Session], record_id: str) -> list[str]:
    """The deal's own audit trail (its sales process's events left out)."""
    with factory() as session:
        return [
            a
            for a in session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.record_id == uuid.UUID(record_id))
                .order_by(AuditEvent.occurred_at, AuditEvent.id)
            )
            if not a.startswith("process_")
        ]


def test_salesforce_closed_won_and_lost_rows_close_through_the_transitions(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    acme = admin.create("/api/v1/accounts", account_body(name="Acme Widgets Inc."))
    assert acme["relationship_type"] != "customer"
    text = (
        "Opportunity Name,Account Name,Amount,Close Date,Stage,Forecast Category,Loss Reason\n"
        "Won deal,Acme Widgets,5000,2026-03-31,Closed Won,Closed,\n"
        "Lost deal,Acme Widgets,800,2026-02-01,Closed Lost,Omitted,Price too high\n"
        "Open deal,Acme Widgets,100,2027-01-01,Prospecting,Pipeline,\n"
    )
    started = upload(admin, text, "opportunity")
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["mapping"]["Loss Reason"] == "close_reason"
    rows = report(admin, job["id"])
    assert [r["outcome"] for r in rows] == ["created"] * 3, rows

    won = admin.get(f"/api/v1/opportunities/{rows[0]['record_id']}").json()
    assert (won["state"], won["status"], won["forecast_category"]) == ("won", "won", "won")
    assert won["sales_stage"] == "close"
    assert Decimal(won["actual_value"]) == Decimal("5000")  # the win's default: the estimate
    assert won["actual_close_date"] == "2026-03-31"
    assert admin.get(f"/api/v1/accounts/{acme['id']}").json()["relationship_type"] == "customer"
    assert _actions(session_factory, won["id"]) == ["create", "transition:win"]

    lost = admin.get(f"/api/v1/opportunities/{rows[1]['record_id']}").json()
    assert (lost["state"], lost["status"], lost["forecast_category"]) == (
        "lost",
        "canceled",
        "lost",
    )
    assert lost["actual_value"] is None
    (close,) = admin.get(f"/api/v1/opportunities/{lost['id']}/closes").json()
    assert (close["outcome"], close["reason"], close["actual_close_date"]) == (
        "lost",
        "Price too high",
        "2026-02-01",
    )
    assert _actions(session_factory, lost["id"]) == ["create", "transition:lose"]

    still_open = admin.get(f"/api/v1/opportunities/{rows[2]['record_id']}").json()
    assert (still_open["state"], still_open["status"]) == ("open", "in_progress")

    undone = admin.post(f"/api/v1/imports/{job['id']}/undo")
    assert undone.status_code == 200, undone.text
    for row in rows:
        assert admin.get(f"/api/v1/opportunities/{row['record_id']}").status_code == 404
    # A closed deal is reopened (audited) before it is removed.
    assert _actions(session_factory, won["id"]) == [
        "create", "transition:win", "transition:reopen", "delete",
    ]  # fmt: skip


def test_dynamics_status_and_status_reason(admin: Api) -> None:
    admin.create("/api/v1/accounts", account_body(name="Globex"))
    text = (
        "Topic;Potential Customer;Status;Status Reason;Actual Revenue;Actual Close Date\n"
        "Sold;Globex;Won;Won;1.234,50;15.01.2026\n"
        "Beaten;Globex;Lost;Out-Sold;;20.01.2026\n"
        "Paused;Globex;Open;On Hold;;\n"
        "Undated win;Globex;Won;;;\n"
    )
    first_day = utcnow().date()
    job = upload(admin, text, "opportunity").json()
    assert job["mapping"]["Status"] == "state"
    assert job["mapping"]["Status Reason"] == "status_reason"
    rows = report(admin, job["id"])
    assert [r["outcome"] for r in rows] == ["created"] * 4, rows
    sold, beaten, paused, undated = (
        admin.get(f"/api/v1/opportunities/{r['record_id']}").json() for r in rows
    )
    assert (sold["state"], Decimal(sold["actual_value"])) == ("won", Decimal("1234.50"))
    assert sold["actual_close_date"] == "2026-01-15"
    assert (beaten["state"], beaten["status"]) == ("lost", "out_sold")
    assert (paused["state"], paused["status"]) == ("open", "on_hold")
    # No close date in the file: today, as when closed by hand.
    assert first_day <= date.fromisoformat(undated["actual_close_date"]) <= utcnow().date()


def test_contradicting_columns_fail_the_row_naming_the_column(admin: Api) -> None:
    admin.create("/api/v1/accounts", account_body(name="Globex"))
    text = (
        "Topic,Account,Stage,Status,Status Reason,Forecast Category,Actual Revenue,Loss Reason\n"
        "A,Globex,Closed Won,Lost,,,,\n"
        "B,Globex,Closed Lost,,Won,,,\n"
        "C,Globex,Prospecting,Open,,Won,,\n"
        "D,Globex,Prospecting,,,,100,\n"
        "E,Globex,Closed Lost,,,,100,\n"
        "F,Globex,Prospecting,,,,,Too late\n"
        "G,Globex,,,Sleeping,,,\n"
        "H,Globex,Closed Lost,,Out-Sold,Lost,0,Cheaper rival\n"
    )
    job = upload(admin, text, "opportunity").json()
    rows = report(admin, job["id"])
    assert [r["outcome"] for r in rows] == ["failed"] * 7 + ["created"], rows
    errors = [r["errors"] for r in rows]
    assert errors[0] == "sales_stage: 'won' means a won opportunity but state 'lost' says lost"
    assert errors[1] == (
        "status_reason: 'won' means a won opportunity but sales_stage 'lost' says lost"
    )
    assert errors[2] == (
        "forecast_category: 'won' means a won opportunity but state 'open' says open"
    )
    assert errors[3].startswith("actual_value: only a won or lost opportunity has one")
    assert errors[4] == "actual_value: a lost opportunity has no actual value"
    assert errors[5].startswith("close_reason: only a won or lost opportunity has one")
    assert errors[6].startswith("status_reason: one of in_progress, on_hold, won")
    listed = admin.get("/api/v1/opportunities?limit=50").json()["items"]
    assert [o["name"] for o in listed] == ["H"]
    assert (listed[0]["state"], listed[0]["status"]) == ("lost", "out_sold")


def _deals(api: Api) -> list[dict[str, Any]]:
    return api.get("/api/v1/opportunities?limit=100").json()["items"]


def test_reimported_deals_are_matched_by_name_and_customer(admin: Api) -> None:
    admin.create("/api/v1/accounts", account_body(name="Acme Widgets Inc."))
    admin.create("/api/v1/contacts", contact_body(email="grace@navy.example"))
    header = "Opportunity Name,Account Name,Customer Contact,Amount,Probability,Stage\n"
    first = (
        "Fleet,Acme Widgets,,1000,20,Prospecting\n"
        "Signed,Acme Widgets,,500,100,Closed Won\n"
        "Navy deal,,grace@navy.example,300,10,Prospecting\n"
    )
    created = upload(admin, header + first, "opportunity").json()
    assert [r["outcome"] for r in report(admin, created["id"])] == ["created"] * 3
    before = {d["name"]: d for d in _deals(admin)}

    skipped = report(admin, upload(admin, header + first, "opportunity").json()["id"])
    assert [r["outcome"] for r in skipped] == ["skipped_duplicate"] * 3
    assert skipped[0]["record_id"] == before["Fleet"]["id"]
    assert "(same name 'Fleet' and customer)" in skipped[0]["errors"]
    assert len(_deals(admin)) == 3

    second = (
        "FLEET,Acme Widgets,,1500,40,Propose\n"  # the name's case does not matter
        "Signed,Acme Widgets,,500,100,Closed Won\n"  # closed, nothing changes
        "Navy deal,,grace@navy.example,300,10,Closed Lost\n"  # an update never closes
        "Fleet,,grace@navy.example,50,5,Prospecting\n"  # another customer: a new deal
    )
    job = upload(admin, header + second, "opportunity", on_duplicate="update").json()
    rows = report(admin, job["id"])
    assert [r["outcome"] for r in rows] == ["updated", "updated", "failed", "created"], rows
    assert rows[2]["errors"] == (
        "state: opportunity 'Navy deal' is open but the row says lost; "
        "an import does not change the state of an existing deal"
    )
    fleet = admin.get(f"/api/v1/opportunities/{before['Fleet']['id']}").json()
    assert (Decimal(fleet["estimated_value"]), fleet["probability"]) == (Decimal(1500), 40)
    assert fleet["sales_stage"] == "propose"
    assert fleet["name"] == "Fleet"
    signed = admin.get(f"/api/v1/opportunities/{before['Signed']['id']}").json()
    assert signed["version"] == before["Signed"]["version"]

    assert admin.post(f"/api/v1/imports/{job['id']}/undo").status_code == 200
    after = {d["id"]: d for d in _deals(admin)}
    assert set(after) == {d["id"] for d in before.values()}
    keep = ("estimated_value", "probability", "sales_stage", "state")
    restored = after[before["Fleet"]["id"]]
    assert {k: restored[k] for k in keep} == {k: before["Fleet"][k] for k in keep}

    again = upload(admin, header + first, "opportunity", on_duplicate="create").json()
    assert [r["outcome"] for r in report(admin, again["id"])] == ["created"] * 3
    assert len(_deals(admin)) == 6
