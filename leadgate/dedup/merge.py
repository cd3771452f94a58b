"""Merge two leads, contacts or accounts, and undo a merge.

The master keeps its id; per field the user picks the winner (the master by
default, the other record for `prefer_other`, and the other record's value for
the master's blanks when `fill_blanks`). Every child link that points at the
other record (activities, notes, participants, opportunities, contacts,
accounts, earlier merges) moves to the master. The other record is
soft-deleted with `merged_into_id`. `RecordMerge` keeps the master's old values
and the list of moved links, so an undo puts everything back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, inspect, select, update
from sqlalchemy.orm import Session

from leadgate.accounts.service import derive_keys as account_keys
from leadgate.audit.recording import change_record, jsonable, write_event
from leadgate.contacts.service import derive_keys as contact_keys
from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict, NotFound, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.db.base import Base
from leadgate.dedup.groups import after_merge, after_unmerge
from leadgate.dedup.index import index_records
from leadgate.dedup.models import RecordMerge
from leadgate.dedup.registry import model_for
from leadgate.dedup.schemas import MergeRequest
from leadgate.leads.service import derive_keys as lead_keys
from leadgate.security.access import Actor, ensure_on, load
from leadgate.security.roles import Op

# Fields a merge never copies: identity, bookkeeping, lifecycle, derived keys.
_FIXED = frozenset(
    {
        "id", "owner_id", "version", "created_at", "created_by_id", "updated_at",
        "updated_by_id", "deleted_at", "merged_into_id", "state", "status", "status_reason",
        "qualifying_opportunity_id", "score", "grade", "score_trend", "score_reasons",
        "email_key", "phone_key", "company_key", "name_key", "mobile_key",
    }
)  # fmt: skip
_DERIVE: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "lead": lead_keys,
    "contact": contact_keys,
    "account": account_keys,
}

# (table, column, condition column, condition value) per record type; the condition
# narrows polymorphic links ("regarding" any record) to this type.
_LINKS: dict[str, list[tuple[str, str, str | None]]] = {
    "lead": [
        ("opportunities", "originating_lead_id", None),
        ("accounts", "originating_lead_id", None),
        ("contacts", "originating_lead_id", None),
        ("leads", "merged_into_id", None),
    ],
    "contact": [
        ("opportunities", "contact_id", None),
        ("opportunities", "customer_contact_id", None),
        ("accounts", "primary_contact_id", None),
        ("leads", "existing_contact_id", None),
        ("contacts", "merged_into_id", None),
    ],
    "account": [
        ("opportunities", "account_id", None),
        ("contacts", "account_id", None),
        ("accounts", "parent_account_id", None),
        ("leads", "existing_account_id", None),
        ("accounts", "merged_into_id", None),
    ],
}
_POLYMORPHIC = [
    ("activities", "regarding_id", "regarding_type"),
    ("notes", "regarding_id", "regarding_type"),
    ("activity_parties", "party_id", "party_type"),
]


def mergeable_fields(record_type: str) -> set[str]:
    return {a.key for a in inspect(model_for(record_type)).column_attrs} - _FIXED


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _links(record_type: str) -> list[tuple[str, str, str | None]]:
    return _LINKS[record_type] + list(_POLYMORPHIC)


def _move(
    session: Session, record_type: str, source: uuid.UUID, target: uuid.UUID, keep: uuid.UUID
) -> list[list[str]]:
    """Point every link at `source` to `target`; `keep` (a row id) is never touched."""
    moved: list[list[str]] = []
    for name, column, kind in _links(record_type):
        table = _table(name)
        where = table.c[column] == source
        if kind is not None:
            where = and_(where, table.c[kind] == record_type)
        ids = [
            row_id for row_id in session.scalars(select(table.c.id).where(where)) if row_id != keep
        ]
        if ids:
            session.execute(update(table).where(table.c.id.in_(ids)).values({column: target}))
            moved.extend([name, column, str(i)] for i in ids)
    return moved


def _winners(request: MergeRequest, master: Any, other: Any) -> dict[str, Any]:
    allowed = mergeable_fields(request.record_type)
    values: dict[str, Any] = {}
    for i, name in enumerate(request.prefer_other):
        if name not in allowed:
            raise ValidationFailed.on(f"prefer_other.{i}", f"{name} cannot be taken in a merge")
        values[name] = getattr(other, name)
    if request.fill_blanks:
        for name in allowed - values.keys():
            if getattr(master, name) in (None, "") and getattr(other, name) not in (None, ""):
                values[name] = getattr(other, name)
    return {k: v for k, v in values.items() if getattr(master, k) != v}


def merge(session: Session, actor: Actor, request: MergeRequest) -> RecordMerge:
    if request.master_id == request.other_id:
        raise ValidationFailed.on("other_id", "a record cannot be merged with itself")
    model = model_for(request.record_type)
    master = load(session, actor, model, request.master_id, Op.WRITE)
    other = load(session, actor, model, request.other_id, Op.DELETE)
    if master.merged_into_id is not None:
        raise Conflict(f"{request.record_type} {master.id} was itself merged away")
    values = _winners(request, master, other)
    before = {k: jsonable(getattr(master, k)) for k in values}
    moved = _move(session, request.record_type, other.id, master.id, keep=master.id)
    if values:
        _DERIVE[request.record_type](master, values)
        change_record(session, actor, master, values, action="merge", summary=f"from {other.id}")
        index_records(session, request.record_type, [master], new=False)
    change_record(
        session,
        actor,
        other,
        {"merged_into_id": master.id, "deleted_at": utcnow()},
        action="merged_into",
        summary=f"into {master.id}",
    )
    record = RecordMerge(
        id=new_id(),
        record_type=request.record_type,
        master_id=master.id,
        other_id=other.id,
        master_before=before,
        moved=moved,
        merged_by_id=actor.user_id,
    )
    session.add(record)
    session.flush()
    after_merge(session, actor, request.record_type, other.id)
    write_event(
        session,
        actor,
        "merge",
        request.record_type,
        master.id,
        {"other_id": [None, str(other.id)], "moved_links": [None, len(moved)]},
        summary=f"merged {other.id} into {master.id}",
    )
    return record


def typed_value(model: type[Any], name: str, value: Any) -> Any:
    """A JSON-stored value back in its column's Python type."""
    if value is None:
        return None
    kind = inspect(model).columns[name].type.python_type
    if kind is Decimal:
        return Decimal(str(value))
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is uuid.UUID:
        return uuid.UUID(str(value))
    return value


