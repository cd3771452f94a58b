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
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session

from leadgate.processes.models import ProcessFlow, StageVisit
from leadgate.processes.records import MODELS
from leadgate.processes.schemas import ConversionRow, TimeInStageRow
from leadgate.security.access import Actor
from leadgate.security.roles import Depth, Op, depth


def visible_visits(actor: Actor) -> ColumnElement[bool]:
    if all(depth(actor.role, t, Op.READ) is Depth.ALL for t in MODELS):
        # No condition at all, so the report indexes serve the query alone.
        return true()
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


def _flow_names(session: Session, families: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The newest version's name of each flow family."""
    if not families:
        return {}
    rows = session.execute(
        select(ProcessFlow.family_id, ProcessFlow.name)
        .where(ProcessFlow.family_id.in_(families))
        .order_by(ProcessFlow.flow_version)
    )
    names: dict[uuid.UUID, str] = {}
    for family, name in rows:
        names[family] = name  # ordered by version: the newest wins
    return names


def _ranks(
    session: Session, where: list[ColumnElement[bool]], count: int, rank: int
) -> tuple[float, float]:
    """The durations at ascending ranks `rank` and `rank + 1` (the same one at the top),
    reading the index from whichever end is nearer."""
    duration = StageVisit.duration_seconds
    high = min(rank + 1, count - 1)
    stmt = select(duration).where(*where).limit(high - rank + 1)
    if rank < count / 2:
        stmt = stmt.order_by(duration).offset(rank)
    else:
        stmt = stmt.order_by(duration.desc()).offset(count - 1 - high)
    found = sorted(float(value or 0.0) for value in session.scalars(stmt))
    return found[0], found[-1]


def _percentiles_by_offset(
    session: Session, keys: list[Any], where: list[ColumnElement[bool]], by_owner: bool
) -> dict[tuple[uuid.UUID, str, uuid.UUID | None], tuple[int, float, float]]:
    """Median and p90 from the (family, stage[, owner], duration) indexes: count each
    group, then read only the rows at the needed ranks (SQLite has no percentile function)."""
    stats: dict[tuple[uuid.UUID, str, uuid.UUID | None], tuple[int, float, float]] = {}
    for row in session.execute(select(*keys, func.count()).where(*where).group_by(*keys)):
        values: tuple[Any, ...] = tuple(row)
        count = int(values[-1])
        group = [*where, *(key == value for key, value in zip(keys, values[:-1], strict=True))]
        quantiles = []
        for fraction in (0.5, 0.9):
            position = (count - 1) * fraction
            low = math.floor(position)
            low_value, high_value = _ranks(session, group, count, low)
            quantiles.append(low_value + (high_value - low_value) * (position - low))
        owner = values[2] if by_owner else None
        stats[(values[0], values[1], owner)] = (count, quantiles[0], quantiles[1])
    return stats


def time_in_stage(
    session: Session,
    actor: Actor,
    *,
    flow_family_id: uuid.UUID | None = None,
    by_owner: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[TimeInStageRow]:
    keys: list[Any] = [StageVisit.flow_family_id, StageVisit.stage_key]
    if by_owner:
        keys.append(StageVisit.owner_id)
    where = [
        StageVisit.duration_seconds.is_not(None),
        *_filters(actor, flow_family_id, since, until),
    ]
    # (family, stage, owner) -> (visits, median, p90)
    stats: dict[tuple[uuid.UUID, str, uuid.UUID | None], tuple[int, float, float]] = {}
    if session.get_bind().dialect.name == "postgresql":
        # The database sorts and interpolates; only one row per group travels.
        duration = StageVisit.duration_seconds
        stmt = (
            select(
                *keys,
                func.count(),
                func.percentile_cont(0.5).within_group(duration),
                func.percentile_cont(0.9).within_group(duration),
            )
            .where(*where)
            .group_by(*keys)
        )
        for row in session.execute(stmt):
            values: tuple[Any, ...] = tuple(row)
            owner = values[2] if by_owner else None
            stats[(values[0], values[1], owner)] = (
                int(values[-3]),
                float(values[-2]),
                float(values[-1]),
            )
    else:
        stats = _percentiles_by_offset(session, keys, where, by_owner)
    names = _flow_names(session, {family for family, _, _ in stats})
    return [
        TimeInStageRow(
            flow_family_id=family,
            flow_name=names.get(family, ""),
            stage_key=stage,
            owner_id=owner_id,
            visits=visits,
            median_seconds=median,
            p90_seconds=p90,
        )
        for (family, stage, owner_id), (visits, median, p90) in sorted(
            stats.items(), key=lambda item: (str(item[0][0]), item[0][1], str(item[0][2]))
        )
    ]


def _stage_groups(
    session: Session, flow_family_id: uuid.UUID | None
) -> list[tuple[uuid.UUID, str]]:
    """Every (flow family, stage key) any version defines: visits only come from them."""
    stmt = select(ProcessFlow.family_id, ProcessFlow.stages)
    if flow_family_id is not None:
        stmt = stmt.where(ProcessFlow.family_id == flow_family_id)
    groups: dict[tuple[uuid.UUID, str], None] = {}
    for family, stages in session.execute(stmt):
        for stage in stages:
            groups[(family, str(stage["key"]))] = None
    return list(groups)


_KINDS = ("advanced", "finished", "dropped", "went_back", "still")


def _exits_by_stage(
    session: Session, where: list[ColumnElement[bool]], flow_family_id: uuid.UUID | None
) -> list[tuple[Any, ...]]:
    """(family, stage, entered, advanced, finished, dropped, went_back, still) per stage."""
    kind = StageVisit.exit_kind
    if session.get_bind().dialect.name != "sqlite":

        def ever(condition: ColumnElement[bool]) -> Any:
            return func.max(case((condition, 1), else_=0))

        # One row per instance and stage (the index is ordered that way), then per stage.
        per_instance = (
            select(
                StageVisit.flow_family_id.label("family"),
                StageVisit.stage_key.label("stage"),
                ever(kind.in_(("next", "crossed"))).label("advanced"),
                ever(kind == "finished").label("finished"),
                ever(kind == "aborted").label("dropped"),
                ever(kind == "previous").label("went_back"),
                ever(kind.is_(None)).label("still"),
            )
            .where(*where)
            .group_by(StageVisit.flow_family_id, StageVisit.stage_key, StageVisit.instance_id)
            .subquery()
        )
        stmt = select(
            per_instance.c.family,
            per_instance.c.stage,
            func.count(),
            *(func.sum(per_instance.c[name]) for name in _KINDS),
        ).group_by(per_instance.c.family, per_instance.c.stage)
        return [tuple(row) for row in session.execute(stmt)]
    # SQLite sorts the per-instance rows again for an outer GROUP BY (a temp b-tree over
    # every instance); one query per stage has no outer GROUP BY, and each walks only its
    # own range of the (family, stage, instance, exit kind) index. Comparisons are 0/1
    # (NULL for a visit still open) on SQLite, so max() of each is "ever".
    rows = []
    for family, stage in _stage_groups(session, flow_family_id):
        per_instance = (
            select(
                func.max(kind.in_(("next", "crossed")), type_=Integer).label("advanced"),
                func.max(kind == "finished", type_=Integer).label("finished"),
                func.max(kind == "aborted", type_=Integer).label("dropped"),
                func.max(kind == "previous", type_=Integer).label("went_back"),
                func.max(kind.is_(None), type_=Integer).label("still"),
            )
            .where(*where, StageVisit.flow_family_id == family, StageVisit.stage_key == stage)
            .group_by(StageVisit.instance_id)
            .subquery()
        )
        found = session.execute(
            select(
                func.count(), *(func.sum(per_instance.c[name], type_=Integer) for name in _KINDS)
            )
        ).one()
        if found[0]:
            rows.append((family, stage, *found))
    return rows


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
    where = _filters(actor, flow_family_id, since, until)
    rows = []
    for family, stage, entered, advanced, finished, dropped, went_back, still in _exits_by_stage(
        session, where, flow_family_id
    ):
        rows.append(
            ConversionRow(
                flow_family_id=family,
                stage_key=stage,
                entered=entered,
                advanced=int(advanced or 0),
                finished=int(finished or 0),
                dropped=int(dropped or 0),
                went_back=int(went_back or 0),
                still_in_stage=int(still or 0),
                conversion_rate=round(int((advanced or 0) + (finished or 0)) / entered, 4),
                drop_out_rate=round(int(dropped or 0) / entered, 4),
            )
        )
    names = _flow_names(session, {row.flow_family_id for row in rows})
    for row in rows:
        row.flow_name = names.get(row.flow_family_id, "")
    rows.sort(key=lambda r: (str(r.flow_family_id), r.stage_key))
    return rows
