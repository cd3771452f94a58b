"""Use cases of quotes: create (from an opportunity or on its own), edit drafts and their
lines, activate, revise, close, win. Creating the order from a won quote lives with
orders (`leadgate.orders.service.create_order_from_quote`), which build on quotes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.audit.editing import create_record, update_record
from leadgate.audit.recording import check_version, record_transition
from leadgate.catalog.documents import (
    check_price_list,
    header_totals,
    refuse_currency_change,
)
from leadgate.catalog.line_book import LineBook
from leadgate.catalog.models import PriceList
from leadgate.contacts.models import Contact
from leadgate.core.clock import utcnow
from leadgate.core.errors import NotFound, ReadOnlyRecord, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.core.money import DEFAULT_CURRENCY
from leadgate.opportunities import service as opportunities
from leadgate.opportunities.lines import OPPORTUNITY_LINES
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import LoseRequest, WinRequest
from leadgate.quotes.models import Quote, QuoteLine
from leadgate.quotes.numbering import next_number
from leadgate.quotes.schemas import CloseQuoteRequest, QuoteCreate, QuoteUpdate, WinQuoteRequest
from leadgate.quotes.states import QuoteState, allowed_moves, check_transition, is_open
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op

# Header fields a revision copies from the quote it replaces.
COPIED = (
    "name", "opportunity_id", "account_id", "customer_contact_id", "price_list_id", "currency",
    "payment_terms", "terms", "description", "discount_percent", "discount_amount",
    "freight_amount", "effective_from", "effective_to", "owner_id",
)  # fmt: skip


def check_customer(session: Session, actor: Actor, record: Any, values: dict[str, Any]) -> None:
    """Exactly one customer (an account or a contact) that the actor can see."""
    for field, model in (("account_id", Account), ("customer_contact_id", Contact)):
        if values.get(field) is not None:
            try:
                load(session, actor, model, values[field])
            except NotFound as exc:
                raise ValidationFailed.on(field, f"no such {model.RECORD_TYPE}") from exc
    account = values.get("account_id", getattr(record, "account_id", None))
    contact = values.get("customer_contact_id", getattr(record, "customer_contact_id", None))
    if (account is None) == (contact is None):
        raise ValidationFailed.on(
            "account_id", "the customer is exactly one of account_id or customer_contact_id"
        )


def _check_dates(quote: Any, values: dict[str, Any]) -> None:
    start = values.get("effective_from", getattr(quote, "effective_from", None))
    end = values.get("effective_to", getattr(quote, "effective_to", None))
    if start and end and end < start:
        raise ValidationFailed.on("effective_to", "is before effective_from")


def recalculate(session: Session, document: Any, lines: list[Any]) -> None:
    for name, value in header_totals(document, lines).items():
        setattr(document, name, value)


def _guard_draft(quote: Quote) -> None:
    if quote.state != QuoteState.DRAFT:
        raise ReadOnlyRecord(
            f"quote {quote.number} is {quote.state}; only drafts are editable "
            f"(allowed: {', '.join(allowed_moves(QuoteState(quote.state))) or 'none'})"
        )


QUOTE_LINES: LineBook[Quote, QuoteLine] = LineBook(
    Quote, QuoteLine, "quote_id", _guard_draft, recalculate
)


def create_quote(session: Session, actor: Actor, data: QuoteCreate) -> Quote:
    values = data.model_dump(exclude_unset=True)
    opportunity: Opportunity | None = None
    if data.opportunity_id is not None:
        try:
            opportunity = load(session, actor, Opportunity, data.opportunity_id)
        except NotFound as exc:
            raise ValidationFailed.on("opportunity_id", "no such opportunity") from exc
        if opportunity.state != "open":
            raise ValidationFailed.on("opportunity_id", f"the opportunity is {opportunity.state}")
        if "account_id" not in values and "customer_contact_id" not in values:
            values["account_id"] = opportunity.account_id
            values["customer_contact_id"] = opportunity.customer_contact_id
        values.setdefault("name", opportunity.name)
        values.setdefault("price_list_id", opportunity.price_list_id)
        values.setdefault("currency", opportunity.currency)
    if values.get("price_list_id") is not None and values.get("currency") is None:
        price_list = session.get(PriceList, values["price_list_id"])
        values["currency"] = price_list.currency if price_list else None
    values["currency"] = values.get("currency") or DEFAULT_CURRENCY
    if not values.get("name"):
        raise ValidationFailed.on("name", "a quote on its own needs a name")
    check_customer(session, actor, None, values)
    check_price_list(session, values.get("price_list_id"), values["currency"])
    _check_dates(None, values)
    quote = Quote(
        id=new_id(),
        number=next_number(session, "quote"),
        revision=0,
        state=QuoteState.DRAFT.value,
        status="in_progress",
        **values,
    )
    create_record(session, actor, quote)
    if opportunity is not None:
        if opportunity.currency != quote.currency:
            raise ValidationFailed.on("currency", "a quote has its opportunity's currency")
        QUOTE_LINES.copy(session, OPPORTUNITY_LINES.lines(session, opportunity.id), quote.id)
    recalculate(session, quote, QUOTE_LINES.lines(session, quote.id))
    session.flush()
    return quote


def update_quote(
    session: Session, actor: Actor, quote_id: uuid.UUID, data: QuoteUpdate, version: int | None
) -> Quote:
    values = data.changes()

    def derive(quote: Quote, values: dict[str, Any]) -> None:
        lines = QUOTE_LINES.lines(session, quote.id)
        refuse_currency_change(bool(lines), quote, values)
        _check_dates(quote, values)
        if {"account_id", "customer_contact_id"} & values.keys():
            check_customer(session, actor, quote, values)
        if {"price_list_id", "currency"} & values.keys():
            check_price_list(
                session,
                values.get("price_list_id", quote.price_list_id),
                values.get("currency", quote.currency),
            )
        values.update(header_totals(quote, lines, values))

    return update_record(
        session, actor, Quote, quote_id, values, expected_version=version,
        required=("name", "currency"), guard=_guard_draft, derive=derive,
    )  # fmt: skip


def _move(
    session: Session, actor: Actor, quote: Quote, name: str, status: str | None, summary: str = ""
) -> None:
    transition = check_transition(name, QuoteState(quote.state))
    before = {"state": quote.state, "status": quote.status, "closed_on": quote.closed_on}
    quote.state = transition.target.value
    quote.status = transition.status(status)
    if transition.target in (QuoteState.WON, QuoteState.CLOSED):
        quote.closed_on = utcnow().date()
    record_transition(session, actor, quote, name, before, summary)


def _load_for(
    session: Session, actor: Actor, quote_id: uuid.UUID, name: str, version: int | None
) -> Quote:
    quote = load(session, actor, Quote, quote_id, Op.WRITE)
    check_transition(name, QuoteState(quote.state))
    check_version(quote, version)
    return quote


def activate(
    session: Session, actor: Actor, quote_id: uuid.UUID, version: int | None = None
) -> Quote:
    quote = _load_for(session, actor, quote_id, "activate", version)
    _move(session, actor, quote, "activate", None)
    return quote


def revise(
    session: Session, actor: Actor, quote_id: uuid.UUID, version: int | None = None
) -> Quote:
    """Close the active quote as revised; return its new draft with revision + 1."""
    quote = _load_for(session, actor, quote_id, "revise", version)
    _move(session, actor, quote, "revise", None, f"revised into revision {quote.revision + 1}")
    draft = Quote(
        id=new_id(),
        number=quote.number,
        revision=quote.revision + 1,
        state=QuoteState.DRAFT.value,
        status="in_progress",
        **{k: getattr(quote, k) for k in COPIED},
    )
    create_record(session, actor, draft)
    QUOTE_LINES.copy(session, QUOTE_LINES.lines(session, quote.id), draft.id)
    recalculate(session, draft, QUOTE_LINES.lines(session, draft.id))
    session.flush()
    return draft


def close(
    session: Session,
    actor: Actor,
    quote_id: uuid.UUID,
    data: CloseQuoteRequest,
    version: int | None = None,
) -> Quote:
    quote = _load_for(session, actor, quote_id, "close", version)
    _move(session, actor, quote, "close", data.status, data.reason or "")
    if data.close_opportunity and quote.opportunity_id is not None:
        # The opportunity's close guard refuses (409) while another quote is still open.
        reason = data.reason or f"quote {quote.number} {data.status}"
        opportunities.lose(
            session, actor, quote.opportunity_id, LoseRequest(status="canceled", reason=reason)
        )
    return quote


def win(
    session: Session,
    actor: Actor,
    quote_id: uuid.UUID,
    data: WinQuoteRequest,
    version: int | None = None,
) -> Quote:
    quote = _load_for(session, actor, quote_id, "win", version)
    _move(session, actor, quote, "win", None)
    if data.win_opportunity and quote.opportunity_id is not None:
        opportunities.win(
            session, actor, quote.opportunity_id, WinRequest(actual_value=quote.total_amount)
        )
    return quote


def open_quote_objections(session: Session, opportunity: Opportunity) -> list[str]:
    """The close guard on opportunities: its draft and active quotes, by number."""
    rows = session.execute(
        select(Quote.number, Quote.revision, Quote.state)
        .where(Quote.opportunity_id == opportunity.id)
        .order_by(Quote.number, Quote.revision)
    )
    return [
        f"quote {number}{f' rev {revision}' if revision else ''} is {state}"
        for number, revision, state in rows
        if is_open(state)
    ]
