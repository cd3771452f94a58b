"""From lead records (field name → raw value) to the numeric matrix a model reads.

The encoder learns, per field, how to encode it from the training records
(its kind, median, common categories, typical value) and keeps the block of
matrix columns each field owns, so that importance and reasons are reported
per field in plain words, not per one-hot column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from leadgate.scoring.fields import (
    FieldKind,
    FieldProfile,
    as_category,
    as_number,
    label_of,
    profile_field,
)

Matrix = npt.NDArray[np.float64]
Record = Mapping[str, object]

# A category rarer than this (share of training rows) joins "other".
MIN_CATEGORY_SHARE = 0.005
MIN_CATEGORY_COUNT = 3
MAX_CATEGORIES = 40
MISSING = "__missing__"
OTHER = "__other__"


@dataclass
class FieldEncoding:
    name: str
    kind: FieldKind
    start: int = 0
    stop: int = 0
    # numeric fields
    median: float = 0.0
    log_scale: bool = False
    # categorical and text fields: category key → display label
    categories: dict[str, str] = field(default_factory=dict)
    # whether training held missing values / rare values (each gets its own column)
    with_missing: bool = False
    with_other: bool = False

    @property
    def width(self) -> int:
        return self.stop - self.start

    def column_names(self) -> list[str]:
        if self.kind is FieldKind.NUMERIC:
            names = [self.name]
            if self.with_missing:
                names.append(f"{self.name} missing")
            return names
        names = [f"{self.name}={key}" for key in self.categories]
        if self.with_other:
            names.append(f"{self.name}={OTHER}")
        if self.with_missing:
            names.append(f"{self.name}={MISSING}")
        return names

    def encode_column(self, values: Sequence[object], out: Matrix) -> None:
        """Write this field's block for `values` into `out` (rows x width)."""
        if self.kind is FieldKind.NUMERIC:
            numbers = _plain_numbers(values)
            if numbers is not None:
                # What database columns hold: the whole column at once, as _cell would.
                present = np.isfinite(numbers)
                shown = _squash_all(numbers) if self.log_scale else numbers
                out[:, 0] = np.where(present, shown, self.median)
                if self.with_missing:
                    out[:, 1] = ~present
                return
            # Each distinct value is converted once, then the block is filled column-wise.
            try:
                cells = {value: self._cell(value) for value in set(values)}
                filled = list(map(cells.__getitem__, values))
            except (TypeError, KeyError):  # unhashable, or a NaN that is not itself
                filled = [self._cell(value) for value in values]
            if filled:
                block = np.array(filled, dtype=np.float64)
                out[:, 0] = block[:, 0]
                if self.with_missing:
                    out[:, 1] = block[:, 1]
            return
        index = {key: i for i, key in enumerate(self.categories)}
        other = len(index) if self.with_other else None
        missing = len(index) + int(self.with_other) if self.with_missing else None
        # Batches repeat a few values: normalise each distinct value once. The type is
        # part of the key because True == 1 but "yes" != "1".
        slots: dict[tuple[type, object], int | None] = {}
        rows: list[int] = []
        cols: list[int] = []
        for row, value in enumerate(values):
            memo = (type(value), value)
            try:
                slot = slots[memo]
            except KeyError:
                slot = slots[memo] = self._slot(value, index, other, missing)
            except TypeError:  # an unhashable value: no memo
                slot = self._slot(value, index, other, missing)
            if slot is not None:
                rows.append(row)
                cols.append(slot)
        out[rows, cols] = 1.0

    def _cell(self, value: object) -> tuple[float, float]:
        """A numeric field's (value, missing flag) for one raw value."""
        number = as_number(value)
        if number is None:
            return self.median, 1.0
        return (_squash(number) if self.log_scale else number), 0.0

    @staticmethod
    def _slot(
        value: object, index: dict[str, int], other: int | None, missing: int | None
    ) -> int | None:
        key = as_category(value)
        return missing if key is None else index.get(key, other)

    def describe(self, value: object) -> str:
        """The lead's value of this field in words, as a reason shows it."""
        if self.kind is FieldKind.NUMERIC:
            number = as_number(value)
            if number is None:
                return f"No {self.name}"
            shown = f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
            return f"{self.name} is {shown}"
        key = as_category(value)
        if key is None:
            return f"No {self.name}"
        label = self.categories.get(key, label_of(value))
        return f"{self.name} is {label}"


