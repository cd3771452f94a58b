"""Duplicate detection on create and update of leads, contacts and accounts.

A save that published duplicate rules match answers 409 `duplicates_found`
with the matches (problem+json `matches: [{record_type, id, name, score,
rules}]`) and nothing is written. The client saves anyway by repeating the
request with the query parameter `ignore_duplicates=true` or the header
`X-Ignore-Duplicates: true`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Query
from sqlalchemy.orm import Session

from leadgate.dedup.detection import check_duplicates
from leadgate.security.access import Actor

R = TypeVar("R")
_TRUE = frozenset({"1", "true", "yes", "on"})


def ignore_duplicates(
    ignore_duplicates: Annotated[
        bool, Query(description="save even if duplicate rules match (else 409 with the matches)")
    ] = False,
    x_ignore_duplicates: Annotated[str | None, Header(max_length=10)] = None,
) -> bool:
    return ignore_duplicates or (x_ignore_duplicates or "").strip().lower() in _TRUE


IgnoreDuplicates = Annotated[bool, Depends(ignore_duplicates)]


def refuse_duplicates(
    session: Session,
    actor: Actor,
    record: R,
    ignore: bool,
    changed: Iterable[str] | None = None,
) -> R:
    """Raise 409 (rolling the save back) when `record` matches published duplicate rules.

    Updates pass the fields they `changed`: only changes to fields the rules
    compare are checked.
    """
    if not ignore:
        check_duplicates(session, actor, record, changed)
    return record
