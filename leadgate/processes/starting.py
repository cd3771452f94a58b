"""Starting a flow on a new record: which flow (the first active one of the record type
that the owner's role may run), the instance, its first stage visit and audit rows.

Creates are frequent (every lead, every import row), so a start reads nothing it
can know already: the owner's role is the actor's when the actor owns the record,
the active flows are read once per transaction and their definitions come from the
process-wide cache of immutable flow versions (`cache`). A bulk create starts all its
instances with one batched write per table.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from leadgate.audit.recording import (
    column_values,
    created_changes,
    created_changes_texts,
    insert_created_events,
    write_event,
)
from leadgate.core import clock
from leadgate.core.ids import new_id, new_ids
from leadgate.db.bulk import complete, insert_columns
from leadgate.processes.cache import FlowVersion, active_flows
from leadgate.processes.definition import Stage
from leadgate.processes.gating import index_of
from leadgate.processes.models import ProcessInstance, StageVisit
from leadgate.processes.records import read_fields
from leadgate.processes.states import InstanceState
from leadgate.security.access import Actor
from leadgate.security.models import User


@dataclass
class Run:
    """An instance with its flow version, the record of its active stage and the open
    visit of that stage (None when the instance is not active)."""

    instance: ProcessInstance
    flow: FlowVersion
    record: Any
    visit: StageVisit | None = None
    _values: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def stages(self) -> list[Stage]:
        return self.flow.stages

    @property
    def index(self) -> int:
        return index_of(self.stages, self.instance.active_stage)

    @property
    def stage(self) -> Stage:
        return self.stages[self.index]

    def values(self, session: Session) -> dict[str, Any]:
        """The active stage's step values, read once per use case (a move forgets them)."""
        if self._values is None:
            stage = self.stage
            self._values = read_fields(
                session, self.record, stage.record_type, [step.field for step in stage.steps]
            )
        return self._values

    def forget_values(self) -> None:
        self._values = None


def role_of(session: Session, actor: Actor, owner_id: uuid.UUID) -> str | None:
    if owner_id == actor.user_id:
        return actor.role.value
    user = session.get(User, owner_id)
    return user.role if user is not None else None


def default_flow(session: Session, record_type: str, role: str | None) -> FlowVersion | None:
    """The first active flow (by order) for this record type that the role may run."""
    return next((flow for flow in active_flows(session, record_type) if flow.allows(role)), None)


def new_visit(
    actor: Actor,
    instance: ProcessInstance,
    flow: FlowVersion,
    stage: Stage,
    record: Any,
    now: datetime,
) -> StageVisit:
    return StageVisit(**_visit_row(actor, instance.id, flow, stage, record, now))


def _visit_row(
    actor: Actor,
    instance_id: uuid.UUID,
    flow: FlowVersion,
    stage: Stage,
    record: Any,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "instance_id": instance_id,
        "flow_id": flow.id,
        "flow_family_id": flow.family_id,
        "stage_key": stage.key,
        "record_type": stage.record_type,
        "record_id": record.id,
        "owner_id": record.owner_id,
        "entered_at": now,
        "entered_by_id": actor.user_id,
    }


def _instance_row(
    actor: Actor, flow: FlowVersion, lead: Any, opportunity: Any, now: datetime
) -> dict[str, Any]:
    first = flow.stages[0]
    return {
        "id": new_id(),
        "flow_id": flow.id,
        "flow_family_id": flow.family_id,
        "lead_id": lead.id if lead is not None else None,
        "opportunity_id": opportunity.id if opportunity is not None else None,
        "record_type": first.record_type,
        "state": InstanceState.ACTIVE.value,
        "active_stage": first.key,
        "path": [first.key],
        "is_current": True,
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor.user_id,
        "updated_by_id": actor.user_id,
        "version": 1,
    }


def start(
    session: Session,
    actor: Actor,
    flow: FlowVersion,
    *,
    lead: Any = None,
    opportunity: Any = None,
) -> Run:
    """Start `flow` on the record (access was checked on the record that caused it)."""
    return start_many(session, actor, [(flow, lead, opportunity)])[0]


