"""Why a lead scores what it scores, and which fields matter overall, from the model itself.

Reasons: for each field, the model is asked "what would this lead score if
we did not know this field?", i.e. averaged over the values the field takes
among the training leads (`features.field_references`). The lead's calibrated
log-odds minus that average is the field's effect: positive when the lead's
value beats what leads usually have. Effects are turned into percentage
points with one slope shared by all fields (the secant between the average
training lead's probability and this lead's), so that

    score = typical score + sum of the effects + interactions

The typical score is the probability at the training leads' mean log-odds.
For the logistic model the log-odds are a sum over fields, so `interactions`
is only the small error of summarising each field's distribution by a few
values; for trees it also holds what they do beyond one field at a time.

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

from leadgate.scoring.features import Record
from leadgate.scoring.learning import ScoringPipeline, _sigmoid

TOP_REASONS = 5


@dataclass(frozen=True)
class Reason:
    field: str
    text: str
    effect: float  # percentage points

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "text": self.text,
            "effect": round(self.effect, 1),
            "sentence": self.sentence(),
        }

    def sentence(self) -> str:
        sign = "+" if self.effect >= 0 else "\u2212"
        return f"{self.text}: {sign}{abs(self.effect):.0f} %"


@dataclass(frozen=True)
class Explanation:
    score: float  # probability x 100
    typical: float  # the typical lead's probability x 100
    effects: list[Reason]  # every field, model order
    interactions: float

    def positive(self, top: int = TOP_REASONS) -> list[Reason]:
        ranked = sorted((r for r in self.effects if r.effect > 0.05), key=lambda r: -r.effect)
        return ranked[:top]

    def negative(self, top: int = TOP_REASONS) -> list[Reason]:
        ranked = sorted((r for r in self.effects if r.effect < -0.05), key=lambda r: r.effect)
        return ranked[:top]

    def as_dict(self) -> dict[str, Any]:
        return {
            "typical_score": round(self.typical, 1),
            "positive": [r.as_dict() for r in self.positive()],
            "negative": [r.as_dict() for r in self.negative()],
            "other_fields": round(
                sum(r.effect for r in self.effects)
                - sum(r.effect for r in self.positive() + self.negative()),
                1,
            ),
            "interactions": round(self.interactions, 1),
        }


# Leads explained per call: the "what if" rows are (fields x reference values) x leads.
CHUNK = 100


def explain(pipeline: ScoringPipeline, records: Sequence[Record]) -> list[Explanation]:
    out: list[Explanation] = []
    for start in range(0, len(records), CHUNK):
        out.extend(_explain(pipeline, records[start : start + CHUNK]))
    return out


def _explain(pipeline: ScoringPipeline, records: Sequence[Record]) -> list[Explanation]:
    fields = pipeline.encoder.fields
    matrix = pipeline.encoder.encode(records)
    n = len(records)
    # The lead itself and every "what if" variant (each field set to each reference
    # value) scored in one call: boosted trees pay a fixed cost per call and per tree.
    variants = [matrix]
    for enc, ref in zip(fields, pipeline.references, strict=True):
        for block in ref.blocks:
            changed = matrix.copy()
            changed[:, enc.start : enc.stop] = block
            variants.append(changed)
    scored = pipeline.log_odds_of(np.concatenate(variants)).reshape(-1, n)
    logits, what_if = scored[0], scored[1:]
    deltas = np.zeros((len(fields), n))
    row = 0
    for i, ref in enumerate(pipeline.references):
        k = len(ref.weights)
        deltas[i] = logits - ref.weights @ what_if[row : row + k]
        row += k
    base_logit = pipeline.base_log_odds
    base_p = float(_sigmoid(base_logit))
    out = []
    for j, record in enumerate(records):
        p = float(_sigmoid(logits[j]))
        span = float(logits[j]) - base_logit
        # Secant slope from log-odds to probability; the tangent where the two meet.
        slope = (p - base_p) / span if abs(span) > 1e-9 else p * (1 - p)
        effects = [
            Reason(enc.name, enc.describe(record.get(enc.name)), 100 * slope * float(deltas[i, j]))
            for i, enc in enumerate(fields)
        ]
        total = sum(r.effect for r in effects)
        out.append(Explanation(100 * p, 100 * base_p, effects, 100 * (p - base_p) - total))
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
