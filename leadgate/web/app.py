"""Mount the web pages on an application."""

from __future__ import annotations

from fastapi import FastAPI

from leadgate.web.pages import router


def install_web(app: FastAPI) -> None:
    app.include_router(router)