def undo_merge(session: Session, actor: Actor, merge_id: uuid.UUID) -> RecordMerge:
    record = session.get(RecordMerge, merge_id)
    if record is None:
        raise NotFound(f"merge {merge_id} not found")
    model = model_for(record.record_type)
    master = load(session, actor, model, record.master_id, Op.WRITE)
    if record.undone_at is not None:
        raise Conflict(f"merge {merge_id} was already undone")
    other = session.get(model, record.other_id)
    if other is None or other.merged_into_id != master.id:
        raise Conflict(
            f"{record.record_type} {record.other_id} is no longer merged into the master"
        )
    ensure_on(actor, other, Op.DELETE)
    for name, column, row_id in record.moved:
        table = _table(name)
        session.execute(
            update(table)
            .where(table.c.id == uuid.UUID(row_id), table.c[column] == master.id)
            .values({column: other.id})
        )
    restored = {k: typed_value(model, k, v) for k, v in record.master_before.items()}
    if restored:
        _DERIVE[record.record_type](master, restored)
        change_record(session, actor, master, restored, action="unmerge")
        index_records(session, record.record_type, [master], new=False)
    change_record(
        session,
        actor,
        other,
        {"merged_into_id": None, "deleted_at": None},
        action="unmerge",
        summary=f"restored from {master.id}",
    )
    index_records(session, record.record_type, [other], new=False)
    record.undone_at = utcnow()
    session.flush()
    after_unmerge(session, actor, other.id)
    return record


def record_type_of(session: Session, record_id: uuid.UUID) -> str:
    """Which mergeable type an id belongs to (for commands that take bare ids)."""
    for record_type in ("lead", "contact", "account"):
        if session.get(model_for(record_type), record_id) is not None:
            return record_type
    raise NotFound(f"no lead, contact or account {record_id}")
