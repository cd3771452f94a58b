"""Illegal transitions answer 409 naming the allowed moves; closed records are read-only."""

from __future__ import annotations

from typing import Any

from tests.factories import (
    Api,
    account_body,
    activity_body,
    lead_body,
    opportunity_body,
    problem_of,
)

LEADS = "/api/v1/leads"
OPPORTUNITIES = "/api/v1/opportunities"


def _refused(response: Any, state: str, allowed: list[str]) -> dict[str, Any]:
    body = problem_of(response, 409, "invalid_transition")
    assert body["state"] == state
    assert body["allowed"] == allowed
    return body


def test_qualify_a_disqualified_lead(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    url = f"{LEADS}/{lead['id']}"
    done = admin.action(f"{url}/disqualify", {"status": "cannot_contact", "reason": "bounced"})
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["status"]) == ("disqualified", "cannot_contact")
    body = _refused(admin.action(f"{url}/qualify", {}), "disqualified", ["reactivate"])
    assert "disqualified" in body["detail"]
    after = admin.get(url).json()
    assert (after["state"], after["version"]) == ("disqualified", 2)
    assert (
        admin.get(OPPORTUNITIES, params={"originating_lead_id": lead["id"]}).json()["items"] == []
    )


def test_disqualify_a_lead_linked_to_an_opportunity(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    url = f"{LEADS}/{lead['id']}"
    qualified = admin.action(f"{url}/qualify", {})
    assert qualified.status_code == 200, qualified.text
    opportunity_id = qualified.json()["opportunity"]["id"]
    reopened = admin.action(f"{url}/reactivate")
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["state"] == "open"
    assert reopened.json()["qualifying_opportunity_id"] == opportunity_id
    body = _refused(admin.action(f"{url}/disqualify", {}), "open", ["mark_contacted", "qualify"])
    assert opportunity_id in body["detail"]
    assert admin.get(url).json()["state"] == "open"


def test_disqualify_twice(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    url = f"{LEADS}/{lead['id']}/disqualify"
    assert admin.action(url, {}).status_code == 200
    _refused(admin.action(url, {}), "disqualified", ["reactivate"])


def test_reactivate_an_open_lead(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    _refused(
        admin.action(f"{LEADS}/{lead['id']}/reactivate"),
        "open",
        ["disqualify", "mark_contacted", "qualify"],
    )


def _opportunity(admin: Api) -> dict[str, Any]:
    account = admin.create("/api/v1/accounts", account_body())
    return admin.create(OPPORTUNITIES, opportunity_body(account["id"]))


def test_win_a_lost_opportunity(admin: Api) -> None:
    opportunity = _opportunity(admin)
    url = f"{OPPORTUNITIES}/{opportunity['id']}"
    assert admin.action(f"{url}/lose", {"status": "out_sold"}).status_code == 200
    body = _refused(admin.action(f"{url}/win", {}), "lost", ["reopen"])
    assert "lost" in body["detail"]
    after = admin.get(url).json()
    assert (after["state"], after["status"], after["actual_value"]) == ("lost", "out_sold", None)
    assert len(admin.get(f"{url}/closes").json()) == 1


def test_lose_a_won_opportunity_and_reopen_an_open_one(admin: Api) -> None:
    opportunity = _opportunity(admin)
    url = f"{OPPORTUNITIES}/{opportunity['id']}"
    _refused(admin.action(f"{url}/reopen"), "open", ["hold", "lose", "resume", "win"])
    assert admin.action(f"{url}/win", {}).status_code == 200
    _refused(admin.action(f"{url}/lose", {}), "won", ["reopen"])


def test_complete_a_canceled_activity(admin: Api) -> None:
    activity = admin.create("/api/v1/activities", activity_body())
    url = f"/api/v1/activities/{activity['id']}"
    canceled = admin.action(f"{url}/cancel")
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["state"] == "canceled"
    body = _refused(admin.action(f"{url}/complete"), "canceled", [])
    assert "canceled" in body["detail"]
    _refused(admin.action(f"{url}/cancel"), "canceled", [])
    assert admin.get(url).json()["completed_at"] is None


def test_an_invalid_completion_status_is_a_422(admin: Api) -> None:
    activity = admin.create("/api/v1/activities", activity_body())
    url = f"/api/v1/activities/{activity['id']}/complete"
    response = admin.action(url, {"status": "canceled"})
    assert problem_of(response, 422, "validation_failed")["errors"][0]["field"] == "status"
    done = admin.action(url, {"status": "made", "duration_minutes": 12})
    assert (done.json()["state"], done.json()["status"]) == ("completed", "made")


def test_a_qualified_lead_is_read_only_until_reactivated(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    url = f"{LEADS}/{lead['id']}"
    qualified = admin.action(f"{url}/qualify", {"create_opportunity": False})
    assert qualified.status_code == 200, qualified.text
    version = qualified.json()["lead"]["version"]
    body = problem_of(admin.patch(url, {"rating": "cold"}, etag=f'"{version}"'), 409, "read_only")
    assert "reactivate" in body["detail"]
    assert admin.get(url).json()["rating"] == "hot"
    reopened = admin.action(f"{url}/reactivate")
    ok = admin.patch(url, {"rating": "cold"}, etag=reopened.headers["ETag"])
    assert ok.status_code == 200, ok.text
    assert ok.json()["rating"] == "cold"


def test_a_disqualified_lead_is_read_only(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    url = f"{LEADS}/{lead['id']}"
    admin.action(f"{url}/disqualify", {})
    problem_of(admin.patch(url, {"topic": "again"}, etag='"2"'), 409, "read_only")


def test_a_won_opportunity_is_read_only_until_reopened(admin: Api) -> None:
    opportunity = _opportunity(admin)
    url = f"{OPPORTUNITIES}/{opportunity['id']}"
    won = admin.action(f"{url}/win", {})
    body = problem_of(
        admin.patch(url, {"probability": 5}, etag=won.headers["ETag"]), 409, "read_only"
    )
    assert "reopen" in body["detail"]
    reopened = admin.action(f"{url}/reopen")
    assert reopened.status_code == 200
    ok = admin.patch(url, {"probability": 5}, etag=reopened.headers["ETag"])
    assert ok.status_code == 200, ok.text


def test_a_completed_activity_is_read_only(admin: Api) -> None:
    activity = admin.create("/api/v1/activities", activity_body())
    url = f"/api/v1/activities/{activity['id']}"
    done = admin.action(f"{url}/complete")
    problem_of(admin.patch(url, {"subject": "later"}, etag=done.headers["ETag"]), 409, "read_only")
