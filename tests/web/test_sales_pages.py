"""Quote, order and invoice pages and the Lines sections (SQLite and PostgreSQL): lists,
record pages, lines with field errors then a valid line, actions and refusals, the PDF,
and another salesperson's quote staying out of sight."""

from __future__ import annotations

import re
from collections.abc import Callable

from leadgate.security.roles import Role
from tests.factories import Api
from tests.sales import Catalog, account, catalog, opportunity, quote
from tests.web.conftest import Browser


def _total(html: str) -> str:
    found = re.search(r'id="total-amount">([^<]*)<', html)
    assert found is not None, html[:500]
    return found.group(1).strip()


def _my_quote(admin: Api, browser: Browser) -> tuple[Catalog, dict[str, str]]:
    cat = catalog(admin)
    customer = account(admin)
    return cat, quote(admin, cat, customer["id"], owner_id=str(browser.user_id))


def test_quote_list_filters_and_record_page(admin: Api, web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    _, q = _my_quote(admin, browser)
    listing = browser.get("/quotes")
    assert listing.status_code == 200
    assert q["number"] in listing.text
    assert 'href="/quotes"' in listing.text
    assert 'href="/invoices"' in listing.text
    assert q["number"] in browser.get("/quotes?state=draft&q=" + q["number"]).text
    assert q["number"] not in browser.get("/quotes?state=won").text
    for other_list in ("/orders", "/invoices"):
        assert browser.get(other_list).status_code == 200
    page = browser.get(f"/quotes/{q['id']}")
    assert page.status_code == 200
    assert q["number"] in page.text
    assert "Download PDF" in page.text
    assert "/act/activate" in page.text
    assert "/act/win" not in page.text
    assert 'id="line-quantity"' in page.text  # a draft's lines are editable
    assert _total(page.text) == "$0.00"


def test_adding_a_line_shows_field_errors_then_updates_the_totals(
    admin: Api, web_as: Callable[..., Browser]
) -> None:
    browser = web_as(Role.SALESPERSON)
    cat, q = _my_quote(admin, browser)
    base = f"/lines/quote/{q['id']}"
    zero = browser.htmx("POST", base, {"product_id": cat.product_id, "quantity": "0"})
    assert zero.status_code == 422
    assert 'id="line-quantity-error"' in zero.text
    # The product sells in whole units: the domain refuses 1.5, shown on the quantity input.
    half = browser.htmx("POST", base, {"product_id": cat.product_id, "quantity": "1.5"})
    assert half.status_code == 422, half.text
    assert 'id="line-quantity-error"' in half.text
    assert 'value="1.5"' in half.text  # the typing is kept
    assert browser.get(f"/api/v1/quotes/{q['id']}/lines").status_code == 401  # pages ≠ API
    assert len(admin.get(f"/api/v1/quotes/{q['id']}/lines").json()) == 0  # nothing half-written
    added = browser.htmx("POST", base, {"product_id": cat.product_id, "quantity": "3"})
    assert added.status_code == 200, added.text
    assert _total(added.text) == "$270.00"
    assert 'data-label="Quantity">3</td>' in added.text  # 3 x 90 % of 100
    override = browser.htmx(
        "POST",
        base,
        {"product_id": cat.product_id, "quantity": "1", "price_per_unit": "10",
         "manual_discount": "2"},
    )  # fmt: skip
    assert _total(override.text) == "$278.00"
    line_id = admin.get(f"/api/v1/quotes/{q['id']}/lines").json()[0]["id"]
    removed = browser.htmx("POST", f"{base}/{line_id}/remove", {})
    assert removed.status_code == 200
    assert _total(removed.text) == "$8.00"


def test_actions_follow_the_state_and_refusals_keep_the_page(
    admin: Api, web_as: Callable[..., Browser]
) -> None:
    browser = web_as(Role.SALESPERSON)
    cat, q = _my_quote(admin, browser)
    browser.htmx("POST", f"/lines/quote/{q['id']}", {"product_id": cat.product_id, "quantity": "2"})
    url = f"/quotes/{q['id']}"
    version = str(admin.get(f"/api/v1/quotes/{q['id']}").json()["version"])
    stale = browser.post(f"{url}/act/activate", {"version": str(int(version) - 1)})
    assert (stale.status_code, stale.headers["location"]) == (303, url)
    assert "refused" in browser.get(url).text  # the 412 as a message on the record page
    done = browser.post(f"{url}/act/activate", {"version": version})
    assert (done.status_code, done.headers["location"]) == (303, url)
    body = browser.get(url).text
    assert "/act/revise" in body
    assert "/act/create_order" in body
    assert "/act/activate" not in body
    assert 'id="line-quantity"' not in body  # an active quote's lines are read-only
    again = browser.post(f"{url}/act/activate", {})
    assert again.status_code == 303
    refused = browser.get(url)
    assert refused.status_code == 200
    assert "Activate refused: cannot activate an active quote" in refused.text
    assert "(allowed: close, revise, win)" in refused.text
    order = browser.post(f"{url}/act/create_order", {})
    assert order.status_code == 303
    assert order.headers["location"].startswith("/orders/")
    order_page = browser.get(order.headers["location"])
    assert "$180.00" in order_page.text
    assert "/act/create_invoice" in order_page.text
    invoice = browser.post(f"{order.headers['location']}/act/create_invoice", {})
    assert invoice.headers["location"].startswith("/invoices/")
    paid = browser.post(f"{invoice.headers['location']}/act/mark_paid", {})
    assert paid.status_code == 303
    assert "/act/" not in browser.get(invoice.headers["location"]).text  # fully paid: no moves
    assert "/act/win" not in browser.get(url).text  # the quote is won now
    assert browser.post(f"{url}/act/fly", {}).status_code == 404


def test_pdf_download_and_another_salespersons_quote(
    admin: Api, web_as: Callable[..., Browser]
) -> None:
    owner = web_as(Role.SALESPERSON)
    cat, q = _my_quote(admin, owner)
    pdf = owner.get(f"/quotes/{q['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="{q["number"]}.pdf"' in pdf.headers["content-disposition"]
    other = web_as(Role.SALESPERSON)
    assert other.get(f"/quotes/{q['id']}").status_code == 404
    assert other.get(f"/quotes/{q['id']}/pdf").status_code == 404
    assert other.get(f"/lines/quote/{q['id']}").status_code == 404
    sneak = {"product_id": cat.product_id, "quantity": "1"}
    assert other.htmx("POST", f"/lines/quote/{q['id']}", sneak).status_code == 404
    assert q["number"] not in other.get("/quotes?view=all").text
    assert other.post(f"/quotes/{q['id']}/act/activate", {}).status_code == 404


def test_opportunity_lines_and_create_quote(admin: Api, web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    cat = catalog(admin)
    customer = account(admin)
    opp = opportunity(
        admin, customer["id"], price_list_id=cat.price_list_id, owner_id=str(browser.user_id)
    )
    page = browser.get(f"/opportunities/{opp['id']}")
    assert f'hx-get="/lines/opportunity/{opp["id"]}"' in page.text
    section = browser.get(f"/lines/opportunity/{opp['id']}")
    assert section.status_code == 200
    assert "Create quote" in section.text
    added = browser.htmx(
        "POST", f"/lines/opportunity/{opp['id']}", {"product_id": cat.product_id, "quantity": "2"}
    )
    assert _total(added.text) == "$180.00"
    created = browser.post(f"/opportunities/{opp['id']}/create-quote", {})
    assert created.status_code == 303
    assert created.headers["location"].startswith("/quotes/")
    quote_page = browser.get(created.headers["location"]).text
    assert _total(quote_page) == "$180.00"
    # Without the CSRF token the page refuses the change.
    bare = browser.client.post(
        f"/lines/opportunity/{opp['id']}", data={"quantity": "1"}, follow_redirects=False
    )
    assert bare.status_code == 403
