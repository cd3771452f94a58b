"""/api/v1/audit-events and /api/v1/qualify-mappings (administration)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from leadgate.api.deps import ActorDep, ListDep, SessionDep
from leadgate.api.responses import PageOut
from leadgate.audit.models import AuditEvent
from leadgate.audit.schemas import AuditEventRead
from leadgate.db.paging import fetch_page, parse_sort
from leadgate.opportunities import mapping
from leadgate.opportunities.schemas import MappingRead, MappingReplace
from leadgate.security.access import ensure
from leadgate.security.roles import Op

router = APIRouter(tags=["administration"])
TargetType = Literal["account", "contact", "opportunity"]


@router.get(
    "/audit-events",
    response_model=PageOut[AuditEventRead],
    summary="The audit log (administrators and sales managers)",
)
def list_audit_events(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    record_type: Annotated[str | None, Query(max_length=40)] = None,
    record_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    with session.begin():
        ensure(actor, "audit_event", Op.READ)
        stmt = select(AuditEvent)
        for column, value in (
            (AuditEvent.record_type, record_type),
            (AuditEvent.record_id, record_id),
            (AuditEvent.actor_id, actor_id),
            (AuditEvent.action, action),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        keys = parse_sort(
            params.sort, {"occurred_at": AuditEvent.occurred_at}, "-occurred_at", AuditEvent.id
        )
        page = fetch_page(session, stmt, keys, cursor=params.cursor, limit=params.limit)
        return {
            "items": [AuditEventRead.model_validate(e).model_dump(mode="json") for e in page.items],
            "next_cursor": page.next_cursor,
            "count": None,
            "count_is_exact": False,
        }


@router.get(
    "/qualify-mappings",
    response_model=list[MappingRead],
    summary="Which lead field feeds which field of the records qualify creates",
)
def list_mappings(
    session: SessionDep, actor: ActorDep, target_type: TargetType | None = None
) -> list[MappingRead]:
    with session.begin():
        ensure(actor, "qualify_mapping", Op.READ)
        return [MappingRead.model_validate(m) for m in mapping.mappings(session, target_type)]


@router.put(
    "/qualify-mappings/{target_type}",
    response_model=list[MappingRead],
    summary="Replace the mapping for one target record type (administrators)",
)
def replace_mapping(
    target_type: TargetType, data: MappingReplace, session: SessionDep, actor: ActorDep
) -> list[MappingRead]:
    with session.begin():
        rows = mapping.replace_mapping(session, actor, target_type, data.rows)
        return [MappingRead.model_validate(m) for m in rows]
