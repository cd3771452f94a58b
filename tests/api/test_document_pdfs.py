"""PDF downloads of a quote, its order and its invoice: they open and show the total."""

from __future__ import annotations

import io

from pypdf import PdfReader

from leadgate.security.roles import Role
from tests.factories import Api
from tests.sales import account, catalog, quote


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_quote_order_and_invoice_pdfs(admin: Api, api_as) -> None:  # type: ignore[no-untyped-def]
    cat = catalog(admin)
    product_url = f"/api/v1/products/{cat.product_id}"
    etag = admin.get(product_url).headers["ETag"]
    renamed = admin.patch(product_url, {"name": "Виджет Pro 製品"}, etag=etag)
    assert renamed.status_code == 200
    q = quote(admin, cat, account(admin, "Ωmega")["id"], payment_terms="Net 30")
    url = f"/api/v1/quotes/{q['id']}"
    admin.create(f"{url}/lines", {"product_id": cat.product_id, "quantity": "11"})
    response = admin.get(f"{url}/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _text(response.content)
    for expected in (q["number"], "Виджет Pro", "Ωmega", "Total 990.00", "Net 30", "Leadgate"):
        assert expected in text, expected
    admin.post(f"{url}/activate")
    order = admin.create(f"{url}/create-order", {})
    order_pdf = admin.get(f"/api/v1/orders/{order['id']}/pdf")
    assert f"Order {order['number']}" in _text(order_pdf.content)
    invoice = admin.create(f"/api/v1/orders/{order['id']}/create-invoice", {})
    invoice_text = _text(admin.get(f"/api/v1/invoices/{invoice['id']}/pdf").content)
    assert f"Invoice {invoice['number']}" in invoice_text
    assert "Total 990.00" in invoice_text
    stranger: Api = api_as(Role.SALESPERSON)
    assert stranger.get(f"/api/v1/invoices/{invoice['id']}/pdf").status_code == 404
