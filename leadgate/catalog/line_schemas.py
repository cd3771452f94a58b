"""API shapes of document lines (opportunity, quote, order and invoice lines alike)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from leadgate.catalog.documents import LineRequest
from leadgate.catalog.line_book import LineChange
from leadgate.core.fields import Input, Money, MoneyOut, Patch

LineQuantity = Annotated[
    Decimal, Field(gt=0, le=Decimal("99999999999999"), max_digits=19, decimal_places=5)
]


class LineCreate(Input):
    """A catalog product (`product_id`, optional `unit_id`) or a write-in (`description`
    and `price_per_unit`). `price_per_unit` on a catalog line overrides the price list."""

    product_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=500)
    quantity: LineQuantity
    price_per_unit: Money | None = None
    manual_discount: Money = Decimal(0)
    tax: Money = Decimal(0)

    def request(self) -> LineRequest:
        return LineRequest(
            product_id=self.product_id,
            unit_id=self.unit_id,
            description=self.description,
            quantity=self.quantity,
            price_per_unit=self.price_per_unit,
            manual_discount=self.manual_discount,
            tax=self.tax,
        )


class LineUpdate(Patch):
    unit_id: uuid.UUID | None = None
    description: str | None = Field(default=None, min_length=1, max_length=500)
    quantity: LineQuantity | None = None
    price_per_unit: Money | None = None
    manual_discount: Money | None = None
    tax: Money | None = None

    def change(self) -> LineChange:
        values = self.changes()
        for name in ("quantity", "manual_discount", "tax", "description"):
            if name in values and values[name] is None:
                values.pop(name)
        return LineChange(values)


class LineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    sequence: int
    product_id: uuid.UUID | None
    unit_id: uuid.UUID | None
    description: str
    quantity: Decimal
    price_per_unit: MoneyOut
    price_overridden: bool
    manual_discount: MoneyOut
    tax: MoneyOut
    base_amount: MoneyOut
    volume_discount: MoneyOut
    extended_amount: MoneyOut
    version: int
