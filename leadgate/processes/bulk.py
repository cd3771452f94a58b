"""Process flows started for many new leads at once (bulk creates such as imports).

The same rows as `instances.start` per lead (the instance on the first stage, its
first stage visit, the instance's "create" audit event), written with one
executemany INSERT per table instead of a unit of work per lead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from leadgate.audit.recording import insert_records
from leadgate.core import clock
from leadgate.core.ids import new_id
from leadgate.processes import instances
from leadgate.processes.definition import stages_of
from leadgate.processes.models import ProcessFlow, ProcessInstance, StageVisit
from leadgate.processes.states import InstanceState
from leadgate.security.access import Actor


def start_many(session: Session, actor: Actor, flow: ProcessFlow, leads: Sequence[Any]) -> None:
    """`start` for many new leads at once (bulk creates): the same instances, first
    visits and audit events, written with one executemany INSERT per table."""
    stages = stages_of(flow.id, flow.version, flow.stages)
    first = stages[0]
    if not leads:
        return
    if first.record_type != "lead":
        for lead in leads:
            instances.start(session, actor, flow, lead=lead)
        return
    rows = [
        {
            "id": new_id(),
            "flow_id": flow.id,
            "flow_family_id": flow.family_id,
            "lead_id": lead.id,
            "opportunity_id": None,
            "record_type": first.record_type,
            "state": InstanceState.ACTIVE.value,
            "active_stage": first.key,
            "path": [first.key],
            "is_current": True,
        }
        for lead in leads
    ]
    insert_records(session, actor, ProcessInstance, rows)
    now = clock.utcnow()
    visits = [
        {
            "id": new_id(),
            "instance_id": row["id"],
            "flow_id": flow.id,
            "flow_family_id": flow.family_id,
            "stage_key": first.key,
            "record_type": first.record_type,
            "record_id": lead.id,
            "owner_id": lead.owner_id,
            "entered_at": now,
            "entered_by_id": actor.user_id,
        }
        for row, lead in zip(rows, leads, strict=True)
    ]
    table = StageVisit.__table__
    assert isinstance(table, Table)
    session.execute(insert(table), visits)
