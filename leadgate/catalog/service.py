"""Use cases of the catalog: maintain unit groups, products, price lists, discount lists."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.audit.editing import create_record, update_record
from leadgate.audit.recording import add_record, check_version, record_transition, remove_record
from leadgate.catalog.models import (
    BundleItem,
    DiscountList,
    DiscountRow,
    PriceList,
    PriceListItem,
    Product,
    Unit,
    UnitGroup,
)
from leadgate.catalog.schemas import (
    BundleItemCreate,
    DiscountListCreate,
    PriceListCreate,
    PriceListItemCreate,
    PriceListUpdate,
    ProductCreate,
    ProductUpdate,
    UnitCreate,
    UnitGroupCreate,
    UnitGroupUpdate,
)
from leadgate.catalog.states import ProductKind, ProductState, check_transition
from leadgate.core.errors import Conflict, NotFound, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op


def _exists(session: Session, actor: Actor, model: type[Any], record_id: Any, field: str) -> Any:
    try:
        return load(session, actor, model, record_id)
    except NotFound as exc:
        raise ValidationFailed.on(field, f"no such {model.RECORD_TYPE.replace('_', ' ')}") from exc


# --- unit groups and units ----------------------------------------------------------


def create_unit_group(session: Session, actor: Actor, data: UnitGroupCreate) -> UnitGroup:
    if session.scalar(select(UnitGroup.id).where(UnitGroup.name == data.name)) is not None:
        raise Conflict(f"a unit group named {data.name!r} already exists")
    group = create_record(session, actor, UnitGroup(id=new_id(), **data.model_dump()))
    add_record(
        session,
        actor,
        Unit(id=new_id(), unit_group_id=group.id, name=data.primary_unit, quantity=1),
    )
    return group


def update_unit_group(
    session: Session, actor: Actor, group_id: uuid.UUID, data: UnitGroupUpdate, version: int | None
) -> UnitGroup:
    return update_record(
        session, actor, UnitGroup, group_id, data.changes(), expected_version=version,
        required=("name",),
    )  # fmt: skip


def add_unit(session: Session, actor: Actor, group_id: uuid.UUID, data: UnitCreate) -> Unit:
    load(session, actor, UnitGroup, group_id, Op.WRITE)
    taken = select(Unit.id).where(Unit.unit_group_id == group_id, Unit.name == data.name)
    if session.scalar(taken) is not None:
        raise Conflict(f"the group already has a unit named {data.name!r}")
    unit = Unit(id=new_id(), unit_group_id=group_id, **data.model_dump())
    add_record(session, actor, unit)
    return unit


def units_of(session: Session, actor: Actor, group_id: uuid.UUID) -> list[Unit]:
    load(session, actor, UnitGroup, group_id)
    return list(
        session.scalars(
            select(Unit).where(Unit.unit_group_id == group_id).order_by(Unit.quantity, Unit.name)
        )
    )


# --- products -----------------------------------------------------------------------


def _check_product(
    session: Session, actor: Actor, product: Product | None, values: dict[str, Any]
) -> None:
    merged = {
        k: values.get(k, getattr(product, k, None))
        for k in ("parent_id", "unit_group_id", "default_unit_id", "kind")
    }
    if merged["parent_id"] is not None:
        parent = _exists(session, actor, Product, merged["parent_id"], "parent_id")
        if parent.kind != ProductKind.FAMILY:
            raise ValidationFailed.on("parent_id", "the parent must be a product family")
        if product is not None and parent.id == product.id:
            raise ValidationFailed.on("parent_id", "a family cannot be its own parent")
    if merged["unit_group_id"] is not None:
        _exists(session, actor, UnitGroup, merged["unit_group_id"], "unit_group_id")
    if merged["default_unit_id"] is not None:
        unit = _exists(session, actor, Unit, merged["default_unit_id"], "default_unit_id")
        if unit.unit_group_id != merged["unit_group_id"]:
            raise ValidationFailed.on("default_unit_id", "not a unit of the product's unit group")
    elif merged["kind"] != ProductKind.FAMILY and merged["unit_group_id"] is not None:
        raise ValidationFailed.on(
            "default_unit_id", "a product with a unit group needs a default unit"
        )


def create_product(session: Session, actor: Actor, data: ProductCreate) -> Product:
    values = data.model_dump()
    values["quantity_decimals"] = values["quantity_decimals"] or 0
    _check_product(session, actor, None, values)
    if session.scalar(select(Product.id).where(Product.number == data.number)) is not None:
        raise Conflict(f"a product numbered {data.number!r} already exists")
    product = Product(id=new_id(), state=ProductState.DRAFT.value, **values)
    return create_record(session, actor, product)


def update_product(
    session: Session, actor: Actor, product_id: uuid.UUID, data: ProductUpdate, version: int | None
) -> Product:
    values = data.changes()
    product = load(session, actor, Product, product_id, Op.WRITE)
    _check_product(session, actor, product, values)
    if "number" in values and values["number"] != product.number:
        taken = select(Product.id).where(Product.number == values["number"])
        if session.scalar(taken) is not None:
            raise Conflict(f"a product numbered {values['number']!r} already exists")
    return update_record(
        session, actor, Product, product_id, values, expected_version=version,
        required=("number", "name", "quantity_decimals"),
    )  # fmt: skip


def transition_product(
    session: Session, actor: Actor, product_id: uuid.UUID, name: str, version: int | None
) -> Product:
    product = load(session, actor, Product, product_id, Op.WRITE)
    target = check_transition(name, ProductState(product.state))
    check_version(product, version)
    if name == "activate" and product.kind == ProductKind.PRODUCT and product.unit_group_id is None:
        raise ValidationFailed.on("unit_group_id", "a product needs a unit group to be sold")
    before = {"state": product.state}
    product.state = target.value
    record_transition(session, actor, product, name, before)
    return product


def add_bundle_item(
    session: Session, actor: Actor, bundle_id: uuid.UUID, data: BundleItemCreate
) -> BundleItem:
    bundle = load(session, actor, Product, bundle_id, Op.WRITE)
    if bundle.kind != ProductKind.BUNDLE:
        raise ValidationFailed.on("bundle_id", "items go on bundles only")
    product = _exists(session, actor, Product, data.product_id, "product_id")
    if product.kind != ProductKind.PRODUCT:
        raise ValidationFailed.on("product_id", "a bundle holds products, not families or bundles")
    unit_id = data.unit_id or product.default_unit_id
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None or unit.unit_group_id != product.unit_group_id:
        raise ValidationFailed.on("unit_id", "not a unit of the product's unit group")
    taken = select(BundleItem.id).where(
        BundleItem.bundle_id == bundle_id, BundleItem.product_id == product.id
    )
    if session.scalar(taken) is not None:
        raise Conflict("the bundle already holds this product")
    item = BundleItem(
        id=new_id(), bundle_id=bundle_id, product_id=product.id, unit_id=unit.id,
        quantity=data.quantity, required=data.required,
    )  # fmt: skip
    # Permission was checked when the bundle was loaded for writing.
    add_record(session, actor, item, check=False)
    return item


def bundle_items(session: Session, actor: Actor, bundle_id: uuid.UUID) -> list[BundleItem]:
    load(session, actor, Product, bundle_id)
    return list(session.scalars(select(BundleItem).where(BundleItem.bundle_id == bundle_id)))


# --- discount lists -------------------------------------------------------------------


def create_discount_list(session: Session, actor: Actor, data: DiscountListCreate) -> DiscountList:
    if session.scalar(select(DiscountList.id).where(DiscountList.name == data.name)) is not None:
        raise Conflict(f"a discount list named {data.name!r} already exists")
    discount_list = DiscountList(
        id=new_id(), name=data.name, kind=data.kind.value, currency=data.currency
    )
    create_record(session, actor, discount_list)
    for row in data.rows:
        session.add(DiscountRow(id=new_id(), discount_list_id=discount_list.id, **row.model_dump()))
    session.flush()
    return discount_list


def discount_rows(session: Session, discount_list_id: uuid.UUID) -> list[DiscountRow]:
    return list(
        session.scalars(
            select(DiscountRow)
            .where(DiscountRow.discount_list_id == discount_list_id)
            .order_by(DiscountRow.low_quantity)
        )
    )


# --- price lists ----------------------------------------------------------------------


def create_price_list(session: Session, actor: Actor, data: PriceListCreate) -> PriceList:
    if session.scalar(select(PriceList.id).where(PriceList.name == data.name)) is not None:
        raise Conflict(f"a price list named {data.name!r} already exists")
    return create_record(session, actor, PriceList(id=new_id(), **data.model_dump()))


def _dates(price_list: PriceList, values: dict[str, Any]) -> None:
    start = values.get("valid_from", price_list.valid_from)
    end = values.get("valid_to", price_list.valid_to)
    if start and end and end < start:
        raise ValidationFailed.on("valid_to", "is before valid_from")


def update_price_list(
    session: Session, actor: Actor, price_list_id: uuid.UUID, data: PriceListUpdate,
    version: int | None,
) -> PriceList:  # fmt: skip
    return update_record(
        session, actor, PriceList, price_list_id, data.changes(), expected_version=version,
        required=("name",), derive=_dates,
    )  # fmt: skip


def add_price_list_item(
    session: Session, actor: Actor, price_list_id: uuid.UUID, data: PriceListItemCreate
) -> PriceListItem:
    price_list = load(session, actor, PriceList, price_list_id, Op.WRITE)
    product = _exists(session, actor, Product, data.product_id, "product_id")
    unit_id = data.unit_id or product.default_unit_id
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None or unit.unit_group_id != product.unit_group_id:
        raise ValidationFailed.on("unit_id", "the unit is not in the product's unit group")
    if data.discount_list_id is not None:
        discounts = _exists(session, actor, DiscountList, data.discount_list_id, "discount_list_id")
        if discounts.currency is not None and discounts.currency != price_list.currency:
            raise ValidationFailed.on(
                "discount_list_id",
                f"the discount list is in {discounts.currency}, the price list in "
                f"{price_list.currency}",
            )
    taken = select(PriceListItem.id).where(
        PriceListItem.price_list_id == price_list_id,
        PriceListItem.product_id == product.id,
        PriceListItem.unit_id == unit.id,
    )
    if session.scalar(taken) is not None:
        raise Conflict(f"product {product.number} in unit {unit.name} is already on the list")
    values = data.model_dump() | {"unit_id": unit.id, "price_list_id": price_list_id}
    for enum_field in ("method", "rounding_policy", "rounding_option"):
        values[enum_field] = values[enum_field].value
    item = PriceListItem(id=new_id(), **values)
    add_record(session, actor, item)
    return item


def remove_price_list_item(
    session: Session, actor: Actor, item_id: uuid.UUID, version: int | None
) -> None:
    item = load(session, actor, PriceListItem, item_id, Op.DELETE)
    remove_record(session, actor, item, expected_version=version)


def price_list_items(
    session: Session, actor: Actor, price_list_id: uuid.UUID
) -> list[PriceListItem]:
    load(session, actor, PriceList, price_list_id)
    return list(
        session.scalars(
            select(PriceListItem)
            .where(PriceListItem.price_list_id == price_list_id)
            .order_by(PriceListItem.created_at, PriceListItem.id)
        )
    )
