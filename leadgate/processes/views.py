"""What a client needs to draw the process bar: stages, the active one, its steps."""

from __future__ import annotations

from sqlalchemy.orm import Session

from leadgate.processes.definition import END, default_next
from leadgate.processes.gating import index_of, is_empty
from leadgate.processes.instances import Run, allowed_moves, describe_next
from leadgate.processes.schemas import InstanceRead, StageSummary, StepState


def _ahead(run: Run, next_key: str | None) -> set[str]:
    """Stages the default branches lead to from Next's target (later answers are unknown)."""
    ahead: set[str] = set()
    key = next_key
    while key is not None and key != END and key not in ahead:
        ahead.add(key)
        key = default_next(run.stages, index_of(run.stages, key))
    return ahead


def instance_view(session: Session, run: Run) -> InstanceRead:
    instance, stage = run.instance, run.stage
    values = run.values(session)
    next_key = describe_next(session, run)
    done = set(instance.path[:-1])
    ahead = _ahead(run, next_key) if instance.state == "active" else set()
    stages = [
        StageSummary(
            key=s.key,
            name=s.name,
            record_type=s.record_type,
            category=s.category.value,
            status="active"
            if s.key == instance.active_stage
            else "done"
            if s.key in done
            else "ahead"
            if s.key in ahead
            else "off_path",
        )
        for s in run.stages
    ]
    steps = [
        StepState(
            field=step.field,
            label=step.label,
            required=step.required,
            filled=not is_empty(values.get(step.field)),
        )
        for step in stage.steps
    ]
    return InstanceRead(
        id=instance.id,
        flow_id=instance.flow_id,
        flow_family_id=instance.flow_family_id,
        flow_name=run.flow.name,
        flow_version=run.flow.flow_version,
        lead_id=instance.lead_id,
        opportunity_id=instance.opportunity_id,
        record_type=instance.record_type,
        state=instance.state,
        active_stage=instance.active_stage,
        path=list(instance.path),
        is_current=instance.is_current,
        steps=steps,
        missing_required=[s.field for s in steps if s.required and not s.filled],
        next_stage=next_key,
        stages=stages,
        allowed=allowed_moves(session, run),
        completed_at=instance.completed_at,
        created_at=instance.created_at,
        version=instance.version,
    )
