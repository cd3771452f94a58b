"""Opportunity lifecycle (DOMAIN.md "Opportunity lifecycle").

    open(in_progress*, on_hold) ──win──▶ won(won*)
         ▲                      └─lose─▶ lost(canceled*, out_sold)
         └──────────reopen──────────── won | lost

Won and lost opportunities are read-only until reopened. Win and lose are
refused while a later domain's guard objects (quotes: a draft or active quote).
"""

from __future__ import annotations

from enum import StrEnum

from leadgate.core.errors import InvalidTransition
from leadgate.core.lifecycle import StatusTransition
from leadgate.core.text import with_article


class OpportunityState(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


STATUSES: dict[OpportunityState, tuple[str, ...]] = {
    OpportunityState.OPEN: ("in_progress", "on_hold"),
    OpportunityState.WON: ("won",),
    OpportunityState.LOST: ("canceled", "out_sold"),
}


class Transition(StatusTransition[OpportunityState]):
    STATUSES = STATUSES


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("win", frozenset({OpportunityState.OPEN}), OpportunityState.WON, "won"),
        Transition("lose", frozenset({OpportunityState.OPEN}), OpportunityState.LOST, "canceled"),
        Transition(
            "reopen",
            frozenset({OpportunityState.WON, OpportunityState.LOST}),
            OpportunityState.OPEN,
            "in_progress",
        ),
        Transition("hold", frozenset({OpportunityState.OPEN}), OpportunityState.OPEN, "on_hold"),
        Transition(
            "resume", frozenset({OpportunityState.OPEN}), OpportunityState.OPEN, "in_progress"
        ),
    )
}


def allowed_moves(state: OpportunityState) -> list[str]:
    return sorted(name for name, t in TRANSITIONS.items() if state in t.sources)


def check_transition(name: str, state: OpportunityState) -> Transition:
    transition = TRANSITIONS[name]
    if state not in transition.sources:
        raise InvalidTransition(
            f"cannot {name} {with_article(state.value + ' opportunity')}",
            state=state.value,
            allowed=allowed_moves(state),
        )
    return transition
