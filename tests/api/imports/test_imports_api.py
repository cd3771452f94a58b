"""Imports, exports, list purges and web-to-lead through the API."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from leadgate.core.settings import Settings
from leadgate.imports import webforms
from leadgate.imports.service import ImportOptions, start_import
from tests.factories import Api, actor, lead_body


def upload(api: Api, text: str, name: str = "leads.csv", **form: Any) -> Any:
    return api.client.post(
        "/api/v1/imports",
        files={"file": (name, text.encode("utf-8"), "text/csv")},
        data={"type": "lead", **form},
        headers={"Authorization": f"Bearer {api.token}"},
    )


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_upload_runs_reports_and_undoes(admin: Api, settings: Settings) -> None:
    text = "Topic,Email,Lead Number\nOne,one@up.example,U1\nTwo,bad-email,U2\n"
    started = upload(admin, text, vendor="up")
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    status = admin.get(f"/api/v1/imports/{job_id}").json()
    assert (status["state"], status["created_count"], status["failed_count"]) == (
        "completed", 1, 1,
    )  # fmt: skip
    assert list(Path(settings.import_dir).iterdir()) == []  # the upload is removed when done
    report = rows_of(admin.get(f"/api/v1/imports/{job_id}/report").text)
    assert [r["outcome"] for r in report] == ["created", "failed"]
    assert report[1]["errors"].startswith("email:")
    assert admin.get("/api/v1/leads", params={"list_vendor": "up"}).json()["count"] == 1
    undone = admin.post(f"/api/v1/imports/{job_id}/undo")
    assert undone.json()["state"] == "undone"
    assert admin.get("/api/v1/leads", params={"list_vendor": "up"}).json()["count"] == 0


def test_bad_files_are_refused_with_the_reason(admin: Api) -> None:
    too_big = upload(admin, "Topic\n" + "x\n" * 40_000)
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "file"
    unmapped = upload(admin, "Email\na@x.example\n")
    assert unmapped.status_code == 422
    assert unmapped.json()["errors"][0]["field"] == "mapping.topic"
    not_xlsx = upload(admin, "PK\x03\x04garbage", name="x.xlsx")
    assert not_xlsx.status_code == 422


def test_saved_mapping_is_used(admin: Api) -> None:
    saved = admin.put(
        "/api/v1/import-mappings/vendor-a",
        {"record_type": "lead", "columns": {"Betreff": "topic", "Nachname": "last_name"}},
    )
    assert saved.status_code == 200, saved.text
    started = upload(admin, "Betreff,Nachname\nSitze,Müller\n", mapping="vendor-a")
    assert started.status_code == 202, started.text
    assert started.json()["mapping"] == {"Betreff": "topic", "Nachname": "last_name"}
    bad = admin.put("/api/v1/import-mappings/x", {"record_type": "lead", "columns": {"A": "nope"}})
    assert bad.status_code == 422


def test_export_neutralises_formulas_and_round_trips(admin: Api) -> None:
    admin.create("/api/v1/leads", lead_body(topic="=HYPERLINK(\"http://evil\")", list_vendor="rt",
                                            external_key="R1"))  # fmt: skip
    admin.create("/api/v1/leads", lead_body(topic="@SUM(1)", list_vendor="rt", external_key="R2"))
    exported = admin.get("/api/v1/exports/lead", params={"list_vendor": "rt"})
    assert exported.status_code == 200
    rows = rows_of(exported.text)
    assert sorted(r["topic"] for r in rows) == ['\'=HYPERLINK("http://evil")', "'@SUM(1)"]
    assert all(r["phone"].startswith("'+44") for r in rows)
    again = upload(admin, exported.text, vendor="rt", on_duplicate="update")
    status = admin.get(f"/api/v1/imports/{again.json()['id']}").json()
    assert (status["updated_count"], status["created_count"], status["failed_count"]) == (2, 0, 0)
    assert admin.get("/api/v1/exports/lead", params={"list_vendor": "rt"}).text == exported.text
    book = admin.get("/api/v1/exports/lead", params={"list_vendor": "rt", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    topic = values[0].index("topic")
    assert sorted(v[topic] for v in values[1:]) == ['\'=HYPERLINK("http://evil")', "'@SUM(1)"]
    assert admin.get("/api/v1/exports/lead", params={"shoe": "1"}).status_code == 422


def test_purge_keeps_leads_that_responded(admin: Api) -> None:
    silent = admin.create("/api/v1/leads", lead_body(list_vendor="rent"))
    talked = admin.create("/api/v1/leads", lead_body(list_vendor="rent"))
    call = admin.create(
        "/api/v1/activities",
        {"type": "phone_call", "subject": "Called", "regarding_type": "lead",
         "regarding_id": talked["id"]},
    )  # fmt: skip
    assert admin.post(f"/api/v1/activities/{call['id']}/complete", {}).status_code == 200
    other = admin.create("/api/v1/leads", lead_body(list_vendor="someone-else"))
    counted = admin.post("/api/v1/lists/rent/purge")
    assert counted.json() == {"vendor": "rent", "dry_run": True, "count": 1}
    assert admin.get(f"/api/v1/leads/{silent['id']}").status_code == 200
    done = admin.post("/api/v1/lists/rent/purge?dry_run=false")
    assert done.json()["count"] == 1
    assert admin.get(f"/api/v1/leads/{silent['id']}").status_code == 404
    assert admin.get(f"/api/v1/leads/{talked['id']}").status_code == 200
    assert admin.get(f"/api/v1/leads/{other['id']}").status_code == 200


def test_web_to_lead_creates_leads_and_refuses_spam(admin: Api) -> None:
    form = admin.create(
        "/api/v1/web-forms",
        {"name": "Contact us", "fields": ["first_name", "last_name", "email", "company_name"],
         "thank_you_url": "https://example.com/thanks"},
    )  # fmt: skip
    url = f"/api/v1/web-to-lead/{form['form_key']}"
    snippet = admin.get(f"/api/v1/web-forms/{form['id']}/snippet").text
    assert url in snippet
    assert webforms.HONEYPOT in snippet
    posted = admin.client.post(
        url,
        data={"last_name": "Form", "email": "form@web.example", "ignored": "x"},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == "https://example.com/thanks"
    found = admin.get("/api/v1/leads", params={"q": "form@web.example"}).json()
    assert found["count"] == 1
    assert found["items"][0]["lead_source"] == "web"
    again = admin.client.post(url, json={"last_name": "Form", "email": "FORM@web.example"})
    assert again.status_code == 201
    assert admin.get("/api/v1/leads", params={"q": "form@web.example"}).json()["count"] == 1
    bot = admin.client.post(url, json={"last_name": "Bot", "email": "bot@spam.example",
                                       webforms.HONEYPOT: "http://spam"})  # fmt: skip
    assert bot.status_code == 201
    assert admin.get("/api/v1/leads", params={"q": "bot@spam.example"}).json()["count"] == 0
    flood = [admin.client.post(url, json={"last_name": f"F{i}"}).status_code for i in range(5)]
    assert flood[-1] == 429
    assert admin.client.post(url, content=b"x" * 20_000).status_code == 422
    assert admin.client.post("/api/v1/web-to-lead/nope", json={}).status_code == 404


def test_bulk_imported_leads_show_their_history_and_block_look_alikes(admin: Api) -> None:
    text = "Topic,Email,Lead Number\nBulk one,bulk1@api.example,A1\nBulk two,bulk2@api.example,A2\n"
    started = upload(admin, text, vendor="api-bulk")
    assert started.status_code == 202, started.text
    found = admin.get("/api/v1/leads", params={"list_vendor": "api-bulk"}).json()["items"]
    lead = next(x for x in found if x["email"] == "bulk1@api.example")
    timeline = admin.get(f"/api/v1/leads/{lead['id']}/timeline").json()
    created = next(e for e in timeline if (e["kind"], e["title"]) == ("audit", "create"))
    assert created["changes"]["topic"] == [None, "Bulk one"]
    assert created["changes"]["external_key"] == [None, "A1"]
    assert created["actor_id"] == str(admin.user_id)
    # The import wrote the lead's match keys: the API finds it as a duplicate.
    again = admin.post("/api/v1/leads", lead_body(email="BULK1@api.example"))
    assert again.status_code == 409, again.text
    assert [m["id"] for m in again.json()["matches"]] == [lead["id"]]


def test_resuming_an_import_of_a_users_own_file_never_deletes_it(
    admin: Api, session_factory: Any, tmp_path: Path
) -> None:
    """A file the CLI imported where it lies (outside the upload folder) stays after an
    API resume; only uploads are ours to delete."""
    own = tmp_path / "mine.csv"
    own.write_text("Topic\nKept\n", encoding="utf-8")
    with session_factory() as session, session.begin():
        job = start_import(session, actor(session), own, own.name, ImportOptions("lead"))
    resumed = admin.post(f"/api/v1/imports/{job.id}/resume")
    assert resumed.status_code == 202, resumed.text
    assert admin.get(f"/api/v1/imports/{job.id}").json()["state"] == "completed"
    assert own.exists()
