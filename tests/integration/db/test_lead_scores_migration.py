"""Migration leadscores_0001: scores move from the lead row to lead_scores and back
(SQLite and PostgreSQL, each on a database of its own at the previous revision)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    inspect,
    select,
    text,
)

from leadgate.db.engine import make_engine
from leadgate.db.migrate import alembic_config, upgrade
from leadgate.db.types import UTCDateTime
from leadgate.leads.models import LeadScore
from leadgate.security.models import User

BEFORE = "jobslease_0001"
REVISION = "leadscores_0001"
SCHEMA = "migration_leadscores"
REASONS = {
    "typical_score": 30.0,
    "positive": [{"field": "lead_source", "text": "Source is Partner", "effect": 18.0}],
    "negative": [],
    "model": "Inbound",
    "version": 2,
    "fingerprint": "0123456789abcdef0123456789abcdef",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migration.db'}"
        return
    base = os.environ.get(
        "LEADGATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable at {base} under CI: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unreachable at {base}: {exc}")
    yield f"{base}?options=-csearch_path%3D{SCHEMA}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


_SCORE_COLUMNS = ("score", "grade", "score_trend", "score_reasons")


def _leads(scored: bool) -> Table:
    """The leads table as the tests write it, with the score columns (before) or not."""
    columns = [
        Column("id", Uuid, primary_key=True),
        Column("owner_id", Uuid),
        Column("topic", String),
        Column("currency", String),
        *(Column(name, Boolean) for name in ("do_not_email", "do_not_phone", "do_not_bulk_email")),
        Column("state", String),
        Column("status", String),
        Column("created_at", UTCDateTime),
        Column("updated_at", UTCDateTime),
        Column("version", Integer),
    ]
    if scored:
        columns += [
            Column("score", Integer),
            Column("grade", String),
            Column("score_trend", String),
            Column("score_reasons", JSON),
        ]
    return Table("leads", MetaData(), *columns)


def _lead(owner_id: uuid.UUID, now: datetime, **values: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "owner_id": owner_id,
        "topic": "Fleet renewal",
        "currency": "USD",
        "do_not_email": False,
        "do_not_phone": False,
        "do_not_bulk_email": False,
        "state": "open",
        "status": "new",
        "created_at": now,
        "updated_at": now,
        "version": 1,
        **values,
    }


def test_scores_move_to_lead_scores_and_back(url: str) -> None:
    upgrade(url, revision=BEFORE)
    engine = make_engine(url)
    now = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
    owner = uuid.uuid4()
    scored = _lead(owner, now, score=87, grade="A", score_trend="improving", score_reasons=REASONS)
    unscored = _lead(owner, now)
    with engine.begin() as conn:
        conn.execute(
            User.__table__.insert(),
            {
                "id": owner,
                "email": "owner@leadgate.example",
                "full_name": "Owner",
                "role": "salesperson",
                "is_active": True,
                "time_zone": "UTC",
                "locale": "en",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            },
        )
        conn.execute(
            _leads(scored=True).insert(), [scored, unscored | dict.fromkeys(_SCORE_COLUMNS)]
        )

    upgrade(url, revision=REVISION)
    lead_columns = {c["name"] for c in inspect(engine).get_columns("leads")}
    assert not lead_columns & set(_SCORE_COLUMNS)
    scores = LeadScore.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(scores)).mappings().all()
    moved = {
        "lead_id": scored["id"],
        "score": 87,
        "grade": "A",
        "score_trend": "improving",
        "score_reasons": REASONS,
        "fingerprint": REASONS["fingerprint"],
    }
    assert [dict(row) for row in rows] == [moved]
    # A lead deleted for good takes its score row with it.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM lead_scores"))
        conn.execute(scores.insert(), {"lead_id": scored["id"], "score": 5, "grade": "D"})
        leads = _leads(scored=False)
        conn.execute(leads.delete().where(leads.c.id == scored["id"]))
        assert conn.execute(select(scores)).all() == []
        # As it was, for the downgrade.
        conn.execute(leads.insert(), {k: v for k, v in scored.items() if k in leads.c})
        conn.execute(scores.insert(), moved)

    command.downgrade(alembic_config(url), BEFORE)
    assert "lead_scores" not in inspect(engine).get_table_names()
    leads = _leads(scored=True)
    with engine.connect() as conn:
        back = {
            row.id: (row.score, row.grade, row.score_trend, row.score_reasons)
            for row in conn.execute(select(leads))
        }
    assert back == {
        scored["id"]: (87, "A", "improving", REASONS),
        unscored["id"]: (None, None, None, None),
    }
    engine.dispose()
