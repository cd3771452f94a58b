"""Gating and branch choice without a database, and random definitions (hypothesis):
either refused, or every walk through them ends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.processes.definition import END, Condition, Operator, Stage, parse_stages
from leadgate.processes.gating import choose_next, condition_holds, index_of, missing_steps
from leadgate.processes.records import catalogue
from leadgate.processes.validation import MAX_STAGES, validate

CATALOGUE = catalogue()


def _stage(**extra: Any) -> Stage:
    return Stage.model_validate({"key": "a", "name": "A", "record_type": "lead", **extra})


def test_required_steps_block_until_filled() -> None:
    stage = _stage(
        steps=[
            {"field": "need", "label": "Need", "required": True},
            {"field": "decision_maker", "label": "Decision maker", "required": True},
            {"field": "description", "label": "Notes"},
        ]
    )
    assert [s.field for s in missing_steps(stage, {"need": " ", "decision_maker": None})] == [
        "need",
        "decision_maker",
    ]
    # False is an answer, not a gap; optional steps never block.
    assert missing_steps(stage, {"need": "must_have", "decision_maker": False}) == []


@pytest.mark.parametrize(
    ("operator", "value", "record_value", "expected"),
    [
        ("equals", "must_have", "must_have", True),
        ("equals", "100", Decimal("100.0000"), True),
        ("not_equals", "must_have", None, True),
        ("in", ["a", "b"], "b", True),
        ("in", ["a", "b"], "c", False),
        ("greater_than", 1000, Decimal("1000.01"), True),
        ("greater_than", 1000, None, False),
        ("less_than", "2026-12-01", date(2026, 11, 30), True),
        ("less_than", "2026-12-01", date(2026, 12, 1), False),
        ("is_empty", None, "", True),
        ("is_not_empty", None, 0, True),
        ("equals", True, False, False),
        ("equals", "true", True, True),
    ],
)
def test_operators(operator: str, value: Any, record_value: Any, expected: bool) -> None:
    condition = Condition(field="f", operator=Operator(operator), value=value)
    assert condition_holds(condition, {"f": record_value}) is expected


def test_first_matching_branch_wins_else_default() -> None:
    raw = [
        {
            "key": "qualify",
            "name": "Qualify",
            "record_type": "lead",
            "steps": [
                {"field": "budget_amount", "label": "Budget"},
                {"field": "need", "label": "N"},
            ],
            "branches": [
                {
                    "match": "any",
                    "conditions": [
                        {"field": "need", "operator": "equals", "value": "no_need"},
                        {"field": "budget_amount", "operator": "is_empty"},
                    ],
                    "goto": "end",
                },
                {
                    "conditions": [
                        {"field": "budget_amount", "operator": "greater_than", "value": 50000}
                    ],
                    "goto": "enterprise",
                },
            ],
        },
        {"key": "standard", "name": "Standard", "record_type": "lead", "next": "end"},
        {"key": "enterprise", "name": "Enterprise", "record_type": "lead"},
    ]
    stages = parse_stages(raw)
    assert validate("lead", stages, CATALOGUE) == []
    assert choose_next(stages, 0, {"need": "no_need", "budget_amount": Decimal(9)}) == END
    assert choose_next(stages, 0, {"need": "must_have", "budget_amount": None}) == END
    assert choose_next(stages, 0, {"need": "must_have", "budget_amount": 60000}) == "enterprise"
    assert choose_next(stages, 0, {"need": "must_have", "budget_amount": 100}) == "standard"


FIELDS = ["need", "budget_amount", "purchase_timeframe"]


@st.composite
def definitions(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 8))
    keys = [f"s{i}" for i in range(count)]
    targets = st.sampled_from([*keys, "end", "nowhere"])
    stages = []
    for key in keys:
        steps = draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=3))
        branches = []
        for _ in range(draw(st.integers(0, 2))):
            field = draw(st.sampled_from([*steps, "rating"])) if steps else "rating"
            branches.append(
                {
                    "match": draw(st.sampled_from(["all", "any"])),
                    "conditions": [
                        {
                            "field": field,
                            "operator": draw(st.sampled_from(["is_empty", "is_not_empty"])),
                        }
                    ],
                    "goto": draw(targets),
                }
            )
        stage: dict[str, Any] = {
            "key": key,
            "name": key,
            "record_type": "lead",
            "steps": [{"field": f, "label": f} for f in steps],
            "branches": branches,
        }
        if draw(st.booleans()):
            stage["next"] = draw(targets)
        stages.append(stage)
    return stages


values_strategy = st.fixed_dictionaries(
    {f: st.one_of(st.none(), st.just("x")) for f in [*FIELDS, "rating"]}
)


@settings(max_examples=200, deadline=None)
@given(definitions(), st.lists(values_strategy, min_size=1, max_size=MAX_STAGES + 1))
def test_random_definitions_are_refused_or_always_end(
    raw: list[dict[str, Any]], answers: list[dict[str, Any]]
) -> None:
    stages = parse_stages(raw)
    problems = validate("lead", stages, CATALOGUE)
    if problems:
        return
    # A valid definition: whatever the answers, a walk ends within len(stages) moves.
    index, seen = 0, {0}
    for step in range(len(stages) + 1):
        key = choose_next(stages, index, answers[step % len(answers)])
        if key == END:
            return
        index = index_of(stages, key)
        assert index not in seen, "a valid definition looped"
        seen.add(index)
    pytest.fail("a valid definition did not end")
