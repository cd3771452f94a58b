"""PDF downloads of quotes, orders and invoices (read permission on the document)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response
from sqlalchemy.orm import Session

from leadgate.invoices.models import Invoice
from leadgate.invoices.service import INVOICE_LINES
from leadgate.orders.models import Order
from leadgate.orders.service import ORDER_LINES
from leadgate.quotes.models import Quote
from leadgate.quotes.printing import document_pdf
from leadgate.quotes.service import QUOTE_LINES
from leadgate.security.access import Actor, load

_BOOKS: dict[type[Any], tuple[str, Any]] = {
    Quote: ("Quote", QUOTE_LINES),
    Order: ("Order", ORDER_LINES),
    Invoice: ("Invoice", INVOICE_LINES),
}


def pdf_response(
    session: Session, actor: Actor, model: type[Any], document_id: uuid.UUID, company: str
) -> Response:
    document = load(session, actor, model, document_id)
    title, book = _BOOKS[model]
    pdf, filename = document_pdf(
        session, company, title, document, book.lines(session, document.id)
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