def start_many(
    session: Session, actor: Actor, starts: Sequence[tuple[FlowVersion, Any, Any]]
) -> list[Run]:
    """Start each (flow, lead, opportunity): instances, first visits and audit rows are
    added together, so the unit of work sends one batched INSERT per table."""
    runs = []
    now = clock.utcnow()
    for flow, lead, opportunity in starts:
        instance = ProcessInstance(**_instance_row(actor, flow, lead, opportunity, now))
        first = flow.stages[0]
        record = lead if first.record_type == "lead" else opportunity
        visit = new_visit(actor, instance, flow, first, record, now)
        session.add(instance)
        session.add(visit)
        write_event(
            session,
            actor,
            "create",
            ProcessInstance.RECORD_TYPE,
            instance.id,
            created_changes(column_values(instance)),
        )
        runs.append(Run(instance, flow, record, visit))
    # No flush: the rows go out with the caller's next flush, in the same batched
    # INSERTs as its own audit rows.
    return runs


def _lead_flows(session: Session, actor: Actor, leads: Sequence[Any]) -> list[tuple[Any, Any]]:
    """Each new lead with the first lead flow its owner's role allows (leads no flow
    allows are left out)."""
    chosen = []
    # Reading the flows need not flush the caller's pending rows first.
    with session.no_autoflush:
        for lead in leads:
            flow = default_flow(session, "lead", role_of(session, actor, lead.owner_id))
            if flow is not None:
                chosen.append((flow, lead))
    return chosen


def start_for_leads(session: Session, actor: Actor, leads: Sequence[Any]) -> list[Run]:
    """Each new lead gets the first lead flow its owner's role allows."""
    starts = [(flow, lead, None) for flow, lead in _lead_flows(session, actor, leads)]
    return start_many(session, actor, starts) if starts else []


def start_bulk_for_leads(session: Session, actor: Actor, leads: Sequence[Any]) -> None:
    """`start_for_leads` for a bulk create (imports): the same instance, first visit and
    "create" audit rows as `start_many`, written as plain rows with one bulk INSERT per
    table and flow. An import starts thousands per batch, and ORM objects cost more than
    the INSERTs (nobody reads these runs back in the same transaction). The rows of one
    flow differ only in their ids, lead and owner: the rest is built once per flow."""
    now = clock.utcnow()
    by_flow: dict[uuid.UUID, tuple[FlowVersion, list[Any]]] = {}
    for flow, lead in _lead_flows(session, actor, leads):
        by_flow.setdefault(flow.id, (flow, []))[1].append(lead)
    for flow, group in by_flow.values():
        _start_bulk(session, actor, flow, group, now)


# Stands for the lead id in the "create" event's JSON text of a flow's instances.
_LEAD_SLOT = "lead-id-slot"


def _start_bulk(
    session: Session, actor: Actor, flow: FlowVersion, leads: list[Any], now: datetime
) -> None:
    instance_table = ProcessInstance.__table__
    visit_table = StageVisit.__table__
    assert isinstance(instance_table, Table)
    assert isinstance(visit_table, Table)
    count = len(leads)
    instance_ids = new_ids(count)
    lead_ids = [lead.id for lead in leads]
    # The first lead's rows show what every row holds; ids, lead and owner vary.
    instance = complete(instance_table, _instance_row(actor, flow, leads[0], None, now))
    insert_columns(
        session,
        instance_table,
        {"id": instance_ids, "lead_id": lead_ids},
        same={k: v for k, v in instance.items() if k not in ("id", "lead_id")},
    )
    first = flow.stages[0]
    visit = complete(visit_table, _visit_row(actor, instance_ids[0], flow, first, leads[0], now))
    per_visit = ("id", "instance_id", "record_id", "owner_id")
    insert_columns(
        session,
        visit_table,
        {
            "id": new_ids(count),
            "instance_id": instance_ids,
            "record_id": lead_ids,
            "owner_id": [lead.owner_id for lead in leads],
        },
        same={k: v for k, v in visit.items() if k not in per_visit},
    )
    # The events' changes (`created_changes` of each instance row) differ only in the
    # lead id: one JSON text with a slot for it.
    (template,) = created_changes_texts([{**instance, "lead_id": _LEAD_SLOT}])
    before, after = template.split(f'"{_LEAD_SLOT}"')
    changes = [f'{before}"{lead_id}"{after}' for lead_id in lead_ids]
    insert_created_events(session, actor, ProcessInstance.RECORD_TYPE, instance_ids, changes, now)
