"""Text search and paging within what the user may see."""

from __future__ import annotations

from leadgate.security.roles import Role
from tests.factories import Api, lead_body, walk_pages


def test_a_cursor_does_not_cross_to_other_users_records(api_as) -> None:  # type: ignore[no-untyped-def]
    """A salesperson paging their leads never reaches a colleague's, whatever the cursor."""
    me, colleague = api_as(Role.SALESPERSON), api_as(Role.SALESPERSON)
    for api, n in ((me, 3), (colleague, 4)):
        for _ in range(n):
            api.create("/api/v1/leads", lead_body())
    seen, _ = walk_pages(me, "-created_at", limit=2)
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