def _squash(number: float) -> float:
    # Long-tailed counts (visits, seconds, revenue) are better compared on a log scale.
    return float(np.sign(number) * np.log1p(abs(number)))


def _squash_all(numbers: Matrix) -> Matrix:
    squashed: Matrix = np.sign(numbers) * np.log1p(np.abs(numbers))
    return squashed


# Value types as_number reads without parsing; None (missing) becomes NaN.
_PLAIN = frozenset({int, float, Decimal, type(None)})


def _plain_numbers(values: Sequence[object]) -> Matrix | None:
    """The values as floats (NaN where missing), when all of them are plain numbers or
    None; None when some need as_number's parsing (text from a CSV, booleans)."""
    if not set(map(type, values)) <= _PLAIN:
        return None
    numbers: Matrix = np.array(values, dtype=np.float64)
    return numbers


@dataclass
class FeatureEncoder:
    """Fitted on training records; encodes any later record the same way."""

    fields: list[FieldEncoding]
    skipped: dict[str, str]
    mean: Matrix
    scale: Matrix

    @property
    def width(self) -> int:
        return self.fields[-1].stop if self.fields else 0

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def encode(self, records: Sequence[Record]) -> Matrix:
        columns = {f.name: [r.get(f.name) for r in records] for f in self.fields}
        return self.encode_columns(columns, len(records))

    def encode_columns(self, columns: Mapping[str, Sequence[object]], n: int) -> Matrix:
        """The matrix of `n` leads given column-wise (field name → one value per lead)."""
        raw = np.zeros((n, self.width))
        for enc in self.fields:
            enc.encode_column(columns.get(enc.name) or [None] * n, raw[:, enc.start : enc.stop])
        scaled: Matrix = (raw - self.mean) / self.scale
        return scaled


def fit_encoder(records: Sequence[Record], names: Sequence[str]) -> FeatureEncoder:
    """Learn an encoding for each named field; fields with nothing to learn are skipped."""
    encodings: list[FieldEncoding] = []
    skipped: dict[str, str] = {}
    start = 0
    for name in names:
        values = [r.get(name) for r in records]
        profile = profile_field(name, values)
        if profile.kind is FieldKind.EMPTY:
            skipped[name] = "all values missing"
            continue
        if profile.kind is FieldKind.IDENTIFIER:
            skipped[name] = "every value different (an identifier)"
            continue
        enc = _fit_field(profile, values)
        if enc is None:
            skipped[name] = "a single value"
            continue
        enc.start, enc.stop = start, start + len(enc.column_names())
        start = enc.stop
        encodings.append(enc)
    encoder = FeatureEncoder(encodings, skipped, np.zeros(start), np.ones(start))
    raw = encoder.encode(records)
    encoder.mean = raw.mean(axis=0)
    std = raw.std(axis=0)
    encoder.scale = np.where(std > 1e-12, std, 1.0)
    return encoder


def _fit_field(profile: FieldProfile, values: list[object]) -> FieldEncoding | None:
    n = len(values)
    with_missing = profile.filled < n
    if profile.kind is FieldKind.NUMERIC:
        numbers = np.array([x for x in (as_number(v) for v in values) if x is not None])
        if profile.distinct < 2 and not with_missing:
            return None
        log_scale = bool(
            numbers.min() >= 0
            and np.percentile(numbers, 99) > 20 * max(1.0, float(np.median(numbers)))
        )
        shown = np.array([_squash(x) for x in numbers]) if log_scale else numbers
        return FieldEncoding(
            profile.name,
            FieldKind.NUMERIC,
            median=float(np.median(shown)),
            log_scale=log_scale,
            with_missing=with_missing,
        )
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for value in values:
        key = as_category(value)
        if key is not None:
            counts[key] += 1
            labels.setdefault(key, label_of(value))
    threshold = max(MIN_CATEGORY_COUNT, MIN_CATEGORY_SHARE * n)
    kept = [k for k, c in counts.most_common(MAX_CATEGORIES) if c >= threshold]
    with_other = sum(counts.values()) > sum(counts[k] for k in kept)
    if len(kept) + int(with_other) + int(with_missing) < 2:
        return None
    return FieldEncoding(
        profile.name,
        profile.kind,
        categories={k: labels[k] for k in kept},
        with_missing=with_missing,
        with_other=with_other,
    )
