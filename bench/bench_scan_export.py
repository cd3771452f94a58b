"""Benchmark: the duplicate scan and the CSV export over N leads (default 1,000,000).

    python -m bench.bench_scan_export [--rows N] [--url URL] [--skip-export] [--skip-scan]

Seeds N leads (5 % planted duplicates of other leads: a typo in the name with the
email retyped in capitals, first and last name swapped at the same company, the
phone reformatted, a typo in the name at the company written with another legal
suffix) plus their match keys under the published lead rules, with Core bulk
inserts (COPY on PostgreSQL). A database already holding the same data set is reused.

Scan: `leadgate.dedup.scan.scan` as an administrator, against a floor of a plain
SELECT of every lead match key in the same run; then `store_scan` (the scan again
plus writing the duplicate groups for review); precision and recall of the
default rules on the planted duplicates (a pair is right when both rows are the
same planted person).

Export: `export.write_csv(export.export_rows(...))` of every lead, against a floor
of a raw DB-API cursor fetching the same columns written with csv.writer without
our formatting.

Without --url a SQLite file under var/bench is used. WARNING: a PostgreSQL URL must
name a schema (`?options=-csearch_path%3Dscan_export`); that schema is dropped and
recreated when it does not hold the data set.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import Engine, func, insert, select

from bench.common import VAR, make_users, reset_database
from bench.seed import uuid7_at
from leadgate.core.normalize import company_key, email_key, phone_key
from leadgate.db.base import Base
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.dedup.groups import store_scan
from leadgate.dedup.index import published_rules
from leadgate.dedup.keys import blocking_keys, normalise, side_fields
from leadgate.dedup.scan import scan
from leadgate.imports import export
from leadgate.leads.models import Lead
from leadgate.security.access import Actor
from leadgate.security.roles import Role

VENDOR = "bench_scan"
BATCH = 10_000
DUPLICATE_SHARE = 0.05
BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
SYLLABLES = ("ka", "lo", "mi", "ra", "sen", "tor", "vi", "bel", "dan", "el", "fi", "gu",
             "har", "is", "jo", "ken", "lu", "mar", "no", "pe", "qui", "ros", "sa", "ti", "ul",
             "wen")  # fmt: skip
SUFFIXES = ("Inc.", "GmbH", "Ltd", "LLC", "S.A.", "")
COLUMNS = ("id", "owner_id", "topic", "first_name", "last_name", "company_name", "email",
           "phone", "country", "currency", "state", "status", "do_not_email", "do_not_phone",
           "do_not_bulk_email", "email_key", "phone_key", "company_key", "list_vendor",
           "external_key", "created_at", "created_by_id", "updated_at", "updated_by_id",
           "version")  # fmt: skip


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word))
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]  # dropped letter
    if kind == 1:
        return word[:i] + rng.choice("aeiourstn") + word[i:]  # extra letter
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :] if i < len(word) else word + "e"


def people(count: int, owners: list[uuid.UUID]) -> Iterator[tuple[dict[str, Any], int]]:
    """(lead row, planted person number) in insertion order; duplicates follow later rows."""
    rng = random.Random(20261124)
    firsts = sorted({_name(rng, rng.randrange(2, 4)) for _ in range(3000)})
    lasts = sorted({_name(rng, rng.randrange(2, 5)) for _ in range(12000)})
    companies = [f"{_name(rng, 3)} {_name(rng, 2)} {n}" for n in range(count // 6)]
    originals: list[dict[str, Any]] = []
    for i in range(count):
        created = BASE_TIME + timedelta(seconds=30 * i)
        planted = i > 1000 and rng.random() < DUPLICATE_SHARE
        if planted:
            person = rng.randrange(len(originals))
            base = originals[person]
            row = _duplicate(rng, base, i)
        else:
            person = len(originals)
            first, last = rng.choice(firsts), rng.choice(lasts)
            company = rng.choice(companies)
            digits = f"{201 + i // 9_000_000 % 700}{2_000_000 + i % 8_000_000:07d}"
            row = {
                "first_name": first,
                "last_name": last,
                "company_name": f"{company} {rng.choice(SUFFIXES)}".strip(),
                "email": f"{first}.{last}.{i}@{company.split()[0]}.example".lower(),
                "phone": f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}",
                "phone_key": "+1" + digits,  # what phone_key gives (checked on a sample)
            }
            originals.append(row)
        owner = owners[i % len(owners)]
        row = {
            **row,
            "id": uuid7_at(created, rng),
            "owner_id": owner,
            "topic": f"Interest {i}",
            "country": "US",
            "currency": "USD",
            "state": "open",
            "status": "new",
            "do_not_email": False,
            "do_not_phone": False,
            "do_not_bulk_email": False,
            "list_vendor": VENDOR,
            "external_key": str(i),
            "created_at": created,
            "created_by_id": owner,
            "updated_at": created,
            "updated_by_id": owner,
            "version": 1,
        }
        row["email_key"] = email_key(row["email"])
        row["company_key"] = company_key(row["company_name"])
        if "phone_key" not in row:
            row["phone_key"] = phone_key(row["phone"], "US")
        yield row, person


def _duplicate(rng: random.Random, base: dict[str, Any], i: int) -> dict[str, Any]:
    first, last, company = base["first_name"], base["last_name"], base["company_name"]
    other_email = f"{first[0]}{last}{i}@mail.example".lower()
    other_phone = f"+1 650 {i // 10_000 % 1000:03d} {i % 10_000:04d}"
    kind = rng.randrange(4)
    if kind == 0:  # typo in the name, the same email typed in capitals
        return {"first_name": first, "last_name": _typo(rng, last), "company_name": company,
                "email": base["email"].upper(), "phone": other_phone}  # fmt: skip
    if kind == 1:  # first and last name swapped at the same company
        return {"first_name": last, "last_name": first, "company_name": company,
                "email": other_email, "phone": other_phone}  # fmt: skip
    if kind == 2:  # the same phone written the national way, no company given
        d = base["phone_key"][2:]
        return {"first_name": first, "last_name": last, "company_name": None,
                "email": other_email, "phone": f"({d[:3]}) {d[3:6]}-{d[6:]}"}  # fmt: skip
    stem = company.rsplit(" ", 1)[0] if company.endswith(SUFFIXES[:-1]) else company
    return {"first_name": _typo(rng, first), "last_name": last,
            "company_name": f"{stem.upper()} Limited", "email": other_email,
            "phone": other_phone}  # fmt: skip


def _keys(session: Any, rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Match-key rows of `rows` under every published rule whose match side is a lead,
    derived by the same functions the index uses."""
    rules = [r for r in published_rules(session) if r.match_type == "lead"]
    for row in rows:
        full = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
        for rule in rules:
            values = {}
            for f in side_fields(rule.logic, "match"):
                raw = full if f == "full_name" else row[f]
                if f == "phone":
                    values[f] = row["phone_key"] or ""
                elif f == "email":
                    values[f] = row["email_key"] or ""
                elif f == "company_name":
                    values[f] = row["company_key"] or ""
                else:
                    values[f] = normalise(f, raw, "US", rule.logic.case_sensitive)
            for key in blocking_keys(rule.logic, values, "match"):
                yield {"rule_id": rule.id, "record_id": row["id"], "key": key,
                       "record_type": "lead"}  # fmt: skip


