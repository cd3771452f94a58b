"""The lead API: create, read, list, update with ETags, actions, errors as problem+json."""

from __future__ import annotations

from tests.factories import Api, lead_body


def test_create_then_read_a_lead(admin: Api) -> None:
    created = admin.post("/api/v1/leads", lead_body(topic="Needs 40 licences"))
    assert created.status_code == 201
    lead = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"/api/v1/leads/{lead['id']}"
    assert lead["state"] == "open"
    assert lead["status"] == "new"
    assert lead["estimated_value"] == "12000.50"
    fetched = admin.get(f"/api/v1/leads/{lead['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["topic"] == "Needs 40 licences"


def test_update_needs_the_current_etag(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    url = f"/api/v1/leads/{lead['id']}"
    assert admin.patch(url, {"rating": "cold"}).status_code == 428
    ok = admin.patch(url, {"rating": "cold"}, etag='"1"')
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == '"2"'
    stale = admin.patch(url, {"rating": "warm"}, etag='"1"')
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert admin.get(url).json()["rating"] == "cold"
