"""Running flows: start, next / previous stage with gating, cross from the lead to its
opportunity, switch flows, finish, abandon, reactivate.

Every stage change closes the open stage visit and opens the next one (time
and user), logs a transition on the instance and an event on the business
record (so it shows on the record's timeline), and, on an opportunity stage
that says so, sets the opportunity's sales_stage and probability.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from leadgate.audit.recording import check_version, write_event
from leadgate.core import clock
from leadgate.core.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from leadgate.leads.models import Lead
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.states import OpportunityState
from leadgate.processes import cache
from leadgate.processes.definition import END, Stage
from leadgate.processes.gating import choose_next, index_of, missing_steps
from leadgate.processes.models import ProcessFlow, ProcessInstance, StageVisit
from leadgate.processes.records import MODELS
from leadgate.processes.starting import Run, new_visit, start
from leadgate.processes.states import FlowStatus, InstanceState, check_instance
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op

__all__ = ["Run", "start"]


def _record_id(instance: ProcessInstance, record_type: str) -> uuid.UUID | None:
    return instance.lead_id if record_type == "lead" else instance.opportunity_id


def _column(record_type: str) -> Any:
    return ProcessInstance.lead_id if record_type == "lead" else ProcessInstance.opportunity_id


# Built once: a move is frequent and building the statement costs more than running it.
# The record of the active stage comes in the same row, so the access check that follows
# (`security.access.load`, a `session.get`) finds it in the identity map.
_RUN = (
    select(
        ProcessInstance, ProcessFlow.version, ProcessFlow.updated_at, StageVisit, Lead, Opportunity
    )
    .join(ProcessFlow, ProcessFlow.id == ProcessInstance.flow_id)
    .outerjoin(
        StageVisit,
        and_(StageVisit.instance_id == ProcessInstance.id, StageVisit.exited_at.is_(None)),
    )
    .outerjoin(
        Lead, and_(ProcessInstance.record_type == "lead", Lead.id == ProcessInstance.lead_id)
    )
    .outerjoin(
        Opportunity,
        and_(
            ProcessInstance.record_type == "opportunity",
            Opportunity.id == ProcessInstance.opportunity_id,
        ),
    )
    .where(ProcessInstance.id == bindparam("instance_id"))
    .order_by(StageVisit.entered_at.desc())
    .limit(1)
)


def load_run(session: Session, actor: Actor, instance_id: uuid.UUID, op: Op = Op.READ) -> Run:
    """The instance if the actor may `op` its record (404 if they may not see it, else 403).

    One query reads the instance, its flow row's version key and its open stage visit;
    the flow's definition comes from the cache of immutable flow versions."""
    row = session.execute(_RUN, {"instance_id": instance_id}).first()
    instance = row[0] if row is not None else None
    record_id = _record_id(instance, instance.record_type) if instance else None
    if row is None or instance is None or record_id is None:
        raise NotFound(f"process instance {instance_id} not found")
    try:
        record = load(session, actor, MODELS[instance.record_type], record_id, op)
    except NotFound as exc:
        raise NotFound(f"process instance {instance_id} not found") from exc
    flow = cache.by_key(session, cache.key_of(instance.flow_id, row[1], row[2]))
    return Run(instance, flow, record, row[3])


def current_instance(
    session: Session, record_type: str, record_id: uuid.UUID
) -> ProcessInstance | None:
    return session.scalar(
        select(ProcessInstance)
        .where(_column(record_type) == record_id, ProcessInstance.is_current.is_(True))
        .order_by(ProcessInstance.created_at.desc())
        .limit(1)
    )


def _open_visit(
    session: Session, actor: Actor, run: Run, stage: Stage, record: Any, now: datetime
) -> None:
    run.visit = new_visit(actor, run.instance, run.flow, stage, record, now)
    session.add(run.visit)


