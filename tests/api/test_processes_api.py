"""Business process flows through the API: the default lead → opportunity → won path,
gating, concurrency, access, switching, versioned definitions, reports."""

from __future__ import annotations

from typing import Any

from tests.factories import Api, lead_body

FLOWS = "/api/v1/process-flows"
INSTANCES = "/api/v1/process-instances"


def _errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _flow_named(api: Api, name: str) -> dict[str, Any]:
    flows = api.get(FLOWS).json()
    return next(f for f in flows if f["name"] == name)


def _move(api: Api, instance: dict[str, Any], verb: str, etag: str | None = None) -> Any:
    headers = {"If-Match": etag} if etag else None
    return api.post(f"{INSTANCES}/{instance['id']}/{verb}", headers=headers)


def _qualify(api: Api, lead_id: str) -> dict[str, Any]:
    response = api.post(f"/api/v1/leads/{lead_id}/qualify", {})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _patch_opportunity(api: Api, opportunity_id: str, body: dict[str, Any]) -> None:
    url = f"/api/v1/opportunities/{opportunity_id}"
    etag = api.get(url).headers["ETag"]
    response = api.patch(url, body, etag=etag)
    assert response.status_code == 200, response.text


def test_default_flows_are_shipped_and_valid(admin: Api) -> None:
    lead_flow = _flow_named(admin, "Lead to Opportunity")
    assert lead_flow["status"] == "active"
    assert [(s["key"], s["record_type"]) for s in lead_flow["stages"]] == [
        ("qualify", "lead"),
        ("develop", "opportunity"),
        ("propose", "opportunity"),
        ("close", "opportunity"),
    ]
    opportunity_flow = _flow_named(admin, "Opportunity Sales Process")
    assert opportunity_flow["primary_record_type"] == "opportunity"
    assert [s["key"] for s in opportunity_flow["stages"]] == ["develop", "propose", "close"]
    # Re-saving the shipped definition passes today's validation (fields still exist).
    copy = admin.post(
        FLOWS,
        {"name": "Copy", "primary_record_type": "lead", "stages": lead_flow["stages"]},
    )
    assert copy.status_code == 201, copy.text


