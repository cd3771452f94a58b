"""Reads of the catalog lists (scoped, filtered, searched, keyset-paged)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from leadgate.catalog.models import DiscountList, PriceList, Product, UnitGroup
from leadgate.db.paging import Page
from leadgate.security.access import Actor
from leadgate.security.listing import list_records


def list_products(
    session: Session, actor: Actor, *, filters: dict[str, Any], q: str | None,
    sort: str | None, cursor: str | None, limit: int,
) -> Page[Product]:  # fmt: skip
    where: list[ColumnElement[bool]] = [
        getattr(Product, name) == filters[name]
        for name in ("state", "kind", "parent_id", "unit_group_id")
        if filters.get(name) is not None
    ]
    return list_records(
        session, actor, Product, where=where, q=q, search=[Product.name, Product.number],
        sort=sort, sortable={"created_at": Product.created_at, "name": Product.name,
                             "number": Product.number},
        cursor=cursor, limit=limit,
    )  # fmt: skip


def list_price_lists(
    session: Session, actor: Actor, *, currency: str | None, q: str | None,
    sort: str | None, cursor: str | None, limit: int,
) -> Page[PriceList]:  # fmt: skip
    where = [PriceList.currency == currency] if currency else []
    return list_records(
        session, actor, PriceList, where=where, q=q, search=[PriceList.name], sort=sort,
        sortable={"created_at": PriceList.created_at, "name": PriceList.name},
        cursor=cursor, limit=limit,
    )  # fmt: skip


def list_unit_groups(
    session: Session, actor: Actor, *, q: str | None, cursor: str | None, limit: int
) -> Page[UnitGroup]:
    return list_records(
        session, actor, UnitGroup, q=q, search=[UnitGroup.name], sort="name",
        sortable={"name": UnitGroup.name}, cursor=cursor, limit=limit,
    )  # fmt: skip


def list_discount_lists(
    session: Session, actor: Actor, *, q: str | None, cursor: str | None, limit: int
) -> Page[DiscountList]:
    return list_records(
        session, actor, DiscountList, q=q, search=[DiscountList.name], sort="name",
        sortable={"name": DiscountList.name}, cursor=cursor, limit=limit,
    )  # fmt: skip
