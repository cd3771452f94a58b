"""Lists, record pages, create / edit / delete and bulk actions for every record type.

One set of routes serves leads, accounts, contacts, opportunities and
activities; `specs` says what each shows. Reads go through the domain
queries (scoped by security), writes through the domain services, each in
one transaction.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.activities import states as activity_states
from leadgate.activities.queries import Ref, timeline
from leadgate.contacts.models import Contact
from leadgate.core.errors import DomainError, NotFound, ValidationFailed
from leadgate.dedup.detection import DuplicatesFound
from leadgate.imports.targets import may_import
from leadgate.leads import states as lead_states
from leadgate.leads.schemas import DisqualifyRequest
from leadgate.leads.service import disqualify
from leadgate.opportunities import states as opportunity_states
from leadgate.opportunities.queries import closes_of
from leadgate.security.access import Actor, can, load
from leadgate.security.models import User as UserModel
from leadgate.security.roles import Depth, Op, depth
from leadgate.web import duplicates
from leadgate.web.auth import DbSession, FormData, User
from leadgate.web.common import names, parse_id, pickers, redirect, users
from leadgate.web.forms import FormState, apply_error, payload, typed_values, validate
from leadgate.web.process import process_context
from leadgate.web.render import is_htmx, render
from leadgate.web.specs import BY_PATH, ME, SPECS, Spec

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
ANY = "any"


def spec_for(plural: str) -> Spec:
    spec = BY_PATH.get(plural)
    if spec is None:
        raise NotFound(f"no page {plural!r}")
    return spec


# ---------------------------------------------------------------- lists


def _list_state(spec: Spec, params: dict[str, str]) -> dict[str, Any]:
    views = {v.key: v for v in spec.views}
    view_key = params.get("view") or (spec.views[0].key if spec.views else "")
    view = views.get(view_key)
    view_filters: dict[str, str] = dict(view.filters) if view else {}
    filters = dict(view_filters)
    for chip in spec.chips:
        value = params.get(chip.param)
        if value == ANY:  # the user switched off a filter the saved view brings
            filters.pop(chip.param, None)
        elif value is not None and value in chip.options:
            filters[chip.param] = value
    sort = view.sort if view else None
    return {"view": view_key, "filters": filters, "view_filters": view_filters, "sort": sort}


def _link(spec: Spec, params: dict[str, str], **changes: str | None) -> str:
    # Any change of filter, sort or search starts again from the first page.
    merged: dict[str, str | None] = {k: v for k, v in params.items() if k != "cursor"}
    merged.update(changes)
    query = {k: v for k, v in merged.items() if v}
    return f"{spec.path}?{urlencode(query)}" if query else spec.path


def bulk_actions(actor: Actor, spec: Spec) -> list[str]:
    """The bulk actions the actor's role allows on some records of this type."""
    needs = {"assign": Op.WRITE, "disqualify": Op.WRITE, "delete": Op.DELETE}
    return [a for a in spec.bulk if depth(actor.role, spec.key, needs[a]) is not Depth.NONE]


def _cells(session: Session, actor: Actor, spec: Spec, items: list[Any]) -> dict[str, Any]:
    owners = names(session, actor, UserModel, [getattr(i, "owner_id", None) for i in items])
    accounts = names(session, actor, Account, [getattr(i, "account_id", None) for i in items])
    return {"owners": owners, "refs": accounts}


