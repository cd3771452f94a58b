"""/api/v1/auth, /api/v1/users, /api/v1/tokens."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import select

from leadgate.api.deps import ActorDep, IfMatchRequired, ListDep, SessionDep, SettingsDep
from leadgate.api.responses import PageOut, page_response, record_response
from leadgate.security import service
from leadgate.security.access import load
from leadgate.security.listing import list_records
from leadgate.security.models import User
from leadgate.security.schemas import (
    IssuedToken,
    LoginRequest,
    TokenCreate,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter(tags=["security"])


@router.post(
    "/auth/token",
    response_model=IssuedToken,
    status_code=201,
    summary="Sign in with email and password; returns a new API token",
)
def login(data: LoginRequest, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    with session.begin():
        user = service.authenticate(session, data.email, data.password)
        days = data.days or settings.token_days
        # The user signs in for themselves: the audit log names them and the api channel.
        actor = service.actor_for_user(user, "api")
        token, plaintext = service.issue_token(session, actor, user, data.token_name, days)
        body = IssuedToken(token=plaintext, **TokenRead.model_validate(token).model_dump())
        return JSONResponse(body.model_dump(mode="json"), status_code=201)


@router.get("/users/me", response_model=UserRead)
def me(session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(UserRead, load(session, actor, User, actor.user_id))


@router.get("/users", response_model=PageOut[UserRead])
def list_users(session: SessionDep, actor: ActorDep, params: ListDep) -> dict[str, Any]:
    with session.begin():
        page = list_records(
            session,
            actor,
            User,
            q=params.q,
            search=[User.email, User.full_name],
            sort=params.sort,
            sortable={"created_at": User.created_at, "email": User.email},
            cursor=params.cursor,
            limit=params.limit,
        )
        return page_response(UserRead, page)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(data: UserCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        user = service.create_user(session, actor, data)
        return record_response(UserRead, user, 201, f"/api/v1/users/{user.id}")


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(user_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(UserRead, load(session, actor, User, user_id))


@router.patch("/users/{user_id}", response_model=UserRead)
def update_user(
    user_id: uuid.UUID,
    data: UserUpdate,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:
    with session.begin():
        return record_response(
            UserRead, service.update_user(session, actor, user_id, data, version)
        )


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(session: SessionDep, actor: ActorDep) -> list[TokenRead]:
    with session.begin():
        return [TokenRead.model_validate(t) for t in service.list_tokens(session, actor)]


@router.post("/tokens", response_model=IssuedToken, status_code=201)
def create_token(data: TokenCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        user = session.scalar(select(User).where(User.id == actor.user_id))
        assert user is not None
        token, plaintext = service.issue_token(session, actor, user, data.name, data.days)
        body = IssuedToken(token=plaintext, **TokenRead.model_validate(token).model_dump())
        return JSONResponse(body.model_dump(mode="json"), status_code=201)


@router.post("/tokens/{token_id}/revoke", response_model=TokenRead)
def revoke_token(token_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> TokenRead:
    with session.begin():
        return TokenRead.model_validate(service.revoke_token(session, actor, token_id))
