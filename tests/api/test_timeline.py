"""A record's timeline: its activities, notes and audit events, newest first; an
opportunity made by qualify also shows its lead's notes and activities."""

from __future__ import annotations

from typing import Any

from tests.factories import Api, activity_body, error_fields, lead_body, note_body


def _timeline(api: Api, url: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(f"{url}/timeline", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_lead_timeline_holds_its_activities_notes_and_audit_events(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    other = admin.create("/api/v1/leads", lead_body())
    url = f"/api/v1/leads/{lead['id']}"
    call = admin.create(
        "/api/v1/activities",
        activity_body(subject="Intro call", regarding_type="lead", regarding_id=lead["id"]),
    )
    note = admin.create("/api/v1/notes", note_body("lead", lead["id"], text="Wants a demo"))
    admin.create("/api/v1/notes", note_body("lead", other["id"], text="Not this one"))
    admin.patch(url, {"rating": "warm"}, etag='"1"')

    entries = _timeline(admin, url)
    kinds = {(e["kind"], e["title"]) for e in entries}
    assert ("activity", "phone_call: Intro call") in kinds
    assert ("audit", "create") in kinds
    assert ("audit", "update") in kinds
    notes = [e for e in entries if e["kind"] == "note"]
    assert [(n["id"], n["detail"]) for n in notes] == [(note["id"], "Wants a demo")]
    activity = next(e for e in entries if e["kind"] == "activity")
    assert (activity["id"], activity["state"]) == (call["id"], "open")
    assert {e["record_id"] for e in entries} == {lead["id"]}
    update = next(e for e in entries if e["title"] == "update")
    assert update["changes"] == {"rating": ["hot", "warm"]}
    assert update["actor_id"] == str(admin.user_id)
    moments = [(e["at"], e["id"]) for e in entries]
    assert moments == sorted(moments, reverse=True)  # newest first


def test_the_timeline_is_limited(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    for n in range(3):
        admin.create("/api/v1/notes", note_body("lead", lead["id"], text=f"note {n}"))
    url = f"/api/v1/leads/{lead['id']}"
    assert len(_timeline(admin, url)) == 4
    assert len(_timeline(admin, url, limit=2)) == 2
    assert error_fields(admin.get(f"{url}/timeline", params={"limit": 501})) == {"limit"}


def test_an_opportunity_made_by_qualify_shows_the_leads_history(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    admin.create("/api/v1/notes", note_body("lead", lead["id"], text="Met at the trade show"))
    admin.create(
        "/api/v1/activities",
        activity_body(subject="Discovery call", regarding_type="lead", regarding_id=lead["id"]),
    )
    done = admin.action(f"/api/v1/leads/{lead['id']}/qualify", {})
    assert done.status_code == 200, done.text
    opportunity = done.json()["opportunity"]
    url = f"/api/v1/opportunities/{opportunity['id']}"
    admin.create("/api/v1/notes", note_body("opportunity", opportunity["id"], text="Sent pricing"))

    entries = _timeline(admin, url)
    by_kind: dict[str, list[tuple[str, str, str | None]]] = {}
    for e in entries:
        by_kind.setdefault(e["kind"], []).append((e["record_type"], e["title"], e["detail"]))
    assert ("lead", "Note", "Met at the trade show") in by_kind["note"]
    assert ("opportunity", "Note", "Sent pricing") in by_kind["note"]
    assert ("lead", "phone_call: Discovery call", None) in by_kind["activity"]
    audit = {(t, title) for t, title, _ in by_kind["audit"]}
    assert ("opportunity", "create") in audit
    assert ("lead", "transition:qualify") in audit
    # The account made by the same qualify keeps its own timeline only.
    account_entries = _timeline(admin, f"/api/v1/accounts/{done.json()['account']['id']}")
    assert {e["record_type"] for e in account_entries} == {"account"}


def test_activities_and_notes_must_regard_a_real_record(admin: Api) -> None:
    missing = "01a20000-0000-7000-8000-000000000000"
    body = activity_body(regarding_type="lead", regarding_id=missing)
    assert error_fields(admin.post("/api/v1/activities", body)) == {"regarding_id"}
    assert error_fields(admin.post("/api/v1/notes", note_body("lead", missing))) == {"regarding_id"}
    bad_type = note_body("user", str(admin.user_id))
    assert error_fields(admin.post("/api/v1/notes", bad_type)) == {"regarding_type"}
