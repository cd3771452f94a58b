"""Use cases of accounts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from leadgate.accounts.events import AccountSaved
from leadgate.accounts.models import Account
from leadgate.accounts.schemas import AccountCreate, AccountUpdate
from leadgate.audit.editing import create_record, delete_record, update_record
from leadgate.audit.recording import change_record
from leadgate.core.errors import ValidationFailed
from leadgate.core.events import publish
from leadgate.core.ids import new_id
from leadgate.core.normalize import company_key, email_key, phone_key
from leadgate.security.access import Actor, load


def derive_keys(account: Account, values: dict[str, Any]) -> None:
    """Keep the matching keys in step with the fields they come from."""
    merged = {k: values.get(k, getattr(account, k)) for k in ("name", "email", "phone", "country")}
    values["name_key"] = company_key(merged["name"])
    values["email_key"] = email_key(merged["email"])
    values["phone_key"] = phone_key(merged["phone"], merged["country"])


def _check_parent(
    session: Session, actor: Actor, account_id: uuid.UUID | None, parent_id: uuid.UUID | None
) -> None:
    if parent_id is None:
        return
    if parent_id == account_id:
        raise ValidationFailed.on("parent_account_id", "an account cannot be its own parent")
    try:
        parent = load(session, actor, Account, parent_id)
    except Exception as exc:
        raise ValidationFailed.on("parent_account_id", "no such account") from exc
    seen = {parent.id}
    while parent.parent_account_id is not None:  # refuse cycles in the hierarchy
        if parent.parent_account_id == account_id or parent.parent_account_id in seen:
            raise ValidationFailed.on("parent_account_id", "would make a cycle of parents")
        seen.add(parent.parent_account_id)
        next_parent = session.get(Account, parent.parent_account_id)
        if next_parent is None:
            break
        parent = next_parent


def create_account(session: Session, actor: Actor, data: AccountCreate, **extra: Any) -> Account:
    values = data.model_dump()
    _check_parent(session, actor, None, data.parent_account_id)
    account = Account(id=new_id(), **values, **extra)
    account.name_key = company_key(account.name)
    account.email_key = email_key(account.email)
    account.phone_key = phone_key(account.phone, account.country)
    create_record(session, actor, account)
    publish(session, AccountSaved(account, created=True))
    return account


def update_account(
    session: Session,
    actor: Actor,
    account_id: uuid.UUID,
    data: AccountUpdate,
    expected_version: int | None,
) -> Account:
    values = data.changes()
    if "parent_account_id" in values:
        _check_parent(session, actor, account_id, values["parent_account_id"])  # type: ignore[arg-type]
    account = update_record(
        session,
        actor,
        Account,
        account_id,
        values,
        expected_version=expected_version,
        required=("name", "relationship_type", "currency"),
        derive=derive_keys,
    )
    publish(session, AccountSaved(account, created=False))
    return account


def delete_account(
    session: Session, actor: Actor, account_id: uuid.UUID, expected_version: int | None
) -> None:
    delete_record(session, actor, Account, account_id, expected_version=expected_version)


def mark_customer(session: Session, actor: Actor, account: Account) -> None:
    """Winning an opportunity makes its account a customer (logged as a change)."""
    change_record(
        session,
        actor,
        account,
        {"relationship_type": "customer"},
        summary="became a customer by winning an opportunity",
    )
