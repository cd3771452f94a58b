from __future__ import annotations

import pytest

from leadgate.scoring.fields import (
    FieldKind,
    as_category,
    as_number,
    is_missing,
    looks_like_email,
    profile_field,
)
from leadgate.scoring.signals import completeness, email_domain_kind, with_signals


@pytest.mark.parametrize(
    "value", [None, "", "  ", "Select", "select ", "Unknown", "N/A", "-", float("nan")]
)
def test_placeholders_count_as_missing(value: object) -> None:
    assert is_missing(value)
    assert as_category(value) is None
    assert as_number(value) is None


@pytest.mark.parametrize("value", ["0", "No", "Selected", 0, False])
def test_real_answers_are_not_missing(value: object) -> None:
    assert not is_missing(value)


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3.0), (" 2.5 ", 2.5), ("12,5", 12.5), ("1,234", 1234.0), ("1,234,567.5", 1234567.5)],
)
def test_numbers_parse_with_either_decimal_mark(text: str, number: float) -> None:
    assert as_number(text) == number


def test_kinds_are_inferred_from_values() -> None:
    assert profile_field("n", ["1", "2", "3.5", "", "Select"]).kind is FieldKind.NUMERIC
    assert profile_field("c", ["a", "b", "a", "B ", None]).kind is FieldKind.CATEGORICAL
    assert profile_field("c", ["a", "b", "a"]).distinct == 2
    ids = [f"id-{i}" for i in range(200)]
    assert profile_field("i", ids).kind is FieldKind.IDENTIFIER
    text = [f"note {i % 120}" for i in range(400)]
    assert profile_field("t", text).kind is FieldKind.TEXT
    assert profile_field("e", ["", "Select", None]).kind is FieldKind.EMPTY
    assert profile_field("b", [True, False, True]).kind is FieldKind.CATEGORICAL


def test_email_domain_kind_and_completeness() -> None:
    assert email_domain_kind("Ann@Gmail.com") == "free"
    assert email_domain_kind("ann@contoso.io") == "corporate"
    assert email_domain_kind("not an address") is None
    assert email_domain_kind("") is None
    assert looks_like_email(["a@b.com", "c@d.org", ""])
    assert not looks_like_email(["a@b.com", "nope", "nope", "x"])
    assert completeness({"a": "1", "b": "Select", "c": None}, ["a", "b", "c", "d"]) == 0.25
    rows = with_signals(
        [{"e1": "x@gmail.com", "e2": "y@acme.com", "a": ""}],
        email_fields=["e1", "e2"],
        completeness_fields=["e1", "a"],
    )
    assert rows[0]["Email domain kind"] == "corporate"
    assert rows[0]["Field completeness"] == 0.5
