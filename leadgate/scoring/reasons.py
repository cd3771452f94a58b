"""Each lead's reasons, from the model itself, for a chunk of leads at once.

The model's decision score is split into its expected value plus one
contribution per field (`attribution`: coefficient * value for the logistic
model, root→leaf path credit for trees). After calibration each contribution
is a change in log-odds; they are turned into percentage points with one slope
shared by all fields (the secant between the typical lead's probability and
this lead's), so that

    score = typical score + sum of the effects + interactions

holds exactly; `interactions` is only floating-point rounding now that both
families attribute their whole score to fields (trees credit an interaction
to the fields on the path that made it). The typical score is the
probability at the model's expected decision score. The top 5 positive and
top 5 negative effects are kept, in the form `leads.scores` stores and reads
("Source is Partner: +18 %").

Everything is computed for a chunk of leads at once (one matrix, one pass of
the model, the reasons picked with numpy), and row by row, so a lead's reasons
do not depend on the batch it was scored in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, TypeVar

import numpy as np

from leadgate.leads.scores import compact, reason
from leadgate.scoring.attribution import contributions
from leadgate.scoring.features import Matrix
from leadgate.scoring.learning import ScoringPipeline, _sigmoid

T = TypeVar("T")

TOP_REASONS = 5
# An effect smaller than this (percentage points) is no reason.
NOISE = 0.05
# Leads per pass of the model: bounded memory whatever the batch.
CHUNK = 2000


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


def chunks(n: int) -> range:
    return range(0, n, CHUNK)


def one_lead(
    names: list[str], texts: list[str], points: list[float], typical: float, interactions: float
) -> dict[str, Any]:
    """One lead's reasons from its per-field effects (field names, words, points): the same
    selection and rounding as a chunk's."""
    shown = _shown(np.array([points], dtype=np.float64), np.array([interactions]), TOP_REASONS)
    up_texts = [texts[i] for i in shown.up_field]
    down_texts = [texts[i] for i in shown.down_field]
    return _dicts(shown, typical, names, up_texts, down_texts)[0]


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
    for start in chunks(n):
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


@dataclass(frozen=True)
class _Shown:
    """The reasons a chunk's leads show, flat and lead by lead: per lead up to `top`
    effects above NOISE (largest first), then up to `top` below -NOISE (smallest first),
    ties in the model's field order as Explanation's sorted() has them. Effects are in
    points rounded to one decimal, as stored."""

    up_lead: list[int]
    up_field: list[int]
    up_effect: list[float]
    up_count: list[int]
    down_lead: list[int]
    down_field: list[int]
    down_effect: list[float]
    down_count: list[int]
    # Per lead: the points of the fields no reason shows, and of interactions (rounded).
    other: list[float]
    interactions: list[float]


def _shown(points: Matrix, interactions: Any, top: int) -> _Shown:
    # Selected with numpy for the whole chunk: Python then touches only the shown reasons
    # (a lead shows one or two on average), never the whole leads x fields matrix.
    top = min(top, points.shape[1])
    leads = np.arange(points.shape[0])[:, None]
    kept = np.zeros(points.shape[0])
    flat = []
    for sign in (1.0, -1.0):
        fields = np.argsort(-sign * points, axis=1, kind="stable")[:, :top]
        chosen = np.take_along_axis(points, fields, axis=1)
        # Sorted, so the effects beyond NOISE are a prefix of each row.
        mask = sign * chosen > NOISE
        kept += np.where(mask, chosen, 0.0).sum(axis=1)
        flat.append(
            (
                np.broadcast_to(leads, mask.shape)[mask].tolist(),
                fields[mask].tolist(),
                np.round(chosen[mask], 1).tolist(),
                mask.sum(axis=1).tolist(),
            )
        )
    (up_lead, up_field, up_effect, up_count), (down_lead, down_field, down_effect, down_count) = (
        flat
    )
    return _Shown(
        up_lead,
        up_field,
        up_effect,
        up_count,
        down_lead,
        down_field,
        down_effect,
        down_count,
        np.round(points.sum(axis=1) - kept, 1).tolist(),
        np.round(interactions, 1).tolist(),
    )


def _per_lead(items: list[T], counts: list[int]) -> list[list[T]]:
    """Flat items regrouped lead by lead (`counts` items each)."""
    ends = list(accumulate(counts))
    return [items[end - count : end] for end, count in zip(ends, counts, strict=True)]


