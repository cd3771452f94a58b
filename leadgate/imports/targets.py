"""What an import needs to know per record type: fields, required fields, schemas,
the domain service functions that write (validation and audit included), and
how to build an unsaved record for the duplicate check.

Products and opportunities point at other records, which a spreadsheet names
rather than identifies: their import schemas take the names (an opportunity's
`account` by account number, name or id, its `customer_contact` / `contact` by
email, full name or id; a product's `parent` family, `unit_group` and
`default_unit` by number or name), and their create functions look those up
among the records the importing user may read (`imports.references`; the rows
themselves in `imports.products` and `imports.deals`). Products are matched by
number, never duplicated: a row whose number exists is skipped or updates that
product (on_duplicate skip / update) and fails on create. Closed deals are
closed through the opportunity's own transitions.
"""

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
from leadgate.catalog import service as catalog
from leadgate.catalog.models import Product
from leadgate.catalog.schemas import ProductUpdate
from leadgate.contacts import service as contacts
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate, ContactUpdate
from leadgate.core.drafts import Draft
from leadgate.core.errors import Forbidden, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.imports import deals, products
from leadgate.leads import service as leads
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.opportunities import service as opportunities
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import OpportunityUpdate
from leadgate.security.access import Actor, can
from leadgate.security.roles import Op

# Fields an import never sets from a file (links are ids, not spreadsheet values).
_NOT_IMPORTED = frozenset(
    {"owner_id", "existing_account_id", "existing_contact_id", "campaign_id",
     "parent_account_id", "primary_contact_id", "account_id"}
)  # fmt: skip


@dataclass(frozen=True)
class NaturalKey:
    """What a file names its records by: a product's number (unique: a row whose number
    exists is that product's row; skipped, updated, or failed on create), an opportunity's
    name and customer (not unique: on_duplicate create makes another one)."""

    field: str
    find: Callable[[Session, Actor, Any], Any | None]
    # The model field values an update from the row sets on the found record.
    changes: Callable[[Session, Actor, Any, Any], dict[str, Any]]
    unique: bool = True
    # How a skipped row names what it matched ("name 'Deal' and customer").
    same: str = "{field} {value!r}"


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
    # Records that duplicate rules do not cover: the unsaved stand-in is a bare id.
    matchable: bool = True
    natural_key: NaturalKey | None = None

    @property
    def fields(self) -> set[str]:
        names = set(self.create_schema.model_fields) - _NOT_IMPORTED
        return names | ({"full_name"} if self.record_type == "contact" else set())

    def transient(self, data: BaseModel, dumped: dict[str, Any] | None = None) -> Any:
        """An unsaved record's values with its normalised keys, for the duplicate check
        (a Draft: building an ORM instance per row costs more than the check); `dumped`
        is `data.model_dump()` when the caller has it already."""
        if not self.matchable:
            return Unsaved(self.record_type, new_id())
        values = data.model_dump() if dumped is None else dumped
        record = Draft(self.record_type, id=new_id(), **values)
        keys: dict[str, Any] = {}
        try:
            self.derive(record, keys)
        except ValidationFailed:
            return record
        for name, value in keys.items():
            setattr(record, name, value)
        return record


@dataclass(frozen=True)
class Unsaved:
    """The stand-in of a row's record for types no duplicate rule covers."""

    RECORD_TYPE: str
    id: uuid.UUID


def _no_keys(record: Any, values: dict[str, Any]) -> None:
    return None


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
    "product": Target(
        "product", Product, products.ProductImport, ProductUpdate, products.create_product,
        catalog.update_product, products.delete_product, _no_keys, (("number",), ("name",)),
        matchable=False,
        natural_key=NaturalKey("number", products.existing_product, products.product_changes),
    ),
    "opportunity": Target(
        "opportunity", Opportunity, deals.OpportunityImport, OpportunityUpdate,
        deals.create_opportunity, opportunities.update_opportunity, deals.delete_opportunity,
        _no_keys, (("name",), ("account", "customer_contact")), matchable=False,
        natural_key=NaturalKey(
            "name", deals.existing_opportunity, deals.opportunity_changes, unique=False,
            same="{field} {value!r} and customer",
        ),
    ),
}  # fmt: skip


def target_for(record_type: str) -> Target:
    try:
        return TARGETS[record_type]
    except KeyError as exc:
        raise ValidationFailed.on(
            "type", f"imports of {record_type} are not supported ({', '.join(TARGETS)})"
        ) from exc


def may_import(actor: Actor, record_type: str) -> bool:
    """Whether the actor may start an import of `record_type` (an import job of his own
    that creates such records); pages show import links only then."""
    return can(actor, "import_job", Op.CREATE, actor.user_id) and can(
        actor, record_type, Op.CREATE, actor.user_id
    )


def check_may_import(actor: Actor, record_type: str) -> None:
    """Refuse an import the actor may not run as a whole, before any row is read (one
    403, not one refused row per line of the file)."""
    if not may_import(actor, record_type):
        plural = "opportunities" if record_type == "opportunity" else f"{record_type}s"
        raise Forbidden(
            f"your role may not import {plural}: it may not create them"
            if can(actor, "import_job", Op.CREATE, actor.user_id)
            else "your role may not import records"
        )