def _write(
    engine: Engine, table_name: str, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            sql = f"COPY {table_name} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            raw.commit()
        finally:
            raw.close()
        return
    table = Base.metadata.tables[table_name]
    with engine.begin() as conn:
        conn.execute(insert(table), rows)


def seed(url: str, count: int) -> tuple[Engine, Actor, dict[uuid.UUID, int], float]:
    engine = make_engine(url)
    marker = VAR / f"scan-export-{engine.dialect.name}-{count}.json"
    try:
        with engine.connect() as conn:
            have = conn.execute(
                select(func.count()).select_from(Lead).where(Lead.list_vendor == VENDOR)
            ).scalar_one()
    except Exception:
        have = -1
    factory = make_session_factory(engine)
    if have == count and marker.exists():
        saved = json.loads(marker.read_text())
        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(
                select(Lead.id, Lead.external_key).where(Lead.list_vendor == VENDOR)
            ).all()
        person = {record: saved["person"][key] for record, key in rows}
        admin = Actor(uuid.UUID(saved["admin"]), Role.SYSTEM_ADMINISTRATOR, "cli")
        return engine, admin, person, saved["seconds"]
    engine.dispose()
    reset_database(url)
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        owners = [u.id for u in make_users(session, 20, "owner", Role.SALESPERSON)]
        (admin_user,) = make_users(session, 1, "admin", Role.SYSTEM_ADMINISTRATOR)
    for r, (row, _) in enumerate(people(2000, owners)):
        if r < 500 and row["phone_key"] != phone_key(row["phone"], "US"):
            raise AssertionError(f"derived phone key {row['phone_key']} for {row['phone']}")
    started = time.perf_counter()
    lead_indexes = list(Base.metadata.tables["leads"].indexes)
    key_indexes = list(Base.metadata.tables["match_keys"].indexes)
    with engine.begin() as conn:
        for index in lead_indexes + key_indexes:
            index.drop(conn)
    person: dict[uuid.UUID, int] = {}
    batch: list[dict[str, Any]] = []
    with factory() as session:
        for row, p in people(count, owners):
            person[row["id"]] = p
            batch.append(row)
            if len(batch) == BATCH:
                _write(engine, "leads", COLUMNS, batch)
                _write(engine, "match_keys", ("rule_id", "record_id", "key", "record_type"),
                       list(_keys(session, batch)))  # fmt: skip
                batch = []
        if batch:
            _write(engine, "leads", COLUMNS, batch)
            _write(engine, "match_keys", ("rule_id", "record_id", "key", "record_type"),
                   list(_keys(session, batch)))  # fmt: skip
    with engine.begin() as conn:
        for index in lead_indexes + key_indexes:
            index.create(conn)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM (ANALYZE) leads, match_keys"
            )
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    seconds = time.perf_counter() - started
    external = {str(i): p for i, p in enumerate(person.values())}  # external_key = row number
    marker.write_text(json.dumps({"admin": str(admin_user.id), "seconds": seconds,
                                  "person": external}))  # fmt: skip
    admin = Actor(admin_user.id, Role.SYSTEM_ADMINISTRATOR, "cli")
    return engine, admin, person, seconds


