"""Record pages of quotes, orders and invoices: header, totals, lines, the actions their
state allows (from each domain's transition table) and the PDF download.

Actions call the same services as the API; a refusal (409 / 412 / 422) comes back to the
record page as a message, the page itself stays usable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.activities.queries import Ref, timeline
from leadgate.contacts.models import Contact
from leadgate.core.errors import DomainError, NotFound
from leadgate.invoices import service as invoices
from leadgate.invoices import states as invoice_states
from leadgate.invoices.models import Invoice
from leadgate.invoices.schemas import CreateInvoiceRequest, MarkPaidRequest
from leadgate.orders import service as orders
from leadgate.orders import states as order_states
from leadgate.orders.models import Order
from leadgate.orders.schemas import CreateOrderRequest, FulfillRequest
from leadgate.quotes import service as quotes
from leadgate.quotes import states as quote_states
from leadgate.quotes.models import Quote
from leadgate.quotes.printing import document_pdf
from leadgate.quotes.schemas import CloseQuoteRequest, WinQuoteRequest
from leadgate.security.access import Actor, can, load
from leadgate.security.models import User as UserModel
from leadgate.security.roles import Op
from leadgate.web.auth import DbSession, FormData, User, flash
from leadgate.web.common import names, redirect
from leadgate.web.render import render
from leadgate.web.sales_lines import BOOKS, lines_context
from leadgate.web.sales_specs import SALES_SPECS
from leadgate.web.specs import Spec

router = APIRouter(include_in_schema=False)

Action = Callable[[Session, Actor, uuid.UUID, int | None], Any]

# Action name → (button label, service call). The call answers the record to show next.
ACTIONS: dict[str, dict[str, tuple[str, Action]]] = {
    "quote": {
        "activate": ("Activate", quotes.activate),
        "revise": ("Revise", quotes.revise),
        "win": ("Close as won", lambda s, a, i, v: quotes.win(s, a, i, WinQuoteRequest(), v)),
        "create_order": (
            "Create order",
            lambda s, a, i, v: orders.create_order_from_quote(s, a, i, CreateOrderRequest(), v),
        ),
        "close": (
            "Close as lost",
            lambda s, a, i, v: quotes.close(s, a, i, CloseQuoteRequest(), v),
        ),
    },
    "order": {
        "submit": ("Submit", orders.submit),
        "fulfill": ("Fulfill", lambda s, a, i, v: orders.fulfill(s, a, i, FulfillRequest(), v)),
        "create_invoice": (
            "Create invoice",
            lambda s, a, i, v: invoices.create_invoice_from_order(
                s, a, i, CreateInvoiceRequest(), v
            ),
        ),
        "cancel": ("Cancel", orders.cancel),
    },
    "invoice": {
        "mark_paid": (
            "Mark paid",
            lambda s, a, i, v: invoices.mark_paid(s, a, i, MarkPaidRequest(), v),
        ),
        "cancel": ("Cancel", invoices.cancel),
    },
}


def allowed_actions(document: Any) -> list[str]:
    """The actions the document's state allows, from its domain's transition table."""
    if isinstance(document, Quote):
        moves = quote_states.allowed_moves(quote_states.QuoteState(document.state))
        # Creating the order wins the quote: offered wherever winning is.
        return [*moves, "create_order"] if "win" in moves else moves
    if isinstance(document, Order):
        return order_states.allowed_moves(order_states.OrderState(document.state))
    if isinstance(document, Invoice):
        state = invoice_states.InvoiceState(document.state)
        return invoice_states.allowed_moves(state, document.status)
    return []


def _spec(plural: str) -> Spec:
    for spec in SALES_SPECS.values():
        if spec.path == f"/{plural}":
            return spec
    raise NotFound(f"no page {plural!r}")


def _record_page(request: Request, plural: str, record_id: uuid.UUID, user: User,
                 session: Session) -> Response:  # fmt: skip
    spec = _spec(plural)
    actor = user.actor
    with session.begin():
        record: Any = load(session, actor, spec.model, record_id)
        moves = allowed_actions(record)
        refs: list[Ref] = [(spec.key, record.id)]
        entries = timeline(session, actor, refs, limit=50)
        people = names(session, actor, UserModel, [record.owner_id, *(e.actor_id for e in entries)])
        context = {
            "title": f"{spec.label}: {spec.title(record)}",
            "section": plural,
            "spec": spec,
            "record": record,
            "actions": [(m, ACTIONS[spec.key][m][0]) for m in moves if m in ACTIONS[spec.key]],
            "can_write": can(actor, spec.key, Op.WRITE, record.owner_id),
            "people": people,
            "owners": people,
            "refs": names(session, actor, Account, [record.account_id]),
            "contacts": names(session, actor, Contact, [record.customer_contact_id]),
            "timeline": entries,
            "lines": lines_context(session, actor, spec.key, record),
        }
    return render(request, "sales/record.html", context)


def _act(request: Request, plural: str, record_id: uuid.UUID, action: str, user: User,
         form: dict[str, Any], session: Session) -> Response:  # fmt: skip
    spec = _spec(plural)
    known = ACTIONS[spec.key]
    if action not in known:
        raise NotFound(f"no action {action!r} on {spec.plural.lower()}")
    version = str(form.get("version", ""))
    label, call = known[action]
    back = f"{spec.path}/{record_id}"
    try:
        with session.begin():
            result = call(
                session, user.actor, record_id, int(version) if version.isdigit() else None
            )
            target = SALES_SPECS[result.RECORD_TYPE]
            url, title = target.url(result), target.title(result)
    except DomainError as exc:
        if exc.status not in (409, 412, 422):
            raise
        detail = exc.detail
        allowed: Any = exc.extra().get("allowed")
        if allowed:
            detail += f" (allowed: {', '.join(str(a) for a in allowed)})"
        response = redirect(request, back)
        flash(request, response, f"{label} refused: {detail}", "error")
        return response
    return redirect(request, url, f"{label}: done ({title}).")


def _pdf(plural: str, record_id: uuid.UUID, request: Request, user: User,
         session: Session) -> Response:  # fmt: skip
    """The same PDF as /api/v1/…/pdf, for the signed-in user (read permission)."""
    spec = _spec(plural)
    company = request.app.state.settings.company_name
    with session.begin():
        document: Any = load(session, user.actor, spec.model, record_id)
        lines = BOOKS[spec.key].lines(session, document.id)
        pdf, filename = document_pdf(session, company, spec.label, document, lines)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _register(plural: str) -> None:
    def page(request: Request, record_id: uuid.UUID, user: User, session: DbSession) -> Response:
        return _record_page(request, plural, record_id, user, session)

    def act(
        request: Request, record_id: uuid.UUID, action: str, user: User, form: FormData,
        session: DbSession,
    ) -> Response:  # fmt: skip
        return _act(request, plural, record_id, action, user, form, session)

    def pdf(request: Request, record_id: uuid.UUID, user: User, session: DbSession) -> Response:
        return _pdf(plural, record_id, request, user, session)

    router.add_api_route(f"/{plural}/{{record_id}}", page, methods=["GET"])
    router.add_api_route(f"/{plural}/{{record_id}}/pdf", pdf, methods=["GET"])
    router.add_api_route(f"/{plural}/{{record_id}}/act/{{action}}", act, methods=["POST"])


for _plural in ("quotes", "orders", "invoices"):
    _register(_plural)
