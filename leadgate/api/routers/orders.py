"""/api/v1/orders: list, create, read, edit open orders and their lines, lock / unlock
pricing, submit / fulfill / cancel / create-invoice, PDF."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from leadgate.api.deps import (
    ActorDep,
    IfMatch,
    ListDep,
    SessionDep,
)
from leadgate.api.responses import PageOut, list_response, record_response
from leadgate.api.routers.document_routes import add_action_route, add_document_routes
from leadgate.invoices import service as invoices
from leadgate.invoices.schemas import CreateInvoiceRequest, InvoiceRead
from leadgate.orders import service
from leadgate.orders.models import Order
from leadgate.orders.schemas import FulfillRequest, OrderCreate, OrderRead, OrderUpdate
from leadgate.orders.states import OrderState
from leadgate.quotes.queries import list_documents
from leadgate.security.access import Actor

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
    return list_response(OrderRead, session, params, list_documents, actor, Order, filters=filters)


@router.post("", status_code=201, response_model=OrderRead)
def create_order(data: OrderCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        order = service.create_order(session, actor, data)
        return record_response(OrderRead, order, 201, f"/api/v1/orders/{order.id}")


def _lock_pricing(
    session: Session, actor: Actor, order_id: uuid.UUID, version: int | None
) -> Order:
    return service.set_price_lock(session, actor, order_id, True, version)


def _unlock_pricing(
    session: Session, actor: Actor, order_id: uuid.UUID, version: int | None
) -> Order:
    return service.set_price_lock(session, actor, order_id, False, version)


add_document_routes(router, service.ORDER_LINES, OrderRead, OrderUpdate, service.update_order)
add_action_route(
    router,
    "lock-pricing",
    OrderRead,
    _lock_pricing,
    summary="Lock prices: later price list changes leave the order alone",
)
add_action_route(
    router,
    "unlock-pricing",
    OrderRead,
    _unlock_pricing,
    summary="Unlock prices: catalog lines follow the price list again",
)
add_action_route(router, "submit", OrderRead, service.submit)
add_action_route(router, "fulfill", OrderRead, service.fulfill, FulfillRequest)
add_action_route(router, "cancel", OrderRead, service.cancel)  # fmt: skip


@router.post("/{order_id}/create-invoice", status_code=201, response_model=InvoiceRead,
             summary="Invoice the order (order → invoiced)")  # fmt: skip
def create_invoice(
    order_id: uuid.UUID, data: CreateInvoiceRequest, session: SessionDep, actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        invoice = invoices.create_invoice_from_order(session, actor, order_id, data, version)
        return record_response(InvoiceRead, invoice, 201, f"/api/v1/invoices/{invoice.id}")
