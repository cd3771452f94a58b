"""Sign-in, sign-out, CSRF and the failed-login throttle (server side, both databases)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.security.roles import Role
from leadgate.security.web_sessions import MAX_FAILURES, WebSession
from tests.factories import PASSWORD, make_user
from tests.web.conftest import Browser, csrf_of, sign_in


def test_pages_need_a_session(web_app: FastAPI) -> None:
    with TestClient(web_app) as client:
        response = client.get("/leads", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/leads"


def test_sign_in_then_out(web_app: FastAPI, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, session.begin():
        user, _ = make_user(session, Role.SALESPERSON)
        email = user.email
    with TestClient(web_app) as client:
        response = sign_in(client, email)
        assert response.status_code == 303
        cookie = response.headers["set-cookie"]
        assert "lg_session=" in cookie
        assert "HttpOnly" in cookie
        # "Remember me" is off by default: a browser-session cookie without Max-Age.
        assert "Max-Age" not in cookie
        home = client.get("/")
        assert home.status_code == 200
        assert "<title>Home · Leadgate</title>" in home.text
        assert "Salesperson" in home.text
        out = client.post(
            "/sign-out", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False
        )
        assert out.status_code == 303
        # The old cookie no longer opens a page, even if replayed.
        client.cookies.set("lg_session", cookie.split("lg_session=")[1].split(";")[0].strip('"'))
        assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_says_so_and_locks_after_repeated_failures(
    web_app: FastAPI, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session, session.begin():
        user, _ = make_user(session, Role.SALESPERSON)
        email = user.email
    with TestClient(web_app) as client:
        for _ in range(MAX_FAILURES):
            wrong = sign_in(client, email, "not the password")
            assert wrong.status_code == 401
            assert "Wrong email or password." in wrong.text
            assert f'value="{email}"' in wrong.text  # what the user typed is kept
        locked = sign_in(client, email)  # even the right password waits now
        assert locked.status_code == 429
        assert "too many failed sign-ins" in locked.text.lower()


def test_unsafe_requests_without_the_csrf_token_are_refused(
    web_as: Callable[..., Browser],
) -> None:
    browser = web_as(Role.SALESPERSON)
    refused = browser.client.post("/leads/new", data={"topic": "No token"}, follow_redirects=False)
    assert refused.status_code == 403
    forged = browser.client.post(
        "/leads/new", data={"topic": "Bad", "csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert "expired" in forged.text
    assert "No token" not in browser.get("/leads?view=all").text
    ok = browser.post("/leads/new", {"topic": "With token"})
    assert ok.status_code == 303


def test_sign_in_form_itself_needs_its_token(web_app: FastAPI) -> None:
    with TestClient(web_app) as client:
        response = client.post(
            "/sign-in", data={"email": "a@b.example", "password": "x"}, follow_redirects=False
        )
    assert response.status_code == 403


def test_remember_me_keeps_the_cookie_across_browser_restarts(
    web_app: FastAPI, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session, session.begin():
        user, _ = make_user(session, Role.SALESPERSON)
        email = user.email
    with TestClient(web_app) as client:
        page = client.get("/sign-in")
        response = client.post(
            "/sign-in",
            data={
                "email": email,
                "password": PASSWORD,
                "remember": "on",
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert "Max-Age=2592000" in response.headers["set-cookie"]
    with session_factory() as session:
        remember = session.scalar(select(WebSession.remember).where(WebSession.user_id == user.id))
    assert remember is True
