"""The flow editor's form: a flow definition as named inputs and back.

Inputs are named by the same dotted paths as the definition's validation problems
(`stages.1.branches.0.conditions.2.value`), so each problem, whether from the
request schema or from `processes.validation`, lands on the input it is about.
The editor keeps what was typed as strings (`Draft`) until it is saved; the
structure buttons (add / remove a stage, step, branch or condition, move a stage)
change the draft without saving anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from leadgate.core.errors import FieldProblem
from leadgate.processes.definition import NEEDS_NO_VALUE, Operator
from leadgate.processes.models import ProcessFlow
from leadgate.security.roles import Role

Node = dict[str, Any]


@dataclass
class Draft:
    """The editor's content as typed: flow fields and the stages tree of strings."""

    name: str = ""
    description: str = ""
    primary_record_type: str = "lead"
    sort_order: str = "0"
    roles: list[str] = field(default_factory=list)
    activate: bool = False
    stages: list[Node] = field(default_factory=list)
    # Dotted path → message, and the input to focus after a structure change.
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    focus: str | None = None


def blank_stage(record_type: str) -> Node:
    return {
        "key": "",
        "name": "",
        "record_type": record_type,
        "category": "custom",
        "next": "",
        "sales_stage": "",
        "probability": "",
        "steps": [],
        "branches": [],
    }


def blank_step() -> Node:
    return {"field": "", "label": "", "required": False}


def blank_condition() -> Node:
    return {"field": "", "operator": "equals", "value": ""}


def blank_branch() -> Node:
    return {"match": "all", "goto": "", "conditions": [blank_condition()]}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return str(value)


def from_flow(flow: ProcessFlow) -> Draft:
    stages = []
    for raw in flow.stages:
        stage = blank_stage(str(raw.get("record_type", "lead")))
        for name in ("key", "name", "record_type", "category", "next", "sales_stage"):
            stage[name] = _text(raw.get(name, stage[name]))
        stage["probability"] = _text(raw.get("probability"))
        stage["steps"] = [
            {"field": s["field"], "label": s["label"], "required": bool(s.get("required"))}
            for s in raw.get("steps", [])
        ]
        stage["branches"] = [
            {
                "match": b.get("match", "all"),
                "goto": b["goto"],
                "conditions": [
                    {"field": c["field"], "operator": c["operator"], "value": _text(c.get("value"))}
                    for c in b["conditions"]
                ],
            }
            for b in raw.get("branches", [])
        ]
        stages.append(stage)
    return Draft(
        name=flow.name,
        description=flow.description or "",
        primary_record_type=flow.primary_record_type,
        sort_order=str(flow.sort_order),
        roles=list(flow.roles or []),
        stages=stages,
    )


def _nest(form: dict[str, Any]) -> list[Node]:
    """`stages.0.steps.1.field` style keys into lists of dicts (indexes in order)."""
    root: dict[Any, Any] = {}
    for key, value in form.items():
        if not key.startswith("stages."):
            continue
        parts: list[Any] = [int(p) if p.isdigit() else p for p in key.split(".")[1:]]
        if any(isinstance(p, int) and p > 500 for p in parts):
            continue  # far beyond any limit: not from our form
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value if isinstance(value, str) else str(value[-1])

    def listed(node: Any) -> Any:
        if isinstance(node, dict):
            if node and all(isinstance(k, int) for k in node):
                return [listed(node[k]) for k in sorted(node)]
            return {k: listed(v) for k, v in node.items()}
        return node

    stages = listed(root) if root else []
    return stages if isinstance(stages, list) else []


def _shape_stage(raw: Node) -> Node:
    stage = blank_stage(str(raw.get("record_type", "lead")))
    for name in ("key", "name", "record_type", "category", "next", "sales_stage", "probability"):
        stage[name] = str(raw.get(name, stage[name])).strip()
    stage["steps"] = [
        {
            "field": str(s.get("field", "")).strip(),
            "label": str(s.get("label", "")).strip(),
            "required": "required" in s,
        }
        for s in _items(raw.get("steps"))
    ]
    stage["branches"] = [
        {
            "match": str(b.get("match", "all")),
            "goto": str(b.get("goto", "")).strip(),
            "conditions": [
                {
                    "field": str(c.get("field", "")).strip(),
                    "operator": str(c.get("operator", "equals")),
                    "value": str(c.get("value", "")).strip(),
                }
                for c in _items(b.get("conditions"))
            ],
        }
        for b in _items(raw.get("branches"))
    ]
    return stage


