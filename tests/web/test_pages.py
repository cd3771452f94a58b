"""Pages through TestClient (SQLite and PostgreSQL): lists, forms, actions, dashboard, XSS."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.leads.models import Lead
from leadgate.opportunities.models import Opportunity
from leadgate.security.roles import Role
from tests.web.conftest import Browser

XSS = '<script>alert("x")</script>'


def _new_lead(browser: Browser, **fields: str) -> str:
    response = browser.post("/leads/new", {"topic": "Forty seats", **fields})
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_every_main_page_has_a_title(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _new_lead(browser, company_name="Acme", last_name="Ng")
    account = browser.post("/accounts/new", {"name": "Acme"}).headers["location"]
    contact = browser.post(
        "/contacts/new", {"last_name": "Ng", "account_id": account.rsplit("/", 1)[1]}
    ).headers["location"]
    opportunity = browser.post(
        "/opportunities/new",
        {
            "name": "Acme deal",
            "customer_contact_id": contact.rsplit("/", 1)[1],
            "sales_stage": "qualify",
            "forecast_category": "pipeline",
        },
    ).headers["location"]
    task = browser.htmx(
        "POST",
        f"/timeline/opportunity/{opportunity.rsplit('/', 1)[1]}",
        {"kind": "task", "subject": "Send the proposal"},
    )
    activity = re.search(r'href="(/activities/[0-9a-f-]{36})"', task.text)
    assert activity is not None
    account_page = browser.get(account).text
    assert ">Ng</a>" in account_page  # the account's contacts
    assert ">Acme deal</a>" in browser.get(contact).text  # the contact's opportunities
    for page in (
        account,
        contact,
        opportunity,
        activity.group(1),
        f"{opportunity}/edit",
        "/",
        "/leads",
        "/accounts",
        "/contacts",
        "/opportunities",
        "/activities",
        "/opportunities/pipeline",
        "/leads/new",
        url,
        f"{url}/edit",
        "/search?q=a",
    ):
        response = browser.get(page)
        assert response.status_code == 200, (page, response.text[:300])
        assert re.search(r"<title>[^<]+ · Leadgate</title>", response.text), page


def test_create_shows_field_errors_in_place_and_keeps_the_typing(
    web_as: Callable[..., Browser],
) -> None:
    browser = web_as(Role.SALESPERSON)
    response = browser.post(
        "/leads/new", {"topic": "", "email": "not-an-email", "company_name": "Kept Ltd"}
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="f-topic-error"' in html
    assert 'id="f-email-error"' in html
    assert 'value="Kept Ltd"' in html
    assert 'value="not-an-email"' in html
    fixed = browser.post("/leads/new", {"topic": "Fixed", "email": "a@kept.example"})
    assert fixed.status_code == 303


def test_html_typed_into_a_field_is_shown_as_text(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _new_lead(browser, company_name=XSS, description=XSS)
    for page in (url, "/leads?view=all", "/search?q=script"):
        html = browser.get(page).text
        assert XSS not in html, page
        assert "&lt;script&gt;" in html, page


def test_stale_edit_says_so_and_keeps_the_typing(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _new_lead(browser)
    first = browser.post(f"{url}/edit", {"topic": "First save", "currency": "USD", "version": "1"})
    assert first.status_code == 303
    late = browser.post(f"{url}/edit", {"topic": "Late save", "currency": "USD", "version": "1"})
    assert late.status_code == 422
    assert "Someone else saved this record" in late.text
    assert 'value="Late save"' in late.text
    assert f'href="{url}/edit"' in late.text  # the reload link
    assert "First save" in browser.get(url).text


def test_lists_filter_search_sort_and_page(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    for n in range(30):
        _new_lead(browser, topic=f"Lead {n:02d}", rating="hot" if n % 3 == 0 else "cold")
    hot = browser.get("/leads?view=my_open&rating=hot&sort=topic").text
    topics = re.findall(r">Lead (\d\d)</a>", hot)
    assert topics == [f"{n:02d}" for n in range(0, 30, 3)]
    assert "10 matches" in hot
    first = browser.get("/leads?view=my_open&sort=topic")
    assert re.findall(r">Lead (\d\d)</a>", first.text)[:2] == ["00", "01"]
    next_url = re.search(r'href="([^"]+)" hx-get="[^"]+" rel="next"', first.text)
    assert next_url is not None
    second = browser.get(next_url.group(1).replace("&amp;", "&")).text
    assert re.findall(r">Lead (\d\d)</a>", second) == [f"{n:02d}" for n in range(25, 30)]
    found = browser.get("/leads?view=all&q=Lead%2007").text
    assert re.findall(r">Lead (\d\d)</a>", found) == ["07"]
    # An HTMX request for the list region answers only that region.
    partial = browser.client.get(
        "/leads?view=all&rating=cold", headers={"HX-Request": "true", "HX-Target": "list-region"}
    )
    assert "<html" not in partial.text
    assert "Lead 01" in partial.text


def test_salesperson_sees_only_their_own_leads(web_as: Callable[..., Browser]) -> None:
    alice, bob = web_as(Role.SALESPERSON), web_as(Role.SALESPERSON)
    url = _new_lead(alice, topic="Alice's secret lead")
    assert "Alice&#39;s secret lead" not in bob.get("/leads?view=all").text
    assert bob.get(url).status_code == 404
    assert "Alice&#39;s secret lead" not in bob.get("/search?q=secret").text


def test_bulk_actions_are_all_or_nothing(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    manager = web_as(Role.SALES_MANAGER)
    one = _new_lead(manager, topic="Bulk one").rsplit("/", 1)[1]
    two = _new_lead(manager, topic="Bulk two").rsplit("/", 1)[1]
    stale = manager.post("/leads/bulk", {"action": "disqualify", "ids[]": [f"{one}:1", f"{two}:9"]})
    assert stale.status_code == 412
    with session_factory() as session:
        states = set(session.scalars(select(Lead.state).where(Lead.topic.like("Bulk %"))))
    assert states == {"open"}
    done = manager.post("/leads/bulk", {"action": "disqualify", "ids[]": [f"{one}:1", f"{two}:1"]})
    assert done.status_code == 303
    with session_factory() as session:
        states = set(session.scalars(select(Lead.state).where(Lead.topic.like("Bulk %"))))
    assert states == {"disqualified"}


def test_qualify_with_an_existing_account_then_win_on_the_board(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    browser = web_as(Role.SALESPERSON)
    account = browser.post("/accounts/new", {"name": "Globex Corporation"})
    account_id = account.headers["location"].rsplit("/", 1)[1]
    url = _new_lead(  # the lead matches the account by the published rules: save anyway
        browser,
        company_name="Globex Corp.",
        last_name="Simpson",
        estimated_value="5000",
        ignore_duplicates="1",
    )
    lead_id = url.rsplit("/", 1)[1]
    dialog = browser.htmx("GET", f"{url}/qualify")
    assert "Use the existing account “Globex Corporation”" in dialog.text
    done = browser.htmx(
        "POST",
        f"{url}/qualify",
        {"account": account_id, "contact": "new", "create_opportunity": "on", "version": "1"},
    )
    assert done.status_code == 200, done.text
    assert "Lead qualified" in done.text
    with session_factory() as session:
        opportunity = session.scalar(
            select(Opportunity).where(Opportunity.originating_lead_id == uuid.UUID(lead_id))
        )
        assert opportunity is not None
        assert str(opportunity.account_id) == account_id
        opportunity_id, version = opportunity.id, opportunity.version
    # A qualified lead is read-only: its edit page sends the user back with a notice.
    assert browser.get(f"{url}/edit", follow_redirects=False).status_code == 303
    assert "read-only" in browser.get(url).text
    won = browser.htmx(
        "POST", f"/opportunities/{opportunity_id}/move", {"to": "won", "version": str(version)}
    )
    assert won.status_code == 200
    assert won.json()["ok"] is True
    refused = browser.htmx(
        "POST",
        f"/opportunities/{opportunity_id}/move",
        {"to": "develop", "version": str(won.json()["version"])},
    )
    assert refused.status_code == 409
    assert "reopen" in refused.json()["message"]


def test_disqualify_dialog_uses_the_status_reasons(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _new_lead(browser)
    dialog = browser.htmx("GET", f"{url}/disqualify")
    assert '<option value="cannot_contact"' in dialog.text
    bad = browser.htmx("POST", f"{url}/disqualify", {"status": "won", "version": "1"})
    assert bad.status_code == 422
    assert "one of lost" in bad.text
    ok = browser.post(f"{url}/disqualify", {"status": "cannot_contact", "version": "1"})
    assert ok.status_code == 303
    page = browser.get(url).text
    assert "Cannot contact" in page
    assert "Reactivate" in page
    again = browser.post(f"{url}/reactivate", {"version": "2"})
    assert again.status_code == 303
    assert "Qualify" in browser.get(url).text


def test_dashboard_numbers_match_the_database(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    browser = web_as(Role.SALESPERSON)
    _new_lead(browser, rating="hot")
    _new_lead(browser, rating="hot")
    _new_lead(browser, rating="cold")
    account = browser.post("/accounts/new", {"name": "Initech"}).headers["location"]
    account_id = account.rsplit("/", 1)[1]
    close = (date.today() + timedelta(days=40)).isoformat()
    for value, probability in (("1000", "50"), ("3000", "10")):
        created = browser.post(
            "/opportunities/new",
            {
                "name": f"Deal {value}",
                "account_id": account_id,
                "estimated_value": value,
                "probability": probability,
                "estimated_close_date": close,
                "currency": "USD",
                "sales_stage": "qualify",
                "forecast_category": "pipeline",
            },
        )
        assert created.status_code == 303, created.text
    html = browser.get("/").text
    assert 'data-testid="open-leads">3<' in html
    assert 'data-testid="rating-hot">2<' in html
    assert 'data-testid="pipeline-USD">$4,000.00<' in html
    assert 'data-testid="weighted-USD">$800.00<' in html
    with session_factory() as session:
        rows = session.execute(
            select(Opportunity.estimated_value, Opportunity.probability).where(
                Opportunity.owner_id == browser.user_id, Opportunity.state == "open"
            )
        ).all()
    assert sum(v * p for v, p in rows) / 100 == Decimal("800")


def test_timeline_quick_add_and_refusals_keep_the_page(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _new_lead(browser)
    lead_id = url.rsplit("/", 1)[1]
    empty = browser.htmx("POST", f"/timeline/lead/{lead_id}", {"kind": "note", "text": ""})
    assert empty.status_code == 422
    assert 'id="q-text-error"' in empty.text
    call = browser.htmx(
        "POST",
        f"/timeline/lead/{lead_id}",
        {"kind": "phone_call", "subject": "Called back", "due": date.today().isoformat()},
    )
    assert call.status_code == 200
    assert "Called back" in call.text
    # A refused action answers with an alert for the alert area, not a half page.
    refused = browser.htmx("POST", f"/leads/{lead_id}/reactivate", {"version": "1"})
    assert refused.status_code == 409
    assert refused.headers["HX-Retarget"] == "#alerts"
    assert "Cannot reactivate an open lead" in refused.text


def test_win_dialog_shows_errors_in_place_then_wins(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    browser = web_as(Role.SALESPERSON)
    account = browser.post("/accounts/new", {"name": "Umbrella"}).headers["location"]
    created = browser.post(
        "/opportunities/new",
        {
            "name": "Umbrella renewal",
            "account_id": account.rsplit("/", 1)[1],
            "estimated_value": "700",
            "sales_stage": "qualify",
            "forecast_category": "pipeline",
        },
    )
    url = created.headers["location"]
    dialog = browser.htmx("GET", f"{url}/win")
    assert 'value="700"' in dialog.text
    bad = browser.htmx("POST", f"{url}/win", {"actual_value": "-5", "version": "1"})
    assert bad.status_code == 422
    assert 'id="win-actual_value-error"' in bad.text
    assert 'value="-5"' in bad.text
    ok = browser.post(f"{url}/win", {"actual_value": "650", "version": "1"})
    assert ok.status_code == 303
    page = browser.get(url).text
    assert "Reopen" in page
    assert "$650.00" in page
    assert "read-only" in page
    with session_factory() as session:
        opportunity = session.get(Opportunity, uuid.UUID(url.rsplit("/", 1)[1]))
        assert opportunity is not None
        assert (opportunity.state, opportunity.actual_value) == ("won", Decimal("650"))


def test_a_filter_from_the_saved_view_can_be_switched_off(
    web_as: Callable[..., Browser],
) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _new_lead(browser, topic="Gone cold")
    assert browser.post(f"{url}/disqualify", {"status": "lost", "version": "1"}).status_code == 303
    assert ">Gone cold</a>" not in browser.get("/leads?view=my_open").text
    assert ">Gone cold</a>" in browser.get("/leads?view=my_open&state=any").text
    assert ">Gone cold</a>" in browser.get("/leads?view=my_open&state=disqualified").text


def test_money_and_dates_follow_the_users_locale(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    from leadgate.security.models import User

    browser = web_as(Role.SALESPERSON)
    with session_factory() as session, session.begin():
        user = session.get(User, browser.user_id)
        assert user is not None
        user.locale, user.time_zone = "de-DE", "Europe/Berlin"
    url = _new_lead(browser, estimated_value="1234.5", estimated_close_date="2026-12-24")
    html = browser.get(url).text
    assert "1.234,50\xa0$" in html
    assert "24.12.2026" in html
    assert '<html lang="de-DE">' in html


def test_sign_in_goes_back_only_to_local_pages(web_app: Any) -> None:
    from fastapi.testclient import TestClient

    with TestClient(web_app) as client:
        page = client.get("/sign-in?next=//evil.example/x")
        assert 'name="next" value="/"' in page.text
        page = client.get("/sign-in?next=/leads")
        assert 'name="next" value="/leads"' in page.text


def test_global_search_answers_a_partial_for_htmx(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    _new_lead(browser, topic="Zebra fleet", company_name="Zoo Ltd")
    browser.post("/accounts/new", {"name": "Zebra Holdings"})
    partial = browser.client.get("/search?q=zebra", headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert "Zebra fleet" in partial.text
    assert "Zebra Holdings" in partial.text
    assert "No contacts match." in partial.text


class _Inputs(HTMLParser):
    """Collects the form controls of a page and the ids its labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append(found)


