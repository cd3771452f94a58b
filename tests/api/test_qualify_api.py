"""Qualify: the preview (what would be created, who looks like the same party) and the
one-transaction conversion of a lead into account + contact + opportunity."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.factories import (
    Api,
    account_body,
    contact_body,
    error_fields,
    lead_body,
    problem_of,
)

LEADS = "/api/v1/leads"


def _lead(api: Api, **overrides: Any) -> dict[str, Any]:
    # A phone of its own, so other tests' leads never match by phone by accident; saved
    # even when the duplicate rules see a match (some tests make look-alikes on purpose).
    n = uuid.uuid4().int % 10_000
    body = lead_body(**({"phone": f"+44 20 7946 {n:04d}"} | overrides))
    return api.create(f"{LEADS}?ignore_duplicates=true", body)


def _preview(api: Api, lead_id: str, **params: Any) -> dict[str, Any]:
    response = api.get(f"{LEADS}/{lead_id}/qualify-preview", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _qualify(api: Api, lead_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.action(f"{LEADS}/{lead_id}/qualify", body or {})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# The preview


def test_preview_lists_what_qualify_would_create(admin: Api) -> None:
    lead = _lead(admin, description="Runs 3 plants", website="https://engines.example.com")
    preview = _preview(admin, lead["id"])
    planned = {p["record_type"]: p["fields"] for p in preview["will_create"]}
    assert list(planned) == ["account", "contact", "opportunity"]
    assert planned["account"]["name"] == lead["company_name"]
    assert planned["account"]["website"] == "https://engines.example.com"
    assert planned["contact"]["last_name"] == lead["last_name"]
    assert planned["contact"]["email"] == lead["email"]
    assert planned["opportunity"]["name"] == lead["topic"]
    assert planned["opportunity"]["current_situation"] == "Runs 3 plants"
    assert preview["problems"] == []
    assert preview["lead"]["id"] == lead["id"]
    without = _preview(admin, lead["id"], create_account=False, create_contact=False)
    assert [p["record_type"] for p in without["will_create"]] == ["opportunity"]
    assert without["problems"] == [
        "create_opportunity: an opportunity needs a customer: create or pick an account or contact"
    ]
    # The preview writes nothing.
    assert admin.get(f"{LEADS}/{lead['id']}").json()["version"] == 1


def test_preview_names_the_problems_qualify_would_refuse(admin: Api) -> None:
    lead = _lead(admin, company_name=None)
    preview = _preview(admin, lead["id"])
    assert preview["problems"] == ["create_account: the lead has no company name for an account"]


def _names(matches: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {m["id"]: m["reasons"] for m in matches}


def test_preview_finds_the_same_party_written_differently(admin: Api) -> None:
    lead = _lead(
        admin,
        email="Ada.Lovelace@Engines.example.com",
        phone="+44 20 7946 0123",
        company_name="Analytical Engines, Inc.",
        country="GB",
    )
    same_email = admin.create(
        "/api/v1/accounts",
        account_body(name="Babbage Ltd", email="ada.lovelace@ENGINES.example.com"),
    )
    same_company = admin.create(
        "/api/v1/accounts", account_body(name="ANALYTICAL ENGINES", email=None, phone=None)
    )
    same_phone = admin.create(
        "/api/v1/contacts",
        contact_body(email=None, phone="020 7946 0123", country="United Kingdom"),
    )
    same_mobile = admin.create(
        "/api/v1/contacts", contact_body(email=None, mobile_phone="+44 (20) 7946-0123")
    )
    unrelated = admin.create(
        "/api/v1/accounts", account_body(name="Analytical Machines", email=None, phone=None)
    )
    twin = _lead(admin, email="ADA.LOVELACE@engines.example.com", company_name="Other")
    closed_twin = _lead(admin, email="ada.lovelace@engines.example.com", company_name="Other 2")
    admin.action(f"{LEADS}/{closed_twin['id']}/disqualify", {})

    preview = _preview(admin, lead["id"])
    # The core's same-party reasons come first; published duplicate rules may add theirs.
    accounts = _names(preview["matching_accounts"])
    assert accounts[same_email["id"]][0] == "same email"
    assert accounts[same_company["id"]][0] == "same company name"
    assert unrelated["id"] not in accounts
    contacts = _names(preview["matching_contacts"])
    assert contacts[same_phone["id"]][0] == "same phone"
    assert contacts[same_mobile["id"]][0] == "same phone"
    leads = _names(preview["matching_leads"])
    assert list(leads) == [twin["id"]]  # not itself, not the closed one
    assert leads[twin["id"]][0] == "same email"
    assert {m["record_type"] for m in preview["matching_accounts"]} == {"account"}


def test_preview_matches_only_what_the_user_may_see(api_as, admin: Api) -> None:  # type: ignore[no-untyped-def]
    from leadgate.security.roles import Role

    seller = api_as(Role.SALESPERSON)
    colleague = api_as(Role.SALESPERSON)
    mine = _lead(seller, email="shared@party.example.com")
    theirs = _lead(colleague, email="shared@party.example.com")
    assert _preview(seller, mine["id"])["matching_leads"] == []
    assert [m["id"] for m in _preview(admin, mine["id"])["matching_leads"]] == [theirs["id"]]


# Qualify


def test_qualify_creates_account_contact_and_opportunity_linked_both_ways(admin: Api) -> None:
    lead = _lead(
        admin,
        website="https://engines.example.com",
        industry="manufacturing",
        employee_count=120,
        budget_amount="40000",
        purchase_process="committee",
        decision_maker=True,
        need="must_have",
        description="Replacing a spreadsheet",
        estimated_close_date="2027-03-31",
        job_title="CTO",
    )
    done = _qualify(admin, lead["id"])
    account, contact, opportunity = done["account"], done["contact"], done["opportunity"]
    assert account["originating_lead_id"] == lead["id"]
    assert contact["originating_lead_id"] == lead["id"]
    assert opportunity["originating_lead_id"] == lead["id"]
    assert (account["name"], account["website"]) == (lead["company_name"], lead["website"])
    assert (account["industry"], account["employee_count"]) == ("manufacturing", 120)
    assert account["phone"] == lead["phone"]
    assert contact["account_id"] == account["id"]
    assert (contact["first_name"], contact["last_name"]) == (lead["first_name"], lead["last_name"])
    assert (contact["email"], contact["job_title"]) == (lead["email"], "CTO")
    assert opportunity["account_id"] == account["id"]
    assert opportunity["customer_contact_id"] is None
    assert opportunity["contact_id"] == contact["id"]
    assert opportunity["name"] == lead["topic"]
    assert opportunity["estimated_value"] == "12000.50"
    assert opportunity["estimated_close_date"] == "2027-03-31"
    assert opportunity["budget_amount"] == "40000.00"
    assert (opportunity["purchase_timeframe"], opportunity["purchase_process"]) == (
        "this_quarter",
        "committee",
    )
    assert (opportunity["decision_maker"], opportunity["need"]) == (True, "must_have")
    assert opportunity["current_situation"] == "Replacing a spreadsheet"
    assert (opportunity["state"], opportunity["status"]) == ("open", "in_progress")
    assert done["lead"]["qualifying_opportunity_id"] == opportunity["id"]
    assert (done["lead"]["state"], done["lead"]["status"]) == ("qualified", "qualified")

    stored = admin.get(f"{LEADS}/{lead['id']}").json()
    assert stored["state"] == "qualified"
    assert stored["qualifying_opportunity_id"] == opportunity["id"]
    for url, record in (
        ("/api/v1/accounts", account),
        ("/api/v1/contacts", contact),
        ("/api/v1/opportunities", opportunity),
    ):
        assert admin.get(f"{url}/{record['id']}").json()["originating_lead_id"] == lead["id"]
    found = admin.get("/api/v1/opportunities", params={"originating_lead_id": lead["id"]}).json()
    assert [o["id"] for o in found["items"]] == [opportunity["id"]]


def test_qualify_onto_an_existing_account_creates_no_account(admin: Api) -> None:
    existing = admin.create("/api/v1/accounts", account_body())
    lead = _lead(admin)
    before = admin.get("/api/v1/accounts").json()["count"]
    done = _qualify(admin, lead["id"], {"existing_account_id": existing["id"]})
    assert admin.get("/api/v1/accounts").json()["count"] == before
    assert done["account"]["id"] == existing["id"]
    assert done["account"]["originating_lead_id"] is None
    assert done["opportunity"]["account_id"] == existing["id"]
    assert done["contact"]["account_id"] == existing["id"]
    assert done["lead"]["existing_account_id"] == existing["id"]
    found = admin.get("/api/v1/accounts", params={"q": lead["company_name"]}).json()
    assert found["items"] == []


def test_qualify_onto_an_existing_contact_as_the_customer(admin: Api) -> None:
    existing = admin.create("/api/v1/contacts", contact_body())
    lead = _lead(admin)
    done = _qualify(
        admin, lead["id"], {"create_account": False, "existing_contact_id": existing["id"]}
    )
    assert done["account"] is None
    assert done["contact"]["id"] == existing["id"]
    assert done["opportunity"]["account_id"] is None
    assert done["opportunity"]["customer_contact_id"] == existing["id"]
    assert done["lead"]["existing_contact_id"] == existing["id"]
    found = admin.get("/api/v1/contacts", params={"q": lead["last_name"]}).json()
    assert found["items"] == []


def test_qualify_with_nothing_to_create_just_closes_the_lead(admin: Api) -> None:
    lead = _lead(admin)
    nothing = {"create_account": False, "create_contact": False, "create_opportunity": False}
    done = _qualify(admin, lead["id"], nothing)
    assert (done["account"], done["contact"], done["opportunity"]) == (None, None, None)
    assert done["lead"]["state"] == "qualified"
    assert done["lead"]["qualifying_opportunity_id"] is None
    found = admin.get("/api/v1/opportunities", params={"originating_lead_id": lead["id"]})
    assert found.json()["items"] == []


def test_qualify_a_lead_that_is_not_open(admin: Api) -> None:
    lead = _lead(admin)
    _qualify(admin, lead["id"])
    again = admin.action(f"{LEADS}/{lead['id']}/qualify", {})
    body = problem_of(again, 409, "invalid_transition")
    assert body["allowed"] == ["reactivate"]
    found = admin.get("/api/v1/opportunities", params={"originating_lead_id": lead["id"]})
    assert len(found.json()["items"]) == 1


def test_the_campaign_and_currency_pass_to_the_opportunity(admin: Api) -> None:
    campaign, override = str(uuid.uuid4()), str(uuid.uuid4())
    lead = _lead(admin, campaign_id=campaign, currency="GBP")
    assert _qualify(admin, lead["id"])["opportunity"]["campaign_id"] == campaign
    other = _lead(admin, campaign_id=campaign)
    done = _qualify(admin, other["id"], {"campaign_id": override, "currency": "eur"})
    assert done["opportunity"]["campaign_id"] == override
    assert done["opportunity"]["currency"] == "EUR"
    plain = _lead(admin, currency="GBP")
    assert _qualify(admin, plain["id"])["opportunity"]["currency"] == "GBP"


@pytest.mark.parametrize(
    ("lead_overrides", "request_body", "fields"),
    [
        pytest.param({"company_name": None}, {}, {"create_account"}, id="no-company"),
        pytest.param(
            {"first_name": None, "last_name": None},
            {"create_account": False},
            {"create_contact"},
            id="no-name",
        ),
        pytest.param(
            {},
            {"create_account": False, "create_contact": False},
            {"create_opportunity"},
            id="no-customer",
        ),
        pytest.param(
            {},
            {"create_account": True, "existing_account_id": str(uuid.uuid4())},
            {"create_account"},
            id="new-and-existing-account",
        ),
        pytest.param(
            {}, {"existing_account_id": str(uuid.uuid4())}, {"existing_account_id"}, id="no-account"
        ),
        pytest.param(
            {}, {"existing_contact_id": str(uuid.uuid4())}, {"existing_contact_id"}, id="no-contact"
        ),
        pytest.param({}, {"currency": "XXX"}, {"currency"}, id="bad-currency"),
        pytest.param({}, {"create_account": "sure"}, {"create_account"}, id="wrong-type"),
    ],
)
def test_qualify_refuses_what_it_cannot_do(
    admin: Api, lead_overrides: dict[str, Any], request_body: dict[str, Any], fields: set[str]
) -> None:
    lead = _lead(admin, **lead_overrides)
    response = admin.action(f"{LEADS}/{lead['id']}/qualify", request_body)
    assert error_fields(response) == fields
    after = admin.get(f"{LEADS}/{lead['id']}").json()
    assert (after["state"], after["version"]) == ("open", 1)
    found = admin.get("/api/v1/opportunities", params={"originating_lead_id": lead["id"]})
    assert found.json()["items"] == []


# The mapping is data


MAPPINGS = "/api/v1/qualify-mappings"


def test_the_mapping_can_be_read(admin: Api) -> None:
    rows = admin.get(MAPPINGS, params={"target_type": "opportunity"}).json()
    pairs = {(r["source_field"], r["target_field"]) for r in rows}
    assert ("topic", "name") in pairs
    assert ("description", "current_situation") in pairs
    assert {r["target_type"] for r in admin.get(MAPPINGS).json()} == {
        "account",
        "contact",
        "opportunity",
    }


def test_changing_the_mapping_changes_what_qualify_copies(admin: Api) -> None:
    rows = admin.get(MAPPINGS, params={"target_type": "opportunity"}).json()
    new_rows = [
        {"source_field": r["source_field"], "target_field": r["target_field"]}
        for r in rows
        if r["target_field"] != "current_situation"
    ] + [{"source_field": "description", "target_field": "customer_need"}]
    replaced = admin.put(f"{MAPPINGS}/opportunity", {"rows": new_rows})
    assert replaced.status_code == 200, replaced.text
    assert ("description", "customer_need") in {
        (r["source_field"], r["target_field"]) for r in replaced.json()
    }
    lead = _lead(admin, description="Needs SSO and audit trails")
    preview = _preview(admin, lead["id"])
    planned = next(p for p in preview["will_create"] if p["record_type"] == "opportunity")
    assert planned["fields"]["customer_need"] == "Needs SSO and audit trails"
    assert "current_situation" not in planned["fields"]
    opportunity = _qualify(admin, lead["id"])["opportunity"]
    assert opportunity["customer_need"] == "Needs SSO and audit trails"
    assert opportunity["current_situation"] is None
    audit = admin.get("/api/v1/audit-events", params={"record_type": "qualify_mapping"}).json()
    assert audit["items"][0]["action"] == "update"


def test_a_mapping_without_the_name_row_makes_qualify_refuse_the_opportunity(admin: Api) -> None:
    rows = [{"source_field": "estimated_value", "target_field": "estimated_value"}]
    assert admin.put(f"{MAPPINGS}/opportunity", {"rows": rows}).status_code == 200
    lead = _lead(admin)
    response = admin.action(f"{LEADS}/{lead['id']}/qualify", {})
    assert "opportunity.name" in error_fields(response)
    assert admin.get(f"{LEADS}/{lead['id']}").json()["state"] == "open"


@pytest.mark.parametrize(
    ("rows", "fields"),
    [
        pytest.param(
            [
                {"source_field": "topic", "target_field": "name"},
                {"source_field": "colour", "target_field": "description"},
            ],
            {"rows[1].source_field"},
            id="unknown-lead-field",
        ),
        pytest.param(
            [{"source_field": "topic", "target_field": "nickname"}],
            {"rows[0].target_field"},
            id="unknown-target-field",
        ),
        pytest.param(
            [{"source_field": "topic", "target_field": "owner_id"}],
            {"rows[0].target_field"},
            id="protected-target-field",
        ),
        pytest.param(
            [
                {"source_field": "topic", "target_field": "name"},
                {"source_field": "company_name", "target_field": "name"},
            ],
            {"rows[1].target_field"},
            id="mapped-twice",
        ),
        pytest.param(
            [{"source_field": "estimated_value", "target_field": "name"}],
            {"rows[0]"},
            id="types-disagree",
        ),
        pytest.param(
            [{"source_field": "topic", "target_field": "name", "note": "x"}],
            {"rows.0.note"},
            id="unknown-key",
        ),
    ],
)
def test_an_invalid_mapping_is_refused_naming_the_row(
    admin: Api, rows: list[dict[str, str]], fields: set[str]
) -> None:
    before = admin.get(MAPPINGS, params={"target_type": "opportunity"}).json()
    response = admin.put(f"{MAPPINGS}/opportunity", {"rows": rows})
    assert error_fields(response) == fields
    assert admin.get(MAPPINGS, params={"target_type": "opportunity"}).json() == before


def test_an_unknown_mapping_target_is_refused(admin: Api) -> None:
    response = admin.put(f"{MAPPINGS}/invoice", {"rows": []})
    assert error_fields(response) == {"target_type"}


def test_a_lead_linked_to_an_account_qualifies_onto_it_by_default(admin: Api) -> None:
    existing = admin.create("/api/v1/accounts", account_body())
    lead = _lead(admin, existing_account_id=existing["id"])
    planned = _preview(admin, lead["id"])
    assert [r["record_type"] for r in planned["will_create"]] == ["contact", "opportunity"]
    done = _qualify(admin, lead["id"])
    assert done["account"]["id"] == existing["id"]
    assert done["opportunity"]["account_id"] == existing["id"]
    assert admin.get("/api/v1/accounts", params={"q": lead["company_name"]}).json()["items"] == []


def test_asking_explicitly_for_a_new_account_overrides_the_lead_link(admin: Api) -> None:
    existing = admin.create("/api/v1/accounts", account_body())
    lead = _lead(admin, existing_account_id=existing["id"])
    done = _qualify(admin, lead["id"], {"create_account": True})
    assert done["account"]["id"] != existing["id"]
    assert done["account"]["originating_lead_id"] == lead["id"]


def test_the_preview_of_a_closed_lead_is_refused_with_the_allowed_moves(admin: Api) -> None:
    lead = _lead(admin)
    _qualify(admin, lead["id"])
    refused = admin.get(f"{LEADS}/{lead['id']}/qualify-preview")
    assert problem_of(refused, 409, "invalid_transition")["allowed"] == ["reactivate"]


def test_closed_leads_and_opportunities_cannot_be_deleted(admin: Api) -> None:
    lead = _lead(admin)
    done = _qualify(admin, lead["id"])
    lead_now = admin.get(f"{LEADS}/{lead['id']}")
    refused = admin.delete(f"{LEADS}/{lead['id']}", etag=lead_now.headers["ETag"])
    problem_of(refused, 409, "read_only")
    opportunity_url = f"/api/v1/opportunities/{done['opportunity']['id']}"
    won = admin.action(f"{opportunity_url}/win", {})
    assert won.status_code == 200, won.text
    refused = admin.delete(opportunity_url, etag=won.headers["ETag"])
    problem_of(refused, 409, "read_only")
    assert admin.get(opportunity_url).status_code == 200
