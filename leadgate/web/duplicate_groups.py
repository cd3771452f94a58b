"""The duplicate review page: the groups the last scan stored, per record type.

Each group lists its records (links to their pages, only groups whose every
record the user may read), and offers "Merge into" (the master chosen by the
user; the others merge into it one by one through the merge service, in one
transaction, which marks the group merged) and "Not duplicates" (dismiss).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from leadgate.core.errors import ValidationFailed
from leadgate.dedup import groups as dup_groups
from leadgate.dedup import merge as merging
from leadgate.dedup.registry import MODELS
from leadgate.dedup.schemas import MergeRequest
from leadgate.web.auth import DbSession, FormData, User
from leadgate.web.common import parse_id, redirect
from leadgate.web.render import render

router = APIRouter(include_in_schema=False)
PATHS = {"lead": "/leads", "contact": "/contacts", "account": "/accounts"}
PAGE_SIZE = 25


@router.get("/duplicates")
def review(
    request: Request, user: User, session: DbSession, type: str = "lead", cursor: str = ""
) -> Response:
    record_type = type if type in MODELS else "lead"
    with session.begin():
        page = dup_groups.list_groups(
            session, user.actor, record_type, cursor=cursor or None, limit=PAGE_SIZE
        )
        context = {
            "title": "Duplicates to review",
            "section": PATHS[record_type].strip("/"),
            "record_type": record_type,
            "types": list(MODELS),
            "page": page,
            "path": PATHS[record_type],
        }
        return render(request, "duplicates/groups.html", context)


@router.post("/duplicates/groups/{group_id}/dismiss")
def dismiss(
    request: Request, group_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    with session.begin():
        view = dup_groups.dismiss_group(session, user.actor, group_id)
        record_type = view.group.record_type
    return redirect(request, f"/duplicates?type={record_type}", "Marked as not duplicates.")


@router.post("/duplicates/groups/{group_id}/merge")
def merge_group(
    request: Request, group_id: uuid.UUID, user: User, form: FormData, session: DbSession
) -> Response:
    master_id = parse_id(str(form.get("master_id", "")))
    with session.begin():
        view = dup_groups.get_group(session, user.actor, group_id)
        members = {m.id: m for m in view.members}
        if master_id is None or master_id not in members:
            raise ValidationFailed.on("master_id", "choose the record to keep")
        for member in view.members:
            if member.id != master_id and member.merged_into_id is None:
                merging.merge(
                    session,
                    user.actor,
                    MergeRequest(
                        record_type=view.group.record_type,
                        master_id=master_id,
                        other_id=member.id,
                    ),
                )
        record_type = view.group.record_type
    return redirect(
        request, f"{PATHS[record_type]}/{master_id}", f"Merged into {members[master_id].name}."
    )
