"""The admin flow editor in headless Chromium: an administrator builds a two-stage lead
flow with a branch using the keyboard-reachable buttons, saves it active and sees it in
the list of lead flows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from leadgate.db.engine import make_engine, make_session_factory
from leadgate.security.roles import Role
from tests.factories import PASSWORD, make_user
from tests.web.browser_server import LiveServer, check_assets, serve
from tests.web.test_browser import Browser as _Browser

# Chromium is test_browser's module fixture; this module has its own live server, with an
# administrator (the shared seed signs in a salesperson, who may not edit flows).
from tests.web.test_browser import _sign_in, browser, playwright  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    check_assets()
    folder: Path = tmp_path_factory.mktemp("flow-editor")
    for server in serve(folder):
        engine = make_engine(f"sqlite:///{folder / 'browser.db'}")
        with make_session_factory(engine)() as session, session.begin():
            user, _ = make_user(session, Role.SYSTEM_ADMINISTRATOR)
            email = user.email
        engine.dispose()
        yield server, email


@pytest.fixture
def admin_page(
    browser: _Browser,  # noqa: F811
    admin_live: tuple[LiveServer, str],
) -> Iterator[Page]:
    live, email = admin_live
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, email, PASSWORD)
    expect(page).to_have_title("Home · Leadgate")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def test_create_a_flow_with_a_branch_and_see_it_listed(admin_page: Page) -> None:
    page = admin_page
    page.get_by_role("link", name="Process flows").click()
    expect(page.get_by_role("heading", name="Lead flows")).to_be_visible()
    page.get_by_role("link", name="New lead flow").click()
    expect(page.get_by_role("heading", name="New flow")).to_be_visible()

    page.get_by_label("Name", exact=True).first.fill("Cold call triage")
    page.locator("#f-stages-0-key").fill("triage")
    page.locator("#f-stages-0-name").fill("Triage")
    page.get_by_role("button", name="Add step to stage 1").click()
    # The new step's field has the focus: type into it straight away.
    expect(page.locator("#f-stages-0-steps-0-field")).to_be_focused()
    page.keyboard.type("rating")
    page.locator("#f-stages-0-steps-0-label").fill("Rating")
    page.get_by_label("Required").check()
    page.get_by_role("button", name="Add branch to stage 1").click()
    page.locator("#f-stages-0-branches-0-goto").fill("end")
    page.locator("#f-stages-0-branches-0-conditions-0-field").fill("rating")
    page.locator("#f-stages-0-branches-0-conditions-0-value").fill("cold")
    page.get_by_role("button", name="Add stage").click()
    expect(page.locator("#f-stages-1-key")).to_be_focused()
    page.keyboard.type("call")
    page.locator("#f-stages-1-name").fill("Call")

    # A branch to a stage that does not exist is refused on its input.
    page.locator("#f-stages-0-branches-0-goto").fill("nowhere")
    page.get_by_role("button", name="Save flow").click()
    expect(page.locator("#f-stages-0-branches-0-goto-error")).to_contain_text("nowhere")
    expect(page.locator("#f-stages-0-branches-0-goto")).to_have_attribute("aria-invalid", "true")

    page.locator("#f-stages-0-branches-0-goto").fill("end")
    page.get_by_label("Activate after saving").check()
    page.get_by_role("button", name="Save flow").click()
    expect(page.get_by_text("Flow Cold call triage activated.")).to_be_visible()
    expect(page.locator("#flow-version")).to_contain_text("Version 1")

    page.get_by_role("link", name="Process flows").click()
    row = page.locator('tr[data-flow="Cold call triage"]')
    expect(row).to_have_attribute("data-status", "active")
    expect(row.locator("td").nth(5)).to_have_text("2")
