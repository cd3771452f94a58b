"""Optimistic concurrency: every record has an ETag; PATCH and DELETE need If-Match (428),
a stale one is refused (412), success bumps the ETag; actions honour If-Match when sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import (
    Api,
    account_body,
    activity_body,
    contact_body,
    lead_body,
    note_body,
    opportunity_body,
    problem_of,
)

# record type -> (collection url, a valid body for it, a valid patch)
RECORDS: dict[str, tuple[str, Callable[[Api], dict[str, Any]], dict[str, Any]]] = {
    "lead": ("/api/v1/leads", lambda api: lead_body(), {"rating": "cold"}),
    "account": ("/api/v1/accounts", lambda api: account_body(), {"industry": "retail"}),
    "contact": ("/api/v1/contacts", lambda api: contact_body(), {"job_title": "CTO"}),
    "opportunity": (
        "/api/v1/opportunities",
        lambda api: opportunity_body(api.create("/api/v1/accounts", account_body())["id"]),
        {"probability": 75},
    ),
    "activity": ("/api/v1/activities", lambda api: activity_body(), {"priority": "high"}),
    "note": (
        "/api/v1/notes",
        lambda api: note_body("account", api.create("/api/v1/accounts", account_body())["id"]),
        {"title": "Budget"},
    ),
}


def _create(api: Api, record: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    base, body, patch = RECORDS[record]
    created = api.post(base, body(api))
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"1"'
    return f"{base}/{created.json()['id']}", created.json(), patch


@pytest.mark.parametrize("record", list(RECORDS))
def test_update_needs_if_match_and_bumps_the_etag(admin: Api, record: str) -> None:
    url, _, patch = _create(admin, record)
    problem_of(admin.patch(url, patch), 428, "if_match_required")
    stale = admin.patch(url, patch, etag='"7"')
    assert "version" in problem_of(stale, 412, "stale")["detail"]
    ok = admin.patch(url, patch, etag='"1"')
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == '"2"'
    assert ok.json()["version"] == 2
    again = admin.patch(url, patch | {}, etag='"1"')  # the old ETag is now stale
    problem_of(again, 412, "stale")
    fetched = admin.get(url)
    assert fetched.headers["ETag"] == '"2"'
    for name, value in patch.items():
        assert fetched.json()[name] == value


@pytest.mark.parametrize("record", list(RECORDS))
def test_delete_needs_the_current_if_match(admin: Api, record: str) -> None:
    url, _, patch = _create(admin, record)
    problem_of(admin.delete(url), 428, "if_match_required")
    assert admin.patch(url, patch, etag='"1"').status_code == 200
    problem_of(admin.delete(url, etag='"1"'), 412, "stale")
    assert admin.get(url).status_code == 200
    assert admin.delete(url, etag='"2"').status_code == 204
    problem_of(admin.get(url), 404, "not_found")


def test_weak_and_wildcard_etags(admin: Api) -> None:
    url, _, _ = _create(admin, "lead")
    assert admin.patch(url, {"rating": "warm"}, etag='W/"1"').status_code == 200
    # "*" is a precondition that any current version satisfies.
    assert admin.patch(url, {"rating": "cold"}, etag="*").headers["ETag"] == '"3"'


def test_an_update_that_changes_nothing_keeps_the_version(admin: Api) -> None:
    url, lead, _ = _create(admin, "lead")
    same = admin.patch(url, {"rating": lead["rating"]}, etag='"1"')
    assert same.status_code == 200
    assert same.headers["ETag"] == '"1"'


def test_lead_actions_honour_if_match(admin: Api) -> None:
    url, _, _ = _create(admin, "lead")
    problem_of(admin.action(f"{url}/mark-contacted", etag='"5"'), 412, "stale")
    contacted = admin.action(f"{url}/mark-contacted", etag='"1"')
    assert contacted.status_code == 200, contacted.text
    assert contacted.headers["ETag"] == '"2"'
    assert contacted.json()["status"] == "contacted"
    problem_of(admin.action(f"{url}/disqualify", {}, etag='"1"'), 412, "stale")
    assert admin.get(url).json()["state"] == "open"
    # Without If-Match an action is not refused: the transition table still guards it.
    assert admin.action(f"{url}/disqualify", {}).json()["version"] == 3


def test_qualify_honours_if_match_and_creates_nothing_when_stale(admin: Api) -> None:
    url, lead, _ = _create(admin, "lead")
    assert admin.patch(url, {"rating": "warm"}, etag='"1"').status_code == 200
    problem_of(admin.action(f"{url}/qualify", {}, etag='"1"'), 412, "stale")
    assert admin.get(url).json()["state"] == "open"
    created = admin.get("/api/v1/opportunities", params={"originating_lead_id": lead["id"]})
    assert created.json()["items"] == []
    accounts = admin.get("/api/v1/accounts", params={"q": lead["company_name"]}).json()
    assert accounts["items"] == []
    done = admin.action(f"{url}/qualify", {}, etag='"2"')
    assert done.status_code == 200, done.text
    assert done.headers["ETag"] == '"3"'


def test_opportunity_and_activity_actions_honour_if_match(admin: Api) -> None:
    url, _, _ = _create(admin, "opportunity")
    problem_of(admin.action(f"{url}/win", {}, etag='"9"'), 412, "stale")
    assert admin.get(f"{url}/closes").json() == []
    assert admin.action(f"{url}/win", {}, etag='"1"').headers["ETag"] == '"2"'
    problem_of(admin.action(f"{url}/reopen", etag='"1"'), 412, "stale")
    activity_url, _, _ = _create(admin, "activity")
    problem_of(admin.action(f"{activity_url}/complete", etag='"2"'), 412, "stale")
    assert admin.get(activity_url).json()["state"] == "open"
    assert admin.action(f"{activity_url}/complete", etag='"1"').json()["state"] == "completed"
