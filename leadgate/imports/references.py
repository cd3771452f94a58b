"""Records a spreadsheet row names rather than identifies (an account by number or
name, a contact by email or full name), looked up among the records the importing
user may read. A name that finds nothing, or several records, fails the row naming
the field; nothing is created on the fly.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.contacts.models import Contact
from leadgate.core.errors import ValidationFailed
from leadgate.core.normalize import company_key, email_key
from leadgate.security.access import Actor, scoped


def one_named(session: Session, stmt: Any, field: str, what: str, text: str) -> Any:
    """The one record `stmt` finds for the name `text`; none or several fail the row's `field`."""
    found = session.scalars(stmt.limit(2)).all()
    if not found:
        raise ValidationFailed.on(field, f"no {what} {text!r} that you may read")
    if len(found) > 1:
        raise ValidationFailed.on(
            field, f"several {what}s match {text!r}; give its number, email or id instead"
        )
    return found[0]


def as_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def find_account(session: Session, actor: Actor, text: str, field: str) -> Account:
    """An account by id, account number or name (legal suffixes and case ignored)."""
    stmt = scoped(actor, Account).where(Account.merged_into_id.is_(None))
    record_id = as_id(text)
    if record_id is not None:
        return one_named(session, stmt.where(Account.id == record_id), field, "account", text)  # type: ignore[no-any-return]
    by_number = session.scalars(stmt.where(Account.account_number == text).limit(2)).all()
    if len(by_number) == 1:
        return by_number[0]
    key = company_key(text)
    return one_named(session, stmt.where(Account.name_key == key), field, "account", text)  # type: ignore[no-any-return]


def find_contact(session: Session, actor: Actor, text: str, field: str) -> Contact:
    """A contact by id, email or full name ("First Last", case ignored)."""
    stmt = scoped(actor, Contact).where(Contact.merged_into_id.is_(None))
    record_id = as_id(text)
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
    return one_named(session, stmt, field, "contact", text)  # type: ignore[no-any-return]
