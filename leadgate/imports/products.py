"""Catalog rows: a product's family, unit group and default unit named, not identified;
products matched by number (a known number is that product, never a second one).
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.audit.recording import remove_record
from leadgate.catalog import service as catalog
from leadgate.catalog.models import Product, Unit, UnitGroup
from leadgate.catalog.schemas import ProductCreate
from leadgate.catalog.states import ProductKind
from leadgate.core.errors import Conflict, ValidationFailed
from leadgate.core.fields import Input, Money, Text
from leadgate.imports.references import one_named
from leadgate.security.access import Actor, load, scoped
from leadgate.security.roles import Op


class ProductImport(Input):
    """A catalog row: family, unit group and default unit named, not identified."""

    number: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    kind: ProductKind = ProductKind.PRODUCT
    parent: str | None = Field(default=None, max_length=300)
    unit_group: str | None = Field(default=None, max_length=100)
    default_unit: str | None = Field(default=None, max_length=100)
    quantity_decimals: int | None = Field(default=None, ge=0, le=5)
    list_price: Money | None = None
    standard_cost: Money | None = None
    current_cost: Money | None = None
    description: Text | None = None


def _product_links(
    session: Session, actor: Actor, data: ProductImport, product: Product | None
) -> dict[str, Any]:
    """The ids behind the family, unit group and default unit the row names (only those it
    names; an update keeps the product's unit group when the row names only a unit)."""
    values: dict[str, Any] = {}
    if data.parent is not None:
        families = scoped(actor, Product).where(Product.kind == ProductKind.FAMILY.value)
        by_number = families.where(Product.number == data.parent)
        stmt = (
            by_number
            if session.scalar(by_number.limit(1))
            else families.where(func.lower(Product.name) == data.parent.lower())
        )
        values["parent_id"] = one_named(session, stmt, "parent", "product family", data.parent).id
    group_id = product.unit_group_id if product is not None else None
    if data.unit_group is not None:
        groups = scoped(actor, UnitGroup).where(
            func.lower(UnitGroup.name) == data.unit_group.lower()
        )
        group = one_named(session, groups, "unit_group", "unit group", data.unit_group)
        values["unit_group_id"] = group.id
        if data.default_unit is None and group.id != group_id:
            # A catalog without a unit column: the group's primary unit, as a person would pick.
            values["default_unit_id"] = session.scalar(
                select(Unit.id).where(
                    Unit.unit_group_id == group.id, Unit.name == group.primary_unit
                )
            )
        group_id = group.id
    if data.default_unit is not None:
        if group_id is None:
            raise ValidationFailed.on("default_unit", "give the unit group of the default unit")
        units = scoped(actor, Unit).where(
            Unit.unit_group_id == group_id, func.lower(Unit.name) == data.default_unit.lower()
        )
        values["default_unit_id"] = one_named(
            session, units, "default_unit", "unit", data.default_unit
        ).id
    return values


_PRODUCT_NAMES = frozenset({"parent", "unit_group", "default_unit"})


def create_product(session: Session, actor: Actor, data: ProductImport) -> Any:
    values = data.model_dump(exclude=set(_PRODUCT_NAMES))
    values.update(_product_links(session, actor, data, None))
    try:
        return catalog.create_product(session, actor, ProductCreate.model_validate(values))
    except Conflict:
        # Not a live product (the row would have matched it): a deleted one, whose number
        # stays taken, e.g. after an import that created it was undone.
        gone = select(Product.id).where(
            Product.number == data.number, Product.deleted_at.is_not(None)
        )
        if session.scalar(gone) is None:
            raise
        raise ValidationFailed.on(
            "number", f"product {data.number!r} was deleted; a deleted product keeps its number"
        ) from None


def existing_product(session: Session, actor: Actor, data: ProductImport) -> Product | None:
    return session.scalar(scoped(actor, Product).where(Product.number == data.number))


def product_changes(
    session: Session, actor: Actor, product: Product, data: ProductImport
) -> dict[str, Any]:
    """What a row sets on the product of its number: the cells it fills, nothing else
    (an empty cell never blanks a value the catalog holds)."""
    given = data.model_fields_set - _PRODUCT_NAMES
    if "kind" in given and data.kind.value != product.kind:
        raise ValidationFailed.on(
            "kind",
            f"product {product.number!r} is a {product.kind}; an import cannot change its kind",
        )
    values = {name: getattr(data, name) for name in given - {"kind"}}
    values.update(_product_links(session, actor, data, product))
    return values


def delete_product(
    session: Session, actor: Actor, product_id: uuid.UUID, version: int | None
) -> None:
    remove_record(
        session,
        actor,
        load(session, actor, Product, product_id, Op.DELETE),
        expected_version=version,
    )
