"""The fields a scoring model may learn from, and lead → record for the learning code.

A model lists field codes: lead columns ("lead_source"), related account and
contact columns ("account.industry", "contact.job_title") and derived signals
("email_domain_kind", "completeness", "activity_count", "days_since_activity",
"has_campaign"). Records are keyed by each field's label, so the reasons the
model gives read in plain words ("Source is Web").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ARRAY, Join, Row, Uuid, any_, func, literal, outerjoin, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from leadgate.accounts.models import Account
from leadgate.activities.models import Activity
from leadgate.contacts.models import Contact
from leadgate.core.clock import as_utc, utcnow
from leadgate.leads.models import Lead, LeadScore
from leadgate.scoring.fields import is_missing
from leadgate.scoring.signals import email_domain_kind

LEAD_FIELDS = {
    "lead_source": "Source",
    "rating": "Rating",
    "industry": "Industry",
    "job_title": "Job title",
    "annual_revenue": "Annual revenue",
    "employee_count": "Employees",
    "budget_amount": "Budget",
    "budget_status": "Budget status",
    "purchase_timeframe": "Purchase timeframe",
    "purchase_process": "Purchase process",
    "decision_maker": "Decision maker",
    "need": "Need",
    "estimated_value": "Estimated value",
    "currency": "Currency",
    "country": "Country",
    "state_or_province": "State or province",
    "city": "City",
    "list_vendor": "List vendor",
    "do_not_email": "Do not email",
    "do_not_phone": "Do not phone",
    "do_not_bulk_email": "Do not bulk email",
}
ACCOUNT_FIELDS = {
    "account.industry": "Account industry",
    "account.annual_revenue": "Account annual revenue",
    "account.employee_count": "Account employees",
    "account.relationship_type": "Account relationship",
    "account.country": "Account country",
}
CONTACT_FIELDS = {
    "contact.job_title": "Contact job title",
    "contact.do_not_email": "Contact does not want email",
}
SIGNALS = {
    "email_domain_kind": "Email domain",
    "completeness": "Filled-in fields",
    "activity_count": "Activities",
    "days_since_activity": "Days since last activity",
    "has_campaign": "From a campaign",
}
CATALOG = {**LEAD_FIELDS, **ACCOUNT_FIELDS, **CONTACT_FIELDS, **SIGNALS}
DEFAULT_FIELDS = [
    "lead_source",
    "industry",
    "job_title",
    "employee_count",
    "annual_revenue",
    "budget_status",
    "purchase_timeframe",
    "decision_maker",
    "need",
    "country",
    "email_domain_kind",
    "completeness",
    "activity_count",
    "days_since_activity",
    "has_campaign",
]
# Lead columns a model's filter may test for equality (its line of business).
FILTERABLE = frozenset(LEAD_FIELDS) | {"owner_id", "campaign_id"}
# What completeness counts: the contact and qualification facts a rep would fill in.
_COMPLETENESS_OF = (
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "email",
    "phone",
    "website",
    "industry",
    "budget_status",
    "purchase_timeframe",
    "need",
    "country",
)
_CODE_LIKE = frozenset({"lead_source", "rating", "budget_status", "purchase_timeframe", "need"})


def unknown_fields(codes: Sequence[str]) -> list[str]:
    return [c for c in codes if c not in CATALOG]


def _shown(code: str, value: Any) -> Any:
    # Stored codes are snake_case; a reason reads "Source is Trade show".
    if code in _CODE_LIKE and isinstance(value, str):
        return value.replace("_", " ").capitalize()
    return value


def lead_column_names(codes: Sequence[str], filter_keys: Iterable[str] = ()) -> list[str]:
    """The lead columns `build_columns` reads for these field codes, plus what a scorer
    needs (scope filters, the previous score and trend)."""
    names = {"id", "state", "updated_at", "score", "score_trend", *filter_keys}
    for code in codes:
        if code in LEAD_FIELDS:
            names.add(code)
        elif code.startswith("account."):
            names.add("existing_account_id")
        elif code.startswith("contact."):
            names.add("existing_contact_id")
        elif code == "email_domain_kind":
            names.update(("email", "email2"))
        elif code == "completeness":
            names.update(_COMPLETENESS_OF)
        elif code == "has_campaign":
            names.add("campaign_id")
    return sorted(names)


# The previous score a scorer compares with lives in the lead's score row.
_SCORE_COLUMNS = {"score": LeadScore.score, "score_trend": LeadScore.score_trend}


def scored_leads() -> Join:
    """What a select of `lead_columns` reads from: leads, outer-joined to their scores."""
    return outerjoin(Lead, LeadScore, LeadScore.lead_id == Lead.id)


def _lead_column(name: str) -> Any:
    found = _SCORE_COLUMNS.get(name)
    return getattr(Lead, name) if found is None else found.label(name)


def lead_columns(codes: Sequence[str], filter_keys: Iterable[str] = ()) -> list[Any]:
    """`lead_column_names` as columns, for a Core select from `scored_leads()`."""
    return [_lead_column(name) for name in lead_column_names(codes, filter_keys)]


@dataclass(frozen=True)
class RawRead:
    """How to read lead columns without SQLAlchemy's result types (a batch of 100,000 leads
    spent more in Uuid/DateTime result processing than in scoring): `raw_lead_columns`
    selects them untyped; `build_columns` then converts each distinct value once, except
    the lead id, which stays the driver's value (the write binds it as it came) and
    `updated_at`, only converted for closed leads (the one place it is read)."""

    processors: dict[str, Callable[[Any], Any]]
    # The id column's bind processor: a loaded Lead's id -> the raw value (None: the same).
    id_bind: Callable[[Any], Any] | None


def raw_lead_columns(
    dialect: Any, codes: Sequence[str], filter_keys: Iterable[str] = ()
) -> tuple[list[Any], RawRead]:
    """`lead_columns` without result types, and what turns their values into typed ones."""
    processors = {}
    columns = []
    for name in lead_column_names(codes, filter_keys):
        column = _SCORE_COLUMNS[name] if name in _SCORE_COLUMNS else getattr(Lead, name)
        try:
            processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
        except TypeError:
            # The processor depends on the type the server reports (psycopg's numeric):
            # this column is read typed, as usual.
            columns.append(column)
            continue
        if processor is not None:
            processors[name] = processor
        columns.append(type_coerce(column, NullType()).label(name))
    id_type = Lead.id.type.dialect_impl(dialect)
    return columns, RawRead(processors, id_type.bind_processor(dialect))


def _typed(src: dict[str, Sequence[Any]], raw: RawRead) -> dict[str, Sequence[Any]]:
    out = dict(src)
    for name, processor in raw.processors.items():
        if name == "id" or name not in src:
            continue
        values = src[name]
        if name == "updated_at":
            states = src["state"]
            out[name] = [
                None if s == "open" else processor(v) for s, v in zip(states, values, strict=True)
            ]
            continue
        # Few distinct values (sources, ids of a handful of accounts): each converted once.
        memo = {value: processor(value) for value in set(values)}
        out[name] = list(map(memo.__getitem__, values))
    return out


def build_records(
    session: Session, leads: Sequence[Any], codes: Sequence[str], now: datetime | None = None
) -> list[dict[str, object]]:
    """One record per lead, keyed by field label (what training and evaluation read)."""
    columns = build_columns(session, leads, codes, now)
    labels = list(columns)
    if not labels:
        return [{} for _ in leads]
    return [
        dict(zip(labels, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]


@dataclass(frozen=True)
class Related:
    """What a batch of leads' fields need from other tables: the accounts and contacts
    they point at and their activity counts (read by `read_related`)."""

    accounts: dict[uuid.UUID, Any]
    contacts: dict[uuid.UUID, Any]
    activity: dict[Any, tuple[int, datetime | None]]


def lead_source_columns(
    leads: Sequence[Any], codes: Sequence[str], raw: RawRead | None = None
) -> dict[str, Sequence[Any]]:
    """The lead columns `codes` read, one sequence per column (typed). `leads` are Lead
    objects or rows holding the columns of `lead_columns`; rows are turned into columns
    at C speed (no attribute access per value: that alone cost more than the model on
    100,000 leads)."""
    src = _as_columns(leads, lead_column_names(codes))
    return src if raw is None else _typed(src, raw)


def read_related(
    session: Session, src: dict[str, Sequence[Any]], codes: Sequence[str], raw_ids: bool = False
) -> Related:
    """The related rows and activity counts of a batch, in a few queries for the whole batch."""
    accounts = (
        _related(session, Account, set(src["existing_account_id"]), codes)
        if any(c.startswith("account.") for c in codes)
        else {}
    )
    contacts = (
        _related(session, Contact, set(src["existing_contact_id"]), codes)
        if any(c.startswith("contact.") for c in codes)
        else {}
    )
    activity = _activity(session, list(src["id"]), codes, raw_ids=raw_ids)
    return Related(accounts, contacts, activity)


def field_columns(
    src: dict[str, Sequence[Any]], related: Related, codes: Sequence[str], now: datetime
) -> dict[str, list[object]]:
    """Field label → one value per lead; no database access (a batch rescore works this
    out while the previous batch is being written)."""
    return {
        CATALOG[code]: _column(code, src, related.accounts, related.contacts, related.activity, now)
        for code in codes
    }


def build_columns(
    session: Session,
    leads: Sequence[Any],
    codes: Sequence[str],
    now: datetime | None = None,
    raw: RawRead | None = None,
) -> dict[str, list[object]]:
    """Field label → one value per lead, with related fields and signals loaded in a few
    queries for the whole batch."""
    if not leads:
        return {CATALOG[code]: [] for code in codes}
    src = lead_source_columns(leads, codes, raw)
    related = read_related(session, src, codes, raw_ids=raw is not None)
    return field_columns(src, related, codes, now or utcnow())


def _as_columns(leads: Sequence[Any], names: Sequence[str]) -> dict[str, Sequence[Any]]:
    if isinstance(leads[0], Row):
        return dict(zip(leads[0]._fields, zip(*leads, strict=True), strict=True))
    return {name: [getattr(lead, name) for lead in leads] for name in names}


def _column(
    code: str,
    src: dict[str, Sequence[Any]],
    accounts: dict[uuid.UUID, Any],
    contacts: dict[uuid.UUID, Any],
    activity: dict[Any, tuple[int, datetime | None]],
    now: datetime,
) -> list[object]:
    if code in LEAD_FIELDS:
        if code in _CODE_LIKE:
            shown = {value: _shown(code, value) for value in set(src[code])}
            return [shown[value] for value in src[code]]
        return list(src[code])
    if code.startswith("account.") or code.startswith("contact."):
        prefix, name = code.split(".", 1)
        related = accounts if prefix == "account" else contacts
        found = [related.get(key) for key in src[f"existing_{prefix}_id"]]
        return [None if row is None else getattr(row, name) for row in found]
    if code == "email_domain_kind":
        return list(_domain_kinds(src["email"], src["email2"]))
    if code == "completeness":
        # Column-wise: per column one flag per distinct value, summed across columns.
        filled = np.zeros(len(src["id"]), dtype=np.intp)
        for name in _COMPLETENESS_OF:
            filled += np.fromiter(_filled(src[name]), dtype=np.intp, count=len(src[name]))
        share = {k: round(k / len(_COMPLETENESS_OF), 3) for k in range(len(_COMPLETENESS_OF) + 1)}
        return list(map(share.__getitem__, filled.tolist()))
    if code == "activity_count":
        none = (0, None)
        return [activity.get(lead_id, none)[0] for lead_id in src["id"]]
    if code == "days_since_activity":
        out: list[object] = []
        for lead_id, state, updated_at in zip(
            src["id"], src["state"], src["updated_at"], strict=True
        ):
            last = activity.get(lead_id, (0, None))[1]
            # A closed lead is described as it was when it closed, not as it looks today.
            as_of = now if state == "open" else as_utc(updated_at)
            out.append(
                None if last is None else max(0.0, round((as_of - last).total_seconds() / 86400, 1))
            )
        return out
    if code == "has_campaign":
        return [campaign is not None for campaign in src["campaign_id"]]
    raise KeyError(code)


def _filled(values: Sequence[Any]) -> list[int]:
    # Cities, sources, names repeat: each distinct value is judged once.
    try:
        known = {value: 0 if is_missing(value) else 1 for value in set(values)}
    except TypeError:  # an unhashable value: judged one by one
        return [0 if is_missing(value) else 1 for value in values]
    return list(map(known.__getitem__, values))


def _domain_kinds(emails: Sequence[Any], others: Sequence[Any]) -> list[str | None]:
    # Addresses are unique, domains are not: each domain is judged once (through
    # email_domain_kind itself, so the rule lives in one place).
    domains: dict[str, str | None] = {}

    def kind(email: Any) -> str | None:
        if email is None:
            return None
        if not isinstance(email, str) or email.count("@") != 1:
            return email_domain_kind(email)
        domain = email.rsplit("@", 1)[1]
        found = domains.get(domain, "?")
        if found == "?":
            found = domains[domain] = email_domain_kind("x@" + domain)
        return found

    pairs: dict[tuple[str | None, str | None], str | None] = {
        ("corporate", None): "Corporate",
        ("free", None): "Free",
        (None, None): None,
    }
    out = []
    for email, other in zip(emails, others, strict=True):
        kinds = (kind(email), kind(other))
        shown = pairs.get(kinds, "?")
        if shown == "?":
            shown = pairs[kinds] = (
                "Corporate" if "corporate" in kinds else "Free" if "free" in kinds else None
            )
        out.append(shown)
    return out


def _related(
    session: Session,
    model: type[Account] | type[Contact],
    ids: set[uuid.UUID | None],
    codes: Sequence[str],
) -> dict[uuid.UUID, Any]:
    prefix = "account." if model is Account else "contact."
    wanted = {i for i in ids if i is not None}
    if not wanted or not any(c.startswith(prefix) for c in codes):
        return {}
    rows: Sequence[Any] = session.scalars(select(model).where(model.id.in_(wanted))).all()
    return {row.id: row for row in rows}


def _activity(
    session: Session, lead_ids: list[Any], codes: Sequence[str], raw_ids: bool = False
) -> dict[Any, tuple[int, datetime | None]]:
    if not lead_ids or not {"activity_count", "days_since_activity"} & set(codes):
        return {}
    found: dict[Any, tuple[int, datetime | None]] = {}
    # Raw lead ids are compared and returned as the driver's values, like the leads' own.
    regarding: Any = (
        type_coerce(Activity.regarding_id, NullType()) if raw_ids else Activity.regarding_id
    )
    # PostgreSQL: the ids as one array parameter (= ANY), 10,000 a query; an IN list of
    # 1,000 bound ids cost ≈ 10 ms a query to bind and plan, 100 queries per 100,000 leads.
    # SQLite: IN lists of 1,000 (its bound-parameter limit is far above, its planner cheap).
    step = 10_000 if session.get_bind().dialect.name == "postgresql" else 1000
    for start in range(0, len(lead_ids), step):
        chunk = lead_ids[start : start + step]
        matches = (
            regarding == any_(literal(chunk, ARRAY(Uuid())))
            if step > 1000
            else regarding.in_(chunk)
        )
        rows = session.execute(
            select(regarding, func.count(), func.max(Activity.created_at))
            .where(Activity.regarding_type == "lead", matches)
            .group_by(regarding)
        )
        for lead_id, count, last in rows:
            if lead_id is not None:
                found[lead_id] = (int(count), as_utc(last) if last else None)
    return found
