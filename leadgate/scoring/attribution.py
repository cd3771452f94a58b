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
from scipy.sparse import csr_matrix
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
    """Every tree of a fitted model as flat arrays (tree t's node k at t * width + k)."""

    known_cat_bitsets: Any
    f_idx_map: Any
    baseline: float
    base: float
    width: int  # nodes per tree slot (the largest tree)
    depth: int
    feature: npt.NDArray[np.intp]
    threshold: Vector
    left: npt.NDArray[np.intp]
    right: npt.NDArray[np.intp]
    leaf: npt.NDArray[np.bool_]
    value: Vector
    credit: Matrix  # (trees * width) x fields: credit collected from the root to the node
    # Per tree: a copy of its predictor answering node ids instead of values.
    leaf_of: list[TreePredictor]


# Few leads (a save): walk all trees at once in numpy. Many (a batch): the compiled
# per-tree walk is faster. Both find the same leaves, and everything after is shared.
FEW = 64


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
    trees = [predictor for (predictor,) in estimator._predictors]  # one per round (2 classes)
    width = max(len(tree.nodes) for tree in trees)
    size = len(trees) * width
    known, f_idx_map = estimator._bin_mapper.make_known_categories_bitsets()
    baseline = float(np.ravel(estimator._baseline_prediction)[0])
    paths = _TreePaths(
        known,
        f_idx_map,
        baseline,
        baseline,
        width,
        max(int(tree.nodes["depth"].max()) for tree in trees),
        np.zeros(size, dtype=np.intp),
        np.zeros(size),
        np.zeros(size, dtype=np.intp),
        np.zeros(size, dtype=np.intp),
        np.ones(size, dtype=bool),
        np.zeros(size),
        np.zeros((size, n_fields)),
        [],
    )
    for t, tree in enumerate(trees):
        nodes = tree.nodes
        k, at = len(nodes), t * width
        left, right = nodes["left"].astype(np.intp), nodes["right"].astype(np.intp)
        leaf, count = nodes["is_leaf"].astype(bool), nodes["count"].astype(float)
        expected = nodes["value"].astype(float)
        # Nodes are stored depth first (children after their parent): bottom-up here.
        for i in range(k - 1, -1, -1):
            if not leaf[i]:
                lo, hi = left[i], right[i]
                total = count[lo] + count[hi]
                expected[i] = (
                    (count[lo] * expected[lo] + count[hi] * expected[hi]) / total
                    if total > 0
                    else (expected[lo] + expected[hi]) / 2
                )
        credit = paths.credit[at : at + k]
        for i in range(k):
            if not leaf[i]:
                field = owner[int(nodes["feature_idx"][i])]
                for child in (left[i], right[i]):
                    credit[child] = credit[i]
                    credit[child, field] += expected[child] - expected[i]
        paths.feature[at : at + k] = nodes["feature_idx"]
        paths.threshold[at : at + k] = nodes["num_threshold"]
        paths.left[at : at + k] = np.where(leaf, 0, left + at)
        paths.right[at : at + k] = np.where(leaf, 0, right + at)
        paths.leaf[at : at + k] = leaf
        paths.value[at : at + k] = nodes["value"]
        paths.base += float(expected[0])
        ids = nodes.copy()
        ids["value"] = np.arange(k, dtype=float) + at
        paths.leaf_of.append(
            TreePredictor(ids, tree.binned_left_cat_bitsets, tree.raw_left_cat_bitsets)
        )
    _PATHS[estimator] = paths
    return paths


def _leaves(paths: _TreePaths, x: Matrix) -> npt.NDArray[np.intp]:
    """(leads x trees) flat index of the leaf each lead reaches in each tree."""
    n, trees = len(x), len(paths.leaf_of)
    if n > FEW:
        out = np.empty((n, trees), dtype=np.intp)
        for t, leaf_of in enumerate(paths.leaf_of):
            out[:, t] = leaf_of.predict(x, paths.known_cat_bitsets, paths.f_idx_map, 1)
        return out
    # The encoded matrix has no missing values (imputed), so a split is "value <= threshold
    # goes left", exactly as the compiled predictor decides for a present value.
    node = np.broadcast_to(np.arange(trees, dtype=np.intp) * paths.width, (n, trees)).copy()
    rows = np.arange(n)[:, None]
    for _ in range(paths.depth):
        inner = ~paths.leaf[node]
        if not inner.any():
            break
        go_left = x[rows, paths.feature[node]] <= paths.threshold[node]
        step = np.where(go_left, paths.left[node], paths.right[node])
        node = np.where(inner, step, node)
    return node


def _trees(
    estimator: HistGradientBoostingClassifier, encoder: FeatureEncoder, matrix: Matrix
) -> Contributions:
    paths = _tree_paths(estimator, encoder)
    x = np.ascontiguousarray(matrix, dtype=np.float64)
    leaves = _leaves(paths, x)
    # Sums over trees always run along the last, contiguous axis: a lead's figures are
    # then the same whatever else is in its batch.
    raw = paths.baseline + paths.value[leaves].sum(axis=1)
    # Each lead's credit summed over its leaves, as a sparse product: row i of `reached`
    # marks lead i's leaf in every tree (in tree order, so a lead's sum runs in the same
    # order alone or in any batch). Gathering the (leads x trees x fields) credits and
    # summing them cost three times as much.
    n, trees = leaves.shape
    reached = csr_matrix(
        (np.ones(n * trees), leaves.ravel(), np.arange(0, n * trees + 1, trees)),
        shape=(n, len(paths.credit)),
    )
    fields: Matrix = np.asarray(reached @ paths.credit)
    return Contributions(raw, paths.base, fields)
