"""In headless Chromium against the real server: add a line to an opportunity by
product, see the field error in place, then the total update without a page load."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from leadgate.catalog import service as catalog
from leadgate.catalog.schemas import (
    PriceListCreate,
    PriceListItemCreate,
    ProductCreate,
    UnitGroupCreate,
)
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.opportunities.schemas import OpportunityCreate
from leadgate.opportunities.service import create_opportunity
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import actor_for_user, create_user
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


def _seed_catalog(tmp: Path, live: LiveServer) -> str:
    """A product at 100 with a price list at 90 % of list, and an open opportunity of the
    seeded salesperson priced from it; answers the opportunity's id."""
    engine = make_engine(f"sqlite:///{tmp / 'browser.db'}")
    try:
        with make_session_factory(engine)() as session, session.begin():
            admin = create_user(
                session, None,
                UserCreate(email="ada@leadgate.example", full_name="Ada Admin",
                           role=Role.SYSTEM_ADMINISTRATOR, password=PASSWORD),
            )  # fmt: skip
            actor = actor_for_user(admin, "web")
            group = catalog.create_unit_group(
                session, actor, UnitGroupCreate(name="Count", primary_unit="each")
            )
            each = catalog.units_of(session, actor, group.id)[0]
            product = catalog.create_product(
                session, actor,
                ProductCreate(number="W-1", name="Widget", unit_group_id=group.id,
                              default_unit_id=each.id, list_price=Decimal(100)),
            )  # fmt: skip
            catalog.transition_product(session, actor, product.id, "activate", None)
            prices = catalog.create_price_list(
                session, actor, PriceListCreate(name="Retail", currency="USD")
            )
            catalog.add_price_list_item(
                session, actor, prices.id,
                PriceListItemCreate(product_id=product.id, method="percent_of_list",
                                    percentage=Decimal(90)),
            )  # fmt: skip
            seller = session.scalars(select(User).where(User.email == live.seed.email)).one()
            deal = create_opportunity(
                session, actor,
                OpportunityCreate(name="Widgets for Globex", price_list_id=prices.id,
                                  account_id=live.seed.ids["globex"], owner_id=seller.id),
            )  # fmt: skip
            return str(deal.id)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    check_assets()
    tmp = tmp_path_factory.mktemp("browser_sales")
    for server in serve(tmp):
        yield server, _seed_catalog(tmp, server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live: tuple[LiveServer, str]) -> Iterator[Page]:
    context = browser.new_context(base_url=live[0].url, viewport={"width": 1280, "height": 900})
    # Generous waits on shared machines; every wait ends as soon as the page is ready.
    context.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def test_add_a_line_and_see_the_total_update(page: Page, live: tuple[LiveServer, str]) -> None:
    server, deal_id = live
    page.goto("/sign-in")
    page.get_by_label("Email").fill(server.seed.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Home · Leadgate")
    page.goto(f"/opportunities/{deal_id}")
    section = page.locator("#lines-section")
    expect(section.locator("#total-amount")).to_have_text("—")
    page.get_by_label("Product").select_option(label="Widget (W-1)")
    page.get_by_label("Quantity").fill("0")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator("#line-quantity-error")).to_be_visible()
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Add line").click()
    expect(section.locator("#total-amount")).to_have_text("$270.00")  # 3 x 90 % of 100
    expect(section.get_by_role("cell", name="Widget", exact=True)).to_be_visible()
    expect(page.locator("#line-quantity-error")).to_have_count(0)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(OUTPUT) / "opportunity-lines.png"), full_page=True)
