"""Per-field contributions read off the fitted model, for a batch at once."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from leadgate.leads.scores import compact, expand
from leadgate.scoring.attribution import contributions
from leadgate.scoring.explain import explain
from leadgate.scoring.learning import BOOSTED_TREES, LOGISTIC, ScoringPipeline, fit_pipeline
from leadgate.scoring.reasons import reasons, reasons_json
from tests.unit.scoring.synthetic import leads

FIELDS = ["Source", "Visits", "Region"]


@pytest.fixture(scope="module", params=[LOGISTIC, BOOSTED_TREES])
def fitted(request: Any) -> tuple[ScoringPipeline, list[dict[str, Any]]]:
    records, y = leads(500)
    pipeline = fit_pipeline(records[:400], y[:400], FIELDS, families=[request.param])
    assert pipeline.family == request.param
    return pipeline, records[400:]


def _columns(records: list[dict[str, Any]]) -> dict[str, list[object]]:
    return {name: [r.get(name) for r in records] for name in FIELDS}


def test_contributions_add_up_to_the_models_own_decision_score(fitted: Any) -> None:
    pipeline, test = fitted
    matrix = pipeline.encoder.encode(test)
    parts = contributions(pipeline.estimator, pipeline.encoder, matrix)
    assert np.allclose(parts.raw, pipeline.estimator.decision_function(matrix), atol=1e-9)
    assert np.allclose(parts.base + parts.fields.sum(axis=1), parts.raw, atol=1e-9)
    assert parts.fields.shape == (len(test), len(pipeline.encoder.fields))
    # The signal field moves the score most; the noise field hardly.
    spread = parts.fields.std(axis=0)
    assert spread[0] == spread.max()
    assert spread[2] < spread[0] / 3


def test_stored_reasons_match_the_explanation_and_sum_to_the_score(fitted: Any) -> None:
    pipeline, test = fitted
    scores, stored = reasons(pipeline, _columns(test), len(test))
    explained = explain(pipeline, test)
    proba = pipeline.predict_proba(test)
    for score, kept, explanation, p in zip(scores, stored, explained, proba, strict=True):
        assert kept == explanation.as_dict()
        assert score == pytest.approx(100 * p)
        assert abs(explanation.interactions) < 1e-6
        total = (
            kept["typical_score"]
            + sum(r["effect"] for r in kept["positive"] + kept["negative"])
            + kept["other_fields"]
        )
        assert total == pytest.approx(score, abs=0.5)


def test_a_lead_alone_gets_exactly_what_it_gets_in_a_batch(fitted: Any) -> None:
    pipeline, test = fitted
    scores, stored = reasons(pipeline, _columns(test), len(test))
    for i in (0, 7, 42, len(test) - 1):
        one_score, one = reasons(pipeline, _columns(test[i : i + 1]), 1)
        assert one_score == [scores[i]]
        assert one == [stored[i]]


def test_stored_reasons_text_is_exactly_the_json_of_the_reasons(fitted: Any) -> None:
    pipeline, test = fitted
    # Odd values too: quotes, a backslash, non-ASCII and missing ones are put in words.
    test = [dict(r) for r in test]
    test[0]["Source"] = 'Trade "show" \\ Café'
    test[1]["Source"] = None
    scores, stored = reasons(pipeline, _columns(test), len(test))
    matrix = pipeline.encoder.encode(test)
    text_scores, texts = reasons_json(pipeline, _columns(test), len(test), matrix)
    assert text_scores == scores
    # Stored compactly; read back in full, they are the reasons themselves.
    assert [text + "}" for text in texts] == [json.dumps(compact(d)) for d in stored]
    assert [expand(json.loads(text + "}"), None) for text in texts] == stored
    assert "Caf\\u00e9" in texts[0]
    assert any(d["negative"] for d in stored)
    assert any(d["positive"] for d in stored)
