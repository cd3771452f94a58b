"""Activity lifecycle.

    open ──complete──▶ completed        scheduled ──complete──▶ completed
      └───cancel────▶ canceled            └────────cancel────▶ canceled

Appointments start `scheduled`, every other type `open`. Completed and
canceled activities are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from leadgate.core.errors import InvalidTransition


class ActivityState(StrEnum):
    OPEN = "open"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELED = "canceled"


STATUSES: dict[ActivityState, tuple[str, ...]] = {
    ActivityState.OPEN: ("open",),
    ActivityState.SCHEDULED: ("scheduled",),
    ActivityState.COMPLETED: ("completed", "made", "received", "sent"),
    ActivityState.CANCELED: ("canceled",),
}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[ActivityState]
    target: ActivityState


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "complete",
            frozenset({ActivityState.OPEN, ActivityState.SCHEDULED}),
            ActivityState.COMPLETED,
        ),
        Transition(
            "cancel",
            frozenset({ActivityState.OPEN, ActivityState.SCHEDULED}),
            ActivityState.CANCELED,
        ),
    )
}

OPEN_STATES = frozenset({ActivityState.OPEN, ActivityState.SCHEDULED})


def allowed_moves(state: ActivityState) -> list[str]:
    return sorted(name for name, t in TRANSITIONS.items() if state in t.sources)


def check_transition(name: str, state: ActivityState) -> Transition:
    transition = TRANSITIONS[name]
    if state not in transition.sources:
        raise InvalidTransition(
            f"cannot {name} an activity that is {state.value}",
            state=state.value,
            allowed=allowed_moves(state),
        )
    return transition
