"""Duplicate detection on the lead, account and contact forms.

Like the API, a save that published duplicate rules match is rolled back and
the form comes back with what was typed and the matches; the user's "Save
anyway" button resubmits the same form with `ignore_duplicates`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from leadgate.dedup.detection import DuplicatesFound, check_duplicates
from leadgate.security.access import Actor, load
from leadgate.web.forms import FormState
from leadgate.web.specs import SPECS, Spec

CHECKED = frozenset({"lead", "account", "contact"})
FIELD = "ignore_duplicates"


def save_anyway(form: dict[str, Any]) -> bool:
    return str(form.get(FIELD, "")).strip().lower() in ("1", "true", "on", "yes")


def before_update(
    session: Session, actor: Actor, spec: Spec, record_id: uuid.UUID
) -> dict[str, Any] | None:
    """The stored values an edit may change, to tell which fields it really changed.

    The edit form sends every input, so the patch alone would look like a change to
    all of them and block every edit of a record that already has a known duplicate.
    """
    if spec.key not in CHECKED:
        return None
    record = load(session, actor, spec.model, record_id)
    return {i.name: getattr(record, i.name, None) for i in spec.inputs}


def refuse(
    session: Session,
    actor: Actor,
    spec: Spec,
    record: Any,
    ignore: bool,
    before: dict[str, Any] | None = None,
) -> None:
    """Raise DuplicatesFound (the caller's transaction rolls back) unless told to ignore."""
    if ignore or spec.key not in CHECKED:
        return
    changed: Iterable[str] | None = None
    if before is not None:
        changed = [k for k, v in before.items() if getattr(record, k, None) != v]
    check_duplicates(session, actor, record, changed)


def show(state: FormState, error: DuplicatesFound) -> None:
    """Put the matches on the form, each with a link to its record page."""
    state.duplicates = [
        {
            "name": m.name,
            "record_type": m.record_type,
            "label": SPECS[m.record_type].label,
            "url": f"{SPECS[m.record_type].path}/{m.id}",
            "rules": m.rules,
            "score": round(m.score * 100) if m.score <= 1 else round(m.score),
        }
        for m in error.matches
    ]
    count = len(error.matches)
    state.message = (
        f"This looks like {count} existing record{'s' if count != 1 else ''}. "
        "Nothing was saved: open a match below, or save anyway."
    )
