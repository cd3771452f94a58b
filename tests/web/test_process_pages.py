"""The process bar and lead scores on the pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from leadgate.leads.models import LeadScore
from leadgate.security.roles import Role
from tests.factories import Api
from tests.web.conftest import Browser


def _lead(browser: Browser, **fields: str) -> str:
    response = browser.post("/leads/new", {"topic": "Forty seats", **fields})
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _opportunity(browser: Browser) -> str:
    account = browser.post("/accounts/new", {"name": "Initech"}).headers["location"]
    response = browser.post(
        "/opportunities/new",
        {
            "name": "Initech renewal",
            "account_id": account.rsplit("/", 1)[1],
            "sales_stage": "qualify",
            "forecast_category": "pipeline",
        },
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _bar(html: str) -> str:
    start = html.index('id="process-bar"')
    return html[start : html.index("</section>", start)]


def _stages(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-stage="([a-z_]+)" data-status="([a-z_]+)"', _bar(html))


def _instance_id(html: str) -> str:
    match = re.search(r"/process/([0-9a-f-]{36})/", _bar(html))
    assert match, "no process instance in the bar"
    return match.group(1)


def _move_version(html: str) -> str:
    match = re.search(r'/move/[a-z_]+".*?name="version" value="(\d+)"', _bar(html), re.S)
    assert match
    return match.group(1)


def _record_version(html: str) -> str:
    match = re.search(r'name="field".*?name="version" value="(\d+)"', _bar(html), re.S)
    assert match
    return match.group(1)


def test_lead_page_shows_the_process_bar_with_its_active_stage(
    web_as: Callable[..., Browser],
) -> None:
    browser = web_as(Role.SALESPERSON)
    page = browser.get(_lead(browser))
    assert page.status_code == 200
    assert "Lead to Opportunity" in _bar(page.text)
    assert _stages(page.text) == [
        ("qualify", "active"),
        ("develop", "ahead"),
        ("propose", "ahead"),
        ("close", "ahead"),
    ]
    bar = _bar(page.text)
    # The crossing from the lead to the opportunity is marked on the first opportunity stage.
    assert re.search(r'class="stage stage-ahead boundary" data-stage="develop"', bar)
    assert 'aria-current="step"' in bar
    assert re.search(r'data-step="need">.*?Required', bar, re.S)
    assert "Next stage" in bar
    assert "Abandon" in bar
    assert "Previous stage" not in bar
    assert "Finish" not in bar
    assert "Reactivate process" not in bar


def test_next_refused_lists_the_missing_steps_then_succeeds_after_filling_them(
    web_as: Callable[..., Browser],
) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _opportunity(browser)
    page = browser.get(url).text
    assert "Opportunity Sales Process" in _bar(page)
    assert _stages(page)[0] == ("develop", "active")
    instance = _instance_id(page)
    data = {"version": _move_version(page), "back": url, "record_type": "opportunity"}

    refused = browser.htmx("POST", f"/process/{instance}/move/next_stage", data)
    assert refused.status_code == 422
    missing = re.search(r'aria-label="Missing required steps">(.*?)</ul>', refused.text, re.S)
    assert missing is not None
    assert re.findall(r"<li>([^<]+)</li>", missing.group(1)) == [
        "Customer need",
        "Proposed solution",
    ]
    assert _stages(refused.text)[0] == ("develop", "active")  # nothing moved

    for name, value in (("customer_need", "Faster onboarding"), ("proposed_solution", "Pro")):
        version = _record_version(browser.get(url).text)
        saved = browser.htmx(
            "POST",
            f"/process/{instance}/step",
            {"field": name, "value": value, "version": version, "back": url},
        )
        assert saved.status_code == 204, saved.text
        assert saved.headers["HX-Redirect"] == url
    page = browser.get(url).text
    assert re.search(r'data-step="customer_need">.*?Filled', _bar(page), re.S)
    assert "Faster onboarding" in _bar(page)

    data["version"] = _move_version(page)
    moved = browser.post(f"/process/{instance}/move/next_stage", data)
    assert moved.status_code == 303
    assert moved.headers["location"] == url
    page = browser.get(url).text
    assert _stages(page) == [("develop", "done"), ("propose", "active"), ("close", "ahead")]
    assert "Previous stage" in _bar(page)
    # The opportunity's sales stage followed the process.
    assert "Propose" in page[page.index('id="h-details"') :]


def test_a_stale_step_edit_and_a_stale_move_say_so(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _opportunity(browser)
    page = browser.get(url).text
    instance = _instance_id(page)
    old_record, old_move = _record_version(page), _move_version(page)
    first = browser.htmx(
        "POST",
        f"/process/{instance}/step",
        {"field": "customer_need", "value": "A", "version": old_record, "back": url},
    )
    assert first.status_code == 204
    stale = browser.htmx(
        "POST",
        f"/process/{instance}/step",
        {"field": "customer_need", "value": "B", "version": old_record, "back": url},
    )
    assert stale.status_code == 412
    assert "Someone else saved this record first" in stale.text
    assert ">A</textarea>" in stale.text  # the saved value, not the refused one

    abandoned = browser.post(f"/process/{instance}/move/abandon", {"version": old_move})
    assert abandoned.status_code == 303
    again = browser.htmx(
        "POST", f"/process/{instance}/move/abandon", {"version": old_move, "back": url}
    )
    assert again.status_code == 409
    assert "allowed: reactivate" in again.text
    page = browser.get(url).text
    assert "Reactivate process" in _bar(page)
    assert "Next stage" not in _bar(page)


def test_a_step_that_is_not_in_the_stage_is_refused_and_bad_values_name_the_field(
    web_as: Callable[..., Browser],
) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _lead(browser)
    page = browser.get(url).text
    instance = _instance_id(page)
    version = _record_version(page)
    other = browser.htmx(
        "POST",
        f"/process/{instance}/step",
        {"field": "topic", "value": "Renamed", "version": version, "back": url},
    )
    assert other.status_code == 422
    assert "not a step of Qualify" in other.text
    bad = browser.htmx(
        "POST",
        f"/process/{instance}/step",
        {"field": "budget_amount", "value": "lots", "version": version, "back": url},
    )
    assert bad.status_code == 422
    assert re.search(r'id="process-message">Budget amount: [^<]*decimal', bad.text), bad.text
    assert "Missing required steps" not in bad.text
    assert "Forty seats" in browser.get(url).text


def test_another_salesperson_cannot_move_or_edit_my_process(
    web_as: Callable[..., Browser],
) -> None:
    mine = web_as(Role.SALESPERSON)
    url = _lead(mine)
    page = mine.get(url).text
    instance = _instance_id(page)
    other = web_as(Role.SALESPERSON)
    moved = other.htmx("POST", f"/process/{instance}/move/abandon", {"version": "1"})
    assert moved.status_code in (403, 404)
    edit = other.htmx("POST", f"/process/{instance}/step", {"field": "need", "value": "must_have"})
    assert edit.status_code in (403, 404)
    assert _stages(mine.get(url).text)[0] == ("qualify", "active")


def test_switch_process_offers_the_active_flows_and_switches(
    web_as: Callable[..., Browser], admin: Api
) -> None:
    flow = admin.create(
        "/api/v1/process-flows",
        {
            "name": "Field sales",
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
        },
    )
    draft = admin.create(
        "/api/v1/process-flows",
        {
            "name": "Draft only",
            "primary_record_type": "lead",
            "stages": [{"key": "one", "name": "One", "record_type": "lead"}],
        },
    )
    assert admin.post(f"/api/v1/process-flows/{flow['id']}/activate", None).status_code == 200
    browser = web_as(Role.SALESPERSON)
    url = _lead(browser)
    page = browser.get(url).text
    switch = re.search(r'<select id="switch-flow" name="flow_id">(.*?)</select>', page, re.S)
    assert switch is not None
    assert f'value="{flow["id"]}">Field sales<' in switch.group(1)
    assert draft["id"] not in switch.group(1)
    assert "Lead to Opportunity" not in switch.group(1)  # the one it runs

    lead_id = url.rsplit("/", 1)[1]
    bad = browser.post(f"/process/switch/lead/{lead_id}", {"flow_id": draft["id"]})
    assert bad.status_code == 422
    switched = browser.post(f"/process/switch/lead/{lead_id}", {"flow_id": flow["id"], "back": url})
    assert switched.status_code == 303
    after = browser.get(url).text
    assert "Switched to Field sales." in after
    assert '<h2 id="h-process">Field sales</h2>' in after
    assert _stages(after) == [("call", "active"), ("visit", "ahead")]
    assert re.search(r'data-step="phone">.*?Required', _bar(after), re.S)


def _score(
    session_factory: sessionmaker[Session], url: str, score: int, grade: str, **extra: Any
) -> None:
    reasons = {
        "typical_score": 30.0,
        "positive": [
            {
                "field": "lead_source",
                "text": "Source is Reference",
                "effect": 18.0,
                "sentence": "Source is Reference: +18 %",
            },
        ],
        "negative": [
            {
                "field": "email",
                "text": "No email domain",
                "effect": -7.0,
                "sentence": "No email domain: \u22127 %",
            },
        ],
        "model": "Inbound",
        "version": 2,
    }
    with session_factory() as session, session.begin():
        session.execute(
            insert(LeadScore).values(
                lead_id=uuid.UUID(url.rsplit("/", 1)[1]),
                score=score,
                grade=grade,
                score_trend="improving",
                score_reasons=reasons,
            )
        )


def test_scores_in_the_list_the_scored_view_and_on_the_lead_page(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    browser = web_as(Role.SALESPERSON)
    low = _lead(browser, topic="Low scorer")
    high = _lead(browser, topic="High scorer")
    unscored = _lead(browser, topic="Not scored")
    _score(session_factory, low, 21, "D")
    _score(session_factory, high, 87, "A")

    views = browser.get("/leads").text
    assert 'href="/leads?view=my_open_scored">My open leads scored<' in views
    scored = browser.get("/leads?view=my_open_scored").text
    topics = re.findall(r'<a href="/leads/[0-9a-f-]{36}">([^<]+)</a>', scored)
    assert topics[:2] == ["High scorer", "Low scorer"]
    assert "Not scored" in topics
    assert re.search(r'<span class="score">87</span> <span class="badge grade grade-A">A', scored)
    assert 'aria-sort="descending">Score' in scored
    ascending = browser.get("/leads?view=my_open_scored&sort=score").text
    topics = re.findall(r'<a href="/leads/[0-9a-f-]{36}">([^<]+)</a>', ascending)
    assert topics.index("Low scorer") < topics.index("High scorer")

    page = browser.get(high).text
    assert 'data-testid="lead-score">87<' in page
    assert 'data-testid="lead-grade">A<' in page
    assert "Improving" in page
    assert "Source is Reference: +18 %" in page
    assert "No email domain: \u22127 %" in page
    assert 'id="h-score"' not in browser.get(unscored).text


def test_a_read_only_user_sees_the_bar_without_controls(web_as: Callable[..., Browser]) -> None:
    seller = web_as(Role.SALESPERSON)
    url = _lead(seller)
    page = web_as(Role.READ_ONLY).get(url).text
    bar = _bar(page)
    assert _stages(page)[0] == ("qualify", "active")
    assert "Next stage" not in bar
    assert "Save<" not in bar
    assert 'id="step-need" name="value" disabled' in bar
    assert 'id="switch-flow"' not in page


def test_a_disqualified_lead_shows_its_aborted_process_without_moves(
    web_as: Callable[..., Browser],
) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _lead(browser)
    assert browser.post(f"{url}/disqualify", {"status": "lost", "version": "1"}).status_code == 303
    bar = _bar(browser.get(url).text)
    assert 'data-state="aborted"' in bar
    assert "Abandoned" in bar
    assert "Reactivate process" not in bar
    assert "Next stage" not in bar
