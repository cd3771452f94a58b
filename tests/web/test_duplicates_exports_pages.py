"""Duplicates on the forms and list exports through the pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.accounts.models import Account
from leadgate.leads.models import Lead
from leadgate.security.roles import Role
from tests.web.conftest import Browser


def _count(factory: sessionmaker[Session], email: str) -> int:
    with factory() as session:
        stmt = select(func.count()).select_from(Lead).where(Lead.email == email)
        return session.scalar(stmt) or 0


def test_duplicate_lead_shows_the_matches_and_saves_only_when_told(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    browser = web_as(Role.SALESPERSON)
    first = browser.post("/leads/new", {"topic": "First", "email": "ada@engines.example"})
    assert first.status_code == 303, first.text
    first_url = first.headers["location"]

    again = {"topic": "Second try", "email": "ADA@engines.example", "company_name": "Engines"}
    refused = browser.post("/leads/new", again)
    assert refused.status_code == 409, refused.text
    page = refused.text
    assert "Possible duplicates" in page
    assert f'<a href="{first_url}">First</a>' in page  # same tab: no target attribute
    assert "Leads with the same email" in page
    assert 'value="Second try"' in page  # the typing is kept
    assert 'value="Engines"' in page
    assert 'name="ignore_duplicates" value="1"' in page
    assert _count(session_factory, "ada@engines.example") == 1  # nothing written

    no_token = browser.client.post(
        "/leads/new", data={**again, "ignore_duplicates": "1"}, follow_redirects=False
    )
    assert no_token.status_code == 403
    assert _count(session_factory, "ada@engines.example") == 1

    saved = browser.post("/leads/new", {**again, "ignore_duplicates": "1"})
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] != first_url
    with session_factory() as session:
        topics = session.scalars(select(Lead.topic).where(Lead.email.ilike("ada@engines%")))
        assert sorted(topics) == ["First", "Second try"]


def test_edit_into_a_duplicate_is_refused_but_other_edits_are_not(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    browser = web_as(Role.SALESPERSON)
    acme = browser.post("/accounts/new", {"name": "Acme, Inc."}).headers["location"]
    globex = browser.post("/accounts/new", {"name": "Globex"}).headers["location"]
    edit = {"name": "ACME", "relationship_type": "customer", "currency": "USD", "version": "1"}
    refused = browser.post(f"{globex}/edit", edit)
    assert refused.status_code == 409, refused.text
    assert f'<a href="{acme}">Acme, Inc.</a>' in refused.text
    assert 'value="ACME"' in refused.text
    with session_factory() as session:
        names = sorted(session.scalars(select(Account.name)))
    assert names == ["Acme, Inc.", "Globex"]

    saved = browser.post(f"{globex}/edit", {**edit, "ignore_duplicates": "1"})
    assert saved.status_code == 303, saved.text
    # The pair is a known duplicate now: editing a field the rules do not compare is not blocked.
    other = browser.post(
        f"{globex}/edit",
        {**edit, "industry": "Anvils", "version": "2"},
    )
    assert other.status_code == 303, other.text


def _csv(browser: Browser, url: str) -> list[list[str]]:
    response = browser.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="leads-' in response.headers["content-disposition"]
    return list(csv.reader(io.StringIO(response.text)))


def test_export_is_the_current_view_of_what_the_user_may_read(
    web_as: Callable[..., Browser],
) -> None:
    seller = web_as(Role.SALESPERSON)
    other = web_as(Role.SALESPERSON)
    for topic, rating in (("Hot one", "hot"), ("Cold one", "cold"), ("Hot two", "hot")):
        seller.post("/leads/new", {"topic": topic, "rating": rating, "last_name": topic})
    seller.post("/leads/new", {"topic": "Formula", "company_name": '=HYPERLINK("x")'})
    other.post("/leads/new", {"topic": "Hot elsewhere", "rating": "hot"})

    listing = seller.get("/leads?view=all&rating=hot&sort=topic").text
    assert 'href="/leads/export.csv?view=all&amp;rating=hot&amp;sort=topic"' in listing
    assert 'href="/leads/export.xlsx?view=all&amp;rating=hot&amp;sort=topic"' in listing

    rows = _csv(seller, "/leads/export.csv?view=all&rating=hot&sort=topic")
    assert rows[0][:3] == ["Id", "Topic", "Name"]
    assert [r[1] for r in rows[1:]] == ["Hot one", "Hot two"]  # filtered, sorted, scoped
    descending = _csv(seller, "/leads/export.csv?view=all&rating=hot&sort=-topic")
    assert [r[1] for r in descending[1:]] == ["Hot two", "Hot one"]
    searched = _csv(seller, "/leads/export.csv?view=all&q=Cold")
    assert [r[1] for r in searched[1:]] == ["Cold one"]
    everything = _csv(seller, "/leads/export.csv?view=all&sort=topic")
    assert "Hot elsewhere" not in {r[1] for r in everything}
    formula = next(r for r in everything if r[1] == "Formula")
    assert formula[3] == '\'=HYPERLINK("x")'

    xlsx = seller.get("/leads/export.xlsx?view=all&rating=hot&sort=topic")
    assert xlsx.status_code == 200
    assert 'filename="leads-' in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [v[1] for v in values] == ["Topic", "Hot one", "Hot two"]

    assert seller.get("/leads/export.pdf").status_code == 404
    assert seller.get("/activities/export.csv").status_code == 404
    assert seller.get("/leads/export.csv?sort=shoe_size").status_code == 422


def test_export_links_on_every_exportable_list(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALES_MANAGER)
    browser.post("/accounts/new", {"name": "=SUM(1)"})
    for plural in ("leads", "accounts", "contacts", "opportunities"):
        page = browser.get(f"/{plural}").text
        assert f'href="/{plural}/export.csv"' in page, plural
        assert browser.get(f"/{plural}/export.csv").status_code == 200
    rows = list(csv.reader(io.StringIO(browser.get("/accounts/export.csv?view=all").text)))
    assert [r[1] for r in rows[1:]] == ["'=SUM(1)"]
