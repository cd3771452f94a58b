"""Keyset cursors: opaque, round-trip exactly, and refuse tampering with a 422 on `cursor`."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.core.errors import ValidationFailed
from leadgate.db.paging import (
    MAX_LIMIT,
    check_limit,
    decode_cursor,
    encode_cursor,
    parse_sort,
)
from leadgate.leads.models import Lead
from leadgate.leads.queries import SORTS


def _keys(sort: str):  # type: ignore[no-untyped-def]
    return parse_sort(sort, SORTS, "-created_at", Lead.id)


def _row(**values: object) -> SimpleNamespace:
    return SimpleNamespace(**values)


def test_parse_sort_closes_with_id_in_the_last_direction() -> None:
    keys = _keys("last_name,-created_at")
    assert [(k.name, k.descending) for k in keys] == [
        ("last_name", False),
        ("created_at", True),
        ("id", True),
    ]
    assert [k.name for k in _keys("")] == ["created_at", "id"]  # the default


def test_parse_sort_refuses_unknown_fields_naming_the_allowed_ones() -> None:
    with pytest.raises(ValidationFailed) as refused:
        _keys("-password")
    assert [e.field for e in refused.value.errors] == ["sort"]
    assert "created_at" in refused.value.errors[0].message


@pytest.mark.parametrize(
    ("sort", "row"),
    [
        (
            "-created_at",
            _row(created_at=datetime(2026, 11, 24, 9, 30, 1, 123456, tzinfo=UTC), id=uuid.uuid4()),
        ),
        ("last_name", _row(last_name=None, id=uuid.uuid4())),
        ("last_name", _row(last_name="O'Brien-Ünal 李", id=uuid.uuid4())),
        ("-estimated_value", _row(estimated_value=Decimal("12000.5000"), id=uuid.uuid4())),
        ("score,topic", _row(score=87, topic="20 seats", id=uuid.uuid4())),
    ],
)
def test_a_cursor_round_trips_every_value_type(sort: str, row: SimpleNamespace) -> None:
    keys = _keys(sort)
    cursor = encode_cursor(keys, row)
    assert "=" not in cursor  # URL-safe without padding
    assert decode_cursor(cursor, keys) == [getattr(row, k.column.key) for k in keys]


def test_a_date_value_round_trips() -> None:
    keys = parse_sort(
        "estimated_close_date",
        {"estimated_close_date": Lead.estimated_close_date},
        "estimated_close_date",
        Lead.id,
    )
    row = _row(estimated_close_date=date(2027, 1, 31), id=uuid.uuid4())
    assert decode_cursor(encode_cursor(keys, row), keys) == [date(2027, 1, 31), row.id]


def _b64(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _valid() -> str:
    row = _row(created_at=datetime(2026, 1, 1, tzinfo=UTC), id=uuid.UUID(int=42))
    return encode_cursor(_keys("-created_at"), row)


def _flip(cursor: str, at: int) -> str:
    changed = "B" if cursor[at] == "A" else "A"
    return cursor[:at] + changed + cursor[at + 1 :]


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not a cursor!", id="not-base64"),
        pytest.param(_valid()[:-6], id="truncated"),
        pytest.param(_flip(_valid(), 10), id="sort-name-changed"),
        pytest.param(_flip(_valid(), 1), id="json-broken"),
        pytest.param(_b64([1, 2]), id="json-list"),
        pytest.param(_b64(5), id="json-number"),
        pytest.param(_b64({"s": ["created_at", "id"]}), id="no-values"),
        pytest.param(_b64({"s": ["created_at", "id"], "v": [None]}), id="too-few-values"),
        pytest.param(_b64({"s": ["created_at", "id"], "v": 7}), id="values-not-a-list"),
        pytest.param(
            _b64({"s": ["created_at", "id"], "v": [{"dt": "yesterday"}, None]}), id="bad-datetime"
        ),
        pytest.param(_b64({"s": ["created_at", "id"], "v": [{"zz": "1"}, None]}), id="bad-tag"),
        pytest.param(
            _b64({"s": ["created_at", "id"], "v": [{"dt": "x", "u": "y"}, None]}), id="two-tags"
        ),
        pytest.param(_b64({"s": ["created_at", "id"], "v": [None, {"u": "nope"}]}), id="bad-uuid"),
        pytest.param(
            _b64({"s": ["created_at", "id"], "v": [None, {"n": "1.2.3"}]}), id="bad-decimal"
        ),
    ],
)
def test_a_tampered_cursor_is_refused_on_the_cursor_field(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        decode_cursor(cursor, _keys("-created_at"))
    assert [e.field for e in refused.value.errors] == ["cursor"]


def test_a_cursor_from_another_sort_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        decode_cursor(_valid(), _keys("last_name"))
    assert [e.field for e in refused.value.errors] == ["cursor"]


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_limit_outside_1_to_500_is_refused(limit: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_limit(limit)
    assert [e.field for e in refused.value.errors] == ["limit"]
    assert check_limit(MAX_LIMIT) == MAX_LIMIT


@settings(max_examples=150, deadline=None)
@given(
    name=st.one_of(st.none(), st.text(max_size=100)),
    value=st.one_of(
        st.none(),
        st.decimals(
            min_value=0, max_value=Decimal("999999999999999.9999"), places=4, allow_nan=False
        ),
    ),
    moment=st.datetimes(timezones=st.just(UTC)),
    ident=st.uuids(),
)
def test_any_cursor_round_trips(
    name: str | None, value: Decimal | None, moment: datetime, ident: uuid.UUID
) -> None:
    keys = _keys("last_name,-estimated_value,created_at")
    row = _row(last_name=name, estimated_value=value, created_at=moment, id=ident)
    assert decode_cursor(encode_cursor(keys, row), keys) == [name, value, moment, ident]
