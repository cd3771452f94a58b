"""Scores kept in lead_scores read on the lead API as lead fields: sorting by score pages
through every visible lead once (unscored last), and role scoping holds (SQLite and
PostgreSQL)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from leadgate.leads.models import LeadScore
from leadgate.security.roles import Role
from tests.factories import Api, lead_body, walk_pages


def _score(session_factory: sessionmaker[Session], lead_id: str, score: int) -> dict[str, Any]:
    # The stored (compact) form: each reason [field, text, effect].
    reasons = {
        "positive": [["Source", "Source is Partner", 18.2]],
        "negative": [],
        "model": "Inbound",
        "version": 1,
    }
    row = {
        "lead_id": uuid.UUID(lead_id),
        "score": score,
        "grade": "A" if score >= 70 else "C",
        "score_trend": "steady",
        "score_reasons": reasons,
        "fingerprint": "f" * 32,
    }
    with session_factory() as session, session.begin():
        session.execute(insert(LeadScore).values(row))
    return row


def test_sorting_by_score_pages_every_visible_lead_once(api_as, session_factory) -> None:  # type: ignore[no-untyped-def]
    seller: Api = api_as(Role.SALESPERSON)
    other: Api = api_as(Role.SALESPERSON)
    manager: Api = api_as(Role.SALES_MANAGER)
    mine = [seller.create("/api/v1/leads", lead_body(topic=f"Mine {i}")) for i in range(6)]
    theirs = [other.create("/api/v1/leads", lead_body(topic=f"Theirs {i}")) for i in range(3)]
    scores = {0: 40, 1: 90, 2: 40, 3: 10}  # mine[4], mine[5] stay unscored
    for i, score in scores.items():
        _score(session_factory, mine[i]["id"], score)
    _score(session_factory, theirs[0]["id"], 99)

    ids, _ = walk_pages(seller, "-score", limit=2)
    by_id = {lead["id"]: lead for lead in mine}
    tied = sorted([mine[0]["id"], mine[2]["id"]], reverse=True)  # id closes the sort
    unscored = sorted([mine[4]["id"], mine[5]["id"]], reverse=True)
    # Highest first, ties by id, unscored last; never another salesperson's lead.
    assert ids == [mine[1]["id"], *tied, mine[3]["id"], *unscored]
    assert set(ids) == set(by_id)
    ascending, _ = walk_pages(seller, "score", limit=4)
    assert ascending[:4] == [mine[3]["id"], *reversed(tied), mine[1]["id"]]
    assert sorted(ascending[4:]) == sorted(unscored)

    everyone, _ = walk_pages(manager, "-score", limit=3)
    assert everyone[0] == theirs[0]["id"]
    assert sorted(everyone) == sorted([lead["id"] for lead in mine + theirs])
    # The score is only visible on leads the actor may read.
    assert seller.get(f"/api/v1/leads/{theirs[0]['id']}").status_code == 404
    assert other.get(f"/api/v1/leads/{theirs[0]['id']}").json()["score"] == 99


def test_the_lead_api_reads_the_score_row_as_lead_fields(api_as, session_factory) -> None:  # type: ignore[no-untyped-def]
    seller: Api = api_as(Role.SALESPERSON)
    lead = seller.create("/api/v1/leads", lead_body())
    assert {
        k: lead[k] for k in ("score", "grade", "score_trend", "score_reasons")
    } == dict.fromkeys(("score", "grade", "score_trend", "score_reasons"))
    row = _score(session_factory, lead["id"], 75)
    read = seller.get(f"/api/v1/leads/{lead['id']}")
    body = read.json()
    assert {k: body[k] for k in ("score", "grade", "score_trend")} == {
        k: row[k] for k in ("score", "grade", "score_trend")
    }
    # The reasons read in full: each with its sentence, the fingerprint among them.
    assert body["score_reasons"] == {
        "positive": [
            {
                "field": "Source",
                "text": "Source is Partner",
                "effect": 18.2,
                "sentence": "Source is Partner: +18 %",
            }
        ],
        "negative": [],
        "model": "Inbound",
        "version": 1,
        "fingerprint": "f" * 32,
    }
    assert "fingerprint" not in body
    assert read.headers["ETag"] == '"1"'  # a score is not a change of the lead
    listed = seller.get("/api/v1/leads", params={"sort": "-created_at"}).json()["items"]
    assert [item["score"] for item in listed] == [75]
