"""The pricing engine: pure functions on Decimals (no database, no floats).

How a document line is priced (DOMAIN.md "Product catalog and pricing"):

1. `unit_price`: the price list item's method on the product's list price or
   cost (markup: cost * (1 + p); margin: cost / (1 - p)), scaled to the
   line's unit, then the item's rounding (none, up, down, nearest) to a
   multiple or an ending.
2. `line_amounts`: base = price * quantity; volume discount from the discount
   list row matching the quantity (a percent of base, or an amount per unit);
   extended = base - volume discount - manual discount + tax.
3. `document_totals`: lines net of tax, minus the header discount (percent
   first, then amount) = amount before freight; total = that + freight + tax.

Money is rounded to the currency's minor unit by `core.money.round_money`,
once per line component and once per header figure, so a total is always
exactly the sum of its parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from leadgate.core.errors import ValidationFailed
from leadgate.core.money import round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Prices per unit are stored as Numeric(19, 4); a rate keeps four decimals.
PRICE_EXPONENT = Decimal("0.0001")


class PricingMethod(StrEnum):
    FIXED_AMOUNT = "fixed_amount"
    PERCENT_OF_LIST = "percent_of_list"
    MARKUP_CURRENT_COST = "markup_current_cost"
    MARGIN_CURRENT_COST = "margin_current_cost"
    MARKUP_STANDARD_COST = "markup_standard_cost"
    MARGIN_STANDARD_COST = "margin_standard_cost"


class RoundingPolicy(StrEnum):
    NONE = "none"
    UP = "up"
    DOWN = "down"
    NEAREST = "nearest"


class RoundingOption(StrEnum):
    MULTIPLE = "multiple"  # 12.37 to a multiple of 0.25 → 12.25 / 12.50
    ENDING = "ending"  # 12.37 ending in 0.99 → 11.99 / 12.99


class DiscountKind(StrEnum):
    PERCENT = "percent"  # percent of the line's base amount
    AMOUNT = "amount"  # an amount off each unit


@dataclass(frozen=True)
class ProductCosts:
    """What the product costs and lists for, per its default unit."""

    list_price: Decimal | None = None
    current_cost: Decimal | None = None
    standard_cost: Decimal | None = None


@dataclass(frozen=True)
class PriceRule:
    """One price list item: a method, its figure, and how to round the result."""

    method: PricingMethod
    amount: Decimal | None = None  # fixed_amount
    percentage: Decimal | None = None  # every other method, in percent (20 = 20 %)
    rounding_policy: RoundingPolicy = RoundingPolicy.NONE
    rounding_option: RoundingOption = RoundingOption.MULTIPLE
    rounding_amount: Decimal | None = None


@dataclass(frozen=True)
class DiscountRow:
    """Quantities from `low` to `high` inclusive (None: no upper bound) get `value` off."""

    low: Decimal
    high: Decimal | None
    value: Decimal


@dataclass(frozen=True)
class LineAmounts:
    base: Decimal
    volume_discount: Decimal
    manual_discount: Decimal
    tax: Decimal
    extended: Decimal

    @property
    def net(self) -> Decimal:
        """The line before tax: what the header discount applies to."""
        return self.extended - self.tax


@dataclass(frozen=True)
class Totals:
    total_line_amount: Decimal  # lines net of tax
    discount_from_percent: Decimal
    total_discount: Decimal  # percent part + amount part
    amount_before_freight: Decimal
    freight: Decimal
    total_tax: Decimal
    total_amount: Decimal


def markup_price(cost: Decimal, percent: Decimal) -> Decimal:
    return cost * (1 + percent / HUNDRED)


def margin_price(cost: Decimal, percent: Decimal) -> Decimal:
    if percent >= HUNDRED:
        raise ValidationFailed.on("percentage", "a margin must be below 100 %")
    return cost / (1 - percent / HUNDRED)


def margin_percent(price: Decimal, cost: Decimal) -> Decimal:
    """The margin a price makes on a cost: the inverse of `margin_price`."""
    if price == 0:
        raise ValidationFailed.on("price", "a margin needs a non-zero price")
    return (price - cost) / price * HUNDRED


def markup_percent(price: Decimal, cost: Decimal) -> Decimal:
    if cost == 0:
        raise ValidationFailed.on("cost", "a markup needs a non-zero cost")
    return (price - cost) / cost * HUNDRED


def _needed(value: Decimal | None, field: str) -> Decimal:
    if value is None:
        raise ValidationFailed.on(field, "the pricing method needs this value on the product")
    return value


def raw_price(rule: PriceRule, costs: ProductCosts, unit_factor: Decimal = Decimal(1)) -> Decimal:
    """The price per unit before rounding. Costs are per default unit, hence `unit_factor`
    (the line unit's size in default units); a fixed amount is already per the item's unit."""
    if rule.method is PricingMethod.FIXED_AMOUNT:
        return _needed(rule.amount, "amount")
    percent = _needed(rule.percentage, "percentage")
    if rule.method is PricingMethod.PERCENT_OF_LIST:
        per_default_unit = _needed(costs.list_price, "list_price") * percent / HUNDRED
    elif rule.method is PricingMethod.MARKUP_CURRENT_COST:
        per_default_unit = markup_price(_needed(costs.current_cost, "current_cost"), percent)
    elif rule.method is PricingMethod.MARGIN_CURRENT_COST:
        per_default_unit = margin_price(_needed(costs.current_cost, "current_cost"), percent)
    elif rule.method is PricingMethod.MARKUP_STANDARD_COST:
        per_default_unit = markup_price(_needed(costs.standard_cost, "standard_cost"), percent)
    else:
        per_default_unit = margin_price(_needed(costs.standard_cost, "standard_cost"), percent)
    return per_default_unit * unit_factor


def round_price(
    price: Decimal, policy: RoundingPolicy, option: RoundingOption, amount: Decimal | None
) -> Decimal:
    """Round a price up, down or to the nearest multiple of `amount`, or ending in `amount`."""
    if policy is RoundingPolicy.NONE or amount is None:
        return price
    if amount <= 0:
        raise ValidationFailed.on("rounding_amount", "must be greater than zero")
    if option is RoundingOption.MULTIPLE:
        mode = {
            RoundingPolicy.UP: ROUND_CEILING,
            RoundingPolicy.DOWN: ROUND_FLOOR,
            RoundingPolicy.NEAREST: ROUND_HALF_EVEN,
        }[policy]
        return (price / amount).quantize(Decimal(1), rounding=mode) * amount
    # Ending: the price ends in `amount` within the next power of ten above it
    # (0.99 → x.99, 0.5 → x.5, 9 → x9, 95 → x95).
    step = Decimal(1)
    while step <= amount:
        step *= 10
    while step / 10 > amount:
        step /= 10
    below = (price - amount) // step * step + amount
    if below > price:
        below -= step
    above = below if below == price else below + step
    if policy is RoundingPolicy.UP:
        return above
    if policy is RoundingPolicy.DOWN:
        return below
    return below if price - below < above - price else above


def unit_price(rule: PriceRule, costs: ProductCosts, unit_factor: Decimal = Decimal(1)) -> Decimal:
    """The price list's price per unit of the line, as stored (four decimals)."""
    price = round_price(
        raw_price(rule, costs, unit_factor),
        rule.rounding_policy,
        rule.rounding_option,
        rule.rounding_amount,
    )
    if price < 0:
        raise ValidationFailed.on("price_per_unit", "the price list gives a negative price")
    return price.quantize(PRICE_EXPONENT, rounding=ROUND_HALF_EVEN)


def discount_row(rows: Sequence[DiscountRow], quantity: Decimal) -> DiscountRow | None:
    for row in rows:
        if row.low <= quantity and (row.high is None or quantity <= row.high):
            return row
    return None


def check_quantity(quantity: Decimal, decimals: int) -> None:
    """A line's quantity: positive and with no more decimals than the product allows."""
    if quantity <= 0:
        raise ValidationFailed.on("quantity", "must be greater than zero")
    exponent = quantity.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        raise ValidationFailed.on(
            "quantity", f"this product allows {decimals} decimal(s) in the quantity"
        )


def line_amounts(
    currency: str,
    price_per_unit: Decimal,
    quantity: Decimal,
    *,
    discount_kind: DiscountKind | None = None,
    discount_rows: Sequence[DiscountRow] = (),
    manual_discount: Decimal = ZERO,
    tax: Decimal = ZERO,
) -> LineAmounts:
    """Base, volume discount, manual discount, tax and extended amount of one line."""
    if quantity <= 0:
        raise ValidationFailed.on("quantity", "must be greater than zero")
    if price_per_unit < 0:
        raise ValidationFailed.on("price_per_unit", "may not be negative")
    if manual_discount < 0:
        raise ValidationFailed.on("manual_discount", "may not be negative")
    if tax < 0:
        raise ValidationFailed.on("tax", "may not be negative")
    base = round_money(price_per_unit * quantity, currency)
    volume = ZERO
    row = discount_row(discount_rows, quantity) if discount_kind is not None else None
    if row is not None:
        if discount_kind is DiscountKind.PERCENT:
            volume = round_money(base * row.value / HUNDRED, currency)
        else:
            volume = round_money(row.value * quantity, currency)
        volume = min(volume, base)
    manual = round_money(manual_discount, currency)
    if manual > base - volume:
        raise ValidationFailed.on(
            "manual_discount",
            f"may not exceed the line amount after volume discount ({base - volume})",
        )
    tax = round_money(tax, currency)
    return LineAmounts(base, volume, manual, tax, base - volume - manual + tax)


def document_totals(
    currency: str,
    lines: Sequence[LineAmounts],
    *,
    discount_percent: Decimal | None = None,
    discount_amount: Decimal | None = None,
    freight: Decimal | None = None,
) -> Totals:
    """Header totals: the header discount (percent first, then amount) applies to the
    lines net of tax; freight and tax are added after it."""
    net = sum((line.net for line in lines), ZERO)
    tax = sum((line.tax for line in lines), ZERO)
    percent = discount_percent or ZERO
    if not ZERO <= percent <= HUNDRED:
        raise ValidationFailed.on("discount_percent", "must be between 0 and 100")
    from_percent = round_money(net * percent / HUNDRED, currency)
    amount = round_money(discount_amount or ZERO, currency)
    if amount < 0:
        raise ValidationFailed.on("discount_amount", "may not be negative")
    if from_percent + amount > net:
        raise ValidationFailed.on(
            "discount_amount", f"the header discount may not exceed the lines' total ({net})"
        )
    freight_amount = round_money(freight or ZERO, currency)
    if freight_amount < 0:
        raise ValidationFailed.on("freight_amount", "may not be negative")
    before_freight = net - from_percent - amount
    return Totals(
        total_line_amount=net,
        discount_from_percent=from_percent,
        total_discount=from_percent + amount,
        amount_before_freight=before_freight,
        freight=freight_amount,
        total_tax=tax,
        total_amount=before_freight + freight_amount + tax,
    )
