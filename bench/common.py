"""Shared pieces of the benchmarks: timing statistics, the uvicorn server under test,
users and tokens, statement counting and machine facts.

Benchmarks are not tests: they print figures against floors measured in the same
run (machines are noisy), and `bench.run_all` records them in bench/RESULTS.md.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import create_user, issue_token

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
BENCH_PASSWORD = "bench-password-not-secret"


def pg_url(schema: str) -> str:
    """The bench database with `schema` first on the search path.

    Each data set lives in its own schema (the seeded leads in `leads_<count>`, the
    write benchmarks in `scratch`), so a write run never disturbs the seeded leads.
    """
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def pg_schema_of(url: str) -> str | None:
    marker = "search_path%3D"
    return url.split(marker, 1)[1] if marker in url else None


def reset_database(url: str) -> None:
    """Start from nothing: delete the SQLite file, or drop and recreate the PG schema."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    schema = pg_schema_of(url)
    if schema is None:
        raise ValueError("benchmarks only reset a named PostgreSQL schema")
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def percentile(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


@dataclass
class Latencies:
    """Latencies in seconds; figures reported in milliseconds."""

    samples: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {
            "n": len(self.samples),
            "p50_ms": percentile(self.samples, 50) * 1000,
            "p95_ms": percentile(self.samples, 95) * 1000,
            "max_ms": max(self.samples) * 1000 if self.samples else float("nan"),
        }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Served:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process has used so far.

        On a shared machine wall-clock figures stretch with everyone else's load; the
        server's own CPU per request does much less, so it is reported beside them.
        """
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def uvicorn_server(database_url: str) -> Iterator[Served]:
    """Serve the app under uvicorn (one worker process) on a free loopback port."""
    port = free_port()
    env = {
        **os.environ,
        "LEADGATE_ENV": "development",
        "LEADGATE_DATABASE_URL": database_url,
        "LEADGATE_LOG_LEVEL": "warning",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "leadgate.asgi:app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not answer /api/health within 60 s")
            time.sleep(0.2)
        yield Served(port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_load(
    server: Served,
    path: str,
    *,
    token: str | None = None,
    method: str = "GET",
    body: str | None = None,
    clients: int = 1,
    requests: int = 1000,
    seconds: float = 30.0,
    expect: int = 200,
    keep_samples: bool = False,
) -> dict[str, Any]:
    """Drive the server from a second process (bench.loadgen); return its summary."""
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--port",
        str(server.port),
        "--path",
        path,
        "--method",
        method,
        "--clients",
        str(clients),
        "--requests",
        str(requests),
        "--seconds",
        str(seconds),
        "--expect",
        str(expect),
    ]
    if token:
        command += ["--token", token]
    if body:
        command += ["--body", body]
    cpu_before = server.cpu_seconds()
    out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    cpu = server.cpu_seconds() - cpu_before
    result: dict[str, Any] = json.loads(out.stdout)
    result["server_cpu_ms_per_request"] = cpu * 1000 / max(result["requests"], 1)
    if not keep_samples:
        del result["latencies_ms"]
    if result["errors"]:
        raise RuntimeError(f"{method} {path}: {result['errors']} errors; {result['statuses']}")
    return result


@dataclass
class BenchUser:
    id: Any
    email: str
    token: str


def make_users(session: Session, count: int, prefix: str, role: Role) -> list[BenchUser]:
    """Users through the real service (argon2 hash, audit), each with an API token."""
    users = []
    for n in range(count):
        user = create_user(
            session,
            None,
            UserCreate(
                email=f"{prefix}{n:02d}@bench.example",
                full_name=f"Bench {prefix} {n}",
                role=role,
                password=BENCH_PASSWORD,
            ),
        )
        _, token = issue_token(session, None, user, "bench", 30)
        users.append(BenchUser(user.id, user.email, token))
    return users


def token_for(session: Session, email: str) -> BenchUser:
    """A fresh token for an existing bench user (reused databases keep their users)."""
    user = session.query(User).filter(User.email == email).one()
    _, token = issue_token(session, None, user, "bench", 1)
    return BenchUser(user.id, user.email, token)


class StatementLog:
    """Every statement the engine sends (before_cursor_execute) and every pool checkout.

    On PostgreSQL each checkout also pings the server (pool_pre_ping), which the
    cursor events do not see; the checkout count makes those round trips visible.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self.parameters: list[Any] = []
        self.checkouts = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine.pool, "checkout", self._on_checkout)

    def _on_execute(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any
    ) -> None:
        self.statements.append(" ".join(statement.split()))
        self.parameters.append(parameters)

    def _on_checkout(self, *_args: Any) -> None:
        self.checkouts += 1

    def reset(self) -> None:
        self.statements.clear()
        self.parameters.clear()
        self.checkouts = 0

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
        event.remove(self.engine.pool, "checkout", self._on_checkout)


def machine_facts(pg_engine: Engine | None) -> dict[str, str]:
    mem_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    facts = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": _cpu_model(),
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": "unavailable",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    if pg_engine is not None:
        with pg_engine.connect() as conn:
            facts["postgresql"] = str(conn.execute(text("SHOW server_version")).scalar_one())
    return facts


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
