"""/api/v1/orders: list, create, read, edit open orders and their lines, lock / unlock
pricing, submit / fulfill / cancel / create-invoice, PDF."""

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
from leadgate.invoices import service as invoices
from leadgate.invoices.schemas import CreateInvoiceRequest, InvoiceRead
from leadgate.leads.schemas import EmptyAction
from leadgate.orders import service
from leadgate.orders.models import Order
from leadgate.orders.schemas import FulfillRequest, OrderCreate, OrderRead, OrderUpdate
from leadgate.orders.states import OrderState
from leadgate.quotes.queries import list_documents
from leadgate.security.access import load

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("", response_model=PageOut[OrderRead], summary="List orders")
def list_orders(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    state: OrderState | None = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None,
    quote_id: uuid.UUID | None = None,
    number: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    filters = {
        "state": state, "status": status, "owner_id": owner_id, "account_id": account_id,
        "opportunity_id": opportunity_id, "quote_id": quote_id, "number": number,
    }  # fmt: skip
    with session.begin():
        return page_response(
            OrderRead,
            list_documents(
                session, actor, Order, filters=filters, q=params.q, sort=params.sort,
                cursor=params.cursor, limit=params.limit,
            ),
        )  # fmt: skip


@router.post("", status_code=201, response_model=OrderRead)
def create_order(data: OrderCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        order = service.create_order(session, actor, data)
        return record_response(OrderRead, order, 201, f"/api/v1/orders/{order.id}")


@router.get("/{order_id}", response_model=OrderRead)
def get_order(order_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(OrderRead, load(session, actor, Order, order_id))


@router.patch("/{order_id}", response_model=OrderRead)
def update_order(
    order_id: uuid.UUID, data: OrderUpdate, session: SessionDep, actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(
            OrderRead, service.update_order(session, actor, order_id, data, version)
        )


add_line_routes(router, service.ORDER_LINES)


@router.post("/{order_id}/lock-pricing", response_model=OrderRead)
def lock_pricing(
    order_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(
            OrderRead, service.set_price_lock(session, actor, order_id, True, version)
        )


@router.post("/{order_id}/unlock-pricing", response_model=OrderRead,
             summary="Unlock prices: catalog lines follow the price list again")  # fmt: skip
def unlock_pricing(
    order_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(
            OrderRead, service.set_price_lock(session, actor, order_id, False, version)
        )


@router.post("/{order_id}/submit", response_model=OrderRead)
def submit(
    order_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(OrderRead, service.submit(session, actor, order_id, version))


@router.post("/{order_id}/fulfill", response_model=OrderRead)
def fulfill(
    order_id: uuid.UUID, data: FulfillRequest, session: SessionDep, actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(OrderRead, service.fulfill(session, actor, order_id, data, version))


@router.post("/{order_id}/cancel", response_model=OrderRead)
def cancel(
    order_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(OrderRead, service.cancel(session, actor, order_id, version))


@router.post("/{order_id}/create-invoice", status_code=201, response_model=InvoiceRead,
             summary="Invoice the order (order → invoiced)")  # fmt: skip
def create_invoice(
    order_id: uuid.UUID, data: CreateInvoiceRequest, session: SessionDep, actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        invoice = invoices.create_invoice_from_order(session, actor, order_id, data, version)
        return record_response(InvoiceRead, invoice, 201, f"/api/v1/invoices/{invoice.id}")


@router.get("/{order_id}/timeline", response_model=list[TimelineEntry])
def order_timeline(
    order_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TimelineEntry]:
    with session.begin():
        return timeline_of(session, actor, Order, order_id, None, limit)


@router.get("/{order_id}/pdf", response_class=Response, summary="The order as PDF")
def order_pdf(
    order_id: uuid.UUID, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    with session.begin():
        return pdf_response(session, actor, Order, order_id, settings.company_name)
