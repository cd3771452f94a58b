"""Derived signals: facts about a lead that no single field states.

- email domain kind: a free mailbox (gmail.com) or a company domain;
- completeness: the share of the chosen fields the lead has filled in;
- activity count and days since the last activity, when activities are known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from leadgate.scoring.fields import is_missing

EMAIL_DOMAIN_KIND = "Email domain kind"
COMPLETENESS = "Field completeness"
ACTIVITY_COUNT = "Activities"
DAYS_SINCE_ACTIVITY = "Days since last activity"

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.co.in",
        "yahoo.fr",
        "ymail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "zoho.com",
        "qq.com",
        "163.com",
        "126.com",
        "rediffmail.com",
        "free.fr",
        "orange.fr",
        "laposte.net",
        "t-online.de",
        "libero.it",
        "fastmail.com",
        "hey.com",
    }
)


def email_domain_kind(email: object) -> str | None:
    """ "free" or "corporate"; None when there is no usable address."""
    if is_missing(email):
        return None
    text = str(email).strip().lower()
    if text.count("@") != 1:
        return None
    domain = text.rsplit("@", 1)[1].strip(".")
    if "." not in domain:
        return None
    return "free" if domain in FREE_MAIL_DOMAINS else "corporate"


def completeness(record: Mapping[str, object], names: Iterable[str]) -> float:
    names = list(names)
    if not names:
        return 0.0
    return sum(0 if is_missing(record.get(n)) else 1 for n in names) / len(names)


def with_signals(
    records: Sequence[Mapping[str, object]],
    *,
    email_fields: Sequence[str] = (),
    completeness_fields: Sequence[str] = (),
) -> list[dict[str, object]]:
    """Copies of the records with the derived signals added as extra fields."""
    out: list[dict[str, object]] = []
    for record in records:
        row = dict(record)
        if email_fields:
            kinds = [email_domain_kind(record.get(f)) for f in email_fields]
            # Any corporate address beats a free one: it names the employer.
            row[EMAIL_DOMAIN_KIND] = (
                "corporate" if "corporate" in kinds else "free" if "free" in kinds else None
            )
        if completeness_fields:
            row[COMPLETENESS] = round(completeness(record, completeness_fields), 4)
        out.append(row)
    return out


def signal_names(*, emails: bool, completeness_fields: bool) -> list[str]:
    names = []
    if emails:
        names.append(EMAIL_DOMAIN_KIND)
    if completeness_fields:
        names.append(COMPLETENESS)
    return names
