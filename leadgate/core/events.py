"""Synchronous domain events: how a lower layer lets a higher one react.

A lower module publishes; handlers registered by the composition root
(`leadgate.wiring`) run at once, in the same session and transaction, so a
reaction (an audit row, a guard from a later domain) commits or rolls back
with the change that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

E = TypeVar("E", bound="Event")


@dataclass(frozen=True)
class Event:
    """Base of every domain event."""


_handlers: defaultdict[type[Event], list[Callable[[Any, Any], None]]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[Any, E], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(session: Any, event: Event) -> None:
    for event_type in type(event).__mro__:
        for handler in _handlers.get(event_type, ()):
            handler(session, event)
