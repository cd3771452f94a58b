"""Why a lead scores what it scores, and which fields matter overall, from the model itself.

Reasons: the model's decision score is split into its expected value plus
one contribution per field (`attribution`: coefficient * value for the
logistic model, root→leaf path credit for trees). After calibration each
contribution is a change in log-odds; they are turned into percentage points
with one slope shared by all fields (the secant between the typical lead's
probability and this lead's), so that

    score = typical score + sum of the effects + interactions

holds exactly; `interactions` is only floating-point rounding now that both
families attribute their whole score to fields (trees credit an interaction
to the fields on the path that made it). The typical score is the
probability at the model's expected decision score. The top 5 positive and
top 5 negative effects are stored as "Source is Partner: +18 %".

Everything is computed for a chunk of leads at once (one matrix, one pass
of the model), and row by row, so a lead's reasons do not depend on the
batch it was scored in.

Importance: the fall in AUC on held-out rows when a field's values are
shuffled between leads (grouped permutation importance: all columns of the
field move together).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from sklearn.metrics import roc_auc_score

from leadgate.scoring.attribution import contributions
from leadgate.scoring.features import Matrix, Record
from leadgate.scoring.learning import ScoringPipeline, _sigmoid

T = TypeVar("T")

TOP_REASONS = 5
# An effect smaller than this (percentage points) is no reason.
NOISE = 0.05
# Leads per pass of the model: bounded memory whatever the batch.
CHUNK = 2000


def _reason_dict(field: str, text: str, effect: float) -> dict[str, Any]:
    sign = "+" if effect >= 0 else "\u2212"
    return {
        "field": field,
        "text": text,
        "effect": round(effect, 1),
        "sentence": f"{text}: {sign}{abs(effect):.0f} %",
    }


@dataclass(frozen=True)
class Reason:
    field: str
    text: str
    effect: float  # percentage points

    def as_dict(self) -> dict[str, Any]:
        return _reason_dict(self.field, self.text, self.effect)

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


@dataclass(frozen=True)
class Effects:
    """A chunk of leads: probabilities x 100 and per-field effects in percentage points."""

    scores: Any  # (leads,)
    typical: float
    points: Matrix  # leads x fields
    interactions: Any  # (leads,)


def effects_of(pipeline: ScoringPipeline, matrix: Matrix) -> Effects:
    parts = contributions(pipeline.estimator, pipeline.encoder, matrix)
    a, b = pipeline.calibrator.a, pipeline.calibrator.b
    logits = a * parts.raw + b
    base_logit = a * parts.base + b
    p = _sigmoid(logits)
    base_p = float(_sigmoid(base_logit))
    span = logits - base_logit
    flat = np.abs(span) <= 1e-9
    # Secant slope from log-odds to probability; the tangent where the two meet.
    slope = np.where(flat, p * (1 - p), (p - base_p) / np.where(flat, 1.0, span))
    points = 100 * slope[:, None] * (a * parts.fields)
    interactions = 100 * (p - base_p) - points.sum(axis=1)
    return Effects(100 * p, 100 * base_p, points, interactions)


def _chunks(n: int) -> range:
    return range(0, n, CHUNK)


def explain(pipeline: ScoringPipeline, records: Sequence[Record]) -> list[Explanation]:
    """Every field's effect for each lead (what the tests and the benchmarks inspect)."""
    fields = pipeline.encoder.fields
    out: list[Explanation] = []
    for start in _chunks(len(records)):
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


def reasons(
    pipeline: ScoringPipeline,
    columns: Mapping[str, Sequence[object]],
    n: int,
    matrix: Matrix | None = None,
) -> tuple[list[float], list[dict[str, Any]]]:
    """Scores (probability x 100) and the stored reasons of `n` leads given column-wise
    (and already encoded, when the caller has `matrix`).

    The same content as `Explanation.as_dict`, built from the effect matrix: only the
    fields that make a lead's top 5 either way are put in words.
    """
    scores: list[float] = []
    out: list[dict[str, Any]] = []
    for start in _chunks(n):
        part = {name: values[start : start + CHUNK] for name, values in columns.items()}
        encoded = (
            pipeline.encoder.encode_columns(part, min(CHUNK, n - start))
            if matrix is None
            else matrix[start : start + CHUNK]
        )
        found = effects_of(pipeline, encoded)
        scores.extend(found.scores.tolist())
        out.extend(_reason_dicts(pipeline, part, found))
    return scores, out


def _shown(found: Effects, top: int) -> tuple[list[list[float]], list[tuple[list[int], list[int]]]]:
    """Each lead's points per field, and the fields its reasons show: up to `top` above
    NOISE (largest first) and below -NOISE (smallest first), ties in the model's field
    order as Explanation's sorted() has them."""
    ups = np.argsort(-found.points, axis=1, kind="stable")[:, :top].tolist()
    downs = np.argsort(found.points, axis=1, kind="stable")[:, :top].tolist()
    points = found.points.tolist()
    shown = [
        ([i for i in up if row[i] > NOISE], [i for i in down if row[i] < -NOISE])
        for row, up, down in zip(points, ups, downs, strict=True)
    ]
    return points, shown


