"""Flow starts read the active flows once per transaction and flow definitions from a
process-wide cache of immutable versions: changes made by another session (or another
process) are seen by the next create, and a bulk create starts every lead's flow."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.models import AuditEvent
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead, create_leads
from leadgate.processes import cache, flows, instances
from leadgate.processes.definition import Stage
from leadgate.processes.models import ProcessFlow, ProcessInstance, StageVisit
from leadgate.processes.schemas import FlowCreate, FlowUpdate
from leadgate.processes.states import FlowStatus
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.factories import actor, lead_body


def _lead_flow(name: str, *keys: str) -> FlowCreate:
    stages = [Stage(key=key, name=key.title(), record_type="lead") for key in keys]
    return FlowCreate(name=name, primary_record_type="lead", stages=stages)


def _only_flow(session: Session, admin: Actor, name: str, *keys: str) -> ProcessFlow:
    """Deactivate the shipped lead flows and activate a new one."""
    for shipped in flows.list_flows(session, admin, "lead", FlowStatus.ACTIVE):
        flows.deactivate(session, admin, shipped.id)
    flow = flows.create_flow(session, admin, _lead_flow(name, *keys))
    return flows.activate(session, admin, flow.id)


def _new_lead_flow_id(session: Session, who: Actor) -> uuid.UUID | None:
    lead = create_lead(session, who, LeadCreate.model_validate(lead_body()))
    current = instances.current_instance(session, "lead", lead.id)
    return current.flow_id if current is not None else None


def test_a_flow_change_in_one_session_is_seen_by_the_next_create(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session, session.begin():
        admin = actor(session, Role.SYSTEM_ADMINISTRATOR)
        first = _only_flow(session, admin, "First", "a", "b")
        first_id = first.id
        assert _new_lead_flow_id(session, admin) == first_id
    # Another session activates a flow ordered before it: the next create runs it.
    with session_factory() as other, other.begin():
        second = flows.create_flow(other, admin, _lead_flow("Second", "x"))
        flows.update_flow(other, admin, first_id, FlowUpdate(sort_order=5), None)
        flows.activate(other, admin, second.id)
        second_id = second.id
    with session_factory() as session, session.begin():
        assert _new_lead_flow_id(session, admin) == second_id
    # Editing the active flow saves a new version; new leads run it, old instances keep theirs.
    with session_factory() as other, other.begin():
        edited = flows.update_flow(
            other,
            admin,
            second_id,
            FlowUpdate(stages=[Stage(key="y", name="Y", record_type="lead")]),
            None,
        )
        edited_id = edited.id
    with session_factory() as session, session.begin():
        assert edited_id != second_id
        assert _new_lead_flow_id(session, admin) == edited_id
        lead = create_lead(session, admin, LeadCreate.model_validate(lead_body()))
        run = instances.load_run(
            session, admin, instances.current_instance(session, "lead", lead.id).id
        )  # type: ignore[union-attr]
        assert [stage.key for stage in run.stages] == ["y"]
        old = session.scalars(
            select(ProcessInstance).where(ProcessInstance.flow_id == second_id)
        ).all()
        assert old
        assert all(instance.active_stage == "x" for instance in old)


def test_a_change_within_the_same_transaction_is_seen(db: Session) -> None:
    admin = actor(db, Role.SYSTEM_ADMINISTRATOR)
    first = _only_flow(db, admin, "First", "a")
    assert _new_lead_flow_id(db, admin) == first.id
    flows.deactivate(db, admin, first.id)
    assert _new_lead_flow_id(db, admin) is None
    flows.activate(db, admin, first.id)
    assert _new_lead_flow_id(db, admin) == first.id


def test_a_row_rewritten_elsewhere_is_read_again(db: Session) -> None:
    """Another process edits a draft in place (no instance ran it): its version changes,
    so the cached content of the old version is not used for it."""
    admin = actor(db, Role.SYSTEM_ADMINISTRATOR)
    flow = _only_flow(db, admin, "Rewritten", "a")
    assert [s.key for s in cache.active_flows(db, "lead")[0].stages] == ["a"]
    db.execute(
        update(ProcessFlow)
        .where(ProcessFlow.id == flow.id)
        .values(
            stages=[{"key": "z", "name": "Z", "record_type": "lead"}],
            version=ProcessFlow.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.expire_all()
    cache.forget_active(db)  # a new transaction, as the next request would have
    assert [s.key for s in cache.active_flows(db, "lead")[0].stages] == ["z"]


def test_a_bulk_create_starts_each_leads_flow(db: Session) -> None:
    admin = actor(db, Role.SYSTEM_ADMINISTRATOR)
    seller = actor(db, Role.SALESPERSON)
    flow = _only_flow(db, admin, "Bulk", "a", "b")
    items = [(uuid.uuid4(), LeadCreate.model_validate(lead_body())) for _ in range(25)]
    leads = create_leads(db, seller, items)
    ids = [lead.id for lead in leads]
    started = db.scalars(select(ProcessInstance).where(ProcessInstance.lead_id.in_(ids))).all()
    assert sorted(i.lead_id for i in started) == sorted(ids)  # type: ignore[type-var]
    assert {(i.flow_id, i.active_stage, i.is_current) for i in started} == {(flow.id, "a", True)}
    visits = db.scalars(
        select(StageVisit).where(StageVisit.instance_id.in_([i.id for i in started]))
    ).all()
    assert len(visits) == 25
    assert {(v.stage_key, v.owner_id, v.exited_at) for v in visits} == {("a", seller.user_id, None)}
    logged = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.record_type == "process_instance",
            AuditEvent.action == "create",
            AuditEvent.record_id.in_([i.id for i in started]),
        )
    )
    assert logged == 25
    # Each instance moves on like any other.
    run = instances.next_stage(db, seller, started[0].id)
    assert run.instance.active_stage == "b"
