"""Forms: which inputs a page shows, and turning what was typed into the API's schemas.

Validation is the API's own (the same Pydantic input schemas and domain
services); this module only maps the form's strings onto them and the
errors back onto the inputs, keeping what the user typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from leadgate.core.errors import DomainError, FieldProblem
from leadgate.web.render import label

S = TypeVar("S", bound=BaseModel)


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str = "text"  # text, email, tel, url, textarea, select, date, number, checkbox
    options: Sequence[tuple[str, str]] = ()
    required: bool = False
    hint: str = ""
    wide: bool = False


@dataclass
class FormState:
    """What the form shows: the values (as typed) and the errors per input."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    stale: bool = False
    # Possible duplicates found on save (see web/duplicates.py), shown with "Save anyway".
    duplicates: list[dict[str, Any]] = field(default_factory=list)


def choices(codes: Sequence[str], blank: bool = True) -> list[tuple[str, str]]:
    found = [(code, label(code)) for code in codes]
    return [("", "—"), *found] if blank else found


def typed_values(inputs: Sequence[Input], form: dict[str, Any]) -> dict[str, Any]:
    """What the user typed, by input name (checkboxes as booleans)."""
    values: dict[str, Any] = {}
    for spec in inputs:
        raw = form.get(spec.name)
        if spec.kind == "checkbox":
            values[spec.name] = raw in ("on", "true", "1")
        else:
            values[spec.name] = raw if isinstance(raw, str) else ""
    return values


def payload(inputs: Sequence[Input], typed: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The schema's input: blanks are left out on create and mean "clear" on edit."""
    data: dict[str, Any] = {}
    for spec in inputs:
        value = typed.get(spec.name)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                if partial:
                    data[spec.name] = None
                continue
        data[spec.name] = value
    return data


def _field_of(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if "[" not in str(p)]
    return parts[0] if parts else ""


def _message(error: Any) -> str:
    if error.get("type") == "extra_forbidden":
        return "unknown field"
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def validate(schema: type[S], data: dict[str, Any], state: FormState) -> S | None:
    """The schema instance, or None with the problems put on the state's inputs."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            name = _field_of(error["loc"]) or "form"
            state.errors.setdefault(name, _message(error))
        state.message = "Please correct the fields marked below."
        return None


def apply_error(state: FormState, error: DomainError) -> None:
    """Put a domain error on the form: field problems in place, the rest as a message."""
    problems: list[FieldProblem] = error.errors
    for problem in problems:
        state.errors.setdefault(problem.field.split(".")[0], problem.message)
    state.message = error.detail if not problems else "Please correct the fields marked below."
    state.stale = error.status == 412
    if state.stale:
        state.message = (
            "Someone else saved this record after you opened it. "
            "Reload to see their changes (your typing is kept below)."
        )
