"""The permission engine as a matrix: role x record x operation.

- system_administrator and sales_manager read and write everything;
- a salesperson reads and writes their own leads and opportunities and does not
  see anyone else's (404 on get / update / delete / actions / timeline, absent
  from lists); reads everyone's accounts, contacts, activities and notes but
  changes only their own (403);
- read_only reads everything and writes nothing (403).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.settings import Settings
from leadgate.db.records import model_for
from leadgate.security.roles import Role
from leadgate.security.service import actor_for_user
from tests.factories import (
    RECORD_URLS,
    Api,
    account_body,
    activity_body,
    contact_body,
    lead_body,
    make_record,
    make_user,
    note_body,
    opportunity_body,
    problem_of,
)

ADMIN, MANAGER, SELLER, READER = (
    Role.SYSTEM_ADMINISTRATOR,
    Role.SALES_MANAGER,
    Role.SALESPERSON,
    Role.READ_ONLY,
)
SALES = {"lead", "opportunity"}
PATCHES: dict[str, dict[str, Any]] = {
    "lead": {"rating": "cold"},
    "opportunity": {"probability": 10},
    "account": {"industry": "retail"},
    "contact": {"job_title": "CFO"},
    "activity": {"priority": "high"},
    "note": {"title": "Budget"},
}
# A write action per record that has one; a timeline per record that has one.
ACTIONS = {"lead": "mark-contacted", "opportunity": "hold", "activity": "complete"}
TIMELINES = {"lead", "opportunity", "account", "contact"}


@dataclass(frozen=True)
class Who:
    role: Role
    owns: bool  # does the acting user own the record?

    def __str__(self) -> str:
        return f"{self.role.value}-{'own' if self.owns else 'others'}"


WHO = [
    Who(ADMIN, False),
    Who(MANAGER, False),
    Who(SELLER, True),
    Who(SELLER, False),
    Who(READER, False),
]
OPS = ["list", "get", "update", "delete", "action", "timeline"]


def _cases() -> list[Any]:
    cases = []
    for who in WHO:
        for record in RECORD_URLS:
            for op in OPS:
                if (op == "action" and record not in ACTIONS) or (
                    op == "timeline" and record not in TIMELINES
                ):
                    continue
                cases.append(pytest.param(who, record, op, id=f"{who}-{record}-{op}"))
    return cases


def expected(who: Who, record: str, op: str) -> str:
    """ "ok", "hidden" (404 / absent from lists) or "forbidden" (403)."""
    reads = op in ("list", "get", "timeline")
    if who.role in (ADMIN, MANAGER) or who.owns:
        return "ok"
    if who.role is SELLER and record in SALES:
        return "hidden"
    return "ok" if reads else "forbidden"


OK_STATUS = {"get": 200, "update": 200, "delete": 204, "action": 200, "timeline": 200}


@dataclass
class World:
    """Users of every role and one record of each type owned by `me` (a salesperson) and
    by `other` (another salesperson), arranged once per module and database. Each test
    runs inside a SAVEPOINT that is rolled back, so every test sees them at version 1."""

    connection: Connection
    factory: sessionmaker[Session]
    apis: dict[str, Api] = field(default_factory=dict)
    records: dict[tuple[str, str], str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(engine: Engine, _shared_app: tuple[FastAPI, TestClient]) -> Iterator[World]:
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app, client = _shared_app
    app.state.settings = Settings(env="test", secret_key="x" * 32, database_url="sqlite://")
    app.state.session_factory = app.state.write_session_factory = factory
    result = World(connection, factory)
    with factory() as session, session.begin():
        users = {}
        for key, role in (
            ("system_administrator", ADMIN),
            ("sales_manager", MANAGER),
            ("read_only", READER),
            ("me", SELLER),
            ("other", SELLER),
        ):
            user, token = make_user(session, role)
            users[key] = user
            result.apis[key] = Api(client, token, user.id)
        for owner in ("me", "other"):
            actor = actor_for_user(users[owner], "api")
            for record in RECORD_URLS:
                result.records[owner, record] = str(make_record(session, actor, record).id)
    yield result
    app.state.session_factory = app.state.write_session_factory = sessionmaker()
    outer.rollback()
    connection.close()


@pytest.fixture
def sandbox(world: World) -> Iterator[World]:
    savepoint = world.connection.begin_nested()
    yield world
    savepoint.rollback()


def _acting(world: World, who: Who) -> tuple[Api, str]:
    """The client acting as `who` and the owner key of the records it works on."""
    if who.role is SELLER:
        return world.apis["me"], "me" if who.owns else "other"
    return world.apis[who.role.value], "other"


@pytest.mark.parametrize(("who", "record", "op"), _cases())
def test_matrix(sandbox: World, who: Who, record: str, op: str) -> None:
    me, owner = _acting(sandbox, who)
    record_id = sandbox.records[owner, record]
    base = RECORD_URLS[record]
    url = f"{base}/{record_id}"
    outcome = expected(who, record, op)

    if op == "list":
        listed = me.get(base, params={"limit": 500})
        assert listed.status_code == 200, listed.text
        ids = {item["id"] for item in listed.json()["items"]}
        assert (record_id in ids) is (outcome == "ok")
        return

    if op == "get":
        response = me.get(url)
    elif op == "update":
        response = me.patch(url, PATCHES[record], etag='"1"')
    elif op == "delete":
        response = me.delete(url, etag='"1"')
    elif op == "action":
        response = me.action(f"{url}/{ACTIONS[record]}", etag='"1"')
    else:
        response = me.get(f"{url}/timeline")

    if outcome == "ok":
        assert response.status_code == OK_STATUS[op], response.text
        if op == "get":
            assert response.json()["id"] == record_id
        return
    if outcome == "hidden":
        problem = problem_of(response, 404, "not_found")
        assert record_id in problem["detail"]
    else:
        problem_of(response, 403, "forbidden")
    # A refused request changed nothing.
    model = model_for(record)
    assert model is not None
    with sandbox.factory() as session:
        stored: Any = session.get(model, uuid.UUID(record_id))
        assert stored is not None
        assert stored.version == 1
        assert getattr(stored, "deleted_at", None) is None


@pytest.mark.parametrize("record", list(RECORD_URLS))
@pytest.mark.parametrize("role", [ADMIN, MANAGER, SELLER, READER], ids=lambda r: r.value)
def test_create(sandbox: World, role: Role, record: str) -> None:
    me, _ = _acting(sandbox, Who(role, True))
    account_id = sandbox.records["other", "account"]  # every role may read it
    body = {
        "lead": lead_body(),
        "contact": contact_body(),
        "activity": activity_body(),
        "account": account_body(),
        "opportunity": opportunity_body(account_id),
        "note": note_body("account", account_id),
    }[record]
    response = me.post(RECORD_URLS[record], body)
    if role is READER:
        problem_of(response, 403, "forbidden")
        mine = me.get(RECORD_URLS[record], params={"owner_id": str(me.user_id)})
        assert mine.json()["items"] == []
    else:
        assert response.status_code == 201, response.text
        assert response.json()["owner_id"] == str(me.user_id)


@pytest.mark.parametrize("record", ["lead", "opportunity", "account", "contact"])
def test_a_salesperson_cannot_hand_a_record_to_someone_else(sandbox: World, record: str) -> None:
    me, other = sandbox.apis["me"], sandbox.apis["other"]
    account_id = sandbox.records["me", "account"]
    body = {
        "lead": lead_body(),
        "opportunity": opportunity_body(account_id),
        "account": account_body(),
        "contact": contact_body(),
    }[record] | {"owner_id": str(other.user_id)}
    problem_of(me.post(RECORD_URLS[record], body), 403, "forbidden")
    url = f"{RECORD_URLS[record]}/{sandbox.records['me', record]}"
    problem_of(me.patch(url, {"owner_id": str(other.user_id)}, etag='"1"'), 403, "forbidden")
    assert me.get(url).json()["owner_id"] == str(me.user_id)


def test_a_manager_may_assign_a_lead_to_a_salesperson(sandbox: World) -> None:
    manager, me = sandbox.apis["sales_manager"], sandbox.apis["me"]
    url = f"/api/v1/leads/{sandbox.records['other', 'lead']}"
    assert me.get(url).status_code == 404
    moved = manager.patch(url, {"owner_id": str(me.user_id)}, etag='"1"')
    assert moved.status_code == 200, moved.text
    assert me.get(url).status_code == 200  # now theirs


def test_an_owner_must_be_an_active_user(sandbox: World) -> None:
    manager = sandbox.apis["sales_manager"]
    body = lead_body(owner_id=str(uuid.uuid4()))
    response = manager.post("/api/v1/leads", body)
    assert problem_of(response, 422, "validation_failed")["errors"][0]["field"] == "owner_id"


def test_a_salesperson_cannot_qualify_or_win_someone_elses_records(sandbox: World) -> None:
    me = sandbox.apis["me"]
    lead_id = sandbox.records["other", "lead"]
    problem_of(me.action(f"/api/v1/leads/{lead_id}/qualify", {}), 404, "not_found")
    problem_of(me.get(f"/api/v1/leads/{lead_id}/qualify-preview"), 404, "not_found")
    opportunity_id = sandbox.records["other", "opportunity"]
    problem_of(me.action(f"/api/v1/opportunities/{opportunity_id}/win", {}), 404, "not_found")
    problem_of(me.get(f"/api/v1/opportunities/{opportunity_id}/closes"), 404, "not_found")


def test_read_only_cannot_run_any_action(sandbox: World) -> None:
    reader = sandbox.apis["read_only"]
    lead_url = f"/api/v1/leads/{sandbox.records['other', 'lead']}"
    problem_of(reader.action(f"{lead_url}/qualify", {}), 403, "forbidden")
    problem_of(reader.action(f"{lead_url}/disqualify", {}), 403, "forbidden")
    opportunity_url = f"/api/v1/opportunities/{sandbox.records['other', 'opportunity']}"
    problem_of(reader.action(f"{opportunity_url}/win", {}), 403, "forbidden")
    problem_of(reader.action(f"{opportunity_url}/lose", {}), 403, "forbidden")
    assert reader.get(f"{lead_url}/qualify-preview").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("system_administrator", 200), ("sales_manager", 200), ("me", 403), ("read_only", 403)],
)
def test_the_audit_log_is_for_administrators_and_managers(
    sandbox: World, who: str, status: int
) -> None:
    response = sandbox.apis[who].get("/api/v1/audit-events")
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("who", "status"),
    [("system_administrator", 200), ("sales_manager", 403), ("me", 403), ("read_only", 403)],
)
def test_only_administrators_change_the_qualify_mapping(
    sandbox: World, who: str, status: int
) -> None:
    rows = [{"source_field": "topic", "target_field": "name"}]
    response = sandbox.apis[who].put("/api/v1/qualify-mappings/opportunity", {"rows": rows})
    assert response.status_code == status, response.text
    assert sandbox.apis[who].get("/api/v1/qualify-mappings").status_code == 200


@pytest.mark.parametrize("who", ["sales_manager", "me", "read_only"])
def test_only_administrators_create_users(sandbox: World, who: str) -> None:
    body = {
        "email": f"new-{uuid.uuid4().hex[:6]}@leadgate.example",
        "full_name": "New Person",
        "role": "system_administrator",
        "password": "long enough password",
    }
    problem_of(sandbox.apis[who].post("/api/v1/users", body), 403, "forbidden")


def test_participants_go_through_security_too(sandbox: World) -> None:
    """Naming someone else's lead as a participant answers like a lead that does not exist."""
    me = sandbox.apis["me"]
    hidden = sandbox.records["other", "lead"]
    missing = str(uuid.uuid4())
    for party_id in (hidden, missing):
        party = {"role": "to", "party_type": "lead", "party_id": party_id}
        response = me.post("/api/v1/activities", activity_body(participants=[party]))
        body = problem_of(response, 422, "validation_failed")
        assert body["errors"] == [
            {"field": "participants[0].party_id", "message": "lead not found"}
        ]
    visible = [
        {"role": "to", "party_type": "lead", "party_id": sandbox.records["me", "lead"]},
        {"role": "cc", "party_type": "contact", "party_id": sandbox.records["other", "contact"]},
        {"role": "from", "party_type": "user", "party_id": str(me.user_id)},
    ]
    created = me.post("/api/v1/activities", activity_body(participants=visible))
    assert created.status_code == 201, created.text
    assert len(created.json()["participants"]) == 3
