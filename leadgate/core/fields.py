"""Reusable, validated field types for input schemas (the API and forms share them)."""

from __future__ import annotations

import sys
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

import email_validator
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, PlainSerializer

from leadgate.core.money import MAX_AMOUNT, is_currency
from leadgate.core.normalize import is_plausible_phone


def _phone(value: str) -> str:
    value = value.strip()
    if not is_plausible_phone(value):
        raise ValueError("not a valid phone number (7 to 15 digits, optional +, spaces, dashes)")
    return value


def _currency(value: str) -> str:
    value = value.strip().upper()
    if not is_currency(value):
        raise ValueError(f"unknown ISO 4217 currency code {value!r}")
    return value


def _stripped(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("may not be blank")
    return value


Phone = Annotated[str, Field(max_length=50), AfterValidator(_phone)]
Email = Annotated[EmailStr, Field(max_length=254)]


def _cache_email_domain_checks() -> None:
    """email-validator checks the domain of every address anew (IDNA and UTS #46, one
    character at a time): 14 % of an import's time, and a file repeats its domains.
    The check is pure, so EmailStr's validation gets it cached per distinct domain;
    a refused domain is not cached and raises the same error as before."""
    assert email_validator.__version__  # loaded before its submodule is patched
    module: Any = sys.modules["email_validator.validate_email"]
    check = module.validate_email_domain_name
    if not hasattr(check, "cache_info"):
        module.validate_email_domain_name = lru_cache(maxsize=1 << 14)(check)


_cache_email_domain_checks()
Currency = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]
Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, max_digits=19, decimal_places=4)]
Probability = Annotated[int, Field(ge=0, le=100)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Text = Annotated[str, Field(max_length=100_000)]


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_stripped)]
Str100 = Annotated[str, Field(max_length=100)]
Str200 = Annotated[str, Field(max_length=200)]
Str400 = Annotated[str, Field(max_length=400)]
Url = Annotated[str, Field(max_length=400)]


class Input(BaseModel):
    """Base of every input schema: unknown fields are refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Patch(Input):
    """Base of partial updates: only the fields sent are applied."""

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True)


def _money_text(value: Decimal) -> str:
    """Exact text with at least 2 and at most 4 decimals: 12000.5 → "12000.50"."""
    text = format(value.quantize(Decimal("0.0001")), "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"{whole}.{frac}"


MoneyOut = Annotated[Decimal, PlainSerializer(_money_text, return_type=str, when_used="json")]
