"""Use cases of invoices: create from an order (the order becomes invoiced), edit active
invoices and their lines, mark paid (complete or partial), cancel."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from leadgate.audit.editing import create_record, update_record
from leadgate.audit.recording import check_version, record_transition
from leadgate.catalog.documents import header_totals
from leadgate.catalog.line_book import LineBook
from leadgate.core.clock import utcnow
from leadgate.core.errors import ReadOnlyRecord
from leadgate.core.ids import new_id
from leadgate.invoices.models import Invoice, InvoiceLine
from leadgate.invoices.schemas import CreateInvoiceRequest, InvoiceUpdate, MarkPaidRequest
from leadgate.invoices.states import InvoiceState, allowed_moves, check_transition
from leadgate.orders import service as orders
from leadgate.orders.models import Order
from leadgate.quotes import service as quotes
from leadgate.quotes.numbering import next_number
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op


def _guard_active(invoice: Invoice) -> None:
    if invoice.state != InvoiceState.ACTIVE:
        moves = allowed_moves(InvoiceState(invoice.state), invoice.status)
        raise ReadOnlyRecord(
            f"invoice {invoice.number} is {invoice.state} and read-only "
            f"(allowed: {', '.join(moves) or 'none'})"
        )


INVOICE_LINES: LineBook[Invoice, InvoiceLine] = LineBook(
    Invoice, InvoiceLine, "invoice_id", _guard_active, quotes.recalculate
)


def create_invoice_from_order(
    session: Session,
    actor: Actor,
    order_id: uuid.UUID,
    data: CreateInvoiceRequest,
    version: int | None = None,
) -> Invoice:
    order: Order = load(session, actor, Order, order_id, Op.WRITE)
    orders.mark_invoiced(session, actor, order, version)
    invoice = Invoice(
        id=new_id(),
        number=next_number(session, "invoice"),
        order_id=order.id,
        due_date=data.due_date,
        state=InvoiceState.ACTIVE.value,
        status="new",
        **{k: getattr(order, k) for k in orders.HEADER},
    )
    create_record(session, actor, invoice)
    INVOICE_LINES.copy(session, orders.ORDER_LINES.lines(session, order.id), invoice.id)
    quotes.recalculate(session, invoice, INVOICE_LINES.lines(session, invoice.id))
    session.flush()
    return invoice


def update_invoice(
    session: Session, actor: Actor, invoice_id: uuid.UUID, data: InvoiceUpdate, version: int | None
) -> Invoice:
    values = data.changes()

    def derive(invoice: Invoice, values: dict[str, Any]) -> None:
        for locked in ("currency", "price_list_id"):
            if locked in values and values[locked] != getattr(invoice, locked):
                raise ReadOnlyRecord(f"an invoice keeps its order's {locked.replace('_id', '')}")
        if {"account_id", "customer_contact_id"} & values.keys():
            quotes.check_customer(session, actor, invoice, values)
        values.update(header_totals(invoice, INVOICE_LINES.lines(session, invoice.id), values))

    return update_record(
        session, actor, Invoice, invoice_id, values, expected_version=version,
        required=("name", "currency"), guard=_guard_active, derive=derive,
    )  # fmt: skip


def _move(
    session: Session, actor: Actor, invoice_id: uuid.UUID, name: str, status: str | None,
    version: int | None, **extra: Any,
) -> Invoice:  # fmt: skip
    invoice = load(session, actor, Invoice, invoice_id, Op.WRITE)
    transition = check_transition(name, InvoiceState(invoice.state), invoice.status)
    check_version(invoice, version)
    before = {"state": invoice.state, "status": invoice.status, "paid_on": invoice.paid_on}
    invoice.state = transition.target.value
    invoice.status = transition.status(status)
    for key, value in extra.items():
        setattr(invoice, key, value)
    record_transition(session, actor, invoice, name, before)
    return invoice


def mark_paid(
    session: Session, actor: Actor, invoice_id: uuid.UUID, data: MarkPaidRequest,
    version: int | None = None,
) -> Invoice:  # fmt: skip
    paid_on = data.paid_on or utcnow().date()
    return _move(session, actor, invoice_id, "mark_paid", data.status, version, paid_on=paid_on)


def cancel(
    session: Session, actor: Actor, invoice_id: uuid.UUID, version: int | None = None
) -> Invoice:
    return _move(session, actor, invoice_id, "cancel", None, version)
