"""/api/v1/duplicate-rules, /api/v1/duplicates (matches, scan), /api/v1/duplicate-groups
(stored scan results for review) and /api/v1/merges."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from leadgate.api.deps import ActorDep, SessionDep
from leadgate.api.responses import PageOut
from leadgate.core.errors import NotFound
from leadgate.dedup import groups as dup_groups
from leadgate.dedup import merge as merging
from leadgate.dedup import rules
from leadgate.dedup.detection import find_duplicates
from leadgate.dedup.models import RecordMerge
from leadgate.dedup.registry import model_for
from leadgate.dedup.scan import groups_of, scan
from leadgate.dedup.schemas import (
    DuplicateGroupRead,
    DuplicateRead,
    MergeRead,
    MergeRequest,
    RuleCreate,
    RuleRead,
)
from leadgate.security.access import load

router = APIRouter(tags=["duplicates"])
RecordType = Literal["lead", "contact", "account"]


@router.get("/duplicate-rules", response_model=list[RuleRead])
def list_rules(
    session: SessionDep, actor: ActorDep, base: RecordType | None = None
) -> list[RuleRead]:
    with session.begin():
        return [RuleRead.model_validate(r) for r in rules.list_rules(session, actor, base)]


@router.post("/duplicate-rules", status_code=201, response_model=RuleRead)
def add_rule(data: RuleCreate, session: SessionDep, actor: ActorDep) -> RuleRead:
    with session.begin():
        return RuleRead.model_validate(rules.add_rule(session, actor, data))


@router.post("/duplicate-rules/{rule_id}/publish", response_model=RuleRead)
def publish_rule(rule_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> RuleRead:
    """Publish (at most 5 per base type; 409 beyond) and build the rule's match keys."""
    with session.begin():
        return RuleRead.model_validate(rules.publish_rule(session, actor, rule_id))


@router.post("/duplicate-rules/{rule_id}/unpublish", response_model=RuleRead)
def unpublish_rule(rule_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> RuleRead:
    with session.begin():
        return RuleRead.model_validate(rules.unpublish_rule(session, actor, rule_id))


@router.get("/duplicates/{record_type}/{record_id}", response_model=list[DuplicateRead])
def duplicates_of(
    record_type: RecordType, record_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> list[DuplicateRead]:
    """Records the published rules say duplicate this one (only those you may read)."""
    with session.begin():
        record = load(session, actor, model_for(record_type), record_id)
        return [DuplicateRead.model_validate(d) for d in find_duplicates(session, actor, record)]


@router.post("/duplicates/scan")
def scan_duplicates(
    session: SessionDep,
    actor: ActorDep,
    type: RecordType,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    """Matched pairs (best first) and the groups they form, for review."""
    with session.begin():
        result = scan(session, actor, type)
        pairs = result.pairs[:limit]
        return {
            "pairs": [
                {
                    "id_a": str(p.id_a),
                    "id_b": str(p.id_b),
                    "external_key_a": p.external_key_a,
                    "external_key_b": p.external_key_b,
                    "rule": p.rule,
                    "score": p.score,
                }
                for p in pairs
            ],
            "pair_count": len(result.pairs),
            "groups": [sorted(str(i) for i in g) for g in groups_of(pairs)],
            "oversized_groups": result.oversized_groups,
        }


@router.get("/duplicate-groups", response_model=PageOut[DuplicateGroupRead])
def list_duplicate_groups(
    session: SessionDep,
    actor: ActorDep,
    type: RecordType,
    status: Literal["open", "merged", "dismissed"] = "open",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Stored duplicate groups, best score first; only groups whose every record you may
    read."""
    with session.begin():
        page = dup_groups.list_groups(session, actor, type, status, cursor, limit)
        return {
            "items": [DuplicateGroupRead.of(v).model_dump(mode="json") for v in page.items],
            "next_cursor": page.next_cursor,
            "count": page.count,
            "count_is_exact": page.count_is_exact,
        }


@router.get("/duplicate-groups/{group_id}", response_model=DuplicateGroupRead)
def get_duplicate_group(
    group_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> DuplicateGroupRead:
    with session.begin():
        return DuplicateGroupRead.of(dup_groups.get_group(session, actor, group_id))


@router.post("/duplicate-groups/{group_id}/dismiss", response_model=DuplicateGroupRead)
def dismiss_duplicate_group(
    group_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> DuplicateGroupRead:
    """Not duplicates: the group leaves the review list and is not proposed again
    (409 unless open)."""
    with session.begin():
        return DuplicateGroupRead.of(dup_groups.dismiss_group(session, actor, group_id))


@router.post("/merges", status_code=201, response_model=MergeRead)
def merge(data: MergeRequest, session: SessionDep, actor: ActorDep) -> MergeRead:
    """Merge `other_id` into `master_id`: children move, the other is deactivated."""
    with session.begin():
        return MergeRead.model_validate(merging.merge(session, actor, data))


@router.get("/merges/{merge_id}", response_model=MergeRead)
def get_merge(merge_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> MergeRead:
    with session.begin():
        record = session.get(RecordMerge, merge_id)
        if record is None:
            raise NotFound(f"merge {merge_id} not found")
        load(session, actor, model_for(record.record_type), record.master_id)
        return MergeRead.model_validate(record)


@router.post("/merges/{merge_id}/undo", response_model=MergeRead)
def undo_merge(merge_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> MergeRead:
    with session.begin():
        return MergeRead.model_validate(merging.undo_merge(session, actor, merge_id))
