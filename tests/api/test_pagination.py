"""Keyset pagination: every row exactly once, in order, for NOT NULL and nullable sort
keys, ties and mixed directions; counts exact up to a cap and saying so beyond it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker

from leadgate.core.settings import Settings
from leadgate.db import paging
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.security.roles import Role
from leadgate.security.service import actor_for_user
from tests.factories import Api, lead_body, make_user, walk_pages

# Letters only and one capitalisation, so Python, SQLite and PostgreSQL collations agree.
NAMES = ["Adams", "Baker", "Baker", "Clark", None, "Davis", "Evans", None, "Baker", "Fox"]
BASE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@dataclass
class Paged:
    api: Api
    leads: list[Lead]
    connection: Connection


@pytest.fixture(scope="module")
def paged(engine: Engine, _shared_app: tuple[FastAPI, TestClient]) -> Iterator[Paged]:
    """25 leads of one owner, arranged once per module and database: repeated and NULL
    last names, repeated creation times, NULL and repeated estimated values."""
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app, client = _shared_app
    app.state.settings = Settings(env="test", secret_key="x" * 32, database_url="sqlite://")
    app.state.session_factory = app.state.write_session_factory = factory
    made = []
    with factory() as session, session.begin():
        user, token = make_user(session, Role.SYSTEM_ADMINISTRATOR)
        owner = actor_for_user(user, "api")
        for i in range(25):
            body = lead_body(
                last_name=NAMES[i % len(NAMES)],
                estimated_value=None if i % 4 == 0 else str(1000 * (i % 3)),
            )
            # Groups of three leads share a creation time: ties broken by id.
            created = BASE + timedelta(minutes=i // 3)
            made.append(
                create_lead(session, owner, LeadCreate.model_validate(body), created_at=created)
            )
    yield Paged(Api(client, token, user.id), made, connection)
    app.state.session_factory = app.state.write_session_factory = sessionmaker()
    outer.rollback()
    connection.close()


@pytest.fixture
def leads(paged: Paged) -> Iterator[Paged]:
    """The shared leads, inside a SAVEPOINT rolled back after each test."""
    savepoint = paged.connection.begin_nested()
    yield paged
    savepoint.rollback()


def _expected(leads: list[Lead], keys: list[tuple[str, bool]]) -> list[str]:
    """Python's order for `keys` ((column, descending) …, then id in the last direction)."""
    ordered = list(leads)
    keys = [*keys, ("id", keys[-1][1])]
    for name, descending in reversed(keys):  # stable sorts, last key first
        present = [r for r in ordered if getattr(r, name) is not None]
        missing = [r for r in ordered if getattr(r, name) is None]
        present.sort(key=lambda r, n=name: getattr(r, n), reverse=descending)  # type: ignore[misc]
        ordered = present + missing  # NULLs last in both directions
    return [str(r.id) for r in ordered]


SORTS: list[tuple[str, list[tuple[str, bool]]]] = [
    ("-created_at", [("created_at", True)]),
    ("created_at", [("created_at", False)]),
    ("last_name", [("last_name", False)]),
    ("-last_name", [("last_name", True)]),
    ("estimated_value", [("estimated_value", False)]),
    ("last_name,-created_at", [("last_name", False), ("created_at", True)]),
    ("-estimated_value,last_name", [("estimated_value", True), ("last_name", False)]),
]


@pytest.mark.parametrize(("sort", "keys"), SORTS, ids=[s for s, _ in SORTS])
def test_paging_sees_every_lead_once_in_order(
    leads: Paged, sort: str, keys: list[tuple[str, bool]]
) -> None:
    seen, pages = walk_pages(leads.api, sort)
    assert len(seen) == len(set(seen)) == 25
    assert seen == _expected(leads.leads, keys)
    assert [len(p["items"]) for p in pages] == [10, 10, 5]
    assert (pages[0]["count"], pages[0]["count_is_exact"]) == (25, True)
    assert all(p["count"] is None for p in pages[1:])  # counted once, on the first page


def test_the_nullable_sort_puts_null_last_names_at_the_end(leads: Paged) -> None:
    seen, pages = walk_pages(leads.api, "last_name", limit=7)
    names = [item["last_name"] for page in pages for item in page["items"]]
    nulls = names.count(None)
    assert nulls == sum(1 for r in leads.leads if r.last_name is None) == 5
    assert names[-nulls:] == [None] * nulls
    assert names[:-nulls] == sorted(n for n in names if n is not None)
    assert len(set(seen)) == 25


def test_a_page_exactly_full_has_no_next_cursor(leads: Paged) -> None:
    seen, pages = walk_pages(leads.api, "-created_at", limit=5)
    assert [len(p["items"]) for p in pages] == [5, 5, 5, 5, 5]
    assert len(set(seen)) == 25
    whole = leads.api.get("/api/v1/leads", params={"limit": 25}).json()
    assert (len(whole["items"]), whole["next_cursor"]) == (25, None)


def test_filters_and_search_page_too(leads: Paged) -> None:
    baker = [str(r.id) for r in leads.leads if r.last_name == "Baker"]
    seen: list[str] = []
    params: dict[str, Any] = {"q": "baker", "limit": 2, "sort": "created_at"}
    while True:
        page = leads.api.get("/api/v1/leads", params=params).json()
        seen.extend(item["id"] for item in page["items"])
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(baker)
    first = leads.api.get("/api/v1/leads", params={"q": "baker", "limit": 2}).json()
    assert first["count"] == len(baker)


def test_counts_stop_at_the_cap_and_say_so(leads: Paged, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 20)
    page = leads.api.get("/api/v1/leads", params={"limit": 10}).json()
    assert (page["count"], page["count_is_exact"]) == (20, False)
    monkeypatch.setattr(paging, "COUNT_CAP", 25)
    page = leads.api.get("/api/v1/leads", params={"limit": 10}).json()
    assert (page["count"], page["count_is_exact"]) == (25, True)
