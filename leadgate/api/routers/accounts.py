"""/api/v1/accounts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from leadgate.accounts import queries, service
from leadgate.accounts.models import Account
from leadgate.accounts.schemas import AccountCreate, AccountRead, AccountUpdate
from leadgate.activities.schemas import TimelineEntry
from leadgate.api.deps import ActorDep, IfMatchRequired, ListDep, SessionDep
from leadgate.api.duplicates import IgnoreDuplicates, refuse_duplicates
from leadgate.api.responses import PageOut, page_response, record_response, timeline_of
from leadgate.core.picklists import RelationshipType
from leadgate.security.access import load

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get("", response_model=PageOut[AccountRead], summary="List accounts")
def list_accounts(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    owner_id: uuid.UUID | None = None,
    relationship_type: RelationshipType | None = None,
    industry: Annotated[str | None, Query(max_length=100)] = None,
    parent_account_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    filters = {
        "owner_id": owner_id,
        "relationship_type": relationship_type,
        "industry": industry,
        "parent_account_id": parent_account_id,
    }
    with session.begin():
        return page_response(
            AccountRead,
            queries.list_accounts(
                session,
                actor,
                filters=filters,
                q=params.q,
                sort=params.sort,
                cursor=params.cursor,
                limit=params.limit,
            ),
        )


@router.post("", status_code=201, response_model=AccountRead)
def create_account(
    data: AccountCreate, session: SessionDep, actor: ActorDep, ignore: IgnoreDuplicates
) -> JSONResponse:
    with session.begin():
        account = service.create_account(session, actor, data)
        refuse_duplicates(session, actor, account, ignore)
        return record_response(AccountRead, account, 201, f"/api/v1/accounts/{account.id}")


@router.get("/{account_id}", response_model=AccountRead)
def get_account(account_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(AccountRead, load(session, actor, Account, account_id))


@router.patch("/{account_id}", response_model=AccountRead)
def update_account(
    account_id: uuid.UUID,
    data: AccountUpdate,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatchRequired,
    ignore: IgnoreDuplicates,
) -> JSONResponse:
    with session.begin():
        account = service.update_account(session, actor, account_id, data, version)
        refuse_duplicates(session, actor, account, ignore, changed=data.changes())
        return record_response(AccountRead, account)


@router.delete("/{account_id}", status_code=204)
def delete_account(
    account_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatchRequired
) -> Response:
    with session.begin():
        service.delete_account(session, actor, account_id, version)
    return Response(status_code=204)


@router.get("/{account_id}/timeline", response_model=list[TimelineEntry])
def account_timeline(
    account_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TimelineEntry]:
    with session.begin():
        return timeline_of(session, actor, Account, account_id, limit=limit)
