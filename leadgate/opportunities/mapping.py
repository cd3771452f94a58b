"""The lead → account / contact / opportunity field mapping used by qualify.

Stored as rows (`qualify_mappings`) so an administrator can change it; the
defaults below are what a fresh database gets (the migration inserts them).
Saving a mapping checks that both fields exist and that their types agree.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.audit.recording import write_event
from leadgate.contacts.models import Contact
from leadgate.core.errors import FieldProblem, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.db.base import Base
from leadgate.leads.models import Lead
from leadgate.opportunities.models import Opportunity, QualifyMapping
from leadgate.opportunities.schemas import MappingRow
from leadgate.security.access import Actor, ensure
from leadgate.security.roles import Op

_ADDRESS = ("street", "city", "state_or_province", "postal_code", "country")

DEFAULT_MAPPINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "account": (
        ("company_name", "name"),
        ("website", "website"),
        ("phone", "phone"),
        ("industry", "industry"),
        ("annual_revenue", "annual_revenue"),
        ("employee_count", "employee_count"),
        ("currency", "currency"),
        *((f, f) for f in _ADDRESS),
    ),
    "contact": (
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("job_title", "job_title"),
        ("email", "email"),
        ("phone", "phone"),
        ("mobile_phone", "mobile_phone"),
        ("do_not_email", "do_not_email"),
        ("do_not_phone", "do_not_phone"),
        ("do_not_bulk_email", "do_not_bulk_email"),
        *((f, f) for f in _ADDRESS),
    ),
    "opportunity": (
        ("topic", "name"),
        ("estimated_value", "estimated_value"),
        ("estimated_close_date", "estimated_close_date"),
        ("rating", "rating"),
        ("budget_amount", "budget_amount"),
        ("purchase_timeframe", "purchase_timeframe"),
        ("purchase_process", "purchase_process"),
        ("decision_maker", "decision_maker"),
        ("need", "need"),
        ("description", "current_situation"),
        ("currency", "currency"),
    ),
}

TARGETS: dict[str, type[Base]] = {
    "account": Account,
    "contact": Contact,
    "opportunity": Opportunity,
}

# Fields qualify sets itself; a mapping may not overwrite them.
_PROTECTED = frozenset({
    "id", "owner_id", "created_at", "created_by_id", "updated_at", "updated_by_id", "version",
    "deleted_at", "state", "status", "originating_lead_id", "account_id", "customer_contact_id",
    "contact_id", "name_key", "email_key", "phone_key", "mobile_key", "actual_value",
    "actual_close_date", "total_amount",
})  # fmt: skip


def _column(model: type[Base], name: str) -> Any:
    return model.__table__.columns.get(name)


def check_rows(target_type: str, rows: list[MappingRow]) -> None:
    model = TARGETS.get(target_type)
    if model is None:
        raise ValidationFailed.on("target_type", f"one of {', '.join(TARGETS)}")
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        source, target = _column(Lead, row.source_field), _column(model, row.target_field)
        if source is None:
            problems.append(
                FieldProblem(f"rows[{i}].source_field", f"lead has no field {row.source_field!r}")
            )
            continue
        if target is None or row.target_field in _PROTECTED:
            problems.append(
                FieldProblem(
                    f"rows[{i}].target_field",
                    f"{target_type} has no mappable field {row.target_field!r}",
                )
            )
            continue
        if row.target_field in seen:
            problems.append(FieldProblem(f"rows[{i}].target_field", "mapped twice"))
        seen.add(row.target_field)
        if source.type.python_type is not target.type.python_type:
            problems.append(
                FieldProblem(
                    f"rows[{i}]",
                    f"{row.source_field} ({source.type.python_type.__name__}) cannot feed "
                    f"{row.target_field} ({target.type.python_type.__name__})",
                )
            )
    if problems:
        raise ValidationFailed("the mapping has problems", errors=problems)


def mappings(session: Session, target_type: str | None = None) -> list[QualifyMapping]:
    stmt = select(QualifyMapping).order_by(QualifyMapping.target_type, QualifyMapping.target_field)
    if target_type is not None:
        stmt = stmt.where(QualifyMapping.target_type == target_type)
    return list(session.scalars(stmt))


def replace_mapping(
    session: Session, actor: Actor, target_type: str, rows: list[MappingRow]
) -> list[QualifyMapping]:
    ensure(actor, "qualify_mapping", Op.WRITE)
    check_rows(target_type, rows)
    old = {(m.source_field, m.target_field) for m in mappings(session, target_type)}
    session.execute(delete(QualifyMapping).where(QualifyMapping.target_type == target_type))
    for row in rows:
        session.add(
            QualifyMapping(
                id=new_id(),
                target_type=target_type,
                source_field=row.source_field,
                target_field=row.target_field,
            )
        )
    session.flush()
    new = {(r.source_field, r.target_field) for r in rows}
    write_event(
        session,
        actor,
        "update",
        "qualify_mapping",
        mapping_record_id(target_type),
        {
            "target_type": [target_type, target_type],
            "rows": [sorted(f"{s}->{t}" for s, t in old), sorted(f"{s}->{t}" for s, t in new)],
        },
        summary=f"qualify mapping for {target_type} replaced",
    )
    return mappings(session, target_type)


def default_rows() -> list[dict[str, str]]:
    return [
        {"id": str(new_id()), "target_type": t, "source_field": s, "target_field": f}
        for t, pairs in DEFAULT_MAPPINGS.items()
        for s, f in pairs
    ]


def mapped_values(session: Session, lead: Lead, target_type: str) -> dict[str, Any]:
    """The values the stored mapping copies from `lead` into a new `target_type` record."""
    model = TARGETS[target_type]
    values: dict[str, Any] = {}
    for row in mappings(session, target_type):
        value = getattr(lead, row.source_field, None)
        column = _column(model, row.target_field)
        if value is None or column is None:
            continue
        length = getattr(column.type, "length", None)
        if isinstance(value, str) and length:
            value = value[:length]  # a longer lead field is cut to fit, never refused
        values[row.target_field] = value
    return values


def mapping_record_id(target_type: str) -> uuid.UUID:
    """A stable id for one target's mapping, so its audit history reads as one record."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"leadgate:qualify_mapping:{target_type}")
