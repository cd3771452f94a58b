from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from leadgate.scoring import learning
from leadgate.scoring.explain import explain, field_importance
from leadgate.scoring.features import fit_encoder
from leadgate.scoring.learning import (
    BOOSTED_TREES,
    LOGISTIC,
    NotEnoughData,
    fit_pipeline,
)
from leadgate.scoring.metrics import best_f1_threshold, evaluate, expected_calibration_error
from tests.unit.scoring.synthetic import leads, oracle

FIELDS = ["Source", "Visits", "Region", "Always empty", "Lead Id"]


def test_encoder_keeps_a_block_per_field_and_skips_useless_ones() -> None:
    records, _ = leads(300)
    encoder = fit_encoder(records, FIELDS)
    assert encoder.field_names == ["Source", "Visits", "Region"]
    assert encoder.skipped == {
        "Always empty": "all values missing",
        "Lead Id": "every value different (an identifier)",
    }
    matrix = encoder.encode(records)
    assert matrix.shape == (300, encoder.width)
    # Columns are standardised on the training rows.
    assert np.allclose(matrix.mean(axis=0), 0, atol=1e-9)
    # An unseen category and a missing value encode without error.
    row = encoder.encode([{"Source": "Brand new channel", "Visits": "Select"}])
    assert row.shape == (1, encoder.width)
    assert encoder.fields[0].describe("reference") == "Source is Reference"
    assert encoder.fields[1].describe("") == "No Visits"


@pytest.fixture(scope="module")
def trained():  # type: ignore[no-untyped-def]
    records, y = leads(600)
    train, test = records[:400], records[400:]
    pipeline = fit_pipeline(train, y[:400], FIELDS)
    return pipeline, test, y[400:]


def test_training_recovers_a_known_signal(trained) -> None:  # type: ignore[no-untyped-def]
    pipeline, test, y = trained
    proba = pipeline.predict_proba(test)
    figures = evaluate(y, proba, pipeline.threshold)
    # Close to the best any model could do on these rows: the true log-odds.
    best_possible = roc_auc_score(y, oracle(test))
    assert best_possible > 0.7
    assert figures["auc"] > best_possible - 0.05
    assert figures["ready_to_publish"] is True
    assert {c.family for c in pipeline.candidates} == {LOGISTIC, BOOSTED_TREES}
    chosen = min(pipeline.candidates, key=lambda c: c.log_loss)
    assert pipeline.family == chosen.family
    importance = field_importance(pipeline, test, y)
    assert importance[0]["field"] == "Source"
    assert abs(sum(row["share"] for row in importance) - 1) < 0.01


def test_reasons_name_the_signal_and_sum_to_the_score(trained) -> None:  # type: ignore[no-untyped-def]
    pipeline, test, _ = trained
    explanations = explain(pipeline, test)
    proba = pipeline.predict_proba(test)
    for explanation, p in zip(explanations, proba, strict=True):
        total = explanation.typical + sum(r.effect for r in explanation.effects)
        assert explanation.score == pytest.approx(100 * p)
        assert total + explanation.interactions == pytest.approx(explanation.score)
    reference = next(
        e for e, r in zip(explanations, test, strict=True) if r["Source"] == "Reference"
    )
    top = reference.positive()[0]
    assert top.field == "Source"
    assert top.text == "Source is Reference"
    assert top.sentence().startswith("Source is Reference: +")
    assert len(reference.positive()) <= 5
    assert len(reference.negative()) <= 5


def test_logistic_reasons_are_additive() -> None:
    records, y = leads(300)
    pipeline = fit_pipeline(records, y, FIELDS, families=[LOGISTIC])
    explanations = explain(pipeline, records[:50])
    assert max(abs(e.interactions) for e in explanations) < 1.0
    web = next(e for e, r in zip(explanations, records, strict=True) if r["Source"] == "Direct")
    assert web.negative()[0].text == "Source is Direct"


def test_the_fitted_pipeline_survives_pickling(trained) -> None:  # type: ignore[no-untyped-def]
    pipeline, test, _ = trained
    copy = pickle.loads(pickle.dumps(pipeline))  # noqa: S301 - our own bytes
    assert np.allclose(copy.predict_proba(test), pipeline.predict_proba(test))


def test_training_refuses_a_single_class_and_no_usable_field() -> None:
    records, _ = leads(60)
    with pytest.raises(NotEnoughData, match="each class"):
        fit_pipeline(records, np.ones(60, dtype=int), FIELDS)
    y = np.array([0, 1] * 30)
    with pytest.raises(NotEnoughData, match="no usable field"):
        fit_pipeline(records, y, ["Always empty", "Lead Id"])


def test_metrics_on_known_numbers() -> None:
    y = np.array([0, 0, 1, 1])
    proba = np.array([0.1, 0.4, 0.35, 0.8])
    figures = evaluate(y, proba, 0.35)
    assert figures["auc"] == 0.75
    assert figures["confusion_matrix"] == {"tp": 2, "fp": 1, "fn": 0, "tn": 1}
    assert figures["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["recall"] == 1.0
    assert best_f1_threshold(y, proba) == 0.35
    # A perfectly calibrated bin has no error; a wrong one has its whole gap.
    assert expected_calibration_error(np.array([0, 1]), np.array([0.55, 0.55])) == pytest.approx(
        0.05
    )
    assert expected_calibration_error(np.array([1, 1]), np.array([0.05, 0.05])) == pytest.approx(
        0.95
    )
    assert sum(row["count"] for row in figures["reliability"]) == 4
    assert evaluate(y, np.array([0.9, 0.8, 0.2, 0.1]), 0.5)["ready_to_publish"] is False


def test_large_training_sets_select_on_a_sample_and_calibrate_on_held_out_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(learning, "SELECTION_ROWS", 300)
    records, y = leads(1400)
    train, test, y_test = records[:1000], records[1000:], y[1000:]
    pipeline = fit_pipeline(train, y[:1000], FIELDS)
    assert {c.family for c in pipeline.candidates} == {LOGISTIC, BOOSTED_TREES}
    figures = evaluate(y_test, pipeline.predict_proba(test), pipeline.threshold)
    assert figures["auc"] > roc_auc_score(y_test, oracle(test)) - 0.05
    assert figures["ece"] < 0.08
    assert 0.05 < pipeline.threshold < 0.95
