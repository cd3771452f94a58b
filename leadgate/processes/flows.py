"""Use cases of flow definitions: create, edit (versioned), activate, deactivate.

A flow row that instances run is never changed: editing an active flow (or a
deactivated one that instances still run) saves the edit as the next version,
in the same status, and retires the old row, which stays for those instances.
A draft no instance has run is edited in place.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.audit.recording import add_record, change_record, check_version, record_transition
from leadgate.core.errors import Conflict, FieldProblem, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.processes.cache import forget_active
from leadgate.processes.definition import MAX_ACTIVE_FLOWS_PER_TYPE, Stage, parse_stages
from leadgate.processes.models import ProcessFlow, ProcessInstance
from leadgate.processes.records import catalogue
from leadgate.processes.schemas import FlowCreate, FlowUpdate
from leadgate.processes.states import FlowStatus, check_flow
from leadgate.processes.validation import validate
from leadgate.security.access import Actor, can, ensure, load, scoped
from leadgate.security.roles import Op


def may_define(actor: Actor) -> bool:
    """Whether the actor's role may create and edit flow definitions (admin pages)."""
    return can(actor, ProcessFlow.RECORD_TYPE, Op.CREATE)


def _refuse_problems(problems: list[FieldProblem]) -> None:
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ValidationFailed(
            f"the flow definition has {len(problems)} {noun}: "
            + "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
            + ("; …" if len(problems) > 5 else ""),
            errors=problems,
        )


def check_definition(primary_record_type: str, stages: list[Stage]) -> None:
    _refuse_problems(validate(primary_record_type, stages, catalogue()))


def _dump(stages: list[Stage]) -> list[dict[str, Any]]:
    return [stage.model_dump(mode="json", exclude_defaults=True) for stage in stages]


def create_flow(session: Session, actor: Actor, data: FlowCreate) -> ProcessFlow:
    ensure(actor, ProcessFlow.RECORD_TYPE, Op.CREATE)
    check_definition(data.primary_record_type, data.stages)
    flow = ProcessFlow(
        id=new_id(),
        family_id=new_id(),
        flow_version=1,
        name=data.name,
        description=data.description,
        primary_record_type=data.primary_record_type,
        sort_order=data.sort_order,
        roles=[role.value for role in data.roles] if data.roles else None,
        status=FlowStatus.DRAFT.value,
        stages=_dump(data.stages),
    )
    add_record(session, actor, flow)
    forget_active(session)
    return flow


def _has_instances(session: Session, flow: ProcessFlow) -> bool:
    return (
        session.scalar(
            select(ProcessInstance.id).where(ProcessInstance.flow_id == flow.id).limit(1)
        )
        is not None
    )


def update_flow(
    session: Session,
    actor: Actor,
    flow_id: uuid.UUID,
    data: FlowUpdate,
    expected_version: int | None,
) -> ProcessFlow:
    flow = load(session, actor, ProcessFlow, flow_id, Op.WRITE)
    if flow.status == FlowStatus.RETIRED:
        raise Conflict(
            f"version {flow.flow_version} of this flow is retired; edit the newest version"
        )
    check_version(flow, expected_version)
    values: dict[str, Any] = data.changes()
    if "name" in values and values["name"] is None:
        raise ValidationFailed.on("name", "may not be null")
    if "stages" in values:
        if data.stages is None:
            raise ValidationFailed.on("stages", "may not be null")
        check_definition(flow.primary_record_type, data.stages)
        values["stages"] = _dump(data.stages)
    if "roles" in values:
        values["roles"] = [role.value for role in data.roles] if data.roles else None
    if "sort_order" in values and values["sort_order"] is None:
        raise ValidationFailed.on("sort_order", "may not be null")
    if flow.status == FlowStatus.DRAFT and not _has_instances(session, flow):
        change_record(session, actor, flow, values)
        forget_active(session)
        return flow
    successor = ProcessFlow(
        id=new_id(),
        family_id=flow.family_id,
        flow_version=flow.flow_version + 1,
        name=values.get("name", flow.name),
        description=values.get("description", flow.description),
        primary_record_type=flow.primary_record_type,
        sort_order=values.get("sort_order", flow.sort_order),
        roles=values.get("roles", flow.roles),
        status=flow.status,
        stages=values.get("stages", flow.stages),
    )
    before = {"status": flow.status}
    flow.status = FlowStatus.RETIRED.value
    record_transition(
        session,
        actor,
        flow,
        "retire",
        before,
        summary=f"replaced by version {successor.flow_version}",
    )
    add_record(session, actor, successor)
    forget_active(session)
    return successor


def _active_count(session: Session, record_type: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ProcessFlow)
            .where(
                ProcessFlow.primary_record_type == record_type,
                ProcessFlow.status == FlowStatus.ACTIVE.value,
            )
        )
        or 0
    )


def activate(
    session: Session, actor: Actor, flow_id: uuid.UUID, expected_version: int | None = None
) -> ProcessFlow:
    flow = load(session, actor, ProcessFlow, flow_id, Op.WRITE)
    target = check_flow("activate", FlowStatus(flow.status))
    check_version(flow, expected_version)
    # Fields may have disappeared since the draft was saved.
    check_definition(flow.primary_record_type, parse_stages(flow.stages))
    if _active_count(session, flow.primary_record_type) >= MAX_ACTIVE_FLOWS_PER_TYPE:
        raise ValidationFailed.on(
            "status",
            f"at most {MAX_ACTIVE_FLOWS_PER_TYPE} active flows per record type "
            f"({flow.primary_record_type}); deactivate one first",
        )
    before = {"status": flow.status}
    flow.status = target.value
    record_transition(session, actor, flow, "activate", before)
    forget_active(session)
    return flow


def deactivate(
    session: Session, actor: Actor, flow_id: uuid.UUID, expected_version: int | None = None
) -> ProcessFlow:
    flow = load(session, actor, ProcessFlow, flow_id, Op.WRITE)
    target = check_flow("deactivate", FlowStatus(flow.status))
    check_version(flow, expected_version)
    before = {"status": flow.status}
    flow.status = target.value
    record_transition(session, actor, flow, "deactivate", before)
    forget_active(session)
    return flow


def list_flows(
    session: Session,
    actor: Actor,
    primary_record_type: str | None = None,
    status: FlowStatus | None = None,
) -> list[ProcessFlow]:
    """Flows in their order; retired versions only when asked for by status."""
    stmt = scoped(actor, ProcessFlow)
    if primary_record_type:
        stmt = stmt.where(ProcessFlow.primary_record_type == primary_record_type)
    if status is not None:
        stmt = stmt.where(ProcessFlow.status == status.value)
    else:
        stmt = stmt.where(ProcessFlow.status != FlowStatus.RETIRED.value)
    stmt = stmt.order_by(
        ProcessFlow.primary_record_type, ProcessFlow.sort_order, ProcessFlow.name
    ).limit(500)
    return list(session.scalars(stmt))
