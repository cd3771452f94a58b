"""`make bench`: every benchmark, on SQLite and PostgreSQL, written to bench/RESULTS.md.

Environment knobs (defaults are the recorded run):
  BENCH_LEADS     leads to seed for the list benchmark (1000000)
  BENCH_REQUESTS  create-lead requests per run (2000); list requests are a fifth of it
  BENCH_QUALIFY   leads to qualify (500)
  BENCH_DBS       databases to run, comma-separated (sqlite,postgresql)
  BENCH_POSTGRES_URL  the PostgreSQL database (postgresql+psycopg://postgres@127.0.0.1:5432/bench)
  BENCH_DOMAINS   run the domain benchmarks bench/bench_*.py after the core ones (1; 0 skips)
  BENCH_IMPORT_ROWS  rows of the import benchmark (100000; the issue's figure is 1000000,
                  over half an hour per database on the shared bench machine)

SQLite files live under var/bench/; PostgreSQL data sets live in their own schemas of
the bench database. A seeded data set is reused when it already holds its leads.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import time
from typing import Any

from sqlalchemy import create_engine

from bench import api_create, list_leads, qualify, report, seed
from bench.common import PG_URL, ROOT, VAR, machine_facts, pg_url


def _urls(db: str, leads: int) -> tuple[str, str]:
    """(seeded data set, scratch) database URLs."""
    if db == "sqlite":
        return f"sqlite:///{VAR}/leads-{leads}.db", f"sqlite:///{VAR}/scratch.db"
    return pg_url(f"leads_{leads}"), pg_url("scratch")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main() -> None:
    leads = int(os.environ.get("BENCH_LEADS", "1000000"))
    requests = int(os.environ.get("BENCH_REQUESTS", "2000"))
    qualify_count = int(os.environ.get("BENCH_QUALIFY", "500"))
    dbs = [d.strip() for d in os.environ.get("BENCH_DBS", "sqlite,postgresql").split(",")]
    VAR.mkdir(parents=True, exist_ok=True)
    pg_engine = create_engine(PG_URL) if "postgresql" in dbs else None
    results: dict[str, Any] = {
        "machine": machine_facts(pg_engine),
        "settings": {
            "leads": leads,
            "requests": requests,
            "qualify": qualify_count,
            "dbs": dbs,
        },
        "databases": {},
    }
    if pg_engine is not None:
        pg_engine.dispose()
    for db in dbs:
        seeded_url, scratch_url = _urls(db, leads)
        out: dict[str, Any] = {}
        results["databases"][db] = out

        say(f"{db}: API create lead, 8 clients, {requests} requests")
        out["create"] = api_create.run(scratch_url, requests, seconds=60)
        say(
            f"{db}: create {out['create']['create']['rps']:.0f}/s, "
            f"health {out['create']['health_rps']:.0f}/s, ratio {out['create']['ratio']:.2f}"
        )

        say(f"{db}: qualify {qualify_count} leads in-process")
        out["qualify"] = qualify.run(scratch_url, qualify_count)
        say(
            f"{db}: qualify {out['qualify']['qualify_per_s']:.0f}/s, "
            f"create-lead floor {out['qualify']['create_lead_per_s']:.0f}/s"
        )

        say(f"{db}: seeding {leads} leads (reused when already there)")
        seeded = seed.seed(seeded_url, leads)
        out["seed"] = {
            "leads": leads,
            "seeded_now": seeded.seeded_now,
            "seeded_at": seeded.seeded_at,
            "seconds": seeded.seconds,
            "rows_per_s": seeded.rows_per_s,
            "method": seeded.method,
            "floor": seed.insert_floor(seeded.engine, 50_000),
        }
        say(f"{db}: seed {out['seed']}")

        say(f"{db}: list 50 open leads of one owner, first and deep page")
        out["list"] = list_leads.run(seeded, max(requests // 5, 100), walk_pages=200)
        say(
            f"{db}: first p95 {out['list']['first']['p95_ms']:.1f} ms, "
            f"deep p95 {out['list']['deep']['p95_ms']:.1f} ms"
        )
        seeded.engine.dispose()

    results["machine"]["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2, default=str))
    report.write(results, ROOT / "bench" / "RESULTS.md")
    print(report.summary_table(results))
    # Domain benchmarks (`bench/bench_*.py`, each with a main()) print their own figures;
    # their recorded results are kept in the hand-written part of RESULTS.md.
    if os.environ.get("BENCH_DOMAINS", "1") == "0":
        return
    for module in sorted(m.name for m in pkgutil.iter_modules([str(ROOT / "bench")])):
        if module.startswith("bench_"):
            say(f"== {module}")
            importlib.import_module(f"bench.{module}").main()


if __name__ == "__main__":
    main()