def _items(value: Any) -> list[Node]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def from_form(form: dict[str, Any], primary_record_type: str | None = None) -> Draft:
    roles = form.get("roles", [])
    roles = [roles] if isinstance(roles, str) else list(roles)
    return Draft(
        name=str(form.get("name", "")).strip(),
        description=str(form.get("description", "")).strip(),
        primary_record_type=primary_record_type or str(form.get("primary_record_type", "lead")),
        sort_order=str(form.get("sort_order", "0")).strip(),
        roles=[r for r in roles if r in {role.value for role in Role}],
        activate=bool(form.get("activate")),
        stages=[_shape_stage(stage) for stage in _items(_nest(form))],
    )


def _condition_value(condition: Node) -> Any:
    raw = condition["value"]
    if condition["operator"] in {op.value for op in NEEDS_NO_VALUE}:
        return None
    if condition["operator"] == Operator.IN.value:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw or None


def definition(draft: Draft) -> list[Node]:
    """The stages as the API takes them (empty optional inputs left out)."""
    stages = []
    for stage in draft.stages:
        item: Node = {
            "key": stage["key"],
            "name": stage["name"],
            "record_type": stage["record_type"],
            "category": stage["category"] or "custom",
            "steps": [dict(step) for step in stage["steps"]],
            "branches": [
                {
                    "match": branch["match"],
                    "goto": branch["goto"],
                    "conditions": [
                        {
                            "field": c["field"],
                            "operator": c["operator"],
                            "value": _condition_value(c),
                        }
                        for c in branch["conditions"]
                    ],
                }
                for branch in stage["branches"]
            ],
        }
        for name in ("next", "sales_stage", "probability"):
            if stage[name]:
                item[name] = stage[name]
        stages.append(item)
    return stages


def payload(draft: Draft, *, with_type: bool) -> Node:
    data: Node = {
        "name": draft.name,
        "description": draft.description or None,
        "sort_order": draft.sort_order or "0",
        "roles": draft.roles or None,
        "stages": definition(draft),
    }
    if with_type:
        data["primary_record_type"] = draft.primary_record_type
    return data


def schema_problems(exc: ValidationError) -> list[FieldProblem]:
    """Pydantic's errors as the dotted paths the inputs are named by."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden":
            message = "unknown field"
        problems.append(FieldProblem(".".join(loc) or "form", message))
    return problems


def put_problems(draft: Draft, problems: Iterable[FieldProblem]) -> None:
    for problem in problems:
        draft.errors.setdefault(problem.field, problem.message)
    count = len(draft.errors)
    draft.message = (
        f"The flow was not saved: {count} problem{'s' if count != 1 else ''} "
        "(listed here and marked below)."
    )


def change_structure(draft: Draft, action: str) -> None:
    """Apply an add / remove / move button (`add_step:1`, `remove_condition:0:1:2`, …)."""
    verb, _, where = action.partition(":")
    at = [int(p) for p in where.split(":") if p.isdigit()]
    stages = draft.stages
    try:
        if verb == "add_stage":
            stages.append(blank_stage(draft.primary_record_type))
            draft.focus = f"stages.{len(stages) - 1}.key"
        elif verb == "remove_stage":
            del stages[at[0]]
        elif verb == "stage_up" and at[0] > 0:
            stages[at[0] - 1], stages[at[0]] = stages[at[0]], stages[at[0] - 1]
            draft.focus = f"stages.{at[0] - 1}.key"
        elif verb == "add_step":
            stages[at[0]]["steps"].append(blank_step())
            draft.focus = f"stages.{at[0]}.steps.{len(stages[at[0]]['steps']) - 1}.field"
        elif verb == "remove_step":
            del stages[at[0]]["steps"][at[1]]
        elif verb == "add_branch":
            stages[at[0]]["branches"].append(blank_branch())
            count = len(stages[at[0]]["branches"])
            draft.focus = f"stages.{at[0]}.branches.{count - 1}.match"
        elif verb == "remove_branch":
            del stages[at[0]]["branches"][at[1]]
        elif verb == "add_condition":
            conditions = stages[at[0]]["branches"][at[1]]["conditions"]
            conditions.append(blank_condition())
            draft.focus = f"stages.{at[0]}.branches.{at[1]}.conditions.{len(conditions) - 1}.field"
        elif verb == "remove_condition":
            del stages[at[0]]["branches"][at[1]]["conditions"][at[2]]
    except IndexError:
        pass  # a stale button: the draft stays as it is
