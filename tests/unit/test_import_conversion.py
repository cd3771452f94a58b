"""Import value conversion, header mapping and file sniffing without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from leadgate.core.errors import ValidationFailed
from leadgate.imports.convert import ConversionError, convert
from leadgate.imports.export import neutralise
from leadgate.imports.mapping import auto_map, build_mapping
from leadgate.imports.reading import detect_delimiter, detect_encoding


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("$ 12,000", "12000"),
        ("12000,5", "12000.5"),
        ("1.000.000", "1000000"),
        ("EUR 99", "99"),
        (1250000.5, "1250000.5"),
    ],
)
def test_money(text: object, amount: str) -> None:
    assert convert("estimated_value", text) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("31/12/2026", date(2026, 12, 31)),
        ("31.12.2026", date(2026, 12, 31)),
        ("Dec 31, 2026", date(2026, 12, 31)),
        ("2026-12-31T10:00:00", date(2026, 12, 31)),
    ],
)
def test_dates(text: str, day: date) -> None:
    assert convert("estimated_close_date", text) == day


@pytest.mark.parametrize("text", ["3000-01-01", "yesterday", "31/31/2026"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ConversionError):
        convert("estimated_close_date", text)


def test_booleans_options_and_countries() -> None:
    assert convert("do_not_email", "Yes") is True
    assert convert("do_not_email", "0") is False
    with pytest.raises(ConversionError):
        convert("do_not_email", "maybe")
    assert convert("rating", "Hot") == "hot"
    assert convert("lead_source", "Trade Show") == "trade_show"
    assert convert("lead_source", "Organic Search") == "web"
    assert convert("country", "Germany") == "DE"
    assert convert("country", "usa") == "US"
    assert convert("country", "Atlantis") == "Atlantis"
    assert convert("email", " <Ada@X.example> ") == "ada@x.example"
    assert convert("phone", 14155550123.0) == "14155550123"
    assert convert("topic", "  ") is None


def test_headers_of_other_crms_map_automatically() -> None:
    dynamics = ["Topic", "First Name", "Last Name", "Company Name", "Business Phone", "Email"]
    salesforce = ["Lead Owner", "Company", "Email", "Phone", "Lead Source", "Annual Revenue"]
    hubspot = ["Record ID", "First Name", "Email", "Phone Number", "Company Name", "Lead Status"]
    odoo = ["Opportunity", "Customer", "Email", "Phone", "Expected Revenue", "Expected Closing"]
    assert auto_map("lead", dynamics) == {
        "Topic": "topic", "First Name": "first_name", "Last Name": "last_name",
        "Company Name": "company_name", "Business Phone": "phone", "Email": "email",
    }  # fmt: skip
    assert auto_map("lead", salesforce)["Lead Source"] == "lead_source"
    assert auto_map("lead", hubspot)["Record ID"] == "external_key"
    assert auto_map("lead", odoo)["Expected Closing"] == "estimated_close_date"
    assert auto_map("lead", ["id", "external_key"]) == {"external_key": "external_key"}


def test_mapping_overrides_and_required_fields() -> None:
    mapping = build_mapping("lead", ["Betreff", "Email"], overrides={"Betreff": "topic"})
    assert mapping == {"Betreff": "topic", "Email": "email"}
    with pytest.raises(ValidationFailed) as missing:
        build_mapping("lead", ["Email"])
    assert missing.value.errors[0].field == "mapping.topic"
    with pytest.raises(ValidationFailed) as unknown:
        build_mapping("lead", ["Topic"], overrides={"Topic": "shoe_size"})
    assert unknown.value.errors[0].field == "mapping.Topic"


def test_encoding_and_delimiter_sniffing() -> None:
    assert detect_encoding("Müller".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfTopic") == "utf-8-sig"
    assert detect_encoding("Müller".encode("latin-1")) == "cp1252"
    assert detect_delimiter("a;b;c\n") == ";"
    assert detect_delimiter("a\tb\tc\n") == "\t"
    assert detect_delimiter("a,b;c,d\n") == ","


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("plain") == "plain"
