"""Stored duplicate groups: written by store_scan, listed per reader, dismissed, merged."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.models import AuditEvent
from leadgate.core.errors import ValidationFailed
from leadgate.dedup.groups import store_scan
from leadgate.dedup.models import DuplicateGroup
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.factories import Api, lead_body


def _store(factory: sessionmaker[Session], api: Api, record_type: str = "lead") -> int:
    with factory() as session, session.begin():
        return store_scan(
            session, Actor(api.user_id, Role.SYSTEM_ADMINISTRATOR, "job"), record_type
        )


def _twins(api: Api, email: str, **extra: Any) -> list[dict[str, Any]]:
    first = api.create("/api/v1/leads", lead_body(email=email, **extra))
    second = api.post(
        "/api/v1/leads?ignore_duplicates=true", lead_body(email=email.upper(), **extra)
    )
    assert second.status_code == 201, second.text
    return [first, second.json()]


def test_scan_stores_groups_that_replace_the_open_ones(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    pair = _twins(admin, "grace@navy.example")
    trio = _twins(admin, "alan@bletchley.example")
    third = admin.post(
        "/api/v1/leads?ignore_duplicates=true", lead_body(email=" Alan@Bletchley.example")
    )
    trio.append(third.json())
    assert _store(session_factory, admin) == 2
    page = admin.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()
    members = sorted(sorted(m["id"] for m in g["members"]) for g in page["items"])
    assert members == sorted([sorted(r["id"] for r in pair), sorted(r["id"] for r in trio)])
    group = page["items"][0]
    assert group["status"] == "open"
    assert group["rule"] == "Leads with the same email"
    assert group["score"] == 1.0
    assert {g["member_count"] for g in page["items"]} == {2, 3}
    # A second scan replaces the open groups instead of adding to them.
    assert _store(session_factory, admin) == 2
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(DuplicateGroup)) == 2


def test_groups_page_by_keyset(admin: Api, session_factory: sessionmaker[Session]) -> None:
    for n in range(5):
        _twins(admin, f"person{n}@paging.example")
    assert _store(session_factory, admin) == 5
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"type": "lead", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = admin.get("/api/v1/duplicate-groups", params=params).json()
        # The first page counts every readable group; later pages do not count again.
        assert body["count"] == (None if cursor else 5)
        seen.extend(g["id"] for g in body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5


def test_a_user_never_sees_a_group_with_a_record_he_cannot_read(
    api_as: Any, admin: Api, session_factory: sessionmaker[Session]
) -> None:
    seller = api_as(Role.SALESPERSON)
    mine = _twins(seller, "mine@own.example")
    # One of the seller's leads and one of the admin's: the seller cannot read the latter.
    seller.create("/api/v1/leads", lead_body(email="shared@mixed.example"))
    admin.post("/api/v1/leads?ignore_duplicates=true", lead_body(email="shared@mixed.example"))
    assert _store(session_factory, admin) == 2
    listed = seller.get("/api/v1/duplicate-groups", params={"type": "lead"})
    assert listed.status_code == 200, listed.text
    visible = listed.json()["items"]
    assert [sorted(m["id"] for m in g["members"]) for g in visible] == [
        sorted(r["id"] for r in mine)
    ]
    everything = admin.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()["items"]
    assert len(everything) == 2
    hidden = next(g for g in everything if g["id"] != visible[0]["id"])
    assert seller.get(f"/api/v1/duplicate-groups/{hidden['id']}").status_code == 404
    assert seller.post(f"/api/v1/duplicate-groups/{hidden['id']}/dismiss").status_code == 404


def test_dismissed_group_leaves_the_list_and_is_not_proposed_again(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    _twins(admin, "dismiss@me.example")
    _store(session_factory, admin)
    (group,) = admin.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()["items"]
    done = admin.post(f"/api/v1/duplicate-groups/{group['id']}/dismiss")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "dismissed"
    again = admin.post(f"/api/v1/duplicate-groups/{group['id']}/dismiss")
    assert again.status_code == 409
    problem = again.json()
    assert (problem["code"], problem["state"], problem["allowed"]) == (
        "invalid_transition", "dismissed", [],
    )  # fmt: skip
    assert problem["detail"].endswith("is dismissed; only an open group can be dismissed")
    assert admin.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()["items"] == []
    dismissed = admin.get(
        "/api/v1/duplicate-groups", params={"type": "lead", "status": "dismissed"}
    ).json()["items"]
    assert [g["id"] for g in dismissed] == [group["id"]]
    assert _store(session_factory, admin) == 0
    with session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_id == uuid.UUID(group["id"]))
        ).all()
    assert actions == ["dismiss"]


def test_read_only_user_may_not_dismiss(
    api_as: Any, admin: Api, session_factory: sessionmaker[Session]
) -> None:
    _twins(admin, "ro@view.example")
    _store(session_factory, admin)
    viewer = api_as(Role.READ_ONLY)
    (group,) = viewer.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()["items"]
    assert viewer.post(f"/api/v1/duplicate-groups/{group['id']}/dismiss").status_code == 403
    assert admin.get(f"/api/v1/duplicate-groups/{group['id']}").json()["status"] == "open"


def test_merging_the_records_marks_the_group_merged_and_undo_reopens_it(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    a, b = _twins(admin, "merge@group.example")
    _store(session_factory, admin)
    (group,) = admin.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()["items"]
    merged = admin.post(
        "/api/v1/merges", {"record_type": "lead", "master_id": a["id"], "other_id": b["id"]}
    )
    assert merged.status_code == 201, merged.text
    after = admin.get(f"/api/v1/duplicate-groups/{group['id']}").json()
    assert after["status"] == "merged"
    assert after["resolved_at"] is not None
    assert admin.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()["items"] == []
    refused = admin.post(f"/api/v1/duplicate-groups/{group['id']}/dismiss")
    assert refused.status_code == 409
    assert (refused.json()["state"], refused.json()["allowed"]) == ("merged", ["reopen"])
    undone = admin.post(f"/api/v1/merges/{merged.json()['id']}/undo")
    assert undone.status_code == 200, undone.text
    assert admin.get(f"/api/v1/duplicate-groups/{group['id']}").json()["status"] == "open"


def test_three_records_stay_open_until_merged_down_to_one(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    a, b = _twins(admin, "three@group.example")
    c = admin.post(
        "/api/v1/leads?ignore_duplicates=true", lead_body(email="Three@Group.example")
    ).json()
    _store(session_factory, admin)
    (group,) = admin.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()["items"]
    for other in (b, c):
        admin.post(
            "/api/v1/merges", {"record_type": "lead", "master_id": a["id"], "other_id": other["id"]}
        )
        status = admin.get(f"/api/v1/duplicate-groups/{group['id']}").json()["status"]
        assert status == ("open" if other is b else "merged")


def test_bad_type_is_refused(admin: Api, session_factory: sessionmaker[Session]) -> None:
    bad = admin.get("/api/v1/duplicate-groups", params={"type": "invoice"})
    assert bad.status_code == 422
    missing = admin.get(f"/api/v1/duplicate-groups/{uuid.uuid4()}")
    assert missing.status_code == 404
    with (
        session_factory() as session,
        session.begin(),
        pytest.raises(ValidationFailed, match="record type"),
    ):
        store_scan(session, Actor(admin.user_id, Role.SYSTEM_ADMINISTRATOR), "invoice")
