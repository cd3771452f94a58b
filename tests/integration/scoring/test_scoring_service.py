"""Training, publishing and scoring against the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from leadgate.core.errors import Conflict, ValidationFailed
from leadgate.leads import service as leads
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.scoring import scorer, service
from leadgate.scoring.models import ScoringModel
from leadgate.scoring.schemas import ScoringModelCreate
from leadgate.security.access import Actor
from tests.integration.scoring.closed_leads import FIELDS, seed_closed


def _model(db: Session, actor: Actor, **extra: object) -> ScoringModel:
    return service.create_model(
        db, actor, ScoringModelCreate(name=f"Model {extra.get('name', 'all')}", fields=FIELDS)
    )


def _open_lead(db: Session, actor: Actor, source: str, email: str = "x@contoso.com") -> Lead:
    return leads.create_lead(
        db, actor, LeadCreate(topic="New", last_name="Open", lead_source=source, email=email)
    )


def test_training_needs_forty_of_each_class(db: Session, admin_actor: Actor) -> None:
    seed_closed(db, admin_actor, qualified=45, disqualified=31)
    model = _model(db, admin_actor)
    with pytest.raises(Conflict, match="needs 9 more disqualified leads") as caught:
        service.train(db, admin_actor, model.id)
    assert "found 45 qualified and 31 disqualified" in caught.value.detail
    assert model.versions == []


def test_train_publish_and_score_open_leads(db: Session, admin_actor: Actor) -> None:
    seed_closed(db, admin_actor, 220)
    model = _model(db, admin_actor)
    partner = _open_lead(db, admin_actor, "partner")
    web = _open_lead(db, admin_actor, "web", "y@gmail.com")
    version = service.train(db, admin_actor, model.id)
    figures = version.metrics
    assert version.number == 1
    assert figures["n_rows"] == 220
    assert figures["n_train"] == 176
    assert figures["auc"] > 0.7
    assert version.ready_to_publish
    assert set(figures["selection_evidence"]) == {"logistic_regression", "gradient_boosted_trees"}
    assert figures["field_importance"][0]["field"] == "Source"
    for key in ("accuracy", "precision", "recall", "f1", "log_loss", "brier", "ece"):
        assert figures[key] is not None
    assert partner.score is None
    versions_before = partner.version

    service.publish(db, admin_actor, version.id)

    assert partner.score is not None
    assert web.score is not None
    assert partner.score > web.score + 30
    assert partner.grade == scorer.grade_for(partner.score, model.grade_bands)
    assert partner.score_trend == "not_enough_info"
    reasons = partner.score_reasons or {}
    assert reasons["positive"][0]["text"] == "Source is Partner"
    assert reasons["positive"][0]["sentence"].startswith("Source is Partner: +")
    assert web.score_reasons
    assert web.score_reasons["negative"][0]["text"] == "Source is Web"
    total = (
        reasons["typical_score"]
        + sum(r["effect"] for r in reasons["positive"] + reasons["negative"])
        + reasons["other_fields"]
        + reasons["interactions"]
    )
    assert total == pytest.approx(partner.score, abs=1.0)
    # Scores are derived data: writing them does not make the lead's ETag stale.
    assert partner.version == versions_before
    db.expire_all()
    assert db.get(Lead, partner.id).score == partner.score  # type: ignore[union-attr]


def test_a_lead_change_rescores_it_at_once(db: Session, admin_actor: Actor) -> None:
    seed_closed(db, admin_actor, 200)
    model = _model(db, admin_actor)
    service.publish(db, admin_actor, service.train(db, admin_actor, model.id).id)
    lead = _open_lead(db, admin_actor, "web")
    assert lead.score is not None
    low = lead.score
    leads.update_lead(db, admin_actor, lead.id, LeadUpdate(lead_source="partner"), lead.version)
    assert lead.score > low + 20
    assert lead.score_trend == "improving"
    leads.update_lead(db, admin_actor, lead.id, LeadUpdate(lead_source="web"), lead.version)
    assert lead.score == low
    assert lead.score_trend == "declining"


def test_a_broken_model_never_fails_a_lead_save(db: Session, admin_actor: Actor) -> None:
    seed_closed(db, admin_actor, 200)
    model = _model(db, admin_actor)
    version = service.train(db, admin_actor, model.id)
    service.publish(db, admin_actor, version.id)
    version.sklearn_version = "0.0"
    scorer._cache.clear()
    lead = _open_lead(db, admin_actor, "partner")
    assert lead.id is not None
    assert lead.score is None
    assert db.get(Lead, lead.id) is lead


def test_versions_publish_revert_delete(db: Session, admin_actor: Actor) -> None:
    seed_closed(db, admin_actor, 200)
    model = _model(db, admin_actor)
    first = service.train(db, admin_actor, model.id)
    second = service.train(db, admin_actor, model.id)
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(Conflict, match="no published version"):
        service.revert(db, admin_actor, model.id)
    service.publish(db, admin_actor, first.id)
    with pytest.raises(Conflict, match="only version"):
        service.revert(db, admin_actor, model.id)
    service.publish(db, admin_actor, second.id)
    assert model.published is second
    with pytest.raises(Conflict, match="already published"):
        service.publish(db, admin_actor, second.id)
    with pytest.raises(Conflict, match="is published"):
        service.delete_version(db, admin_actor, second.id)
    assert service.revert(db, admin_actor, model.id) is first
    assert model.published is first
    assert not second.is_published
    service.delete_version(db, admin_actor, second.id)
    assert [v.number for v in model.versions] == [1]


def test_an_unready_version_cannot_be_published(db: Session, admin_actor: Actor) -> None:
    seed_closed(db, admin_actor, 200)
    model = _model(db, admin_actor)
    version = service.train(db, admin_actor, model.id)
    version.ready_to_publish = False
    version.metrics = {**version.metrics, "auc": 0.61}
    with pytest.raises(Conflict, match=r"AUC 0\.61 is below 0\.7"):
        service.publish(db, admin_actor, version.id)


def test_a_model_whose_fields_are_all_empty_is_refused(db: Session, admin_actor: Actor) -> None:
    seed_closed(db, admin_actor, qualified=40, disqualified=40)
    model = service.create_model(
        db, admin_actor, ScoringModelCreate(name="Empty", fields=["budget_amount", "need"])
    )
    with pytest.raises(ValidationFailed, match="no usable field"):
        service.train(db, admin_actor, model.id)


def test_a_model_naming_a_removed_field_is_refused(db: Session, admin_actor: Actor) -> None:
    model = _model(db, admin_actor)
    model.fields = [*FIELDS, "fax_number"]
    with pytest.raises(ValidationFailed, match="no longer exist: fax_number"):
        service.train(db, admin_actor, model.id)


def test_deleting_a_model_clears_the_scores_it_gave(db: Session, admin_actor: Actor) -> None:
    seed_closed(db, admin_actor, 200)
    model = _model(db, admin_actor)
    service.publish(db, admin_actor, service.train(db, admin_actor, model.id).id)
    lead = _open_lead(db, admin_actor, "partner")
    assert lead.score is not None
    service.delete_model(db, admin_actor, model.id, model.version)
    assert lead.score is None
    assert lead.score_reasons is None
    assert service.rescore(db, admin_actor) == 0
