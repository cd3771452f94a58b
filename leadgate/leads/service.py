"""Use cases of leads: edit, and the lifecycle transitions a lead owns.

Qualification creates opportunities, which build on leads, so it lives with
them in `leadgate.opportunities.qualification`; it closes the lead through
`close_as_qualified` here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.audit.editing import create_record, delete_record, update_record
from leadgate.audit.recording import check_version, insert_records, record_transition
from leadgate.contacts.models import Contact
from leadgate.core.drafts import Draft
from leadgate.core.errors import (
    InvalidTransition,
    NotFound,
    ReadOnlyRecord,
    ValidationFailed,
)
from leadgate.core.events import publish
from leadgate.core.ids import new_id
from leadgate.core.normalize import company_key, email_key, phone_key
from leadgate.leads.events import (
    LeadCreated,
    LeadDisqualified,
    LeadQualified,
    LeadReactivated,
    LeadSaved,
    LeadsCreated,
)
from leadgate.leads.models import Lead
from leadgate.leads.schemas import DisqualifyRequest, LeadCreate, LeadUpdate
from leadgate.leads.states import LeadState, allowed_moves, check_transition
from leadgate.security.access import Actor, ensure, load
from leadgate.security.roles import Op

_FLAGS = ("do_not_email", "do_not_phone", "do_not_bulk_email")


def derive_keys(lead: Lead, values: dict[str, Any]) -> None:
    merged = {
        k: values.get(k, getattr(lead, k)) for k in ("email", "phone", "company_name", "country")
    }
    values["email_key"] = email_key(merged["email"])
    values["phone_key"] = phone_key(merged["phone"], merged["country"])
    values["company_key"] = company_key(merged["company_name"])


def _check_links(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    for field, model in (("existing_account_id", Account), ("existing_contact_id", Contact)):
        if values.get(field) is not None:
            try:
                load(session, actor, model, values[field])
            except NotFound as exc:
                raise ValidationFailed.on(field, f"no such {model.RECORD_TYPE}") from exc


def _guard_open(lead: Lead) -> None:
    if lead.state != LeadState.OPEN:
        raise ReadOnlyRecord(
            f"a {lead.state} lead is read-only; reactivate it first "
            f"(allowed: {', '.join(allowed_moves(LeadState(lead.state)))})"
        )


def create_lead(session: Session, actor: Actor, data: LeadCreate, **extra: Any) -> Lead:
    values = data.model_dump()
    _check_links(session, actor, values)
    for flag in _FLAGS:
        values[flag] = bool(values[flag])
    values["currency"] = values["currency"] or "USD"
    lead = Lead(id=new_id(), state=LeadState.OPEN.value, status="new", **values, **extra)
    keys: dict[str, Any] = {}
    derive_keys(lead, keys)
    for name, value in keys.items():
        setattr(lead, name, value)
    create_record(session, actor, lead)
    publish(session, LeadCreated(actor, lead.id))
    publish(session, LeadSaved(lead, created=True))
    return lead


def create_leads(
    session: Session, actor: Actor, items: Sequence[tuple[uuid.UUID, LeadCreate]]
) -> list[Draft]:
    """Create many leads owned by the actor in one batched write (imports).

    The same checks, normalised keys and audit rows as `create_lead`, written with
    one executemany INSERT per table instead of the ORM unit of work; leads with
    links or another owner go through `create_lead` instead. One LeadsCreated
    event announces them all (index keys, scores, process flows in bulk).
    """
    ensure(actor, Lead.RECORD_TYPE, Op.CREATE, actor.user_id)
    rows = []
    for lead_id, data in items:
        values = data.model_dump()
        if values.pop("owner_id", None) not in (None, actor.user_id):
            raise ValidationFailed.on("owner_id", "bulk creates are owned by the actor")
        _check_links(session, actor, values)
        for flag in _FLAGS:
            values[flag] = bool(values[flag])
        values["currency"] = values["currency"] or "USD"
        values.update(id=lead_id, state=LeadState.OPEN.value, status="new", owner_id=actor.user_id)
        values["email_key"] = email_key(values["email"])
        values["phone_key"] = phone_key(values["phone"], values["country"])
        values["company_key"] = company_key(values["company_name"])
        rows.append(values)
    written = insert_records(session, actor, Lead, rows)
    drafts = [Draft(Lead.RECORD_TYPE, **row) for row in written]
    publish(session, LeadsCreated(drafts, actor))
    return drafts


def update_lead(
    session: Session,
    actor: Actor,
    lead_id: uuid.UUID,
    data: LeadUpdate,
    expected_version: int | None,
) -> Lead:
    values = data.changes()
    _check_links(session, actor, values)
    lead = update_record(
        session,
        actor,
        Lead,
        lead_id,
        values,
        expected_version=expected_version,
        required=("topic", "currency", *_FLAGS),
        guard=_guard_open,
        derive=derive_keys,
    )
    publish(session, LeadSaved(lead, created=False))
    return lead


def delete_lead(
    session: Session, actor: Actor, lead_id: uuid.UUID, expected_version: int | None
) -> None:
    delete_record(
        session, actor, Lead, lead_id, expected_version=expected_version, guard=_guard_open
    )


def _transition(
    session: Session,
    actor: Actor,
    lead: Lead,
    name: str,
    status: str | None,
    reason: str | None = None,
    expected_version: int | None = None,
    links: dict[str, uuid.UUID | None] | None = None,
) -> Lead:
    transition = check_transition(name, LeadState(lead.state))
    new_status = transition.status(status)
    check_version(lead, expected_version)
    links = links or {}
    before = {"state": lead.state, "status": lead.status, "status_reason": lead.status_reason}
    before |= {field: getattr(lead, field) for field in links}
    lead.state = transition.target.value
    lead.status = new_status
    lead.status_reason = reason
    for field, value in links.items():
        setattr(lead, field, value)
    record_transition(session, actor, lead, name, before, summary=reason or "")
    return lead


def disqualify(
    session: Session,
    actor: Actor,
    lead_id: uuid.UUID,
    data: DisqualifyRequest,
    expected_version: int | None = None,
) -> Lead:
    lead = load(session, actor, Lead, lead_id, Op.WRITE)
    check_transition("disqualify", LeadState(lead.state))
    if lead.qualifying_opportunity_id is not None:
        # A transition refusal like any other: the client learns which moves remain.
        raise InvalidTransition(
            f"lead is linked to opportunity {lead.qualifying_opportunity_id}; "
            "it cannot be disqualified",
            state=lead.state,
            allowed=[m for m in allowed_moves(LeadState(lead.state)) if m != "disqualify"],
        )
    lead = _transition(
        session, actor, lead, "disqualify", data.status, data.reason, expected_version
    )
    publish(session, LeadDisqualified(actor, lead.id))
    return lead


def reactivate(
    session: Session, actor: Actor, lead_id: uuid.UUID, expected_version: int | None = None
) -> Lead:
    lead = load(session, actor, Lead, lead_id, Op.WRITE)
    _transition(session, actor, lead, "reactivate", None, None, expected_version)
    publish(session, LeadReactivated(actor, lead.id))
    return lead


def mark_contacted(
    session: Session, actor: Actor, lead_id: uuid.UUID, expected_version: int | None = None
) -> Lead:
    lead = load(session, actor, Lead, lead_id, Op.WRITE)
    return _transition(session, actor, lead, "mark_contacted", None, None, expected_version)


def close_as_qualified(
    session: Session,
    actor: Actor,
    lead: Lead,
    opportunity_id: uuid.UUID | None,
    *,
    existing_account_id: uuid.UUID | None = None,
    existing_contact_id: uuid.UUID | None = None,
) -> Lead:
    """The lead's half of qualification (the caller has checked access and version).

    The links it sets are part of the logged transition, old → new like any change."""
    links: dict[str, uuid.UUID | None] = {"qualifying_opportunity_id": opportunity_id}
    if existing_account_id is not None:
        links["existing_account_id"] = existing_account_id
    if existing_contact_id is not None:
        links["existing_contact_id"] = existing_contact_id
    _transition(session, actor, lead, "qualify", None, links=links)
    publish(session, LeadQualified(actor, lead.id, opportunity_id))
    return lead
