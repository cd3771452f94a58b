"""Audit through the API: channel "api", the acting user, and the same transaction as the
change (a request that fails leaves no audit row)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from leadgate.audit.models import AuditEvent
from leadgate.opportunities.models import Opportunity
from tests.factories import Api, account_body, error_fields, lead_body, opportunity_body, problem_of

AUDIT = "/api/v1/audit-events"


def _audit(admin: Api, record_id: str) -> list[dict[str, object]]:
    response = admin.get(AUDIT, params={"record_id": record_id, "sort": "occurred_at"})
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_api_changes_are_logged_with_actor_and_channel(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body(rating="hot"))
    url = f"/api/v1/leads/{lead['id']}"
    assert admin.patch(url, {"rating": "warm", "city": "London"}, etag='"1"').status_code == 200
    assert admin.action(f"{url}/mark-contacted").status_code == 200
    assert admin.delete(url, etag='"3"').status_code == 204
    events = _audit(admin, lead["id"])
    assert [e["action"] for e in events] == [
        "create",
        "update",
        "transition:mark_contacted",
        "delete",
    ]
    assert {e["channel"] for e in events} == {"api"}
    assert {e["actor_id"] for e in events} == {str(admin.user_id)}
    assert events[1]["changes"] == {"rating": ["hot", "warm"], "city": [None, "London"]}
    assert events[2]["changes"] == {"status": ["new", "contacted"]}


def test_refused_requests_leave_no_audit_row(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    url = f"/api/v1/leads/{lead['id']}"
    problem_of(admin.patch(url, {"rating": "warm"}, etag='"9"'), 412, "stale")
    error_fields(admin.patch(url, {"email": "nope"}, etag='"1"'))
    problem_of(admin.action(f"{url}/reactivate"), 409, "invalid_transition")
    assert [e["action"] for e in _audit(admin, lead["id"])] == ["create"]


def test_a_failure_after_the_audit_row_was_written_rolls_it_back(
    admin: Api, db: Session, dialect: str
) -> None:
    """win writes its transition event, then the close record; make that insert fail."""
    account = admin.create("/api/v1/accounts", account_body())
    opportunity = admin.create("/api/v1/opportunities", opportunity_body(account["id"]))
    if dialect == "sqlite":
        db.execute(
            text(
                "CREATE TRIGGER closes_fail_for_test BEFORE INSERT ON opportunity_closes "
                "BEGIN SELECT RAISE(ABORT, 'injected'); END"
            )
        )
    else:
        db.execute(
            text(
                "CREATE FUNCTION closes_fail_for_test() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'injected'; END $$"
            )
        )
        db.execute(
            text(
                "CREATE TRIGGER closes_fail_for_test BEFORE INSERT ON opportunity_closes "
                "FOR EACH ROW EXECUTE FUNCTION closes_fail_for_test()"
            )
        )
    db.flush()
    before = db.scalar(select(func.count()).select_from(AuditEvent))

    response = admin.action(f"/api/v1/opportunities/{opportunity['id']}/win", {})

    problem_of(response, 500, "internal_error")
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before
    assert [e["action"] for e in _audit(admin, opportunity["id"])] == ["create"]
    assert [e["action"] for e in _audit(admin, account["id"])] == ["create"]
    stored = db.get(Opportunity, uuid.UUID(opportunity["id"]))
    assert stored is not None
    assert (stored.state, stored.version) == ("open", 1)


def test_the_audit_log_pages_and_filters(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    for rating in ("warm", "cold", "hot"):
        version = admin.get(f"/api/v1/leads/{lead['id']}").json()["version"]
        admin.patch(f"/api/v1/leads/{lead['id']}", {"rating": rating}, etag=f'"{version}"')
    first = admin.get(AUDIT, params={"record_id": lead["id"], "limit": 2}).json()
    assert [e["action"] for e in first["items"]] == ["update", "update"]
    assert first["items"][0]["changes"] == {"rating": ["cold", "hot"]}
    rest = admin.get(
        AUDIT, params={"record_id": lead["id"], "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [e["action"] for e in rest["items"]] == ["update", "create"]
    assert rest["next_cursor"] is None
    only = admin.get(AUDIT, params={"record_id": lead["id"], "action": "create"}).json()
    assert len(only["items"]) == 1
