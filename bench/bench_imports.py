"""Benchmark: import N generated lead rows (5 % duplicates) through the full import path
(conversion, validation, duplicate check, audit), against a raw executemany of the
same rows in the same run; then the duplicate scan and a CSV export.

    python -m bench.bench_imports --rows 100000 [--url postgresql+psycopg://…]

Without --url it uses a fresh SQLite file. WARNING: a PostgreSQL URL's public
schema is dropped and recreated.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, insert, text

from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.dedup.scan import scan
from leadgate.imports import export
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


def raw_floor(engine, rows: int, owner: uuid.UUID) -> float:  # type: ignore[no-untyped-def]
    """Seconds for a bare executemany of `rows` lead rows into a constraint-free copy
    of the leads table (dropped afterwards)."""
    from leadgate.core.clock import utcnow

    now = utcnow()
    data = [
        {"id": uuid.uuid4(), "topic": f"raw {i}", "email": f"raw{i}@x.example", "owner_id": owner,
         "state": "open", "status": "new", "currency": "USD", "do_not_email": False,
         "do_not_phone": False, "do_not_bulk_email": False, "version": 1,
         "list_vendor": "raw-floor", "created_at": now, "updated_at": now}
        for i in range(rows)
    ]  # fmt: skip
    # The leads table's columns and types, without its constraints and indexes.
    table = Table("bench_raw", MetaData(), *(Column(c.name, c.type) for c in Lead.__table__.c))
    table.create(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        for i in range(0, rows, 5000):
            conn.execute(insert(table), data[i : i + 5000])
    elapsed = time.perf_counter() - start
    table.drop(engine)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    wire()
    folder = Path(tempfile.mkdtemp(prefix="leadgate-bench-"))
    url = args.url or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        user = create_user(session, None, UserCreate(
            email="bench@leadgate.example", full_name="Bench", role=Role.SYSTEM_ADMINISTRATOR,
            password="bench-password-123",
        ))  # fmt: skip
        actor: Actor = actor_for_user(user, "cli")
    path = folder / "leads.csv"
    generate(path, args.rows)
    floor = raw_floor(engine, args.rows, actor.user_id)
    with factory() as session, session.begin():
        job = start_import(session, actor, path, path.name, ImportOptions("lead", "skip", "bench"))
    start = time.perf_counter()
    run_job(factory, actor, job.id)
    elapsed = time.perf_counter() - start
    with factory() as session:
        done = session.get_one(ImportJob, job.id)
        counts = (done.created_count, done.skipped_count, done.failed_count)
    start = time.perf_counter()
    with factory() as session, session.begin():
        pairs = scan(session, actor, "lead").pairs
    scan_s = time.perf_counter() - start
    start = time.perf_counter()
    with factory() as session, session.begin():
        exported = export.write_csv(export.export_rows(session, actor, "lead"), io.StringIO())
    export_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kind = url.split(":", 1)[0]
    print(f"database: {kind}; rows: {args.rows}")
    print(f"raw executemany: {args.rows / floor:,.0f} rows/s")
    print(f"import (created, skipped dup, failed = {counts}): {args.rows / elapsed:,.0f} rows/s "
          f"= {floor / elapsed:.2f} x raw")  # fmt: skip
    print(f"duplicate scan: {len(pairs)} pairs in {scan_s:.1f} s")
    print(f"export CSV: {exported / export_s:,.0f} rows/s")
    print(f"peak RSS: {peak_mb:.0f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()
