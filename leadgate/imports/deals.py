"""Opportunity rows: the customer named by `account` or `customer_contact`, and deals
that are already closed.

A row may say its deal is won or lost by its sales stage ("Closed Won", HubSpot's
"closedwon"), its state (Dynamics' "Status": Open/Won/Lost), its status reason
("Out-Sold", "On Hold") or its forecast category (won/lost). Every column that
speaks must agree, or the row fails naming the column that contradicts. A closed
deal is created open and then closed through the domain's own transitions (win /
lose, with the file's actual close date, actual value and reason, else the
transition's defaults), so it is audited and announced like a deal closed by hand;
an on-hold deal is put on hold the same way. Nothing writes a state directly.

A deal is matched by its name and customer: a re-imported file's rows are skipped
or update the deal's fields (on_duplicate skip / update); create makes another.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func
from sqlalchemy.orm import Session

from leadgate.core.clock import utcnow
from leadgate.core.errors import ValidationFailed
from leadgate.core.fields import Money
from leadgate.imports.references import find_account, find_contact
from leadgate.opportunities import service as opportunities
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import (
    LoseRequest,
    OpportunityCreate,
    OpportunityDetails,
    WinRequest,
)
from leadgate.opportunities.states import STATUSES, OpportunityState
from leadgate.security.access import Actor, load, scoped
from leadgate.security.roles import Op

# The stage column may name the outcome instead of a stage ("Closed Won"): such a deal
# is recorded in the last stage of the sales process, closed as the stage says.
ImportStage = Literal["qualify", "develop", "propose", "close", "won", "lost"]
_CLOSED_STAGE = "close"
_STATE_OF_STATUS = {status: state for state, names in STATUSES.items() for status in names}
# Labels other CRMs use (folded to lower case) for our states and status reasons.
_STATE_ALIASES = {"closed won": "won", "closed lost": "lost", "active": "open"}
_STATUS_ALIASES = {
    "in progress": "in_progress", "on hold": "on_hold", "cancelled": "canceled",
    "out-sold": "out_sold", "out sold": "out_sold", "outsold": "out_sold",
}  # fmt: skip
_DEAL_FIELDS = frozenset(
    {"account", "customer_contact", "contact", "state", "status_reason", "actual_value",
     "actual_close_date", "close_reason"}
)  # fmt: skip


def _code(value: Any, aliases: dict[str, str]) -> Any:
    if not isinstance(value, str):
        return value
    text = " ".join(value.lower().split())
    return aliases.get(text, text.replace(" ", "_"))


class OpportunityImport(OpportunityDetails):
    """An opportunity row: its customer named by `account` or `customer_contact`; closed
    deals say so by stage, state, status reason or forecast category."""

    name: str = Field(min_length=1, max_length=300)
    account: str | None = Field(default=None, max_length=300)
    customer_contact: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=300)
    sales_stage: ImportStage | None = None  # type: ignore[assignment]
    state: OpportunityState | None = None
    status_reason: str | None = Field(default=None, max_length=32)
    actual_value: Money | None = None
    actual_close_date: date | None = None
    close_reason: str | None = Field(default=None, max_length=500)

    @field_validator("state", mode="before")
    @classmethod
    def _state_label(cls, value: Any) -> Any:
        return _code(value, _STATE_ALIASES)

    @field_validator("status_reason", mode="before")
    @classmethod
    def _status_label(cls, value: Any) -> Any:
        code = _code(value, _STATUS_ALIASES)
        if code is not None and code not in _STATE_OF_STATUS:
            raise PydanticCustomError(
                "status_reason", "one of {allowed}", {"allowed": ", ".join(_STATE_OF_STATUS)}
            )
        return code

    @model_validator(mode="after")
    def _one_customer(self) -> OpportunityImport:
        if (self.account is None) == (self.customer_contact is None):
            raise PydanticCustomError(
                "customer", "give exactly one customer: an account or a customer contact"
            )
        return self


def outcome(data: OpportunityImport) -> OpportunityState:
    """The state the row's columns agree on (open when none speaks); a column that
    contradicts another fails the row, as do close details on an open deal."""
    claims: list[tuple[str, Any, OpportunityState]] = []
    if data.state is not None:
        claims.append(("state", data.state.value, data.state))
    if data.sales_stage in ("won", "lost"):
        claims.append(("sales_stage", data.sales_stage, OpportunityState(data.sales_stage)))
    if data.status_reason is not None:
        state = _STATE_OF_STATUS[data.status_reason]
        claims.append(("status_reason", data.status_reason, state))
    forecast = data.forecast_category.value if data.forecast_category else None
    if forecast in ("won", "lost"):
        claims.append(("forecast_category", forecast, OpportunityState(forecast)))
    for field, value, state in claims[1:]:
        first_field, first_value, first_state = claims[0]
        if state is not first_state:
            raise ValidationFailed.on(
                field,
                f"{value!r} means a {state.value} opportunity but {first_field} "
                f"{first_value!r} says {first_state.value}",
            )
    state = claims[0][2] if claims else OpportunityState.OPEN
    _check_close_details(data, state)
    return state


def _check_close_details(data: OpportunityImport, state: OpportunityState) -> None:
    if state is OpportunityState.OPEN:
        for field in ("actual_value", "actual_close_date", "close_reason"):
            if getattr(data, field) is not None:
                raise ValidationFailed.on(
                    field, "only a won or lost opportunity has one; this row's deal is open"
                )
    elif state is OpportunityState.LOST and data.actual_value:
        raise ValidationFailed.on("actual_value", "a lost opportunity has no actual value")


def create_opportunity(session: Session, actor: Actor, data: OpportunityImport) -> Opportunity:
    state = outcome(data)
    values = data.model_dump(exclude=set(_DEAL_FIELDS))
    if data.sales_stage in ("won", "lost"):
        values["sales_stage"] = _CLOSED_STAGE
    if state is not OpportunityState.OPEN:
        # The forecast becomes won/lost with the close (as when closed by hand).
        values["forecast_category"] = None
    if data.account is not None:
        values["account_id"] = find_account(session, actor, data.account, "account").id
    if data.customer_contact is not None:
        contact = find_contact(session, actor, data.customer_contact, "customer_contact")
        values["customer_contact_id"] = contact.id
    if data.contact is not None:
        values["contact_id"] = find_contact(session, actor, data.contact, "contact").id
    deal = opportunities.create_opportunity(
        session, actor, OpportunityCreate.model_validate(values)
    )
    if state is OpportunityState.OPEN:
        if data.status_reason == "on_hold":
            opportunities.hold(session, actor, deal.id)
        return deal
    # The file's close date; else its (estimated) close date, which for a closed deal in
    # a Salesforce or HubSpot export is the day it closed; else today, as by hand.
    closed_on = data.actual_close_date or data.estimated_close_date or utcnow().date()
    if state is OpportunityState.WON:
        win = WinRequest(
            actual_value=data.actual_value,
            actual_close_date=closed_on,
            description=data.close_reason,
        )
        return opportunities.win(session, actor, deal.id, win)
    lose = LoseRequest(
        status=data.status_reason or "canceled",
        reason=data.close_reason,
        actual_close_date=closed_on,
    )
    return opportunities.lose(session, actor, deal.id, lose)


def _customer(session: Session, actor: Actor, data: OpportunityImport) -> tuple[str, uuid.UUID]:
    if data.account is not None:
        return "account_id", find_account(session, actor, data.account, "account").id
    assert data.customer_contact is not None  # one customer: checked by the schema
    contact = find_contact(session, actor, data.customer_contact, "customer_contact")
    return "customer_contact_id", contact.id


def existing_opportunity(
    session: Session, actor: Actor, data: OpportunityImport
) -> Opportunity | None:
    """The customer's deal of the row's name (case ignored; the oldest if several): a
    re-imported file names its deals again, so skip or update them, never duplicate."""
    column, customer_id = _customer(session, actor, data)
    stmt = (
        scoped(actor, Opportunity)
        .where(
            getattr(Opportunity, column) == customer_id,
            func.lower(Opportunity.name) == data.name.lower(),
        )
        .order_by(Opportunity.created_at, Opportunity.id)
        .limit(1)
    )
    return session.scalar(stmt)


def opportunity_changes(
    session: Session, actor: Actor, deal: Opportunity, data: OpportunityImport
) -> dict[str, Any]:
    """What a row sets on the deal it matched: the deal fields it fills. A row whose
    outcome differs from the deal's state fails: an update does not win, lose or reopen
    a deal (that is a person's decision, with its own close record); close details of a
    closed deal (actual value, date, reason) belong to its close and are not updated."""
    state = outcome(data)
    if state.value != deal.state:
        raise ValidationFailed.on(
            "state",
            f"opportunity {deal.name!r} is {deal.state} but the row says {state.value}; "
            "an import does not change the state of an existing deal",
        )
    given = data.model_fields_set & set(OpportunityDetails.model_fields)
    values = {name: getattr(data, name) for name in given}
    if data.sales_stage in ("won", "lost"):
        values["sales_stage"] = _CLOSED_STAGE
    if data.contact is not None:
        values["contact_id"] = find_contact(session, actor, data.contact, "contact").id
    return values


def delete_opportunity(
    session: Session, actor: Actor, opportunity_id: uuid.UUID, version: int | None
) -> None:
    """Undo of an imported deal: a closed one is reopened first (a closed opportunity is
    read-only), then deleted, both audited."""
    deal = load(session, actor, Opportunity, opportunity_id, Op.DELETE)
    if deal.state != OpportunityState.OPEN.value:
        opportunities.reopen(session, actor, opportunity_id, version)
        version = None
    opportunities.delete_opportunity(session, actor, opportunity_id, version)
