"""What kind of data a lead field holds, inferred from its values.

The same inference serves the product's lead fields and any column of a CSV
file of leads, so an unknown column is treated exactly like a known one:
numeric, categorical, text-like (high cardinality) or an identifier (every
value different, no signal to learn). Web-form placeholders ("Select"), empty
cells and "unknown"-style answers count as missing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

MISSING_WORDS = frozenset(
    {
        "",
        "select",
        "unknown",
        "n/a",
        "na",
        "none",
        "null",
        "nil",
        "nan",
        "-",
        "--",
        "?",
        "not provided",
        "not specified",
        "not available",
        "not applicable",
        "undefined",
    }
)
# A field whose values are at least this share numbers is numeric.
NUMERIC_SHARE = 0.95
# Above this many distinct values a text field stops being a picklist.
CATEGORICAL_MAX_DISTINCT = 60
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


class FieldKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    TEXT = "text"
    IDENTIFIER = "identifier"
    EMPTY = "empty"


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip().casefold() in MISSING_WORDS
    return False


def as_number(value: object) -> float | None:
    """The value as a float, or None when it is missing or not a number."""
    kind = type(value)
    # What database columns hold, first: no parsing to do.
    if kind is float or kind is Decimal:
        number = float(value)  # type: ignore[arg-type]
        return number if math.isfinite(number) else None
    if kind is int:
        return float(value)  # type: ignore[arg-type]
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, datetime | date):
        return None
    text = str(value).strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def as_category(value: object) -> str | None:
    """A stable key for a categorical value: trimmed and case-folded."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split()).casefold()


def label_of(value: object) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return " ".join(str(value).split())


@dataclass(frozen=True)
class FieldProfile:
    name: str
    kind: FieldKind
    filled: int
    distinct: int


def profile_field(name: str, values: Iterable[object]) -> FieldProfile:
    present = [v for v in values if not is_missing(v)]
    return _profile(name, present)


def _profile(name: str, present: list[object]) -> FieldProfile:
    if not present:
        return FieldProfile(name, FieldKind.EMPTY, 0, 0)
    if all(isinstance(v, bool) for v in present):
        return FieldProfile(name, FieldKind.CATEGORICAL, len(present), len(set(present)))
    numbers = sum(1 for v in present if as_number(v) is not None)
    distinct = len(Counter(as_category(v) for v in present))
    if numbers >= NUMERIC_SHARE * len(present):
        return FieldProfile(name, FieldKind.NUMERIC, len(present), distinct)
    if distinct <= CATEGORICAL_MAX_DISTINCT:
        return FieldProfile(name, FieldKind.CATEGORICAL, len(present), distinct)
    # Every value different (ids, e-mail addresses): nothing a model can generalise from.
    if distinct >= 0.95 * len(present):
        return FieldProfile(name, FieldKind.IDENTIFIER, len(present), distinct)
    return FieldProfile(name, FieldKind.TEXT, len(present), distinct)


def looks_like_email(values: Iterable[object]) -> bool:
    present = [str(v) for v in values if not is_missing(v)]
    if not present:
        return False
    hits = sum(1 for v in present if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v.strip()))
    return hits >= 0.8 * len(present)
