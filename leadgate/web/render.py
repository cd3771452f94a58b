"""Templates and the user's locale: one Jinja2 environment, autoescaped, and formatters
that show dates, times and money in the signed-in user's locale and time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import (
    DateTimePattern,
    format_date,
    get_date_format,
    get_datetime_format,
    get_time_format,
    parse_pattern,
)
from babel.numbers import format_currency, format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from leadgate.core.clock import as_utc
from leadgate.core.money import MINOR_UNITS, round_money
from leadgate.processes.flows import may_define
from leadgate.security.web_sessions import SignedIn
from leadgate.web.auth import CSRF_FIELD, FLASH_COOKIE, read_flashes

TEMPLATES = Path(__file__).parent / "templates"

NAV = (
    ("home", "Home", "/"),
    ("leads", "Leads", "/leads"),
    ("accounts", "Accounts", "/accounts"),
    ("contacts", "Contacts", "/contacts"),
    ("opportunities", "Opportunities", "/opportunities"),
    ("pipeline", "Pipeline", "/opportunities/pipeline"),
    ("activities", "Activities", "/activities"),
    ("quotes", "Quotes", "/quotes"),
    ("orders", "Orders", "/orders"),
    ("invoices", "Invoices", "/invoices"),
)
ROLE_LABELS = {
    "system_administrator": "System administrator",
    "sales_manager": "Sales manager",
    "salesperson": "Salesperson",
    "read_only": "Read only",
}


def label(code: str | None) -> str:
    """A stored snake_case code as words for people ("trade_show" → "Trade show")."""
    if not code:
        return ""
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Formatter:
    """Formats for one locale and time zone; the patterns are parsed once, since a list
    page formats hundreds of values and babel's one-shot functions re-parse each time."""

    locale: Locale
    zone: ZoneInfo
    date_pattern: DateTimePattern
    time_pattern: DateTimePattern
    glue: str

    def money(self, amount: Decimal | None, currency: str = "USD") -> str:
        if amount is None:
            return ""
        code = currency if currency in MINOR_UNITS else "USD"
        return str(format_currency(round_money(Decimal(amount), code), code, locale=self.locale))

    def number(self, value: Decimal | int | None) -> str:
        return "" if value is None else str(format_decimal(value, locale=self.locale))

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        local = as_utc(value).astimezone(self.zone)
        return self.glue.replace("{1}", self.date_pattern.apply(local, self.locale)).replace(
            "{0}", self.time_pattern.apply(local.timetz(), self.locale)
        )

    def date(self, value: dt.date | None) -> str:
        return "" if value is None else str(self.date_pattern.apply(value, self.locale))

    def month(self, key: str) -> str:
        """ "2026-12" as the locale writes a month ("Dec 2026", "déc. 2026")."""
        if not key:
            return "No date"
        year, month = key.split("-")
        return str(format_date(dt.date(int(year), int(month), 1), "MMM y", locale=self.locale))

    def today(self, now: dt.datetime) -> dt.date:
        return as_utc(now).astimezone(self.zone).date()


@lru_cache(maxsize=64)
def formatter(locale: str, time_zone: str) -> Formatter:
    try:
        loc = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        loc = Locale.parse("en_US")
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return Formatter(
        loc,
        zone,
        parse_pattern(get_date_format("medium", loc)),
        parse_pattern(get_time_format("medium", loc)),
        str(get_datetime_format("medium", loc)),
    )


def formatter_for(user: SignedIn | None) -> Formatter:
    if user is None:
        return formatter("en-US", "UTC")
    return formatter(user.locale, user.time_zone)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["label"] = label
    env.globals["NAV"] = NAV
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    env.globals["CSRF_FIELD"] = CSRF_FIELD
    env.globals["may_define_flows"] = may_define
    return env


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    user: SignedIn | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    user = user or getattr(request.state, "user", None)
    # Partials leave the flash for the next full page, which has a place to show it.
    flashes = [] if is_htmx(request) else read_flashes(request)
    values: dict[str, Any] = {
        "request": request,
        "user": user,
        "fmt": formatter_for(user),
        "csrf": user.csrf_token if user else "",
        "flashes": flashes,
        "section": "",
        "errors": {},
        "form_error": None,
        **(context or {}),
    }
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status, headers=headers)
    if flashes:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response
