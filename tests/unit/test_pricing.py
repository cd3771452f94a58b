"""The pricing engine: worked examples checked by hand, and properties over random input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.catalog.pricing import (
    DiscountKind,
    DiscountRow,
    LineAmounts,
    PriceRule,
    PricingMethod,
    ProductCosts,
    RoundingOption,
    RoundingPolicy,
    check_quantity,
    document_totals,
    line_amounts,
    margin_percent,
    margin_price,
    markup_percent,
    markup_price,
    round_price,
    unit_price,
)
from leadgate.core.errors import ValidationFailed
from leadgate.core.money import round_money

D = Decimal

COSTS = ProductCosts(list_price=D("200"), current_cost=D("80"), standard_cost=D("75"))


@pytest.mark.parametrize(
    ("method", "figure", "expected"),
    [
        (PricingMethod.FIXED_AMOUNT, D("149.90"), D("149.9000")),
        (PricingMethod.PERCENT_OF_LIST, D("90"), D("180.0000")),  # 200 * 0.90
        (PricingMethod.MARKUP_CURRENT_COST, D("25"), D("100.0000")),  # 80 * 1.25
        (PricingMethod.MARGIN_CURRENT_COST, D("20"), D("100.0000")),  # 80 / 0.80
        (PricingMethod.MARKUP_STANDARD_COST, D("40"), D("105.0000")),  # 75 * 1.40
        (PricingMethod.MARGIN_STANDARD_COST, D("25"), D("100.0000")),  # 75 / 0.75
    ],
)
def test_each_pricing_method_by_hand(method: PricingMethod, figure: D, expected: D) -> None:
    rule = (
        PriceRule(method, amount=figure)
        if method is PricingMethod.FIXED_AMOUNT
        else PriceRule(method, percentage=figure)
    )
    assert unit_price(rule, COSTS) == expected


def test_margin_of_a_third_keeps_four_decimals() -> None:
    # 10 / (1 - 0.30) = 14.285714… → 14.2857 per unit
    rule = PriceRule(PricingMethod.MARGIN_CURRENT_COST, percentage=D("30"))
    assert unit_price(rule, ProductCosts(current_cost=D("10"))) == D("14.2857")


def test_a_box_of_twelve_costs_twelve_times_the_unit() -> None:
    rule = PriceRule(PricingMethod.PERCENT_OF_LIST, percentage=D("50"))
    assert unit_price(rule, ProductCosts(list_price=D("3")), unit_factor=D(12)) == D("18.0000")


def test_method_without_its_cost_names_the_missing_field() -> None:
    rule = PriceRule(PricingMethod.MARKUP_STANDARD_COST, percentage=D("10"))
    with pytest.raises(ValidationFailed) as err:
        unit_price(rule, ProductCosts(list_price=D("1")))
    assert err.value.errors[0].field == "standard_cost"


def test_margin_of_100_percent_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        margin_price(D("10"), D("100"))


@pytest.mark.parametrize(
    ("policy", "option", "amount", "expected"),
    [
        (RoundingPolicy.NONE, RoundingOption.MULTIPLE, D("0.25"), D("12.37")),
        (RoundingPolicy.UP, RoundingOption.MULTIPLE, D("0.25"), D("12.50")),
        (RoundingPolicy.DOWN, RoundingOption.MULTIPLE, D("0.25"), D("12.25")),
        (RoundingPolicy.NEAREST, RoundingOption.MULTIPLE, D("0.25"), D("12.25")),
        (RoundingPolicy.UP, RoundingOption.MULTIPLE, D("5"), D("15")),
        (RoundingPolicy.UP, RoundingOption.ENDING, D("0.99"), D("12.99")),
        (RoundingPolicy.DOWN, RoundingOption.ENDING, D("0.99"), D("11.99")),
        (RoundingPolicy.NEAREST, RoundingOption.ENDING, D("0.95"), D("11.95")),
        (RoundingPolicy.NEAREST, RoundingOption.ENDING, D("0.49"), D("12.49")),
        (RoundingPolicy.UP, RoundingOption.ENDING, D("9"), D("19")),
    ],
)
def test_rounding_by_hand(
    policy: RoundingPolicy, option: RoundingOption, amount: D, expected: D
) -> None:
    assert round_price(D("12.37"), policy, option, amount) == expected


def test_a_price_already_on_its_ending_stays() -> None:
    for policy in (RoundingPolicy.UP, RoundingPolicy.DOWN, RoundingPolicy.NEAREST):
        assert round_price(D("12.99"), policy, RoundingOption.ENDING, D("0.99")) == D("12.99")


def test_line_by_hand_with_percent_volume_discount() -> None:
    rows = [DiscountRow(D(1), D(9), D(0)), DiscountRow(D(10), None, D("5"))]
    line = line_amounts(
        "USD",
        D("19.99"),
        D(12),
        discount_kind=DiscountKind.PERCENT,
        discount_rows=rows,
        manual_discount=D("10"),
        tax=D("20.55"),
    )
    # base 239.88; 5 % = 11.994 → 11.99; 239.88 - 11.99 - 10 + 20.55 = 238.44
    assert line == LineAmounts(D("239.88"), D("11.99"), D("10.00"), D("20.55"), D("238.44"))


def test_amount_discount_is_per_unit() -> None:
    rows = [DiscountRow(D(5), D(50), D("1.50"))]
    line = line_amounts("EUR", D("10"), D(6), discount_kind=DiscountKind.AMOUNT, discount_rows=rows)
    assert (line.base, line.volume_discount, line.extended) == (D("60"), D("9.00"), D("51.00"))


def test_zero_decimal_currency_rounds_to_whole_yen() -> None:
    line = line_amounts("JPY", D("333.3333"), D(1))
    assert line.extended == D("333")


def test_header_totals_by_hand() -> None:
    lines = [
        line_amounts("USD", D("100"), D(3), tax=D("30")),  # net 300, tax 30
        line_amounts("USD", D("49.995"), D(2), tax=D("10")),  # net 99.99 (half-even)
    ]
    totals = document_totals(
        "USD", lines, discount_percent=D("10"), discount_amount=D("5"), freight=D("12.50")
    )
    # net 399.99; 10 % = 39.999 → 40.00; - 5 → 354.99; + 12.50 + 40 tax = 407.49
    assert totals.total_line_amount == D("399.99")
    assert totals.discount_from_percent == D("40.00")
    assert totals.total_discount == D("45.00")
    assert totals.amount_before_freight == D("354.99")
    assert totals.total_amount == D("407.49")


def test_header_discount_above_the_lines_is_refused() -> None:
    lines = [line_amounts("USD", D("10"), D(1))]
    with pytest.raises(ValidationFailed) as err:
        document_totals("USD", lines, discount_amount=D("10.01"))
    assert err.value.errors[0].field == "discount_amount"


@pytest.mark.parametrize(
    ("quantity", "decimals", "field_ok"),
    [(D(0), 0, False), (D(-1), 2, False), (D("1.5"), 0, False), (D("1.50"), 1, True)],
)
def test_quantity_rules(quantity: D, decimals: int, field_ok: bool) -> None:
    if field_ok:
        check_quantity(quantity, decimals)
    else:
        with pytest.raises(ValidationFailed) as err:
            check_quantity(quantity, decimals)
        assert err.value.errors[0].field == "quantity"


def test_manual_discount_above_the_line_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        line_amounts("USD", D("10"), D(1), manual_discount=D("10.01"))
    assert err.value.errors[0].field == "manual_discount"


# --- properties --------------------------------------------------------------------

prices = st.decimals(min_value=0, max_value=1_000_000, places=4, allow_nan=False)
quantities = st.decimals(min_value=D("0.00001"), max_value=10_000, places=5, allow_nan=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
currencies = st.sampled_from(["USD", "JPY", "KWD", "EUR"])


@st.composite
def lines(draw: st.DrawFn, currency: str) -> LineAmounts:
    price = draw(prices)
    quantity = draw(quantities)
    rows = [DiscountRow(D(0), None, draw(percents))] if draw(st.booleans()) else []
    base = round_money(price * quantity, currency)
    after_volume = base - (round_money(base * rows[0].value / 100, currency) if rows else 0)
    manual = draw(st.decimals(min_value=0, max_value=max(after_volume, D(0)), places=0))
    return line_amounts(
        currency,
        price,
        quantity,
        discount_kind=DiscountKind.PERCENT if rows else None,
        discount_rows=rows,
        manual_discount=manual,
        tax=draw(st.decimals(min_value=0, max_value=10_000, places=2)),
    )


@given(st.data(), currencies, percents)
def test_totals_equal_the_sum_of_their_parts(data: st.DataObject, currency: str, pct: D) -> None:
    items = data.draw(st.lists(lines(currency), max_size=20))
    freight = data.draw(st.decimals(min_value=0, max_value=1000, places=2))
    totals = document_totals(currency, items, discount_percent=pct, freight=freight)
    assert totals.total_tax == sum((i.tax for i in items), D(0))
    assert totals.total_amount == (
        sum((i.extended for i in items), D(0)) - totals.total_discount + totals.freight
    )
    for item in items:
        assert item.extended == item.base - item.volume_discount - item.manual_discount + item.tax
        assert item.extended >= item.tax


@given(prices, quantities, currencies)
def test_rounding_never_loses_a_cent(price: D, quantity: D, currency: str) -> None:
    line = line_amounts(currency, price, quantity)
    exact = price * quantity
    minor = D(1).scaleb(-{"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}[currency])
    assert abs(line.base - exact) <= minor / 2
    assert line.base == line.base.quantize(minor)
    totals = document_totals(currency, [line, line])
    assert totals.total_amount == 2 * line.base


@given(st.data(), currencies)
def test_a_100_percent_discount_gives_zero(data: st.DataObject, currency: str) -> None:
    items = data.draw(st.lists(lines(currency), min_size=1, max_size=10))
    totals = document_totals(currency, items, discount_percent=D(100))
    assert totals.amount_before_freight == 0
    assert totals.total_amount == totals.total_tax
    price, quantity = data.draw(prices), data.draw(quantities)
    full = line_amounts(
        currency,
        price,
        quantity,
        discount_kind=DiscountKind.PERCENT,
        discount_rows=[DiscountRow(D(0), None, D(100))],
    )
    assert full.extended == 0


@given(
    st.decimals(min_value=D("0.01"), max_value=1_000_000, places=4),
    st.decimals(min_value=0, max_value=D("99.99"), places=2),
)
def test_margin_and_markup_formulas_invert(cost: D, pct: D) -> None:
    assert abs(margin_percent(margin_price(cost, pct), cost) - pct) < D("1e-18")
    assert abs(markup_percent(markup_price(cost, pct), cost) - pct) < D("1e-18")


@given(prices, st.sampled_from(list(RoundingPolicy)), st.sampled_from(["0.05", "0.25", "10"]))
def test_rounding_to_a_multiple_lands_on_one(price: D, policy: RoundingPolicy, step: str) -> None:
    rounded = round_price(price, policy, RoundingOption.MULTIPLE, D(step))
    if policy is RoundingPolicy.NONE:
        assert rounded == price
        return
    assert rounded % D(step) == 0
    assert abs(rounded - price) <= D(step)
    if policy is RoundingPolicy.UP:
        assert rounded >= price
    if policy is RoundingPolicy.DOWN:
        assert rounded <= price


@given(prices, st.sampled_from(list(RoundingPolicy)[1:]), st.sampled_from(["0.99", "0.5", "9"]))
def test_rounding_to_an_ending_ends_so(price: D, policy: RoundingPolicy, ending: str) -> None:
    rounded = round_price(price, policy, RoundingOption.ENDING, D(ending))
    step = D(1) if D(ending) < 1 else D(10)
    assert (rounded - D(ending)) % step == 0
    assert abs(rounded - price) <= step
