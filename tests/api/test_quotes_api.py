"""The sales chain through the API: opportunity lines → quote → revise → activate →
order → fulfill → invoice → paid, the close guard, and bad input refused."""

from __future__ import annotations

import re

from leadgate.security.roles import Role
from tests.factories import Api
from tests.sales import account, catalog, etag_of, opportunity, quote


def test_opportunity_to_paid_invoice(admin: Api) -> None:
    cat = catalog(admin)
    customer = account(admin)
    opp = opportunity(admin, customer["id"], price_list_id=cat.price_list_id)
    opp_url = f"/api/v1/opportunities/{opp['id']}"
    # 3 each at 90 % of 100 = 270; 1 box (fixed 1000) less 50 manual discount = 950.
    admin.create(f"{opp_url}/lines", {"product_id": cat.product_id, "quantity": "3"})
    admin.create(
        f"{opp_url}/lines",
        {"product_id": cat.product_id, "unit_id": cat.box_id, "quantity": "1",
         "manual_discount": "50"},
    )  # fmt: skip
    assert admin.get(opp_url).json()["total_amount"] == "1220.00"

    created = admin.post("/api/v1/quotes", {"opportunity_id": opp["id"], "freight_amount": "30"})
    assert created.status_code == 201, created.text
    first = created.json()
    assert re.fullmatch(r"QUO-\d{6}", first["number"])
    assert (first["account_id"], first["currency"]) == (customer["id"], "USD")
    assert (first["total_line_amount"], first["total_amount"]) == ("1220.00", "1250.00")
    q_url = f"/api/v1/quotes/{first['id']}"
    assert len(admin.get(f"{q_url}/lines").json()) == 2

    assert admin.post(f"{q_url}/activate").json()["state"] == "active"
    revised = admin.post(f"{q_url}/revise")
    assert revised.status_code == 201
    draft = revised.json()
    assert (draft["number"], draft["revision"], draft["state"]) == (first["number"], 1, "draft")
    assert admin.get(q_url).json()["status"] == "revised"
    d_url = f"/api/v1/quotes/{draft['id']}"
    patched = admin.patch(d_url, {"discount_percent": "10"}, etag=etag_of(admin, d_url))
    assert patched.status_code == 200, patched.text
    # 1220 - 122 + 30 freight = 1128
    assert patched.json()["total_amount"] == "1128.00"
    admin.post(f"{d_url}/activate")

    ordered = admin.post(f"{d_url}/create-order", {"win_opportunity": True})
    assert ordered.status_code == 201, ordered.text
    order = ordered.json()
    assert re.fullmatch(r"ORD-\d{6}", order["number"])
    assert (order["quote_id"], order["total_amount"], order["price_locked"]) == (
        draft["id"], "1128.00", True,
    )  # fmt: skip
    assert admin.get(d_url).json()["state"] == "won"
    won = admin.get(opp_url).json()
    assert (won["state"], won["actual_value"]) == ("won", "1128.00")

    o_url = f"/api/v1/orders/{order['id']}"
    fulfilled = admin.post(f"{o_url}/fulfill", {"status": "partial"})
    assert (fulfilled.json()["state"], fulfilled.json()["status"]) == ("fulfilled", "partial")
    read_only = admin.patch(o_url, {"name": "late edit"}, etag=fulfilled.headers["ETag"])
    assert read_only.status_code == 409
    invoiced = admin.post(f"{o_url}/create-invoice", {"due_date": "2026-12-31"})
    assert invoiced.status_code == 201, invoiced.text
    invoice = invoiced.json()
    assert re.fullmatch(r"INV-\d{6}", invoice["number"])
    assert invoice["total_amount"] == "1128.00"
    assert admin.get(o_url).json()["state"] == "invoiced"
    i_url = f"/api/v1/invoices/{invoice['id']}"
    assert len(admin.get(f"{i_url}/lines").json()) == 2
    partial = admin.post(f"{i_url}/mark-paid", {"status": "partial"}).json()
    assert (partial["state"], partial["status"]) == ("paid", "partial")
    paid = admin.post(f"{i_url}/mark-paid", {"status": "complete"}).json()
    assert paid["status"] == "complete"
    again = admin.post(f"{i_url}/mark-paid", {})
    assert again.status_code == 409
    assert admin.post(f"{i_url}/cancel").json()["allowed"] == []

    quote_events = [e["title"] for e in admin.get(f"{d_url}/timeline").json()]
    assert any("activate" in title for title in quote_events), quote_events
    assert any("win" in title for title in quote_events), quote_events
    timeline = admin.get(f"/api/v1/opportunities/{opp['id']}/timeline").json()
    assert sum("line_added" in e["title"] for e in timeline) == 2, [e["title"] for e in timeline]


