"""Flow versions kept in memory, so moving an instance or starting a flow on a new record
does not re-read and re-parse its definition.

Two caches, with different rules:

- per process, a flow row's content keyed by (row id, row version, updated_at). Every
  UPDATE of a flow row bumps its version and stamps updated_at, so a key never names
  two different contents (updated_at tells apart a version written by a transaction
  that rolled back from the same version number committed later), and the entry can
  live as long as the process, whatever other processes do;
- per transaction (in `session.info`), the list of active flows of a record type in
  their order. Which flows are active changes when an admin activates, deactivates or
  edits one, in any process, so it is read again by every new transaction and dropped
  when this session changes a flow (`forget_active`). A bulk create (an import batch)
  reads it once for all its leads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from leadgate.core.clock import as_utc
from leadgate.processes.definition import Stage, parse_stages
from leadgate.processes.models import ProcessFlow
from leadgate.processes.states import FlowStatus


@dataclass(frozen=True)
class FlowVersion:
    """What a running instance needs of its flow row (read-only)."""

    id: uuid.UUID
    row_version: int
    updated_at: datetime
    family_id: uuid.UUID
    flow_version: int
    name: str
    primary_record_type: str
    roles: tuple[str, ...] | None
    stages: list[Stage]

    def allows(self, role: str | None) -> bool:
        return not self.roles or role in self.roles


Key = tuple[uuid.UUID, int, datetime]
_versions: dict[Key, FlowVersion] = {}
_LIMIT = 512  # flow rows are few; the bound only guards against a runaway loop


def _remember(flow: FlowVersion) -> FlowVersion:
    if len(_versions) >= _LIMIT:
        _versions.clear()
    _versions[(flow.id, flow.row_version, flow.updated_at)] = flow
    return flow


def key_of(flow_id: uuid.UUID, row_version: int, updated_at: datetime) -> Key:
    return (flow_id, row_version, as_utc(updated_at))


def of_row(flow: ProcessFlow) -> FlowVersion:
    """The cached content of a loaded row (parsed once per row version)."""
    found = _versions.get(key_of(flow.id, flow.version, flow.updated_at))
    if found is not None:
        return found
    return _remember(
        FlowVersion(
            id=flow.id,
            row_version=flow.version,
            updated_at=as_utc(flow.updated_at),
            family_id=flow.family_id,
            flow_version=flow.flow_version,
            name=flow.name,
            primary_record_type=flow.primary_record_type,
            roles=tuple(flow.roles) if flow.roles else None,
            stages=parse_stages(flow.stages),
        )
    )


def by_key(session: Session, key: Key) -> FlowVersion:
    """The flow row's content as of `key`: from memory, else read (the row as it is now
    in this transaction, which is the keyed content when the caller read the key in it)."""
    found = _versions.get(key)
    if found is not None:
        return found
    flow = session.get(ProcessFlow, key[0])
    assert flow is not None  # callers hold a foreign key to it
    return of_row(flow)


_ACTIVE = "leadgate.processes.active_flows"
# Built once: it runs for every new lead, and building it cost more than running it.
_ACTIVE_KEYS = (
    select(ProcessFlow.id, ProcessFlow.version, ProcessFlow.updated_at)
    .where(
        ProcessFlow.primary_record_type == bindparam("record_type"),
        ProcessFlow.status == FlowStatus.ACTIVE.value,
    )
    .order_by(ProcessFlow.sort_order, ProcessFlow.created_at)
)


def active_flows(session: Session, record_type: str) -> list[FlowVersion]:
    """Active flows of the record type in their order, read once per transaction."""
    transaction = session.get_transaction()
    held: dict[str, Any] | None = session.info.get(_ACTIVE)
    if held is None or transaction is None or held["transaction"] is not transaction:
        held = session.info[_ACTIVE] = {"transaction": transaction, "types": {}}
    types: dict[str, list[FlowVersion]] = held["types"]
    if record_type not in types:
        rows = session.execute(_ACTIVE_KEYS, {"record_type": record_type}).all()
        keys = [key_of(*row) for row in rows]
        missing = [key[0] for key in keys if key not in _versions]
        if missing:
            # One read for every flow not yet in memory (a cold process, or edited flows).
            for flow in session.scalars(select(ProcessFlow).where(ProcessFlow.id.in_(missing))):
                of_row(flow)
        types[record_type] = [by_key(session, key) for key in keys]
    return types[record_type]


def forget_active(session: Session) -> None:
    """This session changed a flow: its next start reads the active flows again."""
    session.info.pop(_ACTIVE, None)
