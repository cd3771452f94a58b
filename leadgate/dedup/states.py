"""Duplicate group lifecycle: what a review may do with a group a scan proposed.

    open* ──dismiss──▶ dismissed        (people say: not duplicates; never proposed again)
      │  ◀──reopen──┐
      └───merge───▶ merged              (at most one record of the group left unmerged)

`reopen` is the undo of a merge. A dismissed group stays dismissed: a later scan
does not propose its records again, so there is nothing to reopen it into.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from leadgate.core.errors import InvalidTransition


class GroupStatus(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[GroupStatus]
    target: GroupStatus


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("dismiss", frozenset({GroupStatus.OPEN}), GroupStatus.DISMISSED),
        Transition("merge", frozenset({GroupStatus.OPEN}), GroupStatus.MERGED),
        Transition("reopen", frozenset({GroupStatus.MERGED}), GroupStatus.OPEN),
    )
}


def allowed_moves(status: GroupStatus) -> list[str]:
    return sorted(name for name, t in TRANSITIONS.items() if status in t.sources)


def can_move(name: str, status: GroupStatus) -> bool:
    return status in TRANSITIONS[name].sources


def can_dismiss(status: GroupStatus) -> bool:
    return can_move("dismiss", status)


def can_merge(status: GroupStatus) -> bool:
    return can_move("merge", status)


def can_reopen(status: GroupStatus) -> bool:
    return can_move("reopen", status)


def check_transition(name: str, status: GroupStatus, detail: str | None = None) -> Transition:
    """The transition `name` from `status`, or InvalidTransition (409) naming the allowed
    moves."""
    if not can_move(name, status):
        raise InvalidTransition(
            detail or f"cannot {name} a {status.value} duplicate group",
            state=status.value,
            allowed=allowed_moves(status),
        )
    return TRANSITIONS[name]
