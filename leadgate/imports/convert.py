"""Turn spreadsheet text (or XLSX cell values) into field values our schemas accept.

Dates in common formats (ISO first, then day-first, then month-first; years
outside 1900 to 2100 refused), money with thousands separators in either
convention, booleans in several languages' usual spellings, option values by
code or label, trimmed emails, phones from numeric cells, country names to ISO
alpha-2 codes. A value that cannot be converted becomes a row error naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache, partial
from typing import Any

from leadgate.catalog.states import ProductKind
from leadgate.core.normalize import region_for
from leadgate.core.picklists import (
    BudgetStatus,
    ForecastCategory,
    LeadSource,
    Need,
    PurchaseProcess,
    PurchaseTimeframe,
    Rating,
    RelationshipType,
)

MONEY = frozenset(
    {"annual_revenue", "budget_amount", "estimated_value", "list_price", "standard_cost",
     "current_cost", "actual_value"}
)  # fmt: skip
DATES = frozenset({"estimated_close_date", "final_decision_date", "actual_close_date"})
INTEGERS = frozenset({"employee_count", "probability", "quantity_decimals"})
BOOLEANS = frozenset({"do_not_email", "do_not_phone", "do_not_bulk_email", "decision_maker"})


class SalesStage(StrEnum):
    QUALIFY = "qualify"
    DEVELOP = "develop"
    PROPOSE = "propose"
    CLOSE = "close"
    # Outcomes other CRMs keep in the stage column; the import closes such deals.
    WON = "won"
    LOST = "lost"


PHONES = frozenset({"phone", "mobile_phone"})
EMAILS = frozenset({"email", "email2"})
OPTIONS: dict[str, type[StrEnum]] = {
    "lead_source": LeadSource,
    "rating": Rating,
    "purchase_timeframe": PurchaseTimeframe,
    "purchase_process": PurchaseProcess,
    "need": Need,
    "budget_status": BudgetStatus,
    "relationship_type": RelationshipType,
    "forecast_category": ForecastCategory,
    "sales_stage": SalesStage,
    "kind": ProductKind,
}
# Labels other CRMs use for our option codes.
OPTION_ALIASES = {
    "lead_source": {
        "website": "web", "web site": "web", "organic search": "web", "online": "web",
        "direct traffic": "web", "referral": "external_referral", "employee": "employee_referral",
        "trade show": "trade_show", "tradeshow": "trade_show", "event": "seminar",
        "webinar": "seminar", "pr": "public_relations", "advertising": "advertisement",
        "ad": "advertisement", "paid search": "advertisement", "word of mouth": "word_of_mouth",
    },
    "rating": {
        "a": "hot", "b": "warm", "c": "cold", "high": "hot", "medium": "warm", "low": "cold",
    },
    # Salesforce's forecast category of a won deal is "Closed" (of a lost one "Omitted").
    "forecast_category": {"commit": "committed", "best case": "best_case", "closed": "won"},
    # Salesforce, HubSpot and Odoo stage names onto our four open stages.
    "sales_stage": {
        "prospecting": "qualify", "qualification": "qualify", "new": "qualify",
        "appointmentscheduled": "qualify", "qualifiedtobuy": "qualify",
        "needs analysis": "develop", "value proposition": "develop", "qualified": "develop",
        "id. decision makers": "develop", "perception analysis": "develop",
        "presentationscheduled": "develop", "decisionmakerboughtin": "develop",
        "proposal/price quote": "propose", "proposition": "propose", "proposal": "propose",
        "contractsent": "close", "negotiation/review": "close", "negotiation": "close",
        "closed won": "won", "closedwon": "won", "closed lost": "lost", "closedlost": "lost",
    },
    "kind": {"product family": "family", "product bundle": "bundle", "kit": "bundle"},
}  # fmt: skip
_TRUE = frozenset({"1", "true", "yes", "y", "x", "t", "on", "ja", "oui", "si", "sí", "wahr"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "off", "", "nein", "non", "falsch"})
_DATE_FORMATS = (
    "%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y%m%d",
    "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y",
)  # fmt: skip
_ALPHA3 = {
    "USA": "US", "GBR": "GB", "DEU": "DE", "FRA": "FR", "ESP": "ES", "ITA": "IT", "NLD": "NL",
    "BEL": "BE", "CHE": "CH", "AUT": "AT", "CAN": "CA", "AUS": "AU", "IND": "IN", "JPN": "JP",
}  # fmt: skip
_MONEY_JUNK = re.compile(r"[\s$€£¥'\u00a0]|[A-Z]{3}", re.IGNORECASE)
MIN_YEAR, MAX_YEAR = 1900, 2100


class ConversionError(ValueError):
    pass


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def to_money(value: Any) -> Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = _MONEY_JUNK.sub("", to_text(value))
    if "," in text and "." in text:
        # The later separator is the decimal one: 1.234,56 or 1,234.56.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = (
            text.replace(",", "") if len(tail) == 3 and head else head.replace(",", "") + "." + tail
        )
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ConversionError(f"not an amount: {to_text(value)!r}") from exc


def to_date(value: Any) -> date:
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    else:
        text = to_text(value)
        found = _parse_date(text)
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise ConversionError(f"date out of range ({MIN_YEAR} to {MAX_YEAR}): {found.isoformat()}")
    return found


def _parse_date(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date()
    except ValueError as exc:
        raise ConversionError(f"not a date: {text!r}") from exc


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = to_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConversionError(f"not yes/no: {text!r}")


def to_option(field: str, value: Any) -> str:
    options = OPTIONS[field]
    text = to_text(value).lower()
    code = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    codes = {o.value for o in options}
    if code in codes:
        return code
    alias = OPTION_ALIASES.get(field, {}).get(text)
    if alias:
        return alias
    raise ConversionError(f"unknown option {to_text(value)!r} (one of: {', '.join(sorted(codes))})")


def to_country(value: Any) -> str:
    """Recognised names and codes become the ISO 3166 alpha-2 code; others stay as typed."""
    text = to_text(value)
    region = region_for(text)
    if region is None and len(text) == 3 and text.isalpha():
        region = _ALPHA3.get(text.upper())
    return region or text


def _to_whole(value: Any) -> int:
    amount = to_money(value)
    if amount != amount.to_integral_value():
        raise ConversionError(f"not a whole number: {to_text(value)!r}")
    return int(amount)


def _to_email(value: Any) -> str:
    return to_text(value).strip().strip("<>").lower()


def _to_currency(value: Any) -> str:
    return to_text(value).upper()


def _conversion(field: str) -> Callable[[Any], Any]:
    if field in MONEY:
        return to_money
    if field in DATES:
        return to_date
    if field in INTEGERS:
        return _to_whole
    if field in BOOLEANS:
        return to_bool
    if field in OPTIONS:
        return partial(to_option, field)
    if field == "country":
        return to_country
    if field in EMAILS:
        return _to_email
    if field == "currency":
        return _to_currency
    return to_text


@cache
def converter(field: str) -> Callable[[Any], Any]:
    """`convert` for one field, its kind of value looked up once (imports compile their
    columns with it)."""
    conversion = _conversion(field)

    def run(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return conversion(value)

    return run


def convert(field: str, value: Any) -> Any:
    """The value for `field`, or None for a blank cell."""
    return converter(field)(value)
