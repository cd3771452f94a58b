"""Quote lifecycle (DOMAIN.md "Quote → order → invoice").

    draft(in_progress*) ──activate──▶ active(in_progress*, open)
                                        ├─revise──▶ closed(revised) + new draft, revision + 1
                                        ├─close───▶ closed(lost*, canceled)
                                        └─win─────▶ won(won*) (create_order)

Only drafts are editable; a won quote cannot be revised.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from leadgate.core.errors import InvalidTransition, ValidationFailed
from leadgate.core.text import with_article


class QuoteState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    WON = "won"
    CLOSED = "closed"


STATUSES: dict[QuoteState, tuple[str, ...]] = {
    QuoteState.DRAFT: ("in_progress",),
    QuoteState.ACTIVE: ("in_progress", "open"),
    QuoteState.WON: ("won",),
    QuoteState.CLOSED: ("lost", "canceled", "revised"),
}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[QuoteState]
    target: QuoteState
    default_status: str
    # Statuses a caller may ask for (revise's "revised" is not one of close's choices).
    choices: tuple[str, ...] = ()

    def status(self, requested: str | None) -> str:
        if requested is None:
            return self.default_status
        if requested not in (self.choices or (self.default_status,)):
            raise ValidationFailed.on("status", f"one of {', '.join(self.choices)}")
        return requested


_ACTIVE = frozenset({QuoteState.ACTIVE})
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("activate", frozenset({QuoteState.DRAFT}), QuoteState.ACTIVE, "in_progress"),
        Transition("revise", _ACTIVE, QuoteState.CLOSED, "revised"),
        Transition("close", _ACTIVE, QuoteState.CLOSED, "lost", ("lost", "canceled")),
        Transition("win", _ACTIVE, QuoteState.WON, "won"),
    )
}


def allowed_moves(state: QuoteState) -> list[str]:
    return sorted(name for name, t in TRANSITIONS.items() if state in t.sources)


def check_transition(name: str, state: QuoteState) -> Transition:
    transition = TRANSITIONS[name]
    if state not in transition.sources:
        raise InvalidTransition(
            f"cannot {name} {with_article(state.value + ' quote')}",
            state=state.value,
            allowed=allowed_moves(state),
        )
    return transition


def is_open(state: str) -> bool:
    """Draft and active quotes keep their opportunity from closing."""
    return state in (QuoteState.DRAFT, QuoteState.ACTIVE)
