"""The duplicate review page: stored groups, merge into a chosen record, dismiss."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.dedup.groups import store_scan
from leadgate.dedup.models import DuplicateGroup
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.web.conftest import Browser


def _twins(factory: sessionmaker[Session], browser: Browser, email: str, role: Role) -> list[str]:
    who = Actor(browser.user_id, role, "web")
    with factory() as session, session.begin():
        leads = [
            create_lead(session, who, LeadCreate(topic=f"{topic} {email}", email=address))
            for topic, address in (("First", email), ("Second", email.upper()))
        ]
        return [str(lead.id) for lead in leads]


def _scan(factory: sessionmaker[Session], browser: Browser) -> int:
    with factory() as session, session.begin():
        return store_scan(session, Actor(browser.user_id, Role.SYSTEM_ADMINISTRATOR), "lead")


def _status(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(DuplicateGroup.status)))


def test_review_merge_into_the_chosen_record(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    manager = web_as(Role.SALES_MANAGER)
    first, second = _twins(session_factory, manager, "twin@review.example", Role.SALES_MANAGER)
    assert _scan(session_factory, manager) == 1
    assert "Review duplicates" in manager.get("/leads").text
    page = manager.get("/duplicates?type=lead")
    assert page.status_code == 200, page.text
    assert f'href="/leads/{first}"' in page.text
    assert f'href="/leads/{second}"' in page.text
    assert "Leads with the same email" in page.text
    (group_id,) = [str(g) for g in _ids(session_factory)]
    merged = manager.post(f"/duplicates/groups/{group_id}/merge", {"master_id": second})
    assert merged.status_code == 303, merged.text
    assert merged.headers["location"] == f"/leads/{second}"
    assert _status(session_factory) == ["merged"]
    with session_factory() as session:
        assert session.get_one(Lead, uuid.UUID(first)).merged_into_id is not None
    assert 'id="no-groups"' in manager.get("/duplicates?type=lead").text


def _ids(factory: sessionmaker[Session]) -> list[object]:
    with factory() as session:
        return list(session.scalars(select(DuplicateGroup.id)))


def test_review_dismiss_and_a_bad_master_is_refused(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    manager = web_as(Role.SALES_MANAGER)
    _twins(session_factory, manager, "pair@review.example", Role.SALES_MANAGER)
    _scan(session_factory, manager)
    (group_id,) = [str(g) for g in _ids(session_factory)]
    bad = manager.post(f"/duplicates/groups/{group_id}/merge", {"master_id": "nope"})
    assert bad.status_code == 422
    assert _status(session_factory) == ["open"]
    dismissed = manager.post(f"/duplicates/groups/{group_id}/dismiss")
    assert dismissed.status_code == 303, dismissed.text
    assert _status(session_factory) == ["dismissed"]


def test_a_seller_does_not_see_groups_of_records_he_cannot_read(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    manager = web_as(Role.SALES_MANAGER)
    _twins(session_factory, manager, "hidden@review.example", Role.SALES_MANAGER)
    _scan(session_factory, manager)
    seller = web_as(Role.SALESPERSON)
    page = seller.get("/duplicates?type=lead")
    assert page.status_code == 200
    assert "hidden@review.example" not in page.text
    assert 'id="no-groups"' in page.text
    (group_id,) = [str(g) for g in _ids(session_factory)]
    assert seller.post(f"/duplicates/groups/{group_id}/dismiss").status_code == 404
