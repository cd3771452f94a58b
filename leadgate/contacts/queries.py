"""Reads of contacts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from leadgate.contacts.models import Contact
from leadgate.db.paging import Page
from leadgate.security.access import Actor
from leadgate.security.listing import list_records

SORTS = {
    "created_at": Contact.created_at,
    "updated_at": Contact.updated_at,
    "last_name": Contact.last_name,
    "first_name": Contact.first_name,
}
FILTERS = ("owner_id", "account_id", "country")


def list_contacts(
    session: Session,
    actor: Actor,
    *,
    filters: dict[str, Any],
    q: str | None,
    sort: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Contact]:
    where: list[ColumnElement[bool]] = [
        getattr(Contact, name) == filters[name] for name in FILTERS if filters.get(name) is not None
    ]
    return list_records(
        session,
        actor,
        Contact,
        where=where,
        q=q,
        search=[Contact.first_name, Contact.last_name, Contact.email, Contact.job_title],
        sort=sort,
        sortable=SORTS,
        cursor=cursor,
        limit=limit,
    )
