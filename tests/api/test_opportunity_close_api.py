"""Win, lose, reopen: close records, the customer account, and the close guards that later
domains (quotes) register."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from leadgate.opportunities import hooks
from leadgate.opportunities.models import Opportunity
from tests.factories import (
    Api,
    account_body,
    contact_body,
    error_fields,
    opportunity_body,
    problem_of,
)

OPPORTUNITIES = "/api/v1/opportunities"


def _opportunity(admin: Api, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    account = admin.create("/api/v1/accounts", account_body())
    return account, admin.create(OPPORTUNITIES, opportunity_body(account["id"], **overrides))


def test_win_makes_the_account_a_customer_and_writes_a_close_record(admin: Api) -> None:
    account, opportunity = _opportunity(admin)
    assert account["relationship_type"] == "prospect"
    url = f"{OPPORTUNITIES}/{opportunity['id']}"
    won = admin.action(f"{url}/win", {"description": "Signed at the fair"})
    assert won.status_code == 200, won.text
    body = won.json()
    assert (body["state"], body["status"], body["forecast_category"]) == ("won", "won", "won")
    assert body["actual_value"] == "50000.00"  # defaults to the estimate
    today = datetime.now(UTC).date().isoformat()
    assert body["actual_close_date"] == today
    customer = admin.get(f"/api/v1/accounts/{account['id']}").json()
    assert customer["relationship_type"] == "customer"
    assert customer["version"] == 2
    closes = admin.get(f"{url}/closes").json()
    assert len(closes) == 1
    close = closes[0]
    assert (close["outcome"], close["status"], close["actual_value"]) == ("won", "won", "50000.00")
    assert close["description"] == "Signed at the fair"
    assert close["closed_by_id"] == str(admin.user_id)
    assert close["actual_close_date"] == today
    audit = admin.get(
        "/api/v1/audit-events", params={"record_type": "account", "record_id": account["id"]}
    ).json()["items"]
    assert audit[0]["action"] == "update"
    assert audit[0]["changes"] == {"relationship_type": ["prospect", "customer"]}


def test_win_with_an_actual_value_and_date(admin: Api) -> None:
    _, opportunity = _opportunity(admin)
    url = f"{OPPORTUNITIES}/{opportunity['id']}"
    won = admin.action(
        f"{url}/win", {"actual_value": "48250.5", "actual_close_date": "2026-11-20"}
    ).json()
    assert (won["actual_value"], won["actual_close_date"]) == ("48250.50", "2026-11-20")
    assert admin.get(f"{url}/closes").json()[0]["actual_value"] == "48250.50"


def test_win_without_an_estimate_has_no_actual_value(admin: Api) -> None:
    _, opportunity = _opportunity(admin, estimated_value=None)
    won = admin.action(f"{OPPORTUNITIES}/{opportunity['id']}/win", {}).json()
    assert won["actual_value"] is None


def test_winning_for_a_contact_customer_touches_no_account(admin: Api) -> None:
    contact = admin.create("/api/v1/contacts", contact_body())
    body = opportunity_body("unused")
    del body["account_id"]
    body["customer_contact_id"] = contact["id"]
    opportunity = admin.create(OPPORTUNITIES, body)
    won = admin.action(f"{OPPORTUNITIES}/{opportunity['id']}/win", {})
    assert won.status_code == 200, won.text
    assert admin.get(f"/api/v1/contacts/{contact['id']}").json()["version"] == 1


def test_a_customer_stays_a_customer_without_a_second_change(admin: Api) -> None:
    account = admin.create("/api/v1/accounts", account_body(relationship_type="customer"))
    opportunity = admin.create(OPPORTUNITIES, opportunity_body(account["id"]))
    admin.action(f"{OPPORTUNITIES}/{opportunity['id']}/win", {})
    assert admin.get(f"/api/v1/accounts/{account['id']}").json()["version"] == 1


def test_lose_to_a_competitor(admin: Api) -> None:
    _, opportunity = _opportunity(admin)
    competitor = admin.create(
        "/api/v1/accounts", account_body(name="Initech", relationship_type="competitor")
    )
    url = f"{OPPORTUNITIES}/{opportunity['id']}"
    lost = admin.action(
        f"{url}/lose",
        {"status": "out_sold", "competitor_id": competitor["id"], "reason": "cheaper"},
    )
    assert lost.status_code == 200, lost.text
    body = lost.json()
    assert (body["state"], body["status"], body["forecast_category"]) == (
        "lost",
        "out_sold",
        "lost",
    )
    assert body["actual_value"] is None
    close = admin.get(f"{url}/closes").json()[0]
    assert (close["outcome"], close["status"]) == ("lost", "out_sold")
    assert (close["competitor_id"], close["reason"]) == (competitor["id"], "cheaper")


def test_lose_refuses_an_unknown_competitor_or_status(admin: Api) -> None:
    _, opportunity = _opportunity(admin)
    url = f"{OPPORTUNITIES}/{opportunity['id']}/lose"
    unknown = {"competitor_id": "01a20000-0000-7000-8000-000000000000"}
    assert error_fields(admin.action(url, unknown)) == {"competitor_id"}
    assert error_fields(admin.action(url, {"status": "won"})) == {"status"}
    assert admin.get(f"{OPPORTUNITIES}/{opportunity['id']}").json()["state"] == "open"


def test_reopen_clears_the_outcome_and_keeps_the_history(admin: Api) -> None:
    _, opportunity = _opportunity(admin)
    url = f"{OPPORTUNITIES}/{opportunity['id']}"
    admin.action(f"{url}/win", {})
    reopened = admin.action(f"{url}/reopen")
    assert reopened.status_code == 200, reopened.text
    body = reopened.json()
    assert (body["state"], body["status"], body["forecast_category"]) == (
        "open",
        "in_progress",
        "pipeline",
    )
    assert (body["actual_value"], body["actual_close_date"]) == (None, None)
    admin.action(f"{url}/lose", {})
    outcomes = [c["outcome"] for c in admin.get(f"{url}/closes").json()]
    assert sorted(outcomes) == ["lost", "won"]


@pytest.fixture
def guards(monkeypatch: pytest.MonkeyPatch) -> list[hooks.CloseGuard]:
    """A private copy of the registered close guards, restored after the test."""
    copy = list(hooks._close_guards)
    monkeypatch.setattr(hooks, "_close_guards", copy)
    return copy


def test_a_close_guard_blocks_win_and_lose_naming_its_objection(
    admin: Api, guards: list[hooks.CloseGuard]
) -> None:
    account, opportunity = _opportunity(admin)
    _, other = _opportunity(admin)

    def active_quote(_session: Session, target: Opportunity) -> list[str]:
        return ["quote QUO-000012 is active"] if str(target.id) == opportunity["id"] else []

    hooks.register_close_guard(active_quote)
    hooks.register_close_guard(active_quote)  # registering twice keeps one
    assert guards.count(active_quote) == 1
    url = f"{OPPORTUNITIES}/{opportunity['id']}"
    for verb in ("win", "lose"):
        body = problem_of(admin.action(f"{url}/{verb}", {}), 409, "conflict")
        assert "QUO-000012 is active" in body["detail"]
        assert verb in body["detail"]
    assert admin.get(url).json()["state"] == "open"
    assert admin.get(f"{url}/closes").json() == []
    assert admin.get(f"/api/v1/accounts/{account['id']}").json()["relationship_type"] == "prospect"
    # Other opportunities are not affected.
    assert admin.action(f"{OPPORTUNITIES}/{other['id']}/win", {}).status_code == 200
    guards.remove(active_quote)
    assert admin.action(f"{url}/win", {}).status_code == 200
