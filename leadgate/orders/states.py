"""Order lifecycle (DOMAIN.md "Quote → order → invoice").

    active(new*, pending) ──submit──▶ submitted(in_progress*)
       │   active | submitted ──fulfill──▶ fulfilled(complete*, partial)
       │   active | submitted ──cancel───▶ canceled(no_money*)
       └── active | submitted | fulfilled ──create_invoice──▶ invoiced(invoiced*)

Closed (canceled, invoiced) and fulfilled orders are read-only.
"""

from __future__ import annotations

from enum import StrEnum

from leadgate.core.errors import InvalidTransition
from leadgate.core.lifecycle import StatusTransition


class OrderState(StrEnum):
    ACTIVE = "active"
    SUBMITTED = "submitted"
    CANCELED = "canceled"
    FULFILLED = "fulfilled"
    INVOICED = "invoiced"


STATUSES: dict[OrderState, tuple[str, ...]] = {
    OrderState.ACTIVE: ("new", "pending"),
    OrderState.SUBMITTED: ("in_progress",),
    OrderState.CANCELED: ("no_money",),
    OrderState.FULFILLED: ("complete", "partial"),
    OrderState.INVOICED: ("invoiced",),
}


class Transition(StatusTransition[OrderState]):
    STATUSES = STATUSES


_OPEN = frozenset({OrderState.ACTIVE, OrderState.SUBMITTED})
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("submit", frozenset({OrderState.ACTIVE}), OrderState.SUBMITTED, "in_progress"),
        Transition("fulfill", _OPEN, OrderState.FULFILLED, "complete"),
        Transition("cancel", _OPEN, OrderState.CANCELED, "no_money"),
        Transition(
            "create_invoice", _OPEN | {OrderState.FULFILLED}, OrderState.INVOICED, "invoiced"
        ),
    )
}


def allowed_moves(state: OrderState) -> list[str]:
    return sorted(name for name, t in TRANSITIONS.items() if state in t.sources)


def check_transition(name: str, state: OrderState) -> Transition:
    transition = TRANSITIONS[name]
    if state not in transition.sources:
        raise InvalidTransition(
            f"cannot {name.replace('_', ' ')} an order that is {state.value}",
            state=state.value,
            allowed=allowed_moves(state),
        )
    return transition


def is_editable(state: str) -> bool:
    return state in _OPEN
