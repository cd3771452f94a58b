"""Mount the REST API (routers, problem+json errors, docs, health) on an application."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from leadgate import __version__
from leadgate.api import docs, problems
from leadgate.api.routers import (
    accounts,
    activities,
    admin,
    catalog,
    contacts,
    duplicates,
    imports,
    invoices,
    job_runs,
    leads,
    opportunities,
    opportunity_lines,
    orders,
    processes,
    quotes,
    scoring,
    security,
    webforms,
)


def install_api(app: FastAPI) -> None:
    problems.install(app)
    for module in (security, leads, accounts, contacts, opportunities, activities, admin,
                   catalog, opportunity_lines, quotes, orders, invoices, scoring,
                   processes, duplicates, imports, webforms, job_runs):  # fmt: skip
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(docs.router)

    @app.get("/api/health", tags=["meta"], summary="Liveness (no database, no auth)")
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})