def truth_pairs(person: dict[uuid.UUID, int]) -> set[frozenset[uuid.UUID]]:
    rows: dict[int, list[uuid.UUID]] = {}
    for record, p in person.items():
        rows.setdefault(p, []).append(record)
    return {
        frozenset(pair) for ids in rows.values() if len(ids) > 1 for pair in combinations(ids, 2)
    }


def bench_scan(engine: Engine, admin: Actor, person: dict[uuid.UUID, int]) -> dict[str, Any]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        cursor.execute("SELECT record_id, key FROM match_keys WHERE record_type = 'lead'")
        floor_rows = 0
        while chunk := cursor.fetchmany(10_000):
            floor_rows += len(chunk)
        floor = time.perf_counter() - started
        cursor.close()
    finally:
        raw.close()
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        started = time.perf_counter()
        result = scan(session, admin, "lead")
        seconds = time.perf_counter() - started
    with factory() as session, session.begin():
        started = time.perf_counter()
        stored = store_scan(session, admin, "lead")
        store_seconds = time.perf_counter() - started
    found = {frozenset((p.id_a, p.id_b)) for p in result.pairs}
    truth = truth_pairs(person)
    right = len(found & truth)
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "floor_rows": floor_rows,
        "ratio": seconds / floor,
        "pairs": len(found),
        "planted_pairs": len(truth),
        "precision": right / len(found) if found else float("nan"),
        "recall": right / len(truth) if truth else float("nan"),
        "oversized_groups": result.oversized_groups,
        "stored": stored,
        "store_seconds": store_seconds,
    }


def bench_export(engine: Engine, admin: Actor, count: int) -> dict[str, Any]:
    columns = export.columns_for("lead")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        cursor.execute(f"SELECT {', '.join(columns)} FROM leads ORDER BY created_at, id")
        with open(os.devnull, "w", newline="", encoding="utf-8") as sink:
            writer = csv.writer(sink)
            writer.writerow(columns)
            while chunk := cursor.fetchmany(10_000):
                writer.writerows(chunk)
        floor = time.perf_counter() - started
        cursor.close()
    finally:
        raw.close()
    factory = make_session_factory(engine)
    with (
        factory() as session,
        session.begin(),
        open(os.devnull, "w", newline="", encoding="utf-8") as sink,
    ):
        started = time.perf_counter()
        written = export.write_csv(export.export_rows(session, admin, "lead"), sink)
        seconds = time.perf_counter() - started
    return {
        "rows": written,
        "seconds": seconds,
        "rows_per_s": written / seconds,
        "floor_rows_per_s": count / floor,
        "ratio": (written / seconds) / (count / floor),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    url = args.url or f"sqlite:///{VAR / f'scan-export-{args.rows}.db'}"
    started = time.perf_counter()
    engine, admin, person, seed_s = seed(url, args.rows)
    ready = time.perf_counter() - started
    print(
        f"{engine.dialect.name}: {args.rows:,} leads ready in {ready:.1f} s "
        f"(seeded in {seed_s:.1f} s)"
    )
    if not args.skip_scan:
        s = bench_scan(engine, admin, person)
        verdict = "MET" if s["seconds"] < 120 else "NOT MET"
        print(
            f"duplicate scan: {s['seconds']:.1f} s ({s['pairs']:,} pairs, "
            f"{s['oversized_groups']} oversized groups); floor SELECT of "
            f"{s['floor_rows']:,} match keys {s['floor_seconds']:.1f} s; "
            f"scan / floor = {s['ratio']:.1f}; target < 120 s: {verdict}"
        )
        print(
            f"store_scan (scan + replace the open groups): {s['stored']:,} groups in "
            f"{s['store_seconds']:.1f} s"
        )
        print(
            f"default rules on {s['planted_pairs']:,} planted duplicate pairs: "
            f"precision {s['precision']:.3f}, recall {s['recall']:.3f}"
        )
    if not args.skip_export:
        e = bench_export(engine, admin, args.rows)
        verdict = "MET" if e["rows_per_s"] >= 50_000 else "NOT MET"
        print(
            f"export CSV: {e['rows']:,} rows in {e['seconds']:.1f} s = "
            f"{e['rows_per_s']:,.0f} rows/s;"
            f" floor (raw cursor + csv.writer) {e['floor_rows_per_s']:,.0f} rows/s; "
            f"export / floor = {e['ratio']:.2f}; target >= 50,000 rows/s: {verdict}"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
