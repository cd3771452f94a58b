"""Lead actions: the qualify dialog (preview, matches, result), disqualify, reactivate.

The dialogs are HTMX partials swapped into the page's <dialog>; the rules are
`opportunities.qualification` and `leads.service`.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from leadgate.core.errors import DomainError
from leadgate.leads import service
from leadgate.leads.models import Lead
from leadgate.leads.schemas import DisqualifyRequest
from leadgate.leads.states import STATUSES, LeadState
from leadgate.opportunities import qualification
from leadgate.opportunities.schemas import QualifyRequest
from leadgate.security.access import load
from leadgate.security.roles import Op
from leadgate.web.auth import DbSession, FormData, User
from leadgate.web.common import parse_id, redirect
from leadgate.web.forms import FormState, apply_error, validate
from leadgate.web.render import render

router = APIRouter(include_in_schema=False)


def _version(form: dict[str, Any]) -> int | None:
    raw = str(form.get("version", ""))
    return int(raw) if raw.isdigit() else None


def _qualify_request(form: dict[str, Any], state: FormState) -> QualifyRequest | None:
    account = str(form.get("account", "new"))
    contact = str(form.get("contact", "new"))
    data: dict[str, Any] = {
        "create_account": account == "new",
        "create_contact": contact == "new",
        "create_opportunity": form.get("create_opportunity") == "on",
    }
    if account not in ("new", "none"):
        data["existing_account_id"] = parse_id(account) or account
    if contact not in ("new", "none"):
        data["existing_contact_id"] = parse_id(contact) or contact
    return validate(QualifyRequest, data, state)


def _qualify_dialog(
    request: Request,
    session: DbSession,
    user: User,
    lead_id: uuid.UUID,
    state: FormState,
    status: int = 200,
) -> Response:
    lead, planned, matches = qualification.preview(session, user.actor, lead_id)
    return render(
        request,
        "leads/qualify.html",
        {
            "lead": lead,
            "planned": planned,
            "matches": matches,
            "form": state,
        },
        status=status,
    )


@router.get("/leads/{lead_id}/qualify")
def qualify_dialog(
    request: Request, lead_id: uuid.UUID, user: User, session: DbSession
) -> Response:
    with session.begin():
        state = FormState(values={"account": "new", "contact": "new", "create_opportunity": True})
        return _qualify_dialog(request, session, user, lead_id, state)


@router.post("/leads/{lead_id}/qualify")
def qualify(
    request: Request, lead_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    state = FormState(
        values={
            "account": form.get("account", "new"),
            "contact": form.get("contact", "new"),
            "create_opportunity": form.get("create_opportunity") == "on",
        }
    )
    data = _qualify_request(form, state)
    if data is not None:
        try:
            with session.begin():
                done = qualification.qualify(session, user.actor, lead_id, data, _version(form))
                return render(request, "leads/qualified.html", {"done": done})
        except DomainError as exc:
            if exc.status not in (409, 412, 422):
                raise
            apply_error(state, exc)
    with session.begin():
        return _qualify_dialog(request, session, user, lead_id, state, status=422)


@router.get("/leads/{lead_id}/disqualify")
def disqualify_dialog(
    request: Request, lead_id: uuid.UUID, user: User, session: DbSession
) -> Response:
    with session.begin():
        lead = load(session, user.actor, Lead, lead_id, Op.WRITE)
        return render(
            request,
            "leads/disqualify.html",
            {
                "lead": lead,
                "statuses": STATUSES[LeadState.DISQUALIFIED],
                "form": FormState(values={"status": "lost", "reason": ""}),
            },
        )


@router.post("/leads/{lead_id}/disqualify")
def disqualify(
    request: Request, lead_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    state = FormState(values={"status": form.get("status", ""), "reason": form.get("reason", "")})
    payload = {"status": state.values["status"] or "lost"}
    if str(state.values["reason"]).strip():
        payload["reason"] = state.values["reason"]
    data = validate(DisqualifyRequest, payload, state)
    if data is not None:
        try:
            with session.begin():
                service.disqualify(session, user.actor, lead_id, data, _version(form))
            return redirect(request, f"/leads/{lead_id}", "Lead disqualified.")
        except DomainError as exc:
            if exc.status not in (409, 412, 422):
                raise
            apply_error(state, exc)
    with session.begin():
        lead = load(session, user.actor, Lead, lead_id)
        return render(
            request,
            "leads/disqualify.html",
            {"lead": lead, "statuses": STATUSES[LeadState.DISQUALIFIED], "form": state},
            status=422,
        )


@router.post("/leads/{lead_id}/reactivate")
def reactivate(
    request: Request, lead_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    with session.begin():
        service.reactivate(session, user.actor, lead_id, _version(form))
    return redirect(request, f"/leads/{lead_id}", "Lead reactivated; it is open again.")


@router.post("/leads/{lead_id}/mark-contacted")
def mark_contacted(
    request: Request, lead_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    with session.begin():
        service.mark_contacted(session, user.actor, lead_id, _version(form))
    return redirect(request, f"/leads/{lead_id}", "Lead marked as contacted.")
