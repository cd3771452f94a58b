"""Apply a change to a record and write its audit event in the same transaction.

Every domain service creates, updates, deletes and transitions records through
these functions, so the permission check, the optimistic-concurrency check and
the audit row can never be forgotten.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.orm import Session

from leadgate.audit.models import AuditEvent
from leadgate.core.clock import utcnow
from leadgate.core.errors import StaleRecord
from leadgate.core.ids import new_id, new_ids
from leadgate.db.base import Base
from leadgate.db.bulk import insert_columns, insert_rows, shared_defaults
from leadgate.security.access import Actor, ensure_on
from leadgate.security.roles import Op

# Columns whose changes the log does not repeat (they change on every write).
_NOISE = frozenset({"updated_at", "updated_by_id", "version", "created_at", "created_by_id"})
# Values never written to the log in clear.
_SECRET = frozenset({"password_hash", "token_hash"})
_NOISE_AND_ID = _NOISE | {"id"}


_PLAIN = frozenset({type(None), bool, int, float, str})


def jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # the common case first: bulk paths call this per field
        return value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def column_values(record: Base) -> dict[str, Any]:
    mapper = inspect(type(record))
    values = {attr.key: getattr(record, attr.key) for attr in mapper.column_attrs}
    # Fields a record shows but keeps in a side table (a lead's score) are logged as if
    # they were its columns.
    for name in getattr(record, "DERIVED_FIELDS", ()):
        values[name] = getattr(record, name)
    return values


def write_event(
    session: Session,
    actor: Actor | None,
    action: str,
    record_type: str,
    record_id: uuid.UUID,
    changes: Mapping[str, Any] | None = None,
    summary: str = "",
    channel: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        id=new_id(),
        occurred_at=utcnow(),
        actor_id=actor.user_id if actor else None,
        channel=channel or (actor.channel if actor else "cli"),
        action=action,
        record_type=record_type,
        record_id=record_id,
        summary=summary[:500],
        changes={k: ("***" if k in _SECRET else jsonable(v)) for k, v in (changes or {}).items()},
    )
    session.add(event)
    return event


def created_changes(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """What a "create" event logs of a new row: every non-empty field but its id and the
    columns every write touches."""
    return {k: [None, v] for k, v in values.items() if v is not None and k not in _NOISE_AND_ID}


def check_version(record: Base, expected_version: int | None) -> None:
    """412 when the client's If-Match names an older version than the stored one."""
    current = getattr(record, "version", None)
    if expected_version is not None and current != expected_version:
        raise StaleRecord(
            f"{record.RECORD_TYPE} changed since you read it "
            f"(you have version {expected_version}, it is at {current})"
        )


def add_record(session: Session, actor: Actor, record: Base, *, check: bool = True) -> Base:
    """Insert `record` on behalf of `actor` and log every non-empty field."""
    if check:
        ensure_on(actor, record, Op.CREATE)
    if hasattr(record, "created_by_id"):
        record.created_by_id = actor.user_id
        record.updated_by_id = actor.user_id  # type: ignore[attr-defined]
    session.add(record)
    session.flush()
    changes = created_changes(column_values(record))
    write_event(session, actor, "create", record.RECORD_TYPE, record.id, changes)  # type: ignore[attr-defined]
    return record


def add_records(session: Session, actor: Actor, records: Sequence[Base]) -> None:
    """`add_record` for many records at once: one batched INSERT per table (imports)."""
    for record in records:
        ensure_on(actor, record, Op.CREATE)
        if hasattr(record, "created_by_id"):
            record.created_by_id = actor.user_id
            record.updated_by_id = actor.user_id  # type: ignore[attr-defined]
    session.add_all(records)
    session.flush()
    for record in records:
        changes = created_changes(column_values(record))
        write_event(session, actor, "create", record.RECORD_TYPE, record.id, changes)  # type: ignore[attr-defined]


# The text Core's JSON processor stores (json.dumps' defaults), with `jsonable` for the
# values JSON has no type for: the "create" content of bulk rows without walking every
# value in Python first.
_CHANGES_ENCODER = json.JSONEncoder(default=jsonable)


