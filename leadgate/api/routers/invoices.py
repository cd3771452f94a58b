"""/api/v1/invoices: list, read, edit active invoices and their lines, mark-paid /
cancel, PDF. Invoices are created from orders (POST /orders/{id}/create-invoice)."""

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
from leadgate.invoices import service
from leadgate.invoices.models import Invoice
from leadgate.invoices.schemas import InvoiceRead, InvoiceUpdate, MarkPaidRequest
from leadgate.invoices.states import InvoiceState
from leadgate.leads.schemas import EmptyAction
from leadgate.quotes.queries import list_documents
from leadgate.security.access import load

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
    with session.begin():
        return page_response(
            InvoiceRead,
            list_documents(
                session, actor, Invoice, filters=filters, q=params.q, sort=params.sort,
                cursor=params.cursor, limit=params.limit,
            ),
        )  # fmt: skip


@router.get("/{invoice_id}", response_model=InvoiceRead)
def get_invoice(invoice_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(InvoiceRead, load(session, actor, Invoice, invoice_id))


@router.patch("/{invoice_id}", response_model=InvoiceRead)
def update_invoice(
    invoice_id: uuid.UUID, data: InvoiceUpdate, session: SessionDep, actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(
            InvoiceRead, service.update_invoice(session, actor, invoice_id, data, version)
        )


add_line_routes(router, service.INVOICE_LINES)


@router.post("/{invoice_id}/mark-paid", response_model=InvoiceRead)
def mark_paid(
    invoice_id: uuid.UUID, data: MarkPaidRequest, session: SessionDep, actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(
            InvoiceRead, service.mark_paid(session, actor, invoice_id, data, version)
        )


@router.post("/{invoice_id}/cancel", response_model=InvoiceRead)
def cancel(
    invoice_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        return record_response(InvoiceRead, service.cancel(session, actor, invoice_id, version))


@router.get("/{invoice_id}/timeline", response_model=list[TimelineEntry])
def invoice_timeline(
    invoice_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TimelineEntry]:
    with session.begin():
        return timeline_of(session, actor, Invoice, invoice_id, None, limit)


@router.get("/{invoice_id}/pdf", response_class=Response, summary="The invoice as PDF")
def invoice_pdf(
    invoice_id: uuid.UUID, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    with session.begin():
        return pdf_response(session, actor, Invoice, invoice_id, settings.company_name)
