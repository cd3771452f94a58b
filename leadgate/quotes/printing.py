"""The printable view of a quote, order or invoice (what `documents.pdf` draws)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.catalog.models import Unit
from leadgate.contacts.models import Contact
from leadgate.documents.pdf import DocumentView, LineView, render
from leadgate.quotes.models import SalesDocument


def _customer(session: Session, document: SalesDocument) -> str:
    if document.account_id is not None:
        account = session.get(Account, document.account_id)
        if account is not None:
            address = ", ".join(
                p for p in (account.street, account.postal_code, account.city, account.country) if p
            )
            return "\n".join(p for p in (account.name, address) if p)
    if document.customer_contact_id is not None:
        contact = session.get(Contact, document.customer_contact_id)
        if contact is not None:
            return " ".join(p for p in (contact.first_name, contact.last_name) if p)
    return ""


def document_view(
    session: Session,
    company: str,
    title: str,
    document: SalesDocument,
    lines: Sequence[Any],
    details: list[tuple[str, str]] | None = None,
) -> DocumentView:
    unit_ids = {line.unit_id for line in lines if line.unit_id is not None}
    units: dict[object, str] = {}
    if unit_ids:
        rows = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))
        units = {row.id: row.name for row in rows}
    totals = [("Lines", document.total_line_amount)]
    if document.total_discount_amount:
        totals.append(("Discount", -document.total_discount_amount))
    if document.freight_amount:
        totals.append(("Freight", document.freight_amount))
    totals += [("Tax", document.total_tax), ("Total", document.total_amount)]
    terms = "\n\n".join(p for p in (document.payment_terms, document.terms) if p)
    return DocumentView(
        company=company,
        title=title,
        number=document.number,
        issued_on=document.created_at.date().isoformat(),
        customer=_customer(session, document),
        currency=document.currency,
        lines=[
            LineView(
                sequence=line.sequence,
                description=line.description,
                quantity=line.quantity,
                unit=units.get(line.unit_id, ""),
                price_per_unit=line.price_per_unit,
                discount=line.volume_discount + line.manual_discount,
                extended=line.extended_amount,
            )
            for line in lines
        ],
        totals=totals,
        terms=terms or None,
        details=details or [],
    )


def document_pdf(
    session: Session, company: str, title: str, document: SalesDocument, lines: Sequence[Any]
) -> tuple[bytes, str]:
    """The PDF of a quote, order or invoice and the file name to download it as.

    One place for what the API and the pages both serve: quotes show their revision
    and validity, invoices their due date.
    """
    details: list[tuple[str, str]] = []
    revision = getattr(document, "revision", None)
    if revision is not None:
        details.append(("Revision", str(revision)))
    valid_until = getattr(document, "effective_to", None)
    if valid_until:
        details.append(("Valid until", valid_until.isoformat()))
    due = getattr(document, "due_date", None)
    if due:
        details.append(("Due", due.isoformat()))
    view = document_view(session, company, title, document, lines, details)
    suffix = f"-{revision}" if revision else ""
    return render(view), f"{document.number}{suffix}.pdf"
