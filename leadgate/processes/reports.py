"""Stage history reads: an instance's visits, time in stage (median, p90) and
conversion / drop-out between stages.

Reports only count visits on records the actor may read (by the record's
owner at the time of the visit, the same depth rule as the records' lists).
Time in stage counts completed visits only; a visit still open is in
`still_in_stage` of the conversion report.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from leadgate.processes.models import StageVisit
from leadgate.processes.records import MODELS
from leadgate.processes.schemas import ConversionRow, TimeInStageRow
from leadgate.security.access import Actor
from leadgate.security.roles import Depth, Op, depth


def visible_visits(actor: Actor) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    for record_type in MODELS:
        granted = depth(actor.role, record_type, Op.READ)
        if granted is Depth.ALL:
            clauses.append(StageVisit.record_type == record_type)
        elif granted is Depth.OWN:
            clauses.append(
                and_(StageVisit.record_type == record_type, StageVisit.owner_id == actor.user_id)
            )
    return or_(*clauses) if clauses else false()


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return float(sorted_values[low])
    weight = position - low
    return float(sorted_values[low] * (1 - weight) + sorted_values[high] * weight)


def visits_of(session: Session, instance_id: uuid.UUID) -> list[StageVisit]:
    """The caller has checked access to the instance."""
    return list(
        session.scalars(
            select(StageVisit)
            .where(StageVisit.instance_id == instance_id)
            .order_by(StageVisit.entered_at, StageVisit.id)
        )
    )


def _filters(
    actor: Actor,
    flow_family_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    where = [visible_visits(actor)]
    if flow_family_id is not None:
        where.append(StageVisit.flow_family_id == flow_family_id)
    if since is not None:
        where.append(StageVisit.entered_at >= since)
    if until is not None:
        where.append(StageVisit.entered_at < until)
    return where


def time_in_stage(
    session: Session,
    actor: Actor,
    *,
    flow_family_id: uuid.UUID | None = None,
    by_owner: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[TimeInStageRow]:
    owner = StageVisit.owner_id if by_owner else None
    columns = [StageVisit.flow_family_id, StageVisit.stage_key, StageVisit.duration_seconds]
    if owner is not None:
        columns.append(owner)
    stmt = (
        select(*columns)
        .where(
            StageVisit.duration_seconds.is_not(None), *_filters(actor, flow_family_id, since, until)
        )
        .order_by(StageVisit.duration_seconds)
    )
    groups: defaultdict[tuple[uuid.UUID, str, uuid.UUID | None], list[float]] = defaultdict(list)
    for row in session.execute(stmt):
        values: tuple[Any, ...] = tuple(row)
        groups[(values[0], values[1], values[3] if by_owner else None)].append(float(values[2]))
    return [
        TimeInStageRow(
            flow_family_id=family,
            stage_key=stage,
            owner_id=owner_id,
            visits=len(durations),
            median_seconds=percentile(durations, 0.5),
            p90_seconds=percentile(durations, 0.9),
        )
        for (family, stage, owner_id), durations in sorted(
            groups.items(), key=lambda item: (str(item[0][0]), item[0][1], str(item[0][2]))
        )
    ]


def conversion(
    session: Session,
    actor: Actor,
    *,
    flow_family_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ConversionRow]:
    """Per stage: instances that entered it, and how many left it forward, finished,
    were aborted, went back, or are still there (each instance counted once per kind)."""
    stmt = (
        select(
            StageVisit.flow_family_id,
            StageVisit.stage_key,
            StageVisit.exit_kind,
            func.count(func.distinct(StageVisit.instance_id)),
        )
        .where(*_filters(actor, flow_family_id, since, until))
        .group_by(StageVisit.flow_family_id, StageVisit.stage_key, StageVisit.exit_kind)
    )
    entered_stmt = (
        select(
            StageVisit.flow_family_id,
            StageVisit.stage_key,
            func.count(func.distinct(StageVisit.instance_id)),
        )
        .where(*_filters(actor, flow_family_id, since, until))
        .group_by(StageVisit.flow_family_id, StageVisit.stage_key)
    )
    counts: defaultdict[tuple[uuid.UUID, str], dict[str | None, int]] = defaultdict(dict)
    for family, stage, kind, n in session.execute(stmt):
        counts[(family, stage)][kind] = n
    rows = []
    for family, stage, entered in session.execute(entered_stmt):
        kinds = counts[(family, stage)]
        advanced = kinds.get("next", 0) + kinds.get("crossed", 0)
        finished = kinds.get("finished", 0)
        dropped = kinds.get("aborted", 0)
        rows.append(
            ConversionRow(
                flow_family_id=family,
                stage_key=stage,
                entered=entered,
                advanced=advanced,
                finished=finished,
                dropped=dropped,
                went_back=kinds.get("previous", 0),
                still_in_stage=kinds.get(None, 0),
                conversion_rate=round((advanced + finished) / entered, 4) if entered else 0.0,
                drop_out_rate=round(dropped / entered, 4) if entered else 0.0,
            )
        )
    rows.sort(key=lambda r: (str(r.flow_family_id), r.stage_key))
    return rows
