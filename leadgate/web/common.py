"""Helpers every page route shares: redirects, names of related records, pickers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.contacts.models import Contact
from leadgate.security.access import Actor, scoped
from leadgate.security.models import User
from leadgate.web.auth import flash
from leadgate.web.render import is_htmx

PICKER_LIMIT = 200


def redirect(request: Request, url: str, message: str | None = None) -> Response:
    """See-other after a successful POST (HTMX gets HX-Redirect so the whole page moves)."""
    response: Response
    if is_htmx(request):
        response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if message:
        flash(request, response, message)
    return response


def parse_id(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def names(
    session: Session, actor: Actor, model: type[Any], ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    """Display names of the visible records among `ids` (one query)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.scalars(scoped(actor, model).where(model.id.in_(wanted)))
    found: dict[uuid.UUID, str] = {}
    for row in rows:
        if isinstance(row, User):
            found[row.id] = row.full_name
        elif isinstance(row, Account):
            found[row.id] = row.name
        elif isinstance(row, Contact):
            found[row.id] = row.full_name or "(no name)"
        else:
            found[row.id] = str(getattr(row, "name", getattr(row, "topic", row.id)))
    return found


def users(session: Session, actor: Actor) -> list[tuple[str, str]]:
    stmt = (
        scoped(actor, User)
        .where(User.is_active.is_(True))
        .order_by(User.full_name)
        .limit(PICKER_LIMIT)
    )
    return [(str(u.id), u.full_name) for u in session.scalars(stmt)]


def account_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    stmt = scoped(actor, Account).order_by(Account.name, Account.id).limit(PICKER_LIMIT)
    return [("", "—"), *((str(a.id), a.name) for a in session.scalars(stmt))]


def contact_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    stmt = (
        scoped(actor, Contact)
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
        .limit(PICKER_LIMIT)
    )
    return [("", "—"), *((str(c.id), c.full_name or "(no name)") for c in session.scalars(stmt))]


def pickers(session: Session, actor: Actor, kinds: Iterable[str]) -> dict[str, Any]:
    """Options for the record pickers a form uses (accounts, contacts)."""
    found: dict[str, Any] = {}
    kinds = set(kinds)
    if "account" in kinds:
        found["account"] = account_choices(session, actor)
    if "contact" in kinds:
        found["contact"] = contact_choices(session, actor)
    return found


def user_name(session: Session, user_id: uuid.UUID) -> str:
    return session.scalar(select(User.full_name).where(User.id == user_id)) or ""
