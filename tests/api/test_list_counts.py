"""First-page counts of lead lists: exact up to the cap, live rows only, then capped."""

from __future__ import annotations

import pytest

from leadgate.db import paging
from tests.factories import Api, lead_body


def _mine(api: Api) -> str:
    return f"/api/v1/leads?owner_id={api.user_id}&state=open&limit=2"


def test_first_page_counts_only_live_matching_leads(admin: Api) -> None:
    created = [admin.create("/api/v1/leads", lead_body()) for _ in range(3)]
    gone = created[0]
    deleted = admin.delete(f"/api/v1/leads/{gone['id']}", etag='"1"')
    assert deleted.status_code == 204
    first = admin.get(_mine(admin)).json()
    assert first["count"] == 2
    assert first["count_is_exact"] is True
    assert {item["id"] for item in first["items"]} == {c["id"] for c in created[1:]}
    assert first["next_cursor"] is None


def test_count_beyond_the_cap_says_it_is_not_exact(
    admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    for _ in range(4):
        admin.create("/api/v1/leads", lead_body())
    first = admin.get(_mine(admin)).json()
    assert first["count"] == 2
    assert first["count_is_exact"] is False
    assert len(first["items"]) == 2
    second = admin.get(_mine(admin) + f"&cursor={first['next_cursor']}").json()
    assert second["count"] is None
    assert len(second["items"]) == 2