def _per_value(
    fields: Sequence[Any],
    columns: Mapping[str, Sequence[object]],
    n: int,
    make: Callable[[int, object], T],
) -> Callable[[int, int], T]:
    """`make(field index, value)` for field i of lead j, made once per distinct value
    (a lead column holds few distinct values; unhashable ones are made each time)."""
    values = [columns.get(f.name) or [None] * n for f in fields]
    made: list[dict[object, T]] = [{} for _ in fields]

    def get(i: int, j: int) -> T:
        raw = values[i][j]
        try:
            return made[i][raw]
        except KeyError:
            result = made[i][raw] = make(i, raw)
            return result
        except TypeError:
            return make(i, raw)

    return get


def _reason_dicts(
    pipeline: ScoringPipeline, columns: Mapping[str, Sequence[object]], found: Effects
) -> list[dict[str, Any]]:
    fields = pipeline.encoder.fields
    points, shown = _shown(found, min(TOP_REASONS, len(fields)))
    typical = round(found.typical, 1)
    text = _per_value(fields, columns, len(points), lambda i, raw: fields[i].describe(raw))
    out = []
    for j, (row, (up, down)) in enumerate(zip(points, shown, strict=True)):
        out.append(
            {
                "typical_score": typical,
                "positive": [_reason_dict(fields[i].name, text(i, j), row[i]) for i in up],
                "negative": [_reason_dict(fields[i].name, text(i, j), row[i]) for i in down],
                "other_fields": round(
                    sum(row) - (sum(row[i] for i in up) + sum(row[i] for i in down)), 1
                ),
                "interactions": round(float(found.interactions[j]), 1),
            }
        )
    return out


def reasons_json(
    pipeline: ScoringPipeline,
    columns: Mapping[str, Sequence[object]],
    n: int,
    matrix: Matrix,
) -> tuple[list[float], list[str]]:
    """As `reasons`, each lead's stored reasons as JSON text: exactly `json.dumps` of the
    dict `reasons` gives, without its closing brace (the caller adds its own keys).

    Writing 100,000 leads, building the dicts and encoding them cost more than the model:
    here each field's words are encoded once per distinct value and a lead's text is
    joined from those pieces."""
    scores: list[float] = []
    out: list[str] = []
    for start in _chunks(n):
        part = {name: values[start : start + CHUNK] for name, values in columns.items()}
        found = effects_of(pipeline, matrix[start : start + CHUNK])
        scores.extend(found.scores.tolist())
        if np.isfinite(found.points).all() and np.isfinite(found.interactions).all():
            out.extend(_reason_texts(pipeline, part, found))
        else:  # NaN/inf: json.dumps's own spelling
            out.extend(json.dumps(d)[:-1] for d in _reason_dicts(pipeline, part, found))
    return scores, out


# The minus sign as json.dumps writes it (ASCII escape).
_MINUS = json.dumps("\u2212")[1:-1]


def _reason_texts(
    pipeline: ScoringPipeline, columns: Mapping[str, Sequence[object]], found: Effects
) -> list[str]:
    # Must stay in step with _reason_dicts (tests compare json.loads of one to the other).
    fields = pipeline.encoder.fields
    points, shown = _shown(found, min(TOP_REASONS, len(fields)))
    interactions = found.interactions.tolist()
    typical = f'{{"typical_score": {round(found.typical, 1)!r}, "positive": ['
    names = [json.dumps(f.name) for f in fields]
    # Per field and distinct value: the reason's JSON up to its effect, and its sentence's
    # JSON string up to the sign.
    piece = _per_value(
        fields, columns, len(points), lambda i, raw: _piece(names[i], fields[i].describe(raw))
    )

    def reason(i: int, j: int, effect: float) -> str:
        head, said = piece(i, j)
        sign = "+" if effect >= 0 else _MINUS
        return f'{head}{round(effect, 1)!r}{said}{sign}{abs(effect):.0f} %"}}'

    out = []
    for j, (row, (up, down)) in enumerate(zip(points, shown, strict=True)):
        kept = sum(row[i] for i in up) + sum(row[i] for i in down)
        out.append(
            typical
            + ", ".join([reason(i, j, row[i]) for i in up])
            + '], "negative": ['
            + ", ".join([reason(i, j, row[i]) for i in down])
            + f'], "other_fields": {round(sum(row) - kept, 1)!r}'
            + f', "interactions": {round(interactions[j], 1)!r}'
        )
    return out


def _piece(name: str, text: str) -> tuple[str, str]:
    head = f'{{"field": {name}, "text": {json.dumps(text)}, "effect": '
    return head, ', "sentence": ' + json.dumps(text + ": ")[:-1]


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
