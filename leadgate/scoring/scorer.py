"""Scoring open leads: score, grade, trend and reasons from a published version.

Scores are derived data, kept in the lead's score row (`LeadScore`): they are
written (`writing`) with plain statements that neither bump the lead's `version`
(a nightly rescore must not make every open edit form stale, 412) nor write an
audit row per lead.

What is published is read once per transaction (`published`, kept in
`session.info` for that transaction only), so another process publishing or
reverting is seen by the next transaction, and a lead save with nothing
published costs one light query per transaction and no scoring at all.
Fitted pipelines never change once trained: they are kept per process by
version id. A batch (rescore, bulk create) reads only the lead columns the
model needs (a rescore reads them untyped: `leadfields.RawRead`), scores a
chunk in one pass and writes it with one statement.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sklearn
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict
from leadgate.db.bulk import analyze
from leadgate.leads.models import Lead, LeadScore
from leadgate.scoring.explain import reasons_json
from leadgate.scoring.leadfields import (
    RawRead,
    build_columns,
    lead_columns,
    raw_lead_columns,
    scored_leads,
)
from leadgate.scoring.learning import ScoringPipeline
from leadgate.scoring.models import ScoringModel, ScoringModelVersion
from leadgate.scoring.writing import write_scores

log = logging.getLogger(__name__)

# A score this many points away from the previous one is a trend, not noise.
TREND_POINTS = 5
# Leads read, scored and written per round trip of a batch rescore.
BATCH = 5000
_cache: OrderedDict[uuid.UUID, ScoringPipeline] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 16
_INFO_KEY = "leadgate.scoring.published"


@dataclass(frozen=True)
class Published:
    """A model with its published version: what scoring needs, without the pickle bytes."""

    model_id: uuid.UUID
    name: str
    filter: dict[str, Any]
    grade_bands: dict[str, int]
    created_at: datetime
    version_id: uuid.UUID
    number: int
    fields: list[str]


def grade_for(score: int, bands: dict[str, int]) -> str:
    for grade in ("A", "B", "C"):
        if score >= bands[grade]:
            return grade
    return "D"


def trend_of(previous: int | None, score: int, previous_trend: str | None) -> str:
    if previous is None:
        return "not_enough_info"
    if score == previous and previous_trend:
        # A rescore that changes nothing keeps what the last real change said.
        return previous_trend
    if score - previous >= TREND_POINTS:
        return "improving"
    if previous - score >= TREND_POINTS:
        return "declining"
    return "steady"


def pipeline_for(session: Session, spec: Published) -> ScoringPipeline:
    """The fitted pipeline of a published version, unpickled once per process."""
    with _cache_lock:
        cached = _cache.get(spec.version_id)
        if cached is not None:
            _cache.move_to_end(spec.version_id)
            return cached
    row = session.execute(
        select(ScoringModelVersion.pipeline, ScoringModelVersion.sklearn_version).where(
            ScoringModelVersion.id == spec.version_id
        )
    ).one()
    if row.sklearn_version != sklearn.__version__:
        raise Conflict(
            f"scoring model version {spec.number} was trained with scikit-learn "
            f"{row.sklearn_version}, this server runs {sklearn.__version__}; retrain it"
        )
    # Only bytes our own training wrote into this table are ever unpickled.
    pipeline = pickle.loads(row.pipeline)  # noqa: S301
    if not isinstance(pipeline, ScoringPipeline):
        raise Conflict(f"scoring model version {spec.number} holds no usable model; retrain it")
    with _cache_lock:
        _cache[spec.version_id] = pipeline
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return pipeline


def scope_clause(filter: Mapping[str, Any] | None) -> ColumnElement[bool]:
    clause: ColumnElement[bool] = true()
    for name, value in (filter or {}).items():
        clause = clause & (getattr(Lead, name) == value)
    return clause


def _in_scope(spec: Published, lead: Any) -> bool:
    return all(getattr(lead, k) == v for k, v in spec.filter.items())


def published(session: Session) -> list[Published]:
    """The published models, least specific first; read once per transaction."""
    transaction = session.get_transaction()
    kept = session.info.get(_INFO_KEY)
    if kept is not None and transaction is not None and kept[0] is transaction:
        return list(kept[1])
    rows = session.execute(
        select(
            ScoringModel.id,
            ScoringModel.name,
            ScoringModel.filter,
            ScoringModel.grade_bands,
            ScoringModel.created_at,
            ScoringModelVersion.id.label("version_id"),
            ScoringModelVersion.number,
            ScoringModelVersion.fields,
        )
        .join(ScoringModelVersion, ScoringModelVersion.model_id == ScoringModel.id)
        .where(ScoringModelVersion.is_published.is_(True))
    ).all()
    specs = [
        Published(
            r.id,
            r.name,
            dict(r.filter or {}),
            dict(r.grade_bands),
            r.created_at,
            r.version_id,
            r.number,
            list(r.fields),
        )
        for r in rows
    ]
    # A model for one line of business beats the catch-all one.
    specs.sort(key=lambda spec: (len(spec.filter), spec.created_at, str(spec.model_id)))
    if transaction is not None:
        session.info[_INFO_KEY] = (transaction, tuple(specs))
    return specs


def forget_published(session: Session) -> None:
    """Called by whatever changes which version is published, inside the transaction."""
    session.info.pop(_INFO_KEY, None)


def model_for(specs: Sequence[Published], lead: Any) -> Published | None:
    """The most specific published model whose filter the lead matches."""
    chosen = None
    for spec in specs:  # least specific first
        if _in_scope(spec, lead):
            chosen = spec
    return chosen


def score_leads(
    session: Session,
    spec: Published,
    leads: Sequence[Any],
    loaded: Mapping[Any, Lead] | None = None,
    raw: RawRead | None = None,
) -> int:
    """Score `leads` (Lead objects, or rows with `lead_columns` and `fingerprint`) with one
    pass of the model and one write (writing.write_scores); loaded Lead objects are kept in step.

    A lead whose model inputs are unchanged since its last score (same fingerprint: the
    version, its name and grade bands, and the lead's encoded features) already holds
    exactly what scoring it would write: it is skipped, so a nightly rescore or an edit
    of a field the model does not read writes nothing."""
    if not leads:
        return 0
    total = len(leads)  # all of them are up to date when this returns
    pipeline = pipeline_for(session, spec)
    columns = build_columns(session, leads, spec.fields, raw=raw)
    matrix = pipeline.encoder.encode_columns(columns, total)
    prints = _fingerprints(spec, matrix)
    changed = [i for i, lead in enumerate(leads) if _fingerprint_of(lead) != prints[i]]
    if not changed:
        return total
    if len(changed) < total:
        columns = {name: [values[i] for i in changed] for name, values in columns.items()}
        leads = [leads[i] for i in changed]
        prints = [prints[i] for i in changed]
        matrix = matrix[changed]
    scores, stored = reasons_json(pipeline, columns, len(leads), matrix)
    # The stored reasons are JSON text (see reasons_json): the model's keys close it.
    extra = json.dumps(
        {
            "model_id": str(spec.model_id),
            "model": spec.name,
            "version": spec.number,
            "scored_at": utcnow().isoformat(),
        }
    )[1:-1]
    # 101 possible scores, a handful of trends: each worked out once per batch.
    grades = {score: grade_for(score, spec.grade_bands) for score in range(101)}
    trends: dict[tuple[int | None, int, str | None], str] = {}
    rows = []
    for lead, probability, explanation, fingerprint in zip(
        leads, scores, stored, prints, strict=True
    ):
        score = max(0, min(100, round(probability)))
        key = (lead.score, score, lead.score_trend)
        trend = trends.get(key)
        if trend is None:
            trend = trends[key] = trend_of(*key)
        rows.append(
            {
                "lead_id": lead.id,
                "score": score,
                "grade": grades[score],
                "score_trend": trend,
                "score_reasons": f'{explanation}, {extra}, "fingerprint": "{fingerprint}"}}',
                "fingerprint": fingerprint,
            }
        )
    write_scores(session, leads, rows, loaded, raw_ids=raw is not None)
    return total


def _fingerprints(spec: Published, matrix: Any) -> list[str]:
    salt = hashlib.blake2b(
        repr((str(spec.version_id), spec.name, sorted(spec.grade_bands.items()))).encode(),
        digest_size=16,
    )
    out = []
    for row in matrix:
        digest = salt.copy()
        digest.update(row.tobytes())
        out.append(digest.hexdigest())
    return out


def _fingerprint_of(lead: Any) -> str | None:
    if isinstance(lead, Lead):
        return None if lead.score_row is None else lead.score_row.fingerprint
    return getattr(lead, "fingerprint", None)


def rescore_model(session: Session, model_id: uuid.UUID) -> int:
    """Score every open lead in the model's scope with its published version (leads a
    more specific published model covers are left to that model).

    One query streams only the columns the model needs (yield_per: memory stays flat);
    each chunk of BATCH leads is scored in one pass and written with one statement."""
    forget_published(session)
    specs = published(session)
    spec = next((s for s in specs if s.model_id == model_id), None)
    if spec is None:
        return 0
    # Another model can only take leads from this one if it is at least as specific.
    rivals = [s for s in specs if s is not spec and len(s.filter) >= len(spec.filter)]
    keys = {key for s in specs for key in s.filter}
    loaded = {obj.id: obj for obj in list(session.identity_map.values()) if isinstance(obj, Lead)}
    raw: RawRead | None = None
    if rivals:
        # Typed rows: the rivals' filters are tested on them in Python.
        selected = lead_columns(spec.fields, keys)
    else:
        # Untyped rows through Core (no ORM row loading, no per-value result types): the
        # ids stay the driver's values, and the write binds them as they came.
        selected, raw = raw_lead_columns(session.get_bind().dialect, spec.fields, keys)
        if raw.id_bind is not None:
            loaded = {raw.id_bind(key): obj for key, obj in loaded.items()}
    stmt = (
        select(*selected, LeadScore.fingerprint)
        .select_from(scored_leads())
        .where(Lead.state == "open", Lead.deleted_at.is_(None), scope_clause(spec.filter))
        .order_by(Lead.id)
        .execution_options(yield_per=BATCH)
    )
    session.flush()  # a Core read does not autoflush as session.execute does
    result = session.connection().execute(stmt)
    count = 0
    for chunk in result.partitions():
        mine = [row for row in chunk if model_for(specs, row) is spec] if rivals else chunk
        count += score_leads(session, spec, mine, loaded, raw)
    if count and session.get_bind().dialect.name == "sqlite":
        # Lists sorted by score need SQLite to know lead_scores' covering index is the
        # better one; it learns that only from statistics (PostgreSQL's autovacuum
        # gathers its own after a bulk write).
        analyze(session, [LeadScore.__tablename__], sqlite=True)
    return count


def rescore_lead(session: Session, lead: Lead) -> None:
    """Score one lead after a change (see `rescore_leads`)."""
    rescore_leads(session, [lead])


def rescore_leads(session: Session, leads: Sequence[Lead]) -> None:
    """Score leads after a change, each model's leads in one pass. Never fails the save:
    a broken model leaves the leads unscored and logs why."""
    leads = [lead for lead in leads if lead.state == "open" and lead.deleted_at is None]
    if not leads:
        return
    kept = session.info.get(_INFO_KEY)
    if kept is not None and kept[0] is session.get_transaction() and not kept[1]:
        return  # nothing is published: known for this transaction, nothing to do
    try:
        # A savepoint: a failure inside rolls back the scoring only, never the save.
        with session.begin_nested():
            specs = published(session)
            groups: dict[uuid.UUID, tuple[Published, list[Lead]]] = {}
            for lead in leads:
                spec = model_for(specs, lead)
                if spec is not None:
                    groups.setdefault(spec.model_id, (spec, []))[1].append(lead)
            for spec, group in groups.values():
                score_leads(session, spec, group)
    except Exception:
        log.exception("scoring %d lead(s) failed; saved unscored", len(leads))
