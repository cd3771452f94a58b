"""Web-to-lead: public forms that create leads, guarded against spam.

A form (created by a manager) names the lead fields it accepts, the owner of
the leads it creates, an optional campaign and a thank-you URL; it is reached
by its unguessable `form_key`. A submission is refused when it is too large,
filled the hidden honeypot field (answered as if accepted, nothing stored), or
exceeds the per-address rate limit, which is counted in the database so every
server process shares it (counters of finished windows are deleted as new
windows start, a bounded number at a time). A submission matching an open lead by the published
duplicate rules does not create a second lead.
"""

from __future__ import annotations

import html
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, ValidationError
from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from leadgate.audit.recording import add_record
from leadgate.core.clock import utcnow
from leadgate.core.errors import DomainError, FieldProblem, NotFound, ValidationFailed
from leadgate.core.fields import Input
from leadgate.core.ids import new_id
from leadgate.dedup.detection import find_duplicates
from leadgate.imports.models import RateHit, WebForm
from leadgate.imports.targets import target_for
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.security.access import Actor, ensure
from leadgate.security.models import User
from leadgate.security.roles import Op
from leadgate.security.service import actor_for_user

HONEYPOT = "hp_website"
MAX_BODY_BYTES = 16 * 1024
MAX_FIELDS = 40
RATE_LIMIT = 5  # submissions per address per form per window
RATE_WINDOW = timedelta(minutes=1)
EXPIRED_PER_HIT = 200  # more than the new counters a window adds per hit, so the table shrinks
FORM_FIELDS = frozenset(
    {"topic", "first_name", "last_name", "company_name", "job_title", "email", "phone",
     "mobile_phone", "website", "street", "city", "state_or_province", "postal_code",
     "country", "industry", "description", "employee_count"}
)  # fmt: skip


class TooManyRequests(DomainError):
    code = "rate_limited"
    status = 429
    title = "Too many requests"


class WebFormCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    fields: list[str] = Field(min_length=1, max_length=len(FORM_FIELDS))
    owner_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    thank_you_url: str | None = Field(default=None, max_length=400, pattern=r"^https?://")


@dataclass
class Submission:
    accepted: bool
    lead_id: uuid.UUID | None
    duplicate: bool
    thank_you_url: str | None


def create_form(session: Session, actor: Actor, data: WebFormCreate) -> WebForm:
    unknown = [f for f in data.fields if f not in FORM_FIELDS]
    if unknown:
        raise ValidationFailed.on("fields", f"not form fields: {', '.join(unknown)}")
    owner_id = data.owner_id or actor.user_id
    owner = session.get(User, owner_id)
    if owner is None or not owner.is_active:
        raise ValidationFailed.on("owner_id", "no active user with this id")
    form = WebForm(
        id=new_id(),
        form_key=secrets.token_urlsafe(24),
        name=data.name,
        fields=sorted(set(data.fields)),
        owner_id=owner_id,
        campaign_id=data.campaign_id,
        thank_you_url=data.thank_you_url,
        is_active=True,
    )
    add_record(session, actor, form)
    return form


def get_form(session: Session, actor: Actor, form_id: uuid.UUID) -> WebForm:
    ensure(actor, "web_form", Op.READ)
    form = session.get(WebForm, form_id)
    if form is None:
        raise NotFound(f"web form {form_id} not found")
    return form


def _forget_expired(session: Session, window: datetime) -> None:
    """Delete a bounded number of counters of finished windows, so that the table holds
    about one minute of traffic however long the forms run."""
    expired = (
        select(RateHit.bucket, RateHit.window_start)
        .where(RateHit.window_start < window)
        .limit(EXPIRED_PER_HIT)
    )
    session.execute(
        delete(RateHit).where(tuple_(RateHit.bucket, RateHit.window_start).in_(expired))
    )


def _count_hit(session: Session, bucket: str) -> int:
    now = utcnow()
    window = now - timedelta(seconds=now.timestamp() % RATE_WINDOW.total_seconds())
    hit = session.get(RateHit, (bucket, window), with_for_update=True)
    if hit is None:
        # Once per address and window: the first hit of a window clears old ones.
        _forget_expired(session, window)
        hit = RateHit(bucket=bucket, window_start=window, count=0)
        session.add(hit)
    hit.count += 1
    session.flush()
    return hit.count


def submit(
    session: Session, form_key: str, payload: dict[str, Any], client: str, body_size: int
) -> Submission:
    form = session.scalar(select(WebForm).where(WebForm.form_key == form_key[:64]))
    if form is None or not form.is_active:
        raise NotFound("no such form")
    if body_size > MAX_BODY_BYTES or len(payload) > MAX_FIELDS:
        raise ValidationFailed.on("body", f"at most {MAX_BODY_BYTES} bytes and {MAX_FIELDS} fields")
    if _count_hit(session, f"{form.id}:{client[:100]}") > RATE_LIMIT:
        raise TooManyRequests("too many submissions from your address; try again in a minute")
    if str(payload.get(HONEYPOT) or "").strip():
        return Submission(False, None, False, form.thank_you_url)
    values = {k: v for k, v in payload.items() if k in form.fields and str(v).strip()}
    values.setdefault("topic", f"Web form: {form.name}")
    values["lead_source"] = "web"
    if form.campaign_id is not None:
        values["campaign_id"] = form.campaign_id
    try:
        data = LeadCreate.model_validate(values)
    except ValidationError as exc:
        problems = [FieldProblem(str(e["loc"][0]), e["msg"]) for e in exc.errors()]
        raise ValidationFailed("the form has invalid fields", errors=problems) from exc
    owner = session.get_one(User, form.owner_id)
    actor = actor_for_user(owner, "web")
    unsaved = target_for("lead").transient(data)
    matches = [m for m in find_duplicates(session, actor, unsaved) if m.record_type == "lead"]
    if matches:
        # The person is already a lead: keep one record rather than a second copy.
        return Submission(True, matches[0].id, True, form.thank_you_url)
    lead = create_lead(session, actor, data)
    return Submission(True, lead.id, False, form.thank_you_url)


def snippet(form: WebForm, action_url: str) -> str:
    """An embeddable HTML form posting to the public endpoint."""
    inputs = "\n".join(
        f"  <label>{html.escape(f.replace('_', ' ').capitalize())} "
        f'<input name="{html.escape(f)}"></label>'
        for f in form.fields
    )
    return (
        f'<form method="post" action="{html.escape(action_url)}">\n{inputs}\n'
        f'  <input name="{HONEYPOT}" tabindex="-1" autocomplete="off" '
        'style="position:absolute;left:-9999px" aria-hidden="true">\n'
        '  <button type="submit">Send</button>\n</form>\n'
    )
