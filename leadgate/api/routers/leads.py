"""/api/v1/leads: CRUD, qualify preview, and the lead lifecycle actions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from leadgate.accounts.schemas import AccountRead
from leadgate.activities.schemas import TimelineEntry
from leadgate.api.deps import ActorDep, IfMatch, IfMatchRequired, ListDep, SessionDep
from leadgate.api.duplicates import IgnoreDuplicates, refuse_duplicates
from leadgate.api.responses import PageOut, page_response, record_response, timeline_of
from leadgate.contacts.schemas import ContactRead
from leadgate.core.picklists import LeadSource, Rating
from leadgate.leads import queries, service
from leadgate.leads.models import Lead
from leadgate.leads.schemas import DisqualifyRequest, EmptyAction, LeadCreate, LeadRead, LeadUpdate
from leadgate.leads.states import LeadState
from leadgate.opportunities import qualification
from leadgate.opportunities.schemas import (
    MatchRead,
    OpportunityRead,
    PlannedRecord,
    QualifyPreview,
    QualifyRequest,
    QualifyResult,
)
from leadgate.security.access import load

router = APIRouter(prefix="/leads", tags=["leads"])


@router.get("", response_model=PageOut[LeadRead], summary="List leads")
def list_leads(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    state: LeadState | None = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    owner_id: uuid.UUID | None = None,
    lead_source: LeadSource | None = None,
    rating: Rating | None = None,
    list_vendor: Annotated[str | None, Query(max_length=100)] = None,
    external_key: Annotated[str | None, Query(max_length=100)] = None,
    campaign_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    filters = {
        "state": state,
        "status": status,
        "owner_id": owner_id,
        "lead_source": lead_source,
        "rating": rating,
        "list_vendor": list_vendor,
        "external_key": external_key,
        "campaign_id": campaign_id,
    }
    with session.begin():
        page = queries.list_leads(
            session,
            actor,
            filters=filters,
            q=params.q,
            sort=params.sort,
            cursor=params.cursor,
            limit=params.limit,
        )
        return page_response(LeadRead, page)


@router.post("", status_code=201, response_model=LeadRead, summary="Create a lead")
def create_lead(
    data: LeadCreate, session: SessionDep, actor: ActorDep, ignore: IgnoreDuplicates
) -> JSONResponse:
    with session.begin():
        lead = service.create_lead(session, actor, data)
        refuse_duplicates(session, actor, lead, ignore)
        return record_response(LeadRead, lead, 201, f"/api/v1/leads/{lead.id}")


@router.get("/{lead_id}", response_model=LeadRead)
def get_lead(lead_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(LeadRead, load(session, actor, Lead, lead_id))


@router.patch("/{lead_id}", response_model=LeadRead)
def update_lead(
    lead_id: uuid.UUID,
    data: LeadUpdate,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatchRequired,
    ignore: IgnoreDuplicates,
) -> JSONResponse:
    with session.begin():
        lead = service.update_lead(session, actor, lead_id, data, version)
        refuse_duplicates(session, actor, lead, ignore, changed=data.changes())
        return record_response(LeadRead, lead)


@router.delete("/{lead_id}", status_code=204)
def delete_lead(
    lead_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatchRequired
) -> Response:
    with session.begin():
        service.delete_lead(session, actor, lead_id, version)
    return Response(status_code=204)


@router.get("/{lead_id}/timeline", response_model=list[TimelineEntry])
def lead_timeline(
    lead_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TimelineEntry]:
    with session.begin():
        return timeline_of(session, actor, Lead, lead_id, limit=limit)


@router.get(
    "/{lead_id}/qualify-preview",
    response_model=QualifyPreview,
    summary="What qualify would create, and existing records that look like the same party",
)
def qualify_preview(
    lead_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    create_account: bool | None = None,
    create_contact: bool | None = None,
    create_opportunity: bool | None = None,
) -> QualifyPreview:
    # Only what the caller chose counts as explicit (a lead's own links apply otherwise).
    chosen = {
        "create_account": create_account,
        "create_contact": create_contact,
        "create_opportunity": create_opportunity,
    }
    request = QualifyRequest(**{k: v for k, v in chosen.items() if v is not None})
    with session.begin():
        lead, planned, matches = qualification.preview(session, actor, lead_id, request)
        return QualifyPreview(
            lead=LeadRead.model_validate(lead),
            will_create=[PlannedRecord(record_type=t, fields=f) for t, f in planned.records],
            matching_accounts=[MatchRead.model_validate(m) for m in matches.accounts],
            matching_contacts=[MatchRead.model_validate(m) for m in matches.contacts],
            matching_leads=[MatchRead.model_validate(m) for m in matches.leads],
            problems=[f"{p.field}: {p.message}" for p in planned.problems],
        )


@router.post(
    "/{lead_id}/qualify",
    response_model=QualifyResult,
    summary="Qualify: create account / contact / opportunity in one transaction",
)
def qualify(
    lead_id: uuid.UUID, data: QualifyRequest, session: SessionDep, actor: ActorDep, version: IfMatch
) -> JSONResponse:
    with session.begin():
        done = qualification.qualify(session, actor, lead_id, data, version)
        result = QualifyResult(
            lead=LeadRead.model_validate(done.lead),
            account=AccountRead.model_validate(done.account) if done.account else None,
            contact=ContactRead.model_validate(done.contact) if done.contact else None,
            opportunity=OpportunityRead.model_validate(done.opportunity)
            if done.opportunity
            else None,
        )
        return JSONResponse(
            result.model_dump(mode="json"), headers={"ETag": f'"{done.lead.version}"'}
        )


@router.post("/{lead_id}/disqualify", response_model=LeadRead)
def disqualify(
    lead_id: uuid.UUID,
    data: DisqualifyRequest,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:
    with session.begin():
        return record_response(LeadRead, service.disqualify(session, actor, lead_id, data, version))


@router.post("/{lead_id}/reactivate", response_model=LeadRead)
def reactivate(
    lead_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(LeadRead, service.reactivate(session, actor, lead_id, version))


@router.post("/{lead_id}/mark-contacted", response_model=LeadRead)
def mark_contacted(
    lead_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(LeadRead, service.mark_contacted(session, actor, lead_id, version))
