"""Invoice lifecycle (DOMAIN.md "Quote → order → invoice").

    active(new*, partially_shipped, billed, booked, installed)
       ├─mark_paid──▶ paid(complete*, partial)   (a partial payment can be completed later)
       └─cancel─────▶ canceled(canceled*)

Paid and canceled invoices are read-only.
"""

from __future__ import annotations

from enum import StrEnum

from leadgate.core.errors import InvalidTransition
from leadgate.core.lifecycle import StatusTransition
from leadgate.core.text import with_article


class InvoiceState(StrEnum):
    ACTIVE = "active"
    PAID = "paid"
    CANCELED = "canceled"


STATUSES: dict[InvoiceState, tuple[str, ...]] = {
    InvoiceState.ACTIVE: ("new", "partially_shipped", "billed", "booked", "installed"),
    InvoiceState.PAID: ("complete", "partial"),
    InvoiceState.CANCELED: ("canceled",),
}


class Transition(StatusTransition[InvoiceState]):
    STATUSES = STATUSES


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "mark_paid",
            frozenset({InvoiceState.ACTIVE, InvoiceState.PAID}),
            InvoiceState.PAID,
            "complete",
        ),
        Transition("cancel", frozenset({InvoiceState.ACTIVE}), InvoiceState.CANCELED, "canceled"),
    )
}


def _fully_paid(state: InvoiceState, status: str | None) -> bool:
    # Only a partial payment can be marked paid again (to complete it).
    return state is InvoiceState.PAID and status is not None and status != "partial"


def allowed_moves(state: InvoiceState, status: str | None = None) -> list[str]:
    if _fully_paid(state, status):
        return []
    return sorted(name for name, t in TRANSITIONS.items() if state in t.sources)


def check_transition(name: str, state: InvoiceState, status: str | None = None) -> Transition:
    transition = TRANSITIONS[name]
    if state not in transition.sources or _fully_paid(state, status):
        raise InvalidTransition(
            f"cannot {name.replace('_', ' ')} {with_article(state.value + ' invoice')}",
            state=state.value,
            allowed=allowed_moves(state, status),
        )
    return transition
