"""PDF downloads of quotes, orders and invoices (read permission on the document)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response
from sqlalchemy.orm import Session

from leadgate.documents.pdf import render
from leadgate.invoices.models import Invoice
from leadgate.invoices.service import INVOICE_LINES
from leadgate.orders.models import Order
from leadgate.orders.service import ORDER_LINES
from leadgate.quotes.models import Quote
from leadgate.quotes.printing import document_view
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
    details = []
    if isinstance(document, Quote):
        details.append(("Revision", str(document.revision)))
        if document.effective_to:
            details.append(("Valid until", document.effective_to.isoformat()))
    if isinstance(document, Invoice) and document.due_date:
        details.append(("Due", document.due_date.isoformat()))
    view = document_view(
        session, company, title, document, book.lines(session, document.id), details
    )
    suffix = f"-{document.revision}" if isinstance(document, Quote) and document.revision else ""
    filename = f"{document.number}{suffix}.pdf"
    return Response(
        render(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
