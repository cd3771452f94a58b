"""/api/v1/web-forms (managed forms) and the public /api/v1/web-to-lead/{form_key}."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from leadgate.api.deps import ActorDep, SessionDep
from leadgate.core.errors import ValidationFailed
from leadgate.imports import webforms
from leadgate.imports.webforms import MAX_BODY_BYTES, WebFormCreate

router = APIRouter(tags=["web-to-lead"])


class WebFormRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    form_key: str
    fields: list[str]
    owner_id: uuid.UUID
    campaign_id: uuid.UUID | None
    thank_you_url: str | None
    is_active: bool


@router.post("/web-forms", status_code=201, response_model=WebFormRead)
def create_form(data: WebFormCreate, session: SessionDep, actor: ActorDep) -> WebFormRead:
    with session.begin():
        return WebFormRead.model_validate(webforms.create_form(session, actor, data))


@router.get("/web-forms/{form_id}/snippet", response_class=HTMLResponse)
def form_snippet(
    form_id: uuid.UUID, request: Request, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """HTML to paste into a web page (includes the hidden honeypot field)."""
    with session.begin():
        form = webforms.get_form(session, actor, form_id)
        action = str(request.url_for("web_to_lead", form_key=form.form_key))
        return HTMLResponse(webforms.snippet(form, action))


async def _read_limited(request: Request) -> bytes:
    declared = int(request.headers.get("content-length") or 0)
    if declared > MAX_BODY_BYTES:
        raise ValidationFailed.on("body", f"at most {MAX_BODY_BYTES} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ValidationFailed.on("body", f"at most {MAX_BODY_BYTES} bytes")
    return body


def _payload(request: Request, body: bytes) -> dict[str, Any]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
        if kind == "application/json":
            data = json.loads(text or "{}")
            if not isinstance(data, dict):
                raise ValueError("expected an object")
            return {str(k): v for k, v in data.items()}
        return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=100))
    except ValueError as exc:
        raise ValidationFailed.on("body", f"unreadable form data: {exc}") from exc


def _submit(
    factory: sessionmaker[Session], key: str, payload: dict[str, Any], client: str, size: int
) -> webforms.Submission:
    with factory() as session, session.begin():
        return webforms.submit(session, key, payload, client, size)


@router.post("/web-to-lead/{form_key}", name="web_to_lead", status_code=201)
async def web_to_lead(form_key: str, request: Request) -> Response:
    """Public: no token. Form-encoded posts are redirected to the thank-you page."""
    body = await _read_limited(request)
    payload = _payload(request, body)
    client = request.client.host if request.client else "unknown"
    done = await run_in_threadpool(
        _submit, request.app.state.session_factory, form_key, payload, client, len(body)
    )
    is_form = "json" not in request.headers.get("content-type", "")
    if is_form and done.thank_you_url:
        return RedirectResponse(done.thank_you_url, status_code=303)
    return JSONResponse({"status": "received"}, status_code=201)