def _find_open_visit(session: Session, instance: ProcessInstance) -> StageVisit | None:
    return session.scalar(
        select(StageVisit)
        .where(StageVisit.instance_id == instance.id, StageVisit.exited_at.is_(None))
        .order_by(StageVisit.entered_at.desc())
        .limit(1)
    )


def _close_visit(actor: Actor, visit: StageVisit | None, kind: str, now: datetime) -> None:
    if visit is not None:
        visit.exited_at = now
        visit.exited_by_id = actor.user_id
        visit.exit_kind = kind
        visit.duration_seconds = (now - clock.as_utc(visit.entered_at)).total_seconds()


def _log_transition(
    session: Session,
    actor: Actor,
    instance: ProcessInstance,
    name: str,
    before: Mapping[str, Any],
    summary: str = "",
) -> None:
    """`record_transition` without its flush: a move writes everything in one flush."""
    changes = {k: [v, getattr(instance, k)] for k, v in before.items() if getattr(instance, k) != v}
    instance.updated_by_id = actor.user_id
    write_event(
        session,
        actor,
        f"transition:{name}",
        ProcessInstance.RECORD_TYPE,
        instance.id,
        changes,
        summary,
    )


def _sync_opportunity(session: Session, actor: Actor, stage: Stage, record: Any) -> None:
    if stage.record_type != "opportunity" or record.state != OpportunityState.OPEN.value:
        return
    values: dict[str, Any] = {}
    if stage.sales_stage is not None:
        values["sales_stage"] = stage.sales_stage
    if stage.probability is not None:
        values["probability"] = stage.probability
    # `change_record` without its flush (the move flushes once).
    changes = {name: [getattr(record, name), new] for name, new in values.items()}
    changes = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
    if changes:
        for name, (_, new) in changes.items():
            setattr(record, name, new)
        record.updated_by_id = actor.user_id
        write_event(
            session,
            actor,
            "update",
            record.RECORD_TYPE,
            record.id,
            changes,
            f"process stage {stage.name}",
        )


def move(
    session: Session, actor: Actor, run: Run, target: Stage, target_record: Any, kind: str
) -> None:
    """Leave the active stage for `target` ("next", "crossed" or "previous"). Every row
    it writes goes out in one flush (one statement per table)."""
    instance, old = run.instance, run.stage
    now = clock.utcnow()
    _close_visit(actor, run.visit, kind, now)
    before = {
        "active_stage": instance.active_stage,
        "record_type": instance.record_type,
        "path": list(instance.path),
    }
    instance.active_stage = target.key
    instance.record_type = target.record_type
    path = list(instance.path)
    instance.path = path[:-1] if kind == "previous" else [*path, target.key]
    name = "previous_stage" if kind == "previous" else "next_stage"
    _log_transition(session, actor, instance, name, before)
    _open_visit(session, actor, run, target, target_record, now)
    summary = f"{run.flow.name}: {old.name} → {target.name}"
    # Once, on the record the instance now sits on (an opportunity's timeline shows
    # its originating lead's events too).
    write_event(
        session,
        actor,
        "process_stage",
        target_record.RECORD_TYPE,
        target_record.id,
        {"process_stage": [old.key, target.key], "process_flow": [None, run.flow.name]},
        summary,
    )
    _sync_opportunity(session, actor, target, target_record)
    run.record = target_record
    run.forget_values()
    session.flush()


def _gate(session: Session, run: Run, verb: str) -> dict[str, Any]:
    values = run.values(session)
    missing = missing_steps(run.stage, values)
    if missing:
        labels = ", ".join(step.label for step in missing)
        raise ValidationFailed(
            f"cannot {verb} stage {run.stage.name}: required steps are empty ({labels})",
            errors=[FieldProblem(step.field, f"{step.label} is required") for step in missing],
        )
    return values


