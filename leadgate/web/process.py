"""The process bar on lead and opportunity pages: stages, the active stage's steps edited
in place, Next / Previous / Finish / Abandon / Reactivate and switching flows.

The bar is `processes.views.instance_view` drawn as HTML; moves go through
`processes.instances`, step edits through the record's own update service
(with the record's version). A refusal (missing steps, a move the instance's
state does not allow, a stale version) re-draws the bar with the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from leadgate.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from leadgate.processes import flows, instances
from leadgate.processes.instances import Run
from leadgate.processes.records import MODELS, field_types
from leadgate.processes.schemas import InstanceRead
from leadgate.processes.states import FlowStatus
from leadgate.processes.views import instance_view
from leadgate.security.access import Actor, can
from leadgate.security.roles import Op
from leadgate.web.auth import DbSession, FormData, User, flash
from leadgate.web.common import pickers, redirect
from leadgate.web.forms import Input
from leadgate.web.render import is_htmx, render
from leadgate.web.specs import SPECS, Spec

router = APIRouter(include_in_schema=False)

MOVES = {
    "next_stage": ("Next stage", "Moved to the next stage."),
    "previous_stage": ("Previous stage", "Moved back to the previous stage."),
    "finish": ("Finish", "Process finished."),
    "abandon": ("Abandon", "Process abandoned."),
    "reactivate": ("Reactivate", "Process reactivated."),
}
YES_NO = (("", "—"), ("true", "Yes"), ("false", "No"))


@dataclass
class Step:
    """One step of the active stage as the bar shows it."""

    field: str
    label: str
    required: bool
    filled: bool
    input: Input
    value: str
    editable: bool


@dataclass
class Bar:
    view: InstanceRead
    steps: list[Step]
    record_type: str  # the page's record
    record_id: uuid.UUID
    stage_record_type: str  # the active stage's record (a lead page can show Develop)
    stage_record_version: int
    flows: list[tuple[str, str]]
    can_write: bool
    can_move: bool
    back: str
    message: str | None = None
    missing: list[str] = field(default_factory=list)
    stale: bool = False


def _input_for(spec: Spec, name: str, kind: type[Any]) -> Input:
    known = next((i for i in spec.inputs if i.name == name), None)
    if kind is bool:
        return Input(name, known.label if known else name, "yesno", YES_NO)
    if known is not None:
        return known
    if kind is uuid.UUID:
        picker = "account" if name.endswith("account_id") else "contact"
        return Input(name, name, picker)
    if kind is date:
        return Input(name, name, "date")
    if kind in (int, float, Decimal):
        return Input(name, name, "number")
    return Input(name, name)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _flows_to_switch(
    session: Session, actor: Actor, record_type: str, current: uuid.UUID
) -> list[tuple[str, str]]:
    active = flows.list_flows(session, actor, record_type, FlowStatus.ACTIVE)
    return [
        (str(f.id), f.name)
        for f in active
        if f.family_id != current and (not f.roles or actor.role.value in f.roles)
    ]


def bar_for(
    session: Session, actor: Actor, run: Run, record_type: str, record_id: uuid.UUID, back: str
) -> Bar:
    view = instance_view(session, run)
    stage = run.stage
    spec = SPECS[stage.record_type]
    types = field_types(stage.record_type)
    values = run.values(session)
    editable_fields = set(spec.update_schema.model_fields) if spec.update_schema else set()
    writable = can(actor, stage.record_type, Op.WRITE, getattr(run.record, "owner_id", None))
    # A closed record's process follows the record (reactivating or reopening it resumes
    # the process), so the bar offers no moves of its own.
    closed = spec.closed(run.record)
    steps = [
        Step(
            field=s.field,
            label=s.label,
            required=s.required,
            filled=s.filled,
            input=_input_for(spec, s.field, types.get(s.field, str)),
            value=_shown(values.get(s.field)),
            editable=writable
            and s.field in editable_fields
            and view.state == "active"
            and not closed,
        )
        for s in view.steps
    ]
    return Bar(
        view=view,
        steps=steps,
        record_type=record_type,
        record_id=record_id,
        stage_record_type=stage.record_type,
        stage_record_version=run.record.version,
        flows=_flows_to_switch(session, actor, record_type, run.instance.flow_family_id)
        if writable
        else [],
        can_write=writable,
        can_move=writable and not closed,
        back=back,
    )


def process_context(session: Session, actor: Actor, spec: Spec, record: Any) -> dict[str, Any]:
    """What record.html's process bar include needs (nothing on other record types)."""
    if spec.key not in MODELS:
        return {"process": None}
    instance = instances.current_instance(session, spec.key, record.id)
    if instance is None:
        return {"process": None}
    try:
        run = instances.load_run(session, actor, instance.id)
    except (NotFound, Forbidden):
        # The active stage sits on a record this user may not see (another's opportunity).
        return {"process": None}
    bar = bar_for(session, actor, run, spec.key, record.id, spec.url(record))
    return {"process": bar, "process_pickers": _pickers(session, actor, bar)}


def _pickers(session: Session, actor: Actor, bar: Bar) -> dict[str, Any]:
    return pickers(session, actor, {s.input.kind for s in bar.steps})


def _back(form: dict[str, Any], record_type: str, record_id: uuid.UUID) -> str:
    back = str(form.get("back") or "")
    if back.startswith("/") and not back.startswith("//"):
        return back
    return f"{SPECS[record_type].path}/{record_id}"


