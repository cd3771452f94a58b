"""The record types duplicate rules apply to, and what "inactive" means for each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, inspect

from leadgate.accounts.models import Account
from leadgate.contacts.models import Contact
from leadgate.leads.models import Lead
from leadgate.leads.states import LeadState

MODELS: dict[str, type[Any]] = {"lead": Lead, "contact": Contact, "account": Account}
# Computed attributes a rule may compare besides the stored columns.
_VIRTUAL = {"lead": {"full_name"}, "contact": {"full_name"}, "account": set()}
_HIDDEN = frozenset({"id", "owner_id", "version", "created_by_id", "updated_by_id", "deleted_at"})


def model_for(record_type: str) -> type[Any]:
    return MODELS[record_type]


def matchable_fields(record_type: str) -> set[str]:
    columns = {a.key for a in inspect(MODELS[record_type]).column_attrs}
    return (columns - _HIDDEN) | _VIRTUAL[record_type]


def active_clause(record_type: str) -> ColumnElement[bool]:
    """Rows counted as active for rules that exclude inactive records."""
    model = MODELS[record_type]
    clause: ColumnElement[bool] = model.merged_into_id.is_(None)
    if record_type == "lead":
        clause = clause & (model.state == LeadState.OPEN.value)
    return clause


def is_active(record: Any) -> bool:
    """`active_clause` for a record in hand (kept in step with it)."""
    if record.merged_into_id is not None:
        return False
    return bool(record.RECORD_TYPE != "lead" or record.state == LeadState.OPEN.value)


def label_of(record: Any) -> str:
    # By record type, not class: bulk paths pass Drafts of records not yet written.
    if record.RECORD_TYPE == "lead":
        return f"{record.topic} ({record.full_name})" if record.full_name else str(record.topic)
    if record.RECORD_TYPE == "contact":
        return str(record.full_name)
    return str(getattr(record, "name", record.id))