def test_lead_to_opportunity_to_won_through_the_default_flow(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    process = admin.get(f"/api/v1/leads/{lead['id']}/process")
    assert process.status_code == 200, process.text
    instance = process.json()
    assert instance["flow_name"] == "Lead to Opportunity"
    assert instance["active_stage"] == "qualify"
    assert instance["missing_required"] == ["need"]

    refused = _move(admin, instance, "next-stage")
    assert refused.status_code == 422
    assert _errors(refused) == {"need": "Identify need is required"}

    url = f"/api/v1/leads/{lead['id']}"
    assert admin.patch(url, {"need": "must_have"}, etag='"1"').status_code == 200
    # The next stage is on the opportunity: only qualification crosses over.
    not_yet = _move(admin, instance, "next-stage")
    assert not_yet.status_code == 409
    assert "qualify the lead first" in not_yet.json()["detail"]

    done = _qualify(admin, lead["id"])
    opportunity_id = done["opportunity"]["id"]
    crossed = admin.get(f"/api/v1/opportunities/{opportunity_id}/process").json()
    assert crossed["id"] == instance["id"]
    assert crossed["active_stage"] == "develop"
    assert crossed["record_type"] == "opportunity"
    assert crossed["path"] == ["qualify", "develop"]
    assert admin.get(f"/api/v1/opportunities/{opportunity_id}").json()["sales_stage"] == "develop"

    refused = _move(admin, crossed, "next-stage", f'"{crossed["version"]}"')
    assert refused.status_code == 422
    assert set(_errors(refused)) == {"customer_need", "proposed_solution"}

    _patch_opportunity(
        admin, opportunity_id, {"customer_need": "20 seats", "proposed_solution": "Pro plan"}
    )
    moved = _move(admin, crossed, "next-stage", f'"{crossed["version"]}"')
    assert moved.status_code == 200, moved.text
    assert moved.json()["active_stage"] == "propose"
    assert admin.get(f"/api/v1/opportunities/{opportunity_id}").json()["sales_stage"] == "propose"

    back = _move(admin, crossed, "previous-stage", moved.headers["ETag"])
    assert back.status_code == 200
    assert back.json()["active_stage"] == "develop"
    again = _move(admin, crossed, "next-stage", back.headers["ETag"])
    assert again.json()["active_stage"] == "propose"

    _patch_opportunity(admin, opportunity_id, {"proposal_presented": True})
    at_close = _move(admin, crossed, "next-stage").json()
    assert at_close["active_stage"] == "close"
    assert "finish" in at_close["allowed"]
    last = _move(admin, crossed, "next-stage")
    assert last.status_code == 409
    assert "finish" in last.json()["allowed"]

    won = admin.post(f"/api/v1/opportunities/{opportunity_id}/win", {})
    assert won.status_code == 200, won.text
    finished = admin.get(f"{INSTANCES}/{instance['id']}").json()
    assert finished["state"] == "finished"
    after = _move(admin, crossed, "next-stage")
    assert after.status_code == 409
    assert after.json()["allowed"] == ["reactivate"]

    history = admin.get(f"{INSTANCES}/{instance['id']}/history").json()
    assert [(v["stage_key"], v["exit_kind"]) for v in history] == [
        ("qualify", "crossed"),
        ("develop", "next"),
        ("propose", "previous"),
        ("develop", "next"),
        ("propose", "next"),
        ("close", "finished"),
    ]
    assert all(v["entered_by_id"] == str(admin.user_id) for v in history)
    assert all(v["duration_seconds"] >= 0 for v in history)

    timeline = admin.get(f"/api/v1/opportunities/{opportunity_id}/timeline").json()
    stage_events = [e for e in timeline if e["title"] == "process_stage"]
    assert len(stage_events) == 5
    assert any(e["title"] == "process_finished" for e in timeline)

    conversion = admin.get(
        f"{FLOWS}/reports/conversion", params={"flow_family_id": finished["flow_family_id"]}
    ).json()
    by_stage = {row["stage_key"]: row for row in conversion}
    assert by_stage["qualify"]["advanced"] >= 1
    assert by_stage["close"]["finished"] >= 1
    times = admin.get(
        f"{FLOWS}/reports/time-in-stage",
        params={"flow_family_id": finished["flow_family_id"], "by_owner": "true"},
    ).json()
    develop = [
        r for r in times if r["stage_key"] == "develop" and r["owner_id"] == str(admin.user_id)
    ]
    assert [row["visits"] for row in develop] == [2]


def test_finish_needs_the_last_stages_required_steps(admin: Api) -> None:
    account = admin.create("/api/v1/accounts", {"name": "Contoso"})
    opportunity = admin.create(
        "/api/v1/opportunities", {"name": "Renewal", "account_id": account["id"]}
    )
    instance = admin.get(f"/api/v1/opportunities/{opportunity['id']}/process").json()
    assert instance["flow_name"] == "Opportunity Sales Process"
    assert instance["active_stage"] == "develop"
    _patch_opportunity(
        admin,
        opportunity["id"],
        {"customer_need": "more", "proposed_solution": "x", "proposal_presented": False},
    )
    assert _move(admin, instance, "next-stage").status_code == 200
    assert _move(admin, instance, "next-stage").status_code == 200
    refused = _move(admin, instance, "finish")
    assert refused.status_code == 422
    assert set(_errors(refused)) == {"final_decision_date"}
    _patch_opportunity(admin, opportunity["id"], {"final_decision_date": "2026-12-15"})
    finished = _move(admin, instance, "finish")
    assert finished.status_code == 200, finished.text
    assert finished.json()["state"] == "finished"


def test_lose_aborts_and_reopen_reactivates(admin: Api) -> None:
    account = admin.create("/api/v1/accounts", {"name": "Fabrikam"})
    opportunity = admin.create(
        "/api/v1/opportunities", {"name": "Upsell", "account_id": account["id"]}
    )
    url = f"/api/v1/opportunities/{opportunity['id']}"
    assert admin.post(f"{url}/lose", {}).status_code == 200
    assert admin.get(f"{url}/process").json()["state"] == "aborted"
    assert admin.post(f"{url}/reopen", None).status_code == 200
    reopened = admin.get(f"{url}/process").json()
    assert reopened["state"] == "active"
    assert reopened["active_stage"] == "develop"


def test_disqualify_aborts_the_leads_flow_and_reactivate_resumes_it(admin: Api) -> None:
    lead = admin.create("/api/v1/leads", lead_body())
    url = f"/api/v1/leads/{lead['id']}"
    assert admin.post(f"{url}/disqualify", {"status": "cannot_contact"}).status_code == 200
    aborted = admin.get(f"{url}/process").json()
    assert aborted["state"] == "aborted"
    assert aborted["active_stage"] == "qualify"
    assert admin.post(f"{url}/reactivate", None).status_code == 200
    resumed = admin.get(f"{url}/process").json()
    assert resumed["state"] == "active"
    assert resumed["active_stage"] == "qualify"


def test_two_moves_on_the_same_version_one_gets_412(admin: Api, api_as: Any) -> None:
    lead = admin.create("/api/v1/leads", lead_body(need="must_have"))
    done = _qualify(admin, lead["id"])
    instance = admin.get(f"/api/v1/opportunities/{done['opportunity']['id']}/process")
    etag = instance.headers["ETag"]
    _patch_opportunity(
        admin, done["opportunity"]["id"], {"customer_need": "a", "proposed_solution": "b"}
    )
    first = _move(admin, instance.json(), "next-stage", etag)
    second = _move(admin, instance.json(), "previous-stage", etag)
    assert first.status_code == 200
    assert second.status_code == 412
    assert second.json()["code"] == "stale"


def test_another_salespersons_instance_is_hidden_and_read_only_users_cannot_move(
    api_as: Any,
) -> None:
    from leadgate.security.roles import Role

    owner = api_as(Role.SALESPERSON)
    other = api_as(Role.SALESPERSON)
    reader = api_as(Role.READ_ONLY)
    lead = owner.create("/api/v1/leads", lead_body())
    instance = owner.get(f"/api/v1/leads/{lead['id']}/process").json()
    assert other.get(f"{INSTANCES}/{instance['id']}").status_code == 404
    assert _move(other, instance, "next-stage").status_code == 404
    assert reader.get(f"{INSTANCES}/{instance['id']}").status_code == 200
    assert _move(reader, instance, "abandon").status_code == 403
    # Stage reports only count what the reader may see: the other salesperson sees nothing.
    assert other.get(f"{FLOWS}/reports/conversion").json() == []


def test_invalid_definition_lists_every_problem(admin: Api) -> None:
    response = admin.post(
        FLOWS,
        {
            "name": "Broken",
            "primary_record_type": "lead",
            "stages": [
                {
                    "key": "a",
                    "name": "A",
                    "record_type": "lead",
                    "steps": [{"field": "shoe_size", "label": "Shoe"}],
                    "branches": [
                        {
                            "conditions": [{"field": "customer_need", "operator": "is_empty"}],
                            "goto": "b",
                        }
                    ],
                },
                {"key": "b", "name": "B", "record_type": "opportunity", "next": "a"},
            ],
        },
    )
    assert response.status_code == 422
    errors = _errors(response)
    assert "stages.0.steps.0.field" in errors
    assert "stages.0.branches.0.conditions.0.field" in errors
    about_b = [e["message"] for e in response.json()["errors"] if e["field"] == "stages.1"]
    assert any("cannot go back" in m for m in about_b)
    assert any("may not loop" in m for m in about_b)
    assert response.headers["content-type"] == "application/problem+json"


def _simple_flow(api: Api, name: str, **extra: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "primary_record_type": "lead",
        "stages": [
            {
                "key": "call",
                "name": "Call",
                "record_type": "lead",
                "steps": [{"field": "phone", "label": "Phone", "required": True}],
            },
            {"key": "visit", "name": "Visit", "record_type": "lead"},
        ],
        **extra,
    }
    flow = api.create(FLOWS, body)
    activated = api.post(f"{FLOWS}/{flow['id']}/activate", None)
    assert activated.status_code == 200, activated.text
    return activated.json()  # type: ignore[no-any-return]


def test_switch_keeps_the_old_instance_and_edits_make_versions(admin: Api) -> None:
    flow = _simple_flow(admin, "Field sales")
    lead = admin.create("/api/v1/leads", lead_body())
    original = admin.get(f"/api/v1/leads/{lead['id']}/process").json()
    switched = admin.post(
        f"{INSTANCES}/switch-flow",
        {"record_type": "lead", "record_id": lead["id"], "flow_id": flow["id"]},
    )
    assert switched.status_code == 200, switched.text
    field_run = switched.json()
    assert field_run["flow_name"] == "Field sales"
    assert _move(admin, field_run, "next-stage").json()["active_stage"] == "visit"

    # Editing the active flow saves version 2; the running instance keeps version 1.
    edited = admin.patch(f"{FLOWS}/{flow['id']}", {"name": "Field sales v2"}, etag='"2"')
    assert edited.status_code == 200, edited.text
    assert edited.json()["flow_version"] == 2
    assert edited.json()["id"] != flow["id"]
    assert admin.get(f"{FLOWS}/{flow['id']}").json()["status"] == "retired"
    kept = admin.get(f"{INSTANCES}/{field_run['id']}").json()
    assert (kept["flow_version"], kept["flow_name"], kept["active_stage"]) == (
        1,
        "Field sales",
        "visit",
    )

    back = admin.post(
        f"{INSTANCES}/switch-flow",
        {"record_type": "lead", "record_id": lead["id"], "flow_id": original["flow_id"]},
    )
    assert back.json()["id"] == original["id"]
    listed = admin.get(INSTANCES, params={"record_type": "lead", "record_id": lead["id"]}).json()
    assert [(i["id"], i["is_current"]) for i in listed] == [
        (original["id"], True),
        (field_run["id"], False),
    ]
    retired = admin.post(
        f"{INSTANCES}/switch-flow",
        {"record_type": "lead", "record_id": lead["id"], "flow_id": flow["id"]},
    )
    assert retired.status_code == 422


def test_first_flow_the_owners_role_allows(admin: Api, api_as: Any) -> None:
    from leadgate.security.roles import Role

    shipped = _flow_named(admin, "Lead to Opportunity")
    assert admin.post(f"{FLOWS}/{shipped['id']}/deactivate", None).status_code == 200
    _simple_flow(admin, "Managers only", sort_order=1, roles=["sales_manager"])
    _simple_flow(admin, "Everyone", sort_order=2)
    manager = api_as(Role.SALES_MANAGER)
    seller = api_as(Role.SALESPERSON)
    lead_m = manager.create("/api/v1/leads", lead_body())
    lead_s = seller.create("/api/v1/leads", lead_body())
    assert manager.get(f"/api/v1/leads/{lead_m['id']}/process").json()["flow_name"] == (
        "Managers only"
    )
    assert seller.get(f"/api/v1/leads/{lead_s['id']}/process").json()["flow_name"] == "Everyone"


def test_at_most_ten_active_flows_per_record_type(admin: Api) -> None:
    for n in range(9):  # the shipped lead flow is the first
        _simple_flow(admin, f"Flow {n}")
    extra = admin.create(
        FLOWS,
        {
            "name": "One too many",
            "primary_record_type": "lead",
            "stages": [{"key": "a", "name": "A", "record_type": "lead"}],
        },
    )
    refused = admin.post(f"{FLOWS}/{extra['id']}/activate", None)
    assert refused.status_code == 422
    assert "at most 10 active flows" in _errors(refused)["status"]


def test_salespeople_cannot_define_flows(api_as: Any) -> None:
    from leadgate.security.roles import Role

    seller = api_as(Role.SALESPERSON)
    response = seller.post(
        FLOWS,
        {
            "name": "Mine",
            "primary_record_type": "lead",
            "stages": [{"key": "a", "name": "A", "record_type": "lead"}],
        },
    )
    assert response.status_code == 403
    assert seller.get(FLOWS).status_code == 200


def test_opportunity_stage_sets_sales_stage_and_probability(admin: Api) -> None:
    def stage(key: str, probability: int) -> dict[str, Any]:
        return {
            "key": key,
            "name": key.title(),
            "record_type": "opportunity",
            "category": key,
            "sales_stage": key,
            "probability": probability,
        }

    flow = admin.create(
        FLOWS,
        {
            "name": "Weighted",
            "primary_record_type": "opportunity",
            "stages": [stage("develop", 20), stage("propose", 60)],
        },
    )
    assert admin.post(f"{FLOWS}/{flow['id']}/activate", None).status_code == 200
    account = admin.create("/api/v1/accounts", {"name": "Litware"})
    opportunity = admin.create(
        "/api/v1/opportunities", {"name": "Weighted deal", "account_id": account["id"]}
    )
    run = admin.post(
        f"{INSTANCES}/switch-flow",
        {"record_type": "opportunity", "record_id": opportunity["id"], "flow_id": flow["id"]},
    ).json()
    moved = _move(admin, run, "next-stage")
    assert moved.status_code == 200, moved.text
    url = f"/api/v1/opportunities/{opportunity['id']}"
    current = admin.get(url).json()
    assert (current["sales_stage"], current["probability"]) == ("propose", 60)
    timeline = admin.get(f"{url}/timeline").json()
    update = next(e for e in timeline if e["title"] == "update")
    assert update["changes"]["probability"] == [None, 60]
    assert any(e["title"] == "process_switched" for e in timeline)

    # A flow that instances run is never edited in place, even once deactivated.
    assert admin.post(f"{FLOWS}/{flow['id']}/deactivate", None).status_code == 200
    edited = admin.patch(f"{FLOWS}/{flow['id']}", {"name": "Weighted 2"}, etag='"3"')
    assert edited.status_code == 200, edited.text
    assert (edited.json()["flow_version"], edited.json()["status"]) == (2, "draft")
    assert admin.get(f"{INSTANCES}/{run['id']}").json()["flow_name"] == "Weighted"
