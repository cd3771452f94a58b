"""/api/v1/quotes: list, create (from an opportunity or on its own), read, edit drafts and
their lines, activate / revise / close / win / create-order, PDF."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from leadgate.activities.schemas import TimelineEntry
from leadgate.api.deps import (
    ActorDep,
    IfMatch,
    IfMatchRequired,
    ListDep,
    SessionDep,
    SettingsDep,
)
from leadgate.api.responses import PageOut, page_response, record_response, timeline_of
from leadgate.api.routers.document_lines import add_line_routes
from leadgate.api.routers.pdfs import pdf_response
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
from leadgate.security.access import load

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
    with session.begin():
        return page_response(
            QuoteRead,
            list_documents(
                session, actor, Quote, filters=filters, q=params.q, sort=params.sort,
                cursor=params.cursor, limit=params.limit,
            ),
        )  # fmt: skip


@router.post("", status_code=201, response_model=QuoteRead)
def create_quote(data: QuoteCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        quote = service.create_quote(session, actor, data)
        return record_response(QuoteRead, quote, 201, f"/api/v1/quotes/{quote.id}")


@router.get("/{quote_id}", response_model=QuoteRead)
def get_quote(quote_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(QuoteRead, load(session, actor, Quote, quote_id))


@router.patch("/{quote_id}", response_model=QuoteRead)
def update_quote(
    quote_id: uuid.UUID, data: QuoteUpdate, session: SessionDep, actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(
            QuoteRead, service.update_quote(session, actor, quote_id, data, version)
        )


add_line_routes(router, service.QUOTE_LINES)


@router.post("/{quote_id}/activate", response_model=QuoteRead)
def activate(
    quote_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(QuoteRead, service.activate(session, actor, quote_id, version))


@router.post("/{quote_id}/revise", status_code=201, response_model=QuoteRead,
             summary="Close an active quote as revised; answers its new draft")  # fmt: skip
def revise(
    quote_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        draft = service.revise(session, actor, quote_id, version)
        return record_response(QuoteRead, draft, 201, f"/api/v1/quotes/{draft.id}")


@router.post("/{quote_id}/close", response_model=QuoteRead)
def close(
    quote_id: uuid.UUID, data: CloseQuoteRequest, session: SessionDep, actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(QuoteRead, service.close(session, actor, quote_id, data, version))


@router.post("/{quote_id}/win", response_model=QuoteRead)
def win(
    quote_id: uuid.UUID, data: WinQuoteRequest, session: SessionDep, actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(QuoteRead, service.win(session, actor, quote_id, data, version))


@router.post("/{quote_id}/create-order", status_code=201, response_model=OrderRead,
             summary="Win the quote and create its order")  # fmt: skip
def create_order(
    quote_id: uuid.UUID, data: CreateOrderRequest, session: SessionDep, actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        order = orders.create_order_from_quote(session, actor, quote_id, data, version)
        return record_response(OrderRead, order, 201, f"/api/v1/orders/{order.id}")


@router.get("/{quote_id}/timeline", response_model=list[TimelineEntry])
def quote_timeline(
    quote_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TimelineEntry]:
    with session.begin():
        return timeline_of(session, actor, Quote, quote_id, None, limit)


@router.get("/{quote_id}/pdf", response_class=Response, summary="The quote as PDF")
def quote_pdf(
    quote_id: uuid.UUID, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    with session.begin():
        return pdf_response(session, actor, Quote, quote_id, settings.company_name)
