"""Lifecycles of a flow definition and of a running flow instance.

Flow:      draft ──activate──▶ active ──deactivate──▶ draft
           active ──(edited)──▶ retired   (the edit becomes the next, active version)

Instance:  active ──next_stage / previous_stage──▶ active
           active ──finish──▶ finished      (on the last stage, required steps filled)
           active ──abandon─▶ aborted
           finished | aborted ──reactivate──▶ active   (e.g. an opportunity reopened)
"""

from __future__ import annotations

from enum import StrEnum

from leadgate.core.errors import InvalidTransition
from leadgate.core.text import with_article


class FlowStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class InstanceState(StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"
    ABORTED = "aborted"


FLOW_TRANSITIONS: dict[str, tuple[frozenset[FlowStatus], FlowStatus]] = {
    "activate": (frozenset({FlowStatus.DRAFT}), FlowStatus.ACTIVE),
    "deactivate": (frozenset({FlowStatus.ACTIVE}), FlowStatus.DRAFT),
}

INSTANCE_TRANSITIONS: dict[str, tuple[frozenset[InstanceState], InstanceState]] = {
    "next_stage": (frozenset({InstanceState.ACTIVE}), InstanceState.ACTIVE),
    "previous_stage": (frozenset({InstanceState.ACTIVE}), InstanceState.ACTIVE),
    "finish": (frozenset({InstanceState.ACTIVE}), InstanceState.FINISHED),
    "abandon": (frozenset({InstanceState.ACTIVE}), InstanceState.ABORTED),
    "reactivate": (
        frozenset({InstanceState.FINISHED, InstanceState.ABORTED}),
        InstanceState.ACTIVE,
    ),
}


def flow_moves(status: FlowStatus) -> list[str]:
    return sorted(name for name, (sources, _) in FLOW_TRANSITIONS.items() if status in sources)


def instance_moves(state: InstanceState) -> list[str]:
    return sorted(name for name, (sources, _) in INSTANCE_TRANSITIONS.items() if state in sources)


def check_flow(name: str, status: FlowStatus) -> FlowStatus:
    sources, target = FLOW_TRANSITIONS[name]
    if status not in sources:
        raise InvalidTransition(
            f"cannot {name} {with_article(status.value + ' flow')}",
            state=status.value,
            allowed=flow_moves(status),
        )
    return target


def check_instance(name: str, state: InstanceState) -> InstanceState:
    sources, target = INSTANCE_TRANSITIONS[name]
    if state not in sources:
        raise InvalidTransition(
            f"cannot {name.replace('_', ' ')} {with_article(state.value + ' process')}",
            state=state.value,
            allowed=instance_moves(state),
        )
    return target
