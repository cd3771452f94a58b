"""The compiled column checks (`imports.columns`) against the row-wise path they shortcut:
for any row, `prepare_row` must give the same outcome with them as without them (the same
refusals with the same messages, or the same converted values, validated model and
duplicate-check draft), the first time a cell is seen and when it is remembered."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadgate.imports.batch import Prepared, RowContext, RowResult
from leadgate.imports.columns import compile_columns
from leadgate.imports.rows import prepare_row
from leadgate.imports.targets import TARGETS

LEAD_COLUMNS = ["topic", "first_name", "last_name", "company_name", "email", "phone", "city",
                "country", "estimated_value", "lead_source", "rating", "estimated_close_date",
                "external_key", "do_not_email", "employee_count", "currency",
                "website"]  # fmt: skip
ACCOUNT_COLUMNS = ["name", "email", "phone", "annual_revenue", "relationship_type", "country",
                   "currency", "account_number"]  # fmt: skip


def contexts(record_type: str, fields: list[str], vendor: str | None) -> tuple[RowContext, ...]:
    target = TARGETS[record_type]
    columns = list(enumerate(fields))
    rowwise = RowContext(target, columns, len(fields), "skip", vendor)
    fixed = {"list_vendor": vendor} if vendor and target.upsert_by_vendor_key else {}
    compiled = compile_columns(target.create_schema, columns, fixed)
    assert compiled is not None
    return rowwise, replace(rowwise, compiled=compiled)


def outcome(result: Prepared | RowResult) -> Any:
    if isinstance(result, RowResult):
        return ("failed", result.errors)
    draft = {k: v for k, v in vars(result.unsaved).items() if k != "id"}
    data = result.data
    return (result.values, data.model_dump(), data.model_fields_set, type(data), draft)


def same_outcome(rowwise: RowContext, fast: RowContext, cells: list[Any]) -> None:
    expected = outcome(prepare_row(rowwise, 7, cells))
    assert outcome(prepare_row(fast, 7, cells)) == expected
    assert outcome(prepare_row(fast, 7, cells)) == expected  # remembered this time


TRICKY = {
    "topic": ["Seats", "  padded  ", "x" * 300, "x" * 301, "=SUM(A1:A2)", " =1+1", "'=kept",
              "'+1 415", "", "   ", "Café ☕", "a\u00a0b", "\u2003spaced\u2003"],
    "first_name": ["Ada", "x" * 100, "y" * 101, "", "Zoë"],
    "last_name": ["Lovelace", "", "L" * 101, "O'Brien"],
    "company_name": ["ACME, Inc.", "c" * 200, "c" * 201, ""],
    "email": ["ada@x.example", "Ada@X.Example", " <ada@x.example> ", "not-an-email",
              "a..b@x.example", "a@b", "a@localhost", "a@x.test", "a@x.local",
              "ada@xn--bcher-kva.example", "ada@bücher.example", "äda@x.example",
              "a" * 64 + "@x.example", "a" * 65 + "@x.example",
              "a@" + "d" * 63 + ".example", "a@" + "d" * 64 + ".example", "a@-x.example",
              "a@x-.example", "a@ab--cd.example", "a@x.123", "a.@x.example", ".a@x.example",
              "a+tag@x.example", "a@x..example", "a@x.example.", "u" * 60 + "@" + "d" * 60 + "."
              + "e" * 60 + "." + "f" * 60 + ".com", "info@company7.example", "Postmaster@x.example",
              "a@1.example", "a@company12.example", "a b@x.example", "a@x_y.example", ""],
    "phone": ["+1 415 555 0123", "(415) 555-0123", "12", "call me", "+44 20 7946 0000",
              "4" * 51, "+1 415 555 0123 x12", ""],
    "city": ["Springfield", "s" * 101, ""],
    "country": ["US", "Germany", "usa", "Atlantis", "DEU", "c" * 101, ""],
    "estimated_value": ["1,234.56", "1.234,56", "12.000,50", "-5", "abc", "1e5", "$ 12,000",
                        "99999999999999999999", "0.00001", "1.000.000", ""],
    "lead_source": ["web", "Trade Show", "Organic Search", "carrier pigeon", ""],
    "rating": ["hot", "Hot", "A", "scorching", ""],
    "estimated_close_date": ["2026-12-31", "31/12/2026", "3000-01-01", "1899-12-31", "yesterday",
                             "31/31/2026", "Dec 31, 2026", ""],
    "external_key": ["B0000001", "k" * 100, "k" * 101, ""],
    "do_not_email": ["Yes", "no", "maybe", "1", ""],
    "employee_count": ["12", "1,200", "12.5", "-1", "20000000", ""],
    "currency": ["usd", "EUR", "XXY", "dollars", ""],
    "website": ["https://x.example", "w" * 401, ""],
}  # fmt: skip


@pytest.mark.parametrize("field", LEAD_COLUMNS)
def test_each_tricky_cell_gives_the_same_outcome(field: str) -> None:
    rowwise, fast = contexts("lead", LEAD_COLUMNS, "vendor")
    base = {name: TRICKY[name][0] for name in LEAD_COLUMNS}
    for value in TRICKY[field]:
        same_outcome(
            rowwise, fast, [base[name] if name != field else value for name in LEAD_COLUMNS]
        )


def test_cells_of_other_types_xlsx_gives_and_short_rows() -> None:
    from datetime import date, datetime

    rowwise, fast = contexts("lead", LEAD_COLUMNS, None)
    base = [TRICKY[name][0] for name in LEAD_COLUMNS]
    for index, value in [(0, 12.0), (0, 12.5), (0, True), (5, 14155550123.0), (8, 1250000.5),
                         (8, True), (11, datetime(2026, 1, 2, 3, 4)), (11, date(3000, 1, 1)),
                         (14, 12.0), (14, 12.5), (13, False), (0, None)]:  # fmt: skip
        cells: list[Any] = list(base)
        cells[index] = value
        same_outcome(rowwise, fast, cells)
    same_outcome(rowwise, fast, base[:3])  # a row shorter than the header


def test_a_vendor_name_the_schema_refuses_takes_no_fast_path() -> None:
    target = TARGETS["lead"]
    assert compile_columns(target.create_schema, [(0, "topic")], {"list_vendor": "v" * 101}) is None


def test_schemas_with_validators_of_their_own_are_not_compiled() -> None:
    assert compile_columns(TARGETS["contact"].create_schema, [(0, "last_name")], {}) is None
    assert compile_columns(TARGETS["opportunity"].create_schema, [(0, "name")], {}) is None


def test_account_rows() -> None:
    rowwise, fast = contexts("account", ACCOUNT_COLUMNS, None)
    blank = [""] * 7
    for cells in (
        ["Acme", "a@x.example", "+1 415 555 0123", "1,000", "Customer", "DE", "eur", "A1"],
        ["", "a@x.example", *blank[1:]],
        ["Acme", *blank],
        ["Acme", "bad", "", "", "nonsense", "", "", ""],
        ["  ", *blank],
        ["x" * 201, *blank],
    ):
        same_outcome(rowwise, fast, cells)


cell = st.one_of(
    *(st.sampled_from(values) for values in TRICKY.values()),
    st.text(max_size=12),
    st.text(alphabet="aA0.@-_+ ,'=\u00e9\u00a0xn", max_size=24),
    st.from_regex(r"[a-z0-9.+_-]{1,70}@[a-z0-9-]{1,8}(\.[a-z0-9-]{1,8}){0,2}", fullmatch=True),
    st.from_regex(r"[+(]?[0-9 ().-]{5,18}", fullmatch=True),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(cell, min_size=len(LEAD_COLUMNS), max_size=len(LEAD_COLUMNS)),
        min_size=1,
        max_size=4,
    )
)
def test_any_rows_give_the_same_outcome(rows: list[list[Any]]) -> None:
    rowwise, fast = contexts("lead", LEAD_COLUMNS, "vendor")
    for cells in rows:
        same_outcome(rowwise, fast, cells)
