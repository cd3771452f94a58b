"""How a lead's score reasons are stored (compact) and read (in full)."""

from __future__ import annotations

import json

from leadgate.leads.scores import compact, expand, reason, sentence

FULL = {
    "typical_score": 31.4,
    "positive": [reason("Source", "Source is Partner", 18.24)],
    "negative": [reason("Email domain", "Email domain is Free", -6.96)],
    "other_fields": 0.3,
    "interactions": 0.0,
    "model_id": "0193a8c2-0000-7000-8000-000000000001",
    "model": "Inbound",
    "version": 3,
    "scored_at": "2026-12-05T09:00:00+00:00",
}


def test_a_reason_reads_as_a_sentence_in_whole_points() -> None:
    assert reason("Source", "Source is Partner", 18.24) == {
        "field": "Source",
        "text": "Source is Partner",
        "effect": 18.2,
        "sentence": "Source is Partner: +18 %",
    }
    assert sentence("No email domain", -6.96) == "No email domain: \u22127 %"


def test_the_sentence_follows_the_effect_as_shown_half_up() -> None:
    assert reason("Visits", "Visits is 3", 18.46)["sentence"] == "Visits is 3: +19 %"
    assert sentence("Visits is 3", 18.5) == "Visits is 3: +19 %"
    assert sentence("Visits is 3", -0.4) == "Visits is 3: \u22120 %"


def test_stored_reasons_read_back_in_full_with_the_fingerprint() -> None:
    stored = json.loads(json.dumps(compact({**FULL, "fingerprint": "abc"})))
    assert "fingerprint" not in stored
    assert stored["positive"] == [["Source", "Source is Partner", 18.2]]
    assert expand(stored, "abc") == {**FULL, "fingerprint": "abc"}


def test_the_stored_form_is_less_than_half_the_full_one() -> None:
    many = {**FULL, "positive": FULL["positive"] * 5, "negative": FULL["negative"] * 5}
    assert len(json.dumps(compact(many))) < len(json.dumps(many)) / 2


def test_reasons_stored_in_full_read_unchanged() -> None:
    old = {**FULL, "fingerprint": "abc"}
    assert expand(old, "abc") == old
    assert expand(old, None) == old


def test_an_unscored_lead_has_no_reasons() -> None:
    assert expand(None, "abc") is None
    assert expand({"positive": [], "negative": []}, None) == {"positive": [], "negative": []}