def created_changes_texts(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The stored JSON text of each row's "create" changes, as `write_event` stores
    `created_changes` of it (rows of one shape: the first row's columns decide which
    are secrets)."""
    if not rows:
        return []
    encode, skip = _CHANGES_ENCODER.encode, _NOISE_AND_ID
    secrets = _SECRET.intersection(rows[0])
    return [
        encode(
            {
                k: "***" if k in secrets else [None, v]
                for k, v in row.items()
                if v is not None and k not in skip
            }
        )
        for row in rows
    ]


def insert_created_events(
    session: Session,
    actor: Actor,
    record_type: str,
    record_ids: Sequence[uuid.UUID],
    changes: Sequence[str],
    now: datetime,
) -> None:
    """One bulk INSERT of the "create" events of new rows, the rows `write_event` adds
    for them, their changes given as stored JSON text (`created_changes_texts`)."""
    table = AuditEvent.__table__
    assert isinstance(table, Table)
    columns = {"id": new_ids(len(record_ids)), "record_id": record_ids, "changes": changes}
    same = {
        "occurred_at": now,
        "actor_id": actor.user_id,
        "channel": actor.channel,
        "action": "create",
        "record_type": record_type,
        "summary": "",
    }
    insert_columns(session, table, columns, same=same, encoded=("changes",))


def insert_records(
    session: Session, actor: Actor, model: type[Base], rows: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`add_records` without ORM instances: one executemany INSERT of `rows` (each with
    its `id`, all with the same columns) and one of their "create" audit events, with
    the same content as `add_record` writes. The caller has checked create permission.
    Returns the rows as written, in order (with the defaults other than None of the
    columns they left unset; the others are NULL, as the ORM leaves them)."""
    table = model.__table__
    assert isinstance(table, Table)
    if not rows:
        return []
    now = utcnow()
    if "version" in table.c:
        for row in rows:
            row.setdefault("created_at", now)
            row.setdefault("updated_at", now)
            row.setdefault("version", 1)
            row["created_by_id"] = row["updated_by_id"] = actor.user_id
    defaults = shared_defaults(table, rows[0])
    insert_rows(session, table, rows, same=defaults)
    if defaults:
        for row in rows:
            row.update(defaults)
    ids = [row["id"] for row in rows]
    insert_created_events(session, actor, model.RECORD_TYPE, ids, created_changes_texts(rows), now)
    return list(rows)


def change_record(
    session: Session,
    actor: Actor,
    record: Base,
    values: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    action: str = "update",
    summary: str = "",
) -> dict[str, list[Any]]:
    """Set `values` on `record`; log old → new of each field that really changed.

    The caller has already checked write permission (it loaded the record for
    writing); the version check guards against lost updates.
    """
    check_version(record, expected_version)
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(record, name)
        if old != new:
            changes[name] = [old, new]
            setattr(record, name, new)
    if changes:
        if hasattr(record, "updated_by_id"):
            record.updated_by_id = actor.user_id
        session.flush()
        write_event(session, actor, action, record.RECORD_TYPE, record.id, changes, summary)  # type: ignore[attr-defined]
    return changes


def remove_record(
    session: Session, actor: Actor, record: Base, *, expected_version: int | None = None
) -> None:
    """Delete: soft (deleted_at) where the record keeps history, hard otherwise."""
    ensure_on(actor, record, Op.DELETE)
    check_version(record, expected_version)
    snapshot = {
        k: [v, None] for k, v in column_values(record).items() if v is not None and k not in _NOISE
    }
    if hasattr(record, "deleted_at"):
        record.deleted_at = utcnow()
        record.updated_by_id = actor.user_id  # type: ignore[attr-defined]
    else:
        session.delete(record)
    session.flush()
    write_event(session, actor, "delete", record.RECORD_TYPE, record.id, snapshot)  # type: ignore[attr-defined]


def record_transition(
    session: Session,
    actor: Actor,
    record: Base,
    name: str,
    before: Mapping[str, Any],
    summary: str = "",
) -> None:
    """Log a named transition with old → new of the state fields it touched."""
    changes = {k: [v, getattr(record, k)] for k, v in before.items() if getattr(record, k) != v}
    if hasattr(record, "updated_by_id"):
        record.updated_by_id = actor.user_id
    session.flush()
    write_event(
        session,
        actor,
        f"transition:{name}",
        record.RECORD_TYPE,
        record.id,  # type: ignore[attr-defined]
        changes,
        summary,
    )
