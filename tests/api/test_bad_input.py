"""Bad input answers 422 problem+json naming each offending field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import (
    Api,
    account_body,
    contact_body,
    error_fields,
    lead_body,
    opportunity_body,
    problem_of,
)

LEADS = "/api/v1/leads"


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        pytest.param({"colour": "red"}, {"colour"}, id="unknown-field"),
        pytest.param({"employee_count": "many"}, {"employee_count"}, id="int-as-text"),
        pytest.param({"decision_maker": "perhaps"}, {"decision_maker"}, id="bool-as-text"),
        pytest.param({"estimated_close_date": "soon"}, {"estimated_close_date"}, id="bad-date"),
        pytest.param({"topic": ["a", "list"]}, {"topic"}, id="list-for-text"),
        pytest.param({"owner_id": "not-a-uuid"}, {"owner_id"}, id="bad-uuid"),
        pytest.param({"rating": "lukewarm"}, {"rating"}, id="not-in-picklist"),
        pytest.param({"topic": "x" * 301}, {"topic"}, id="topic-too-long"),
        pytest.param({"first_name": "x" * 101}, {"first_name"}, id="name-too-long"),
        pytest.param({"topic": ""}, {"topic"}, id="topic-empty"),
        pytest.param({"email": "not-an-email"}, {"email"}, id="invalid-email"),
        pytest.param({"email2": "ada@"}, {"email2"}, id="invalid-email2"),
        pytest.param({"phone": "call me maybe"}, {"phone"}, id="invalid-phone"),
        pytest.param({"mobile_phone": "12345"}, {"mobile_phone"}, id="phone-too-short"),
        pytest.param({"estimated_value": "-1"}, {"estimated_value"}, id="negative-money"),
        pytest.param({"budget_amount": "1.23456"}, {"budget_amount"}, id="money-too-precise"),
        pytest.param({"annual_revenue": -0.01}, {"annual_revenue"}, id="negative-revenue"),
        pytest.param({"currency": "ZZZ"}, {"currency"}, id="unknown-currency"),
        pytest.param({"employee_count": -3}, {"employee_count"}, id="negative-count"),
    ],
)
def test_a_bad_lead_field_is_named(admin: Api, overrides: dict[str, Any], fields: set[str]) -> None:
    response = admin.post(LEADS, lead_body(**overrides))
    assert error_fields(response) == fields


def test_every_bad_field_is_named_at_once(admin: Api) -> None:
    body = lead_body(
        colour="red",
        email="nope",
        phone="phone",
        estimated_value="-5",
        topic="t" * 400,
        employee_count="lots",
    )
    response = admin.post(LEADS, body)
    assert error_fields(response) == {
        "colour",
        "email",
        "phone",
        "estimated_value",
        "topic",
        "employee_count",
    }
    problem = response.json()
    assert problem["title"] == "Invalid input"
    assert "email" in problem["detail"]
    unknown = next(e for e in problem["errors"] if e["field"] == "colour")
    assert unknown["message"] == "unknown field"


def test_a_missing_required_field_is_named(admin: Api) -> None:
    body = lead_body()
    del body["topic"]
    assert error_fields(admin.post(LEADS, body)) == {"topic"}


def test_a_body_that_is_not_an_object_or_not_json_is_a_422(admin: Api) -> None:
    assert problem_of(admin.post(LEADS, ["topic"]), 422, "validation_failed")["errors"]
    broken = admin.client.post(
        LEADS,
        content=b'{"topic": ',
        headers={"Authorization": f"Bearer {admin.token}", "Content-Type": "application/json"},
    )
    problem_of(broken, 422, "validation_failed")


def test_unknown_fields_are_refused_on_updates_and_actions_too(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    url = f"{LEADS}/{lead['id']}"
    assert error_fields(admin.patch(url, {"state": "qualified"}, etag='"1"')) == {"state"}
    assert error_fields(admin.patch(url, {"status": "contacted"}, etag='"1"')) == {"status"}
    assert error_fields(admin.action(f"{url}/qualify", {"create_everything": True})) == {
        "create_everything"
    }
    assert error_fields(admin.action(f"{url}/disqualify", {"status": "x" * 33})) == {"status"}
    assert admin.get(url).json()["version"] == 1


def test_required_fields_cannot_be_nulled_by_an_update(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    url = f"{LEADS}/{lead['id']}"
    assert error_fields(admin.patch(url, {"topic": None}, etag='"1"')) == {"topic"}
    assert error_fields(admin.patch(url, {"owner_id": None}, etag='"1"')) == {"owner_id"}


def test_an_invalid_disqualify_status_is_named(admin: Api) -> None:
    lead = admin.create(LEADS, lead_body())
    response = admin.action(f"{LEADS}/{lead['id']}/disqualify", {"status": "qualified"})
    assert error_fields(response) == {"status"}


def test_a_malformed_path_id_or_if_match_is_named(admin: Api) -> None:
    assert error_fields(admin.get(f"{LEADS}/not-a-uuid")) == {"lead_id"}
    lead = admin.create(LEADS, lead_body())
    response = admin.patch(f"{LEADS}/{lead['id']}", {"rating": "cold"}, etag="yesterday")
    assert error_fields(response) == {"If-Match"}


# Accounts and contacts


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        pytest.param({"name": ""}, {"name"}, id="empty-name"),
        pytest.param({"name": "   "}, {"name"}, id="blank-name"),
        pytest.param({"name": "n" * 201}, {"name"}, id="name-too-long"),
        pytest.param({"email": "info.contoso"}, {"email"}, id="invalid-email"),
        pytest.param({"phone": "+49 (30) ABC"}, {"phone"}, id="invalid-phone"),
        pytest.param({"annual_revenue": "-100"}, {"annual_revenue"}, id="negative-money"),
        pytest.param({"relationship_type": "friend"}, {"relationship_type"}, id="bad-picklist"),
        pytest.param({"parent_account_id": 7}, {"parent_account_id"}, id="wrong-type"),
        pytest.param({"vip": True}, {"vip"}, id="unknown-field"),
    ],
)
def test_a_bad_account_field_is_named(
    admin: Api, overrides: dict[str, Any], fields: set[str]
) -> None:
    assert error_fields(admin.post("/api/v1/accounts", account_body(**overrides))) == fields


def test_a_contact_needs_a_first_or_a_last_name(admin: Api) -> None:
    response = admin.post("/api/v1/contacts", {"email": "nameless@example.com"})
    assert error_fields(response) == {"last_name"}
    response = admin.post("/api/v1/contacts", {"first_name": "", "last_name": ""})
    assert error_fields(response) == {"last_name"}
    assert admin.post("/api/v1/contacts", {"first_name": "Cher"}).status_code == 201


def test_an_update_cannot_leave_a_contact_without_a_name(admin: Api) -> None:
    contact = admin.create("/api/v1/contacts", contact_body(first_name=None, last_name="Hopper"))
    response = admin.patch(f"/api/v1/contacts/{contact['id']}", {"last_name": None}, etag='"1"')
    assert error_fields(response) == {"last_name"}


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        pytest.param({"email": "grace@"}, {"email"}, id="invalid-email"),
        pytest.param({"mobile_phone": "ring ring"}, {"mobile_phone"}, id="invalid-phone"),
        pytest.param({"last_name": "h" * 101}, {"last_name"}, id="name-too-long"),
        pytest.param({"do_not_email": "sometimes"}, {"do_not_email"}, id="wrong-type"),
    ],
)
def test_a_bad_contact_field_is_named(
    admin: Api, overrides: dict[str, Any], fields: set[str]
) -> None:
    assert error_fields(admin.post("/api/v1/contacts", contact_body(**overrides))) == fields


# Opportunities


@pytest.fixture
def account_id(admin: Api) -> str:
    return str(admin.create("/api/v1/accounts", account_body())["id"])


@pytest.mark.parametrize("probability", [-1, 101, 1000])
def test_probability_outside_0_to_100_is_refused(
    admin: Api, account_id: str, probability: int
) -> None:
    body = opportunity_body(account_id, probability=probability)
    assert error_fields(admin.post("/api/v1/opportunities", body)) == {"probability"}


@pytest.mark.parametrize("probability", [0, 100])
def test_probability_bounds_are_accepted(admin: Api, account_id: str, probability: int) -> None:
    body = opportunity_body(account_id, probability=probability)
    assert admin.create("/api/v1/opportunities", body)["probability"] == probability


def test_an_opportunity_needs_exactly_one_customer(admin: Api, account_id: str) -> None:
    contact = admin.create("/api/v1/contacts", contact_body())
    none = opportunity_body(account_id)
    del none["account_id"]
    assert error_fields(admin.post("/api/v1/opportunities", none)) == {"customer_contact_id"}
    both = opportunity_body(account_id, customer_contact_id=contact["id"])
    assert error_fields(admin.post("/api/v1/opportunities", both)) == {"customer_contact_id"}
    one = opportunity_body(account_id)
    del one["account_id"]
    one["customer_contact_id"] = contact["id"]
    assert admin.create("/api/v1/opportunities", one)["customer_contact_id"] == contact["id"]


def test_an_update_cannot_leave_an_opportunity_without_or_with_two_customers(
    admin: Api, account_id: str
) -> None:
    contact = admin.create("/api/v1/contacts", contact_body())
    opportunity = admin.create("/api/v1/opportunities", opportunity_body(account_id))
    url = f"/api/v1/opportunities/{opportunity['id']}"
    assert error_fields(admin.patch(url, {"account_id": None}, etag='"1"')) == {"account_id"}
    two = {"customer_contact_id": contact["id"]}
    assert error_fields(admin.patch(url, two, etag='"1"')) == {"account_id"}
    swap = {"account_id": None, "customer_contact_id": contact["id"]}
    assert admin.patch(url, swap, etag='"1"').status_code == 200


def test_an_opportunity_naming_a_missing_account_is_a_422(admin: Api) -> None:
    body = opportunity_body("0190d0c0-0000-7000-8000-000000000000")
    assert error_fields(admin.post("/api/v1/opportunities", body)) == {"account_id"}


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        pytest.param({"estimated_value": "-10"}, {"estimated_value"}, id="negative-money"),
        pytest.param({"name": "n" * 301}, {"name"}, id="name-too-long"),
        pytest.param({"sales_stage": "celebrate"}, {"sales_stage"}, id="bad-stage"),
        pytest.param({"state": "won"}, {"state"}, id="state-is-not-editable"),
        pytest.param({"probability": "likely"}, {"probability"}, id="wrong-type"),
    ],
)
def test_a_bad_opportunity_field_is_named(
    admin: Api, account_id: str, overrides: dict[str, Any], fields: set[str]
) -> None:
    body = opportunity_body(account_id, **overrides)
    assert error_fields(admin.post("/api/v1/opportunities", body)) == fields


def test_win_with_a_negative_value_is_refused(admin: Api, account_id: str) -> None:
    opportunity = admin.create("/api/v1/opportunities", opportunity_body(account_id))
    url = f"/api/v1/opportunities/{opportunity['id']}/win"
    assert error_fields(admin.action(url, {"actual_value": "-1.00"})) == {"actual_value"}


# Lists


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"sort": "password_hash"}, "sort", id="bad-sort-field"),
        pytest.param({"sort": "-created_at,colour"}, "sort", id="bad-second-sort-field"),
        pytest.param({"cursor": "bm90IGEgY3Vyc29y"}, "cursor", id="bad-cursor"),
        pytest.param({"cursor": "%%%"}, "cursor", id="garbage-cursor"),
        pytest.param({"limit": 501}, "limit", id="limit-over-500"),
        pytest.param({"limit": 0}, "limit", id="limit-zero"),
        pytest.param({"limit": "ten"}, "limit", id="limit-not-a-number"),
        pytest.param({"q": "q" * 201}, "q", id="query-too-long"),
        pytest.param({"state": "maybe"}, "state", id="bad-state-filter"),
        pytest.param({"owner_id": "me"}, "owner_id", id="bad-owner-filter"),
    ],
)
def test_bad_list_parameters_are_named(admin: Api, params: dict[str, Any], field: str) -> None:
    assert error_fields(admin.get(LEADS, params=params)) == {field}


def test_a_cursor_from_another_sort_is_refused(admin: Api) -> None:
    for _ in range(3):
        admin.create(LEADS, lead_body())
    page = admin.get(LEADS, params={"limit": 1, "sort": "-created_at"}).json()
    assert page["next_cursor"]
    other = admin.get(LEADS, params={"limit": 1, "sort": "topic", "cursor": page["next_cursor"]})
    assert error_fields(other) == {"cursor"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/accounts",
        "/api/v1/contacts",
        "/api/v1/opportunities",
        "/api/v1/activities",
        "/api/v1/notes",
    ],
)
def test_every_list_refuses_a_bad_sort_and_limit(admin: Api, url: str) -> None:
    assert error_fields(admin.get(url, params={"sort": "nonsense"})) == {"sort"}
    assert error_fields(admin.get(url, params={"limit": 501})) == {"limit"}
    assert error_fields(admin.get(url, params={"cursor": "e30"})) == {"cursor"}
