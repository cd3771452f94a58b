"""The application factory: settings in, one ASGI app (API + pages) out.

`uvicorn leadgate.asgi:app_from_env --factory` serves it; `leadgate serve` does the same.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from leadgate import __version__
from leadgate.api.app import install_api
from leadgate.core.settings import Settings, get_settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.jobs.executor import Factories
from leadgate.jobs.queue import queue_for, start_embedded
from leadgate.web.app import install_web
from leadgate.wiring import wire


def create_app(settings: Settings, session_factory: sessionmaker[Session] | None = None) -> FastAPI:
    """Build the app. Tests pass their own session factory (bound to a test transaction)."""
    wire()
    logging.basicConfig(level=settings.log_level.upper())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Development: jobs asked for from the pages run in this process (no worker needed).
        consumer = (
            start_embedded(app.state.jobs, settings.jobs_workers)
            if settings.runs_jobs_in_process
            else None
        )
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)

    app = FastAPI(
        lifespan=lifespan,
        title="Leadgate",
        version=__version__,
        description="Open-source CRM: lead to cash.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    if session_factory is None:
        engine = make_engine(settings.database_url)
        app.state.session_factory = make_session_factory(engine)
        app.state.write_session_factory = make_session_factory(engine, writes=True)
    else:
        app.state.session_factory = app.state.write_session_factory = session_factory
    # Runs read the app's factories when they execute (tests swap them per test).
    app.state.jobs = queue_for(
        settings,
        lambda: Factories(read=app.state.session_factory, write=app.state.write_session_factory),
    )
    install_api(app)
    install_web(app)
    return app


def app_from_env() -> FastAPI:
    settings = get_settings()
    settings.check_startable()
    return create_app(settings)
