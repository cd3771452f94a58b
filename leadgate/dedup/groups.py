"""Duplicate groups kept for review: written by a scan, dismissed or merged by people.

`store_scan` runs the scan (as its actor) and replaces the open groups of the
record type with the connected groups of matched pairs; a member set someone
dismissed before is not proposed again. Reading is scoped per member: a user
sees a group only when he may read every record in it (a hidden member would
leak that the record exists), and a dismiss needs write access to each member.
Merging records of an open group (merge.py) marks it merged once at most one of
its records is left unmerged; undoing that merge opens it again. Every status
change is a named transition of `dedup.states`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, insert, select
from sqlalchemy.orm import Session

from leadgate.audit.recording import change_record, write_event
from leadgate.core.clock import utcnow
from leadgate.core.errors import Forbidden, NotFound, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.db.paging import Page, fetch_page, parse_sort
from leadgate.dedup.models import DuplicateGroup, DuplicateGroupMember
from leadgate.dedup.registry import MODELS, label_of, model_for
from leadgate.dedup.scan import Pair, ScanResult, groups_of, scan
from leadgate.dedup.states import GroupStatus, check_transition
from leadgate.security.access import Actor, ensure_on, visible
from leadgate.security.roles import Depth, Op, depth

OPEN, MERGED, DISMISSED = (
    GroupStatus.OPEN.value, GroupStatus.MERGED.value, GroupStatus.DISMISSED.value
)  # fmt: skip
STATUSES = (OPEN, MERGED, DISMISSED)
_INSERT_CHUNK = 5000


@dataclass
class Member:
    id: uuid.UUID
    name: str
    merged_into_id: uuid.UUID | None


@dataclass
class GroupView:
    group: DuplicateGroup
    members: list[Member]


def _check_type(actor: Actor, record_type: str) -> None:
    """A known record type the actor may read at least some of."""
    if record_type not in MODELS:
        raise ValidationFailed.on("type", f"record type must be one of {', '.join(MODELS)}")
    if depth(actor.role, record_type, Op.READ) is Depth.NONE:
        raise Forbidden(f"your role may not read {record_type}s")


def _chunks(rows: list[dict[str, Any]]) -> Any:
    it = iter(rows)
    while chunk := list(islice(it, _INSERT_CHUNK)):
        yield chunk


def _grouped(pairs: Sequence[Pair]) -> list[tuple[set[uuid.UUID], str, float]]:
    """Connected groups with the rule and score of their best pair (pairs come best first)."""
    sets = groups_of(list(pairs))
    index = {member: n for n, members in enumerate(sets) for member in members}
    best: dict[int, tuple[str, float]] = {}
    for p in pairs:
        best.setdefault(index[p.id_a], (p.rule, p.score))
    return [(members, *best[n]) for n, members in enumerate(sets)]


def _dismissed_sets(session: Session, record_type: str) -> set[frozenset[uuid.UUID]]:
    rows = session.execute(
        select(DuplicateGroupMember.group_id, DuplicateGroupMember.record_id)
        .join(DuplicateGroup, DuplicateGroup.id == DuplicateGroupMember.group_id)
        .where(DuplicateGroup.record_type == record_type, DuplicateGroup.status == DISMISSED)
    )
    members: dict[uuid.UUID, set[uuid.UUID]] = {}
    for group_id, record_id in rows:
        members.setdefault(group_id, set()).add(record_id)
    return {frozenset(m) for m in members.values()}


def store_scan(session: Session, actor: Actor, record_type: str) -> int:
    """Scan `record_type` and store its duplicate groups in place of the open ones;
    the number of groups stored."""
    _check_type(actor, record_type)
    return store_groups(session, actor, record_type, scan(session, actor, record_type))


def store_groups(session: Session, actor: Actor, record_type: str, result: ScanResult) -> int:
    """Store the groups of a finished scan in place of the open ones. A background job
    scans in a read transaction first, so SQLite's write lock is held only for this part."""
    _check_type(actor, record_type)
    dismissed = _dismissed_sets(session, record_type)
    stale = select(DuplicateGroup.id).where(
        DuplicateGroup.record_type == record_type, DuplicateGroup.status == OPEN
    )
    replaced = session.scalar(select(func.count()).select_from(stale.subquery())) or 0
    session.execute(delete(DuplicateGroupMember).where(DuplicateGroupMember.group_id.in_(stale)))
    session.execute(
        delete(DuplicateGroup).where(
            DuplicateGroup.record_type == record_type, DuplicateGroup.status == OPEN
        )
    )
    now = utcnow()
    groups: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for member_ids, rule, score in _grouped(result.pairs):
        if frozenset(member_ids) in dismissed:
            continue
        group_id = new_id()
        groups.append(
            {"id": group_id, "record_type": record_type, "rule": rule[:200], "score": score,
             "status": OPEN, "member_count": len(member_ids), "created_at": now}
        )  # fmt: skip
        members.extend({"group_id": group_id, "record_id": m} for m in sorted(member_ids, key=str))
    for chunk in _chunks(groups):
        session.execute(insert(DuplicateGroup), chunk)
    for chunk in _chunks(members):
        session.execute(insert(DuplicateGroupMember), chunk)
    write_event(
        session,
        actor,
        "scan",
        "duplicate_group",
        new_id(),
        {"record_type": record_type, "stored": len(groups), "replaced": replaced},
        summary=f"{record_type} duplicate scan: {len(groups)} groups stored, "
        f"{replaced} open groups replaced",
    )
    return len(groups)


