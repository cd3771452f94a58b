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
from leadgate.core.garbage import fewer_collections
from leadgate.db.bulk import analyze
from leadgate.leads.models import Lead, LeadScore
from leadgate.scoring.leadfields import (
    RawRead,
    Related,
    field_columns,
    lead_columns,
    lead_source_columns,
    raw_lead_columns,
    read_related,
    scored_leads,
)
from leadgate.scoring.learning import ScoringPipeline
from leadgate.scoring.models import ScoringModel, ScoringModelVersion
from leadgate.scoring.reasons import reasons_json
from leadgate.scoring.writing import BatchWriter, ScoreColumns, write_scores

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


@dataclass(frozen=True)
class _Batch:
    """A batch of leads with what scoring them reads from the database."""

    leads: Sequence[Any]
    src: dict[str, Sequence[Any]]
    related: Related


def _read_batch(
    session: Session, spec: Published, leads: Sequence[Any], raw: RawRead | None
) -> _Batch:
    src = lead_source_columns(leads, spec.fields, raw)
    return _Batch(leads, src, read_related(session, src, spec.fields, raw_ids=raw is not None))


def score_leads(
    session: Session,
    spec: Published,
    leads: Sequence[Any],
    loaded: Mapping[Any, Lead] | None = None,
    raw: RawRead | None = None,
) -> int:
    """Score `leads` (Lead objects, or rows with `lead_columns` and `fingerprint`) with one
    pass of the model and one write (writing.write_scores); loaded Lead objects are kept in
    step. Returns how many leads are up to date (all of them)."""
    if not leads:
        return 0
    pipeline = pipeline_for(session, spec)
    changed, rows = _score_batch(pipeline, spec, _read_batch(session, spec, leads, raw))
    write_scores(session, changed, rows, loaded, raw_ids=raw is not None)
    return len(leads)


def _score_batch(
    pipeline: ScoringPipeline, spec: Published, batch: _Batch
) -> tuple[Sequence[Any], ScoreColumns]:
    """The leads of `batch` whose score must be written, and their score rows (no database
    access: a rescore works this out while the previous batch is written).

    A lead whose model inputs are unchanged since its last score (same fingerprint: the
    version, its name and grade bands, and the lead's encoded features) already holds
    exactly what scoring it would write: it is skipped, so a nightly rescore or an edit
    of a field the model does not read writes nothing."""
    leads = batch.leads
    now = utcnow()
    columns = field_columns(batch.src, batch.related, spec.fields, now)
    matrix = pipeline.encoder.encode_columns(columns, len(leads))
    prints = _fingerprints(spec, matrix)
    # Rows of a rescore carry their fingerprint among the columns read; Lead objects in
    # their score row.
    before = batch.src.get("fingerprint") or [_fingerprint_of(lead) for lead in leads]
    changed = [i for i, (old, new) in enumerate(zip(before, prints, strict=True)) if old != new]
    if not changed:
        return [], {"lead_id": []}
    ids, previous, previous_trends = (batch.src[k] for k in ("id", "score", "score_trend"))
    if len(changed) < len(leads):

        def pick(values: Sequence[Any]) -> list[Any]:
            return [values[i] for i in changed]

        columns = {name: pick(values) for name, values in columns.items()}
        leads, prints, ids, previous, previous_trends = (
            pick(values) for values in (leads, prints, ids, previous, previous_trends)
        )
        matrix = matrix[changed]
    scores, stored = reasons_json(pipeline, columns, len(leads), matrix)
    # The stored reasons are JSON text (see reasons_json): the model's keys close it.
    extra = json.dumps(
        {
            "model_id": str(spec.model_id),
            "model": spec.name,
            "version": spec.number,
            "scored_at": now.isoformat(),
        }
    )[1:-1]
    # round() as Python's (half to even); a probability that is not a number fails here.
    points = [max(0, min(100, round(probability))) for probability in scores]
    # 101 possible scores, a handful of trends: each worked out once per batch.
    grades = {score: grade_for(score, spec.grade_bands) for score in range(101)}
    keys = list(zip(previous, points, previous_trends, strict=True))
    trends = {key: trend_of(*key) for key in set(keys)}
    return leads, {
        "lead_id": list(ids),
        "score": points,
        "grade": [grades[score] for score in points],
        "score_trend": [trends[key] for key in keys],
        "score_reasons": [f"{explanation}, {extra}}}" for explanation in stored],
        "fingerprint": prints,
    }


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


def _fingerprint_of(lead: Lead) -> str | None:
    return None if lead.score_row is None else lead.score_row.fingerprint


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
    pipeline = pipeline_for(session, spec)
    result = session.connection().execute(stmt)
    chunks = result.partitions()

    def next_batch() -> _Batch | None:
        # Reads (the next chunk, its related rows): only while no write is running.
        for chunk in chunks:
            mine = [row for row in chunk if model_for(specs, row) is spec] if rivals else chunk
            if mine:
                return _read_batch(session, spec, mine, raw)
        return None

    count = 0
    # Fewer garbage collections (a fifth of the time at the default threshold); the
    # result is closed whatever happens: a failed rescore leaves no server-side cursor open.
    with (
        fewer_collections(),
        result,
        BatchWriter(session, loaded, raw_ids=raw is not None) as writer,
    ):
        batch = next_batch()
        while batch is not None:
            # Python only: runs while the previous batch is being written.
            changed, rows = _score_batch(pipeline, spec, batch)
            count += len(batch.leads)
            writer.wait()
            batch = next_batch()
            writer.submit(changed, rows)
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
