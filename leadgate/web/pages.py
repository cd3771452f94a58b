"""Sign-in and sign-out, the home dashboard and the global search."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from leadgate.activities.queries import due_for
from leadgate.core.clock import utcnow
from leadgate.core.errors import Unauthorized
from leadgate.leads.queries import open_by_rating
from leadgate.opportunities.queries import open_pipeline
from leadgate.security.web_sessions import SignedIn, TooManyAttempts, sign_in, sign_out
from leadgate.web.auth import (
    DbSession,
    FormData,
    User,
    check_login_csrf,
    clear_session_cookie,
    flash,
    login_csrf,
    optional_user,
    session_token,
    set_session_cookie,
)
from leadgate.web.common import names, redirect
from leadgate.web.render import formatter_for, is_htmx, render
from leadgate.web.specs import SPECS

router = APIRouter(include_in_schema=False)
SEARCH_TYPES = ("lead", "account", "contact", "opportunity")


def _safe_next(target: str | None) -> str:
    # Only local paths: never bounce a signed-in user to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _sign_in_page(
    request: Request,
    *,
    email: str = "",
    error: str | None = None,
    status: int = 200,
    next_url: str = "/",
) -> Response:
    holder = Response()
    nonce = login_csrf(request, holder)
    response = render(
        request,
        "sign_in.html",
        {"title": "Sign in", "email": email, "error": error, "login_csrf": nonce, "next": next_url},
        status=status,
    )
    for key, value in holder.headers.items():
        if key.lower() == "set-cookie":
            response.headers.append(key, value)
    return response


@router.get("/sign-in")
def sign_in_form(
    request: Request,
    user: Annotated[SignedIn | None, Depends(optional_user)],
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    if user is not None:
        return redirect(request, _safe_next(next))
    return _sign_in_page(request, next_url=_safe_next(next))


@router.post("/sign-in")
def sign_in_submit(request: Request, form: FormData, session: DbSession) -> Response:
    check_login_csrf(request, form)
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    remember = form.get("remember") == "on"
    next_url = _safe_next(str(form.get("next", "/")))
    client = request.client.host if request.client else ""
    error: str | None = None
    status = 200
    with session.begin():
        # Failures are committed too: the throttle counts them.
        try:
            _, token = sign_in(session, email, password, remember=remember, client=client)
        except TooManyAttempts as exc:
            error, status = exc.detail[:1].upper() + exc.detail[1:] + ".", 429
        except Unauthorized:
            error, status = "Wrong email or password.", 401
    if error is not None:
        return _sign_in_page(request, email=email, error=error, status=status, next_url=next_url)
    response = redirect(request, next_url)
    set_session_cookie(request, response, token, remember)
    return response


@router.post("/sign-out")
def sign_out_submit(request: Request, user: User, session: DbSession) -> Response:
    token = session_token(request)
    if token:
        with session.begin():
            sign_out(session, token)
    response = redirect(request, "/sign-in")
    clear_session_cookie(response)
    flash(request, response, "You are signed out.")
    return response


@router.get("/")
def home(request: Request, user: User, session: DbSession) -> Response:
    actor = user.actor
    fmt = formatter_for(user)
    now = utcnow()
    today = fmt.today(now)
    start = datetime.combine(today, time.min, tzinfo=fmt.zone)
    end = start + timedelta(days=1)
    with session.begin():
        ratings = open_by_rating(session, actor, actor.user_id)
        pipeline = open_pipeline(session, actor, actor.user_id)
        overdue, due_today = due_for(session, actor, actor.user_id, start=start, end=end)
        closing = (
            SPECS["opportunity"]
            .lister(
                session,
                actor,
                filters={"owner_id": actor.user_id, "state": "open"},
                q=None,
                sort="estimated_close_date",
                cursor=None,
                limit=5,
            )
            .items
        )
    # Undated deals last.
    months = sorted({month for month, _ in pipeline.by_month}, key=lambda m: (m == "", m))
    currencies = sorted({currency for _, currency in pipeline.by_month})
    chart = {
        "labels": [fmt.month(m) for m in months],
        "datasets": [
            {
                "label": currency,
                "data": [str(pipeline.by_month.get((m, currency), 0)) for m in months],
            }
            for currency in currencies
        ],
    }
    return render(
        request,
        "home.html",
        {
            "title": "Home",
            "section": "home",
            "ratings": [(r, ratings.get(r, 0)) for r in ("hot", "warm", "cold", "")],
            "open_leads": sum(ratings.values()),
            "pipeline": pipeline,
            "overdue": overdue,
            "due_today": due_today,
            "chart": chart,
            "closing": closing,
        },
    )


@router.get("/search")
def search(
    request: Request,
    user: User,
    session: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    results: list[tuple[Any, list[tuple[str, str, str]]]] = []
    query = q.strip()
    if query:
        with session.begin():
            for key in SEARCH_TYPES:
                spec = SPECS[key]
                page = spec.lister(
                    session, user.actor, filters={}, q=query, sort=None, cursor=None, limit=5
                )
                accounts = names(
                    session,
                    user.actor,
                    SPECS["account"].model,
                    [getattr(r, "account_id", None) for r in page.items],
                )
                rows = [
                    (
                        spec.url(r),
                        spec.title(r),
                        accounts.get(getattr(r, "account_id", None), "")  # type: ignore[arg-type]
                        or getattr(r, "company_name", "")
                        or getattr(r, "email", "")
                        or "",
                    )
                    for r in page.items
                ]
                results.append((spec, rows))
    template = "partials/search_results.html" if is_htmx(request) else "search.html"
    return render(
        request,
        template,
        {"title": f"Search: {query}" if query else "Search", "q": query, "results": results},
    )
