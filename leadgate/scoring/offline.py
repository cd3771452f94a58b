"""Offline evaluation of the scoring procedure on any CSV file of leads.

Every column except the target and the excluded ones is a candidate field;
its kind is inferred (`fields`), e-mail-like columns give the email domain
kind signal and all columns the completeness signal (`signals`), and the
model is chosen, calibrated and measured by exactly the code the product
uses (`learning`, `metrics`, `explain`).

Splits: `cv` = stratified k-fold, every row predicted once by a model that
did not see it; `ordered` = train on the first 80 % of rows, test on the last
20 % (for files in time order, like the product's newest-20 % test).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from leadgate.core.errors import ValidationFailed
from leadgate.scoring.explain import field_importance
from leadgate.scoring.fields import as_category, is_missing, looks_like_email
from leadgate.scoring.learning import (
    SEED,
    NotEnoughData,
    fit_pipeline,
    plain_logistic_proba,
)
from leadgate.scoring.metrics import evaluate
from leadgate.scoring.signals import COMPLETENESS, EMAIL_DOMAIN_KIND, with_signals

SPLITS = ("cv", "ordered")
TEST_SHARE = 0.2


@dataclass
class LeadTable:
    columns: list[str]
    rows: list[dict[str, str]]


def read_csv(path: Path) -> LeadTable:
    """A comma-, semicolon- or tab-separated file with a header row, quoted or not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed.on("file", f"cannot read {path}: {exc.strerror}") from exc
    if b"\x00" in raw[:4096]:
        raise ValidationFailed.on("file", f"{path.name} is not a text CSV file")
    text = raw.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise ValidationFailed.on("file", f"{path.name} is empty")
    first_line = text.splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    if first_line.count(delimiter) == 0:
        raise ValidationFailed.on(
            "file", f"{path.name} does not look like a CSV file (no , ; or tab in the header)"
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    if len(set(header)) != len(header):
        dupes = sorted(h for h, c in Counter(header).items() if c > 1)
        raise ValidationFailed.on("file", f"duplicate column names: {', '.join(dupes)}")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ValidationFailed.on(
                "file", f"line {number} has {len(cells)} cells, the header has {len(header)}"
            )
        rows.append(dict(zip(header, cells, strict=True)))
    if not rows:
        raise ValidationFailed.on("file", f"{path.name} has a header but no rows")
    return LeadTable(header, rows)


@dataclass
class Prepared:
    records: list[dict[str, object]]
    y: Any
    fields: list[str]
    dropped_rows: int


def prepare(table: LeadTable, target: str, positive: str, exclude: Sequence[str] = ()) -> Prepared:
    if target not in table.columns:
        raise ValidationFailed.on(
            "target", f"no column {target!r}; columns are {', '.join(table.columns)}"
        )
    unknown = [c for c in exclude if c not in table.columns]
    if unknown:
        raise ValidationFailed.on("exclude", f"no such column: {', '.join(unknown)}")
    wanted = as_category(positive)
    labelled = [r for r in table.rows if not is_missing(r[target])]
    values = Counter(as_category(r[target]) for r in labelled)
    if wanted not in values:
        shown = ", ".join(repr(v) for v, _ in values.most_common(10))
        raise ValidationFailed.on(
            "positive", f"{positive!r} does not occur in {target!r}; its values are {shown}"
        )
    if len(values) < 2:
        raise ValidationFailed.on("target", f"{target!r} has a single value ({positive!r})")
    y = np.array([1 if as_category(r[target]) == wanted else 0 for r in labelled])
    raw_fields = [c for c in table.columns if c != target and c not in exclude]
    if not raw_fields:
        raise ValidationFailed.on("exclude", "no column is left to learn from")
    emails = [c for c in raw_fields if looks_like_email(r[c] for r in labelled)]
    records = with_signals(
        [{c: r[c] for c in raw_fields} for r in labelled],
        email_fields=emails,
        completeness_fields=raw_fields,
    )
    fields = [c for c in raw_fields if c not in emails]
    fields += ([EMAIL_DOMAIN_KIND] if emails else []) + [COMPLETENESS]
    return Prepared(records, y, fields, len(table.rows) - len(labelled))


def evaluate_table(
    table: LeadTable,
    target: str,
    positive: str,
    *,
    exclude: Sequence[str] = (),
    split: str = "cv",
    folds: int = 5,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    if split not in SPLITS:
        raise ValidationFailed.on("split", f"must be one of {', '.join(SPLITS)}")
    if not 2 <= folds <= 20:
        raise ValidationFailed.on("folds", "must be between 2 and 20")
    data = prepare(table, target, positive, exclude)
    n = len(data.y)
    if split == "cv":
        minority = int(min(data.y.sum(), n - data.y.sum()))
        if minority < folds * 3:
            raise ValidationFailed.on(
                "target", f"only {minority} rows of the rarer class; {folds} folds need {folds * 3}"
            )
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
        parts = [(list(tr), list(te)) for tr, te in splitter.split(np.zeros(n), data.y)]
    else:
        cut = round(n * (1 - TEST_SHARE))
        parts = [(list(range(cut)), list(range(cut, n)))]
    proba = np.zeros(n)
    plain = np.zeros(n)
    tested = np.zeros(n, dtype=bool)
    thresholds, chosen, fold_auc = [], [], []
    importance: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    last_fields: list[str] = []
    skipped: dict[str, str] = {}
    for k, (train, test) in enumerate(parts, start=1):
        if progress:
            progress(f"fold {k}/{len(parts)}")
        train_rows = [data.records[i] for i in train]
        test_rows = [data.records[i] for i in test]
        try:
            pipeline = fit_pipeline(train_rows, data.y[train], data.fields, progress=progress)
        except NotEnoughData as exc:
            raise ValidationFailed.on("target", str(exc)) from exc
        proba[test] = pipeline.predict_proba(test_rows)
        plain[test] = plain_logistic_proba(train_rows, data.y[train], test_rows, data.fields)
        tested[test] = True
        thresholds.append(pipeline.threshold)
        chosen.append(pipeline.family)
        candidates.append(
            {
                c.family: {"auc": round(c.auc, 4), "log_loss": round(c.log_loss, 4)}
                for c in pipeline.candidates
            }
        )
        if 0 < data.y[test].sum() < len(test):
            fold_auc.append(float(roc_auc_score(data.y[test], proba[test])))
        if k == 1:
            importance = field_importance(pipeline, test_rows, data.y[test])
            last_fields = pipeline.encoder.field_names
            skipped = pipeline.encoder.skipped
    y, p = data.y[tested], proba[tested]
    # Thresholds differ a little per fold; the pooled figures use their median.
    report = evaluate(y, p, float(np.median(thresholds)))
    report.update(
        {
            "model": Counter(chosen).most_common(1)[0][0],
            "model_per_fold": chosen,
            "selection_evidence": candidates,
            "split": split,
            "folds": len(parts) if split == "cv" else None,
            "fold_auc": [round(a, 4) for a in fold_auc],
            "n_rows": n,
            "n_features": len(last_fields),
            "features": last_fields,
            "skipped_columns": skipped,
            "excluded_columns": list(exclude),
            "unlabelled_rows_dropped": data.dropped_rows,
            "plain_logistic_regression": {
                "auc": round(float(roc_auc_score(y, plain[tested])), 4),
                "log_loss": round(float(log_loss(y, np.clip(plain[tested], 1e-6, 1 - 1e-6))), 4),
            },
            "field_importance": importance,
        }
    )
    return report


def evaluate_file(path: Path, target: str, positive: str, **options: Any) -> dict[str, Any]:
    return evaluate_table(read_csv(path), target, positive, **options)
