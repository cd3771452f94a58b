"""Mount the web pages on an application.

Errors on page routes are shown as pages (or, for HTMX requests, as an alert
swapped into the page) while API routes keep their problem+json handlers:
the web handler wraps whatever handler the API installed and delegates to it
for every path under /api.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from leadgate.core.errors import DomainError, StaleRecord
from leadgate.web import (
    duplicate_groups,
    exports,
    flow_admin,
    imports,
    lead_actions,
    pages,
    pipeline,
    process,
    records,
    sales,
    sales_lines,
    timeline,
)
from leadgate.web.auth import SignInRequired
from leadgate.web.render import is_htmx, render

STATIC = Path(__file__).parent / "static"
Handler = Callable[[Request, Exception], Awaitable[Response]]


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api")


def _page_error(request: Request, status: int, title: str, detail: str) -> Response:
    if is_htmx(request):
        # Show the refusal in the alert area; nothing else on the page changes.
        return render(
            request,
            "partials/alert.html",
            {"level": "error", "text": detail},
            status=status,
            headers={"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML"},
        )
    return render(request, "error.html", {"title": title, "detail": detail}, status=status)


def _wrap(app: FastAPI, exc_class: type[Exception] | int, web: Handler) -> None:
    previous = app.exception_handlers.get(exc_class)

    async def handler(request: Request, exc: Exception) -> Response:
        if _is_page(request) or previous is None:
            return await web(request, exc)
        result = previous(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(exc_class, handler)


async def _on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    detail = exc.detail
    allowed = exc.extra().get("allowed")
    if allowed:
        detail += f" (allowed: {', '.join(str(a) for a in allowed)})"  # type: ignore[attr-defined]
    return _page_error(request, exc.status, exc.title, detail[:1].upper() + detail[1:])


async def _on_stale(request: Request, _exc: Exception) -> Response:
    error = StaleRecord("someone else saved this record first; reload and try again")
    return _page_error(request, 412, error.title, error.detail)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = "Page not found" if exc.status_code == 404 else "Request refused"
    return _page_error(request, exc.status_code, title, str(exc.detail))


async def _on_bad_request(request: Request, _exc: Exception) -> Response:
    # Page URLs and forms are built by our own templates: a malformed one is a dead link.
    return _page_error(request, 404, "Page not found", "this address does not name a record")


async def _on_sign_in_required(request: Request, _exc: Exception) -> Response:
    target = "/sign-in"
    if request.method == "GET" and request.url.path not in ("/", "/sign-in"):
        target += f"?next={request.url.path}"
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def install_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    # Fixed paths (/opportunities/pipeline, /leads/new) before the /{id} routes.
    for module in (
        pages,
        pipeline,
        lead_actions,
        process,
        timeline,
        exports,
        flow_admin,
        imports,
        duplicate_groups,
        sales,
        sales_lines,
        records,
    ):
        app.include_router(module.router)
    _wrap(app, DomainError, _on_domain_error)
    _wrap(app, StaleDataError, _on_stale)
    _wrap(app, StarletteHTTPException, _on_http_error)
    _wrap(app, RequestValidationError, _on_bad_request)
    app.add_exception_handler(SignInRequired, _on_sign_in_required)