def test_draft_or_active_quote_blocks_closing_the_opportunity(admin: Api) -> None:
    cat = catalog(admin)
    customer = account(admin)
    opp = opportunity(admin, customer["id"], price_list_id=cat.price_list_id)
    q = admin.create("/api/v1/quotes", {"opportunity_id": opp["id"]})
    opp_url = f"/api/v1/opportunities/{opp['id']}"
    refused = admin.post(f"{opp_url}/win", {})
    assert refused.status_code == 409
    assert f"quote {q['number']} is draft" in refused.json()["detail"]
    admin.post(f"/api/v1/quotes/{q['id']}/activate")
    lost = admin.post(f"{opp_url}/lose", {})
    assert lost.status_code == 409
    assert f"quote {q['number']} is active" in lost.json()["detail"]
    closed = admin.post(
        f"/api/v1/quotes/{q['id']}/close", {"status": "lost", "close_opportunity": True}
    )
    assert closed.status_code == 200, closed.text
    assert admin.get(opp_url).json()["state"] == "lost"


def test_only_drafts_are_editable(admin: Api) -> None:
    cat = catalog(admin)
    q = quote(admin, cat, account(admin)["id"])
    url = f"/api/v1/quotes/{q['id']}"
    line = admin.create(f"{url}/lines", {"product_id": cat.product_id, "quantity": "2"})
    activated = admin.post(f"{url}/activate")
    edit = admin.patch(url, {"name": "changed"}, etag=activated.headers["ETag"])
    assert edit.status_code == 409
    assert edit.json()["code"] == "read_only"
    add = admin.post(f"{url}/lines", {"product_id": cat.product_id, "quantity": "1"})
    assert add.status_code == 409
    change = admin.patch(f"{url}/lines/{line['id']}", {"quantity": "5"})
    assert change.status_code == 409
    assert admin.get(url).json()["total_amount"] == "180.00"
    won = admin.post(f"{url}/win", {})
    assert won.json()["state"] == "won"
    revise = admin.post(f"{url}/revise")
    assert revise.status_code == 409
    assert revise.json()["allowed"] == []


