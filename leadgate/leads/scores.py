"""A lead's score reasons: how they are stored and how they read.

Scoring stores each reason compactly, as `[field, text, effect]` (effect in
percentage points, one decimal), and leaves the fingerprint to its own column;
readers (the API, pages, process steps, audit snapshots) get the full form, each
reason a dict with its sentence ("Source is Partner: +18 %") and the fingerprint
among the reasons, as before. Why: a first scoring of 100,000 leads wrote and the
server parsed 1.4 KB of reasons JSON per lead, half of it repeated keys and
sentences, and that write was the largest part of a batch rescore on PostgreSQL
(bench/RESULTS.md, "Predictive lead scoring").

Rows stored in the full form (before this format) read unchanged.
"""

from __future__ import annotations

import math
from typing import Any

REASON_LISTS = ("positive", "negative")


def sentence(text: str, effect: float) -> str:
    """A reason in words, its effect in whole percentage points ("Source is Web: \u22127 %")."""
    sign = "+" if effect >= 0 else "\u2212"
    # Half up, from the effect as shown (one decimal): 18.5 reads "+19 %".
    return f"{text}: {sign}{math.floor(abs(effect) + 0.5)} %"


def reason(field: str, text: str, effect: float) -> dict[str, Any]:
    """One reason in full; `effect` is rounded to one decimal, as it is stored."""
    shown = round(effect, 1)
    return {"field": field, "text": text, "effect": shown, "sentence": sentence(text, shown)}


def compact(reasons: dict[str, Any]) -> dict[str, Any]:
    """The stored form of full reasons (what `expand` turns back), without a fingerprint."""
    out = {key: value for key, value in reasons.items() if key != "fingerprint"}
    for key in REASON_LISTS:
        if key in out:
            out[key] = [[r["field"], r["text"], r["effect"]] for r in out[key]]
    return out


def expand(stored: dict[str, Any] | None, fingerprint: str | None) -> dict[str, Any] | None:
    """The full reasons of a stored score row."""
    if stored is None:
        return None
    out = dict(stored)
    for key in REASON_LISTS:
        items = out.get(key)
        if items and isinstance(items[0], list):
            out[key] = [reason(field, text, effect) for field, text, effect in items]
    if fingerprint is not None:
        out.setdefault("fingerprint", fingerprint)
    return out