def readable_clause(actor: Actor, record_type: str) -> ColumnElement[bool]:
    """Groups none of whose members is hidden from the actor."""
    model = model_for(record_type)
    hidden = (
        select(DuplicateGroupMember.record_id)
        .where(DuplicateGroupMember.group_id == DuplicateGroup.id)
        .where(
            ~exists(
                select(model.id).where(
                    model.id == DuplicateGroupMember.record_id, visible(actor, model)
                )
            )
        )
    )
    return ~exists(hidden)


def _members(
    session: Session, record_type: str, group_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Member]]:
    if not group_ids:
        return {}
    model = model_for(record_type)
    rows = session.execute(
        select(DuplicateGroupMember.group_id, model)
        .join(model, model.id == DuplicateGroupMember.record_id)
        .where(DuplicateGroupMember.group_id.in_(group_ids))
        .order_by(DuplicateGroupMember.group_id, model.created_at, model.id)
    )
    found: dict[uuid.UUID, list[Member]] = {g: [] for g in group_ids}
    for group_id, record in rows:
        found[group_id].append(Member(record.id, label_of(record), record.merged_into_id))
    return found


def list_groups(
    session: Session,
    actor: Actor,
    record_type: str,
    status: str = OPEN,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[GroupView]:
    """Groups of `record_type` in `status`, best score first (keyset paged)."""
    _check_type(actor, record_type)
    if status not in STATUSES:
        raise ValidationFailed.on("status", f"status must be one of {', '.join(STATUSES)}")
    stmt = select(DuplicateGroup).where(
        DuplicateGroup.record_type == record_type,
        DuplicateGroup.status == status,
        readable_clause(actor, record_type),
    )
    keys = parse_sort("-score", {"score": DuplicateGroup.score}, "-score", DuplicateGroup.id)
    page = fetch_page(session, stmt, keys, cursor=cursor, limit=limit, count=cursor is None)
    groups = list(page.items)
    members = _members(session, record_type, [g.id for g in groups])
    views = [GroupView(g, members[g.id]) for g in groups]
    return Page(views, page.next_cursor, page.count, page.count_is_exact)


def get_group(session: Session, actor: Actor, group_id: uuid.UUID) -> GroupView:
    group = session.get(DuplicateGroup, group_id)
    if group is None or not session.scalar(
        select(readable_clause(actor, group.record_type))
        .select_from(DuplicateGroup)
        .where(DuplicateGroup.id == group_id)
    ):
        raise NotFound(f"duplicate group {group_id} not found")
    return GroupView(group, _members(session, group.record_type, [group.id])[group.id])


def dismiss_group(session: Session, actor: Actor, group_id: uuid.UUID) -> GroupView:
    """Someone says these records are not duplicates: the group leaves the review list
    and a later scan will not propose the same records again."""
    view = get_group(session, actor, group_id)
    group = view.group
    detail = f"duplicate group {group_id} is {group.status}; only an open group can be dismissed"
    check_transition("dismiss", GroupStatus(group.status), detail)
    model = model_for(group.record_type)
    for member in view.members:
        record = session.get(model, member.id)
        if record is not None:
            ensure_on(actor, record, Op.WRITE)
    _move(session, actor, group, "dismiss")
    return view


def _move(session: Session, actor: Actor, group: DuplicateGroup, name: str) -> None:
    """Apply the named transition (checked against the table), audited under its name;
    a group that leaves review records who resolved it and when."""
    target = check_transition(name, GroupStatus(group.status)).target
    resolved = target is not GroupStatus.OPEN
    change_record(
        session,
        actor,
        group,
        {
            "status": target.value,
            "resolved_at": utcnow() if resolved else None,
            "resolved_by_id": actor.user_id if resolved else None,
        },
        action=name,
    )


def _groups_with(session: Session, record_id: uuid.UUID, status: str) -> list[DuplicateGroup]:
    return list(
        session.scalars(
            select(DuplicateGroup)
            .join(DuplicateGroupMember, DuplicateGroupMember.group_id == DuplicateGroup.id)
            .where(DuplicateGroupMember.record_id == record_id, DuplicateGroup.status == status)
        )
    )


def after_merge(session: Session, actor: Actor, record_type: str, other_id: uuid.UUID) -> None:
    """Mark the open groups of a merged-away record merged once at most one of their
    records is left unmerged."""
    model = model_for(record_type)
    for group in _groups_with(session, other_id, OPEN):
        left = session.scalar(
            select(func.count())
            .select_from(DuplicateGroupMember)
            .join(model, model.id == DuplicateGroupMember.record_id)
            .where(DuplicateGroupMember.group_id == group.id, model.merged_into_id.is_(None))
        )
        if (left or 0) <= 1:
            _move(session, actor, group, "merge")


def after_unmerge(session: Session, actor: Actor, other_id: uuid.UUID) -> None:
    """A merge undone: its merged groups are open for review again."""
    for group in _groups_with(session, other_id, MERGED):
        _move(session, actor, group, "reopen")
