"""Gating and branch choice: pure functions over a stage and a record's field values.

A required step is empty when its value is None, a blank string or an empty
collection; False and 0 are answers, not gaps.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from leadgate.processes.definition import (
    END,
    Condition,
    Operator,
    Stage,
    Step,
    default_next,
)


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict | set):
        return not value
    return False


def missing_steps(stage: Stage, values: Mapping[str, Any]) -> list[Step]:
    return [step for step in stage.steps if step.required and is_empty(values.get(step.field))]


def coerce(kind: type[Any], raw: Any) -> Any:
    """Turn a condition's JSON value into the field's Python type (ValueError if it cannot)."""
    if raw is None:
        return None
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in {"true", "false"}:
            return raw.lower() == "true"
        raise ValueError(f"expected true or false, got {raw!r}")
    if kind in (Decimal, int, float):
        if isinstance(raw, bool):
            raise ValueError(f"expected a number, got {raw!r}")
        try:
            return Decimal(str(raw))
        except InvalidOperation as exc:
            raise ValueError(f"expected a number, got {raw!r}") from exc
    if kind is datetime:
        return datetime.fromisoformat(str(raw))
    if kind is date:
        return date.fromisoformat(str(raw))
    if kind is uuid.UUID:
        return uuid.UUID(str(raw))
    if kind is str:
        if isinstance(raw, dict | list):
            raise ValueError("expected text")
        return str(raw)
    return raw


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def _same(value: Any, raw: Any) -> bool:
    if value is None or raw is None:
        return value is None and raw is None
    try:
        return bool(_comparable(value) == coerce(type(_comparable(value)), raw))
    except ValueError:
        return False


def _order(value: Any, raw: Any, greater: bool) -> bool:
    if value is None or raw is None or isinstance(value, bool):
        return False
    mine = _comparable(value)
    try:
        theirs = coerce(type(mine), raw)
        return bool(mine > theirs) if greater else bool(mine < theirs)
    except (ValueError, TypeError):
        return False


def condition_holds(condition: Condition, values: Mapping[str, Any]) -> bool:
    value = values.get(condition.field)
    match condition.operator:
        case Operator.IS_EMPTY:
            return is_empty(value)
        case Operator.IS_NOT_EMPTY:
            return not is_empty(value)
        case Operator.EQUALS:
            return _same(value, condition.value)
        case Operator.NOT_EQUALS:
            return not _same(value, condition.value)
        case Operator.IN:
            options = condition.value if isinstance(condition.value, list) else []
            return any(_same(value, option) for option in options)
        case Operator.GREATER_THAN:
            return _order(value, condition.value, greater=True)
        case Operator.LESS_THAN:
            return _order(value, condition.value, greater=False)


def choose_next(stages: list[Stage], index: int, values: Mapping[str, Any]) -> str:
    """The key of the stage after `stages[index]` for these values, or END."""
    for branch in stages[index].branches:
        results = (condition_holds(c, values) for c in branch.conditions)
        if all(results) if branch.match == "all" else any(results):
            return branch.goto
    return default_next(stages, index)


def index_of(stages: list[Stage], key: str) -> int:
    for i, stage in enumerate(stages):
        if stage.key == key:
            return i
    raise KeyError(key)


__all__ = ["END", "choose_next", "condition_holds", "index_of", "is_empty", "missing_steps"]
