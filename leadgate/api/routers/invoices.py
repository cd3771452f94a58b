"""/api/v1/invoices: list, read, edit active invoices and their lines, mark-paid /
cancel, PDF. Invoices are created from orders (POST /orders/{id}/create-invoice)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from leadgate.api.deps import (
    ActorDep,
    ListDep,
    SessionDep,
)
from leadgate.api.responses import PageOut, list_response
from leadgate.api.routers.document_routes import add_action_route, add_document_routes
from leadgate.invoices import service
from leadgate.invoices.models import Invoice
from leadgate.invoices.schemas import InvoiceRead, InvoiceUpdate, MarkPaidRequest
from leadgate.invoices.states import InvoiceState
from leadgate.quotes.queries import list_documents

router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get("", response_model=PageOut[InvoiceRead], summary="List invoices")
def list_invoices(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    state: InvoiceState | None = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    number: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    filters = {
        "state": state, "status": status, "owner_id": owner_id, "account_id": account_id,
        "opportunity_id": opportunity_id, "order_id": order_id, "number": number,
    }  # fmt: skip
    return list_response(
        InvoiceRead, session, params, list_documents, actor, Invoice, filters=filters
    )


add_document_routes(
    router, service.INVOICE_LINES, InvoiceRead, InvoiceUpdate, service.update_invoice
)
add_action_route(router, "mark-paid", InvoiceRead, service.mark_paid, MarkPaidRequest)
add_action_route(router, "cancel", InvoiceRead, service.cancel)
