"""The flow editor shows a stored definition and saves it back unchanged (the shipped
flows, on SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.processes.definition import Stage
from leadgate.processes.models import ProcessFlow
from leadgate.web.flow_form import definition, from_flow


def test_shipped_flows_round_trip_through_the_editor(db: Session) -> None:
    shipped = db.scalars(select(ProcessFlow)).all()
    assert len(shipped) >= 2
    for flow in shipped:
        draft = from_flow(flow)
        saved = [Stage.model_validate(stage) for stage in definition(draft)]
        assert saved == [Stage.model_validate(stage) for stage in flow.stages], flow.name
        assert (draft.name, draft.primary_record_type) == (flow.name, flow.primary_record_type)
