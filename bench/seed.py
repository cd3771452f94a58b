"""Seed a million leads, fast and deterministically, and measure the raw-insert floor.

SQLite: SQLAlchemy Core `insert(leads)` with executemany batches of 10,000 rows.
PostgreSQL: COPY through psycopg's `cursor.copy`. Rows are valid leads (every NOT NULL
column, the normalised match keys), spread over 20 owners and the three states, with
time-ordered UUIDv7 ids and created_at increasing by 30 s per lead. A database that
already holds exactly the seeded leads is reused, so re-running `make bench` does not
reseed.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, insert, select

from bench.common import VAR, BenchUser, make_users, reset_database, token_for
from leadgate.core.normalize import company_key, phone_key
from leadgate.core.picklists import LeadSource, Rating
from leadgate.db.base import Base
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads.models import Lead
from leadgate.security.roles import Role

SEED_VENDOR = "bench_seed"
OWNERS = 20
BATCH = 10_000
BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
STEP = timedelta(seconds=30)

FIRST = ("Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas")
LAST = ("Ahmed", "Bauer", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito")
WORDS = ("North", "Blue", "Quantum", "Cedar", "Harbor", "Summit", "Iron", "Lumen", "Pine")
KINDS = ("Logistics", "Foods", "Analytics", "Robotics", "Textiles", "Energy", "Health")
SUFFIXES = ("Inc.", "GmbH", "Ltd", "LLC", "S.A.", "")
CITIES = ("Boston", "Denver", "Austin", "Seattle", "Chicago", "Portland", "Atlanta")
PRODUCTS = ("CRM rollout", "Fleet renewal", "Data platform", "Support plan", "Pilot")
SOURCES = tuple(s.value for s in LeadSource)
RATINGS = tuple(r.value for r in Rating)
DISQUALIFIED = ("lost", "cannot_contact", "no_longer_interested", "canceled")

COLUMNS = (
    "id",
    "owner_id",
    "topic",
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "city",
    "country",
    "lead_source",
    "rating",
    "estimated_value",
    "currency",
    "state",
    "status",
    "do_not_email",
    "do_not_phone",
    "do_not_bulk_email",
    "email_key",
    "phone_key",
    "company_key",
    "list_vendor",
    "external_key",
    "created_at",
    "created_by_id",
    "updated_at",
    "updated_by_id",
    "version",
)


@dataclass
class Seeded:
    url: str
    engine: Engine
    owners: list[BenchUser]
    manager: BenchUser
    leads: int
    seeded_now: bool
    seconds: float
    method: str
    seeded_at: str

    @property
    def rows_per_s(self) -> float:
        return self.leads / self.seconds if self.seconds else float("nan")


def uuid7_at(moment: datetime, rng: random.Random) -> uuid.UUID:
    ms = int(moment.timestamp() * 1000)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | 0b10 << 62 | rng.getrandbits(62)
    return uuid.UUID(int=value)


def lead_rows(count: int, owners: list[Any]) -> Iterator[tuple[Any, ...]]:
    """The leads in COLUMNS order, the same every time for the same count and owners."""
    rng = random.Random(20261124)
    companies = [
        f"{rng.choice(WORDS)} {rng.choice(KINDS)} {n} {rng.choice(SUFFIXES)}".strip()
        for n in range(5000)
    ]
    company_keys = [company_key(c) for c in companies]
    phones = [f"+1 415 555 {n:04d}" for n in range(1000)]
    phone_keys = [phone_key(p) for p in phones]
    for i in range(count):
        created = BASE_TIME + STEP * i
        owner = owners[rng.randrange(len(owners))]
        pick = rng.random()
        if pick < 0.6:
            state, status = "open", ("new", "contacted")[i % 2]
        elif pick < 0.85:
            state, status = "qualified", "qualified"
        else:
            state, status = "disqualified", DISQUALIFIED[i % 4]
        c = rng.randrange(len(companies))
        p = rng.randrange(len(phones))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{i}@example.com".lower()
        yield (
            uuid7_at(created, rng),
            owner,
            f"{rng.choice(PRODUCTS)} for {companies[c]}",
            first,
            last,
            companies[c],
            email,
            phones[p],
            rng.choice(CITIES),
            "US",
            rng.choice(SOURCES),
            rng.choice(RATINGS),
            Decimal(rng.randrange(1_000, 500_000)),
            "USD",
            state,
            status,
            False,
            False,
            False,
            email,
            phone_keys[p],
            company_keys[c],
            SEED_VENDOR,
            str(i),
            created,
            owner,
            created,
            owner,
            1,
        )


def _count(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Lead)).scalar_one()
        seeded = conn.execute(
            select(func.count()).select_from(Lead).where(Lead.list_vendor == SEED_VENDOR)
        ).scalar_one()
    return int(total), int(seeded)


def _users(engine: Engine, fresh: bool) -> tuple[list[BenchUser], BenchUser]:
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        if fresh:
            owners = make_users(session, OWNERS, "owner", Role.SALESPERSON)
            (manager,) = make_users(session, 1, "manager", Role.SALES_MANAGER)
        else:
            owners = [token_for(session, f"owner{n:02d}@bench.example") for n in range(OWNERS)]
            manager = token_for(session, "manager00@bench.example")
    return owners, manager


def _insert_sqlite(engine: Engine, rows: Iterator[tuple[Any, ...]]) -> None:
    table = Base.metadata.tables["leads"]
    with engine.begin() as conn:
        # A bigger page cache for the load (the default is 2 MB).
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(dict(zip(COLUMNS, row, strict=True)))
            if len(batch) == BATCH:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)


def _copy_postgres(engine: Engine, rows: Iterator[tuple[Any, ...]]) -> None:
    raw = engine.raw_connection()
    copy_sql = f"COPY leads ({', '.join(COLUMNS)}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def settle(engine: Engine) -> None:
    """Bring freshly loaded PostgreSQL data to its steady state: statistics for the planner,
    hint bits and the visibility map set (which index-only scans need), as autovacuum would."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        auto = conn.execution_options(isolation_level="AUTOCOMMIT")
        auto.exec_driver_sql("VACUUM (ANALYZE) leads")
        # Scores live beside the leads; a rolled-back rescore leaves dead rows there too.
        if conn.exec_driver_sql("SELECT to_regclass('lead_scores')").scalar() is not None:
            auto.exec_driver_sql("VACUUM (ANALYZE) lead_scores")


