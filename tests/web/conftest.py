"""Page tests: a browser-like client (cookies, CSRF token from the page) per signed-in user.

Server-side page tests run through TestClient on SQLite and PostgreSQL like every
database test; the browser tests (marked `browser`) have their own server.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session, sessionmaker

from leadgate.asgi import create_app
from leadgate.core.settings import Settings
from leadgate.security.roles import Role
from tests.factories import PASSWORD, make_user

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


@dataclass
class Browser:
    """A TestClient that signs in like a person and sends the page's CSRF token."""

    client: TestClient
    user_id: uuid.UUID
    email: str
    csrf: str = ""

    def get(self, url: str, **kw: Any) -> Response:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Response:
        body = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(url, data=body, follow_redirects=False, **kw)

    def htmx(self, method: str, url: str, data: dict[str, Any] | None = None) -> Response:
        headers = {"HX-Request": "true", "X-CSRF-Token": self.csrf}
        return self.client.request(method, url, data=data, headers=headers)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    page = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


@pytest.fixture
def web_app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    return create_app(settings, session_factory)


@pytest.fixture
def web_as(
    web_app: FastAPI, session_factory: sessionmaker[Session]
) -> Iterator[Callable[..., Browser]]:
    clients: list[TestClient] = []

    def build(role: Role = Role.SALESPERSON) -> Browser:
        with session_factory() as session, session.begin():
            user, _ = make_user(session, role)
            user_id, email = user.id, user.email
        client = TestClient(web_app, raise_server_exceptions=False)
        clients.append(client)
        response = sign_in(client, email)
        assert response.status_code == 303, response.text
        home = client.get("/")
        assert home.status_code == 200, home.text
        return Browser(client, user_id, email, csrf_of(home.text))

    yield build
    for client in clients:
        client.close()
