"""Use cases of security: users, password login, API tokens.

Like every service: takes a Session and the acting user, flushes, never commits.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from leadgate.core.clock import utcnow
from leadgate.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    StaleRecord,
    Unauthorized,
    ValidationFailed,
)
from leadgate.core.events import publish
from leadgate.core.ids import new_id
from leadgate.security.access import Actor, ensure, load
from leadgate.security.events import SecurityChange
from leadgate.security.models import ApiToken, User
from leadgate.security.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from leadgate.security.roles import Op, Role
from leadgate.security.schemas import UserCreate, UserUpdate
from leadgate.security.tokens import generate_token, token_hash

log = logging.getLogger(__name__)

# Refresh last_used_at at most this often, so reads stay reads.
_TOUCH_EVERY = timedelta(minutes=5)


def _emit(
    session: Session,
    actor: Actor | None,
    action: str,
    record_type: str,
    record_id: uuid.UUID,
    changes: dict[str, object] | None = None,
) -> None:
    publish(
        session,
        SecurityChange(
            actor_id=actor.user_id if actor else None,
            channel=actor.channel if actor else "cli",
            action=action,
            record_type=record_type,
            record_id=record_id,
            changes=changes or {},
        ),
    )


def create_user(session: Session, actor: Actor | None, data: UserCreate) -> User:
    """Create a user. `actor` None is the bootstrap path (first administrator, CLI)."""
    if actor is not None:
        ensure(actor, "user", Op.CREATE)
    email = data.email.lower()
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise ValidationFailed.on("email", "a user with this email already exists")
    user = User(
        id=new_id(),
        email=email,
        full_name=data.full_name,
        role=data.role.value,
        password_hash=hash_password(data.password),
        time_zone=data.time_zone,
        created_by_id=actor.user_id if actor else None,
    )
    session.add(user)
    session.flush()
    _emit(
        session,
        actor,
        "create",
        "user",
        user.id,
        {"email": [None, user.email], "role": [None, user.role]},
    )
    return user


def update_user(
    session: Session,
    actor: Actor,
    user_id: uuid.UUID,
    data: UserUpdate,
    expected_version: int | None,
) -> User:
    user = load(session, actor, User, user_id, Op.WRITE)

    if expected_version is not None and expected_version != user.version:
        raise StaleRecord(f"user is at version {user.version}, not {expected_version}")
    changes: dict[str, object] = {}
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise ValidationFailed.on(name, "may not be null")
        stored = value.value if isinstance(value, Role) else value
        if getattr(user, name) != stored:
            changes[name] = [getattr(user, name), stored]
            setattr(user, name, stored)
    if changes:
        user.updated_by_id = actor.user_id
        session.flush()
        _emit(session, actor, "update", "user", user.id, changes)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed.on("password", f"at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    session.flush()


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user {email}")
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active or not verify_password(password, user.password_hash):
        if user is None:
            verify_password(password, None)
        raise Unauthorized("wrong email or password")
    user.last_login_at = utcnow()
    return user


def issue_token(
    session: Session, actor: Actor | None, user: User, name: str, days: int | None
) -> tuple[ApiToken, str]:
    """Issue a token for `user`; only the user or an administrator may."""
    if (
        actor is not None
        and actor.user_id != user.id
        and actor.role is not Role.SYSTEM_ADMINISTRATOR
    ):
        raise Forbidden("only an administrator may issue tokens for another user")
    if not user.is_active:
        raise Conflict(f"user {user.email} is deactivated")
    plaintext = generate_token()
    token = ApiToken(
        id=new_id(),
        user_id=user.id,
        name=name,
        token_hash=token_hash(plaintext),
        prefix=plaintext[:10],
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    _emit(session, actor, "token_issued", "user", user.id, {"token": [None, token.prefix]})
    return token, plaintext


def revoke_token(session: Session, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (
        token.user_id != actor.user_id and actor.role is not Role.SYSTEM_ADMINISTRATOR
    ):
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        _emit(
            session, actor, "token_revoked", "user", token.user_id, {"token": [token.prefix, None]}
        )
    return token


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc())
    if actor.role is not Role.SYSTEM_ADMINISTRATOR:
        stmt = stmt.where(ApiToken.user_id == actor.user_id)
    return list(session.scalars(stmt))


def actor_for_token(
    session: Session, plaintext: str, channel: str = "api"
) -> tuple[Actor, uuid.UUID | None]:
    """Resolve a bearer token in one read; 401 when missing, unknown, expired or revoked.

    Also returns the token's id when its `last_used_at` is due a refresh (see
    `touch_token`), so that resolving stays a pure read.
    """
    row = session.execute(
        select(
            ApiToken.id,
            ApiToken.user_id,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            ApiToken.last_used_at,
            User.role,
            User.email,
            User.is_active,
        )
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(plaintext))
    ).first()
    if row is None:
        raise Unauthorized("unknown API token")
    token_id, user_id, expires_at, revoked_at, last_used_at, role, email, active = row
    now = utcnow()
    if revoked_at is not None:
        raise Unauthorized("API token revoked")
    if expires_at is not None and expires_at <= now:
        raise Unauthorized("API token expired")
    if not active:
        raise Unauthorized("user deactivated")
    stale = last_used_at is None or now - last_used_at > _TOUCH_EVERY
    return Actor(user_id, Role(role), channel, email), token_id if stale else None


def touch_token(session: Session, token_id: uuid.UUID) -> None:
    """Record when a token was last used, in a transaction of its own.

    Advisory only: under write contention the stamp is skipped rather than failing
    the request it rides on.
    """
    try:
        with session.begin():
            session.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow())
            )
    except OperationalError:
        log.warning("skipped last_used_at of token %s (database busy)", token_id)


def actor_for_user(user: User, channel: str) -> Actor:
    return Actor(user.id, Role(user.role), channel, user.email)
