"""API shapes of the catalog: unit groups, units, products, price lists, discount lists."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadgate.catalog.pricing import (
    DiscountKind,
    PricingMethod,
    RoundingOption,
    RoundingPolicy,
)
from leadgate.catalog.states import ProductKind
from leadgate.core.fields import Currency, Input, Money, MoneyOut, Name, Patch, Text

QuantityIn = Annotated[Decimal, Field(gt=0, le=Decimal("99999999999999"), decimal_places=5)]
Percent = Annotated[Decimal, Field(ge=0, le=1000, decimal_places=4)]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int


class UnitGroupCreate(Input):
    name: Name
    primary_unit: Name
    description: Text | None = None


class UnitGroupUpdate(Patch):
    name: Name | None = None
    description: Text | None = None


class UnitGroupRead(_Read):
    name: str
    primary_unit: str
    description: str | None


class UnitCreate(Input):
    name: Name
    quantity: QuantityIn = Decimal(1)


class UnitRead(_Read):
    unit_group_id: uuid.UUID
    name: str
    quantity: Decimal


class _ProductFields(Input):
    parent_id: uuid.UUID | None = None
    unit_group_id: uuid.UUID | None = None
    default_unit_id: uuid.UUID | None = None
    quantity_decimals: Annotated[int, Field(ge=0, le=5)] | None = None
    list_price: Money | None = None
    standard_cost: Money | None = None
    current_cost: Money | None = None
    description: Text | None = None


class ProductCreate(_ProductFields):
    number: Annotated[str, Field(min_length=1, max_length=100)]
    name: Annotated[str, Field(min_length=1, max_length=300)]
    kind: ProductKind = ProductKind.PRODUCT


class ProductUpdate(_ProductFields, Patch):
    number: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=300)] | None = None


class ProductRead(_Read):
    number: str
    name: str
    kind: str
    parent_id: uuid.UUID | None
    unit_group_id: uuid.UUID | None
    default_unit_id: uuid.UUID | None
    quantity_decimals: int
    list_price: MoneyOut | None
    standard_cost: MoneyOut | None
    current_cost: MoneyOut | None
    description: str | None
    state: str


class BundleItemCreate(Input):
    product_id: uuid.UUID
    unit_id: uuid.UUID | None = None
    quantity: QuantityIn
    required: bool = True


class BundleItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    bundle_id: uuid.UUID
    product_id: uuid.UUID
    unit_id: uuid.UUID
    quantity: Decimal
    required: bool


class DiscountRowIn(Input):
    low_quantity: Annotated[Decimal, Field(ge=0, decimal_places=5)]
    high_quantity: Annotated[Decimal, Field(ge=0, decimal_places=5)] | None = None
    value: Money


class DiscountListCreate(Input):
    name: Name
    kind: DiscountKind
    currency: Currency | None = None
    rows: list[DiscountRowIn] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> DiscountListCreate:
        if self.kind is DiscountKind.AMOUNT and self.currency is None:
            raise ValueError("an amount discount list needs a currency")
        previous_high: Decimal | None = Decimal(-1)
        for row in sorted(self.rows, key=lambda r: r.low_quantity):
            if row.high_quantity is not None and row.high_quantity < row.low_quantity:
                raise ValueError("a row's high_quantity is below its low_quantity")
            if previous_high is None or row.low_quantity <= previous_high:
                raise ValueError("quantity ranges overlap")
            previous_high = row.high_quantity
            if self.kind is DiscountKind.PERCENT and row.value > 100:
                raise ValueError("a percent discount is at most 100")
        return self


class DiscountRowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    low_quantity: Decimal
    high_quantity: Decimal | None
    value: MoneyOut


class DiscountListRead(_Read):
    name: str
    kind: str
    currency: str | None
    rows: list[DiscountRowRead] = []


class PriceListCreate(Input):
    name: Name
    currency: Currency
    valid_from: date | None = None
    valid_to: date | None = None
    description: Text | None = None

    @model_validator(mode="after")
    def _dates(self) -> PriceListCreate:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class PriceListUpdate(Patch):
    name: Name | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    description: Text | None = None


class PriceListRead(_Read):
    name: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    description: str | None


class PriceListItemCreate(Input):
    product_id: uuid.UUID
    unit_id: uuid.UUID | None = None
    method: PricingMethod
    amount: Money | None = None
    percentage: Percent | None = None
    rounding_policy: RoundingPolicy = RoundingPolicy.NONE
    rounding_option: RoundingOption = RoundingOption.MULTIPLE
    rounding_amount: Annotated[Decimal, Field(gt=0, decimal_places=4)] | None = None
    discount_list_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _figure(self) -> PriceListItemCreate:
        if self.method is PricingMethod.FIXED_AMOUNT and self.amount is None:
            raise ValueError("fixed_amount needs amount")
        if self.method is not PricingMethod.FIXED_AMOUNT and self.percentage is None:
            raise ValueError(f"{self.method.value} needs percentage")
        if self.rounding_policy is not RoundingPolicy.NONE and self.rounding_amount is None:
            raise ValueError("rounding needs rounding_amount")
        return self


class PriceListItemRead(_Read):
    price_list_id: uuid.UUID
    product_id: uuid.UUID
    unit_id: uuid.UUID
    method: str
    amount: MoneyOut | None
    percentage: Decimal | None
    rounding_policy: str
    rounding_option: str
    rounding_amount: Decimal | None
    discount_list_id: uuid.UUID | None
