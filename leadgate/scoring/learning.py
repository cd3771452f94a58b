"""Model selection and calibration: one procedure for the product and the evaluate command.

1. Encode the training records (`features.fit_encoder`).
2. Each candidate family (regularised logistic regression, gradient-boosted
   trees) predicts every training row out-of-fold (stratified inner folds).
3. The family with the lower out-of-fold log loss after calibration wins:
   log loss rewards both ranking and honest probabilities.
4. The winner is refitted on all training rows; a Platt (sigmoid) calibrator
   is fitted on its out-of-fold scores, so the calibration is learned on rows
   the model did not see. The decision threshold is the one that maximises F1
   on those same out-of-fold probabilities.

Large training sets (more than SELECTION_ROWS rows) change only the cost, not
the principle: the families are compared on a stratified sample of
SELECTION_ROWS rows (the ranking of two families is settled long before
100,000 rows), and the winner is fitted once, on 90 % of the rows, with the
calibrator and threshold learned on the other 10 % (10,000 held-out rows fit
a two-parameter calibrator as well as out-of-fold scores do, and it saves
three fits on the full data). Below that size nothing changes, so the offline
figures on smaller files are those of the full procedure.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from threadpoolctl import threadpool_limits

from leadgate.scoring.features import (
    FeatureEncoder,
    Matrix,
    Record,
    fit_encoder,
)
from leadgate.scoring.metrics import best_f1_threshold

Vector = Any  # a 1-D numpy array; numpy's typing of slices is too loose to be worth it

LOGISTIC = "logistic_regression"
BOOSTED_TREES = "gradient_boosted_trees"
INNER_FOLDS = 3
SEED = 7
# Above this many training rows: selection on a sample, calibration on held-out rows.
SELECTION_ROWS = 20_000
CALIBRATION_SHARE = 0.1


def make_estimator(family: str, n_rows: int = 10_000) -> Any:
    if family == LOGISTIC:
        return LogisticRegression(C=0.3, max_iter=3000)
    if family == BOOSTED_TREES:
        return HistGradientBoostingClassifier(
            learning_rate=0.05,
            # Rounds grow with the data: a few hundred leads support few splits, and
            # each round costs time at every scoring call.
            max_iter=int(np.clip(n_rows // 10, 50, 300)),
            max_leaf_nodes=15,
            min_samples_leaf=20,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=SEED,
        )
    raise ValueError(f"unknown model family {family!r}")


FAMILIES = (LOGISTIC, BOOSTED_TREES)
_threads_limited = False


def limit_threads() -> None:
    """One OpenMP/BLAS thread per process, set once.

    Leadgate runs several server and worker processes per machine; each one
    spawning a thread per core oversubscribes the CPUs. On a loaded 2-core
    machine gradient boosting trained 20x slower with the default threads.
    """
    global _threads_limited
    if not _threads_limited:
        threadpool_limits(limits=1)
        _threads_limited = True


class NotEnoughData(ValueError):
    """The training rows cannot support the procedure (too few of a class, no usable field)."""


@dataclass
class Platt:
    """p = sigmoid(a·s + b) on the model's decision score s."""

    a: float = 1.0
    b: float = 0.0

    @classmethod
    def fit(cls, scores: Vector, y: Vector) -> Platt:
        model = LogisticRegression(C=1e6, max_iter=1000)
        model.fit(np.asarray(scores).reshape(-1, 1), y)
        return cls(float(model.coef_[0, 0]), float(model.intercept_[0]))

    def log_odds(self, scores: Vector) -> Vector:
        return self.a * np.asarray(scores) + self.b

    def __call__(self, scores: Vector) -> Vector:
        return _sigmoid(self.log_odds(scores))


def _sigmoid(z: Vector) -> Vector:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


@dataclass
class Candidate:
    family: str
    auc: float
    log_loss: float


@dataclass
class ScoringPipeline:
    """A fitted model: encoder, estimator, calibrator and decision threshold."""

    encoder: FeatureEncoder
    family: str
    estimator: Any
    calibrator: Platt
    threshold: float
    candidates: list[Candidate] = field(default_factory=list)

    def log_odds_of(self, matrix: Matrix) -> Vector:
        limit_threads()
        return self.calibrator.log_odds(self.estimator.decision_function(matrix))

    def proba_of(self, matrix: Matrix) -> Vector:
        return _sigmoid(self.log_odds_of(matrix))

    def predict_proba(self, records: Sequence[Record]) -> Vector:
        if not records:
            return np.zeros(0)
        return self.proba_of(self.encoder.encode(records))


