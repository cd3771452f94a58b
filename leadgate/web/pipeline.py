"""Opportunities: the pipeline kanban (drag between stages, to won or to lost) and the
win / lose / reopen dialogs.

A drop names the column the card landed in; the route turns it into the one
use case it means (change stage, win, lose) and the domain decides. A refusal
answers 409 with the reason, and the page puts the card back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from leadgate.accounts.models import Account
from leadgate.core.errors import DomainError, ValidationFailed
from leadgate.opportunities import service
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import LoseRequest, OpportunityUpdate, WinRequest
from leadgate.opportunities.states import STATUSES, OpportunityState
from leadgate.security.access import load
from leadgate.security.roles import Op
from leadgate.web.auth import DbSession, FormData, User
from leadgate.web.common import names, redirect
from leadgate.web.forms import FormState, apply_error, validate
from leadgate.web.render import render
from leadgate.web.specs import SPECS, STAGES

router = APIRouter(include_in_schema=False)
COLUMN_LIMIT = 50
CLOSED_COLUMNS = ("won", "lost")


def _version(form: dict[str, Any]) -> int | None:
    raw = str(form.get("version", ""))
    return int(raw) if raw.isdigit() else None


@router.get("/opportunities/pipeline")
def kanban(request: Request, user: User, session: DbSession) -> Response:
    lister = SPECS["opportunity"].lister
    columns: list[tuple[str, list[Opportunity]]] = []
    with session.begin():
        for stage in STAGES:
            page = lister(
                session,
                user.actor,
                filters={"state": "open", "sales_stage": stage},
                q=None,
                sort="estimated_close_date",
                cursor=None,
                limit=COLUMN_LIMIT,
            )
            columns.append((stage, page.items))
        for state in CLOSED_COLUMNS:
            page = lister(
                session,
                user.actor,
                filters={"state": state},
                q=None,
                sort="-updated_at",
                cursor=None,
                limit=COLUMN_LIMIT,
            )
            columns.append((state, page.items))
        accounts = names(
            session, user.actor, Account, [o.account_id for _, items in columns for o in items]
        )
    return render(
        request,
        "opportunities/kanban.html",
        {
            "title": "Pipeline",
            "section": "pipeline",
            "columns": columns,
            "refs": accounts,
        },
    )


@router.post("/opportunities/{opportunity_id}/move")
def move(opportunity_id: uuid.UUID, user: User, form: FormData, session: DbSession) -> JSONResponse:
    target = str(form.get("to", ""))
    version = _version(form)
    try:
        with session.begin():
            if target in STAGES:
                update = OpportunityUpdate.model_validate({"sales_stage": target})
                opportunity = service.update_opportunity(
                    session, user.actor, opportunity_id, update, version
                )
            elif target == "won":
                opportunity = service.win(
                    session, user.actor, opportunity_id, WinRequest(), version
                )
            elif target == "lost":
                opportunity = service.lose(
                    session, user.actor, opportunity_id, LoseRequest(), version
                )
            else:
                raise ValidationFailed.on("to", f"one of {', '.join((*STAGES, 'won', 'lost'))}")
            body = {
                "ok": True,
                "version": opportunity.version,
                "message": f"“{opportunity.name}” moved to {target.replace('_', ' ')}.",
            }
        return JSONResponse(body)
    except DomainError as exc:
        allowed = exc.extra().get("allowed")
        message = exc.detail + (f" (allowed: {', '.join(allowed)})" if allowed else "")  # type: ignore[arg-type]
        message = message[:1].upper() + message[1:]
        return JSONResponse({"ok": False, "message": message}, status_code=exc.status)


def _dialog(
    request: Request,
    session: DbSession,
    user: User,
    opportunity_id: uuid.UUID,
    kind: str,
    state: FormState,
    status: int = 200,
) -> Response:
    opportunity = load(session, user.actor, Opportunity, opportunity_id)
    competitors: list[tuple[str, str]] = []
    if kind == "lose":
        page = SPECS["account"].lister(
            session,
            user.actor,
            filters={"relationship_type": "competitor"},
            q=None,
            sort="name",
            cursor=None,
            limit=100,
        )
        competitors = [("", "—"), *((str(a.id), a.name) for a in page.items)]
    return render(
        request,
        f"opportunities/{kind}.html",
        {
            "opportunity": opportunity,
            "form": state,
            "statuses": STATUSES[OpportunityState.LOST],
            "competitors": competitors,
        },
        status=status,
    )


@router.get("/opportunities/{opportunity_id}/win")
def win_dialog(
    request: Request, opportunity_id: uuid.UUID, user: User, session: DbSession
) -> Response:
    with session.begin():
        opportunity = load(session, user.actor, Opportunity, opportunity_id, Op.WRITE)
        value = opportunity.total_amount or opportunity.estimated_value
        state = FormState(
            values={
                "actual_value": format(value.normalize(), "f") if value is not None else "",
                "actual_close_date": "",
                "description": "",
            }
        )
        return _dialog(request, session, user, opportunity_id, "win", state)


@router.get("/opportunities/{opportunity_id}/lose")
def lose_dialog(
    request: Request, opportunity_id: uuid.UUID, user: User, session: DbSession
) -> Response:
    with session.begin():
        load(session, user.actor, Opportunity, opportunity_id, Op.WRITE)
        state = FormState(
            values={"status": "canceled", "reason": "", "description": "", "competitor_id": ""}
        )
        return _dialog(request, session, user, opportunity_id, "lose", state)


def _close(
    request: Request,
    opportunity_id: uuid.UUID,
    user: User,
    form: FormData,
    session: DbSession,
    kind: str,
) -> Response:
    fields = (
        ("actual_value", "actual_close_date", "description")
        if kind == "win"
        else ("status", "competitor_id", "reason", "actual_close_date", "description")
    )
    state = FormState(values={name: str(form.get(name, "")) for name in fields})
    data_in = {k: v.strip() for k, v in state.values.items() if str(v).strip()}
    schema = WinRequest if kind == "win" else LoseRequest
    data = validate(schema, data_in, state)
    if data is not None:
        try:
            with session.begin():
                if isinstance(data, WinRequest):
                    service.win(session, user.actor, opportunity_id, data, _version(form))
                elif isinstance(data, LoseRequest):
                    service.lose(session, user.actor, opportunity_id, data, _version(form))
            verb = "won" if kind == "win" else "lost"
            return redirect(request, f"/opportunities/{opportunity_id}", f"Opportunity {verb}.")
        except DomainError as exc:
            if exc.status not in (409, 412, 422):
                raise
            apply_error(state, exc)
    with session.begin():
        return _dialog(request, session, user, opportunity_id, kind, state, status=422)


@router.post("/opportunities/{opportunity_id}/win")
def win(
    request: Request, opportunity_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    return _close(request, opportunity_id, user, form, session, "win")


@router.post("/opportunities/{opportunity_id}/lose")
def lose(
    request: Request, opportunity_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    return _close(request, opportunity_id, user, form, session, "lose")


_SIMPLE = {
    "reopen": (service.reopen, "Opportunity reopened."),
    "hold": (service.hold, "Opportunity put on hold."),
    "resume": (service.resume, "Opportunity resumed."),
}


def _simple_route(action: str) -> Callable[..., Response]:
    use_case, done = _SIMPLE[action]

    def run(
        request: Request, opportunity_id: uuid.UUID, user: User, form: FormData, session: DbSession
    ) -> Response:
        with session.begin():
            use_case(session, user.actor, opportunity_id, _version(form))
        return redirect(request, f"/opportunities/{opportunity_id}", done)

    return run


# One fixed path per action, so /opportunities/{id}/edit and /delete stay the records'.
for _action in _SIMPLE:
    router.add_api_route(
        f"/opportunities/{{opportunity_id}}/{_action}", _simple_route(_action), methods=["POST"]
    )
