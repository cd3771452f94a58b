"""/api/v1/leads: CRUD, qualify preview, and the lead lifecycle actions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from leadgate.accounts.schemas import AccountRead
from leadgate.api.deps import ActorDep, IfMatch, ListDep, SessionDep
from leadgate.api.duplicates import IgnoreDuplicates, refuse_duplicates
from leadgate.api.responses import PageOut, list_response, record_response
from leadgate.api.routers.record_routes import add_action_route, add_record_routes
from leadgate.contacts.schemas import ContactRead
from leadgate.core.picklists import LeadSource, Rating
from leadgate.leads import queries, service
from leadgate.leads.models import Lead
from leadgate.leads.schemas import DisqualifyRequest, LeadCreate, LeadRead, LeadUpdate
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
    return list_response(LeadRead, session, params, queries.list_leads, actor, filters=filters)


@router.post("", status_code=201, response_model=LeadRead, summary="Create a lead")
def create_lead(
    data: LeadCreate, session: SessionDep, actor: ActorDep, ignore: IgnoreDuplicates
) -> JSONResponse:
    with session.begin():
        lead = service.create_lead(session, actor, data)
        refuse_duplicates(session, actor, lead, ignore)
        return record_response(LeadRead, lead, 201, f"/api/v1/leads/{lead.id}")


add_record_routes(
    router, Lead, LeadRead, LeadUpdate, service.update_lead, service.delete_lead, duplicates=True
)


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


add_action_route(
    router, "disqualify", LeadRead, service.disqualify, DisqualifyRequest, id_name="lead_id"
)
add_action_route(router, "reactivate", LeadRead, service.reactivate, id_name="lead_id")
add_action_route(router, "mark-contacted", LeadRead, service.mark_contacted, id_name="lead_id")
