"""The shape of a business process flow definition (stages, steps, branches).

A definition is data: it is stored as JSON on the flow row, one row per
version, so a running instance keeps the exact version it started with.
The Pydantic shapes here only bound the size of a request; the rules (limits,
reachability, cycles, fields that exist) live in `validation`, which lists
every problem at once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

END = "end"  # a branch or `next` that ends the flow

# Dynamics' limits.
MAX_ACTIVE_FLOWS_PER_TYPE = 10
MAX_STAGES = 30
MAX_STEPS = 30
MAX_RECORD_TYPES = 5


class Category(StrEnum):
    QUALIFY = "qualify"
    DEVELOP = "develop"
    PROPOSE = "propose"
    CLOSE = "close"
    IDENTIFY = "identify"
    RESEARCH = "research"
    RESOLVE = "resolve"
    CUSTOM = "custom"


class Operator(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN = "in"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"


NEEDS_NO_VALUE = frozenset({Operator.IS_EMPTY, Operator.IS_NOT_EMPTY})

Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")]
Label = Annotated[str, Field(min_length=1, max_length=200)]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Step(_Shape):
    field: Code
    label: Label
    required: bool = False


class Condition(_Shape):
    field: Code
    operator: Operator
    value: Any = None


class Branch(_Shape):
    match: Literal["all", "any"] = "all"
    # Bounded well above any sane use; `validation` reports the real rules.
    conditions: list[Condition] = Field(min_length=1, max_length=50)
    goto: Code  # a stage key or "end"


class Stage(_Shape):
    key: Code
    name: Label
    record_type: Code
    category: Category = Category.CUSTOM
    steps: list[Step] = Field(default_factory=list, max_length=100)
    # Tried in order after this stage; the first that matches chooses the next stage.
    branches: list[Branch] = Field(default_factory=list, max_length=50)
    # The default branch: a stage key, "end", or None for the stage that follows in the list.
    next: Code | None = None
    # Integration with the opportunity: set these fields when the stage becomes active.
    sales_stage: Literal["qualify", "develop", "propose", "close"] | None = None
    probability: int | None = Field(default=None, ge=0, le=100)


def default_next(stages: list[Stage], index: int) -> str:
    """Where the default branch of stage `index` leads (a key or END)."""
    stage = stages[index]
    if stage.next is not None:
        return stage.next
    return stages[index + 1].key if index + 1 < len(stages) else END


def successors(stages: list[Stage], index: int) -> list[str]:
    targets = [branch.goto for branch in stages[index].branches]
    targets.append(default_next(stages, index))
    return list(dict.fromkeys(targets))


def parse_stages(raw: list[dict[str, Any]]) -> list[Stage]:
    return [Stage.model_validate(item) for item in raw]
