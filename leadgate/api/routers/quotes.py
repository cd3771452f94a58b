"""/api/v1/quotes: list, create (from an opportunity or on its own), read, edit drafts and
their lines, activate / revise / close / win / create-order, PDF."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from leadgate.api.deps import (
    ActorDep,
    IfMatch,
    ListDep,
    SessionDep,
)
from leadgate.api.responses import PageOut, list_response, record_response
from leadgate.api.routers.document_routes import add_action_route, add_document_routes
from leadgate.leads.schemas import EmptyAction
from leadgate.orders import service as orders
from leadgate.orders.schemas import CreateOrderRequest, OrderRead
from leadgate.quotes import service
from leadgate.quotes.models import Quote
from leadgate.quotes.queries import list_documents
from leadgate.quotes.schemas import (
    CloseQuoteRequest,
    QuoteCreate,
    QuoteRead,
    QuoteUpdate,
    WinQuoteRequest,
)
from leadgate.quotes.states import QuoteState

router = APIRouter(prefix="/quotes", tags=["quotes"])


@router.get("", response_model=PageOut[QuoteRead], summary="List quotes")
def list_quotes(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    state: QuoteState | None = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    customer_contact_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None,
    number: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    filters = {
        "state": state, "status": status, "owner_id": owner_id, "account_id": account_id,
        "customer_contact_id": customer_contact_id, "opportunity_id": opportunity_id,
        "number": number,
    }  # fmt: skip
    return list_response(QuoteRead, session, params, list_documents, actor, Quote, filters=filters)


@router.post("", status_code=201, response_model=QuoteRead)
def create_quote(data: QuoteCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        quote = service.create_quote(session, actor, data)
        return record_response(QuoteRead, quote, 201, f"/api/v1/quotes/{quote.id}")


add_document_routes(router, service.QUOTE_LINES, QuoteRead, QuoteUpdate, service.update_quote)
add_action_route(router, "activate", QuoteRead, service.activate)
add_action_route(router, "close", QuoteRead, service.close, CloseQuoteRequest)
add_action_route(router, "win", QuoteRead, service.win, WinQuoteRequest)


@router.post("/{quote_id}/revise", status_code=201, response_model=QuoteRead,
             summary="Close an active quote as revised; answers its new draft")  # fmt: skip
def revise(
    quote_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        draft = service.revise(session, actor, quote_id, version)
        return record_response(QuoteRead, draft, 201, f"/api/v1/quotes/{draft.id}")


@router.post("/{quote_id}/create-order", status_code=201, response_model=OrderRead,
             summary="Win the quote and create its order")  # fmt: skip
def create_order(
    quote_id: uuid.UUID, data: CreateOrderRequest, session: SessionDep, actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        order = orders.create_order_from_quote(session, actor, quote_id, data, version)
        return record_response(OrderRead, order, 201, f"/api/v1/orders/{order.id}")
