"""/api/v1/contacts."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from leadgate.api.deps import ActorDep, ListDep, SessionDep
from leadgate.api.duplicates import IgnoreDuplicates, refuse_duplicates
from leadgate.api.responses import PageOut, list_response, record_response
from leadgate.api.routers.record_routes import add_record_routes
from leadgate.contacts import queries, service
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate, ContactRead, ContactUpdate

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get("", response_model=PageOut[ContactRead], summary="List contacts")
def list_contacts(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    filters = {"owner_id": owner_id, "account_id": account_id}
    return list_response(
        ContactRead, session, params, queries.list_contacts, actor, filters=filters
    )


@router.post("", status_code=201, response_model=ContactRead)
def create_contact(
    data: ContactCreate, session: SessionDep, actor: ActorDep, ignore: IgnoreDuplicates
) -> JSONResponse:
    with session.begin():
        contact = service.create_contact(session, actor, data)
        refuse_duplicates(session, actor, contact, ignore)
        return record_response(ContactRead, contact, 201, f"/api/v1/contacts/{contact.id}")


add_record_routes(
    router,
    Contact,
    ContactRead,
    ContactUpdate,
    service.update_contact,
    service.delete_contact,
    duplicates=True,
)
