"""Duplicate-rule logic without a database: normalisation, blocking keys, scores."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from leadgate.dedup.keys import RuleLogic, blocking_keys, score, values_of

EMAIL = RuleLogic.of("email", [{"field": "email", "operator": "exact"}])
NAME = RuleLogic.of(
    "company+name",
    [
        {"field": "company_name", "operator": "exact"},
        {"field": "full_name", "operator": "similar", "threshold": 0.85},
    ],
)


def rec(**kw: object) -> SimpleNamespace:
    base = {"email": None, "company_name": None, "full_name": "", "country": None, "phone": None}
    return SimpleNamespace(**{**base, **kw})


def test_exact_email_ignores_case_and_spaces() -> None:
    a = values_of(rec(email=" Ada@Example.com"), ["email"], False)
    b = values_of(rec(email="ada@example.com"), ["email"], False)
    assert blocking_keys(EMAIL, a, "base") == blocking_keys(EMAIL, b, "match")
    assert score(EMAIL, a, b) == 1.0


def test_blank_values_never_match_when_blanks_are_ignored() -> None:
    a = values_of(rec(), ["email"], False)
    assert blocking_keys(EMAIL, a, "base") == set()
    assert score(EMAIL, a, a) is None


def test_blanks_match_when_the_rule_says_so() -> None:
    rule = RuleLogic.of("e", [{"field": "email", "operator": "exact"}], ignore_blanks=False)
    a = values_of(rec(), ["email"], False)
    assert score(rule, a, a) == 1.0


@pytest.mark.parametrize(
    ("left", "right", "matches"),
    [
        ("Ada Lovelace", "Ada Lovelace", True),
        ("Ada Lovelace", "Ada Lovelase", True),  # typo
        ("Ada Lovelace", "Lovelace Ada", True),  # swapped
        ("Ada Lovelace", "Charles Babbage", False),
    ],
)
def test_company_and_similar_name(left: str, right: str, matches: bool) -> None:
    fields = ["company_name", "full_name"]
    a = values_of(rec(company_name="Acme, Inc.", full_name=left), fields, False)
    b = values_of(rec(company_name="ACME", full_name=right), fields, False)
    assert blocking_keys(NAME, a, "base") == blocking_keys(NAME, b, "match")
    assert (score(NAME, a, b) is not None) is matches


def test_first_and_last_n() -> None:
    first = RuleLogic.of("f", [{"field": "last_name", "operator": "first_n", "n": 4}])
    last = RuleLogic.of("l", [{"field": "last_name", "operator": "last_n", "n": 3}])
    a = values_of(rec(last_name="Lovelace"), ["last_name"], False)
    b = values_of(rec(last_name="Lovegood"), ["last_name"], False)
    assert score(first, a, b) == 1.0
    assert score(last, a, b) is None
    assert blocking_keys(first, a, "base") == blocking_keys(first, b, "match")


def test_case_sensitive_rule_tells_case_apart() -> None:
    rule = RuleLogic.of("c", [{"field": "last_name", "operator": "exact"}], case_sensitive=True)
    a = values_of(rec(last_name="McDonald"), ["last_name"], True)
    b = values_of(rec(last_name="Mcdonald"), ["last_name"], True)
    assert score(rule, a, b) is None


def test_phones_match_whatever_their_format() -> None:
    rule = RuleLogic.of("p", [{"field": "phone", "operator": "exact"}])
    a = values_of(rec(phone="+44 20 7946 0001"), ["phone"], False)
    b = values_of(rec(phone="020-7946-0001", country="GB"), ["phone"], False)
    assert score(rule, a, b) == 1.0


def test_similar_only_rule_files_several_coarse_keys() -> None:
    rule = RuleLogic.of("s", [{"field": "full_name", "operator": "similar"}])
    a = values_of(rec(full_name="Ada Lovelace"), ["full_name"], False)
    b = values_of(rec(full_name="Lovelace Ada"), ["full_name"], False)
    assert blocking_keys(rule, a, "base") & blocking_keys(rule, b, "match")
