"""Benchmark: import N generated lead rows (5 % duplicates) through the full import path
(conversion, validation, upsert lookup, duplicate check against the published rules,
audit, match keys, scores, process flows, per-row outcomes), against a raw
`executemany` of the same rows in the same run.

    python -m bench.bench_imports [--rows N] [--dbs sqlite,postgresql] [--url URL]

Rows default to $BENCH_IMPORT_ROWS, else 100,000: the issue's figure is for
1,000,000 rows (`--rows 1000000`), which takes over half an hour per database on the
shared 2-core bench machine, too long for every `make bench`. Without --url: SQLite in a fresh
temporary file, PostgreSQL in the schema `imports` of the bench database
($BENCH_POSTGRES_URL; the schema is dropped and recreated). WARNING: with --url a
PostgreSQL database's public schema is dropped and recreated.

The raw floor inserts the same CSV rows (the same columns, as text, plus what a lead
row needs) into a constraint-free copy of the leads table, 5,000 rows per
executemany; only the executemany calls are timed. A second floor, measured first in
a database of its own (`bench.import_floor`; `--no-nine-row-floor` skips it), writes
the nine rows an imported lead leaves (lead, audit event, three match keys, flow
instance, visit and audit event, outcome) raw into the real indexed tables: the write
cost no import path can avoid. Peak memory is the process's
resident high-water mark (getrusage) after each import; the floor streams its rows,
so it never holds the file either.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, MetaData, Table, insert, text

from bench.common import pg_url, reset_database
from bench.import_floor import nine_row_floor
from leadgate.core.clock import utcnow
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.imports.models import ImportJob
from leadgate.imports.service import ImportOptions, run_job, start_import
from leadgate.leads.models import Lead
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import actor_for_user, create_user
from leadgate.wiring import wire

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Linus", "Guido"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson"]
HEADER = ["Lead Number", "Topic", "First Name", "Last Name", "Company", "Email", "Business Phone",
          "City", "Country", "Est. Value", "Lead Source", "Rating"]  # fmt: skip
# The leads column each CSV column lands in (the raw floor's insert).
COLUMNS = ["external_key", "topic", "first_name", "last_name", "company_name", "email", "phone",
           "city", "country", "estimated_value", "lead_source", "rating"]  # fmt: skip
FLOOR_CHUNK = 5000


def generate(path: Path, rows: int, seed: int = 8) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            n = rng.randrange(i) if i > 20 and rng.random() < 0.05 else i  # 5 % repeat an email
            first, last = rng.choice(FIRST), rng.choice(LAST)
            phone = f"+1 {200 + i // 10_000_000:03d} {i // 10_000 % 1000:03d} {i % 10_000:04d}"
            writer.writerow([
                f"B{i:07d}", f"Seats #{i}", first, last, f"Company {n // 3} Ltd",
                f"person{n}@company{n // 3}.example", phone,
                "Springfield", "US", f"{rng.randrange(1000, 90000)}.00", "web",
                rng.choice(["hot", "warm", "cold"]),
            ])  # fmt: skip


def _floor_chunks(path: Path, owner: uuid.UUID) -> Iterator[list[dict[str, Any]]]:
    now = utcnow()
    fixed = {"owner_id": owner, "state": "open", "status": "new", "currency": "USD",
             "do_not_email": False, "do_not_phone": False, "do_not_bulk_email": False,
             "version": 1, "list_vendor": "raw-floor", "created_at": now,
             "updated_at": now}  # fmt: skip
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        chunk: list[dict[str, Any]] = []
        for cells in reader:
            row = {"id": uuid.uuid4(), **dict(zip(COLUMNS, cells, strict=True)), **fixed}
            row["estimated_value"] = Decimal(row["estimated_value"])
            chunk.append(row)
            if len(chunk) == FLOOR_CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def raw_floor(engine: Engine, path: Path, owner: uuid.UUID) -> tuple[float, int]:
    """(seconds spent in executemany, rows) for the file's rows inserted raw into a
    constraint-free copy of the leads table (dropped afterwards)."""
    table = Table("bench_raw", MetaData(), *(Column(c.name, c.type) for c in Lead.__table__.c))
    table.create(engine)
    elapsed, rows = 0.0, 0
    with engine.begin() as conn:
        for chunk in _floor_chunks(path, owner):
            start = time.perf_counter()
            conn.execute(insert(table), chunk)
            elapsed += time.perf_counter() - start
            rows += len(chunk)
    table.drop(engine)
    return elapsed, rows


def _prepare(url: str, explicit: bool) -> Engine:
    if url.startswith("postgresql"):
        if explicit:
            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        else:
            reset_database(url)
    upgrade(url)
    return make_engine(url)


def _nine_row_floor(url: str, path: Path, explicit: bool) -> float:
    """Leads/s of the nine-row floor (`bench.import_floor`), in a database of its own:
    a sibling SQLite file, or the PostgreSQL schema the import then resets."""
    floor_url = url.replace("/bench.db", "/floor.db") if url.startswith("sqlite") else url
    engine = _prepare(floor_url, explicit)
    seconds, leads, per_table = nine_row_floor(engine, path)
    engine.dispose()
    if floor_url != url:
        reset_database(floor_url)
    shares = ", ".join(f"{t} {s / seconds:.0%}" for t, s in per_table.items())
    commits = 1 - sum(per_table.values()) / seconds
    how = "COPY" if url.startswith("postgresql") else "executemany"
    print(
        f"nine-row floor (raw {how} of the nine rows per lead into the indexed tables): "
        f"{leads / seconds:,.0f} leads/s ({shares}; commits {commits:.0%})",
        flush=True,
    )
    return leads / seconds


def run(url: str, path: Path, rows: int, explicit: bool, nine: bool = True) -> dict[str, Any]:
    nine_rate = _nine_row_floor(url, path, explicit) if nine else None
    engine = _prepare(url, explicit)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        user = create_user(session, None, UserCreate(
            email="bench@leadgate.example", full_name="Bench", role=Role.SYSTEM_ADMINISTRATOR,
            password="bench-password-123",
        ))  # fmt: skip
        actor: Actor = actor_for_user(user, "cli")
    floor_s, floor_rows = raw_floor(engine, path, actor.user_id)
    # Printed at once: a run stopped half-way still has its floor (and the job its progress).
    print(
        f"raw executemany ({url.split(':', 1)[0]}): {floor_rows / floor_s:,.0f} rows/s", flush=True
    )
    with factory() as session, session.begin():
        job = start_import(session, actor, path, path.name, ImportOptions("lead", "skip", "bench"))
    start = time.perf_counter()
    run_job(factory, actor, job.id)
    elapsed = time.perf_counter() - start
    with factory() as session:
        done = session.get_one(ImportJob, job.id)
        counts = (done.created_count, done.skipped_count, done.failed_count)
    engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor_rate, rate = floor_rows / floor_s, rows / elapsed
    result = {
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "rows": rows,
        "seconds": elapsed,
        "rows_per_s": rate,
        "floor_rows_per_s": floor_rate,
        "ratio": rate / floor_rate,
        "nine_row_floor_leads_per_s": nine_rate,
        "created_skipped_failed": counts,
        "peak_rss_mb": peak_mb,
    }
    met = rate >= 10_000 and rate / floor_rate >= 0.3 and peak_mb < 500
    print(f"database: {result['database']}; rows: {rows:,}")
    print(f"import (created, skipped as duplicate, failed = {counts}): {rate:,.0f} rows/s "
          f"in {elapsed:,.0f} s = {rate / floor_rate:.2f} x raw")  # fmt: skip
    if nine_rate is not None:
        print(f"import / nine-row floor: {rate / nine_rate:.2f}")
    print(f"peak RSS: {peak_mb:.0f} MB")
    print(f"target (>= 10,000 rows/s, >= 0.3 x raw, < 500 MB): {'MET' if met else 'NOT MET'}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rows", type=int, default=int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
    )
    parser.add_argument("--dbs", default=os.environ.get("BENCH_DBS", "sqlite,postgresql"))
    parser.add_argument("--url", action="append", default=None)
    parser.add_argument(
        "--no-nine-row-floor", action="store_true", help="skip the raw nine-rows-per-lead floor"
    )
    args, _ = parser.parse_known_args()
    wire()
    folder = Path(tempfile.mkdtemp(prefix="leadgate-bench-"))
    path = folder / "leads.csv"
    generate(path, args.rows)
    urls = args.url or [
        f"sqlite:///{folder / 'bench.db'}" if db == "sqlite" else pg_url("imports")
        for db in (d.strip() for d in args.dbs.split(","))
    ]
    try:
        for url in urls:
            run(url, path, args.rows, args.url is not None, not args.no_nine_row_floor)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
