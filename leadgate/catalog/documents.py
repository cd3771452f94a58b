"""What every priced document shares: the columns of its lines and of its header,
how one line is priced from the catalog, and how the header totals follow the lines.

Opportunities, quotes, orders and invoices each keep their own line table (with a
foreign key to their document) built from `LineColumns`; quotes, orders and invoices
carry `DocumentTotals`. The rules here are the same for all of them:

- a line is a catalog product in a unit of its group, or a write-in description;
- its price per unit comes from the document's price list unless overridden;
- the document's currency is its price list's, and locks once it has lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from leadgate.catalog.models import (
    DiscountList,
    DiscountRow,
    PriceList,
    PriceListItem,
    Product,
    Unit,
)
from leadgate.catalog.pricing import (
    DiscountKind,
    LineAmounts,
    PriceRule,
    PricingMethod,
    ProductCosts,
    RoundingOption,
    RoundingPolicy,
    Totals,
    check_quantity,
    document_totals,
    line_amounts,
    unit_price,
)
from leadgate.catalog.pricing import DiscountRow as Row
from leadgate.catalog.states import ProductKind, ProductState
from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict, ValidationFailed

WRITE_IN_DECIMALS = 5


class LineColumns:
    sequence: Mapped[int] = mapped_column()
    product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"))
    # The product's name when the line was added, or the write-in text.
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Numeric(19, 5, asdecimal=True))
    price_per_unit: Mapped[Decimal] = mapped_column()
    price_overridden: Mapped[bool] = mapped_column(default=False)
    manual_discount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tax: Mapped[Decimal] = mapped_column(default=Decimal(0))
    base_amount: Mapped[Decimal] = mapped_column()
    volume_discount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    extended_amount: Mapped[Decimal] = mapped_column()

    def amounts(self) -> LineAmounts:
        return LineAmounts(
            self.base_amount,
            self.volume_discount,
            self.manual_discount,
            self.tax,
            self.extended_amount,
        )


class DocumentTotals:
    price_list_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("price_lists.id"))
    currency: Mapped[str] = mapped_column(String(3))
    discount_percent: Mapped[Decimal | None] = mapped_column()
    discount_amount: Mapped[Decimal | None] = mapped_column()
    freight_amount: Mapped[Decimal | None] = mapped_column()
    total_line_amount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_discount_amount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_amount_less_freight: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_tax: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_amount: Mapped[Decimal] = mapped_column(default=Decimal(0))


HEADER_INPUTS = ("discount_percent", "discount_amount", "freight_amount")
LINE_VALUE_FIELDS = (
    "product_id",
    "unit_id",
    "description",
    "quantity",
    "price_per_unit",
    "price_overridden",
    "manual_discount",
    "tax",
    "base_amount",
    "volume_discount",
    "extended_amount",
)


@dataclass(frozen=True)
class LineRequest:
    """What a user asks for on a line; `price_per_unit` set means an override."""

    product_id: uuid.UUID | None
    unit_id: uuid.UUID | None
    description: str | None
    quantity: Decimal
    price_per_unit: Decimal | None
    manual_discount: Decimal
    tax: Decimal


def check_price_list(session: Session, price_list_id: uuid.UUID | None, currency: str) -> None:
    """A document's price list must exist and be in the document's currency."""
    if price_list_id is None:
        return
    price_list = session.get(PriceList, price_list_id)
    if price_list is None:
        raise ValidationFailed.on("price_list_id", "no such price list")
    if price_list.currency != currency:
        raise ValidationFailed.on(
            "price_list_id",
            f"the price list is in {price_list.currency}, the document in {currency}",
        )


def refuse_currency_change(has_lines: bool, record: Any, values: dict[str, Any]) -> None:
    """The document's currency and price list lock once it has lines (409)."""
    if not has_lines:
        return
    for field in ("currency", "price_list_id"):
        if field in values and values[field] != getattr(record, field):
            raise Conflict(
                f"the {field.replace('_id', '').replace('_', ' ')} is locked "
                "once the document has lines; remove the lines first"
            )


def _sellable_product(session: Session, product_id: uuid.UUID) -> Product:
    product = session.get(Product, product_id)
    if product is None or product.deleted_at is not None:
        raise ValidationFailed.on("product_id", "no such product")
    if product.state != ProductState.ACTIVE:
        raise ValidationFailed.on("product_id", f"product {product.number} is {product.state}")
    if product.kind == ProductKind.FAMILY:
        raise ValidationFailed.on("product_id", "a product family cannot be sold")
    return product


def _unit_of(session: Session, product: Product, unit_id: uuid.UUID | None) -> Unit:
    unit_id = unit_id or product.default_unit_id
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        raise ValidationFailed.on("unit_id", "the line needs a unit of the product's unit group")
    if unit.unit_group_id != product.unit_group_id:
        raise ValidationFailed.on("unit_id", "the unit is not in the product's unit group")
    return unit


