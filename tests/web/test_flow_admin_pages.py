"""The admin flow editor pages, over HTTP through the app (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.processes.models import ProcessFlow, ProcessInstance
from leadgate.security.roles import Role
from tests.web.conftest import Browser


def _simple_flow(name: str = "Quick check", **extra: str) -> dict[str, Any]:
    """Two lead stages; a branch after the first skips to the end for cold leads."""
    return {
        "name": name,
        "primary_record_type": "lead",
        "sort_order": "3",
        "stages.0.key": "triage",
        "stages.0.name": "Triage",
        "stages.0.record_type": "lead",
        "stages.0.category": "qualify",
        "stages.0.steps.0.field": "rating",
        "stages.0.steps.0.label": "Rating",
        "stages.0.steps.0.required": "on",
        "stages.0.branches.0.match": "all",
        "stages.0.branches.0.goto": "end",
        "stages.0.branches.0.conditions.0.field": "rating",
        "stages.0.branches.0.conditions.0.operator": "equals",
        "stages.0.branches.0.conditions.0.value": "cold",
        "stages.1.key": "call",
        "stages.1.name": "Call",
        "stages.1.record_type": "lead",
        "stages.1.category": "develop",
        "action": "save",
        **extra,
    }


def _flow(session_factory: sessionmaker[Session], name: str) -> ProcessFlow:
    with session_factory() as session:
        found = session.scalars(
            select(ProcessFlow).where(ProcessFlow.name == name).order_by(ProcessFlow.flow_version)
        ).all()
        assert found, f"no flow {name}"
        return found[-1]


def test_only_flow_definers_see_the_pages(web_as: Callable[..., Browser]) -> None:
    admin = web_as(Role.SYSTEM_ADMINISTRATOR)
    assert 'href="/admin/flows"' in admin.get("/").text
    listing = admin.get("/admin/flows")
    assert listing.status_code == 200
    assert "Lead to Opportunity" in listing.text
    assert "Opportunity Sales Process" in listing.text
    for role in (Role.SALES_MANAGER, Role.SALESPERSON, Role.READ_ONLY):
        other = web_as(role)
        assert 'href="/admin/flows"' not in other.get("/").text
        assert other.get("/admin/flows").status_code == 404
        assert other.get("/admin/flows/new").status_code == 404
        assert other.post("/admin/flows/new", _simple_flow()).status_code == 404


def test_create_a_flow_with_a_branch_and_see_it_listed(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    admin = web_as(Role.SYSTEM_ADMINISTRATOR)
    form = admin.get("/admin/flows/new?type=lead")
    assert form.status_code == 200
    assert 'name="stages.0.key"' in form.text
    saved = admin.post("/admin/flows/new", _simple_flow(activate="on"))
    assert saved.status_code == 303, saved.text
    flow = _flow(session_factory, "Quick check")
    assert saved.headers["location"] == f"/admin/flows/{flow.id}"
    assert flow.status == "active"
    assert flow.sort_order == 3
    assert flow.stages[0]["branches"] == [
        {"goto": "end", "conditions": [{"field": "rating", "operator": "equals", "value": "cold"}]}
    ]
    assert flow.stages[0]["steps"] == [{"field": "rating", "label": "Rating", "required": True}]
    listing = admin.get("/admin/flows").text
    row = re.search(r'<tr data-flow="Quick check" data-status="active">', listing)
    assert row, listing
    # The editor shows the flow as saved.
    page = admin.get(f"/admin/flows/{flow.id}").text
    assert 'value="triage"' in page
    assert 'name="stages.0.branches.0.conditions.0.value" value="cold"' in page


def test_invalid_definitions_show_each_problem_on_its_input(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    admin = web_as(Role.SYSTEM_ADMINISTRATOR)
    bad = _simple_flow(
        "Broken",
        **{
            "stages.0.steps.0.field": "no_such_field",
            "stages.0.branches.0.goto": "nowhere",
            "stages.1.key": "Bad Key",
        },
    )
    response = admin.post("/admin/flows/new", bad)
    assert response.status_code == 422
    # The request schema's problem (key pattern) is reported first, on its input.
    assert 'id="f-stages-1-key" name="stages.1.key" value="Bad Key" aria-invalid="true"' in (
        response.text
    )
    bad["stages.1.key"] = "call"
    response = admin.post("/admin/flows/new", bad)
    assert response.status_code == 422
    html = response.text
    assert 'id="f-stages-0-steps-0-field-error"' in html
    assert 'id="f-stages-0-branches-0-goto-error"' in html
    assert "no stage &#39;nowhere&#39;" in html or "no stage 'nowhere'" in html
    # What was typed is kept.
    assert 'value="no_such_field"' in html
    with session_factory() as session:
        assert session.scalar(select(ProcessFlow).where(ProcessFlow.name == "Broken")) is None


def test_structure_buttons_add_and_remove_rows_without_saving(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    admin = web_as(Role.SYSTEM_ADMINISTRATOR)
    body = _simple_flow("Shaped", action="add_condition:0:0")
    page = admin.post("/admin/flows/new", body)
    assert page.status_code == 200
    assert 'name="stages.0.branches.0.conditions.1.field"' in page.text
    assert 'id="f-stages-0-branches-0-conditions-1-field" name=' in page.text
    assert "autofocus" in page.text
    body["action"] = "add_stage"
    assert 'name="stages.2.key"' in admin.post("/admin/flows/new", body).text
    body["action"] = "remove_branch:0:0"
    assert 'name="stages.0.branches.0.match"' not in admin.post("/admin/flows/new", body).text
    body["action"] = "stage_up:1"
    moved = admin.post("/admin/flows/new", body).text
    assert re.search(r'name="stages.0.key" value="call"', moved)
    with session_factory() as session:
        assert session.scalar(select(ProcessFlow).where(ProcessFlow.name == "Shaped")) is None


def test_editing_an_active_flow_saves_a_new_version_and_running_instances_keep_theirs(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    admin = web_as(Role.SYSTEM_ADMINISTRATOR)
    assert admin.post("/admin/flows/new", _simple_flow("Versioned", activate="on")).status_code
    first = _flow(session_factory, "Versioned")
    # A lead runs version 1 (switched onto it through the process bar's route).
    lead = admin.post("/leads/new", {"topic": "Forty seats", "last_name": "Ng"})
    lead_id = lead.headers["location"].rsplit("/", 1)[1]
    switched = admin.post(f"/process/switch/lead/{lead_id}", {"flow_id": str(first.id)})
    assert switched.status_code == 303
    page = admin.get(f"/admin/flows/{first.id}").text
    assert "Save as version 2" in page
    edit = {k: v for k, v in _simple_flow("Versioned").items() if k != "primary_record_type"}
    edit["stages.1.name"] = "Phone call"
    edit["version"] = str(first.version)
    saved = admin.post(f"/admin/flows/{first.id}", edit)
    assert saved.status_code == 303, saved.text
    second = _flow(session_factory, "Versioned")
    assert second.flow_version == 2
    assert second.id != first.id
    assert saved.headers["location"] == f"/admin/flows/{second.id}"
    assert "Saved as version 2" in admin.get(saved.headers["location"]).text
    with session_factory() as session:
        old = session.get_one(ProcessFlow, first.id)
        assert old.status == "retired"
        assert old.stages[1]["name"] == "Call"
        running = session.scalar(
            select(ProcessInstance)
            .where(ProcessInstance.lead_id == uuid.UUID(lead_id))
            .where(ProcessInstance.is_current.is_(True))
        )
        assert running is not None
        assert running.flow_id == first.id
    versions = admin.get(f"/admin/flows/{second.id}").text
    assert 'data-version="1"' in versions
    assert 'data-version="2"' in versions
    # A stale save (the old row version) is refused and keeps the typing.
    stale = admin.post(f"/admin/flows/{second.id}", {**edit, "version": "999"})
    assert stale.status_code == 412
    assert "Someone else saved this flow" in stale.text


def test_activate_and_deactivate_from_the_list(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    admin = web_as(Role.SYSTEM_ADMINISTRATOR)
    admin.post("/admin/flows/new", _simple_flow("Toggled"))
    flow = _flow(session_factory, "Toggled")
    assert flow.status == "draft"
    done = admin.post(
        f"/admin/flows/{flow.id}/activate", {"version": str(flow.version), "back": "list"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/flows"
    assert _flow(session_factory, "Toggled").status == "active"
    flow = _flow(session_factory, "Toggled")
    admin.post(f"/admin/flows/{flow.id}/deactivate", {"version": str(flow.version)})
    assert _flow(session_factory, "Toggled").status == "draft"
    # Deactivating a draft is refused with a message, not an error page.
    refused = admin.post(f"/admin/flows/{flow.id}/deactivate", {})
    assert refused.status_code == 303
    assert "draft" in admin.get(refused.headers["location"]).text.lower()