def _allowed_now(run: Run, next_key: str | None) -> list[str]:
    state = InstanceState(run.instance.state)
    if state is not InstanceState.ACTIVE:
        return ["reactivate"]
    moves = ["abandon", "finish" if next_key is None else "next_stage"]
    if len(run.instance.path) > 1:
        moves.append("previous_stage")
    return sorted(moves)


def next_stage(
    session: Session, actor: Actor, instance_id: uuid.UUID, expected_version: int | None = None
) -> Run:
    run = load_run(session, actor, instance_id, Op.WRITE)
    check_instance("next_stage", InstanceState(run.instance.state))
    check_version(run.instance, expected_version)
    target_key = choose_next(run.stages, run.index, run.values(session))
    if target_key == END:
        raise InvalidTransition(
            f"{run.stage.name} is the last stage on this path; finish the process",
            state=run.instance.state,
            allowed=_allowed_now(run, None),
        )
    _gate(session, run, "leave")
    target = run.stages[index_of(run.stages, target_key)]
    target_record = run.record
    if target.record_type != run.stage.record_type:
        target_id = _record_id(run.instance, target.record_type)
        if target_id is None:
            raise Conflict(
                f"the next stage ({target.name}) is on the {target.record_type}; "
                f"qualify the {run.stage.record_type} first"
            )
        target_record = load(session, actor, MODELS[target.record_type], target_id, Op.WRITE)
    kind = "next" if target.record_type == run.stage.record_type else "crossed"
    move(session, actor, run, target, target_record, kind)
    return run


def previous_stage(
    session: Session, actor: Actor, instance_id: uuid.UUID, expected_version: int | None = None
) -> Run:
    run = load_run(session, actor, instance_id, Op.WRITE)
    check_instance("previous_stage", InstanceState(run.instance.state))
    check_version(run.instance, expected_version)
    if len(run.instance.path) < 2:
        raise InvalidTransition(
            f"{run.stage.name} is the first stage; there is no previous stage",
            state=run.instance.state,
            allowed=_allowed_now(run, describe_next(session, run)),
        )
    target = run.stages[index_of(run.stages, run.instance.path[-2])]
    target_id = _record_id(run.instance, target.record_type)
    assert target_id is not None  # the instance was there before
    target_record = (
        run.record
        if target.record_type == run.stage.record_type
        else load(session, actor, MODELS[target.record_type], target_id)
    )
    move(session, actor, run, target, target_record, "previous")
    return run


def close_instance(
    session: Session, actor: Actor, run: Run, name: str, kind: str, summary: str
) -> None:
    target = check_instance(name, InstanceState(run.instance.state))
    now = clock.utcnow()
    _close_visit(actor, run.visit, kind, now)
    run.visit = None
    before = {"state": run.instance.state}
    run.instance.state = target.value
    run.instance.completed_at = now
    _log_transition(session, actor, run.instance, name, before, summary=summary)
    write_event(
        session,
        actor,
        f"process_{kind}",
        run.record.RECORD_TYPE,
        run.record.id,
        {"process_state": [before["state"], target.value]},
        f"{run.flow.name}: {summary}",
    )
    session.flush()


def finish(
    session: Session, actor: Actor, instance_id: uuid.UUID, expected_version: int | None = None
) -> Run:
    run = load_run(session, actor, instance_id, Op.WRITE)
    check_instance("finish", InstanceState(run.instance.state))
    check_version(run.instance, expected_version)
    values = _gate(session, run, "finish at")
    target_key = choose_next(run.stages, run.index, values)
    if target_key != END:
        raise InvalidTransition(
            f"{run.stage.name} is not the last stage (next: {target_key}); move on first",
            state=run.instance.state,
            allowed=_allowed_now(run, target_key),
        )
    close_instance(session, actor, run, "finish", "finished", f"finished at {run.stage.name}")
    return run


