"""Rules a flow definition must meet before it is saved; every problem is listed at once.

- limits: at most 30 stages, 30 steps a stage, 5 record types;
- the first stage is on the flow's primary record type; stages only move
  forward along the sales chain (lead → opportunity → quote → order → invoice);
- stage keys are unique; every branch and `next` names a stage or "end";
- every stage is reachable from the first, and no path loops (so every path ends);
- steps name fields that exist on the stage's record type; conditions only
  use that stage's step fields, with a value the field's type accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadgate.core.errors import FieldProblem
from leadgate.processes.definition import (
    END,
    MAX_RECORD_TYPES,
    MAX_STAGES,
    MAX_STEPS,
    NEEDS_NO_VALUE,
    Operator,
    Stage,
    successors,
)
from leadgate.processes.gating import coerce

# record type -> field -> Python type of its value
FieldCatalogue = Mapping[str, Mapping[str, type[Any]]]
# Order of the sales chain: a flow may cross only forward.
CHAIN = ("lead", "opportunity", "quote", "order", "invoice")


def _rank(record_type: str) -> int:
    return CHAIN.index(record_type) if record_type in CHAIN else len(CHAIN)


def _check_condition_value(
    problems: list[FieldProblem], where: str, operator: Operator, value: Any, kind: type[Any]
) -> None:
    if operator in NEEDS_NO_VALUE:
        if value is not None:
            problems.append(FieldProblem(f"{where}.value", f"{operator} takes no value"))
        return
    if operator is Operator.IN:
        if not isinstance(value, list) or not value:
            problems.append(FieldProblem(f"{where}.value", "in needs a non-empty list"))
            return
        candidates = value
    elif value is None:
        problems.append(FieldProblem(f"{where}.value", f"{operator} needs a value"))
        return
    else:
        candidates = [value]
    for candidate in candidates:
        try:
            coerce(kind, candidate)
        except (ValueError, TypeError) as exc:
            problems.append(FieldProblem(f"{where}.value", str(exc)))
    if operator in (Operator.GREATER_THAN, Operator.LESS_THAN) and kind in (bool, str):
        problems.append(FieldProblem(f"{where}.operator", f"{operator} needs a number or date"))


def _check_stage(
    problems: list[FieldProblem], i: int, stage: Stage, catalogue: FieldCatalogue
) -> None:
    where = f"stages.{i}"
    fields = catalogue.get(stage.record_type)
    if fields is None:
        known = ", ".join(sorted(catalogue))
        problems.append(
            FieldProblem(f"{where}.record_type", f"unknown record type (known: {known})")
        )
        fields = {}
    if stage.key == END:
        problems.append(FieldProblem(f"{where}.key", f'"{END}" is reserved'))
    if len(stage.steps) > MAX_STEPS:
        problems.append(FieldProblem(f"{where}.steps", f"at most {MAX_STEPS} steps a stage"))
    seen: set[str] = set()
    for j, step in enumerate(stage.steps):
        if step.field in seen:
            problems.append(FieldProblem(f"{where}.steps.{j}.field", "step repeated"))
        seen.add(step.field)
        if fields and step.field not in fields:
            problems.append(
                FieldProblem(
                    f"{where}.steps.{j}.field", f"no field {step.field!r} on {stage.record_type}"
                )
            )
    if stage.record_type != "opportunity" and (
        stage.sales_stage is not None or stage.probability is not None
    ):
        problems.append(
            FieldProblem(
                f"{where}.sales_stage", "sales_stage and probability apply to opportunity stages"
            )
        )
    for b, branch in enumerate(stage.branches):
        for c, condition in enumerate(branch.conditions):
            at = f"{where}.branches.{b}.conditions.{c}"
            if condition.field not in seen:
                problems.append(
                    FieldProblem(
                        f"{at}.field",
                        f"{condition.field!r} is not a step of stage {stage.key!r}; "
                        "conditions may only use the stage's own steps",
                    )
                )
                continue
            kind = fields.get(condition.field, object)
            _check_condition_value(problems, at, condition.operator, condition.value, kind)


def _check_graph(problems: list[FieldProblem], stages: list[Stage]) -> None:
    keys = {stage.key: i for i, stage in enumerate(stages)}
    edges: dict[int, list[int]] = {}
    for i, stage in enumerate(stages):
        targets: list[int] = []
        for b, branch in enumerate(stage.branches):
            if branch.goto != END and branch.goto not in keys:
                problems.append(
                    FieldProblem(f"stages.{i}.branches.{b}.goto", f"no stage {branch.goto!r}")
                )
        if stage.next is not None and stage.next != END and stage.next not in keys:
            problems.append(FieldProblem(f"stages.{i}.next", f"no stage {stage.next!r}"))
        for target in successors(stages, i):
            if target in keys:
                j = keys[target]
                targets.append(j)
                if _rank(stages[j].record_type) < _rank(stage.record_type):
                    problems.append(
                        FieldProblem(
                            f"stages.{i}",
                            f"cannot go back from {stage.record_type} to "
                            f"{stages[j].record_type} (stage {target!r})",
                        )
                    )
        edges[i] = targets
    # Reachability and cycles with one iterative depth-first walk from the first stage.
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(range(len(stages)), white)
    stack: list[tuple[int, int]] = [(0, 0)]
    colour[0] = grey
    while stack:
        node, pos = stack.pop()
        if pos < len(edges[node]):
            stack.append((node, pos + 1))
            nxt = edges[node][pos]
            if colour[nxt] == grey:
                problems.append(
                    FieldProblem(
                        f"stages.{node}",
                        f"stage {stages[node].key!r} leads back to {stages[nxt].key!r}: "
                        "a flow may not loop",
                    )
                )
            elif colour[nxt] == white:
                colour[nxt] = grey
                stack.append((nxt, 0))
        else:
            colour[node] = black
    for i, stage in enumerate(stages):
        if colour[i] == white:
            problems.append(FieldProblem(f"stages.{i}", f"stage {stage.key!r} cannot be reached"))


def validate(
    primary_record_type: str, stages: list[Stage], catalogue: FieldCatalogue
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if primary_record_type not in catalogue:
        known = ", ".join(sorted(catalogue))
        problems.append(
            FieldProblem("primary_record_type", f"unknown record type (known: {known})")
        )
    if not stages:
        problems.append(FieldProblem("stages", "a flow needs at least one stage"))
        return problems
    if len(stages) > MAX_STAGES:
        problems.append(FieldProblem("stages", f"at most {MAX_STAGES} stages"))
    record_types = {stage.record_type for stage in stages}
    if len(record_types) > MAX_RECORD_TYPES:
        problems.append(
            FieldProblem("stages", f"at most {MAX_RECORD_TYPES} record types in one flow")
        )
    if stages[0].record_type != primary_record_type:
        problems.append(
            FieldProblem(
                "stages.0.record_type", f"the first stage must be on {primary_record_type}"
            )
        )
    seen: set[str] = set()
    for i, stage in enumerate(stages):
        if stage.key in seen:
            problems.append(FieldProblem(f"stages.{i}.key", f"stage key {stage.key!r} repeated"))
        seen.add(stage.key)
        _check_stage(problems, i, stage, catalogue)
    _check_graph(problems, stages)
    return problems
