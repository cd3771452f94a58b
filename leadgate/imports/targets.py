"""What an import needs to know per record type: fields, required fields, schemas,
the domain service functions that write (validation and audit included), and
how to build an unsaved record for the duplicate check.

Products and opportunities point at other records, which a spreadsheet names
rather than identifies: their import schemas take the names (an opportunity's
`account` by account number, name or id, its `customer_contact` / `contact` by
email, full name or id; a product's `parent` family, `unit_group` and
`default_unit` by number or name), and their create functions look those up
among the records the importing user may read. A name that finds nothing, or
finds several records, fails the row naming the field; nothing is created on
the fly (an opportunity file is not the place to invent accounts). A product
whose number exists fails the row (products are matched by number, never
duplicated).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.accounts import service as accounts
from leadgate.accounts.models import Account
from leadgate.accounts.schemas import AccountCreate, AccountUpdate
from leadgate.audit.recording import remove_record
from leadgate.catalog import service as catalog
from leadgate.catalog.models import Product, Unit, UnitGroup
from leadgate.catalog.schemas import ProductCreate, ProductUpdate
from leadgate.catalog.states import ProductKind
from leadgate.contacts import service as contacts
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate, ContactUpdate
from leadgate.core.drafts import Draft
from leadgate.core.errors import ValidationFailed
from leadgate.core.fields import Input, Money, Text
from leadgate.core.ids import new_id
from leadgate.core.normalize import company_key, email_key
from leadgate.leads import service as leads
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.opportunities import service as opportunities
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import OpportunityCreate, OpportunityDetails, OpportunityUpdate
from leadgate.security.access import Actor, can, load, scoped
from leadgate.security.roles import Op

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
    # Records that duplicate rules do not cover: the unsaved stand-in is a bare id.
    matchable: bool = True

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


def _one(session: Session, stmt: Any, field: str, what: str, text: str) -> Any:
    found = session.scalars(stmt.limit(2)).all()
    if not found:
        raise ValidationFailed.on(field, f"no {what} {text!r} that you may read")
    if len(found) > 1:
        raise ValidationFailed.on(
            field, f"several {what}s match {text!r}; give its number, email or id instead"
        )
    return found[0]


def _as_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def find_account(session: Session, actor: Actor, text: str, field: str) -> Account:
    """An account by id, account number or name (legal suffixes and case ignored)."""
    stmt = scoped(actor, Account).where(Account.merged_into_id.is_(None))
    record_id = _as_id(text)
    if record_id is not None:
        return _one(session, stmt.where(Account.id == record_id), field, "account", text)  # type: ignore[no-any-return]
    by_number = session.scalars(stmt.where(Account.account_number == text).limit(2)).all()
    if len(by_number) == 1:
        return by_number[0]
    key = company_key(text)
    return _one(session, stmt.where(Account.name_key == key), field, "account", text)  # type: ignore[no-any-return]


def find_contact(session: Session, actor: Actor, text: str, field: str) -> Contact:
    """A contact by id, email or full name ("First Last", case ignored)."""
    stmt = scoped(actor, Contact).where(Contact.merged_into_id.is_(None))
    record_id = _as_id(text)
    if record_id is not None:
        stmt = stmt.where(Contact.id == record_id)
    elif "@" in text:
        stmt = stmt.where(Contact.email_key == email_key(text))
    else:
        full = func.lower(
            func.trim(
                func.coalesce(Contact.first_name, "") + " " + func.coalesce(Contact.last_name, "")
            )
        )
        stmt = stmt.where(full == " ".join(text.lower().split()))
    return _one(session, stmt, field, "contact", text)  # type: ignore[no-any-return]


class OpportunityImport(OpportunityDetails):
    """An opportunity row: its customer named by `account` or `customer_contact`."""

    name: str = Field(min_length=1, max_length=300)
    account: str | None = Field(default=None, max_length=300)
    customer_contact: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _one_customer(self) -> OpportunityImport:
        if (self.account is None) == (self.customer_contact is None):
            raise PydanticCustomError(
                "customer", "give exactly one customer: an account or a customer contact"
            )
        return self


def _create_opportunity(session: Session, actor: Actor, data: OpportunityImport) -> Any:
    values = data.model_dump(exclude={"account", "customer_contact", "contact"})
    if data.account is not None:
        values["account_id"] = find_account(session, actor, data.account, "account").id
    if data.customer_contact is not None:
        contact = find_contact(session, actor, data.customer_contact, "customer_contact")
        values["customer_contact_id"] = contact.id
    if data.contact is not None:
        values["contact_id"] = find_contact(session, actor, data.contact, "contact").id
    return opportunities.create_opportunity(
        session, actor, OpportunityCreate.model_validate(values)
    )


class ProductImport(Input):
    """A catalog row: family, unit group and default unit named, not identified."""

    number: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    kind: ProductKind = ProductKind.PRODUCT
    parent: str | None = Field(default=None, max_length=300)
    unit_group: str | None = Field(default=None, max_length=100)
    default_unit: str | None = Field(default=None, max_length=100)
    quantity_decimals: int | None = Field(default=None, ge=0, le=5)
    list_price: Money | None = None
    standard_cost: Money | None = None
    current_cost: Money | None = None
    description: Text | None = None


def _create_product(session: Session, actor: Actor, data: ProductImport) -> Any:
    values = data.model_dump(exclude={"parent", "unit_group", "default_unit"})
    if data.parent is not None:
        families = scoped(actor, Product).where(Product.kind == ProductKind.FAMILY.value)
        by_number = families.where(Product.number == data.parent)
        stmt = (
            by_number
            if session.scalar(by_number.limit(1))
            else families.where(func.lower(Product.name) == data.parent.lower())
        )
        values["parent_id"] = _one(session, stmt, "parent", "product family", data.parent).id
    group = None
    if data.unit_group is not None:
        groups = scoped(actor, UnitGroup).where(
            func.lower(UnitGroup.name) == data.unit_group.lower()
        )
        group = _one(session, groups, "unit_group", "unit group", data.unit_group)
        values["unit_group_id"] = group.id
    if data.default_unit is not None:
        if group is None:
            raise ValidationFailed.on("default_unit", "give the unit group of the default unit")
        units = scoped(actor, Unit).where(
            Unit.unit_group_id == group.id, func.lower(Unit.name) == data.default_unit.lower()
        )
        values["default_unit_id"] = _one(
            session, units, "default_unit", "unit", data.default_unit
        ).id
    elif group is not None:
        # A catalog without a unit column: the group's primary unit, as a person would pick.
        values["default_unit_id"] = session.scalar(
            select(Unit.id).where(Unit.unit_group_id == group.id, Unit.name == group.primary_unit)
        )
    return catalog.create_product(session, actor, ProductCreate.model_validate(values))


def _delete_product(
    session: Session, actor: Actor, product_id: uuid.UUID, version: int | None
) -> None:
    remove_record(
        session,
        actor,
        load(session, actor, Product, product_id, Op.DELETE),
        expected_version=version,
    )


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
        "product", Product, ProductImport, ProductUpdate, _create_product,
        catalog.update_product, _delete_product, _no_keys, (("number",), ("name",)),
        matchable=False,
    ),
    "opportunity": Target(
        "opportunity", Opportunity, OpportunityImport, OpportunityUpdate, _create_opportunity,
        opportunities.update_opportunity, opportunities.delete_opportunity, _no_keys,
        (("name",), ("account", "customer_contact")), matchable=False,
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
