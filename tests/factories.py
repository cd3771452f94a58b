"""Factories: build users, tokens and records through the real services."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from leadgate.security.access import Actor
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import actor_for_user, create_user, issue_token

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(session: Session, role: Role, email: str | None = None) -> tuple[User, str]:
    n = next(_seq)
    user = create_user(
        session,
        None,
        UserCreate(
            email=email or f"user{n}-{uuid.uuid4().hex[:6]}@leadgate.example",
            full_name=f"User {n}",
            role=role,
            password=PASSWORD,
        ),
    )
    _, token = issue_token(session, None, user, "test", 1)
    return user, token


def actor(session: Session, role: Role = Role.SYSTEM_ADMINISTRATOR) -> Actor:
    user, _ = make_user(session, role)
    return actor_for_user(user, "api")


@dataclass
class Api:
    """A signed-in API client."""

    client: TestClient
    token: str
    user_id: uuid.UUID

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, url: str, **kw: Any) -> Response:
        return self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Response:
        return self.client.post(
            url, json=json, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def patch(self, url: str, json: Any, etag: str | None = None, **kw: Any) -> Response:
        headers = {"If-Match": etag} if etag else {}
        return self.client.patch(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url: str, etag: str | None = None) -> Response:
        headers = {"If-Match": etag} if etag else {}
        return self.client.delete(url, headers=self._headers(headers))

    def put(self, url: str, json: Any) -> Response:
        return self.client.put(url, json=json, headers=self._headers(None))

    def create(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(url, body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


def lead_body(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body = {
        "topic": f"Interested in 20 seats #{n}",
        "first_name": "Ada",
        "last_name": f"Lovelace{n}",
        "company_name": f"Analytical Engines {n} Ltd",
        "email": f"ada{n}@engines.example.com",
        "phone": f"+44 20 7946 {n % 10000:04d}",
        "country": "GB",
        "estimated_value": "12000.50",
        "lead_source": "web",
        "rating": "hot",
        "purchase_timeframe": "this_quarter",
    }
    body.update(overrides)
    return body
