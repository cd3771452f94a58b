"""Money rounding lives in one place: half to even, to the currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from leadgate.core.money import MAX_AMOUNT, is_currency, round_money


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("2.675", "USD", "2.68"),
        ("2.665", "USD", "2.66"),  # half to even, not half up
        ("2.6651", "USD", "2.67"),
        ("-2.675", "EUR", "-2.68"),
        ("1234.5", "JPY", "1234"),
        ("1235.5", "JPY", "1236"),
        ("1.2345", "KWD", "1.234"),
        ("1.2355", "KWD", "1.236"),
        ("10", "GBP", "10.00"),
    ],
)
def test_round_money(amount: str, currency: str, rounded: str) -> None:
    result = round_money(Decimal(amount), currency)
    assert result == Decimal(rounded)
    assert str(result) == rounded  # exactly the minor unit's number of places


def test_the_largest_storable_amount_survives_rounding() -> None:
    assert round_money(MAX_AMOUNT, "USD") == Decimal("1000000000000000.00")
    assert round_money(Decimal("999999999999999.99"), "USD") == Decimal("999999999999999.99")


def test_unknown_currencies_are_refused() -> None:
    assert is_currency("EUR")
    assert not is_currency("eur")
    assert not is_currency("XYZ")
    with pytest.raises(KeyError):
        round_money(Decimal("1"), "XYZ")
