"""Reads of quotes, orders and invoices: one list shape for all three documents."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from leadgate.db.paging import Page
from leadgate.quotes.models import SalesDocument
from leadgate.security.access import Actor
from leadgate.security.listing import list_records

D = TypeVar("D", bound=SalesDocument)
FILTERS = ("owner_id", "state", "status", "account_id", "customer_contact_id", "opportunity_id",
           "number", "currency", "quote_id", "order_id")  # fmt: skip


def list_documents(
    session: Session, actor: Actor, model: type[D], *, filters: dict[str, Any], q: str | None,
    sort: str | None, cursor: str | None, limit: int,
) -> Page[D]:  # fmt: skip
    where: list[ColumnElement[bool]] = [
        getattr(model, name) == filters[name]
        for name in FILTERS
        if filters.get(name) is not None and hasattr(model, name)
    ]
    return list_records(
        session, actor, model, where=where, q=q,  # type: ignore[type-var]
        search=[model.name, model.number],
        sort=sort,
        sortable={"created_at": model.created_at, "updated_at": model.updated_at,
                  "number": model.number, "name": model.name, "total_amount": model.total_amount},
        cursor=cursor, limit=limit,
    )  # fmt: skip
