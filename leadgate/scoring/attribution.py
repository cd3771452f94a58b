"""Each field's share of a model's decision score, for many leads at once.

The rule: a lead's decision score (before calibration) is split exactly into
the model's expected score plus one contribution per field,

    raw = base + sum over fields of contribution[field]

so reasons are read off the model itself, for a whole batch of leads with a
cost close to one prediction, and a lead gets the same contributions alone
or in any batch (every step is row by row; nothing depends on the batch).

- Logistic regression: contribution = Σ coefficient * standardised value over
  the field's columns; base = the intercept (the training leads' mean, since
  the columns are standardised on them).
- Gradient-boosted trees: path attribution (Saabas, as in "treeinterpreter"):
  walking a tree from its root to the lead's leaf, every split moves the
  expected output (the training-count weighted mean of the leaves below) and
  that move is credited to the field of the split's column. Per tree the
  credit of every root→leaf path is precomputed once per fitted model, so a
  batch only needs each tree's leaf index per lead. base = the baseline plus
  each tree's expected output.

The tree part reads scikit-learn's fitted HistGradientBoostingClassifier
internals (`_predictors`, node records). A pipeline is only loaded under the
scikit-learn version that trained it (scorer.pipeline_of), and the unit tests
check that these raw scores equal `decision_function`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
from sklearn.linear_model import LogisticRegression

from leadgate.scoring.features import FeatureEncoder, Matrix

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Contributions:
    raw: Vector  # the decision score of each lead
    base: float  # the model's expected decision score
    fields: Matrix  # leads x fields, in the encoder's field order


@dataclass
class _TreePaths:
    known_cat_bitsets: Any
    f_idx_map: Any
    baseline: float
    base: float
    # Per tree: a predictor returning node ids, node values, and per node the credit
    # (one column per field) collected on the way from the root.
    leaf_of: list[TreePredictor]
    values: list[Vector]
    credit: list[Matrix]


# Kept beside the fitted model, not in it: never pickled into a version row.
_PATHS: weakref.WeakKeyDictionary[Any, _TreePaths] = weakref.WeakKeyDictionary()


def contributions(estimator: Any, encoder: FeatureEncoder, matrix: Matrix) -> Contributions:
    if isinstance(estimator, LogisticRegression):
        return _linear(estimator, encoder, matrix)
    if isinstance(estimator, HistGradientBoostingClassifier):
        return _trees(estimator, encoder, matrix)
    raise TypeError(f"no attribution for {type(estimator).__name__}")


def _linear(
    estimator: LogisticRegression, encoder: FeatureEncoder, matrix: Matrix
) -> Contributions:
    starts = [f.start for f in encoder.fields]
    per_column = matrix * estimator.coef_[0]
    fields: Matrix = np.add.reduceat(per_column, starts, axis=1)
    base = float(estimator.intercept_[0])
    return Contributions(base + fields.sum(axis=1), base, fields)


def _field_of_column(encoder: FeatureEncoder) -> npt.NDArray[np.intp]:
    owner = np.zeros(encoder.width, dtype=np.intp)
    for i, enc in enumerate(encoder.fields):
        owner[enc.start : enc.stop] = i
    return owner


def _tree_paths(estimator: HistGradientBoostingClassifier, encoder: FeatureEncoder) -> _TreePaths:
    # Fitted trees never change: the tables are built once per model per process.
    cached = _PATHS.get(estimator)
    if cached is not None:
        return cached
    owner = _field_of_column(encoder)
    n_fields = len(encoder.fields)
    known, f_idx_map = estimator._bin_mapper.make_known_categories_bitsets()
    baseline = float(np.ravel(estimator._baseline_prediction)[0])
    paths = _TreePaths(known, f_idx_map, baseline, baseline, [], [], [])
    for (predictor,) in estimator._predictors:  # one tree per round for two classes
        nodes = predictor.nodes
        left, right = nodes["left"].astype(np.intp), nodes["right"].astype(np.intp)
        leaf, count = nodes["is_leaf"].astype(bool), nodes["count"].astype(float)
        expected = nodes["value"].astype(float)
        # Nodes are stored depth first (children after their parent): bottom-up here.
        for i in range(len(nodes) - 1, -1, -1):
            if not leaf[i]:
                lo, hi = left[i], right[i]
                total = count[lo] + count[hi]
                expected[i] = (
                    (count[lo] * expected[lo] + count[hi] * expected[hi]) / total
                    if total > 0
                    else (expected[lo] + expected[hi]) / 2
                )
        credit = np.zeros((len(nodes), n_fields))
        for i in range(len(nodes)):
            if not leaf[i]:
                field = owner[int(nodes["feature_idx"][i])]
                for child in (left[i], right[i]):
                    credit[child] = credit[i]
                    credit[child, field] += expected[child] - expected[i]
        ids = nodes.copy()
        ids["value"] = np.arange(len(nodes), dtype=float)
        paths.leaf_of.append(
            TreePredictor(ids, predictor.binned_left_cat_bitsets, predictor.raw_left_cat_bitsets)
        )
        paths.values.append(nodes["value"].astype(float))
        paths.credit.append(credit)
        paths.base += float(expected[0])
    _PATHS[estimator] = paths
    return paths


def _trees(
    estimator: HistGradientBoostingClassifier, encoder: FeatureEncoder, matrix: Matrix
) -> Contributions:
    paths = _tree_paths(estimator, encoder)
    x = np.ascontiguousarray(matrix, dtype=np.float64)
    raw = np.full(len(x), paths.baseline)
    fields = np.zeros((len(x), len(encoder.fields)))
    for leaf_of, values, credit in zip(paths.leaf_of, paths.values, paths.credit, strict=True):
        leaves = leaf_of.predict(x, paths.known_cat_bitsets, paths.f_idx_map, 1).astype(np.intp)
        raw += values[leaves]
        fields += credit[leaves]
    return Contributions(raw, paths.base, fields)
