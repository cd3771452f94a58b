"""Use cases of scoring models: define, train, publish, revert, delete, rescore.

Lifecycle of a version: trained (metrics stored, never changed) → published
(scores the model's open leads; one per model) → unpublished when another
version is published or on revert (back to the version published before).
Only a version whose held-out AUC reaches the bar may be published.
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sklearn
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from leadgate.audit.editing import create_record, delete_record, update_record
from leadgate.audit.recording import write_event
from leadgate.core.clock import as_utc, utcnow
from leadgate.core.errors import Conflict, NotFound, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.leads.models import Lead
from leadgate.scoring import scorer
from leadgate.scoring.explain import field_importance
from leadgate.scoring.leadfields import (
    CATALOG,
    build_records,
    lead_columns,
    scored_leads,
    unknown_fields,
)
from leadgate.scoring.learning import NotEnoughData, fit_pipeline
from leadgate.scoring.metrics import PUBLISH_MIN_AUC, evaluate
from leadgate.scoring.models import ScoringModel, ScoringModelVersion
from leadgate.scoring.schemas import ScoringModelCreate, ScoringModelUpdate
from leadgate.scoring.writing import clear_scores
from leadgate.security.access import Actor, ensure, load
from leadgate.security.roles import Op

MAX_MODELS = 10
MIN_PER_CLASS = 40
TEST_SHARE = 0.2


def create_model(session: Session, actor: Actor, data: ScoringModelCreate) -> ScoringModel:
    ensure(actor, ScoringModel.RECORD_TYPE, Op.CREATE)
    count = session.scalar(select(func.count()).select_from(ScoringModel)) or 0
    if count >= MAX_MODELS:
        raise Conflict(f"at most {MAX_MODELS} scoring models; delete one first")
    _check_name_free(session, data.name)
    values = data.model_dump()
    return create_record(session, actor, ScoringModel(id=new_id(), **values))


def _check_name_free(session: Session, name: str, own: uuid.UUID | None = None) -> None:
    found = session.scalar(select(ScoringModel.id).where(ScoringModel.name == name))
    if found is not None and found != own:
        raise ValidationFailed.on("name", f"a scoring model named {name!r} exists")


def update_model(
    session: Session,
    actor: Actor,
    model_id: uuid.UUID,
    data: ScoringModelUpdate,
    expected_version: int | None,
) -> ScoringModel:
    values = data.changes()
    if values.get("name"):
        _check_name_free(session, str(values["name"]), model_id)
    return update_record(
        session,
        actor,
        ScoringModel,
        model_id,
        values,
        expected_version=expected_version,
        required=("name", "fields", "filter", "training_months", "grade_bands"),
    )


def delete_model(
    session: Session, actor: Actor, model_id: uuid.UUID, expected_version: int | None
) -> None:
    model = load(session, actor, ScoringModel, model_id, Op.DELETE)
    scored = _leads_scored_by(session, model)
    delete_record(session, actor, ScoringModel, model_id, expected_version=expected_version)
    session.flush()
    _hand_over(session, scored)


def _leads_scored_by(session: Session, model: ScoringModel) -> list[Lead]:
    # Inner join: only leads holding a score row.
    stmt = (
        select(Lead)
        .join(Lead.score_row)
        .options(contains_eager(Lead.score_row))
        .where(Lead.state == "open", Lead.deleted_at.is_(None))
    )
    stmt = stmt.where(scorer.scope_clause(model.filter))
    # The stored reasons name their model at the top level: read them as stored, without
    # putting every lead's reasons in words.
    return [
        lead
        for lead in session.scalars(stmt)
        if lead.score_row is not None
        and (lead.score_row.score_reasons or {}).get("model_id") == str(model.id)
    ]


def _hand_over(session: Session, leads: list[Lead]) -> None:
    """Leads a model no longer scores go to the next model in scope, or lose their score."""
    scorer.forget_published(session)
    specs = scorer.published(session)
    orphans = []
    groups: dict[uuid.UUID, tuple[scorer.Published, list[Lead]]] = {}
    for lead in leads:
        spec = scorer.model_for(specs, lead)
        if spec is not None:
            groups.setdefault(spec.model_id, (spec, []))[1].append(lead)
        else:
            orphans.append(lead)
    for spec, group in groups.values():
        scorer.score_leads(session, spec, group)
    clear_scores(session, orphans)


def _window_start(model: ScoringModel, now: datetime) -> datetime:
    return now - timedelta(days=round(30.44 * model.training_months))


def train(
    session: Session, actor: Actor, model_id: uuid.UUID, now: datetime | None = None
) -> ScoringModelVersion:
    """Train on closed leads of the window: older 80 % to fit, newest 20 % to measure."""
    model = load(session, actor, ScoringModel, model_id, Op.WRITE)
    missing = unknown_fields(model.fields)
    if missing:
        raise ValidationFailed.on(
            "fields", f"the model uses field(s) that no longer exist: {', '.join(missing)}"
        )
    now = now or utcnow()
    # Only the columns the fields need: rows, not Lead objects (100,000 closed leads).
    leads = session.execute(
        select(*lead_columns(model.fields), Lead.created_at)
        .select_from(scored_leads())
        .where(
            Lead.state.in_(("qualified", "disqualified")),
            Lead.deleted_at.is_(None),
            Lead.created_at >= _window_start(model, now),
            scorer.scope_clause(model.filter),
        )
        .order_by(Lead.created_at, Lead.id)
    ).all()
    y = np.array([1 if lead.state == "qualified" else 0 for lead in leads], dtype=int)
    _check_enough(model, int(y.sum()), len(y) - int(y.sum()))
    records = build_records(session, leads, model.fields)
    labels = [CATALOG[c] for c in model.fields]
    cut = round(len(leads) * (1 - TEST_SHARE))
    try:
        pipeline = fit_pipeline(records[:cut], y[:cut], labels)
    except NotEnoughData as exc:
        raise ValidationFailed.on("fields", str(exc)) from exc
    test, y_test = records[cut:], y[cut:]
    metrics = evaluate(y_test, pipeline.predict_proba(test), pipeline.threshold)
    metrics.update(_training_facts(model, pipeline, leads, y, cut, now))
    metrics["field_importance"] = field_importance(pipeline, test, y_test)
    number = 1 + max((v.number for v in model.versions), default=0)
    version = ScoringModelVersion(
        id=new_id(),
        model_id=model.id,
        number=number,
        family=pipeline.family,
        fields=list(model.fields),
        metrics=_jsonable(metrics),
        ready_to_publish=bool(metrics["ready_to_publish"]),
        pipeline=pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL),
        sklearn_version=sklearn.__version__,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
    )
    session.add(version)
    session.flush()
    model.versions.append(version)
    write_event(
        session,
        actor,
        "train",
        ScoringModel.RECORD_TYPE,
        model.id,
        {
            "version": [None, number],
            "auc": [None, metrics["auc"]],
            "model": [None, pipeline.family],
        },
        summary=f"trained version {number}: AUC {metrics['auc']}",
    )
    return version


def _check_enough(model: ScoringModel, positives: int, negatives: int) -> None:
    needs = []
    if positives < MIN_PER_CLASS:
        needs.append(f"{MIN_PER_CLASS - positives} more qualified leads")
    if negatives < MIN_PER_CLASS:
        needs.append(f"{MIN_PER_CLASS - negatives} more disqualified leads")
    if needs:
        raise Conflict(
            f"needs {' and '.join(needs)} to train: found {positives} qualified and "
            f"{negatives} disqualified leads created in the last {model.training_months} "
            f"months in this model's scope (at least {MIN_PER_CLASS} of each)"
        )


def _training_facts(
    model: ScoringModel, pipeline: Any, leads: Sequence[Any], y: Any, cut: int, now: datetime
) -> dict[str, Any]:
    return {
        "model": pipeline.family,
        "selection_evidence": {
            c.family: {"auc": round(c.auc, 4), "log_loss": round(c.log_loss, 4)}
            for c in pipeline.candidates
        },
        "split": "ordered",
        "n_train": cut,
        "n_rows": len(leads),
        "n_features": len(pipeline.encoder.fields),
        "features": pipeline.encoder.field_names,
        "skipped_fields": pipeline.encoder.skipped,
        "qualified": int(y.sum()),
        "disqualified": len(y) - int(y.sum()),
        "window_start": _window_start(model, now).isoformat(),
        "window_end": now.isoformat(),
        "test_from": as_utc(leads[cut].created_at).isoformat() if cut < len(leads) else None,
        "publish_min_auc": PUBLISH_MIN_AUC,
    }


def _jsonable(value: Any) -> Any:
    # NaN (an AUC on a one-class test set) is not JSON.
    if isinstance(value, float):
        return None if value != value else value
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def get_version(
    session: Session, actor: Actor, model_id: uuid.UUID, version_id: uuid.UUID
) -> ScoringModelVersion:
    version = _load_version(session, actor, version_id, Op.READ)
    if version.model_id != model_id:
        raise NotFound(f"scoring model version {version_id} not found")
    return version


def _load_version(
    session: Session, actor: Actor, version_id: uuid.UUID, op: Op
) -> ScoringModelVersion:
    version = load(session, actor, ScoringModelVersion, version_id)
    load(session, actor, ScoringModel, version.model_id, op)
    return version


def publish(session: Session, actor: Actor, version_id: uuid.UUID) -> ScoringModelVersion:
    version = _load_version(session, actor, version_id, Op.WRITE)
    if not version.ready_to_publish:
        auc = version.metrics.get("auc")
        raise Conflict(
            f"version {version.number} is not ready to publish: held-out AUC {auc} is below "
            f"{PUBLISH_MIN_AUC}"
        )
    if version.is_published:
        raise Conflict(f"version {version.number} is already published")
    _switch(session, actor, version.model, version, "publish")
    return version


def revert(session: Session, actor: Actor, model_id: uuid.UUID) -> ScoringModelVersion:
    """Go back to the version that was published before the current one."""
    model = load(session, actor, ScoringModel, model_id, Op.WRITE)
    current = model.published
    if current is None:
        raise Conflict(f"scoring model {model.name!r} has no published version to revert")
    earlier = [v for v in model.versions if v is not current and v.published_at is not None]
    if not earlier:
        raise Conflict(
            f"version {current.number} is the only version of {model.name!r} ever published"
        )
    previous = max(earlier, key=lambda v: as_utc(v.published_at))  # type: ignore[arg-type]
    _switch(session, actor, model, previous, "revert")
    return previous


def _switch(
    session: Session,
    actor: Actor,
    model: ScoringModel,
    target: ScoringModelVersion,
    action: str,
) -> None:
    before = model.published
    if before is not None:
        before.is_published = False
        # The flag is unique per model in practice: write the unset first.
        session.flush()
    target.is_published = True
    target.published_at = utcnow()
    session.flush()
    write_event(
        session,
        actor,
        f"transition:{action}",
        ScoringModel.RECORD_TYPE,
        model.id,
        {"published_version": [before.number if before else None, target.number]},
        summary=f"{action}: version {target.number} scores leads",
    )
    scorer.rescore_model(session, model.id)


def delete_version(session: Session, actor: Actor, version_id: uuid.UUID) -> None:
    version = _load_version(session, actor, version_id, Op.WRITE)
    if version.is_published:
        raise Conflict(
            f"version {version.number} is published; publish another version or revert first"
        )
    model = version.model
    model.versions.remove(version)
    session.delete(version)
    session.flush()
    write_event(
        session,
        actor,
        "delete_version",
        ScoringModel.RECORD_TYPE,
        model.id,
        {"version": [version.number, None]},
        summary=f"deleted version {version.number}",
    )


def rescore(session: Session, actor: Actor, model_id: uuid.UUID | None = None) -> int:
    """Score every open lead in scope of the published models (or of one model)."""
    if model_id is not None:
        load(session, actor, ScoringModel, model_id, Op.WRITE)
        return scorer.rescore_model(session, model_id)
    ensure(actor, ScoringModel.RECORD_TYPE, Op.WRITE)
    return sum(scorer.rescore_model(session, s.model_id) for s in scorer.published(session))


def find_model(session: Session, actor: Actor, key: str) -> ScoringModel:
    """A model by id or by name (what the CLI is given)."""
    try:
        return load(session, actor, ScoringModel, uuid.UUID(key))
    except ValueError:
        pass
    found = session.scalar(select(ScoringModel).where(ScoringModel.name == key))
    if found is None:
        raise NotFound(f"no scoring model named {key!r}")
    return load(session, actor, ScoringModel, found.id)


def list_models(session: Session, actor: Actor) -> list[ScoringModel]:
    ensure(actor, ScoringModel.RECORD_TYPE, Op.READ)
    return list(session.scalars(select(ScoringModel).order_by(ScoringModel.name)))
