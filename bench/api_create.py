"""API create lead under 8 concurrent clients, against the bare JSON endpoint.

Both run on the same uvicorn server (one worker process) in the same run: the health
endpoint (`GET /api/health`: no auth, no database) is the floor a request cannot beat,
so `create rps / health rps` says how much of the server's capacity creating takes.
"""

from __future__ import annotations

import json
from typing import Any

from bench.common import make_users, reset_database, run_load, uvicorn_server
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.security.roles import Role

CLIENTS = 8
BODY = json.dumps(
    {
        "topic": "Bench lead {n}",
        "first_name": "Ada",
        "last_name": "Lovelace {n}",
        "company_name": "Bench Analytics {n} Ltd",
        # Unique email and company per request and no shared phone: the published
        # duplicate rules would (rightly) refuse look-alikes with 409.
        "email": "ada.{n}@bench.example",
        "lead_source": "web",
        "rating": "warm",
        "estimated_value": "12500.00",
        "currency": "USD",
    }
)


def run(url: str, requests: int, seconds: float) -> dict[str, Any]:
    reset_database(url)
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        (writer,) = make_users(session, 1, "writer", Role.SALESPERSON)
    engine.dispose()
    with uvicorn_server(url) as server:
        # Warm up: imports, pools, the token's last_used_at touch.
        run_load(server, "/api/health", clients=CLIENTS, requests=200)
        warm = BODY.replace("{n}", "warm-{n}")
        # One request alone first: it stamps the token's last_used_at (see RESULTS.md).
        run_load(
            server,
            "/api/v1/leads",
            token=writer.token,
            method="POST",
            body=warm.replace("{n}", "first"),
            requests=1,
            expect=201,
        )
        run_load(
            server,
            "/api/v1/leads",
            token=writer.token,
            method="POST",
            body=warm,
            clients=CLIENTS,
            requests=100,
            expect=201,
        )
        health_before = run_load(
            server, "/api/health", clients=CLIENTS, requests=requests * 2, seconds=seconds
        )
        create = run_load(
            server,
            "/api/v1/leads",
            token=writer.token,
            method="POST",
            body=BODY,
            clients=CLIENTS,
            requests=requests,
            seconds=seconds,
            expect=201,
        )
        health_after = run_load(
            server, "/api/health", clients=CLIENTS, requests=requests * 2, seconds=seconds
        )
    health_rps = (health_before["rps"] + health_after["rps"]) / 2
    health_cpu = (
        health_before["server_cpu_ms_per_request"] + health_after["server_cpu_ms_per_request"]
    ) / 2
    return {
        "health_cpu_ms": health_cpu,
        "cpu_ratio": health_cpu / create["server_cpu_ms_per_request"],
        "health_before": health_before,
        "health_after": health_after,
        "create": create,
        "health_rps": health_rps,
        "ratio": create["rps"] / health_rps,
    }
