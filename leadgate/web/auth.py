"""Who is signed in, CSRF, and the signed cookies pages use.

The session cookie carries a random token plus an HMAC of it under the
secret key, so forged cookies are refused before the database is asked; the
session itself is a row (`security.web_sessions`), shared by every process.
Every unsafe request (form or HTMX) must carry the session's CSRF token, as
the `csrf_token` form field or the `X-CSRF-Token` header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.errors import DomainError
from leadgate.core.settings import Settings
from leadgate.security.web_sessions import LONG_SESSION, SignedIn, resolve

SESSION_COOKIE = "lg_session"
FLASH_COOKIE = "lg_flash"
LOGIN_CSRF_COOKIE = "lg_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """Raised by page dependencies when no valid session comes with the request."""


class CsrfRefused(DomainError):
    code = "csrf_refused"
    status = 403
    title = "Form expired"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _mac(secret: str, value: str, purpose: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: str, value: str, purpose: str) -> str:
    return f"{value}.{_mac(secret, value, purpose)}"


def unsign(secret: str, signed: str | None, purpose: str) -> str | None:
    if not signed or "." not in signed:
        return None
    value, _, mac = signed.rpartition(".")
    return value if hmac.compare_digest(mac, _mac(secret, value, purpose)) else None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, token: str, remember: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        sign(_settings(request).secret_key, token, "session"),
        # Without "remember me" the cookie dies with the browser session.
        max_age=int(LONG_SESSION.total_seconds()) if remember else None,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def session_token(request: Request) -> str | None:
    return unsign(_settings(request).secret_key, request.cookies.get(SESSION_COOKIE), "session")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def db_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(db_session)]


def signed_in(request: Request, session: DbSession) -> SignedIn:
    token = session_token(request)
    if token is None:
        raise SignInRequired
    with session.begin():
        user = resolve(session, token)
    if user is None:
        raise SignInRequired
    request.state.user = user
    return user


def optional_user(request: Request, session: DbSession) -> SignedIn | None:
    try:
        return signed_in(request, session)
    except SignInRequired:
        return None


async def form_data(request: Request) -> AsyncIterator[dict[str, Any]]:
    """The submitted form as a dict (repeated names become lists).

    Uploaded files stay open for the page route (it reads them from `request.form()`)
    and are closed once the request is done, also when the CSRF check refuses it.
    """
    if request.method in ("GET", "HEAD"):
        yield {}
        return
    form = await request.form()
    try:
        data: dict[str, Any] = {}
        for key in form:
            values = [v for v in form.getlist(key) if isinstance(v, str)]
            data[key] = values if len(values) > 1 or key.endswith("[]") else (values or [""])[0]
        yield data
    finally:
        await form.close()


FormData = Annotated[dict[str, Any], Depends(form_data)]


def check_csrf(request: Request, expected: str, form: dict[str, Any]) -> None:
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD) or ""
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("this form has expired or did not come from Leadgate; reload the page")


def acting_user(
    request: Request, user: Annotated[SignedIn, Depends(signed_in)], form: FormData
) -> SignedIn:
    """The signed-in user, after the CSRF check on every unsafe method."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf(request, user.csrf_token, form)
    return user


User = Annotated[SignedIn, Depends(acting_user)]


# Sign-in form CSRF (before any session exists): double-submit of a signed cookie.
def login_csrf(request: Request, response: Response) -> str:
    existing = unsign(
        _settings(request).secret_key, request.cookies.get(LOGIN_CSRF_COOKIE), "login"
    )
    if existing:
        return existing
    nonce = secrets.token_urlsafe(24)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        sign(_settings(request).secret_key, nonce, "login"),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    return nonce


def check_login_csrf(request: Request, form: dict[str, Any]) -> None:
    expected = unsign(
        _settings(request).secret_key, request.cookies.get(LOGIN_CSRF_COOKIE), "login"
    )
    if expected is None:
        raise CsrfRefused("the sign-in form expired; reload the page and try again")
    check_csrf(request, expected, form)


# Flash messages ride in a signed cookie until the next page shows them.
def flash(request: Request, response: Response, text: str, level: str = "success") -> None:
    messages = [*read_flashes(request), [level, text]]
    payload = base64.urlsafe_b64encode(json.dumps(messages).encode()).decode()
    response.set_cookie(
        FLASH_COOKIE,
        sign(_settings(request).secret_key, payload, "flash"),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def read_flashes(request: Request) -> list[list[str]]:
    payload = unsign(_settings(request).secret_key, request.cookies.get(FLASH_COOKIE), "flash")
    if payload is None:
        return []
    try:
        loaded = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return []
    return [[str(m[0]), str(m[1])] for m in loaded if isinstance(m, list) and len(m) == 2]