def check_classes(y: Vector, *, minimum: int = INNER_FOLDS) -> None:
    positives = int(np.sum(y))
    negatives = len(y) - positives
    if positives < minimum or negatives < minimum:
        raise NotEnoughData(
            f"needs at least {minimum} rows of each class; "
            f"has {positives} positive and {negatives} negative"
        )


def out_of_fold_scores(family: str, matrix: Matrix, y: Vector, folds: int = INNER_FOLDS) -> Vector:
    scores = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for train, test in splitter.split(matrix, y):
        estimator = _fit(family, matrix[train], y[train])
        scores[test] = estimator.decision_function(matrix[test])
    return scores


def _fit(family: str, matrix: Matrix, y: Vector) -> Any:
    estimator = make_estimator(family, len(y))
    with warnings.catch_warnings():
        # A tiny training set may not converge perfectly; the evaluation shows the result.
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*converge.*")
        estimator.fit(matrix, y)
    return estimator


def fit_pipeline(
    records: Sequence[Record],
    y: Vector,
    fields: Sequence[str],
    *,
    families: Sequence[str] = FAMILIES,
    progress: Callable[[str], None] | None = None,
) -> ScoringPipeline:
    limit_threads()
    y = np.asarray(y, dtype=int)
    check_classes(y)
    encoder = fit_encoder(records, fields)
    if encoder.width == 0:
        raise NotEnoughData(
            "no usable field: " + "; ".join(f"{k}: {v}" for k, v in encoder.skipped.items())
        )
    matrix = encoder.encode(records)
    large = len(y) > SELECTION_ROWS
    # Which rows compare the families: all of them, or a stratified sample.
    chosen = _sample(y, SELECTION_ROWS) if large else np.arange(len(y))
    best: tuple[float, str, Vector, Platt] | None = None
    candidates = []
    for family in families:
        if progress:
            progress(f"comparing {family}")
        scores = out_of_fold_scores(family, matrix[chosen], y[chosen])
        calibrator = Platt.fit(scores, y[chosen])
        proba = calibrator(scores)
        loss = float(log_loss(y[chosen], proba, labels=[0, 1]))
        candidates.append(Candidate(family, float(roc_auc_score(y[chosen], scores)), loss))
        if best is None or loss < best[0]:
            best = (loss, family, scores, calibrator)
    assert best is not None
    _, family, scores, calibrator = best
    if progress:
        progress(f"fitting {family}")
    if large:
        fit_rows, held_out = train_test_split(
            np.arange(len(y)), test_size=CALIBRATION_SHARE, stratify=y, random_state=SEED
        )
        estimator = _fit(family, matrix[fit_rows], y[fit_rows])
        held_scores = estimator.decision_function(matrix[held_out])
        calibrator = Platt.fit(held_scores, y[held_out])
        threshold = best_f1_threshold(y[held_out], calibrator(held_scores))
    else:
        estimator = _fit(family, matrix, y)
        threshold = best_f1_threshold(y, calibrator(scores))
    return ScoringPipeline(encoder, family, estimator, calibrator, threshold, candidates)


def _sample(y: Vector, size: int) -> Vector:
    rows, _ = train_test_split(np.arange(len(y)), train_size=size, stratify=y, random_state=SEED)
    return np.sort(rows)


def plain_logistic_proba(
    train: Sequence[Record], y_train: Vector, test: Sequence[Record], fields: Sequence[str]
) -> Vector:
    """The reference the quality target compares to: an uncalibrated logistic regression
    on the same encoded fields (one-hot categories, median-imputed numbers)."""
    limit_threads()
    encoder = fit_encoder(train, fields)
    estimator = LogisticRegression(max_iter=3000)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*converge.*")
        estimator.fit(encoder.encode(train), np.asarray(y_train, dtype=int))
    return estimator.predict_proba(encoder.encode(test))[:, 1]
