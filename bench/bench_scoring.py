"""Scoring benchmark (no database): training time, held-out quality, batch scoring rate
with reasons, one-lead latency.

    .venv/bin/python -m bench.bench_scoring [--train-rows 100000] [--score-rows 100000]
        [--family logistic_regression|gradient_boosted_trees]

Prints each figure and a ratio to a floor measured in the same run (encoding
the same leads alone, the cost no scoring can avoid), because these machines
are noisy. Without --family both families are compared (the product's
procedure); the run is repeated with trees forced, the slower family.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

from leadgate.scoring.learning import BOOSTED_TREES, FAMILIES, _fit, fit_pipeline
from leadgate.scoring.metrics import evaluate
from leadgate.scoring.reasons import reasons

SOURCES = ["partner", "web", "trade_show", "employee_referral", "advertisement", "seminar"]
INDUSTRIES = ["Retail", "Banking", "Manufacturing", "Health", "Software", None]


def synthetic(n: int, seed: int = 1) -> tuple[list[dict[str, object]], np.ndarray]:
    rng = random.Random(seed)
    records, labels = [], []
    for _ in range(n):
        source = rng.choice(SOURCES)
        employees = int(rng.lognormvariate(4, 1.5))
        activities = rng.randint(0, 12)
        logit = {"partner": 1.5, "web": -1.0}.get(source, 0.0) + 0.15 * activities - 1
        labels.append(int(rng.random() < 1 / (1 + np.exp(-logit))))
        records.append(
            {
                "Source": source,
                "Industry": rng.choice(INDUSTRIES),
                "Employees": employees if rng.random() > 0.2 else None,
                "Email domain": rng.choice(["Free", "Corporate", None]),
                "Activities": activities,
                "Filled-in fields": round(rng.random(), 2),
            }
        )
    return records, np.array(labels)


def timed(label: str, func: object, *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = func(*args)  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.2f} s")
    return elapsed, result


def columns_of(records: list[dict[str, object]]) -> dict[str, list[object]]:
    return {name: [r[name] for r in records] for name in records[0]}


def measure(train_rows: int, score_rows: int, families: list[str] | tuple[str, ...]) -> None:
    records, y = synthetic(train_rows)
    fields = list(records[0])
    start = time.perf_counter()
    pipeline = fit_pipeline(records, y, fields, families=families)
    train_s = time.perf_counter() - start
    # Floor: one plain fit of the chosen family on all rows, what no procedure avoids.
    matrix = pipeline.encoder.encode(records)
    start = time.perf_counter()
    _fit(pipeline.family, matrix, y)
    fit_s = time.perf_counter() - start
    test, y_test = synthetic(20_000, seed=3)
    quality = evaluate(y_test, pipeline.predict_proba(test), pipeline.threshold)
    print(
        f"train on {train_rows:,} closed leads ({', '.join(families)} compared): "
        f"{train_s:.1f} s (target < 60 s), chosen {pipeline.family}; floor (one plain fit "
        f"on all rows) {fit_s:.1f} s, ratio {train_s / fit_s:.1f}x; held-out AUC "
        f"{quality['auc']:.3f}, log loss {quality['log_loss']:.3f}, ECE {quality['ece']:.3f}"
    )
    batch, _ = synthetic(score_rows, seed=2)
    columns = columns_of(batch)
    reasons(pipeline, columns_of(batch[:100]), 100)  # warm-up: tables built once per model
    start = time.perf_counter()
    pipeline.encoder.encode_columns(columns, score_rows)
    floor_s = time.perf_counter() - start
    start = time.perf_counter()
    pipeline.predict_proba(batch)
    score_s = time.perf_counter() - start
    start = time.perf_counter()
    reasons(pipeline, columns, score_rows)
    reasons_s = time.perf_counter() - start
    print(
        f"  {score_rows:,} leads: probabilities {score_rows / score_s:,.0f} leads/s, "
        f"score + stored reasons {score_rows / reasons_s:,.0f} leads/s (target 20,000/s); "
        f"floor (encoding alone) {score_rows / floor_s:,.0f} leads/s; ratios "
        f"{score_s / floor_s:.1f}x / {reasons_s / floor_s:.1f}x"
    )
    one = columns_of(batch[:1])
    start = time.perf_counter()
    for _ in range(200):
        reasons(pipeline, one, 1)
    per_lead_ms = (time.perf_counter() - start) / 200 * 1000
    print(f"  one lead, score + reasons: {per_lead_ms:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-rows", type=int, default=100_000)
    parser.add_argument("--score-rows", type=int, default=100_000)
    parser.add_argument("--family", choices=FAMILIES, help="force one family")
    args, _ = parser.parse_known_args()
    if args.family:
        measure(args.train_rows, args.score_rows, [args.family])
        return
    measure(args.train_rows, args.score_rows, FAMILIES)
    measure(args.train_rows, args.score_rows, [BOOSTED_TREES])


if __name__ == "__main__":
    main()
