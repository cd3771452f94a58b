"""/api/v1/opportunities: CRUD, win / lose / reopen / hold / resume, close records."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from leadgate.activities.queries import Ref
from leadgate.activities.schemas import TimelineEntry
from leadgate.api.deps import ActorDep, IfMatch, IfMatchRequired, ListDep, SessionDep
from leadgate.api.responses import PageOut, page_response, record_response, timeline_of
from leadgate.core.picklists import ForecastCategory
from leadgate.leads.schemas import EmptyAction
from leadgate.opportunities import queries, service
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import (
    LoseRequest,
    OpportunityCloseRead,
    OpportunityCreate,
    OpportunityRead,
    OpportunityUpdate,
    WinRequest,
)
from leadgate.opportunities.states import OpportunityState
from leadgate.security.access import load

router = APIRouter(prefix="/opportunities", tags=["opportunities"])


@router.get("", response_model=PageOut[OpportunityRead], summary="List opportunities")
def list_opportunities(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    state: OpportunityState | None = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    customer_contact_id: uuid.UUID | None = None,
    forecast_category: ForecastCategory | None = None,
    originating_lead_id: uuid.UUID | None = None,
    close_before: date | None = None,
) -> dict[str, Any]:
    filters = {
        "state": state,
        "status": status,
        "owner_id": owner_id,
        "account_id": account_id,
        "customer_contact_id": customer_contact_id,
        "forecast_category": forecast_category,
        "originating_lead_id": originating_lead_id,
        "close_before": close_before,
    }
    with session.begin():
        return page_response(
            OpportunityRead,
            queries.list_opportunities(
                session,
                actor,
                filters=filters,
                q=params.q,
                sort=params.sort,
                cursor=params.cursor,
                limit=params.limit,
            ),
        )


@router.post("", status_code=201, response_model=OpportunityRead)
def create_opportunity(
    data: OpportunityCreate, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        opportunity = service.create_opportunity(session, actor, data)
        return record_response(
            OpportunityRead, opportunity, 201, f"/api/v1/opportunities/{opportunity.id}"
        )


@router.get("/{opportunity_id}", response_model=OpportunityRead)
def get_opportunity(
    opportunity_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        return record_response(OpportunityRead, load(session, actor, Opportunity, opportunity_id))


@router.patch("/{opportunity_id}", response_model=OpportunityRead)
def update_opportunity(
    opportunity_id: uuid.UUID,
    data: OpportunityUpdate,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:
    with session.begin():
        return record_response(
            OpportunityRead,
            service.update_opportunity(session, actor, opportunity_id, data, version),
        )


@router.delete("/{opportunity_id}", status_code=204)
def delete_opportunity(
    opportunity_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatchRequired
) -> Response:
    with session.begin():
        service.delete_opportunity(session, actor, opportunity_id, version)
    return Response(status_code=204)


def _with_origin(opportunity: Opportunity) -> list[Ref]:
    # A qualified lead's notes and activities belong on its opportunity's timeline.
    return [("lead", opportunity.originating_lead_id)] if opportunity.originating_lead_id else []


@router.get("/{opportunity_id}/timeline", response_model=list[TimelineEntry])
def opportunity_timeline(
    opportunity_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TimelineEntry]:
    with session.begin():
        return timeline_of(session, actor, Opportunity, opportunity_id, _with_origin, limit)


@router.get("/{opportunity_id}/closes", response_model=list[OpportunityCloseRead])
def opportunity_closes(
    opportunity_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> list[OpportunityCloseRead]:
    with session.begin():
        load(session, actor, Opportunity, opportunity_id)
        return [
            OpportunityCloseRead.model_validate(c)
            for c in queries.closes_of(session, actor, opportunity_id)
        ]


@router.post("/{opportunity_id}/win", response_model=OpportunityRead)
def win(
    opportunity_id: uuid.UUID,
    data: WinRequest,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:
    with session.begin():
        return record_response(
            OpportunityRead, service.win(session, actor, opportunity_id, data, version)
        )


@router.post("/{opportunity_id}/lose", response_model=OpportunityRead)
def lose(
    opportunity_id: uuid.UUID,
    data: LoseRequest,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
) -> JSONResponse:
    with session.begin():
        return record_response(
            OpportunityRead, service.lose(session, actor, opportunity_id, data, version)
        )


@router.post("/{opportunity_id}/reopen", response_model=OpportunityRead)
def reopen(
    opportunity_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(
            OpportunityRead, service.reopen(session, actor, opportunity_id, version)
        )


@router.post("/{opportunity_id}/hold", response_model=OpportunityRead)
def hold(
    opportunity_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(
            OpportunityRead, service.hold(session, actor, opportunity_id, version)
        )


@router.post("/{opportunity_id}/resume", response_model=OpportunityRead)
def resume(
    opportunity_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(
            OpportunityRead, service.resume(session, actor, opportunity_id, version)
        )
