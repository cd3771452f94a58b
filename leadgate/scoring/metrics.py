"""How good a scoring model is, in the figures the administrator sees.

Ranking (AUC), decisions at a threshold (accuracy, precision, recall, F1,
confusion matrix) and honesty of the probabilities (log loss, Brier score,
expected calibration error and the reliability table behind it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

# A model must rank at least this well before it may be published.
PUBLISH_MIN_AUC = 0.7
CALIBRATION_BINS = 10


def best_f1_threshold(y: Any, proba: Any) -> float:
    """The probability cut that maximises F1 (ties: the higher cut, fewer calls to make)."""
    y = np.asarray(y, dtype=int)
    proba = np.asarray(proba, dtype=float)
    order = np.argsort(-proba, kind="stable")
    sorted_p, sorted_y = proba[order], y[order]
    true_pos = np.cumsum(sorted_y)
    predicted = np.arange(1, len(y) + 1)
    positives = max(int(y.sum()), 1)
    f1 = 2 * true_pos / (predicted + positives)
    # Only cut between distinct probabilities.
    last_of_run = np.append(sorted_p[1:] != sorted_p[:-1], True)
    f1 = np.where(last_of_run, f1, -1.0)
    best = int(np.argmax(f1))
    return float(sorted_p[best])


def reliability_table(y: Any, proba: Any, bins: int = CALIBRATION_BINS) -> list[dict[str, Any]]:
    y = np.asarray(y, dtype=int)
    proba = np.asarray(proba, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    slot = np.clip(np.digitize(proba, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = slot == b
        count = int(mask.sum())
        table.append(
            {
                "low": round(float(edges[b]), 2),
                "high": round(float(edges[b + 1]), 2),
                "count": count,
                "mean_predicted": round(float(proba[mask].mean()), 4) if count else None,
                "observed_rate": round(float(y[mask].mean()), 4) if count else None,
            }
        )
    return table


def expected_calibration_error(y: Any, proba: Any, bins: int = CALIBRATION_BINS) -> float:
    total = len(y)
    error = 0.0
    for row in reliability_table(y, proba, bins):
        if row["count"]:
            error += row["count"] / total * abs(row["mean_predicted"] - row["observed_rate"])
    return error


def evaluate(y: Any, proba: Any, threshold: float) -> dict[str, Any]:
    """Every figure of a model on held-out rows."""
    y = np.asarray(y, dtype=int)
    proba = np.clip(np.asarray(proba, dtype=float), 1e-6, 1 - 1e-6)
    predicted = proba >= threshold
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    tn = int(np.sum(~predicted & (y == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    auc = float(roc_auc_score(y, proba)) if 0 < y.sum() < len(y) else float("nan")
    return {
        "auc": round(auc, 4),
        "accuracy": round((tp + tn) / len(y), 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "threshold": round(threshold, 4),
        "log_loss": round(float(log_loss(y, proba, labels=[0, 1])), 4),
        "brier": round(float(brier_score_loss(y, proba)), 4),
        "ece": round(expected_calibration_error(y, proba), 4),
        "confusion_matrix": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "reliability": reliability_table(y, proba),
        "n_test": len(y),
        "positive_rate": round(float(y.mean()), 4),
        "ready_to_publish": bool(auc >= PUBLISH_MIN_AUC),
    }
