"""Salespeople's paths in headless Chromium against the real server.

Sign in, filter a list, create a lead with an error then fixed (with an HTML
payload that must stay text), qualify onto an existing account, disqualify,
and the pipeline board: a drag to won and a refused drag that snaps back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.web.browser_server import (
    CHROMIUM_ARGS,
    OUTPUT,
    PASSWORD,
    LiveServer,
    check_assets,
    chromium_path,
    serve,
)

pytestmark = pytest.mark.browser
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    check_assets()
    yield from serve(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def signed_in_state(browser: Browser, live: LiveServer) -> dict[str, Any]:
    context = browser.new_context(base_url=live.url)
    page = context.new_page()
    _sign_in(page, live.seed.email, PASSWORD)
    expect(page).to_have_title("Home · Leadgate")
    state: dict[str, Any] = context.storage_state()  # type: ignore[assignment]
    context.close()
    return state


@pytest.fixture
def page(browser: Browser, live: LiveServer, signed_in_state: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live.url, storage_state=signed_in_state, viewport={"width": 1280, "height": 900}
    )
    # Generous waits: CI machines are shared and slow; every wait ends as soon as the page is ready.
    context.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def _shot(page: Page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(OUTPUT) / f"{name}.png"), full_page=True)


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_shows_wrong_credentials_then_the_dashboard(
    browser: Browser, live: LiveServer
) -> None:
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, live.seed.email, "not the password")
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page.get_by_label("Remember me on this device")).not_to_be_checked()
    _shot(page, "sign-in-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Home · Leadgate")
    expect(page.get_by_text("Salesperson", exact=True)).to_be_visible()
    expect(page.get_by_test_id("open-leads")).to_have_text(re.compile(r"^\d+$"))
    page.wait_for_function("() => window.Chart && Chart.getChart('pipeline-chart')")
    _shot(page, "home-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Opportunities", exact=True)).to_be_visible()
    _shot(page, "home-390")
    context.close()


def test_lead_list_filters_by_chip_and_searches(page: Page) -> None:
    page.goto("/leads")
    expect(page).to_have_title("Leads · Leadgate")
    expect(page.get_by_role("link", name="Hot prospect A")).to_be_visible()
    expect(page.get_by_role("link", name="Cold prospect B")).to_be_visible()
    page.locator(".chip", has_text="Hot").click()
    expect(page).to_have_url(re.compile(r"rating=hot"))
    expect(page.get_by_role("link", name="Cold prospect B")).to_have_count(0)
    expect(page.get_by_role("link", name="Hot prospect A")).to_be_visible()
    page.get_by_label("Search leads", exact=True).fill("prospect")
    expect(page).to_have_url(re.compile(r"rating=hot.*q=prospect|q=prospect.*rating=hot"))
    expect(page.get_by_role("link", name="Cold prospect B")).to_have_count(0)
    page.locator(".chip", has_text="Hot").click()
    expect(page).not_to_have_url(re.compile(r"rating=hot"))
    expect(page.locator(".chip", has_text="Hot")).to_have_attribute("aria-pressed", "false")
    page.get_by_label("Search leads", exact=True).fill("Cold prospect")
    expect(page.get_by_role("link", name="Hot prospect A")).to_have_count(0)
    expect(page.get_by_role("link", name="Cold prospect B")).to_be_visible()
    _shot(page, "leads-list")


def test_create_lead_with_an_error_then_fixed_shows_html_as_text(page: Page) -> None:
    page.goto("/leads/new")
    page.get_by_label("Topic").fill("Wants a demo")
    page.get_by_label("Company").fill(XSS)
    page.get_by_label("Email", exact=True).fill("not-an-email")
    page.get_by_role("button", name="Create lead").click()
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(page.locator("#f-email-error")).to_contain_text("email")
    expect(page.get_by_label("Company")).to_have_value(XSS)
    _shot(page, "lead-form-error")
    email.fill("buyer@example.com")
    page.get_by_role("button", name="Create lead").click()
    expect(page.get_by_role("heading", name="Wants a demo")).to_be_visible()
    expect(page.locator("dd", has_text=XSS).first).to_be_visible()
    assert page.evaluate("window.__xss") is None
    _shot(page, "lead-record")


def test_qualify_from_the_dialog_onto_an_existing_account(page: Page, live: LiveServer) -> None:
    page.goto(f"/leads/{live.seed.ids['to_qualify']}")
    page.get_by_role("button", name="Qualify", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label(re.compile(r"Use the existing account .Globex Corporation")).check()
    _shot(page, "qualify-dialog")
    dialog.get_by_role("button", name="Qualify", exact=True).click()
    expect(dialog.get_by_role("heading", name="Lead qualified")).to_be_visible()
    expect(dialog.get_by_role("link", name="Globex Corporation")).to_be_visible()
    dialog.get_by_role("link", name="Globex wants 50 seats").click()
    expect(page).to_have_title("Opportunity: Globex wants 50 seats · Leadgate")
    expect(page.get_by_role("link", name="Globex Corporation")).to_be_visible()
    _shot(page, "opportunity-record")


def test_disqualify_with_a_status_reason(page: Page, live: LiveServer) -> None:
    page.goto(f"/leads/{live.seed.ids['to_disqualify']}")
    opener = page.get_by_role("button", name="Disqualify")
    opener.click()
    dialog = page.get_by_role("dialog")
    # Keyboard: focus starts inside the dialog, Escape closes it and returns to the button.
    expect(dialog.get_by_label("Reason")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    opener.click()
    dialog.get_by_label("Reason").select_option("no_longer_interested")
    dialog.get_by_label("Note (optional)").fill("Budget went elsewhere")
    dialog.get_by_role("button", name="Disqualify").click()
    expect(page.get_by_text("Lead disqualified.")).to_be_visible()
    expect(page.locator(".state")).to_contain_text("No longer interested")
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)


def _drag(page: Page, card: Any, column: Any) -> None:
    # Sortable animates cards into place and our page marks a card busy while it saves:
    # measure only once every card stands still.
    page.wait_for_function(
        "() => !document.querySelector('.sortable-fallback, .kcard.busy')"
        " && [...document.querySelectorAll('.kcard')].every(c => !c.style.transform)"
    )
    # Grab the card by its text, not by its link or its keyboard "Move to" menu.
    box, target = card.locator("p").last.bounding_box(), column.bounding_box()
    assert box
    assert target
    page.mouse.move(box["x"] + 10, box["y"] + 5)
    page.mouse.down()
    # Sortable picks the card up only after it has seen the pointer move; on a loaded
    # machine that takes a few moves, so nudge until its drag image exists.
    picked_up = page.locator(".sortable-fallback")
    for step in range(1, 21):
        page.mouse.move(box["x"] + 10 + 3 * step, box["y"] + 5 + 3 * step, steps=2)
        if picked_up.count():
            break
    expect(picked_up).to_have_count(1)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 40, steps=15)
    page.mouse.up()
    expect(picked_up).to_have_count(0)


def test_pipeline_drag_to_won_and_a_refused_drag_snaps_back(page: Page, live: LiveServer) -> None:
    deal = live.seed.ids["deal"]
    page.goto("/opportunities/pipeline")
    card = page.get_by_test_id(f"card-{deal}")
    won = page.locator('.cards-list[data-column="won"]')
    develop = page.locator('.cards-list[data-column="develop"]')
    status = page.locator("#kanban-status")
    _drag(page, card, won)
    expect(status).to_contain_text("moved to won")
    expect(won.get_by_test_id(f"card-{deal}")).to_be_visible()
    # The move was saved: after a reload the card is still in Won.
    page.reload()
    expect(won.get_by_test_id(f"card-{deal}")).to_be_visible()
    _drag(page, won.get_by_test_id(f"card-{deal}"), develop)
    expect(status).to_contain_text("read-only")
    expect(status).to_contain_text("reopen")
    expect(won.get_by_test_id(f"card-{deal}")).to_be_visible()
    expect(develop.get_by_test_id(f"card-{deal}")).to_have_count(0)
    _shot(page, "pipeline")
    page.reload()
    expect(
        page.locator('.cards-list[data-column="won"]').get_by_test_id(f"card-{deal}")
    ).to_be_visible()