@router.get("/{plural}")
def list_page(request: Request, plural: str, user: User, session: DbSession) -> Response:
    spec = spec_for(plural)
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    state = _list_state(spec, params)
    filters: dict[str, Any] = dict(state["filters"])
    if filters.get("owner_id") == ME:
        filters["owner_id"] = user.actor.user_id
    q = (params.get("q") or "").strip() or None
    sort = params.get("sort") or state["sort"] or spec.default_sort
    with session.begin():
        page = spec.lister(
            session,
            user.actor,
            filters=filters,
            q=q,
            sort=sort,
            cursor=params.get("cursor") or None,
            limit=PAGE_SIZE,
        )
        related = _cells(session, user.actor, spec, page.items)
        bulk = bulk_actions(user.actor, spec)
        owners = users(session, user.actor) if "assign" in bulk else []
    context = {
        "title": spec.plural,
        "section": spec.path.strip("/"),
        "spec": spec,
        "page": page,
        "params": params,
        "state": state,
        "sort": sort,
        "q": q or "",
        "link": lambda **changes: _link(spec, params, **changes),
        "owner_choices": owners,
        "bulk": bulk,
        "can_create": spec.create_schema is not None
        and can(user.actor, spec.key, Op.CREATE, user.actor.user_id),
        "can_import": spec.key == "lead" and may_import(user.actor, "lead"),
        **related,
    }
    if is_htmx(request) and request.headers.get("hx-target") == "list-region":
        return render(request, "partials/list_region.html", context)
    return render(request, "list.html", context)


@router.post("/{plural}/bulk")
def bulk(request: Request, plural: str, user: User, form: FormData, session: DbSession) -> Response:
    spec = spec_for(plural)
    action = str(form.get("action", ""))
    raw = form.get("ids[]", [])
    selected = [raw] if isinstance(raw, str) else list(raw)
    back = str(form.get("back") or spec.path)
    back = back if back.startswith("/") and not back.startswith("//") else spec.path
    if action not in bulk_actions(user.actor, spec):
        raise ValidationFailed.on("action", f"one of {', '.join(spec.bulk)}")
    if not selected:
        return redirect(request, back, "Select at least one row first.")
    owner_id = parse_id(form.get("owner_id")) if action == "assign" else None
    if action == "assign" and owner_id is None:
        raise ValidationFailed.on("owner_id", "choose who gets the selected records")
    done = 0
    # All or nothing: one refused row rolls back the others.
    with session.begin():
        for item in selected:
            record_id, _, version = item.partition(":")
            rid = parse_id(record_id)
            if rid is None:
                raise ValidationFailed.on("ids", f"not a record id: {record_id!r}")
            expected = int(version) if version.isdigit() else None
            if action == "delete" and spec.deleter is not None:
                spec.deleter(session, user.actor, rid, expected)
            elif action == "assign" and spec.updater and spec.update_schema:
                data = spec.update_schema.model_validate({"owner_id": owner_id})
                spec.updater(session, user.actor, rid, data, expected)
            elif action == "disqualify":
                disqualify(session, user.actor, rid, DisqualifyRequest(), expected)
            done += 1
    verb = {"delete": "Deleted", "assign": "Assigned", "disqualify": "Disqualified"}[action]
    return redirect(request, back, f"{verb} {done} {spec.plural.lower()}.")


# ---------------------------------------------------------------- forms


def _form_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date | uuid.UUID):
        return str(value)
    return str(value)


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    spec: Spec,
    state: FormState,
    record: Any = None,
    status: int = 200,
) -> Response:
    title = f"Edit {spec.title(record)}" if record else f"New {spec.label.lower()}"
    return render(
        request,
        "form.html",
        {
            "title": title,
            "section": spec.path.strip("/"),
            "spec": spec,
            "record": record,
            "form": state,
            "pickers": pickers(session, actor, {i.kind for i in spec.inputs}),
            "action": f"{spec.url(record)}/edit" if record else f"{spec.path}/new",
        },
        status=status,
    )


@router.get("/{plural}/new")
def new_form(request: Request, plural: str, user: User, session: DbSession) -> Response:
    spec = spec_for(plural)
    if spec.create_schema is None:
        raise NotFound(f"{spec.plural.lower()} are created from a record's timeline")
    defaults = {i.name: "" for i in spec.inputs}
    for key in ("account_id", "customer_contact_id"):
        if key in defaults and request.query_params.get(key):
            defaults[key] = request.query_params[key]
    with session.begin():
        return _form_page(request, session, user.actor, spec, FormState(values=defaults))