def test_every_input_has_a_label(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    url = _new_lead(browser, company_name="Label Co")
    account = browser.post("/accounts/new", {"name": "Label Co"}).headers["location"]
    pages = [
        "/",
        "/leads",
        "/leads/new",
        url,
        f"{url}/edit",
        "/accounts/new",
        account,
        "/contacts/new",
        "/opportunities/new",
        "/opportunities/pipeline",
        "/search?q=x",
    ]
    dialogs = [f"{url}/qualify", f"{url}/disqualify"]
    for page in pages + dialogs:
        response = browser.htmx("GET", page) if page in dialogs else browser.get(page)
        parser = _Inputs()
        parser.feed(response.text)
        assert parser.controls, page
        for control in parser.controls:
            named = control.get("aria-label") or control.get("id") in parser.labelled
            assert named, (page, control)


def test_an_activity_is_completed_from_its_page(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    lead_id = _new_lead(browser).rsplit("/", 1)[1]
    added = browser.htmx(
        "POST", f"/timeline/lead/{lead_id}", {"kind": "task", "subject": "Send pricing"}
    )
    link = re.search(r'href="(/activities/[0-9a-f-]{36})"', added.text)
    assert link is not None
    page = browser.get(link.group(1)).text
    assert "Mark complete" in page
    done = browser.post(f"{link.group(1)}/complete", {"version": "1"})
    assert done.status_code == 303
    page = browser.get(link.group(1)).text
    assert "Mark complete" not in page
    assert "read-only" in page
    again = browser.post(f"{link.group(1)}/complete", {"version": "2"})
    assert again.status_code == 409


def test_lose_dialog_names_a_competitor(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    browser = web_as(Role.SALESPERSON)
    customer = browser.post("/accounts/new", {"name": "Hooli"}).headers["location"]
    rival = browser.post(
        "/accounts/new", {"name": "Pied Piper", "relationship_type": "competitor"}
    ).headers["location"]
    rival_id = rival.rsplit("/", 1)[1]
    url = browser.post(
        "/opportunities/new",
        {
            "name": "Hooli compression",
            "account_id": customer.rsplit("/", 1)[1],
            "sales_stage": "propose",
            "forecast_category": "pipeline",
        },
    ).headers["location"]
    dialog = browser.htmx("GET", f"{url}/lose")
    assert f'<option value="{rival_id}"' in dialog.text
    assert "Hooli</option>" not in dialog.text  # only competitors are offered
    lost = browser.post(
        f"{url}/lose",
        {"status": "out_sold", "competitor_id": rival_id, "reason": "Cheaper", "version": "1"},
    )
    assert lost.status_code == 303, lost.text
    with session_factory() as session:
        opportunity = session.get(Opportunity, uuid.UUID(url.rsplit("/", 1)[1]))
        assert opportunity is not None
        assert (opportunity.state, opportunity.status) == ("lost", "out_sold")
    assert "Cheaper" in browser.get(url).text


def test_read_only_users_get_no_write_controls(
    web_as: Callable[..., Browser],
) -> None:
    seller = web_as(Role.SALESPERSON)
    url = _new_lead(seller, topic="Look but do not touch")
    viewer = web_as(Role.READ_ONLY)
    listing = viewer.get("/leads?view=all").text
    assert "Look but do not touch" in listing
    assert 'id="bulk-action"' not in listing
    assert "New lead" not in listing
    page = viewer.get(url).text
    for control in ("Edit</a>", ">Qualify<", "Delete</button>", 'class="quick-add"'):
        assert control not in page, control
    refused = viewer.post(f"{url}/edit", {"topic": "Touched", "version": "1"})
    assert refused.status_code == 403


def test_hold_and_resume_an_opportunity(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    account = browser.post("/accounts/new", {"name": "Vandelay"}).headers["location"]
    url = browser.post(
        "/opportunities/new",
        {
            "name": "Latex order",
            "account_id": account.rsplit("/", 1)[1],
            "sales_stage": "develop",
            "forecast_category": "pipeline",
        },
    ).headers["location"]
    assert browser.post(f"{url}/hold", {"version": "1"}).status_code == 303
    page = browser.get(url).text
    assert "On hold" in page
    assert ">Resume<" in page
    assert "Put on hold" not in page
    assert browser.post(f"{url}/resume", {"version": "2"}).status_code == 303
    edited = browser.post(
        f"{url}/edit",
        {
            "name": "Latex order, bigger",
            "account_id": account.rsplit("/", 1)[1],
            "currency": "USD",
            "sales_stage": "propose",
            "forecast_category": "pipeline",
            "version": "3",
        },
    )
    assert edited.status_code == 303, edited.text
    assert "Latex order, bigger" in browser.get(url).text
