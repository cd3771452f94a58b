"""Lead lists sorted by score at a million leads: "My open leads scored" and all open leads.

    .venv/bin/python -m bench.bench_score_list [--leads 1000000] [--db sqlite|postgresql|both]

Seeds the bench lead set (bench.seed; reused when there), gives every open lead a
score (random 0-100, a grade, ten reasons as scoring stores them; done once),
then times API list requests through the ASGI app in-process (server time, no network),
made by a sales manager (who may read every lead):

- floor: the indexed list the list benchmark measures (one owner's open leads, newest
  first: GET /api/v1/leads?state=open&owner_id=X&sort=-created_at&limit=50);
- "My open leads scored" (state=open&owner_id=X&sort=-score), its first and second page;
- all open leads by score (state=open&sort=-score), first page.

Prints p50/p95 of each, the ratio of each p50 to the floor's, the statements of a
scored page and the database's plan of its page query.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text

from bench.common import VAR, StatementLog, pg_url
from bench.seed import seed
from leadgate.asgi import create_app
from leadgate.core.settings import Settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.leads.scores import compact, reason

RUNS = 30
# Ten reasons, in the form scoring stores them (leadgate.leads.scores): read in full by
# every listed lead, as the API does.
REASONS = json.dumps(
    compact(
        {
            "typical_score": 31.5,
            "positive": [reason("Source", "Source is Partner", 12.5)] * 5,
            "negative": [reason("Email domain", "No Email domain", -7.0)] * 5,
            "other_fields": 0.4,
            "interactions": 0.0,
            "model_id": "00000000-0000-0000-0000-000000000000",
            "model": "Bench",
            "version": 1,
            "scored_at": "2026-12-05T09:00:00+00:00",
        }
    )
)


def _score_sql(dialect: str) -> str:
    # Deterministic per lead on PostgreSQL; any spread will do on SQLite.
    return "abs(hashtext(id::text)) % 101" if dialect == "postgresql" else "abs(random()) % 101"


def fill_scores(engine: Engine) -> str:
    """Score every open lead once; where scores live depends on the schema's revision."""
    dialect = engine.dialect.name
    side = "lead_scores" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        if side:
            done = conn.execute(text("SELECT count(*) FROM lead_scores")).scalar_one()
        else:
            done = conn.execute(
                text("SELECT count(*) FROM leads WHERE score IS NOT NULL")
            ).scalar_one()
        open_leads = conn.execute(
            text("SELECT count(*) FROM leads WHERE state = 'open'")
        ).scalar_one()
        if done != open_leads:
            reasons = REASONS.replace("'", "''")
            grade = "CASE WHEN score >= 70 THEN 'A' WHEN score >= 40 THEN 'B' ELSE 'C' END"
            if side:
                conn.execute(text("DELETE FROM lead_scores"))
                conn.execute(
                    text(
                        "INSERT INTO lead_scores (lead_id, score, grade, score_trend, "
                        f"score_reasons) SELECT id, score, {grade}, 'steady', '{reasons}' FROM "
                        f"(SELECT id, {_score_sql(dialect)} AS score FROM leads "
                        "WHERE state = 'open') AS s"
                    )
                )
            else:
                conn.execute(
                    text(f"UPDATE leads SET score = {_score_sql(dialect)} WHERE state = 'open'")
                )
                conn.execute(
                    text(
                        f"UPDATE leads SET grade = {grade}, score_trend = 'steady', "
                        f"score_reasons = '{reasons}' WHERE state = 'open'"
                    )
                )
    if dialect == "postgresql":
        with engine.connect() as conn:
            auto = conn.execution_options(isolation_level="AUTOCOMMIT")
            auto.exec_driver_sql("VACUUM (ANALYZE) leads")
            if side:
                auto.exec_driver_sql("VACUUM (ANALYZE) lead_scores")
    elif side:
        # As a batch rescore leaves it (scorer.rescore_model): SQLite's planner picks
        # lead_scores' covering index only with statistics.
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE lead_scores")
    return "lead_scores" if side else "leads"


def _explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            return [row[0] for row in rows]
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return [str(row[-1]) for row in rows]


def run(url: str, leads: int) -> None:
    seeded = seed(url, leads)
    where = fill_scores(seeded.engine)
    engine = make_engine(url)
    settings = Settings(env="development", database_url=url, log_level="warning")
    app = create_app(settings, make_session_factory(engine))
    headers = {"Authorization": f"Bearer {seeded.manager.token}"}
    owner = seeded.owners[0].id
    paths = {
        "floor: one owner's open leads, newest first": (
            f"/api/v1/leads?state=open&owner_id={owner}&sort=-created_at&limit=50"
        ),
        "My open leads scored, first page": (
            f"/api/v1/leads?state=open&owner_id={owner}&sort=-score&limit=50"
        ),
        "All open leads by score, first page": "/api/v1/leads?state=open&sort=-score&limit=50",
    }
    log = StatementLog(engine)
    print(f"{engine.dialect.name}: {leads:,} leads, scores stored in {where}")
    with TestClient(app) as client:
        second = client.get(paths["My open leads scored, first page"], headers=headers).json()
        paths["My open leads scored, second page"] = (
            paths["My open leads scored, first page"] + "&cursor=" + second["next_cursor"]
        )
        floor = 0.0
        for name, path in paths.items():
            samples = []
            for _ in range(RUNS):
                log.reset()
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            body = response.json()
            scores = [item["score"] for item in body["items"]]
            assert scores == sorted(scores, reverse=True) or "created_at" in path
            p50 = statistics.median(samples)
            p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
            floor = floor or p50
            queries = [s for s in log.statements if s.startswith("SELECT")]
            print(
                f"  {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {p50 / floor:.2f}x floor; "
                f"{len(queries)} SELECTs; top scores {scores[:3]}"
            )
        page_sql = [
            (s, p)
            for s, p in zip(log.statements, log.parameters, strict=True)
            if s.startswith("SELECT") and "ORDER BY" in s
        ]
        for statement, parameters in page_sql[-1:]:
            print("  plan of the last page query:")
            for line in _explain(engine, statement, parameters):
                print(f"    {line}")
    log.close()
    engine.dispose()
    seeded.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    if args.db in ("sqlite", "both"):
        run(f"sqlite:///{VAR}/score-list-{args.leads}.db", args.leads)
    if args.db in ("postgresql", "both"):
        run(pg_url(f"score_list_{args.leads}"), args.leads)


if __name__ == "__main__":
    main()