def abandon(
    session: Session, actor: Actor, instance_id: uuid.UUID, expected_version: int | None = None
) -> Run:
    run = load_run(session, actor, instance_id, Op.WRITE)
    check_instance("abandon", InstanceState(run.instance.state))
    check_version(run.instance, expected_version)
    close_instance(session, actor, run, "abandon", "aborted", f"abandoned at {run.stage.name}")
    return run


def resume(session: Session, actor: Actor, run: Run) -> None:
    check_instance("reactivate", InstanceState(run.instance.state))
    before = {"state": run.instance.state}
    run.instance.state = InstanceState.ACTIVE.value
    run.instance.completed_at = None
    _log_transition(session, actor, run.instance, "reactivate", before)
    _open_visit(session, actor, run, run.stage, run.record, clock.utcnow())
    session.flush()


def reactivate(
    session: Session, actor: Actor, instance_id: uuid.UUID, expected_version: int | None = None
) -> Run:
    run = load_run(session, actor, instance_id, Op.WRITE)
    check_instance("reactivate", InstanceState(run.instance.state))
    check_version(run.instance, expected_version)
    resume(session, actor, run)
    return run


def switch_flow(
    session: Session, actor: Actor, record_type: str, record_id: uuid.UUID, flow_id: uuid.UUID
) -> Run:
    """Run another flow on the record. The old instance keeps its stage and state, and
    switching back to its flow resumes it."""
    record: Any = load(session, actor, MODELS[record_type], record_id, Op.WRITE)
    try:
        flow = load(session, actor, ProcessFlow, flow_id)
    except NotFound as exc:
        raise ValidationFailed.on("flow_id", "no such flow") from exc
    if flow.status != FlowStatus.ACTIVE.value:
        raise ValidationFailed.on("flow_id", f"the flow is {flow.status}, not active")
    if flow.primary_record_type != record_type:
        raise ValidationFailed.on("flow_id", f"the flow runs on {flow.primary_record_type} records")
    version = cache.of_row(flow)
    if not version.allows(actor.role.value):
        raise Forbidden("your role may not run this flow")
    now = clock.utcnow()
    current = current_instance(session, record_type, record_id)
    if current is not None:
        if current.flow_family_id == flow.family_id:
            raise Conflict("the record already runs this flow")
        if current.state == InstanceState.ACTIVE.value:
            _close_visit(actor, _find_open_visit(session, current), "switched", now)
        current.is_current = False
        _log_transition(session, actor, current, "switch_away", {"is_current": True})
    resumed = session.scalar(
        select(ProcessInstance)
        .where(
            _column(record_type) == record_id,
            ProcessInstance.flow_family_id == flow.family_id,
        )
        .order_by(ProcessInstance.created_at.desc())
        .limit(1)
    )
    if resumed is None:
        kwargs = {"lead" if record_type == "lead" else "opportunity": record}
        instance = start(session, actor, version, **kwargs).instance
    else:
        instance = resumed
        instance.is_current = True
        _log_transition(session, actor, instance, "switch_to", {"is_current": False})
    write_event(
        session,
        actor,
        "process_switched",
        record.RECORD_TYPE,
        record.id,
        {"process_flow": [None, flow.name]},
        f"process switched to {flow.name}",
    )
    session.flush()
    run = load_run(session, actor, instance.id)
    if resumed is not None and instance.state == InstanceState.ACTIVE.value:
        _open_visit(session, actor, run, run.stage, run.record, now)
        session.flush()
    return run


def describe_next(session: Session, run: Run) -> str | None:
    """Where Next would lead with the record as it is now (None: this is the end)."""
    key = choose_next(run.stages, run.index, run.values(session))
    return None if key == END else key


def allowed_moves(session: Session, run: Run) -> list[str]:
    return _allowed_now(run, describe_next(session, run))


def instances_of(session: Session, record_type: str, record_id: uuid.UUID) -> list[ProcessInstance]:
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(_column(record_type) == record_id)
            .order_by(ProcessInstance.is_current.desc(), ProcessInstance.created_at.desc())
        )
    )
