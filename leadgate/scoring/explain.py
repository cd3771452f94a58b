"""Why a lead scores what it scores, field by field, and which fields matter overall.

Explanations: every field's effect on each lead, in percentage points (the
same effects the stored reasons are picked from: `reasons`), for tests, the
benchmarks and anyone inspecting a model.

Importance: the fall in AUC on held-out rows when a field's values are
shuffled between leads (grouped permutation importance: all columns of the
field move together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from leadgate.leads.scores import reason
from leadgate.scoring.features import Record
from leadgate.scoring.learning import ScoringPipeline
from leadgate.scoring.reasons import CHUNK, NOISE, TOP_REASONS, chunks, effects_of, one_lead


@dataclass(frozen=True)
class Reason:
    field: str
    text: str
    effect: float  # percentage points

    def as_dict(self) -> dict[str, Any]:
        return reason(self.field, self.text, self.effect)

    def sentence(self) -> str:
        return str(self.as_dict()["sentence"])


@dataclass(frozen=True)
class Explanation:
    score: float  # probability x 100
    typical: float  # the typical lead's probability x 100
    effects: list[Reason]  # every field, model order
    interactions: float

    def positive(self, top: int = TOP_REASONS) -> list[Reason]:
        ranked = sorted((r for r in self.effects if r.effect > NOISE), key=lambda r: -r.effect)
        return ranked[:top]

    def negative(self, top: int = TOP_REASONS) -> list[Reason]:
        ranked = sorted((r for r in self.effects if r.effect < -NOISE), key=lambda r: r.effect)
        return ranked[:top]

    def as_dict(self) -> dict[str, Any]:
        """As a batch stores this lead's reasons (and reads them back in full)."""
        return one_lead(
            [r.field for r in self.effects],
            [r.text for r in self.effects],
            [r.effect for r in self.effects],
            self.typical,
            self.interactions,
        )


def explain(pipeline: ScoringPipeline, records: Sequence[Record]) -> list[Explanation]:
    """Every field's effect for each lead (what the tests and the benchmarks inspect)."""
    fields = pipeline.encoder.fields
    out: list[Explanation] = []
    for start in chunks(len(records)):
        part = records[start : start + CHUNK]
        found = effects_of(pipeline, pipeline.encoder.encode(part))
        for j, record in enumerate(part):
            effects = [
                Reason(enc.name, enc.describe(record.get(enc.name)), float(found.points[j, i]))
                for i, enc in enumerate(fields)
            ]
            out.append(
                Explanation(
                    float(found.scores[j]),
                    found.typical,
                    effects,
                    float(found.interactions[j]),
                )
            )
    return out


def field_importance(
    pipeline: ScoringPipeline, records: Sequence[Record], y: Any, repeats: int = 3
) -> list[dict[str, Any]]:
    """Fall in AUC when each field is shuffled; largest first, with its share of the total."""
    y = np.asarray(y, dtype=int)
    if len(records) == 0 or not 0 < y.sum() < len(y):
        return []
    matrix = pipeline.encoder.encode(records)
    reference = roc_auc_score(y, pipeline.log_odds_of(matrix))
    rng = np.random.default_rng(11)
    drops = []
    for enc in pipeline.encoder.fields:
        losses = []
        for _ in range(repeats):
            shuffled = matrix.copy()
            shuffled[:, enc.start : enc.stop] = matrix[
                rng.permutation(len(y)), enc.start : enc.stop
            ]
            losses.append(reference - roc_auc_score(y, pipeline.log_odds_of(shuffled)))
        drops.append((enc.name, max(0.0, float(np.mean(losses)))))
    total = sum(d for _, d in drops) or 1.0
    drops.sort(key=lambda item: -item[1])
    return [
        {"field": name, "auc_drop": round(drop, 4), "share": round(drop / total, 4)}
        for name, drop in drops
    ]
