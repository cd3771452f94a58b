"""Writing scores on open leads: score, grade, trend and reasons from a published version.

Scores are derived data: they are written with a plain UPDATE that neither
bumps the lead's `version` (a nightly rescore must not make every open edit
form stale, 412) nor writes an audit row per lead.
"""

from __future__ import annotations

import logging
import pickle
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import sklearn
from sqlalchemy import ColumnElement, Table, bindparam, select, true, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict
from leadgate.leads.models import Lead
from leadgate.scoring.explain import explain
from leadgate.scoring.leadfields import build_records
from leadgate.scoring.learning import ScoringPipeline
from leadgate.scoring.models import ScoringModel, ScoringModelVersion

log = logging.getLogger(__name__)

# A score this many points away from the previous one is a trend, not noise.
TREND_POINTS = 5
BATCH = 1000
_cache: OrderedDict[uuid.UUID, ScoringPipeline] = OrderedDict()
_CACHE_SIZE = 16


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


def pipeline_of(version: ScoringModelVersion) -> ScoringPipeline:
    """The fitted pipeline of a version; versions never change, so it is cached by id."""
    cached = _cache.get(version.id)
    if cached is not None:
        _cache.move_to_end(version.id)
        return cached
    if version.sklearn_version != sklearn.__version__:
        raise Conflict(
            f"scoring model version {version.number} was trained with scikit-learn "
            f"{version.sklearn_version}, this server runs {sklearn.__version__}; retrain it"
        )
    # Only bytes our own training wrote into this table are ever unpickled.
    pipeline = pickle.loads(version.pipeline)  # noqa: S301
    if not isinstance(pipeline, ScoringPipeline):
        raise Conflict(f"scoring model version {version.number} holds no usable model; retrain it")
    _cache[version.id] = pipeline
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return pipeline


def scope_clause(model: ScoringModel) -> ColumnElement[bool]:
    clause: ColumnElement[bool] = true()
    for name, value in (model.filter or {}).items():
        clause = clause & (getattr(Lead, name) == value)
    return clause


def in_scope(model: ScoringModel, lead: Lead) -> bool:
    return all(getattr(lead, k) == v for k, v in (model.filter or {}).items())


def specificity(model: ScoringModel) -> tuple[int, Any]:
    # A model for one line of business beats the catch-all one.
    return (len(model.filter or {}), model.created_at)


def published_models(session: Session) -> list[ScoringModel]:
    models = session.scalars(
        select(ScoringModel)
        .join(ScoringModelVersion, ScoringModelVersion.model_id == ScoringModel.id)
        .where(ScoringModelVersion.is_published.is_(True))
    ).all()
    return sorted(set(models), key=specificity)


def model_for(models: Sequence[ScoringModel], lead: Lead) -> ScoringModel | None:
    """The most specific published model whose filter the lead matches."""
    chosen = None
    for model in models:  # least specific first
        if in_scope(model, lead):
            chosen = model
    return chosen


def score_leads(
    session: Session, model: ScoringModel, version: ScoringModelVersion, leads: Sequence[Lead]
) -> int:
    if not leads:
        return 0
    pipeline = pipeline_of(version)
    records = build_records(session, leads, version.fields)
    explanations = explain(pipeline, records)
    now = utcnow().isoformat()
    rows = []
    for lead, explanation in zip(leads, explanations, strict=True):
        score = max(0, min(100, round(explanation.score)))
        reasons = explanation.as_dict() | {
            "model_id": str(model.id),
            "model": model.name,
            "version": version.number,
            "scored_at": now,
        }
        rows.append(
            {
                "lead_id": lead.id,
                "score": score,
                "grade": grade_for(score, model.grade_bands),
                "score_trend": trend_of(lead.score, score, lead.score_trend),
                "score_reasons": reasons,
            }
        )
    _write(session, leads, rows)
    return len(rows)


def clear_scores(session: Session, leads: Sequence[Lead]) -> None:
    rows = [
        {
            "lead_id": lead.id,
            "score": None,
            "grade": None,
            "score_trend": None,
            "score_reasons": None,
        }
        for lead in leads
    ]
    _write(session, leads, rows)


def _write(session: Session, leads: Sequence[Lead], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Lead.__table__
    assert isinstance(table, Table)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("lead_id"))
        .values(
            score=bindparam("score"),
            grade=bindparam("grade"),
            score_trend=bindparam("score_trend"),
            score_reasons=bindparam("score_reasons"),
        )
    )
    session.execute(stmt, rows)
    # Keep the loaded objects in step without marking them changed.
    for lead, row in zip(leads, rows, strict=True):
        for key in ("score", "grade", "score_trend", "score_reasons"):
            set_committed_value(lead, key, row[key])


def rescore_model(session: Session, model: ScoringModel) -> int:
    """Score every open lead in the model's scope with its published version (leads a
    more specific published model covers are left to that model)."""
    version = model.published
    if version is None:
        return 0
    models = published_models(session)
    count = 0
    last: uuid.UUID | None = None
    while True:
        stmt = (
            select(Lead)
            .where(Lead.state == "open", Lead.deleted_at.is_(None), scope_clause(model))
            .order_by(Lead.id)
            .limit(BATCH)
        )
        if last is not None:
            stmt = stmt.where(Lead.id > last)
        leads = session.scalars(stmt).all()
        if not leads:
            return count
        mine = [lead for lead in leads if model_for(models, lead) is model]
        count += score_leads(session, model, version, mine)
        last = leads[-1].id


def rescore_new_leads(session: Session, lead_ids: Sequence[uuid.UUID]) -> None:
    """`rescore_lead` for many just-created leads: the published models are read once
    and each model scores its leads in one call. Never fails the save."""
    models = published_models(session)
    if not models or not lead_ids:
        return
    try:
        with session.begin_nested():
            groups: dict[uuid.UUID, tuple[ScoringModel, list[Lead]]] = {}
            for i in range(0, len(lead_ids), BATCH):
                chunk = lead_ids[i : i + BATCH]
                for lead in session.scalars(select(Lead).where(Lead.id.in_(chunk))):
                    model = model_for(models, lead)
                    if model is not None and model.published is not None:
                        groups.setdefault(model.id, (model, []))[1].append(lead)
            for model, leads in groups.values():
                assert model.published is not None
                score_leads(session, model, model.published, leads)
    except Exception:
        log.exception("scoring %d new leads failed; they are saved unscored", len(lead_ids))


def rescore_lead(session: Session, lead: Lead) -> None:
    """Score one lead after a change. Never fails the save: a broken model leaves the
    lead unscored and logs why."""
    if lead.state != "open" or lead.deleted_at is not None:
        return
    try:
        # A savepoint: a failure inside rolls back the scoring only, never the save.
        with session.begin_nested():
            model = model_for(published_models(session), lead)
            if model is not None and model.published is not None:
                score_leads(session, model, model.published, [lead])
    except Exception:
        log.exception("scoring lead %s failed; the lead is saved unscored", lead.id)
