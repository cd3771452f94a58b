"""Admin pages for business process flows: the flows of each record type, and an
editor for a flow's settings, stages, steps and branches.

Only users whose role may create flow definitions see these pages (others get
404, as for any record they may not see). Saving goes through
`processes.flows` like the API: the same request schema and the same
definition validation, with every problem shown on its input. Editing an active
flow saves a new version (the page says so and moves to it); instances running
the old version keep it.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.core.errors import DomainError, NotFound, ValidationFailed
from leadgate.processes import flows
from leadgate.processes.definition import Category, Operator
from leadgate.processes.models import ProcessFlow, ProcessInstance
from leadgate.processes.records import MODELS, field_types
from leadgate.processes.schemas import FlowCreate, FlowUpdate
from leadgate.processes.states import FlowStatus
from leadgate.security.access import Actor, load
from leadgate.security.roles import Role
from leadgate.web.auth import DbSession, FormData, User, flash
from leadgate.web.common import redirect
from leadgate.web.flow_form import (
    Draft,
    blank_stage,
    change_structure,
    from_flow,
    from_form,
    payload,
    put_problems,
    schema_problems,
)
from leadgate.web.render import render

router = APIRouter(include_in_schema=False)

OPERATORS = [
    (Operator.EQUALS.value, "equals"),
    (Operator.NOT_EQUALS.value, "does not equal"),
    (Operator.IN.value, "is one of (comma-separated)"),
    (Operator.GREATER_THAN.value, "is greater than"),
    (Operator.LESS_THAN.value, "is less than"),
    (Operator.IS_EMPTY.value, "is empty"),
    (Operator.IS_NOT_EMPTY.value, "is not empty"),
]


def _admin(user: User) -> Actor:
    if not flows.may_define(user.actor):
        raise NotFound("page not found")
    return user.actor


def _instance_counts(session: Session, flow_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not flow_ids:
        return {}
    rows = session.execute(
        select(ProcessInstance.flow_id, func.count())
        .where(ProcessInstance.flow_id.in_(flow_ids))
        .group_by(ProcessInstance.flow_id)
    )
    return {flow_id: int(count) for flow_id, count in rows}


@router.get("/admin/flows")
def flow_list(request: Request, user: User, session: DbSession) -> Response:
    actor = _admin(user)
    with session.begin():
        listed = flows.list_flows(session, actor)
        counts = _instance_counts(session, [f.id for f in listed])
        groups = [
            (record_type, [f for f in listed if f.primary_record_type == record_type])
            for record_type in MODELS
        ]
        return render(
            request,
            "flows/list.html",
            {
                "title": "Business process flows",
                "section": "flows",
                "groups": groups,
                "counts": counts,
            },
        )


def _editor(
    request: Request,
    session: Session,
    draft: Draft,
    flow: ProcessFlow | None,
    *,
    status: int = 200,
) -> Response:
    versions: list[ProcessFlow] = []
    counts: dict[uuid.UUID, int] = {}
    if flow is not None:
        versions = list(
            session.scalars(
                select(ProcessFlow)
                .where(ProcessFlow.family_id == flow.family_id)
                .order_by(ProcessFlow.flow_version.desc())
            )
        )
        counts = _instance_counts(session, [v.id for v in versions])
    fields = {record_type: sorted(field_types(record_type)) for record_type in MODELS}
    title = f"Edit flow: {flow.name}" if flow is not None else "New flow"
    return render(
        request,
        "flows/edit.html",
        {
            "title": title,
            "section": "flows",
            "draft": draft,
            "flow": flow,
            "versions": versions,
            "counts": counts,
            "fields": fields,
            "record_types": list(MODELS),
            "categories": [c.value for c in Category],
            "operators": OPERATORS,
            "roles": [r.value for r in Role],
            "sales_stages": ["qualify", "develop", "propose", "close"],
        },
        status=status,
    )


@router.get("/admin/flows/new")
def new_flow(request: Request, user: User, session: DbSession, type: str = "lead") -> Response:
    _admin(user)
    record_type = type if type in MODELS else "lead"
    draft = Draft(primary_record_type=record_type, stages=[blank_stage(record_type)])
    with session.begin():
        return _editor(request, session, draft, None)


def _load(session: Session, actor: Actor, flow_id: uuid.UUID) -> ProcessFlow:
    return load(session, actor, ProcessFlow, flow_id)


@router.get("/admin/flows/{flow_id}")
def edit_flow(request: Request, flow_id: uuid.UUID, user: User, session: DbSession) -> Response:
    actor = _admin(user)
    with session.begin():
        flow = _load(session, actor, flow_id)
        return _editor(request, session, from_flow(flow), flow)


def _problems_of(exc: Exception) -> list[Any]:
    if isinstance(exc, ValidationError):
        return schema_problems(exc)
    assert isinstance(exc, DomainError)
    return list(exc.errors)


@router.post("/admin/flows/new")
def create(request: Request, user: User, form: FormData, session: DbSession) -> Response:
    actor = _admin(user)
    draft = from_form(form)
    action = str(form.get("action") or "save")
    if action != "save":
        change_structure(draft, action)
        with session.begin():
            return _editor(request, session, draft, None)
    try:
        with session.begin():
            data = FlowCreate.model_validate(payload(draft, with_type=True))
            flow = flows.create_flow(session, actor, data)
            if draft.activate:
                flows.activate(session, actor, flow.id)
            flow_id, name = flow.id, flow.name
    except (ValidationError, ValidationFailed) as exc:
        put_problems(draft, _problems_of(exc))
        with session.begin():
            return _editor(request, session, draft, None, status=422)
    state = "activated" if draft.activate else "saved as a draft"
    return redirect(request, f"/admin/flows/{flow_id}", f"Flow {name} {state}.")


def _version(form: dict[str, Any]) -> int | None:
    raw = str(form.get("version", ""))
    return int(raw) if raw.isdigit() else None


@router.post("/admin/flows/{flow_id}")
def update(
    request: Request, flow_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    actor = _admin(user)
    with session.begin():
        flow = _load(session, actor, flow_id)
        record_type, was_version = flow.primary_record_type, flow.flow_version
    draft = from_form(form, record_type)
    action = str(form.get("action") or "save")
    if action != "save":
        change_structure(draft, action)
        with session.begin():
            return _editor(request, session, draft, _load(session, actor, flow_id))
    try:
        with session.begin():
            data = FlowUpdate.model_validate(payload(draft, with_type=False))
            saved = flows.update_flow(session, actor, flow_id, data, _version(form))
            saved_id, saved_version = saved.id, saved.flow_version
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status not in (409, 412, 422):
            raise
        problems = _problems_of(exc)
        if problems:
            put_problems(draft, problems)
        elif isinstance(exc, DomainError):
            draft.message = exc.detail[:1].upper() + exc.detail[1:]
            if exc.status == 412:
                draft.message = (
                    "Someone else saved this flow after you opened it; reload to see "
                    "their version (your changes are kept below)."
                )
        status = exc.status if isinstance(exc, DomainError) else 422
        with session.begin():
            return _editor(request, session, draft, _load(session, actor, flow_id), status=status)
    if saved_version != was_version:
        text = (
            f"Saved as version {saved_version}. Processes already running keep "
            f"version {was_version}."
        )
    else:
        text = "Flow saved."
    return redirect(request, f"/admin/flows/{saved_id}", text)


@router.post("/admin/flows/{flow_id}/{action}")
def change_status(
    request: Request,
    flow_id: uuid.UUID,
    action: str,
    user: User,
    form: FormData,
    session: DbSession,
) -> Response:
    actor = _admin(user)
    if action not in ("activate", "deactivate"):
        raise NotFound(f"no flow action {action!r}")
    back = "/admin/flows" if form.get("back") == "list" else f"/admin/flows/{flow_id}"
    try:
        with session.begin():
            flow = getattr(flows, action)(session, actor, flow_id, _version(form))
            name, status = flow.name, flow.status
    except DomainError as exc:
        if exc.status not in (409, 412, 422):
            raise
        detail = exc.detail[:1].upper() + exc.detail[1:]
        if exc.errors:
            detail += ": " + "; ".join(f"{p.field}: {p.message}" for p in exc.errors[:5])
        response = redirect(request, back)
        flash(request, response, detail, "error")
        return response
    text = "active" if status == FlowStatus.ACTIVE.value else "a draft"
    return redirect(request, back, f"Flow {name} is now {text}.")
