"""Dependencies: the database session, the signed-in actor, list parameters, If-Match."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.errors import PreconditionRequired, Unauthorized, ValidationFailed
from leadgate.core.settings import Settings
from leadgate.db.paging import DEFAULT_LIMIT, MAX_LIMIT
from leadgate.security.access import Actor
from leadgate.security.service import actor_for_token, touch_token


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    state = request.app.state
    factory: sessionmaker[Session] = (
        state.session_factory if request.method in _READS else state.write_session_factory
    )
    session = factory()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def current_actor(
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Actor:
    if not authorization:
        raise Unauthorized("send Authorization: Bearer <token>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <token>")
    with session.begin():
        actor, stale_token_id = actor_for_token(session, token.strip(), "api")
    if stale_token_id is not None:
        touch_token(session, stale_token_id)
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]

_ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


def etag(version: int) -> str:
    return f'"{version}"'


def _parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.match(value.strip())
    if match is None:
        raise ValidationFailed.on("If-Match", 'expected an ETag such as "3"')
    return int(match.group(1))


def if_match(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """Optional precondition: honoured when sent (412 on mismatch)."""
    return _parse_if_match(if_match)


def if_match_required(
    request: Request, if_match: Annotated[str | None, Header(alias="If-Match")] = None
) -> int | None:
    """Updates and deletes of shared records must say which version they change (428)."""
    settings: Settings = request.app.state.settings
    if if_match is None and settings.require_if_match:
        raise PreconditionRequired(
            "send If-Match with the ETag you read, so no one's change is overwritten"
        )
    return _parse_if_match(if_match)


IfMatch = Annotated[int | None, Depends(if_match)]
IfMatchRequired = Annotated[int | None, Depends(if_match_required)]


@dataclass(frozen=True)
class ListParams:
    q: str | None
    sort: str | None
    cursor: str | None
    limit: int


def list_params(
    q: Annotated[str | None, Query(max_length=200, description="text search")] = None,
    sort: Annotated[str | None, Query(max_length=200, description="e.g. -created_at,name")] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> ListParams:
    return ListParams(q or None, sort, cursor, limit)


ListDep = Annotated[ListParams, Depends(list_params)]


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
