"""/api/v1/accounts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from leadgate.accounts import queries, service
from leadgate.accounts.models import Account
from leadgate.accounts.schemas import AccountCreate, AccountRead, AccountUpdate
from leadgate.api.deps import ActorDep, ListDep, SessionDep
from leadgate.api.duplicates import IgnoreDuplicates, refuse_duplicates
from leadgate.api.responses import PageOut, list_response, record_response
from leadgate.api.routers.record_routes import add_record_routes
from leadgate.core.picklists import RelationshipType

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
    return list_response(
        AccountRead, session, params, queries.list_accounts, actor, filters=filters
    )


@router.post("", status_code=201, response_model=AccountRead)
def create_account(
    data: AccountCreate, session: SessionDep, actor: ActorDep, ignore: IgnoreDuplicates
) -> JSONResponse:
    with session.begin():
        account = service.create_account(session, actor, data)
        refuse_duplicates(session, actor, account, ignore)
        return record_response(AccountRead, account, 201, f"/api/v1/accounts/{account.id}")


add_record_routes(
    router,
    Account,
    AccountRead,
    AccountUpdate,
    service.update_account,
    service.delete_account,
    duplicates=True,
)
