"""Pure matching logic of duplicate rules: normalised values, blocking keys, scores.

A rule's non-fuzzy criteria (exact, first N, last N) form one composite
blocking key per record, so two records can only match if they share it. A
rule made only of "similar" criteria gets several coarse keys (first three,
last three characters, and the first three of the sorted words) so that a typo
at one end or swapped names still meet. The fuzzy score is then computed on the
few candidates sharing a key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from rapidfuzz import fuzz

from leadgate.core.normalize import company_key, email_key, phone_key

OPERATORS = ("exact", "first_n", "last_n", "similar")
_EMAIL_FIELDS = frozenset({"email", "email2"})
_PHONE_FIELDS = frozenset({"phone", "mobile_phone"})
_COMPANY_FIELDS = frozenset({"company_name", "name"})
_MAX_KEY = 300
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Criterion:
    field: str
    match_field: str
    operator: str
    n: int = 3
    threshold: float = 0.85


@dataclass(frozen=True)
class RuleLogic:
    """What matching needs of a rule (independent of the ORM row)."""

    name: str
    criteria: tuple[Criterion, ...]
    ignore_blanks: bool = True
    case_sensitive: bool = False

    # Worked out once per rule: keys are computed several times per record and row.
    @cached_property
    def base_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.criteria)

    @cached_property
    def match_fields(self) -> tuple[str, ...]:
        return tuple(c.match_field for c in self.criteria)

    @cached_property
    def blocking(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.operator != "similar")

    @classmethod
    def of(
        cls,
        name: str,
        criteria: Sequence[Mapping[str, Any]],
        ignore_blanks: bool = True,
        case_sensitive: bool = False,
    ) -> RuleLogic:
        parsed = tuple(
            Criterion(
                field=c["field"],
                match_field=c.get("match_field") or c["field"],
                operator=c["operator"],
                n=int(c.get("n") or 3),
                threshold=float(c.get("threshold") or 0.85),
            )
            for c in criteria
        )
        return cls(name, parsed, ignore_blanks, case_sensitive)


@lru_cache(maxsize=1 << 16)
def fold(text: str, case_sensitive: bool = False) -> str:
    """Accents dropped, whitespace collapsed, lower-cased unless the rule is case sensitive."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = _SPACES.sub(" ", plain).strip()
    return plain if case_sensitive else plain.lower()


def normalise(field: str, value: Any, country: str | None, case_sensitive: bool) -> str:
    """The comparable form of one field's value ("" when blank)."""
    if value is None:
        return ""
    text = str(value)
    if not text.strip():
        return ""
    if field in _EMAIL_FIELDS:
        return email_key(text) or ""
    if field in _PHONE_FIELDS:
        return phone_key(text, country) or ""
    if field in _COMPANY_FIELDS:
        return company_key(text) or ""
    return fold(text, case_sensitive)


def values_of(record: Any, fields: Sequence[str], case_sensitive: bool) -> dict[str, str]:
    country = getattr(record, "country", None)
    return {f: normalise(f, getattr(record, f, None), country, case_sensitive) for f in fields}


def side_fields(rule: RuleLogic, side: str) -> tuple[str, ...]:
    return rule.base_fields if side == "base" else rule.match_fields


def _component(criterion: Criterion, value: str) -> str:
    if criterion.operator == "first_n":
        return value[: criterion.n]
    if criterion.operator == "last_n":
        return value[-criterion.n :] if value else ""
    return value


def _bounded(key: str) -> str:
    if len(key) <= _MAX_KEY:
        return key
    return "h:" + hashlib.sha256(key.encode()).hexdigest()


def blocking_keys(rule: RuleLogic, values: Mapping[str, str], side: str) -> set[str]:
    """The keys under which a record (seen as `side`: base or match) is filed for `rule`."""
    blocking = rule.blocking
    if blocking:
        parts = []
        for c in blocking:
            value = values.get(c.field if side == "base" else c.match_field, "")
            if not value and rule.ignore_blanks:
                return set()
            parts.append(_component(c, value))
        return {_bounded("k:" + "\x1f".join(parts))}
    fuzzy = rule.criteria[0]
    value = values.get(fuzzy.field if side == "base" else fuzzy.match_field, "")
    if not value:
        return set() if rule.ignore_blanks else {"k:"}
    words = "".join(sorted(value.split()))
    return {"p:" + value[:3], "s:" + value[-3:], "t:" + words[:3]}


def score(rule: RuleLogic, base: Mapping[str, str], other: Mapping[str, str]) -> float | None:
    """Mean criterion score when every criterion holds, else None."""
    total = 0.0
    for c in rule.criteria:
        a, b = base.get(c.field, ""), other.get(c.match_field, "")
        if not a or not b:
            if rule.ignore_blanks or a or b:
                return None
            total += 1.0
            continue
        if c.operator == "similar":
            ratio = fuzz.token_sort_ratio(a, b) / 100.0
            if ratio < c.threshold:
                return None
            total += ratio
        elif _component(c, a) == _component(c, b):
            total += 1.0
        else:
            return None
    return round(total / len(rule.criteria), 4) if rule.criteria else None
