"""What an import needs to know per record type: fields, required fields, schemas,
the domain service functions that write (validation and audit included), and
how to build an unsaved record for the duplicate check."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from leadgate.accounts import service as accounts
from leadgate.accounts.models import Account
from leadgate.accounts.schemas import AccountCreate, AccountUpdate
from leadgate.contacts import service as contacts
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate, ContactUpdate
from leadgate.core.drafts import Draft
from leadgate.core.errors import ValidationFailed
from leadgate.core.ids import new_id
from leadgate.leads import service as leads
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.security.access import Actor

# Fields an import never sets from a file (links are ids, not spreadsheet values).
_NOT_IMPORTED = frozenset(
    {"owner_id", "existing_account_id", "existing_contact_id", "campaign_id",
     "parent_account_id", "primary_contact_id", "account_id"}
)  # fmt: skip


@dataclass(frozen=True)
class Target:
    record_type: str
    model: type[Any]
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    create: Callable[[Session, Actor, Any], Any]
    update: Callable[[Session, Actor, uuid.UUID, Any, int | None], Any]
    delete: Callable[[Session, Actor, uuid.UUID, int | None], None]
    derive: Callable[[Any, dict[str, Any]], None]
    # Each tuple: at least one of these fields must be mapped.
    required: tuple[tuple[str, ...], ...]
    upsert_by_vendor_key: bool = False
    # A batched create for many new records at once (same checks and audit).
    create_many: Callable[[Session, Actor, list[tuple[uuid.UUID, Any]]], Any] | None = None

    @property
    def fields(self) -> set[str]:
        names = set(self.create_schema.model_fields) - _NOT_IMPORTED
        return names | ({"full_name"} if self.record_type == "contact" else set())

    def transient(self, data: BaseModel) -> Any:
        """An unsaved record's values with its normalised keys, for the duplicate check
        (a Draft: building an ORM instance per row costs more than the check)."""
        values = data.model_dump()
        record = Draft(self.record_type, id=new_id(), **values)
        keys: dict[str, Any] = {}
        try:
            self.derive(record, keys)
        except ValidationFailed:
            return record
        for name, value in keys.items():
            setattr(record, name, value)
        return record


TARGETS = {
    "lead": Target(
        "lead", Lead, LeadCreate, LeadUpdate, leads.create_lead, leads.update_lead,
        leads.delete_lead, leads.derive_keys, (("topic",),), upsert_by_vendor_key=True,
        create_many=leads.create_leads,
    ),
    "contact": Target(
        "contact", Contact, ContactCreate, ContactUpdate, contacts.create_contact,
        contacts.update_contact, contacts.delete_contact, contacts.derive_keys,
        (("last_name", "first_name", "full_name"),),
    ),
    "account": Target(
        "account", Account, AccountCreate, AccountUpdate, accounts.create_account,
        accounts.update_account, accounts.delete_account, accounts.derive_keys, (("name",),),
    ),
}  # fmt: skip


def target_for(record_type: str) -> Target:
    try:
        return TARGETS[record_type]
    except KeyError as exc:
        raise ValidationFailed.on(
            "type", f"imports of {record_type} are not supported (lead, contact, account)"
        ) from exc