def _page_of(form: dict[str, Any], run: Run) -> tuple[str, uuid.UUID]:
    """The record whose page sent the form (the lead's page may show the opportunity's stage)."""
    record_type = str(form.get("record_type") or run.instance.record_type)
    if record_type not in MODELS:
        record_type = run.instance.record_type
    record_id = run.instance.lead_id if record_type == "lead" else run.instance.opportunity_id
    if record_id is None:
        record_type, record_id = run.instance.record_type, run.record.id
    return record_type, record_id


def _refused(
    request: Request,
    session: Session,
    user: User,
    instance_id: uuid.UUID,
    form: dict[str, Any],
    error: DomainError,
) -> Response:
    """The bar again, fresh from the database, with why the request was refused."""
    message = error.detail[:1].upper() + error.detail[1:]
    allowed: list[Any] = list(error.extra().get("allowed") or [])  # type: ignore[call-overload]
    if allowed:
        message += f" (allowed: {', '.join(str(a).replace('_', ' ') for a in allowed)})"
    if error.status == 412:
        message = "Someone else saved this record first; reload and try again."
    if not is_htmx(request):
        with session.begin():
            run = instances.load_run(session, user.actor, instance_id)
            record_type, record_id = _page_of(form, run)
        response = redirect(request, _back(form, record_type, record_id))
        flash(request, response, message, "error")
        return response
    with session.begin():
        run = instances.load_run(session, user.actor, instance_id)
        record_type, record_id = _page_of(form, run)
        back = _back(form, record_type, record_id)
        bar = bar_for(session, user.actor, run, record_type, record_id, back)
        bar.message = message
        bar.stale = error.status == 412
        labels = {s.field: s.label for s in bar.steps}
        if error.status == 422 and error.errors and form.get("field"):
            # A refused step value: name the step and say what is wrong with it.
            problem = error.errors[0]
            bar.message = f"{labels.get(problem.field, problem.field)}: {problem.message}"
        elif error.status == 422 and error.errors:
            bar.missing = [labels.get(p.field, p.field) for p in error.errors]
        return render(
            request,
            "partials/process_bar.html",
            {"process": bar, "process_pickers": _pickers(session, user.actor, bar)},
            status=error.status,
        )


def _version(form: dict[str, Any]) -> int | None:
    raw = str(form.get("version", ""))
    return int(raw) if raw.isdigit() else None


@router.post("/process/{instance_id}/move/{action}")
def move(
    request: Request,
    instance_id: uuid.UUID,
    action: str,
    user: User,
    form: FormData,
    session: DbSession,
) -> Response:
    if action not in MOVES:
        raise NotFound(f"no process action {action!r}")
    try:
        with session.begin():
            run = getattr(instances, action)(session, user.actor, instance_id, _version(form))
            record_type, record_id = _page_of(form, run)
            back = _back(form, record_type, record_id)
    except DomainError as exc:
        if exc.status not in (409, 412, 422):
            raise
        return _refused(request, session, user, instance_id, form, exc)
    return redirect(request, back, MOVES[action][1])


def _step_value(step: Input, raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    if step.kind == "yesno":
        return raw == "true"
    return raw


@router.post("/process/{instance_id}/step")
def save_step(
    request: Request, instance_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    name = str(form.get("field", ""))
    try:
        with session.begin():
            run = instances.load_run(session, user.actor, instance_id)
            spec = SPECS[run.stage.record_type]
            if name not in {s.field for s in run.stage.steps}:
                raise ValidationFailed.on("field", f"{name!r} is not a step of {run.stage.name}")
            if spec.update_schema is None or spec.updater is None:
                raise ValidationFailed.on(name, "this step is not edited here")
            kind = field_types(run.stage.record_type).get(name, str)
            raw = form.get("value", "")
            value = _step_value(_input_for(spec, name, kind), raw if isinstance(raw, str) else "")
            try:
                data = spec.update_schema.model_validate({name: value})
            except ValueError as exc:
                raise ValidationFailed.on(name, _first_error(exc)) from exc
            spec.updater(session, user.actor, run.record.id, data, _version(form))
            record_type, record_id = _page_of(form, run)
            back = _back(form, record_type, record_id)
            label = next(s.label for s in run.stage.steps if s.field == name)
    except DomainError as exc:
        if exc.status not in (409, 412, 422):
            raise
        return _refused(request, session, user, instance_id, form, exc)
    return redirect(request, back, f"{label} saved.")


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return str(found[0].get("msg", "invalid")).removeprefix("Value error, ")
    return "invalid value"


@router.post("/process/switch/{record_type}/{record_id}")
def switch(
    request: Request,
    record_type: str,
    record_id: uuid.UUID,
    user: User,
    form: FormData,
    session: DbSession,
) -> Response:
    if record_type not in MODELS:
        raise NotFound(f"no process on {record_type!r} records")
    flow_id = str(form.get("flow_id", ""))
    try:
        wanted = uuid.UUID(flow_id)
    except ValueError as exc:
        raise ValidationFailed.on("flow_id", "choose a process") from exc
    with session.begin():
        run = instances.switch_flow(session, user.actor, record_type, record_id, wanted)
        name = run.flow.name
    return redirect(request, _back(form, record_type, record_id), f"Switched to {name}.")
