"""Flow definitions: every rule reported, all problems at once (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from leadgate.processes.definition import Stage, parse_stages
from leadgate.processes.records import catalogue
from leadgate.processes.validation import validate

CATALOGUE = catalogue()


def stage(key: str, record_type: str = "lead", **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": key.title(), "record_type": record_type, **extra}


def problems(primary: str, raw: list[dict[str, Any]]) -> dict[str, str]:
    found = validate(primary, parse_stages(raw), CATALOGUE)
    return {p.field: p.message for p in found}


def test_a_plain_lead_to_opportunity_flow_is_valid() -> None:
    raw = [
        stage("qualify", steps=[{"field": "need", "label": "Need", "required": True}]),
        stage("develop", "opportunity", steps=[{"field": "customer_need", "label": "Need"}]),
        stage("propose", "opportunity", steps=[{"field": "has_lines", "label": "Lines"}]),
    ]
    assert problems("lead", raw) == {}


def test_unknown_fields_and_record_types_are_named() -> None:
    raw = [
        stage("qualify", steps=[{"field": "shoe_size", "label": "Shoe size"}]),
        stage("ship", "spaceship"),
    ]
    found = problems("lead", raw)
    assert "no field 'shoe_size' on lead" in found["stages.0.steps.0.field"]
    assert "unknown record type" in found["stages.1.record_type"]


def test_state_and_bookkeeping_columns_are_not_steps() -> None:
    found = problems("lead", [stage("a", steps=[{"field": "state", "label": "State"}])])
    assert "stages.0.steps.0.field" in found


def test_a_cycle_is_refused() -> None:
    raw = [stage("a"), stage("b", next="a")]
    found = problems("lead", raw)
    assert "loop" in found["stages.1"]


def test_unreachable_stage_and_unknown_target_are_refused() -> None:
    raw = [stage("a", next="end"), stage("b", next="nowhere")]
    found = problems("lead", raw)
    assert "cannot be reached" in found["stages.1"]
    assert "no stage 'nowhere'" in found["stages.1.next"]


def test_condition_on_a_later_stages_field_is_refused() -> None:
    raw = [
        stage(
            "qualify",
            steps=[{"field": "need", "label": "Need"}],
            branches=[
                {
                    "conditions": [{"field": "customer_need", "operator": "is_empty"}],
                    "goto": "end",
                }
            ],
        ),
        stage("develop", "opportunity", steps=[{"field": "customer_need", "label": "Need"}]),
    ]
    found = problems("lead", raw)
    assert "not a step of stage 'qualify'" in found["stages.0.branches.0.conditions.0.field"]


@pytest.mark.parametrize(
    ("operator", "value", "message"),
    [
        ("greater_than", "lots", "expected a number"),
        ("in", "x", "non-empty list"),
        ("equals", None, "needs a value"),
        ("is_empty", 3, "takes no value"),
    ],
)
def test_condition_values_must_suit_the_field(operator: str, value: Any, message: str) -> None:
    raw = [
        stage(
            "qualify",
            steps=[{"field": "budget_amount", "label": "Budget"}],
            branches=[
                {
                    "conditions": [
                        {"field": "budget_amount", "operator": operator, "value": value}
                    ],
                    "goto": "end",
                }
            ],
        ),
    ]
    found = problems("lead", raw)
    assert message in found["stages.0.branches.0.conditions.0.value"]


def test_limits_are_reported_together() -> None:
    steps = [{"field": f, "label": f} for f in list(CATALOGUE["lead"])[:31]]
    raw = [stage(f"s{i}", steps=steps if i == 0 else []) for i in range(31)]
    found = problems("lead", raw)
    assert found["stages"] == "at most 30 stages"
    assert found["stages.0.steps"] == "at most 30 steps a stage"


def test_going_back_from_opportunity_to_lead_is_refused() -> None:
    raw = [stage("a"), stage("b", "opportunity", next="c"), stage("c")]
    found = problems("lead", raw)
    assert "cannot go back from opportunity to lead" in found["stages.1"]


def test_first_stage_is_on_the_primary_type() -> None:
    found = problems("opportunity", [stage("a")])
    assert found["stages.0.record_type"] == "the first stage must be on opportunity"


def test_sales_stage_only_on_opportunity_stages() -> None:
    found = problems("lead", [stage("a", sales_stage="develop")])
    assert "stages.0.sales_stage" in found


def test_repeated_keys_and_reserved_end() -> None:
    found = problems("lead", [stage("a"), stage("a"), stage("end")])
    assert "repeated" in found["stages.1.key"]
    assert "reserved" in found["stages.2.key"]


def test_stage_shapes_refuse_unknown_keys() -> None:
    with pytest.raises(ValueError, match="extra"):
        Stage.model_validate({**stage("a"), "colour": "red"})
