"""Use cases of opportunities: edit, win, lose, reopen."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.accounts.service import mark_customer
from leadgate.audit.editing import create_record, delete_record, update_record
from leadgate.audit.recording import add_record, check_version, record_transition
from leadgate.contacts.models import Contact
from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict, NotFound, ReadOnlyRecord, ValidationFailed
from leadgate.core.events import publish
from leadgate.core.ids import new_id
from leadgate.core.picklists import ForecastCategory
from leadgate.opportunities.events import (
    OpportunityCreated,
    OpportunityLost,
    OpportunityReopened,
    OpportunityWon,
)
from leadgate.opportunities.hooks import close_objections
from leadgate.opportunities.lines import check_pricing
from leadgate.opportunities.models import Opportunity, OpportunityClose
from leadgate.opportunities.schemas import (
    LoseRequest,
    OpportunityCreate,
    OpportunityUpdate,
    WinRequest,
)
from leadgate.opportunities.states import OpportunityState, allowed_moves, check_transition
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op

_REQUIRED = ("name", "currency", "forecast_category", "sales_stage")


def _check_links(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    for field, model in (
        ("account_id", Account),
        ("customer_contact_id", Contact),
        ("contact_id", Contact),
    ):
        if values.get(field) is not None:
            try:
                load(session, actor, model, values[field])
            except NotFound as exc:
                raise ValidationFailed.on(field, f"no such {model.RECORD_TYPE}") from exc


def _one_customer(opportunity: Opportunity, values: dict[str, Any]) -> None:
    account = values.get("account_id", opportunity.account_id)
    contact = values.get("customer_contact_id", opportunity.customer_contact_id)
    if (account is None) == (contact is None):
        raise ValidationFailed.on(
            "account_id",
            "an opportunity has exactly one customer: account_id or customer_contact_id",
        )


def _guard_open(opportunity: Opportunity) -> None:
    if opportunity.state != OpportunityState.OPEN:
        raise ReadOnlyRecord(
            f"a {opportunity.state} opportunity is read-only; reopen it first "
            f"(allowed: {', '.join(allowed_moves(OpportunityState(opportunity.state)))})"
        )


def create_opportunity(
    session: Session, actor: Actor, data: OpportunityCreate, **extra: Any
) -> Opportunity:
    values = data.model_dump()
    _check_links(session, actor, values)
    check_pricing(session, None, values)
    for name, default in (
        ("currency", "USD"),
        ("forecast_category", "pipeline"),
        ("sales_stage", "qualify"),
    ):
        values[name] = values[name] or default
    opportunity = Opportunity(
        id=new_id(), state=OpportunityState.OPEN.value, status="in_progress", **values, **extra
    )
    create_record(session, actor, opportunity)
    publish(
        session,
        OpportunityCreated(actor, opportunity.id, opportunity.originating_lead_id),
    )
    return opportunity


def update_opportunity(
    session: Session,
    actor: Actor,
    opportunity_id: uuid.UUID,
    data: OpportunityUpdate,
    expected_version: int | None,
) -> Opportunity:
    values = data.changes()
    _check_links(session, actor, values)

    def derive(opportunity: Opportunity, values: dict[str, Any]) -> None:
        _one_customer(opportunity, values)
        check_pricing(session, opportunity, values)

    return update_record(
        session,
        actor,
        Opportunity,
        opportunity_id,
        values,
        expected_version=expected_version,
        required=_REQUIRED,
        guard=_guard_open,
        derive=derive,
    )


def delete_opportunity(
    session: Session, actor: Actor, opportunity_id: uuid.UUID, expected_version: int | None
) -> None:
    delete_record(
        session,
        actor,
        Opportunity,
        opportunity_id,
        expected_version=expected_version,
        guard=_guard_open,
    )


def _refuse_if_objected(session: Session, opportunity: Opportunity, verb: str) -> None:
    objections = close_objections(session, opportunity)
    if objections:
        raise Conflict(f"cannot {verb} the opportunity: {'; '.join(objections)}")


def _close(
    session: Session,
    actor: Actor,
    opportunity: Opportunity,
    name: str,
    status: str | None,
    *,
    value: Any,
    close_date: date,
    competitor_id: uuid.UUID | None,
    reason: str | None,
    description: str | None,
) -> OpportunityClose:
    transition = check_transition(name, OpportunityState(opportunity.state))
    new_status = transition.status(status)
    before = {
        k: getattr(opportunity, k)
        for k in ("state", "status", "forecast_category", "actual_value", "actual_close_date")
    }
    opportunity.state = transition.target.value
    opportunity.status = new_status
    opportunity.forecast_category = (
        ForecastCategory.WON if transition.target is OpportunityState.WON else ForecastCategory.LOST
    ).value
    opportunity.actual_value = value
    opportunity.actual_close_date = close_date
    record_transition(
        session, actor, opportunity, name, before, summary=reason or description or ""
    )
    close = OpportunityClose(
        id=new_id(),
        opportunity_id=opportunity.id,
        owner_id=opportunity.owner_id,
        outcome=transition.target.value,
        status=new_status,
        actual_value=value,
        actual_close_date=close_date,
        competitor_id=competitor_id,
        reason=reason,
        description=description,
        closed_by_id=actor.user_id,
        closed_at=utcnow(),
    )
    add_record(session, actor, close, check=False)
    return close


def win(
    session: Session,
    actor: Actor,
    opportunity_id: uuid.UUID,
    data: WinRequest,
    expected_version: int | None = None,
) -> Opportunity:
    opportunity = load(session, actor, Opportunity, opportunity_id, Op.WRITE)
    check_transition("win", OpportunityState(opportunity.state))
    check_version(opportunity, expected_version)
    _refuse_if_objected(session, opportunity, "win")
    value = data.actual_value
    if value is None:
        value = (
            opportunity.total_amount
            if opportunity.total_amount is not None
            else opportunity.estimated_value
        )
    _close(
        session,
        actor,
        opportunity,
        "win",
        None,
        value=value,
        close_date=data.actual_close_date or utcnow().date(),
        competitor_id=None,
        reason=None,
        description=data.description,
    )
    if opportunity.account_id is not None:
        account = session.get(Account, opportunity.account_id)
        if account is not None and account.relationship_type != "customer":
            mark_customer(session, actor, account)
    publish(session, OpportunityWon(actor, opportunity.id))
    return opportunity


def lose(
    session: Session,
    actor: Actor,
    opportunity_id: uuid.UUID,
    data: LoseRequest,
    expected_version: int | None = None,
) -> Opportunity:
    opportunity = load(session, actor, Opportunity, opportunity_id, Op.WRITE)
    check_transition("lose", OpportunityState(opportunity.state))
    check_version(opportunity, expected_version)
    _refuse_if_objected(session, opportunity, "lose")
    if data.competitor_id is not None:
        try:
            load(session, actor, Account, data.competitor_id)
        except NotFound as exc:
            raise ValidationFailed.on("competitor_id", "no such account") from exc
    _close(
        session,
        actor,
        opportunity,
        "lose",
        data.status,
        value=None,
        close_date=data.actual_close_date or utcnow().date(),
        competitor_id=data.competitor_id,
        reason=data.reason,
        description=data.description,
    )
    publish(session, OpportunityLost(actor, opportunity.id))
    return opportunity


def _simple(
    session: Session,
    actor: Actor,
    opportunity_id: uuid.UUID,
    name: str,
    expected_version: int | None,
) -> Opportunity:
    opportunity = load(session, actor, Opportunity, opportunity_id, Op.WRITE)
    transition = check_transition(name, OpportunityState(opportunity.state))
    check_version(opportunity, expected_version)
    before = {k: getattr(opportunity, k) for k in ("state", "status", "forecast_category")}
    if name == "reopen":
        opportunity.forecast_category = ForecastCategory.PIPELINE.value
        opportunity.actual_value = None
        opportunity.actual_close_date = None
    opportunity.state = transition.target.value
    opportunity.status = transition.status(None)
    record_transition(session, actor, opportunity, name, before)
    return opportunity


def reopen(
    session: Session, actor: Actor, opportunity_id: uuid.UUID, expected_version: int | None = None
) -> Opportunity:
    opportunity = _simple(session, actor, opportunity_id, "reopen", expected_version)
    publish(session, OpportunityReopened(actor, opportunity.id))
    return opportunity


def hold(
    session: Session, actor: Actor, opportunity_id: uuid.UUID, expected_version: int | None = None
) -> Opportunity:
    return _simple(session, actor, opportunity_id, "hold", expected_version)


def resume(
    session: Session, actor: Actor, opportunity_id: uuid.UUID, expected_version: int | None = None
) -> Opportunity:
    return _simple(session, actor, opportunity_id, "resume", expected_version)
