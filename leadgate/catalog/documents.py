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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ForeignKey, Numeric, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from leadgate.audit.recording import check_version, write_event
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
from leadgate.core.errors import Conflict, NotFound, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.db.base import Base
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op

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


# --- the line book: add, change and remove the lines of one kind of document ----------


@dataclass(frozen=True)
class LineChange:
    """A partial change of a line; fields not sent keep their value. Sending
    `price_per_unit` null returns an overridden line to the price list's price."""

    values: dict[str, Any]


D = TypeVar("D", bound=Base)
L = TypeVar("L", bound=Base)


@dataclass(frozen=True)
class LineBook(Generic[D, L]):
    """The lines of one document type. `guard` refuses changes to a document that is not
    editable; `recalculate` sets the header from the lines after every change."""

    document_model: type[D]
    line_model: type[L]
    parent_column: str
    guard: Callable[[D], None]
    recalculate: Callable[[Session, D, list[L]], None]

    def lines(self, session: Session, document_id: uuid.UUID) -> list[L]:
        column = getattr(self.line_model, self.parent_column)
        stmt = select(self.line_model).where(column == document_id)
        return list(session.scalars(stmt.order_by(self.line_model.sequence)))  # type: ignore[attr-defined]

    def _document(
        self, session: Session, actor: Actor, document_id: uuid.UUID, version: int | None
    ) -> D:
        document = load(session, actor, self.document_model, document_id, Op.WRITE)
        self.guard(document)
        check_version(document, version)
        return document

    def _line(self, session: Session, document_id: uuid.UUID, line_id: uuid.UUID) -> L:
        line = session.get(self.line_model, line_id)
        if line is None or getattr(line, self.parent_column) != document_id:
            raise NotFound(f"line {line_id} not found on this {self.document_model.RECORD_TYPE}")
        return line

    def _after_change(
        self, session: Session, actor: Actor, document: D, action: str, changes: dict[str, Any]
    ) -> None:
        self.recalculate(session, document, self.lines(session, document.id))  # type: ignore[attr-defined]
        # Every line change is a change of the document: its version (ETag) moves on.
        document.updated_at = utcnow()  # type: ignore[attr-defined]
        document.updated_by_id = actor.user_id  # type: ignore[attr-defined]
        session.flush()
        write_event(
            session, actor, action, document.RECORD_TYPE, document.id, changes,  # type: ignore[attr-defined]
            summary=str(changes.get("description", [None, ""])[1] or ""),
        )  # fmt: skip

    def add(
        self,
        session: Session,
        actor: Actor,
        document_id: uuid.UUID,
        request: LineRequest,
        version: int | None = None,
    ) -> L:
        document = self._document(session, actor, document_id, version)
        values = price_line(
            session,
            document.currency,  # type: ignore[attr-defined]
            document.price_list_id,  # type: ignore[attr-defined]
            request,
        )
        existing = self.lines(session, document_id)
        sequence = max((line.sequence for line in existing), default=0) + 1  # type: ignore[attr-defined]
        line = self.line_model(
            id=new_id(), sequence=sequence, **{self.parent_column: document_id}, **values
        )
        session.add(line)
        session.flush()
        self._after_change(
            session, actor, document, "line_added",
            {k: [None, v] for k, v in values.items() if v is not None},
        )  # fmt: skip
        return line

    def change(
        self,
        session: Session,
        actor: Actor,
        document_id: uuid.UUID,
        line_id: uuid.UUID,
        change: LineChange,
        version: int | None = None,
    ) -> L:
        document = self._document(session, actor, document_id, version)
        line = self._line(session, document_id, line_id)
        current: dict[str, Any] = {k: getattr(line, k) for k in LINE_VALUE_FIELDS}
        merged = current | change.values
        override = change.values.get(
            "price_per_unit", current["price_per_unit"] if current["price_overridden"] else None
        )
        values = price_line(
            session,
            document.currency,  # type: ignore[attr-defined]
            document.price_list_id,  # type: ignore[attr-defined]
            LineRequest(
                product_id=current["product_id"],
                unit_id=merged["unit_id"],
                description=merged["description"],
                quantity=merged["quantity"],
                price_per_unit=override,
                manual_discount=merged["manual_discount"],
                tax=merged["tax"],
            ),
        )
        changes = {k: [current[k], v] for k, v in values.items() if current[k] != v}
        for key, value in values.items():
            setattr(line, key, value)
        session.flush()
        self._after_change(session, actor, document, "line_changed", changes)
        return line

    def remove(
        self,
        session: Session,
        actor: Actor,
        document_id: uuid.UUID,
        line_id: uuid.UUID,
        version: int | None = None,
    ) -> None:
        document = self._document(session, actor, document_id, version)
        line = self._line(session, document_id, line_id)
        snapshot = {
            k: [getattr(line, k), None] for k in ("description", "quantity", "extended_amount")
        }
        session.delete(line)
        session.flush()
        self._after_change(session, actor, document, "line_removed", snapshot)

    def copy(self, session: Session, source: Sequence[Any], document_id: uuid.UUID) -> list[L]:
        """Copy lines (of any document type) onto a new document, prices as they stand."""
        copies = [
            self.line_model(
                id=new_id(),
                sequence=line.sequence,
                **{self.parent_column: document_id},
                **{k: getattr(line, k) for k in LINE_VALUE_FIELDS},
            )
            for line in source
        ]
        session.add_all(copies)
        session.flush()
        return copies


def reprice(session: Session, currency: str, price_list_id: uuid.UUID | None, line: Any) -> None:
    """Bring a catalog line back to the price list's current price (unlocked orders)."""
    if line.product_id is None or line.price_overridden:
        return
    values = price_line(
        session,
        currency,
        price_list_id,
        LineRequest(
            product_id=line.product_id,
            unit_id=line.unit_id,
            description=line.description,
            quantity=line.quantity,
            price_per_unit=None,
            manual_discount=line.manual_discount,
            tax=line.tax,
        ),
    )
    for key, value in values.items():
        setattr(line, key, value)
