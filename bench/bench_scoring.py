"""Scoring benchmark (no database): training time, batch scoring rate, one-lead latency.

    .venv/bin/python -m bench.bench_scoring [--train-rows 100000] [--score-rows 20000]

Prints each figure and a ratio to a floor measured in the same run (encoding
the same records alone, the cost no scoring can avoid), because these
machines are noisy.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

from leadgate.scoring.explain import explain
from leadgate.scoring.learning import FAMILIES, fit_pipeline

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-rows", type=int, default=100_000)
    parser.add_argument("--score-rows", type=int, default=20_000)
    parser.add_argument(
        "--family", choices=FAMILIES, help="force one family (default: choose on evidence)"
    )
    args = parser.parse_args()
    records, y = synthetic(args.train_rows)
    fields = list(records[0])
    families = [args.family] if args.family else FAMILIES
    start = time.perf_counter()
    pipeline = fit_pipeline(records, y, fields, families=families)
    print(f"train on {args.train_rows:,} closed leads: {time.perf_counter() - start:.2f} s")
    print(f"  chosen: {pipeline.family} (target < 60 s)")
    batch, _ = synthetic(args.score_rows, seed=2)
    pipeline.predict_proba(batch[:100])  # warm-up: first calls pay imports and caches
    floor_s, _ = timed("floor: encode only", pipeline.encoder.encode, batch)
    score_s, _ = timed("score only (probabilities)", pipeline.predict_proba, batch)
    reasons_s, _ = timed("score + reasons", explain, pipeline, batch)
    print(
        f"  {args.score_rows / score_s:,.0f} leads/s scored, "
        f"{args.score_rows / reasons_s:,.0f} leads/s with reasons (target 20,000/s); "
        f"ratio to encoding floor {score_s / floor_s:.1f}x / {reasons_s / floor_s:.1f}x"
    )
    one = batch[:1]
    start = time.perf_counter()
    for _ in range(50):
        explain(pipeline, one)
    per_lead_ms = (time.perf_counter() - start) / 50 * 1000
    print(f"one lead, score + reasons: {per_lead_ms:.1f} ms (target < 5 ms added to an update)")


if __name__ == "__main__":
    main()
