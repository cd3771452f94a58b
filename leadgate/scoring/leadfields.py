"""The fields a scoring model may learn from, and lead → record for the learning code.

A model lists field codes: lead columns ("lead_source"), related account and
contact columns ("account.industry", "contact.job_title") and derived signals
("email_domain_kind", "completeness", "activity_count", "days_since_activity",
"has_campaign"). Records are keyed by each field's label, so the reasons the
model gives read in plain words ("Source is Web").
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.activities.models import Activity
from leadgate.contacts.models import Contact
from leadgate.core.clock import as_utc, utcnow
from leadgate.leads.models import Lead
from leadgate.scoring.signals import completeness as completeness_of
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


def build_records(
    session: Session, leads: Sequence[Lead], codes: Sequence[str], now: datetime | None = None
) -> list[dict[str, object]]:
    """One record per lead, keyed by field label, with related fields and signals loaded
    in a few queries for the whole batch."""
    now = now or utcnow()
    accounts = _related(session, Account, {lead.existing_account_id for lead in leads}, codes)
    contacts = _related(session, Contact, {lead.existing_contact_id for lead in leads}, codes)
    activity = _activity(session, [lead.id for lead in leads], codes)
    records = []
    for lead in leads:
        record: dict[str, object] = {}
        # A closed lead is described as it was when it closed, not as it looks today.
        as_of = now if lead.state == "open" else as_utc(lead.updated_at)
        for code in codes:
            record[CATALOG[code]] = _value(lead, code, accounts, contacts, activity, as_of)
        records.append(record)
    return records


def _value(
    lead: Lead,
    code: str,
    accounts: dict[uuid.UUID, Any],
    contacts: dict[uuid.UUID, Any],
    activity: dict[uuid.UUID, tuple[int, datetime | None]],
    as_of: datetime,
) -> object:
    if code in LEAD_FIELDS:
        return _shown(code, getattr(lead, code))
    if code.startswith("account."):
        account = accounts.get(lead.existing_account_id) if lead.existing_account_id else None
        return getattr(account, code.split(".", 1)[1]) if account is not None else None
    if code.startswith("contact."):
        contact = contacts.get(lead.existing_contact_id) if lead.existing_contact_id else None
        return getattr(contact, code.split(".", 1)[1]) if contact is not None else None
    if code == "email_domain_kind":
        kinds = [email_domain_kind(lead.email), email_domain_kind(lead.email2)]
        return "Corporate" if "corporate" in kinds else "Free" if "free" in kinds else None
    if code == "completeness":
        return round(
            completeness_of({k: getattr(lead, k) for k in _COMPLETENESS_OF}, _COMPLETENESS_OF), 3
        )
    if code == "activity_count":
        return activity.get(lead.id, (0, None))[0]
    if code == "days_since_activity":
        last = activity.get(lead.id, (0, None))[1]
        return None if last is None else max(0.0, round((as_of - last).total_seconds() / 86400, 1))
    if code == "has_campaign":
        return lead.campaign_id is not None
    raise KeyError(code)


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
    session: Session, lead_ids: list[uuid.UUID], codes: Sequence[str]
) -> dict[uuid.UUID, tuple[int, datetime | None]]:
    if not lead_ids or not {"activity_count", "days_since_activity"} & set(codes):
        return {}
    found: dict[uuid.UUID, tuple[int, datetime | None]] = {}
    # Chunked: an IN list of a million ids is not a query.
    for start in range(0, len(lead_ids), 1000):
        chunk = lead_ids[start : start + 1000]
        rows = session.execute(
            select(Activity.regarding_id, func.count(), func.max(Activity.created_at))
            .where(Activity.regarding_type == "lead", Activity.regarding_id.in_(chunk))
            .group_by(Activity.regarding_id)
        )
        for lead_id, count, last in rows:
            if lead_id is not None:
                found[lead_id] = (int(count), as_utc(last) if last else None)
    return found
