"""List 50 open leads of one owner, newest first, at a million leads.

The request is GET /api/v1/leads?state=open&owner_id=X&sort=-created_at&limit=50, made
by a sales manager (who may read every lead, so the owner filter is the request's own).
Latency is measured over HTTP against uvicorn; statements are counted by running the
same requests in-process through the ASGI app with an engine event listener; the plans
are the databases' own EXPLAIN of the statements the app sent.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from bench.common import Latencies, StatementLog, run_load, uvicorn_server
from bench.seed import Seeded
from leadgate.asgi import create_app
from leadgate.core.settings import Settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.paging import encode_cursor, parse_sort
from leadgate.leads.models import Lead
from leadgate.leads.queries import SORTS

TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


ROUNDS = 4


def merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One summary of several load runs of the same request."""
    samples = [ms / 1000 for part in parts for ms in part["latencies_ms"]]
    requests = sum(part["requests"] for part in parts)
    cpu_ms = sum(part["server_cpu_ms_per_request"] * part["requests"] for part in parts)
    return {
        **Latencies(samples).summary(),
        "requests": requests,
        "elapsed_s": sum(part["elapsed_s"] for part in parts),
        "server_cpu_ms_per_request": cpu_ms / max(requests, 1),
    }


def list_path(owner_id: Any, cursor: str | None = None) -> str:
    path = f"/api/v1/leads?state=open&owner_id={owner_id}&sort=-created_at&limit=50"
    return f"{path}&cursor={quote(cursor)}" if cursor else path


def deep_cursor(engine: Engine, owner_id: Any, fraction: float) -> tuple[str, int, int]:
    """A cursor `fraction` of the way through the owner's open leads, as the API encodes it."""
    keys = parse_sort("-created_at", SORTS, "-created_at", Lead.id)
    mine = (
        Lead.owner_id == owner_id,
        Lead.state == "open",
        Lead.deleted_at.is_(None),
    )
    with engine.connect() as conn:
        total = len(conn.execute(select(Lead.id).where(*mine)).all())
        depth = int(total * fraction)
        row = conn.execute(
            select(Lead.created_at, Lead.id)
            .where(*mine)
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .offset(depth - 1)
            .limit(1)
        ).one()
    return encode_cursor(keys, row), depth, total


def split(log: StatementLog) -> dict[str, Any]:
    queries = [s for s in log.statements if not TRANSACTION_CONTROL.match(s)]
    control = [s for s in log.statements if TRANSACTION_CONTROL.match(s)]
    return {
        "queries": len(queries),
        "transaction_control": len(control),
        "checkouts": log.checkouts,
        "statements": list(log.statements),
    }


def explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            lines = [f"{'  ' * 0}{row[3]}" for row in cursor.fetchall()]
        else:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {statement}", parameters)
            lines = [row[0] for row in cursor.fetchall()]
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return lines


def in_process(seeded: Seeded, deep: str, walk_pages: int) -> dict[str, Any]:
    """Count statements (and take plans) of the same requests, through the ASGI app."""
    engine = make_engine(seeded.url)
    settings = Settings(env="development", database_url=seeded.url, log_level="warning")
    app = create_app(settings, make_session_factory(engine))
    log = StatementLog(engine)
    owner = seeded.owners[0].id
    headers = {"Authorization": f"Bearer {seeded.manager.token}"}
    result: dict[str, Any] = {}
    with TestClient(app) as client:
        log.reset()
        response = client.get(list_path(owner), headers=headers)
        response.raise_for_status()
        result["first_request_of_token"] = split(log)
        for name, path in (("first", list_path(owner)), ("deep", list_path(owner, deep))):
            log.reset()
            response = client.get(path, headers=headers)
            response.raise_for_status()
            body = response.json()
            counted = split(log)
            counted["items"] = len(body["items"])
            counted["count"] = body.get("count")
            page_sql = [
                (s, p)
                for s, p in zip(log.statements, log.parameters, strict=True)
                if s.startswith("SELECT") and "FROM leads" in s
            ]
            counted["plans"] = [{"sql": s, "plan": explain(engine, s, p)} for s, p in page_sql]
            result[name] = counted
        # Follow next_cursor page after page, as a client scrolling would.
        cursor: str | None = None
        walk = Latencies()
        statements = set()
        pages = 0
        cpu_started = time.process_time()
        for _ in range(walk_pages):
            log.reset()
            t0 = time.perf_counter()
            response = client.get(list_path(owner, cursor), headers=headers)
            walk.samples.append(time.perf_counter() - t0)
            response.raise_for_status()
            if pages > 0:
                statements.add(split(log)["queries"])
            pages += 1
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
        result["walk"] = {
            "cpu_ms_per_page": (time.process_time() - cpu_started) * 1000 / pages,
            "pages": pages,
            "rows": pages * 50,
            "queries_per_later_page": sorted(statements),
            **walk.summary(),
        }
    log.close()
    engine.dispose()
    return result


def run(seeded: Seeded, requests: int, walk_pages: int) -> dict[str, Any]:
    owner = seeded.owners[0].id
    deep, depth, total = deep_cursor(seeded.engine, owner, 0.9)
    counted = in_process(seeded, deep, walk_pages)
    token = seeded.manager.token
    cases = {
        "health": ("/api/health", None),
        "first": (list_path(owner), token),
        "deep": (list_path(owner, deep), token),
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in cases}
    with uvicorn_server(seeded.url) as server:
        run_load(server, "/api/health", requests=100)
        run_load(server, list_path(owner), token=token, requests=50)
        # Interleave the cases in rounds, so a burst of load from elsewhere on this
        # shared machine does not land on one case only.
        for _ in range(ROUNDS):
            for name, (path, auth) in cases.items():
                runs[name].append(
                    run_load(
                        server, path, token=auth, requests=requests // ROUNDS, keep_samples=True
                    )
                )
    return {
        "owner_open_leads": total,
        "deep_offset": depth,
        **{name: merged(parts) for name, parts in runs.items()},
        "counted": counted,
    }
