"""Catalog records: unit groups and units, products and bundles, price lists, discount lists.

Catalog records are organisation-wide reference data (no owner): everyone who
sells reads them; managers and administrators maintain them.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.catalog.states import ProductKind, ProductState
from leadgate.db.base import Base, HasId, SoftDeleted, Tracked

Quantity = Numeric(19, 5, asdecimal=True)


class UnitGroup(Tracked, Base):
    __tablename__ = "unit_groups"
    RECORD_TYPE = "unit_group"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    primary_unit: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)


class Unit(Tracked, Base):
    """A unit of a group, defined as `quantity` of the group's primary unit (box = 12 each)."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("unit_group_id", "name"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
    )
    RECORD_TYPE = "unit"

    unit_group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit_groups.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(1))


class Product(Tracked, SoftDeleted, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("quantity_decimals BETWEEN 0 AND 5", name="quantity_decimals_range"),
    )
    RECORD_TYPE = "product"

    number: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=ProductKind.PRODUCT.value)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"), index=True)
    unit_group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit_groups.id"))
    default_unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"))
    quantity_decimals: Mapped[int] = mapped_column(default=0)
    list_price: Mapped[Decimal | None] = mapped_column()
    standard_cost: Mapped[Decimal | None] = mapped_column()
    current_cost: Mapped[Decimal | None] = mapped_column()
    description: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=ProductState.DRAFT.value, index=True)


class BundleItem(HasId, Base):
    __tablename__ = "bundle_items"
    __table_args__ = (UniqueConstraint("bundle_id", "product_id"),)
    RECORD_TYPE = "bundle_item"

    bundle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    required: Mapped[bool] = mapped_column(default=True)


class DiscountList(Tracked, Base):
    __tablename__ = "discount_lists"
    RECORD_TYPE = "discount_list"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # percent | amount
    # Amount discounts are money, so they belong to one currency.
    currency: Mapped[str | None] = mapped_column(String(3))


class DiscountRow(HasId, Base):
    __tablename__ = "discount_rows"
    RECORD_TYPE = "discount_row"

    discount_list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discount_lists.id", ondelete="CASCADE"), index=True
    )
    low_quantity: Mapped[Decimal] = mapped_column(Quantity)
    high_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    value: Mapped[Decimal] = mapped_column()


class PriceList(Tracked, Base):
    __tablename__ = "price_lists"
    RECORD_TYPE = "price_list"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date | None] = mapped_column()
    valid_to: Mapped[date | None] = mapped_column()
    description: Mapped[str | None] = mapped_column(Text)


class PriceListItem(Tracked, Base):
    __tablename__ = "price_list_items"
    __table_args__ = (UniqueConstraint("price_list_id", "product_id", "unit_id"),)
    RECORD_TYPE = "price_list_item"

    price_list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("price_lists.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"))
    method: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal | None] = mapped_column()
    percentage: Mapped[Decimal | None] = mapped_column()
    rounding_policy: Mapped[str] = mapped_column(String(10), default="none")
    rounding_option: Mapped[str] = mapped_column(String(10), default="multiple")
    rounding_amount: Mapped[Decimal | None] = mapped_column()
    discount_list_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("discount_lists.id"))
