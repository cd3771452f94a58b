"""Use cases of orders: create from a won quote (or on their own), edit open orders and
their lines, lock or unlock prices, submit, fulfill, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from leadgate.audit.editing import create_record, update_record
from leadgate.audit.recording import change_record, check_version, record_transition
from leadgate.catalog.documents import (
    check_price_list,
    header_totals,
    refuse_currency_change,
)
from leadgate.catalog.line_book import LineBook, reprice
from leadgate.core.clock import utcnow
from leadgate.core.errors import ReadOnlyRecord
from leadgate.core.ids import new_id
from leadgate.core.money import DEFAULT_CURRENCY
from leadgate.orders.models import Order, OrderLine
from leadgate.orders.schemas import CreateOrderRequest, FulfillRequest, OrderCreate, OrderUpdate
from leadgate.orders.states import OrderState, allowed_moves, check_transition, is_editable
from leadgate.quotes import service as quotes
from leadgate.quotes.models import Quote
from leadgate.quotes.numbering import next_number
from leadgate.quotes.schemas import WinQuoteRequest
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op

# Header fields an order copies from its quote (and an invoice from its order).
HEADER = (
    "name", "opportunity_id", "account_id", "customer_contact_id", "price_list_id", "currency",
    "payment_terms", "terms", "description", "discount_percent", "discount_amount",
    "freight_amount", "owner_id",
)  # fmt: skip


def _guard_editable(order: Order) -> None:
    if not is_editable(order.state):
        raise ReadOnlyRecord(
            f"order {order.number} is {order.state} and read-only "
            f"(allowed: {', '.join(allowed_moves(OrderState(order.state))) or 'none'})"
        )


def _recalculate(session: Session, order: Order, lines: list[OrderLine]) -> None:
    if not order.price_locked:
        for line in lines:
            reprice(session, order.currency, order.price_list_id, line)
    quotes.recalculate(session, order, lines)


ORDER_LINES: LineBook[Order, OrderLine] = LineBook(
    Order, OrderLine, "order_id", _guard_editable, _recalculate
)


def create_order(session: Session, actor: Actor, data: OrderCreate) -> Order:
    values = data.model_dump(exclude_unset=True)
    values["currency"] = values.get("currency") or DEFAULT_CURRENCY
    quotes.check_customer(session, actor, None, values)
    check_price_list(session, values.get("price_list_id"), values["currency"])
    order = Order(
        id=new_id(), number=next_number(session, "order"), state=OrderState.ACTIVE.value,
        status="new", price_locked=False, **values,
    )  # fmt: skip
    create_record(session, actor, order)
    quotes.recalculate(session, order, [])
    session.flush()
    return order


def create_order_from_quote(
    session: Session,
    actor: Actor,
    quote_id: uuid.UUID,
    data: CreateOrderRequest,
    version: int | None = None,
) -> Order:
    """The quote is won and an order created with its lines, prices locked as quoted."""
    quote = quotes.win(
        session, actor, quote_id, WinQuoteRequest(win_opportunity=data.win_opportunity), version
    )
    order = Order(
        id=new_id(),
        number=next_number(session, "order"),
        quote_id=quote.id,
        state=OrderState.ACTIVE.value,
        status="new",
        price_locked=True,
        **{k: getattr(quote, k) for k in HEADER},
    )
    create_record(session, actor, order)
    ORDER_LINES.copy(session, quotes.QUOTE_LINES.lines(session, quote.id), order.id)
    quotes.recalculate(session, order, ORDER_LINES.lines(session, order.id))
    session.flush()
    return order


def update_order(
    session: Session, actor: Actor, order_id: uuid.UUID, data: OrderUpdate, version: int | None
) -> Order:
    values = data.changes()

    def derive(order: Order, values: dict[str, Any]) -> None:
        lines = ORDER_LINES.lines(session, order.id)
        refuse_currency_change(bool(lines), order, values)
        if {"account_id", "customer_contact_id"} & values.keys():
            quotes.check_customer(session, actor, order, values)
        if {"price_list_id", "currency"} & values.keys():
            check_price_list(
                session,
                values.get("price_list_id", order.price_list_id),
                values.get("currency", order.currency),
            )
        values.update(header_totals(order, lines, values))

    return update_record(
        session, actor, Order, order_id, values, expected_version=version,
        required=("name", "currency"), guard=_guard_editable, derive=derive,
    )  # fmt: skip


def set_price_lock(
    session: Session, actor: Actor, order_id: uuid.UUID, locked: bool, version: int | None = None
) -> Order:
    """Lock: later catalog changes leave the order alone. Unlock: reprice it now."""
    order = load(session, actor, Order, order_id, Op.WRITE)
    _guard_editable(order)
    check_version(order, version)
    action = "lock_pricing" if locked else "unlock_pricing"
    change_record(session, actor, order, {"price_locked": locked}, action=action)
    if not locked:
        lines = ORDER_LINES.lines(session, order.id)
        _recalculate(session, order, lines)
        session.flush()
    return order


def _move(
    session: Session, actor: Actor, order_id: uuid.UUID, name: str, status: str | None,
    version: int | None, **extra: Any,
) -> Order:  # fmt: skip
    order = load(session, actor, Order, order_id, Op.WRITE)
    transition = check_transition(name, OrderState(order.state))
    check_version(order, version)
    before = {"state": order.state, "status": order.status, "fulfilled_on": order.fulfilled_on}
    order.state = transition.target.value
    order.status = transition.status(status)
    for key, value in extra.items():
        setattr(order, key, value)
    record_transition(session, actor, order, name, before)
    return order


def submit(
    session: Session, actor: Actor, order_id: uuid.UUID, version: int | None = None
) -> Order:
    return _move(session, actor, order_id, "submit", None, version)


def fulfill(
    session: Session, actor: Actor, order_id: uuid.UUID, data: FulfillRequest,
    version: int | None = None,
) -> Order:  # fmt: skip
    fulfilled_on = data.fulfilled_on or utcnow().date()
    return _move(
        session, actor, order_id, "fulfill", data.status, version, fulfilled_on=fulfilled_on
    )


def cancel(
    session: Session, actor: Actor, order_id: uuid.UUID, version: int | None = None
) -> Order:
    return _move(session, actor, order_id, "cancel", None, version)


def mark_invoiced(session: Session, actor: Actor, order: Order, version: int | None) -> Order:
    """Called by invoices when the order's invoice is created."""
    return _move(session, actor, order.id, "create_invoice", None, version)


def quote_of(session: Session, order: Order) -> Quote | None:
    return session.get(Quote, order.quote_id) if order.quote_id else None
