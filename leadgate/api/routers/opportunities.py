"""/api/v1/opportunities: CRUD, win / lose / reopen / hold / resume, close records."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from leadgate.activities.queries import Ref
from leadgate.api.deps import ActorDep, ListDep, SessionDep
from leadgate.api.responses import PageOut, list_response, record_response
from leadgate.api.routers.record_routes import add_action_route, add_record_routes
from leadgate.core.picklists import ForecastCategory
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
    return list_response(
        OpportunityRead, session, params, queries.list_opportunities, actor, filters=filters
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


def _with_origin(opportunity: Opportunity) -> list[Ref]:
    # A qualified lead's notes and activities belong on its opportunity's timeline.
    return [("lead", opportunity.originating_lead_id)] if opportunity.originating_lead_id else []


add_record_routes(
    router,
    Opportunity,
    OpportunityRead,
    OpportunityUpdate,
    service.update_opportunity,
    service.delete_opportunity,
    related=_with_origin,
)


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


ID = "opportunity_id"
add_action_route(router, "win", OpportunityRead, service.win, WinRequest, id_name=ID)
add_action_route(router, "lose", OpportunityRead, service.lose, LoseRequest, id_name=ID)
add_action_route(router, "reopen", OpportunityRead, service.reopen, id_name=ID)
add_action_route(router, "hold", OpportunityRead, service.hold, id_name=ID)
add_action_route(router, "resume", OpportunityRead, service.resume, id_name=ID)
