"""Keyset pagination: every row exactly once, in order, for NOT NULL and nullable sort
keys, ties and mixed directions; counts exact up to a cap and saying so beyond it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from leadgate.db import paging
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.security.models import User
from leadgate.security.service import actor_for_user
from tests.factories import Api, lead_body

# Letters only and one capitalisation, so Python, SQLite and PostgreSQL collations agree.
NAMES = ["Adams", "Baker", "Baker", "Clark", None, "Davis", "Evans", None, "Baker", "Fox"]
BASE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def leads(admin: Api, session_factory: sessionmaker[Session]) -> list[Lead]:
    """25 leads of one owner: repeated and NULL last names, repeated creation times,
    NULL and repeated estimated values."""
    made = []
    with session_factory() as session, session.begin():
        user = session.get(User, admin.user_id)
        assert user is not None
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
    return made


def _walk(api: Api, sort: str, limit: int = 10) -> tuple[list[str], list[dict[str, Any]]]:
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"sort": sort, "limit": limit}
    while True:
        response = api.get("/api/v1/leads", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        ids.extend(item["id"] for item in page["items"])
        if page["next_cursor"] is None:
            return ids, pages
        params["cursor"] = page["next_cursor"]
        assert len(pages) < 10, "paging does not end"


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
    admin: Api, leads: list[Lead], sort: str, keys: list[tuple[str, bool]]
) -> None:
    seen, pages = _walk(admin, sort)
    assert len(seen) == len(set(seen)) == 25
    assert seen == _expected(leads, keys)
    assert [len(p["items"]) for p in pages] == [10, 10, 5]
    assert (pages[0]["count"], pages[0]["count_is_exact"]) == (25, True)
    assert all(p["count"] is None for p in pages[1:])  # counted once, on the first page


def test_the_nullable_sort_puts_null_last_names_at_the_end(admin: Api, leads: list[Lead]) -> None:
    seen, pages = _walk(admin, "last_name", limit=7)
    names = [item["last_name"] for page in pages for item in page["items"]]
    nulls = names.count(None)
    assert nulls == sum(1 for r in leads if r.last_name is None) == 5
    assert names[-nulls:] == [None] * nulls
    assert names[:-nulls] == sorted(n for n in names if n is not None)
    assert len(set(seen)) == 25


def test_a_page_exactly_full_has_no_next_cursor(admin: Api, leads: list[Lead]) -> None:
    seen, pages = _walk(admin, "-created_at", limit=5)
    assert [len(p["items"]) for p in pages] == [5, 5, 5, 5, 5]
    assert len(set(seen)) == 25
    whole = admin.get("/api/v1/leads", params={"limit": 25}).json()
    assert (len(whole["items"]), whole["next_cursor"]) == (25, None)


def test_filters_and_search_page_too(admin: Api, leads: list[Lead]) -> None:
    baker = [str(r.id) for r in leads if r.last_name == "Baker"]
    seen: list[str] = []
    params: dict[str, Any] = {"q": "baker", "limit": 2, "sort": "created_at"}
    while True:
        page = admin.get("/api/v1/leads", params=params).json()
        seen.extend(item["id"] for item in page["items"])
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(baker)
    first = admin.get("/api/v1/leads", params={"q": "baker", "limit": 2}).json()
    assert first["count"] == len(baker)


def test_counts_stop_at_the_cap_and_say_so(
    admin: Api, leads: list[Lead], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 20)
    page = admin.get("/api/v1/leads", params={"limit": 10}).json()
    assert (page["count"], page["count_is_exact"]) == (20, False)
    monkeypatch.setattr(paging, "COUNT_CAP", 25)
    page = admin.get("/api/v1/leads", params={"limit": 10}).json()
    assert (page["count"], page["count_is_exact"]) == (25, True)


def test_a_cursor_does_not_cross_to_other_users_records(
    api_as, session_factory: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    """A salesperson paging their leads never reaches a colleague's, whatever the cursor."""
    from leadgate.security.roles import Role

    me, colleague = api_as(Role.SALESPERSON), api_as(Role.SALESPERSON)
    for api, n in ((me, 3), (colleague, 4)):
        for _ in range(n):
            api.create("/api/v1/leads", lead_body())
    seen, _ = _walk(me, "-created_at", limit=2)
    mine = me.get("/api/v1/leads", params={"owner_id": str(me.user_id)}).json()["items"]
    assert sorted(seen) == sorted(item["id"] for item in mine)
    assert len(seen) == 3


def test_text_search_treats_like_wildcards_as_text(admin: Api) -> None:
    for topic in ("50% off licences", "500 seats", "snake_case rollout", "snakeXcase pilot"):
        admin.create("/api/v1/leads", lead_body(topic=topic))

    def found(q: str) -> list[str]:
        response = admin.get("/api/v1/leads", params={"q": q, "sort": "topic"})
        assert response.status_code == 200, response.text
        return [item["topic"] for item in response.json()["items"]]

    assert found("50%") == ["50% off licences"]
    assert found("SNAKE_case") == ["snake_case rollout"]
    assert sorted(found("ake")) == ["snakeXcase pilot", "snake_case rollout"]
    assert found("\\") == []