def _discount(
    session: Session, discount_list_id: uuid.UUID | None
) -> tuple[DiscountKind | None, list[Row]]:
    if discount_list_id is None:
        return None, []
    discount_list = session.get(DiscountList, discount_list_id)
    if discount_list is None:
        return None, []
    rows = session.scalars(
        select(DiscountRow)
        .where(DiscountRow.discount_list_id == discount_list_id)
        .order_by(DiscountRow.low_quantity)
    )
    return DiscountKind(discount_list.kind), [
        Row(r.low_quantity, r.high_quantity, r.value) for r in rows
    ]


def _check_validity(session: Session, price_list_id: uuid.UUID) -> None:
    """Prices come only from a price list that is valid today."""
    price_list = session.get(PriceList, price_list_id)
    today = utcnow().date()
    if price_list is None:
        raise ValidationFailed.on("price_list_id", "no such price list")
    if (price_list.valid_from and today < price_list.valid_from) or (
        price_list.valid_to and today > price_list.valid_to
    ):
        raise ValidationFailed.on(
            "price_list_id",
            f"price list {price_list.name} is valid from {price_list.valid_from or '-'} "
            f"to {price_list.valid_to or '-'}, not today; override the price or change the list",
        )


def rule_of(item: PriceListItem) -> PriceRule:
    return PriceRule(
        PricingMethod(item.method),
        amount=item.amount,
        percentage=item.percentage,
        rounding_policy=RoundingPolicy(item.rounding_policy),
        rounding_option=RoundingOption(item.rounding_option),
        rounding_amount=item.rounding_amount,
    )


def price_line(
    session: Session, currency: str, price_list_id: uuid.UUID | None, request: LineRequest
) -> dict[str, Any]:
    """The stored values of a line: its product, unit, price and amounts."""
    kind: DiscountKind | None = None
    rows: list[Row] = []
    if request.product_id is None:
        if not request.description:
            raise ValidationFailed.on("description", "a write-in line needs a description")
        if request.price_per_unit is None:
            raise ValidationFailed.on("price_per_unit", "a write-in line needs a price per unit")
        check_quantity(request.quantity, WRITE_IN_DECIMALS)
        price, overridden, unit_id = request.price_per_unit, True, None
        description = request.description
    else:
        product = _sellable_product(session, request.product_id)
        unit = _unit_of(session, product, request.unit_id)
        check_quantity(request.quantity, product.quantity_decimals)
        unit_id, description = unit.id, request.description or product.name
        item = None
        if price_list_id is not None and request.price_per_unit is None:
            _check_validity(session, price_list_id)
        if price_list_id is not None:
            item = session.scalars(
                select(PriceListItem).where(
                    PriceListItem.price_list_id == price_list_id,
                    PriceListItem.product_id == product.id,
                    PriceListItem.unit_id == unit.id,
                )
            ).first()
        if item is not None:
            kind, rows = _discount(session, item.discount_list_id)
        if request.price_per_unit is not None:
            price, overridden = request.price_per_unit, True
        elif item is None:
            raise ValidationFailed.on(
                "product_id",
                f"product {product.number} in unit {unit.name} is not on the document's "
                "price list; override the price or add a write-in line",
            )
        else:
            default = (
                session.get(Unit, product.default_unit_id) if product.default_unit_id else None
            )
            factor = unit.quantity / default.quantity if default is not None else Decimal(1)
            costs = ProductCosts(product.list_price, product.current_cost, product.standard_cost)
            price, overridden = unit_price(rule_of(item), costs, factor), False
    amounts = line_amounts(
        currency,
        price,
        request.quantity,
        discount_kind=kind,
        discount_rows=rows,
        manual_discount=request.manual_discount,
        tax=request.tax,
    )
    return {
        "product_id": request.product_id,
        "unit_id": unit_id,
        "description": description,
        "quantity": request.quantity,
        "price_per_unit": price,
        "price_overridden": overridden,
        "manual_discount": amounts.manual_discount,
        "tax": amounts.tax,
        "base_amount": amounts.base,
        "volume_discount": amounts.volume_discount,
        "extended_amount": amounts.extended,
    }


def header_totals(
    record: DocumentTotals, lines: Iterable[LineColumns], overrides: dict[str, Any] | None = None
) -> dict[str, Decimal]:
    """The header's derived columns from its lines and (possibly new) discount/freight."""
    inputs = {name: getattr(record, name) for name in HEADER_INPUTS} | {
        k: v for k, v in (overrides or {}).items() if k in HEADER_INPUTS
    }
    totals: Totals = document_totals(
        record.currency,
        [line.amounts() for line in lines],
        discount_percent=inputs["discount_percent"],
        discount_amount=inputs["discount_amount"],
        freight=inputs["freight_amount"],
    )
    return {
        "total_line_amount": totals.total_line_amount,
        "total_discount_amount": totals.total_discount,
        "total_amount_less_freight": totals.amount_before_freight,
        "total_tax": totals.total_tax,
        "total_amount": totals.total_amount,
    }
