"""/api/v1/contacts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from leadgate.activities.schemas import TimelineEntry
from leadgate.api.deps import ActorDep, IfMatchRequired, ListDep, SessionDep
from leadgate.api.duplicates import IgnoreDuplicates, refuse_duplicates
from leadgate.api.responses import PageOut, page_response, record_response, timeline_of
from leadgate.contacts import queries, service
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate, ContactRead, ContactUpdate
from leadgate.security.access import load

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
    with session.begin():
        return page_response(
            ContactRead,
            queries.list_contacts(
                session,
                actor,
                filters=filters,
                q=params.q,
                sort=params.sort,
                cursor=params.cursor,
                limit=params.limit,
            ),
        )


@router.post("", status_code=201, response_model=ContactRead)
def create_contact(
    data: ContactCreate, session: SessionDep, actor: ActorDep, ignore: IgnoreDuplicates
) -> JSONResponse:
    with session.begin():
        contact = service.create_contact(session, actor, data)
        refuse_duplicates(session, actor, contact, ignore)
        return record_response(ContactRead, contact, 201, f"/api/v1/contacts/{contact.id}")


@router.get("/{contact_id}", response_model=ContactRead)
def get_contact(contact_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(ContactRead, load(session, actor, Contact, contact_id))


@router.patch("/{contact_id}", response_model=ContactRead)
def update_contact(
    contact_id: uuid.UUID,
    data: ContactUpdate,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatchRequired,
    ignore: IgnoreDuplicates,
) -> JSONResponse:
    with session.begin():
        contact = service.update_contact(session, actor, contact_id, data, version)
        refuse_duplicates(session, actor, contact, ignore, changed=data.changes())
        return record_response(ContactRead, contact)


@router.delete("/{contact_id}", status_code=204)
def delete_contact(
    contact_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatchRequired
) -> Response:
    with session.begin():
        service.delete_contact(session, actor, contact_id, version)
    return Response(status_code=204)


@router.get("/{contact_id}/timeline", response_model=list[TimelineEntry])
def contact_timeline(
    contact_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TimelineEntry]:
    with session.begin():
        return timeline_of(session, actor, Contact, contact_id, limit=limit)
