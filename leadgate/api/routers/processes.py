"""/api/v1/process-flows and /api/v1/process-instances: flow definitions, running
instances (next / previous / finish / abandon / reactivate / switch), stage history
and the stage reports; GET /leads/{id}/process and /opportunities/{id}/process."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from leadgate.api.deps import ActorDep, IfMatch, IfMatchRequired, SessionDep, etag
from leadgate.api.responses import record_response
from leadgate.core.errors import NotFound
from leadgate.leads.schemas import EmptyAction
from leadgate.processes import flows, instances, reports
from leadgate.processes.instances import Run
from leadgate.processes.models import ProcessFlow
from leadgate.processes.records import MODELS
from leadgate.processes.schemas import (
    ConversionRow,
    FlowCreate,
    FlowRead,
    FlowUpdate,
    InstanceRead,
    SwitchFlowRequest,
    TimeInStageRow,
    VisitRead,
)
from leadgate.processes.states import FlowStatus
from leadgate.processes.views import instance_view
from leadgate.security.access import Actor, load

router = APIRouter(tags=["processes"])
RecordType = Literal["lead", "opportunity"]


def _instance_response(session: Session, run: Run, status: int = 200) -> JSONResponse:
    body = instance_view(session, run).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers={"ETag": etag(run.instance.version)})


# --- reports (declared before /{flow_id} so the paths never collide) ---------------


@router.get(
    "/process-flows/reports/time-in-stage",
    response_model=list[TimeInStageRow],
    summary="Median and p90 time in each stage, per flow and stage (and owner)",
)
def time_in_stage(
    session: SessionDep,
    actor: ActorDep,
    flow_family_id: uuid.UUID | None = None,
    by_owner: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[TimeInStageRow]:
    with session.begin():
        return reports.time_in_stage(
            session,
            actor,
            flow_family_id=flow_family_id,
            by_owner=by_owner,
            since=since,
            until=until,
        )


@router.get(
    "/process-flows/reports/conversion",
    response_model=list[ConversionRow],
    summary="How many instances entered each stage, moved on, finished or dropped out",
)
def conversion(
    session: SessionDep,
    actor: ActorDep,
    flow_family_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ConversionRow]:
    with session.begin():
        return reports.conversion(
            session, actor, flow_family_id=flow_family_id, since=since, until=until
        )


# --- definitions ---------------------------------------------------------------------


@router.get("/process-flows", response_model=list[FlowRead], summary="List flows in their order")
def list_flows(
    session: SessionDep,
    actor: ActorDep,
    primary_record_type: Annotated[str | None, Query(max_length=20)] = None,
    status: FlowStatus | None = None,
) -> list[FlowRead]:
    with session.begin():
        return [
            FlowRead.model_validate(flow)
            for flow in flows.list_flows(session, actor, primary_record_type, status)
        ]


@router.post("/process-flows", status_code=201, response_model=FlowRead)
def create_flow(data: FlowCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        flow = flows.create_flow(session, actor, data)
        return record_response(FlowRead, flow, 201, f"/api/v1/process-flows/{flow.id}")


@router.get("/process-flows/{flow_id}", response_model=FlowRead)
def get_flow(flow_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(FlowRead, load(session, actor, ProcessFlow, flow_id))


@router.patch(
    "/process-flows/{flow_id}",
    response_model=FlowRead,
    summary="Edit a draft in place; editing an active flow saves a new active version",
)
def update_flow(
    flow_id: uuid.UUID,
    data: FlowUpdate,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:
    with session.begin():
        flow = flows.update_flow(session, actor, flow_id, data, version)
        return record_response(FlowRead, flow, 200, f"/api/v1/process-flows/{flow.id}")


@router.post("/process-flows/{flow_id}/activate", response_model=FlowRead)
def activate_flow(
    flow_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(FlowRead, flows.activate(session, actor, flow_id, version))


@router.post("/process-flows/{flow_id}/deactivate", response_model=FlowRead)
def deactivate_flow(
    flow_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatch,
    _data: EmptyAction | None = None,
) -> JSONResponse:
    with session.begin():
        return record_response(FlowRead, flows.deactivate(session, actor, flow_id, version))


# --- instances -----------------------------------------------------------------------


def _current_of(
    session: Session, actor: Actor, record_type: RecordType, record_id: uuid.UUID
) -> JSONResponse:
    load(session, actor, MODELS[record_type], record_id)
    instance = instances.current_instance(session, record_type, record_id)
    if instance is None:
        raise NotFound(f"{record_type} {record_id} runs no process")
    return _instance_response(session, instances.load_run(session, actor, instance.id))


@router.get("/leads/{lead_id}/process", response_model=InstanceRead, summary="The lead's process")
def lead_process(lead_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return _current_of(session, actor, "lead", lead_id)


@router.get(
    "/opportunities/{opportunity_id}/process",
    response_model=InstanceRead,
    summary="The opportunity's process",
)
def opportunity_process(
    opportunity_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        return _current_of(session, actor, "opportunity", opportunity_id)


@router.get(
    "/process-instances",
    response_model=list[InstanceRead],
    summary="Every process a record has run (the current one first)",
)
def list_instances(
    session: SessionDep,
    actor: ActorDep,
    record_type: RecordType,
    record_id: uuid.UUID,
) -> list[InstanceRead]:
    with session.begin():
        load(session, actor, MODELS[record_type], record_id)
        return [
            instance_view(session, instances.load_run(session, actor, instance.id))
            for instance in instances.instances_of(session, record_type, record_id)
        ]


@router.post("/process-instances/switch-flow", response_model=InstanceRead)
def switch_flow(data: SwitchFlowRequest, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        run = instances.switch_flow(session, actor, data.record_type, data.record_id, data.flow_id)
        return _instance_response(session, run)


@router.get("/process-instances/{instance_id}", response_model=InstanceRead)
def get_instance(instance_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return _instance_response(session, instances.load_run(session, actor, instance_id))


@router.get("/process-instances/{instance_id}/history", response_model=list[VisitRead])
def instance_history(
    instance_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> list[VisitRead]:
    with session.begin():
        instances.load_run(session, actor, instance_id)
        return [VisitRead.model_validate(v) for v in reports.visits_of(session, instance_id)]


def _action(name: str, summary: str) -> None:
    action = getattr(instances, name)

    def endpoint(
        instance_id: uuid.UUID,
        session: SessionDep,
        actor: ActorDep,
        version: IfMatch,
        _data: EmptyAction | None = None,
    ) -> JSONResponse:
        with session.begin():
            return _instance_response(session, action(session, actor, instance_id, version))

    endpoint.__name__ = f"instance_{name}"
    router.add_api_route(
        f"/process-instances/{{instance_id}}/{name.replace('_', '-')}",
        endpoint,
        methods=["POST"],
        response_model=InstanceRead,
        summary=summary,
    )


_action("next_stage", "Move on (422 listing each empty required step)")
_action("previous_stage", "Go back one stage")
_action("finish", "Finish on the last stage")
_action("abandon", "Abandon the process")
_action("reactivate", "Reactivate a finished or abandoned process")
