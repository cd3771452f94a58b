"""Who else looks like this lead's party: existing accounts, contacts and open leads
with the same normalised email, the same normalised phone, or the same company
name ignoring case, punctuation and legal suffixes.

This is the core's simple matcher used by the qualify preview; the duplicate
rules engine replaces it through `set_matcher`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.contacts.models import Contact
from leadgate.leads.models import Lead
from leadgate.leads.states import LeadState
from leadgate.security.access import Actor, scoped

MAX_MATCHES = 20


@dataclass
class Match:
    record_type: str
    id: uuid.UUID
    name: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class Matches:
    accounts: list[Match] = field(default_factory=list)
    contacts: list[Match] = field(default_factory=list)
    leads: list[Match] = field(default_factory=list)


def _reasons(
    lead: Lead, email: str | None, phones: tuple[str | None, ...], company: str | None
) -> list[str]:
    found = []
    if lead.email_key and email == lead.email_key:
        found.append("same email")
    if lead.phone_key and lead.phone_key in phones:
        found.append("same phone")
    if lead.company_key and company == lead.company_key:
        found.append("same company name")
    return found


def _any(*clauses: ColumnElement[bool] | None) -> ColumnElement[bool]:
    real = [c for c in clauses if c is not None]
    return or_(*real) if real else false()


def simple_matches(session: Session, actor: Actor, lead: Lead) -> Matches:
    email, phone, company = lead.email_key, lead.phone_key, lead.company_key
    result = Matches()
    accounts = (
        scoped(actor, Account)
        .where(
            _any(
                Account.email_key == email if email else None,
                Account.phone_key == phone if phone else None,
                Account.name_key == company if company else None,
            )
        )
        .limit(MAX_MATCHES)
    )
    for a in session.scalars(accounts):
        result.accounts.append(
            Match("account", a.id, a.name, _reasons(lead, a.email_key, (a.phone_key,), a.name_key))
        )
    contacts = (
        scoped(actor, Contact)
        .where(
            _any(
                Contact.email_key == email if email else None,
                Contact.phone_key == phone if phone else None,
                Contact.mobile_key == phone if phone else None,
            )
        )
        .limit(MAX_MATCHES)
    )
    for c in session.scalars(contacts):
        result.contacts.append(
            Match(
                "contact",
                c.id,
                c.full_name,
                _reasons(lead, c.email_key, (c.phone_key, c.mobile_key), None),
            )
        )
    leads = (
        scoped(actor, Lead)
        .where(
            Lead.id != lead.id,
            Lead.state == LeadState.OPEN.value,
            _any(
                Lead.email_key == email if email else None,
                Lead.phone_key == phone if phone else None,
                Lead.company_key == company if company else None,
            ),
        )
        .limit(MAX_MATCHES)
    )
    for other in session.scalars(leads):
        result.leads.append(
            Match(
                "lead",
                other.id,
                f"{other.topic} ({other.full_name})".strip(),
                _reasons(lead, other.email_key, (other.phone_key,), other.company_key),
            )
        )
    return result


Matcher = Callable[[Session, Actor, Lead], Matches]
_matcher: Matcher = simple_matches


def set_matcher(matcher: Matcher) -> None:
    """Let the duplicate-rules engine take over matching (registered by the composition root)."""
    global _matcher
    _matcher = matcher


def find_matches(session: Session, actor: Actor, lead: Lead) -> Matches:
    return _matcher(session, actor, lead)
