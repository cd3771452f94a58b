"""Browser sign-in: server-side sessions and the failed-login throttle.

A session is a row (only the SHA-256 of its random token is stored), so any
number of server processes share it and signing out revokes it everywhere.
A session without "remember me" ends after `SHORT_SESSION` of inactivity;
with it, after `LONG_SESSION`. Each session has its own CSRF token.

Repeated wrong passwords for one email lock that email for `LOCKOUT` once
`MAX_FAILURES` happened within `FAILURE_WINDOW`; the attempts live in the
database, not in a process's memory.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from leadgate.core.clock import as_utc, utcnow
from leadgate.core.errors import DomainError, Unauthorized
from leadgate.core.ids import new_id
from leadgate.db.base import Base
from leadgate.security.access import Actor
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.service import authenticate
from leadgate.security.tokens import token_hash

SHORT_SESSION = timedelta(hours=8)
LONG_SESSION = timedelta(days=30)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
# Refresh last_seen_at at most this often, so page views stay reads.
_TOUCH_EVERY = timedelta(minutes=5)


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "attempted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool] = mapped_column(default=False)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    title = "Too many failed sign-ins"


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user as a page needs them."""

    actor: Actor
    full_name: str
    time_zone: str
    locale: str
    csrf_token: str
    session_id: uuid.UUID


def _failures_since(session: Session, email: str, since: datetime) -> list[datetime]:
    stmt = (
        select(LoginAttempt.attempted_at)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.attempted_at >= since,
            LoginAttempt.succeeded.is_(False),
        )
        .order_by(LoginAttempt.attempted_at.desc())
        .limit(MAX_FAILURES)
    )
    return [as_utc(t) for t in session.scalars(stmt)]


def _last_success(session: Session, email: str) -> datetime | None:
    stmt = select(func.max(LoginAttempt.attempted_at)).where(
        LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
    )
    found = session.scalar(stmt)
    return as_utc(found) if found is not None else None


def locked_until(session: Session, email: str) -> datetime | None:
    """When the email may try again, if it is locked now (failures since the last success)."""
    now = utcnow()
    since = now - FAILURE_WINDOW - LOCKOUT
    success = _last_success(session, email)
    if success is not None and success > since:
        since = success
    recent = _failures_since(session, email, since)
    if len(recent) < MAX_FAILURES or recent[0] - recent[-1] > FAILURE_WINDOW:
        return None
    until = recent[0] + LOCKOUT
    return until if until > now else None


def sign_in(
    session: Session, email: str, password: str, *, remember: bool = False, client: str = ""
) -> tuple[WebSession, str]:
    """Check the password and open a session; returns the row and the cookie token.

    The attempt is recorded either way; the caller commits even on failure so the
    throttle sees it (a failed attempt must not roll back with the request).
    """
    key = email.strip().lower()[:254]
    until = locked_until(session, key)
    if until is not None:
        minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
        raise TooManyAttempts(
            f"too many failed sign-ins for this email; try again in {minutes} minutes"
        )
    try:
        user = authenticate(session, key, password)
    except Unauthorized:
        session.add(LoginAttempt(id=new_id(), email=key, client=client[:64], succeeded=False))
        session.flush()
        raise
    session.add(LoginAttempt(id=new_id(), email=key, client=client[:64], succeeded=True))
    # Housekeeping on the way in, so neither table grows without bound (no job needed).
    now = utcnow()
    session.execute(
        delete(WebSession).where(
            WebSession.user_id == user.id,
            or_(WebSession.expires_at < now, WebSession.revoked_at.is_not(None)),
        )
    )
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == key, LoginAttempt.attempted_at < now - timedelta(days=1)
        )
    )
    token = secrets.token_urlsafe(32)
    row = WebSession(
        id=new_id(),
        token_hash=token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        remember=remember,
        expires_at=utcnow() + (LONG_SESSION if remember else SHORT_SESSION),
    )
    session.add(row)
    session.flush()
    return row, token


def resolve(session: Session, token: str) -> SignedIn | None:
    """The signed-in user behind a cookie token, or None when unknown, expired or revoked."""
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    web, user = row
    now = utcnow()
    if web.revoked_at is not None or as_utc(web.expires_at) <= now or not user.is_active:
        return None
    if now - as_utc(web.last_seen_at) > _TOUCH_EVERY:
        web.last_seen_at = now
        if not web.remember:  # sliding expiry for sessions that end with inactivity
            web.expires_at = now + SHORT_SESSION
    return SignedIn(
        actor=Actor(user.id, Role(user.role), "web", user.email),
        full_name=user.full_name,
        time_zone=user.time_zone,
        locale=user.locale,
        csrf_token=web.csrf_token,
        session_id=web.id,
    )


def sign_out(session: Session, token: str) -> None:
    web = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
    if web is not None and web.revoked_at is None:
        web.revoked_at = utcnow()
        session.flush()
