"""Reactions to lead and opportunity events (registered by `leadgate.wiring`).

- a lead is created → it starts the first lead flow its owner's role allows (a bulk
  create starts all its leads' flows in one batched write);
- an opportunity is created directly (not by qualify) → the first opportunity flow;
- a lead is qualified → its instance follows `qualifying_opportunity_id` to the
  first opportunity stage (qualification is the gate: no step check), or, if the
  lead ran no flow, the new opportunity starts its own;
- a lead is disqualified → its instance is aborted; reactivated → active again;
- an opportunity is won / lost → its instance finishes / is aborted; reopened →
  the instance becomes active again on the stage it was on.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from leadgate.core.events import subscribe
from leadgate.leads.events import (
    LeadCreated,
    LeadDisqualified,
    LeadQualified,
    LeadReactivated,
    LeadsCreated,
)
from leadgate.leads.models import Lead
from leadgate.opportunities.events import (
    OpportunityCreated,
    OpportunityLost,
    OpportunityReopened,
    OpportunityWon,
)
from leadgate.opportunities.models import Opportunity
from leadgate.processes import instances, starting
from leadgate.processes.definition import END
from leadgate.processes.gating import choose_next, index_of
from leadgate.processes.models import ProcessInstance
from leadgate.processes.states import InstanceState


def on_lead_created(session: Session, event: LeadCreated) -> None:
    lead = session.get(Lead, event.lead_id)
    if lead is None:
        return
    starting.start_for_leads(session, event.actor, [lead])


def on_leads_created(session: Session, event: LeadsCreated) -> None:
    if event.actor is not None and event.records:
        starting.start_bulk_for_leads(session, event.actor, event.records)


def _start_for_opportunity(session: Session, event: OpportunityCreated | LeadQualified) -> None:
    opportunity = session.get(Opportunity, event.opportunity_id)
    if opportunity is None:
        return
    role = starting.role_of(session, event.actor, opportunity.owner_id)
    flow = starting.default_flow(session, "opportunity", role)
    if flow is not None:
        starting.start(session, event.actor, flow, opportunity=opportunity)


def on_opportunity_created(session: Session, event: OpportunityCreated) -> None:
    if event.originating_lead_id is None:
        _start_for_opportunity(session, event)


def on_lead_qualified(session: Session, event: LeadQualified) -> None:
    if event.opportunity_id is None:
        return
    current = instances.current_instance(session, "lead", event.lead_id)
    if current is None or current.state != InstanceState.ACTIVE.value:
        _start_for_opportunity(session, event)
        return
    current.opportunity_id = event.opportunity_id
    run = instances.load_run(session, event.actor, current.id)
    if run.stage.record_type != "lead":
        return
    # Walk the branches the lead's answers choose until the path leaves the lead.
    key = choose_next(run.stages, run.index, run.values(session))
    while key != END and run.stages[index_of(run.stages, key)].record_type == "lead":
        index = index_of(run.stages, key)
        key = choose_next(run.stages, index, {})
    if key == END:
        instances.close_instance(session, event.actor, run, "finish", "finished", "lead qualified")
        return
    target = run.stages[index_of(run.stages, key)]
    opportunity = session.get(Opportunity, event.opportunity_id)
    assert opportunity is not None
    instances.move(session, event.actor, run, target, opportunity, "crossed")


def _close_for(session: Session, event: OpportunityWon | OpportunityLost) -> None:
    current = instances.current_instance(session, "opportunity", event.opportunity_id)
    if current is None or current.state != InstanceState.ACTIVE.value:
        return
    run = instances.load_run(session, event.actor, current.id)
    if isinstance(event, OpportunityWon):
        instances.close_instance(session, event.actor, run, "finish", "finished", "opportunity won")
    else:
        instances.close_instance(
            session, event.actor, run, "abandon", "aborted", "opportunity lost"
        )


def on_opportunity_reopened(session: Session, event: OpportunityReopened) -> None:
    current = instances.current_instance(session, "opportunity", event.opportunity_id)
    if current is not None and current.state != InstanceState.ACTIVE.value:
        instances.resume(session, event.actor, instances.load_run(session, event.actor, current.id))


def _lead_instance(session: Session, lead_id: uuid.UUID) -> ProcessInstance | None:
    """The lead's current instance while it is still on a lead stage (not crossed over)."""
    current = instances.current_instance(session, "lead", lead_id)
    return current if current is not None and current.record_type == "lead" else None


def on_lead_disqualified(session: Session, event: LeadDisqualified) -> None:
    current = _lead_instance(session, event.lead_id)
    if current is None or current.state != InstanceState.ACTIVE.value:
        return
    run = instances.load_run(session, event.actor, current.id)
    instances.close_instance(session, event.actor, run, "abandon", "aborted", "lead disqualified")


def on_lead_reactivated(session: Session, event: LeadReactivated) -> None:
    current = _lead_instance(session, event.lead_id)
    if current is not None and current.state == InstanceState.ABORTED.value:
        instances.resume(session, event.actor, instances.load_run(session, event.actor, current.id))


def register() -> None:
    subscribe(LeadDisqualified, on_lead_disqualified)
    subscribe(LeadReactivated, on_lead_reactivated)
    subscribe(LeadCreated, on_lead_created)
    subscribe(LeadsCreated, on_leads_created)
    subscribe(LeadQualified, on_lead_qualified)
    subscribe(OpportunityCreated, on_opportunity_created)
    subscribe(OpportunityWon, _close_for)
    subscribe(OpportunityLost, _close_for)
    subscribe(OpportunityReopened, on_opportunity_reopened)
