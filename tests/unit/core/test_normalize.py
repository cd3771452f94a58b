"""Normalised keys used to match the same party written differently."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.core.normalize import (
    company_key,
    email_key,
    is_plausible_phone,
    phone_key,
    region_for,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  ada@example.com\t", "ada@example.com"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_email_key_is_trimmed_and_lower_case(raw: str | None, key: str | None) -> None:
    assert email_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "country", "key"),
    [
        ("+44 20 7946 0000", None, "+442079460000"),
        ("020 7946 0000", "GB", "+442079460000"),
        ("020-7946-0000", "united kingdom", "+442079460000"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("202.555.0143", "USA", "+12025550143"),
        ("+1 202 555 0143", "DE", "+12025550143"),  # its own + prefix wins over the country
        ("030 1234567", "de", "+49301234567"),
    ],
)
def test_phone_key_is_e164_when_the_country_is_known(
    raw: str, country: str | None, key: str
) -> None:
    assert phone_key(raw, country) == key


def test_phone_key_without_a_country_keeps_the_digits() -> None:
    assert phone_key("202 555 0143") == "2025550143"
    assert phone_key("202-555-0143 x12") == "2025550143"  # the extension is not the number
    assert phone_key("202-555-0143 X12") == "2025550143"
    assert phone_key("202-555-0143 Ext. 12") == "2025550143"
    assert phone_key("020 7946 0000 ext. 12", "GB") == "+442079460000"
    assert phone_key("202 555 0143", "Atlantis") == "2025550143"  # unknown country name


def test_phone_key_of_nothing_is_none() -> None:
    assert phone_key(None) is None
    assert phone_key("  ") is None


def test_the_same_number_written_three_ways_has_one_key() -> None:
    keys = {
        phone_key("+44 20 7946 0000"),
        phone_key("020 7946 0000", "GB"),
        phone_key("(020) 7946-0000", "United Kingdom"),
    }
    assert keys == {"+442079460000"}


@pytest.mark.parametrize(
    ("country", "region"),
    [("gb", "GB"), ("Germany", "DE"), ("  usa ", "US"), ("Atlantis", None), (None, None)],
)
def test_region_for_understands_codes_and_common_names(
    country: str | None, region: str | None
) -> None:
    assert region_for(country) == region


@pytest.mark.parametrize(
    ("raw", "plausible"),
    [
        ("+44 20 7946 0000", True),
        ("(202) 555-0143", True),
        ("202.555.0143 ext. 12", True),
        ("12345", False),  # too short
        ("+1234567890123456", False),  # more than E.164's 15 digits
        ("call me maybe", False),
        ("555-CALL-NOW", False),
    ],
)
def test_is_plausible_phone(raw: str, plausible: bool) -> None:
    assert is_plausible_phone(raw) is plausible


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme", "acme"),
        ("ACME, Inc.", "acme"),
        ("Acme Inc", "acme"),
        ("acme corp.", "acme"),
        ("Acme Ltd.", "acme"),
        ("A.C.M.E. GmbH", "acme"),
        ("Acme Holdings Pty Ltd", "acmeholdings"),  # several suffixes in a row all go
        ("Smith & Sons LLC", "smithandsons"),
        ("Müller Söhne AG", "mullersohne"),
        ("Group", "group"),  # a name that is only a suffix keeps it
        ("Weiß GmbH", "weiss"),
        ("Ørsted A/S", "ørsted"),
        ("Société Générale S.A.", "societegenerale"),
        ("Газпром", "газпром"),
        ("トヨタ", "トヨタ"),
        ("", None),
        ("  ", None),
        (None, None),
        ("!!!", None),
    ],
)
def test_company_key_ignores_case_punctuation_and_legal_suffixes(
    name: str | None, key: str | None
) -> None:
    assert company_key(name) == key


def test_a_legal_suffix_only_counts_at_the_end() -> None:
    assert company_key("Inc Solutions") == "incsolutions"
    assert company_key("Co-operative Bank") == "cooperativebank"


def test_letters_outside_ascii_are_kept_not_dropped() -> None:
    assert company_key("Großhandel Weiß GmbH") == company_key("GROSSHANDEL WEISS GMBH")
    assert company_key("Ærø Shipping") != company_key("R Shipping")
    assert company_key("Østergaard") != company_key("Stergaard")


def test_the_key_fits_its_column_even_when_folding_lengthens_the_name() -> None:
    name = "ß" * 200  # 200 characters that fold to 400
    key = company_key(name)
    assert key is not None
    assert len(key) == 200


_WORDS = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1), min_size=1)


@given(words=_WORDS, separators=st.lists(st.sampled_from([" ", ", ", "-", ". ", " & "])))
def test_company_key_ignores_case_and_separators(words: list[str], separators: list[str]) -> None:
    plain = " ".join(words)
    seps = separators or [" "]
    written = "".join(w + seps[i % len(seps)] for i, w in enumerate(words)).upper()
    if "&" in written:
        return  # "&" reads as "and", a word of its own
    assert company_key(written) == company_key(plain)


@given(words=_WORDS, suffix=st.sampled_from(["Inc.", "LLC", "GmbH", "Ltd", "S.A.", "A/S", "plc"]))
def test_company_key_drops_a_trailing_legal_suffix(words: list[str], suffix: str) -> None:
    name = " ".join(words)
    assert company_key(f"{name}, {suffix}") == company_key(name)


def _parsed_e164(raw: str, region: str | None) -> str | None:
    """phonenumbers' own answer (what phone_key gave before its North American shortcut)."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(raw, None if raw.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_separator = st.sampled_from(["", " ", "-", ".", "  ", "/", "--"])


@settings(max_examples=400)
@given(
    plus=st.sampled_from(["", "+1", "+1 ", "+1-", "+1.", "+ 1", "1 ", "+12", "+"]),
    area=st.from_regex(r"[0-9]{2,4}", fullmatch=True),
    bracketed=st.sampled_from(["()", "", "(", ")"]),
    exchange=st.from_regex(r"[0-9]{2,4}", fullmatch=True),
    line=st.from_regex(r"[0-9]{3,5}", fullmatch=True),
    seps=st.tuples(_separator, _separator),
    region=st.sampled_from(["US", "CA", "GB", "DE", "MX", "JM", None]),
)
def test_north_american_shortcut_gives_what_phonenumbers_gives(
    plus: str,
    area: str,
    bracketed: str,
    exchange: str,
    line: str,
    seps: tuple[str, str],
    region: str | None,
) -> None:
    opening, closing = (bracketed + "  ")[:2] if bracketed else ("", "")
    raw = f"{plus}{opening.strip()}{area}{closing.strip()}{seps[0]}{exchange}{seps[1]}{line}"
    key = phone_key(raw, region)
    if raw.startswith("+") or region:
        expected = _parsed_e164(raw, region)
        if expected is not None:
            assert key == expected
    if key is not None and key.startswith("+1") and len(key) == 12:
        assert key == _parsed_e164(raw, region)


@pytest.mark.parametrize(
    ("raw", "country", "key"),
    [
        ("+1 415 555 0123", None, "+14155550123"),
        ("+1 (415) 555-0123", "DE", "+14155550123"),
        ("(415) 555-0123", "CA", "+14155550123"),
        ("(415) 555-0123", "DE", "+494155550123"),  # no +1 and not North America: parsed
        ("(415 555-0123", "US", "+14155550123"),  # unbalanced: parsed, same answer
        ("+1 115 555 0123", None, "+11155550123"),  # area code 1xx: parsed
    ],
)
def test_north_american_numbers(raw: str, country: str | None, key: str) -> None:
    assert phone_key(raw, country) == key
