"""The records a flow's stages can sit on, and the fields their steps may name.

Fields are the SQLAlchemy model's columns (minus bookkeeping and state
columns, which steps cannot edit) plus derived fields a column cannot hold,
such as the opportunity's `has_lines` ("lines present").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from leadgate.db.base import Base
from leadgate.leads.models import Lead
from leadgate.opportunities.lines import has_lines as opportunity_has_lines
from leadgate.opportunities.models import Opportunity

MODELS: dict[str, type[Base]] = {"lead": Lead, "opportunity": Opportunity}

_NOT_STEPS = frozenset(
    {
        "id",
        "version",
        "created_at",
        "created_by_id",
        "updated_at",
        "updated_by_id",
        "deleted_at",
        "state",
        "status",
        "email_key",
        "phone_key",
        "company_key",
        "merged_into_id",
    }
)

Derived = Callable[[Session, Any], Any]


def _has_lines(session: Session, opportunity: Any) -> bool | None:
    # An empty answer (None, not False) makes a required "lines present" step block.
    return True if opportunity_has_lines(session, opportunity.id) else None


def _lead_score_field(name: str, kind: type[Any]) -> tuple[type[Any], Derived]:
    return kind, lambda _session, lead: getattr(lead, name, None)


_DERIVED: dict[str, dict[str, tuple[type[Any], Derived]]] = {
    "opportunity": {"has_lines": (bool, _has_lines)},
    # A lead's score lives in a side table (LeadScore); steps read it as a field.
    "lead": {
        "score": _lead_score_field("score", int),
        "grade": _lead_score_field("grade", str),
        "score_trend": _lead_score_field("score_trend", str),
        "score_reasons": _lead_score_field("score_reasons", dict),
    },
}


def register_derived_field(record_type: str, name: str, kind: type[Any], read: Derived) -> None:
    """Let a later domain (product lines) answer a derived field with real data."""
    _DERIVED.setdefault(record_type, {})[name] = (kind, read)


def _python_type(column: Any) -> type[Any]:
    try:
        kind: type[Any] = column.type.python_type
    except NotImplementedError:
        return object
    return kind


def field_types(record_type: str) -> dict[str, type[Any]]:
    model = MODELS[record_type]
    fields = {
        attr.key: _python_type(attr.columns[0])
        for attr in inspect(model).column_attrs
        if attr.key not in _NOT_STEPS
    }
    fields.update({name: kind for name, (kind, _) in _DERIVED.get(record_type, {}).items()})
    return fields


def catalogue() -> dict[str, dict[str, type[Any]]]:
    return {record_type: field_types(record_type) for record_type in MODELS}


def read_fields(
    session: Session, record: Any, record_type: str, names: Iterable[str]
) -> dict[str, Any]:
    derived = _DERIVED.get(record_type, {})
    values: dict[str, Any] = {}
    for name in names:
        if name in derived:
            values[name] = derived[name][1](session, record)
        else:
            values[name] = getattr(record, name, None)
    return values
