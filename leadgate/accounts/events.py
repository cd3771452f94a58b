"""Events the account service publishes (duplicate detection keeps its match keys by them)."""

from __future__ import annotations

from dataclasses import dataclass

from leadgate.accounts.models import Account
from leadgate.core.events import Event


@dataclass(frozen=True)
class AccountSaved(Event):
    """A account was created or changed (flushed, in the caller's transaction)."""

    record: Account
    created: bool
