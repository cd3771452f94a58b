"""The landing page: where to go until the salespeople's UI lands."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

_LANDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leadgate</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}
</style>
</head><body>
<h1>Leadgate is running</h1>
<p>The API lives under <code>/api/v1</code>. Read the <a href="/api/docs">API reference</a>
or fetch <a href="/api/openapi.json">the OpenAPI document</a>.</p>
<p>Sign in: <code>POST /api/v1/auth/token</code> with your email and password
returns a bearer token.</p>
</body></html>"""


@router.get("/", response_class=HTMLResponse)
def landing() -> HTMLResponse:
    return HTMLResponse(_LANDING)