def _per_item(
    fields: Sequence[Any],
    columns: Mapping[str, Sequence[object]],
    n: int,
    leads: list[int],
    chosen: list[int],
    make: Callable[[int, object], T],
) -> list[T]:
    """`make(field index, value)` for each shown reason (lead `leads[k]`, field
    `chosen[k]`), made once per field and distinct value (a lead column holds few
    distinct values; unhashable ones are made each time). Field by field, in
    comprehensions: a call per reason cost more than the words themselves."""
    out = np.empty(len(leads), dtype=object)
    lead_of = np.asarray(leads, dtype=np.intp)
    field_of = np.asarray(chosen, dtype=np.intp)
    for i in np.unique(field_of).tolist():
        at = np.flatnonzero(field_of == i)
        values = columns.get(fields[i].name) or [None] * n
        picked = [values[j] for j in lead_of[at].tolist()]
        try:
            made = {value: make(i, value) for value in set(picked)}
            out[at] = [made[value] for value in picked]
        except TypeError:  # an unhashable value: each made on its own
            out[at] = [make(i, value) for value in picked]
    found: list[T] = out.tolist()
    return found


def _reason_dicts(
    pipeline: ScoringPipeline, columns: Mapping[str, Sequence[object]], found: Effects
) -> list[dict[str, Any]]:
    fields = pipeline.encoder.fields
    shown = _shown(found.points, found.interactions, TOP_REASONS)
    n = len(shown.other)

    def texts(leads: list[int], chosen: list[int]) -> list[str]:
        return _per_item(fields, columns, n, leads, chosen, lambda i, raw: fields[i].describe(raw))

    return _dicts(
        shown,
        found.typical,
        [f.name for f in fields],
        texts(shown.up_lead, shown.up_field),
        texts(shown.down_lead, shown.down_field),
    )


def _dicts(
    shown: _Shown, typical: float, names: list[str], up_texts: list[str], down_texts: list[str]
) -> list[dict[str, Any]]:
    def made(field: list[int], texts: list[str], effect: list[float]) -> list[dict[str, Any]]:
        return [reason(names[i], t, e) for i, t, e in zip(field, texts, effect, strict=True)]

    ups = _per_lead(made(shown.up_field, up_texts, shown.up_effect), shown.up_count)
    downs = _per_lead(made(shown.down_field, down_texts, shown.down_effect), shown.down_count)
    shown_typical = round(typical, 1)
    return [
        {
            "typical_score": shown_typical,
            "positive": up,
            "negative": down,
            "other_fields": other,
            "interactions": interactions,
        }
        for up, down, other, interactions in zip(
            ups, downs, shown.other, shown.interactions, strict=True
        )
    ]


def reasons_json(
    pipeline: ScoringPipeline,
    columns: Mapping[str, Sequence[object]],
    n: int,
    matrix: Matrix,
) -> tuple[list[float], list[str]]:
    """As `reasons`, each lead's reasons in their stored form (leads.scores) as JSON text:
    exactly `json.dumps` of `compact` of the dict `reasons` gives, without its closing
    brace (the caller adds its own keys).

    Writing 100,000 leads, building the dicts and encoding them cost more than the model:
    here each field's words are encoded once per distinct value and a lead's text is
    joined from those pieces."""
    scores: list[float] = []
    out: list[str] = []
    for start in chunks(n):
        part = {name: values[start : start + CHUNK] for name, values in columns.items()}
        found = effects_of(pipeline, matrix[start : start + CHUNK])
        scores.extend(found.scores.tolist())
        if np.isfinite(found.points).all() and np.isfinite(found.interactions).all():
            out.extend(_reason_texts(pipeline, part, found))
        else:  # NaN/inf: json.dumps's own spelling
            out.extend(json.dumps(compact(d))[:-1] for d in _reason_dicts(pipeline, part, found))
    return scores, out


def _reason_texts(
    pipeline: ScoringPipeline, columns: Mapping[str, Sequence[object]], found: Effects
) -> list[str]:
    # Must stay in step with _dicts (tests compare json.loads of one to the other).
    fields = pipeline.encoder.fields
    shown = _shown(found.points, found.interactions, TOP_REASONS)
    names = [json.dumps(f.name) for f in fields]
    n = len(shown.other)

    def made(leads: list[int], chosen: list[int], effects: list[float]) -> list[str]:
        # Per field and distinct value: the stored reason's JSON up to its effect.
        heads = _per_item(
            fields,
            columns,
            n,
            leads,
            chosen,
            lambda i, raw: f"[{names[i]}, {json.dumps(fields[i].describe(raw))}, ",
        )
        return [f"{head}{e!r}]" for head, e in zip(heads, effects, strict=True)]

    ups = _per_lead(made(shown.up_lead, shown.up_field, shown.up_effect), shown.up_count)
    downs = _per_lead(made(shown.down_lead, shown.down_field, shown.down_effect), shown.down_count)
    typical = f'{{"typical_score": {round(found.typical, 1)!r}, "positive": ['
    return [
        f'{typical}{", ".join(up)}], "negative": [{", ".join(down)}], '
        f'"other_fields": {other!r}, "interactions": {interactions!r}'
        for up, down, other, interactions in zip(
            ups, downs, shown.other, shown.interactions, strict=True
        )
    ]
