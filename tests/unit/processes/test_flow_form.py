"""The flow editor's form ↔ definition mapping, without a database."""

from __future__ import annotations

from leadgate.web.flow_form import change_structure, definition, from_form


def _form(**extra: str) -> dict[str, object]:
    return {
        "name": "Triage",
        "primary_record_type": "lead",
        "roles": "salesperson",
        "stages.0.key": "a",
        "stages.0.name": "A",
        "stages.0.record_type": "lead",
        "stages.0.steps.0.field": "rating",
        "stages.0.steps.0.label": "Rating",
        "stages.0.steps.1.field": "need",
        "stages.0.steps.1.label": "Need",
        "stages.0.steps.1.required": "on",
        "stages.0.branches.0.match": "any",
        "stages.0.branches.0.goto": "end",
        "stages.0.branches.0.conditions.0.field": "rating",
        "stages.0.branches.0.conditions.0.operator": "in",
        "stages.0.branches.0.conditions.0.value": "cold, warm,",
        "stages.0.branches.0.conditions.1.field": "need",
        "stages.0.branches.0.conditions.1.operator": "is_empty",
        "stages.0.branches.0.conditions.1.value": "ignored",
        "stages.1.key": "b",
        "stages.1.name": "B",
        "stages.1.record_type": "lead",
        "stages.1.probability": "40",
        **extra,
    }


def test_indexed_inputs_become_the_definition() -> None:
    draft = from_form(_form())
    assert draft.roles == ["salesperson"]
    stages = definition(draft)
    assert [s["key"] for s in stages] == ["a", "b"]
    assert stages[0]["steps"] == [
        {"field": "rating", "label": "Rating", "required": False},
        {"field": "need", "label": "Need", "required": True},
    ]
    branch = stages[0]["branches"][0]
    assert branch["match"] == "any"
    assert branch["conditions"] == [
        {"field": "rating", "operator": "in", "value": ["cold", "warm"]},
        {"field": "need", "operator": "is_empty", "value": None},
    ]
    assert stages[1]["probability"] == "40"
    assert "next" not in stages[1]


def test_rows_are_ordered_by_index_not_by_arrival() -> None:
    form = {"stages.1.key": "second", "stages.0.key": "first", "stages.10.key": "eleventh"}
    assert [s["key"] for s in from_form(form).stages] == ["first", "second", "eleventh"]


def test_structure_buttons() -> None:
    draft = from_form(_form())
    change_structure(draft, "add_condition:0:0")
    assert len(draft.stages[0]["branches"][0]["conditions"]) == 3
    assert draft.focus == "stages.0.branches.0.conditions.2.field"
    change_structure(draft, "remove_step:0:0")
    assert [s["field"] for s in draft.stages[0]["steps"]] == ["need"]
    change_structure(draft, "stage_up:1")
    assert [s["key"] for s in draft.stages] == ["b", "a"]
    change_structure(draft, "remove_branch:9:9")  # a stale button changes nothing
    assert [s["key"] for s in draft.stages] == ["b", "a"]
    change_structure(draft, "add_stage")
    assert draft.stages[-1]["record_type"] == "lead"
    assert draft.focus == "stages.2.key"