@router.post("/{plural}/new")
def create(
    request: Request, plural: str, user: User, form: FormData, session: DbSession
) -> Response:
    spec = spec_for(plural)
    if spec.create_schema is None or spec.creator is None:
        raise NotFound(f"no form to create {spec.plural.lower()}")
    state = FormState(values=typed_values(spec.inputs, form))
    data = validate(spec.create_schema, payload(spec.inputs, state.values, partial=False), state)
    if data is not None:
        try:
            with session.begin():
                record = spec.creator(session, user.actor, data)
                duplicates.refuse(session, user.actor, spec, record, duplicates.save_anyway(form))
                url, name = spec.url(record), spec.title(record)
            return redirect(request, url, f"{spec.label} “{name}” created.")
        except DuplicatesFound as exc:
            duplicates.show(state, exc)
        except DomainError as exc:
            if exc.status not in (409, 412, 422):
                raise
            apply_error(state, exc)
    with session.begin():
        status = 409 if state.duplicates else 422
        return _form_page(request, session, user.actor, spec, state, status=status)


@router.get("/{plural}/{record_id}/edit")
def edit_form(
    request: Request, plural: str, record_id: uuid.UUID, user: User, session: DbSession
) -> Response:
    spec = spec_for(plural)
    if spec.update_schema is None:
        raise NotFound(f"{spec.plural.lower()} are not edited here")
    with session.begin():
        record = load(session, user.actor, spec.model, record_id, Op.WRITE)
        if spec.closed(record):
            return redirect(
                request, spec.url(record), f"This {spec.label.lower()} is closed and read-only."
            )
        values = {i.name: _form_value(getattr(record, i.name, None)) for i in spec.inputs}
        state = FormState(values={**values, "version": str(getattr(record, "version", ""))})
        return _form_page(request, session, user.actor, spec, state, record)


@router.post("/{plural}/{record_id}/edit")
def update(
    request: Request,
    plural: str,
    record_id: uuid.UUID,
    user: User,
    form: FormData,
    session: DbSession,
) -> Response:
    spec = spec_for(plural)
    if spec.update_schema is None or spec.updater is None:
        raise NotFound(f"{spec.plural.lower()} are not edited here")
    version = str(form.get("version", ""))
    state = FormState(values={**typed_values(spec.inputs, form), "version": version})
    data = validate(spec.update_schema, payload(spec.inputs, state.values, partial=True), state)
    if data is not None:
        try:
            with session.begin():
                expected = int(version) if version.isdigit() else None
                before = duplicates.before_update(session, user.actor, spec, record_id)
                record = spec.updater(session, user.actor, record_id, data, expected)
                ignore = duplicates.save_anyway(form)
                duplicates.refuse(session, user.actor, spec, record, ignore, before)
                url = spec.url(record)
            return redirect(request, url, f"{spec.label} saved.")
        except DuplicatesFound as exc:
            duplicates.show(state, exc)
        except DomainError as exc:
            if exc.status not in (409, 412, 422):
                raise
            apply_error(state, exc)
    with session.begin():
        record = load(session, user.actor, spec.model, record_id)
        status = 409 if state.duplicates else 422
        return _form_page(request, session, user.actor, spec, state, record, status=status)


@router.post("/{plural}/{record_id}/delete")
def delete(
    request: Request,
    plural: str,
    record_id: uuid.UUID,
    user: User,
    form: FormData,
    session: DbSession,
) -> Response:
    spec = spec_for(plural)
    if spec.deleter is None:
        raise NotFound(f"{spec.plural.lower()} are not deleted here")
    version = str(form.get("version", ""))
    with session.begin():
        spec.deleter(session, user.actor, record_id, int(version) if version.isdigit() else None)
    return redirect(request, spec.path, f"{spec.label} deleted.")


# ---------------------------------------------------------------- record page


