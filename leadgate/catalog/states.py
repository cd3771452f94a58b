"""Product lifecycle: draft* ──activate──▶ active ──retire──▶ retired ──reactivate──▶ active.

Only active products go on new document lines; retired ones stay on the
documents that already hold them.
"""

from __future__ import annotations

from enum import StrEnum

from leadgate.core.errors import InvalidTransition
from leadgate.core.text import with_article


class ProductState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class ProductKind(StrEnum):
    PRODUCT = "product"
    FAMILY = "family"
    BUNDLE = "bundle"


TRANSITIONS: dict[str, tuple[frozenset[ProductState], ProductState]] = {
    "activate": (frozenset({ProductState.DRAFT}), ProductState.ACTIVE),
    "retire": (frozenset({ProductState.ACTIVE}), ProductState.RETIRED),
    "reactivate": (frozenset({ProductState.RETIRED}), ProductState.ACTIVE),
}


def allowed_moves(state: ProductState) -> list[str]:
    return sorted(name for name, (sources, _) in TRANSITIONS.items() if state in sources)


def check_transition(name: str, state: ProductState) -> ProductState:
    sources, target = TRANSITIONS[name]
    if state not in sources:
        raise InvalidTransition(
            f"cannot {name} {with_article(state.value + ' product')}",
            state=state.value,
            allowed=allowed_moves(state),
        )
    return target
