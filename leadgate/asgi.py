"""The application factory: settings in, one ASGI app (API + pages) out.

`uvicorn leadgate.asgi:app_from_env --factory` serves it; `leadgate serve` does the same.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from leadgate import __version__
from leadgate.api.app import install_api
from leadgate.core.settings import Settings, get_settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.web.app import install_web
from leadgate.wiring import wire


def create_app(settings: Settings, session_factory: sessionmaker[Session] | None = None) -> FastAPI:
    """Build the app. Tests pass their own session factory (bound to a test transaction)."""
    wire()
    logging.basicConfig(level=settings.log_level.upper())
    app = FastAPI(
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
    install_api(app)
    install_web(app)
    return app


def app_from_env() -> FastAPI:
    settings = get_settings()
    settings.check_startable()
    return create_app(settings)