def allowed_actions(record_type: str, state: str | None) -> list[str]:
    """The transitions the record's state allows, from its domain's transition table."""
    if state is None:
        return []
    if record_type == "lead":
        return lead_states.allowed_moves(lead_states.LeadState(state))
    if record_type == "opportunity":
        return opportunity_states.allowed_moves(opportunity_states.OpportunityState(state))
    if record_type == "activity":
        return activity_states.allowed_moves(activity_states.ActivityState(state))
    return []


def _related(session: Session, actor: Actor, spec: Spec, record: Any) -> dict[str, Any]:
    """Related lists and the extra timeline refs of a record page."""
    found: dict[str, Any] = {"lists": [], "timeline_refs": [], "closes": []}
    empty: dict[str, Any] = {"q": None, "sort": None, "cursor": None, "limit": 10}
    if spec.key == "account":
        contacts = SPECS["contact"].lister(
            session, actor, filters={"account_id": record.id}, **empty
        )
        opportunities = SPECS["opportunity"].lister(
            session, actor, filters={"account_id": record.id}, **empty
        )
        found["lists"] = [
            (SPECS["contact"], contacts.items),
            (SPECS["opportunity"], opportunities.items),
        ]
    elif spec.key == "contact":
        as_customer = SPECS["opportunity"].lister(
            session, actor, filters={"customer_contact_id": record.id}, **empty
        )
        as_person = SPECS["opportunity"].lister(
            session, actor, filters={"contact_id": record.id}, **empty
        )
        seen = {o.id: o for o in [*as_customer.items, *as_person.items]}
        found["lists"] = [(SPECS["opportunity"], list(seen.values()))]
    elif spec.key == "opportunity":
        if record.originating_lead_id:
            # The qualified lead's notes and activities belong on its opportunity's timeline.
            found["timeline_refs"] = [("lead", record.originating_lead_id)]
        found["closes"] = closes_of(session, actor, record.id)
    elif spec.key == "lead" and record.qualifying_opportunity_id:
        opportunities = SPECS["opportunity"].lister(
            session, actor, filters={"originating_lead_id": record.id}, **empty
        )
        found["lists"] = [(SPECS["opportunity"], opportunities.items)]
    return found


def record_context(session: Session, actor: Actor, spec: Spec, record: Any) -> dict[str, Any]:
    related = _related(session, actor, spec, record)
    refs: list[Ref] = [(spec.key, record.id), *related["timeline_refs"]]
    entries = timeline(session, actor, refs, limit=50)
    people = names(
        session,
        actor,
        UserModel,
        [getattr(record, "owner_id", None), *(e.actor_id for e in entries)],
    )
    accounts = names(
        session,
        actor,
        Account,
        [getattr(record, k, None) for k in ("account_id", "existing_account_id")]
        + [getattr(o, "account_id", None) for _, items in related["lists"] for o in items],
    )
    contacts = names(
        session,
        actor,
        Contact,
        [
            getattr(record, k, None)
            for k in ("customer_contact_id", "contact_id", "existing_contact_id")
        ],
    )
    owner = getattr(record, "owner_id", None)
    return {
        "moves": allowed_actions(spec.key, getattr(record, "state", None)),
        "spec": spec,
        "record": record,
        "closed": spec.closed(record),
        "can_write": can(actor, spec.key, Op.WRITE, owner),
        "can_delete": spec.deleter is not None and can(actor, spec.key, Op.DELETE, owner),
        "timeline": entries,
        "people": people,
        "refs": accounts,
        "contacts": contacts,
        "owners": people,
        "quick": FormState(values={"kind": "note"}),
        "can_add": can(actor, "note", Op.CREATE, actor.user_id),
        **related,
        **process_context(session, actor, spec, record),
    }


@router.get("/{plural}/{record_id}")
def record_page(
    request: Request,
    plural: str,
    record_id: uuid.UUID,
    user: User,
    session: DbSession,
) -> Response:
    spec = spec_for(plural)
    with session.begin():
        record = load(session, user.actor, spec.model, record_id)
        context = record_context(session, user.actor, spec, record)
    return render(
        request,
        "record.html",
        {"title": f"{spec.label}: {spec.title(record)}", "section": plural, **context},
    )
