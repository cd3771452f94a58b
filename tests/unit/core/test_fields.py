"""Reusable input and output field types."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from leadgate.core.fields import Currency, Input, Money, MoneyOut, Phone, Probability


class _Out(BaseModel):
    amount: MoneyOut
    maybe: MoneyOut | None = None


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("12000.5", "12000.50"),
        ("5", "5.00"),
        ("0", "0.00"),
        ("0.1234", "0.1234"),
        ("1.23456", "1.2346"),
        ("7.1000", "7.10"),
        ("-3.5", "-3.50"),
        ("999999999999999.9999", "999999999999999.9999"),
    ],
)
def test_money_out_is_exact_text_with_two_to_four_decimals(amount: str, text: str) -> None:
    dumped = _Out(amount=Decimal(amount)).model_dump(mode="json")
    assert dumped == {"amount": text, "maybe": None}


def test_money_out_stays_a_decimal_in_python_mode() -> None:
    assert _Out(amount=Decimal("1.5")).model_dump()["amount"] == Decimal("1.5")


class _In(Input):
    value: Money | None = None
    probability: Probability | None = None
    currency: Currency | None = None
    phone: Phone | None = None


def _fields(**data: object) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        _In.model_validate(data)
    return {".".join(str(p) for p in e["loc"]) for e in refused.value.errors()}


def test_money_refuses_negative_too_precise_and_too_large_amounts() -> None:
    assert _fields(value="-0.01") == {"value"}
    assert _fields(value="1.00001") == {"value"}
    assert _fields(value="10000000000000000") == {"value"}
    assert _In(value="12.3456").value == Decimal("12.3456")


def test_probability_currency_phone_and_unknown_fields() -> None:
    assert _fields(probability=101) == {"probability"}
    assert _fields(probability=-1) == {"probability"}
    assert _fields(currency="eurx") == {"currency"}
    assert "phone" in next(iter(_fields(phone="not a number")))
    assert _fields(colour="red") == {"colour"}
    assert _In(currency=" eur ").currency == "EUR"
