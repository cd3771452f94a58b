"""The process bar in headless Chromium: Next refused with the missing steps, a required
step filled in place, then Next moves the opportunity to the following stage."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser_server import LiveServer

# The live server, Chromium and the signed-in page are test_browser's module fixtures.
from tests.web.test_browser import (  # noqa: F401
    browser,
    live,
    page,
    playwright,
    signed_in_state,
)

pytestmark = pytest.mark.browser


def test_fill_a_required_step_in_place_and_advance(page: Page, live: LiveServer) -> None:  # noqa: F811
    # Made through the form: the live server's seed records predate the process wiring.
    page.goto("/opportunities/new")
    page.get_by_label("Topic").fill("Globex renewal")
    page.get_by_label("Customer account").select_option(label="Globex Corporation")
    page.get_by_role("button", name="Create opportunity").click()
    expect(page.locator("#record-title")).to_have_text("Globex renewal")
    bar = page.locator("#process-bar")
    expect(bar.locator('[data-stage="develop"]')).to_have_attribute("aria-current", "step")

    bar.get_by_role("button", name="Next stage").click()
    missing = page.get_by_role("list", name="Missing required steps")
    expect(missing.get_by_role("listitem")).to_have_text(["Customer need", "Proposed solution"])
    expect(page.locator('[data-stage="develop"]')).to_have_attribute("aria-current", "step")

    for field, text in (("customer_need", "Faster onboarding"), ("proposed_solution", "Pro plan")):
        page.locator(f"#step-{field}").fill(text)
        page.locator(f'[data-step="{field}"]').get_by_role("button").click()
        expect(page.locator(f'[data-step="{field}"] .step-state')).to_have_text("Filled")
        expect(page.locator(f"#step-{field}")).to_have_value(text)

    page.locator("#process-bar").get_by_role("button", name="Next stage").click()
    expect(page.get_by_text("Moved to the next stage.")).to_be_visible()
    expect(page.locator('[data-stage="propose"]')).to_have_attribute("aria-current", "step")
    expect(page.locator('[data-stage="develop"]')).to_have_attribute("data-status", "done")
    expect(
        page.locator("#process-bar").get_by_role("button", name="Previous stage")
    ).to_be_visible()
