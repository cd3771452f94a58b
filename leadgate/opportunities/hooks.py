"""Extension points for domains that build on opportunities.

Quotes (a later, higher domain) must stop an opportunity from being won or
lost while one of its quotes is draft or active. Opportunities cannot import
quotes, so the quotes domain registers a close guard here from the
composition root (`leadgate.wiring`).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from leadgate.opportunities.models import Opportunity

# A guard returns the reasons it objects (e.g. ["quote QUO-000012 is active"]), or [].
CloseGuard = Callable[[Session, Opportunity], list[str]]

_close_guards: list[CloseGuard] = []


def register_close_guard(guard: CloseGuard) -> None:
    if guard not in _close_guards:
        _close_guards.append(guard)


def close_objections(session: Session, opportunity: Opportunity) -> list[str]:
    return [reason for guard in _close_guards for reason in guard(session, opportunity)]
