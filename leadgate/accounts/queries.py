"""Reads of accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.db.paging import Page
from leadgate.security.access import Actor
from leadgate.security.listing import list_records

SORTS = {
    "created_at": Account.created_at,
    "updated_at": Account.updated_at,
    "name": Account.name,
}
FILTERS = ("owner_id", "relationship_type", "industry", "parent_account_id", "country")


def list_accounts(
    session: Session,
    actor: Actor,
    *,
    filters: dict[str, Any],
    q: str | None,
    sort: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Account]:
    where: list[ColumnElement[bool]] = [
        getattr(Account, name) == filters[name] for name in FILTERS if filters.get(name) is not None
    ]
    return list_records(
        session,
        actor,
        Account,
        where=where,
        q=q,
        search=[Account.name, Account.email, Account.account_number, Account.city],
        sort=sort,
        sortable=SORTS,
        cursor=cursor,
        limit=limit,
    )
