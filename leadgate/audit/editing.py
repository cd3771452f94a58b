"""The create / update / delete use-case skeleton every record shares.

Domain services supply what is particular (validation, normalised keys,
read-only rules); this module supplies the order of the steps: load with the
permission check, refuse nulls in required fields, check the version, apply,
log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from leadgate.audit.recording import add_record, change_record, remove_record
from leadgate.core.errors import ValidationFailed
from leadgate.db.base import Base
from leadgate.security.access import Actor, ensure, load
from leadgate.security.models import User
from leadgate.security.roles import Op

M = TypeVar("M", bound=Base)


def check_owner(session: Session, actor: Actor, record_type: str, owner_id: uuid.UUID) -> None:
    """An owner must be an active user; giving a record to someone else needs write-all."""
    user = session.get(User, owner_id)
    if user is None or not user.is_active:
        raise ValidationFailed.on("owner_id", "no active user with this id")
    if owner_id != actor.user_id:
        # Salespeople hand records over only if they could write the other person's records.
        ensure(actor, record_type, Op.WRITE, owner_id)


def create_record(session: Session, actor: Actor, record: M) -> M:
    owner_id = getattr(record, "owner_id", None)
    if owner_id is None and hasattr(record, "owner_id"):
        record.owner_id = actor.user_id
    elif owner_id is not None:
        check_owner(session, actor, record.RECORD_TYPE, owner_id)
    add_record(session, actor, record)
    return record


def update_record(
    session: Session,
    actor: Actor,
    model: type[M],
    record_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    expected_version: int | None,
    required: Iterable[str] = (),
    guard: Callable[[M], None] | None = None,
    derive: Callable[[M, dict[str, Any]], None] | None = None,
) -> M:
    record = load(session, actor, model, record_id, Op.WRITE)
    if guard is not None:
        guard(record)
    values = dict(values)
    for name in required:
        if name in values and values[name] is None:
            raise ValidationFailed.on(name, "may not be null")
    if values.get("owner_id") is not None:
        check_owner(session, actor, model.RECORD_TYPE, values["owner_id"])
    elif "owner_id" in values:
        raise ValidationFailed.on("owner_id", "may not be null")
    if derive is not None:
        derive(record, values)
    change_record(session, actor, record, values, expected_version=expected_version)
    return record


def delete_record(
    session: Session,
    actor: Actor,
    model: type[M],
    record_id: uuid.UUID,
    *,
    expected_version: int | None,
    guard: Callable[[M], None] | None = None,
) -> None:
    record = load(session, actor, model, record_id, Op.DELETE)
    if guard is not None:
        guard(record)
    remove_record(session, actor, record, expected_version=expected_version)
