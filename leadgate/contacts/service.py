"""Use cases of contacts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.audit.editing import create_record, delete_record, update_record
from leadgate.contacts.events import ContactSaved
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate, ContactUpdate
from leadgate.core.errors import NotFound, ValidationFailed
from leadgate.core.events import publish
from leadgate.core.ids import new_id
from leadgate.core.normalize import email_key, phone_key
from leadgate.security.access import Actor, load


def derive_keys(contact: Contact, values: dict[str, Any]) -> None:
    merged = {
        k: values.get(k, getattr(contact, k))
        for k in ("first_name", "last_name", "email", "phone", "mobile_phone", "country")
    }
    if not (merged["first_name"] or merged["last_name"]):
        raise ValidationFailed.on("last_name", "a contact needs a first_name or a last_name")
    values["email_key"] = email_key(merged["email"])
    values["phone_key"] = phone_key(merged["phone"], merged["country"])
    values["mobile_key"] = phone_key(merged["mobile_phone"], merged["country"])


def _check_account(session: Session, actor: Actor, account_id: uuid.UUID | None) -> None:
    if account_id is None:
        return
    try:
        load(session, actor, Account, account_id)
    except NotFound as exc:
        raise ValidationFailed.on("account_id", "no such account") from exc


def create_contact(session: Session, actor: Actor, data: ContactCreate, **extra: Any) -> Contact:
    _check_account(session, actor, data.account_id)
    contact = Contact(id=new_id(), **data.model_dump(), **extra)
    keys: dict[str, Any] = {}
    derive_keys(contact, keys)
    for name, value in keys.items():
        setattr(contact, name, value)
    create_record(session, actor, contact)
    publish(session, ContactSaved(contact, created=True))
    return contact


def update_contact(
    session: Session,
    actor: Actor,
    contact_id: uuid.UUID,
    data: ContactUpdate,
    expected_version: int | None,
) -> Contact:
    values = data.changes()
    if "account_id" in values:
        _check_account(session, actor, values["account_id"])  # type: ignore[arg-type]
    contact = update_record(
        session,
        actor,
        Contact,
        contact_id,
        values,
        expected_version=expected_version,
        required=("do_not_email", "do_not_phone", "do_not_bulk_email"),
        derive=derive_keys,
    )
    publish(session, ContactSaved(contact, created=False))
    return contact


def delete_contact(
    session: Session, actor: Actor, contact_id: uuid.UUID, expected_version: int | None
) -> None:
    delete_record(session, actor, Contact, contact_id, expected_version=expected_version)
