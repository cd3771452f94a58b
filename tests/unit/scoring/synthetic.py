"""Generated lead data with a known signal: only `Source` (and a little `Visits`) matter."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

SOURCES = ["Reference", "Google", "Direct", "Olark Chat", "Organic Search"]
REGIONS = ["North", "South", "East", "West"]


def true_log_odds(source: str, visits: int) -> float:
    return -0.8 + {"Reference": 3.0, "Direct": -1.5}.get(source, 0.0) + 0.3 * (visits - 4)


def oracle(records: list[dict[str, Any]]) -> Any:
    """The log-odds the data were drawn from (missing visits at their mean)."""
    return np.array(
        [true_log_odds(r["Source"], int(r["Visits"]) if r["Visits"] else 4) for r in records]
    )


def leads(n: int = 400, seed: int = 3) -> tuple[list[dict[str, Any]], Any]:
    rng = np.random.default_rng(seed)
    records: list[dict[str, Any]] = []
    y = np.zeros(n, dtype=int)
    for i in range(n):
        source = SOURCES[int(rng.integers(len(SOURCES)))]
        visits = int(rng.poisson(4))
        logit = true_log_odds(source, visits)
        y[i] = int(rng.random() < 1 / (1 + np.exp(-logit)))
        records.append(
            {
                "Source": source,
                "Visits": str(visits) if rng.random() > 0.1 else "",
                "Region": REGIONS[int(rng.integers(len(REGIONS)))]
                if rng.random() > 0.2
                else "Select",
                "Email": f"p{i}@{'gmail.com' if rng.random() < 0.5 else f'firm{i % 7}.com'}",
                "Lead Id": f"L-{i:05d}",
                "Always empty": "",
            }
        )
    return records, y


def write_csv(path: Path, n: int = 400, delimiter: str = ",", quote_all: bool = False) -> Path:
    records, y = leads(n)
    with path.open("w", newline="") as handle:
        writer = csv.writer(
            handle,
            delimiter=delimiter,
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        )
        columns = list(records[0])
        writer.writerow([*columns, "Outcome"])
        for record, label in zip(records, y, strict=True):
            writer.writerow([record[c] for c in columns] + ["Won" if label else "Lost"])
    return path
