"""Lead lifecycle (DOMAIN.md "Lead lifecycle").

    open(new*, contacted) ──qualify──────▶ qualified(qualified*)
         │        ▲   └─────disqualify──▶ disqualified(lost*, cannot_contact,
         │        │                         no_longer_interested, canceled)
         │        └──────reactivate───── qualified | disqualified
         └─mark_contacted─▶ open(contacted)

Closed leads (qualified, disqualified) are read-only until reactivated.
A lead linked to an opportunity cannot be disqualified.
"""

from __future__ import annotations

from enum import StrEnum

from leadgate.core.errors import InvalidTransition
from leadgate.core.lifecycle import StatusTransition
from leadgate.core.text import with_article


class LeadState(StrEnum):
    OPEN = "open"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"


STATUSES: dict[LeadState, tuple[str, ...]] = {
    LeadState.OPEN: ("new", "contacted"),
    LeadState.QUALIFIED: ("qualified",),
    LeadState.DISQUALIFIED: ("lost", "cannot_contact", "no_longer_interested", "canceled"),
}


class Transition(StatusTransition[LeadState]):
    STATUSES = STATUSES


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("qualify", frozenset({LeadState.OPEN}), LeadState.QUALIFIED, "qualified"),
        Transition("disqualify", frozenset({LeadState.OPEN}), LeadState.DISQUALIFIED, "lost"),
        Transition(
            "reactivate",
            frozenset({LeadState.QUALIFIED, LeadState.DISQUALIFIED}),
            LeadState.OPEN,
            "new",
        ),
        Transition("mark_contacted", frozenset({LeadState.OPEN}), LeadState.OPEN, "contacted"),
    )
}


def allowed_moves(state: LeadState) -> list[str]:
    return sorted(name for name, t in TRANSITIONS.items() if state in t.sources)


def check_transition(name: str, state: LeadState) -> Transition:
    transition = TRANSITIONS[name]
    if state not in transition.sources:
        raise InvalidTransition(
            f"cannot {name.replace('_', ' ')} {with_article(state.value + ' lead')}",
            state=state.value,
            allowed=allowed_moves(state),
        )
    return transition


def is_closed(state: LeadState) -> bool:
    return state is not LeadState.OPEN
