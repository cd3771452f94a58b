"""Export a list page's current view (filters, search, sort) to CSV or XLSX.

The rows are the list's own: the same domain lister, so the same permission
scoping, filters, search and order, read page by page through its keyset
cursor. Cells go through the imports' export writers, which quote text a
spreadsheet would run as a formula. CSV streams in a session of its own.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from leadgate.accounts.models import Account
from leadgate.core.clock import utcnow
from leadgate.core.errors import NotFound
from leadgate.imports import export
from leadgate.security.access import Actor
from leadgate.security.models import User as UserModel
from leadgate.web.auth import DbSession, User
from leadgate.web.common import names
from leadgate.web.records import ANY, spec_for
from leadgate.web.specs import ME, Spec

router = APIRouter(include_in_schema=False)
EXPORTABLE = frozenset({"lead", "account", "contact", "opportunity"})
BATCH = 500


def view_of(spec: Spec, params: dict[str, str], actor: Actor) -> dict[str, Any]:
    """The lister's arguments for the list page these query parameters show."""
    views = {v.key: v for v in spec.views}
    view = views.get(params.get("view") or (spec.views[0].key if spec.views else ""))
    filters: dict[str, Any] = dict(view.filters) if view else {}
    for chip in spec.chips:
        value = params.get(chip.param)
        if value == ANY:
            filters.pop(chip.param, None)
        elif value is not None and value in chip.options:
            filters[chip.param] = value
    if filters.get("owner_id") == ME:
        filters["owner_id"] = actor.user_id
    q = (params.get("q") or "").strip() or None
    return {"filters": filters, "q": q, "sort": params.get("sort") or spec.default_sort}


def _header(spec: Spec) -> list[str]:
    money = any(c.kind == "money" for c in spec.columns)
    return ["Id", *(c.header for c in spec.columns), *(["Currency"] if money else [])]


def export_rows(
    session: Session, actor: Actor, spec: Spec, view: dict[str, Any]
) -> Iterator[list[Any]]:
    """The header, then the view's rows in the list's order, every page of it."""
    yield _header(spec)
    money = any(c.kind == "money" for c in spec.columns)
    cursor: str | None = None
    while True:
        page = spec.lister(session, actor, cursor=cursor, limit=BATCH, **view)
        items = page.items
        owners = names(session, actor, UserModel, [getattr(i, "owner_id", None) for i in items])
        refs = names(session, actor, Account, [getattr(i, "account_id", None) for i in items])
        for item in items:
            row: list[Any] = [item.id]
            for col in spec.columns:
                value = getattr(item, col.attr, None)
                if col.kind == "owner":
                    value = owners.get(value, "") if value is not None else ""
                elif col.kind == "ref":
                    value = refs.get(value, "") if value is not None else ""
                row.append(value)
            if money:
                row.append(getattr(item, "currency", None))
            yield row
        cursor = page.next_cursor
        if not cursor or not page.items:
            return


def _streamed(
    factory: sessionmaker[Session], actor: Actor, spec: Spec, view: dict[str, Any]
) -> Iterator[str]:
    # The request's session may close before the stream ends.
    with factory() as session, session.begin():
        yield from export.csv_chunks(export_rows(session, actor, spec, view))


@router.get("/{plural}/export.{fmt}")
def export_view(
    request: Request, plural: str, fmt: str, user: User, session: DbSession
) -> Response:
    spec = spec_for(plural)
    if spec.key not in EXPORTABLE or fmt not in ("csv", "xlsx"):
        raise NotFound(f"no {fmt} export of {plural}")
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    view = view_of(spec, params, user.actor)
    name = f"{plural}-{utcnow():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        with session.begin():  # a refused sort or search answers before the stream starts
            spec.lister(session, user.actor, cursor=None, limit=1, **view)
        return StreamingResponse(
            _streamed(request.app.state.session_factory, user.actor, spec, view),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    folder = Path(tempfile.mkdtemp(prefix="leadgate-export-"))
    path = folder / name
    with session.begin():
        export.write_xlsx(export_rows(session, user.actor, spec, view), path)
    cleanup = BackgroundTasks()
    cleanup.add_task(shutil.rmtree, folder, True)
    return FileResponse(path, filename=name, background=cleanup)
