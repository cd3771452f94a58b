"""The Lines section of opportunities, quotes, orders and invoices: the lines, the totals
and (while the document's guard allows changes) a form to add a line by product and a
button to remove one. Every change answers the re-rendered section (HTMX swap), field
errors in place. Writes go through each document's LineBook, the same as the API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from leadgate.catalog.line_book import LineBook
from leadgate.catalog.line_schemas import LineCreate
from leadgate.catalog.queries import list_products
from leadgate.core.errors import DomainError, NotFound
from leadgate.invoices.service import INVOICE_LINES
from leadgate.opportunities.lines import OPPORTUNITY_LINES
from leadgate.orders.service import ORDER_LINES
from leadgate.quotes import service as quotes
from leadgate.quotes.schemas import QuoteCreate
from leadgate.quotes.service import QUOTE_LINES
from leadgate.security.access import Actor, can, load
from leadgate.security.roles import Op
from leadgate.web.auth import DbSession, FormData, User
from leadgate.web.common import redirect
from leadgate.web.forms import FormState, Input, apply_error, payload, typed_values, validate
from leadgate.web.render import render

router = APIRouter(include_in_schema=False)

BOOKS: dict[str, LineBook[Any, Any]] = {
    "opportunity": OPPORTUNITY_LINES,
    "quote": QUOTE_LINES,
    "order": ORDER_LINES,
    "invoice": INVOICE_LINES,
}
PATHS = {
    "opportunity": "opportunities",
    "quote": "quotes",
    "order": "orders",
    "invoice": "invoices",
}
# A select over the active catalog; beyond this many products a search box would be needed.
PRODUCT_CAP = 200
LINE_INPUTS = (
    Input("product_id", "Product", "select"),
    Input("quantity", "Quantity", "number"),
    Input("price_per_unit", "Price override", "number"),
    Input("manual_discount", "Manual discount", "number"),
)


def _book(kind: str) -> LineBook[Any, Any]:
    if kind not in BOOKS:
        raise NotFound(f"no lines on {kind!r}")
    return BOOKS[kind]


def _editable(actor: Actor, book: LineBook[Any, Any], document: Any) -> bool:
    if not can(actor, document.RECORD_TYPE, Op.WRITE, document.owner_id):
        return False
    try:
        book.guard(document)
    except DomainError:
        return False
    return True


def lines_context(
    session: Session, actor: Actor, kind: str, document: Any, form: FormState | None = None
) -> dict[str, Any]:
    """What the Lines section shows of `document`."""
    book = _book(kind)
    editable = _editable(actor, book, document)
    products: list[tuple[str, str]] = []
    if editable:
        page = list_products(
            session, actor, filters={"state": "active"}, q=None, sort="name", cursor=None,
            limit=PRODUCT_CAP,
        )  # fmt: skip
        products = [(str(p.id), f"{p.name} ({p.number})") for p in page.items]
    return {
        "kind": kind,
        "base": f"/lines/{kind}/{document.id}",
        "document": document,
        "items": book.lines(session, document.id),
        "editable": editable,
        "products": products,
        "line_form": form or FormState(values={"quantity": "1"}),
        "can_quote": kind == "opportunity"
        and document.state == "open"
        and can(actor, "quote", Op.CREATE, actor.user_id),
    }


def _section(
    request: Request, session: Session, actor: Actor, kind: str, document_id: uuid.UUID,
    form: FormState | None = None, status: int = 200,
) -> Response:  # fmt: skip
    document = load(session, actor, _book(kind).document_model, document_id)
    context = lines_context(session, actor, kind, document, form)
    return render(request, "sales/lines.html", {"lines": context}, status=status)


@router.get("/lines/{kind}/{document_id}")
def lines_section(
    request: Request, kind: str, document_id: uuid.UUID, user: User, session: DbSession
) -> Response:
    with session.begin():
        return _section(request, session, user.actor, kind, document_id)


@router.post("/lines/{kind}/{document_id}")
def add_line(
    request: Request, kind: str, document_id: uuid.UUID, user: User, form: FormData,
    session: DbSession,
) -> Response:  # fmt: skip
    book = _book(kind)
    version = str(form.get("version", ""))
    state = FormState(values=typed_values(LINE_INPUTS, form))
    data = validate(LineCreate, payload(LINE_INPUTS, state.values, partial=False), state)
    if data is not None:
        try:
            with session.begin():
                expected = int(version) if version.isdigit() else None
                book.add(session, user.actor, document_id, data.request(), expected)
                return _section(request, session, user.actor, kind, document_id)
        except DomainError as exc:
            if exc.status not in (409, 412, 422):
                raise
            apply_error(state, exc)
    with session.begin():
        return _section(request, session, user.actor, kind, document_id, state, 422)


@router.post("/lines/{kind}/{document_id}/{line_id}/remove")
def remove_line(
    request: Request, kind: str, document_id: uuid.UUID, line_id: uuid.UUID, user: User,
    form: FormData, session: DbSession,
) -> Response:  # fmt: skip
    version = str(form.get("version", ""))
    state = FormState()
    status = 200
    try:
        with session.begin():
            expected = int(version) if version.isdigit() else None
            _book(kind).remove(session, user.actor, document_id, line_id, expected)
            return _section(request, session, user.actor, kind, document_id)
    except DomainError as exc:
        if exc.status not in (409, 412, 422):
            raise
        apply_error(state, exc)
        status = exc.status
    with session.begin():
        return _section(request, session, user.actor, kind, document_id, state, status)


@router.post("/opportunities/{opportunity_id}/create-quote")
def create_quote(
    request: Request, opportunity_id: uuid.UUID, user: User, session: DbSession
) -> Response:
    with session.begin():
        quote = quotes.create_quote(session, user.actor, QuoteCreate(opportunity_id=opportunity_id))
        url, number = f"/quotes/{quote.id}", quote.number
    return redirect(request, url, f"Quote {number} created from the opportunity's lines.")