def test_lines_recalculate_and_lock_the_currency(admin: Api) -> None:
    cat = catalog(admin)
    q = quote(admin, cat, account(admin)["id"])
    url = f"/api/v1/quotes/{q['id']}"
    line = admin.post(f"{url}/lines", {"product_id": cat.product_id, "quantity": "2", "tax": "18"})
    assert line.status_code == 201, line.text
    assert line.headers["ETag"] == '"2"'
    body = line.json()
    assert (body["price_per_unit"], body["extended_amount"]) == ("90.00", "198.00")
    changed = admin.patch(
        f"{url}/lines/{body['id']}", {"quantity": "3", "price_per_unit": "80"}, etag='"2"'
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["price_overridden"] is True
    assert admin.get(url).json()["total_amount"] == "258.00"  # 240 + 18 tax
    stale = admin.patch(f"{url}/lines/{body['id']}", {"quantity": "4"}, etag='"2"')
    assert stale.status_code == 412
    back = admin.patch(f"{url}/lines/{body['id']}", {"price_per_unit": None})
    assert back.json()["price_per_unit"] == "90.00"
    write_in = admin.post(
        f"{url}/lines", {"description": "Installation", "quantity": "1.5", "price_per_unit": "40"}
    )
    assert write_in.json()["extended_amount"] == "60.00"
    header = admin.get(url)
    assert header.json()["total_amount"] == "348.00"  # 270 + 18 + 60
    locked = admin.patch(url, {"currency": "EUR"}, etag=header.headers["ETag"])
    assert locked.status_code == 409
    removed = admin.delete(f"{url}/lines/{write_in.json()['id']}")
    assert removed.status_code == 204
    assert admin.get(url).json()["total_amount"] == "288.00"


def test_bad_line_input_names_the_problem(admin: Api) -> None:
    cat = catalog(admin)
    q = quote(admin, cat, account(admin)["id"])
    lines = f"/api/v1/quotes/{q['id']}/lines"
    cases = [
        ({"product_id": cat.product_id, "quantity": "0"}, "quantity"),
        ({"product_id": cat.product_id, "quantity": "-2"}, "quantity"),
        ({"product_id": cat.product_id, "quantity": "1.5"}, "quantity"),
        ({"description": "Consulting", "quantity": "1"}, "price_per_unit"),
        ({"product_id": cat.product_id, "quantity": "1", "manual_discount": "91"},
         "manual_discount"),
    ]  # fmt: skip
    for body, field in cases:
        response = admin.post(lines, body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"] == field, response.text
    other = catalog(admin)
    not_listed = admin.post(lines, {"product_id": other.product_id, "quantity": "1"})
    assert not_listed.status_code == 422
    assert "not on the document's price list" in not_listed.json()["detail"]
    assert admin.get(lines).json() == []
    assert admin.get(f"/api/v1/quotes/{q['id']}").json()["version"] == 1


def test_currency_must_match_the_price_list(admin: Api) -> None:
    cat = catalog(admin, "EUR")
    response = admin.post(
        "/api/v1/quotes",
        {"name": "x", "account_id": account(admin)["id"], "price_list_id": cat.price_list_id,
         "currency": "USD"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "price_list_id"
    opp = admin.post(
        "/api/v1/opportunities",
        {"name": "x", "account_id": account(admin)["id"], "price_list_id": cat.price_list_id},
    )
    assert opp.status_code == 422
    euros = quote(admin, cat, account(admin)["id"])
    assert euros["currency"] == "EUR"


def test_canceled_order_cannot_be_invoiced(admin: Api) -> None:
    cat = catalog(admin)
    order = admin.create(
        "/api/v1/orders",
        {"name": "Direct", "account_id": account(admin)["id"], "price_list_id": cat.price_list_id},
    )
    url = f"/api/v1/orders/{order['id']}"
    assert admin.post(f"{url}/cancel").json()["state"] == "canceled"
    refused = admin.post(f"{url}/create-invoice", {})
    assert refused.status_code == 409
    assert refused.json()["allowed"] == []
    assert admin.get("/api/v1/invoices", params={"order_id": order["id"]}).json()["items"] == []


def test_unlocked_orders_follow_the_price_list(admin: Api) -> None:
    cat = catalog(admin)
    order = admin.create(
        "/api/v1/orders",
        {"name": "Direct", "account_id": account(admin)["id"], "price_list_id": cat.price_list_id},
    )
    url = f"/api/v1/orders/{order['id']}"
    admin.create(f"{url}/lines", {"product_id": cat.product_id, "quantity": "1"})
    assert admin.post(f"{url}/lock-pricing").json()["price_locked"] is True
    product_url = f"/api/v1/products/{cat.product_id}"
    raised = admin.patch(product_url, {"list_price": "200"}, etag=etag_of(admin, product_url))
    assert raised.status_code == 200
    admin.create(f"{url}/lines", {"description": "Setup", "quantity": "1", "price_per_unit": "5"})
    assert admin.get(url).json()["total_amount"] == "95.00"  # the locked line stays at 90
    unlocked = admin.post(f"{url}/unlock-pricing").json()
    assert unlocked["total_amount"] == "185.00"  # now 90 % of 200


def test_salespeople_see_only_their_quotes(admin: Api, api_as) -> None:  # type: ignore[no-untyped-def]
    cat = catalog(admin)
    seller: Api = api_as(Role.SALESPERSON)
    other: Api = api_as(Role.SALESPERSON)
    mine = seller.create(
        "/api/v1/quotes",
        {"name": "Mine", "account_id": account(admin)["id"], "price_list_id": cat.price_list_id},
    )
    assert other.get(f"/api/v1/quotes/{mine['id']}").status_code == 404
    assert other.post(f"/api/v1/quotes/{mine['id']}/activate").status_code == 404
    assert [q["id"] for q in other.get("/api/v1/quotes").json()["items"]] == []
    reader: Api = api_as(Role.READ_ONLY)
    assert reader.post(f"/api/v1/quotes/{mine['id']}/activate").status_code == 403
    assert seller.post(f"/api/v1/quotes/{mine['id']}/activate").status_code == 200


def test_quote_edits_need_the_current_etag(admin: Api) -> None:
    cat = catalog(admin)
    q = quote(admin, cat, account(admin)["id"])
    url = f"/api/v1/quotes/{q['id']}"
    assert admin.patch(url, {"name": "x"}).status_code == 428
    ok = admin.patch(url, {"name": "Renamed", "effective_from": "2026-12-01"}, etag='"1"')
    assert ok.status_code == 200
    assert admin.patch(url, {"name": "Again"}, etag='"1"').status_code == 412
    dates = admin.patch(url, {"effective_to": "2026-11-01"}, etag=ok.headers["ETag"])
    assert dates.status_code == 422
    assert dates.json()["errors"][0]["field"] == "effective_to"
    status = admin.patch(url, {"state": "won"}, etag=ok.headers["ETag"])
    assert status.status_code == 422  # no update schema holds a state


def test_opportunity_currency_locks_once_it_has_lines(admin: Api) -> None:
    cat = catalog(admin)
    opp = opportunity(admin, account(admin)["id"], price_list_id=cat.price_list_id)
    url = f"/api/v1/opportunities/{opp['id']}"
    line = admin.create(f"{url}/lines", {"product_id": cat.product_id, "quantity": "2"})
    refused = admin.patch(url, {"currency": "EUR"}, etag=etag_of(admin, url))
    assert refused.status_code == 409
    assert "locked" in refused.json()["detail"]
    admin.delete(f"{url}/lines/{line['id']}")
    assert admin.get(url).json()["total_amount"] is None


def test_an_expired_price_list_gives_no_prices(admin: Api) -> None:
    cat = catalog(admin)
    pl_url = f"/api/v1/price-lists/{cat.price_list_id}"
    expired = admin.patch(
        pl_url, {"valid_from": "2020-01-01", "valid_to": "2020-12-31"}, etag=etag_of(admin, pl_url)
    )
    assert expired.status_code == 200
    q = quote(admin, cat, account(admin)["id"])
    lines = f"/api/v1/quotes/{q['id']}/lines"
    refused = admin.post(lines, {"product_id": cat.product_id, "quantity": "1"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "price_list_id"
    overridden = admin.post(
        lines, {"product_id": cat.product_id, "quantity": "1", "price_per_unit": "70"}
    )
    assert overridden.status_code == 201
