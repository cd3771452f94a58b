"""Qualify: turn an open lead into an opportunity with its customer, in one transaction.

1. `preview` shows what would be created and which existing accounts,
   contacts and open leads look like the same party.
2. `qualify` creates what was asked (new account / contact / opportunity, or
   links to existing ones), copies lead fields through the stored mapping,
   links every new record back to the lead (`originating_lead_id`) and the
   lead to its opportunity (`qualifying_opportunity_id`), and closes the lead
   as qualified. Any failure rolls all of it back (the caller owns the
   transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.accounts.schemas import AccountCreate
from leadgate.accounts.service import create_account
from leadgate.audit.recording import check_version
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate
from leadgate.contacts.service import create_contact
from leadgate.core.errors import FieldProblem, NotFound, ValidationFailed
from leadgate.leads.matching import Matches, find_matches
from leadgate.leads.models import Lead
from leadgate.leads.service import close_as_qualified
from leadgate.leads.states import LeadState, check_transition
from leadgate.opportunities.mapping import mapped_values
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import OpportunityCreate, QualifyRequest
from leadgate.opportunities.service import create_opportunity
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op


@dataclass
class Qualified:
    lead: Lead
    account: Account | None
    contact: Contact | None
    opportunity: Opportunity | None


@dataclass
class Plan:
    records: list[tuple[str, dict[str, Any]]]
    problems: list[FieldProblem]


def _validated(schema: type[Any], values: dict[str, Any], prefix: str) -> Any:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join([prefix, *(str(p) for p in err["loc"])]), err["msg"])
            for err in exc.errors()
        ]
        raise ValidationFailed(
            f"the lead's data cannot make a valid {prefix}", errors=problems
        ) from exc


def _linked(
    session: Session, actor: Actor, model: type[Any], record_id: uuid.UUID | None, field: str
) -> Any:
    if record_id is None:
        return None
    try:
        return load(session, actor, model, record_id)
    except NotFound as exc:
        raise ValidationFailed.on(field, f"no such {model.RECORD_TYPE}") from exc


def with_lead_links(lead: Lead, request: QualifyRequest) -> QualifyRequest:
    """A lead already linked to an existing account or contact qualifies onto it, unless
    the request names another one or explicitly asks for a new one."""
    updates: dict[str, object] = {}
    explicit = request.model_fields_set
    if (
        lead.existing_account_id
        and request.existing_account_id is None
        and "create_account" not in explicit
    ):
        updates["existing_account_id"] = lead.existing_account_id
    if (
        lead.existing_contact_id
        and request.existing_contact_id is None
        and "create_contact" not in explicit
    ):
        updates["existing_contact_id"] = lead.existing_contact_id
    return request.model_copy(update=updates) if updates else request


def plan(session: Session, lead: Lead, request: QualifyRequest) -> Plan:
    """What qualify would create, with the problems that would stop it (no writes)."""
    problems: list[FieldProblem] = []
    records: list[tuple[str, dict[str, Any]]] = []
    # Naming an existing record means "use it"; asking explicitly for both is contradictory.
    explicit = request.model_fields_set
    if "create_account" in explicit and request.create_account and request.existing_account_id:
        problems.append(
            FieldProblem("create_account", "choose a new account or an existing one, not both")
        )
    if "create_contact" in explicit and request.create_contact and request.existing_contact_id:
        problems.append(
            FieldProblem("create_contact", "choose a new contact or an existing one, not both")
        )
    if request.create_account and not request.existing_account_id:
        values = mapped_values(session, lead, "account")
        if not values.get("name"):
            problems.append(
                FieldProblem("create_account", "the lead has no company name for an account")
            )
        records.append(("account", values))
    if request.create_contact and not request.existing_contact_id:
        values = mapped_values(session, lead, "contact")
        if not (values.get("first_name") or values.get("last_name")):
            problems.append(FieldProblem("create_contact", "the lead has no name for a contact"))
        records.append(("contact", values))
    if request.create_opportunity:
        values = mapped_values(session, lead, "opportunity")
        if request.currency:
            values["currency"] = request.currency
        has_customer = (
            request.existing_account_id
            or request.existing_contact_id
            or request.create_account
            or request.create_contact
        )
        if not has_customer:
            problems.append(
                FieldProblem(
                    "create_opportunity",
                    "an opportunity needs a customer: create or pick an account or contact",
                )
            )
        records.append(("opportunity", values))
    return Plan(records, problems)


def preview(
    session: Session, actor: Actor, lead_id: uuid.UUID, request: QualifyRequest | None = None
) -> tuple[Lead, Plan, Matches]:
    lead = load(session, actor, Lead, lead_id)
    check_transition("qualify", LeadState(lead.state))
    return (
        lead,
        plan(session, lead, with_lead_links(lead, request or QualifyRequest())),
        find_matches(session, actor, lead),
    )


def qualify(
    session: Session,
    actor: Actor,
    lead_id: uuid.UUID,
    request: QualifyRequest,
    expected_version: int | None = None,
) -> Qualified:
    lead = load(session, actor, Lead, lead_id, Op.WRITE)
    check_transition("qualify", LeadState(lead.state))
    check_version(lead, expected_version)
    request = with_lead_links(lead, request)
    planned = plan(session, lead, request)
    if planned.problems:
        raise ValidationFailed("cannot qualify this lead as asked", errors=planned.problems)
    account: Account | None = _linked(
        session, actor, Account, request.existing_account_id, "existing_account_id"
    )
    contact: Contact | None = _linked(
        session, actor, Contact, request.existing_contact_id, "existing_contact_id"
    )
    wanted = dict(planned.records)
    origin = {"originating_lead_id": lead.id}
    new_account = new_contact = None
    if "account" in wanted:
        new_account = account = create_account(
            session, actor, _validated(AccountCreate, wanted["account"], "account"), **origin
        )
    if "contact" in wanted:
        values = {**wanted["contact"], "account_id": account.id if account else None}
        new_contact = contact = create_contact(
            session, actor, _validated(ContactCreate, values, "contact"), **origin
        )
    opportunity = None
    if "opportunity" in wanted:
        values = {
            **wanted["opportunity"],
            "account_id": account.id if account else None,
            "customer_contact_id": None if account else (contact.id if contact else None),
            "contact_id": contact.id if contact else None,
            "campaign_id": request.campaign_id or lead.campaign_id,
        }
        opportunity = create_opportunity(
            session, actor, _validated(OpportunityCreate, values, "opportunity"), **origin
        )
    close_as_qualified(
        session,
        actor,
        lead,
        opportunity.id if opportunity else None,
        existing_account_id=account.id if account is not None and new_account is None else None,
        existing_contact_id=contact.id if contact is not None and new_contact is None else None,
    )
    return Qualified(lead, new_account or account, new_contact or contact, opportunity)
