"""The one permission engine: every list, get, update, action and timeline asks it.

Reads of records the actor may not see answer 404 (existence must not leak);
writes to records the actor can see but not change answer 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from leadgate.core.errors import Forbidden, NotFound
from leadgate.db.base import Base
from leadgate.security.roles import Depth, Op, Role, depth

M = TypeVar("M", bound=Base)

CHANNELS = frozenset({"api", "cli", "web", "import", "job"})


@dataclass(frozen=True)
class Actor:
    """Who acts, with which role, through which channel (recorded in the audit log)."""

    user_id: uuid.UUID
    role: Role
    channel: str = "api"
    email: str = field(default="", compare=False)

    def via(self, channel: str) -> Actor:
        return Actor(self.user_id, self.role, channel, self.email)


def _owner_of(record: Any) -> uuid.UUID | None:
    owner = getattr(record, "owner_id", None)
    if owner is None and getattr(record, "RECORD_TYPE", "") == "user":
        return record.id  # type: ignore[no-any-return]
    return owner


def can(actor: Actor, record_type: str, op: Op, owner_id: uuid.UUID | None = None) -> bool:
    granted = depth(actor.role, record_type, op)
    if granted is Depth.ALL:
        return True
    if granted is Depth.OWN:
        return owner_id is not None and owner_id == actor.user_id
    return False


def ensure(actor: Actor, record_type: str, op: Op, owner_id: uuid.UUID | None = None) -> None:
    if not can(actor, record_type, op, owner_id):
        raise Forbidden(f"your role may not {op.value} this {record_type.replace('_', ' ')}")


def ensure_on(actor: Actor, record: Base, op: Op) -> None:
    ensure(actor, record.RECORD_TYPE, op, _owner_of(record))


def visible(actor: Actor, model: type[Base], op: Op = Op.READ) -> ColumnElement[bool]:
    """The WHERE clause limiting `model` to rows the actor may `op`."""
    granted = depth(actor.role, model.RECORD_TYPE, op)
    if granted is Depth.ALL:
        return true()
    if granted is Depth.OWN:
        column = getattr(model, "owner_id", None)
        if column is None and model.RECORD_TYPE == "user":
            column = model.id  # type: ignore[attr-defined]
        if column is not None:
            return column == actor.user_id  # type: ignore[no-any-return]
    return false()


def load(
    session: Session, actor: Actor, model: type[M], record_id: uuid.UUID, op: Op = Op.READ
) -> M:
    """Fetch a record the actor may see; then insist on `op` (403 if read-only to them)."""
    record = session.get(model, record_id)
    label = model.RECORD_TYPE.replace("_", " ") or model.__name__.lower()
    if record is None or getattr(record, "deleted_at", None) is not None:
        raise NotFound(f"{label} {record_id} not found")
    owner = _owner_of(record)
    if not can(actor, model.RECORD_TYPE, Op.READ, owner):
        raise NotFound(f"{label} {record_id} not found")
    if op is not Op.READ:
        ensure(actor, model.RECORD_TYPE, op, owner)
    return record


def scoped(actor: Actor, model: type[M], op: Op = Op.READ) -> Select[M]:
    """`SELECT model` limited to the rows the actor may `op` (and not deleted)."""
    stmt = select(model).where(visible(actor, model, op))
    deleted = getattr(model, "deleted_at", None)
    if deleted is not None:
        stmt = stmt.where(deleted.is_(None))
    return stmt
