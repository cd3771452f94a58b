"""Authentication: bearer tokens (missing, unknown, expired, revoked → 401) and password login."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leadgate.core.clock import utcnow
from leadgate.security.models import ApiToken, User
from leadgate.security.roles import Role
from tests.factories import PASSWORD, Api, problem_of

ME = "/api/v1/users/me"


def _unauthorized(response, detail: str | None = None) -> None:  # type: ignore[no-untyped-def]
    body = problem_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    if detail is not None:
        assert detail in body["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": ""}, id="empty"),
        pytest.param({"Authorization": "Bearer "}, id="bearer-without-token"),
        pytest.param({"Authorization": "Basic YWRtaW46YWRtaW4="}, id="basic-scheme"),
        pytest.param({"Authorization": "lg_abc"}, id="no-scheme"),
    ],
)
def test_a_request_without_a_bearer_token_is_refused(
    app_client: TestClient, headers: dict[str, str]
) -> None:
    _unauthorized(app_client.get(ME, headers=headers))
    _unauthorized(app_client.get("/api/v1/leads", headers=headers))
    _unauthorized(app_client.post("/api/v1/leads", json={"topic": "x"}, headers=headers))


def test_an_unknown_token_is_refused(app_client: TestClient, admin: Api) -> None:
    _unauthorized(
        app_client.get(ME, headers={"Authorization": f"Bearer {admin.token}x"}), "unknown"
    )
    _unauthorized(app_client.get(ME, headers={"Authorization": "Bearer lg_guess"}), "unknown")
    assert admin.get(ME).status_code == 200  # the real one still works


def test_the_scheme_is_case_insensitive(app_client: TestClient, admin: Api) -> None:
    response = app_client.get(ME, headers={"Authorization": f"bearer {admin.token}"})
    assert response.status_code == 200
    assert response.json()["id"] == str(admin.user_id)


def test_an_expired_token_is_refused(admin: Api, db: Session) -> None:
    assert admin.get(ME).status_code == 200
    db.execute(
        update(ApiToken)
        .where(ApiToken.user_id == admin.user_id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.flush()
    _unauthorized(admin.get(ME), "expired")
    _unauthorized(admin.get("/api/v1/leads"), "expired")


def test_a_token_that_expires_later_works(admin: Api, db: Session) -> None:
    db.execute(
        update(ApiToken)
        .where(ApiToken.user_id == admin.user_id)
        .values(expires_at=utcnow() + timedelta(minutes=1))
    )
    db.flush()
    assert admin.get(ME).status_code == 200


def test_a_revoked_token_is_refused(admin: Api) -> None:
    tokens = admin.get("/api/v1/tokens").json()
    mine = [t for t in tokens if t["user_id"] == str(admin.user_id)]
    assert len(mine) == 1
    revoked = admin.action(f"/api/v1/tokens/{mine[0]['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    _unauthorized(admin.get(ME), "revoked")


def test_a_deactivated_users_token_is_refused(api_as, admin: Api) -> None:  # type: ignore[no-untyped-def]
    seller = api_as(Role.SALESPERSON)
    assert seller.get(ME).status_code == 200
    url = f"/api/v1/users/{seller.user_id}"
    version = admin.get(url).json()["version"]
    assert admin.patch(url, {"is_active": False}, etag=f'"{version}"').status_code == 200
    _unauthorized(seller.get(ME), "deactivated")


def _login(client: TestClient, email: str, password: str, **extra: object):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/token", json={"email": email, "password": password, **extra})


def test_login_returns_a_token_that_works(app_client: TestClient, admin: Api, db: Session) -> None:
    email = db.scalar(select(User.email).where(User.id == admin.user_id))
    assert email is not None
    response = _login(app_client, email.upper(), PASSWORD, token_name="laptop", days=2)
    assert response.status_code == 201, response.text
    issued = response.json()
    assert issued["token"].startswith("lg_")
    assert issued["name"] == "laptop"
    assert issued["user_id"] == str(admin.user_id)
    stored = db.scalar(select(ApiToken).where(ApiToken.id == uuid.UUID(issued["id"])))
    assert stored is not None
    assert stored.token_hash != issued["token"]  # only the hash is kept
    assert stored.expires_at is not None
    assert timedelta(days=1) < stored.expires_at - utcnow() <= timedelta(days=2)
    me = app_client.get(ME, headers={"Authorization": f"Bearer {issued['token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == email


def test_wrong_password_or_unknown_email_is_a_401(
    app_client: TestClient, admin: Api, db: Session
) -> None:
    email = db.scalar(select(User.email).where(User.id == admin.user_id))
    assert email is not None
    _unauthorized(_login(app_client, email, PASSWORD + "!"), "wrong email or password")
    _unauthorized(
        _login(app_client, "nobody@leadgate.example", PASSWORD), "wrong email or password"
    )
    _unauthorized(_login(app_client, email, ""))
    assert db.scalar(select(User.last_login_at).where(User.id == admin.user_id)) is None


def test_a_malformed_login_is_a_422(app_client: TestClient) -> None:
    response = app_client.post("/api/v1/auth/token", json={"email": "a@b.example"})
    assert problem_of(response, 422, "validation_failed")["errors"][0]["field"] == "password"


def test_login_is_audited_as_the_user_over_the_api(
    app_client: TestClient, admin: Api, db: Session
) -> None:
    from leadgate.audit.models import AuditEvent

    email = db.scalar(select(User.email).where(User.id == admin.user_id))
    assert email is not None
    issued = _login(app_client, email, PASSWORD)
    assert issued.status_code == 201, issued.text
    event = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.record_id == admin.user_id, AuditEvent.action == "token_issued")
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    ).first()
    assert event is not None
    assert event.changes == {"token": [None, issued.json()["prefix"]]}
    assert (event.channel, event.actor_id) == ("api", admin.user_id)