def seed(url: str, count: int) -> Seeded:
    """Migrate, create the bench users and seed `count` leads unless already there."""
    engine = make_engine(url)
    try:
        total, seeded = _count(engine)
    except Exception:
        total, seeded = -1, -1
    record = VAR / f"seed-{engine.dialect.name}-{count}.json"
    if total == count and seeded == count:
        upgrade(url)  # a reused data set still gets the migrations added since it was seeded
        settle(engine)
        owners, manager = _users(engine, fresh=False)
        earlier = json.loads(record.read_text()) if record.exists() else {}
        return Seeded(
            url,
            engine,
            owners,
            manager,
            count,
            False,
            earlier.get("seconds", float("nan")),
            earlier.get("method", "unknown"),
            earlier.get("seeded_at", "by an earlier run"),
        )
    engine.dispose()
    reset_database(url)
    upgrade(url)
    engine = make_engine(url)
    owners, manager = _users(engine, fresh=True)
    owner_ids = [o.id for o in owners]
    started = time.perf_counter()
    # Load first, index after: one sort per index instead of a million random inserts.
    indexes = list(Base.metadata.tables["leads"].indexes)
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
    if engine.dialect.name == "sqlite":
        _insert_sqlite(engine, lead_rows(count, owner_ids))
        method = f"SQLAlchemy Core insert, executemany batches of {BATCH}"
    else:
        _copy_postgres(engine, lead_rows(count, owner_ids))
        method = "COPY FROM STDIN (psycopg cursor.copy)"
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
    settle(engine)
    method += f", then {len(indexes)} secondary indexes built"
    if engine.dialect.name == "postgresql":
        method += ", VACUUM (ANALYZE)"
    seconds = time.perf_counter() - started
    seeded_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    record.write_text(json.dumps({"seconds": seconds, "method": method, "seeded_at": seeded_at}))
    return Seeded(url, engine, owners, manager, count, True, seconds, method, seeded_at)


def insert_floor(engine: Engine, sample: int) -> dict[str, float]:
    """Raw DB-API executemany of `sample` of the same rows into an index-free temp table.

    The same row shapes as the seed, without SQLAlchemy, constraints or indexes: what the
    driver and database do at best, so seeding can be judged against it.
    """
    owner_ids = [uuid.UUID(int=n + 1) for n in range(OWNERS)]
    rows = list(lead_rows(sample, owner_ids))
    placeholders = ", ".join(["?" if engine.dialect.name == "sqlite" else "%s"] * len(COLUMNS))
    columns = ", ".join(COLUMNS)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
        cursor.execute(f"CREATE TEMP TABLE bench_floor AS SELECT {columns} FROM leads WHERE 1 = 0")
        started = time.perf_counter()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")  # the engine's connections are in autocommit mode
        cursor.executemany(f"INSERT INTO bench_floor ({columns}) VALUES ({placeholders})", rows)
        raw.commit()
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
        raw.commit()
        cursor.close()
    finally:
        raw.close()
    return {"rows": sample, "seconds": seconds, "rows_per_s": sample / seconds}


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(" ")
    if isinstance(value, Decimal):
        return str(value)
    return value
