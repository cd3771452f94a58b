"""The shape every status-carrying transition table shares.

A domain's `states.py` subclasses `StatusTransition` with its own state enum and
`STATUSES` (state → the statuses allowed in it); the transition then checks a
requested status against its target state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from leadgate.core.errors import ValidationFailed

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class StatusTransition(Generic[S]):
    STATUSES: ClassVar[Mapping[Any, tuple[str, ...]]]

    name: str
    sources: frozenset[S]
    target: S
    default_status: str

    def status(self, requested: str | None) -> str:
        """The status to set: the requested one if the target state allows it."""
        status = requested or self.default_status
        allowed = self.STATUSES[self.target]
        if status not in allowed:
            raise ValidationFailed.on("status", f"one of {', '.join(allowed)}")
        return status
