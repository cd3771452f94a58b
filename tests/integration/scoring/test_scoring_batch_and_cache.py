"""Batch scoring equals one-lead scoring; what is published is read once per transaction
and seen by the next one; a broken model never fails a save (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from leadgate.activities.schemas import ActivityCreate
from leadgate.activities.service import create_activity
from leadgate.core.clock import utcnow
from leadgate.leads import service as leads
from leadgate.leads.models import Lead, LeadScore
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.leads.scores import expand
from leadgate.scoring import scorer, service
from leadgate.scoring.leadfields import (
    build_columns,
    lead_columns,
    raw_lead_columns,
    scored_leads,
)
from leadgate.scoring.models import ScoringModelVersion
from leadgate.scoring.schemas import ScoringModelCreate
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.factories import actor as make_actor
from tests.integration.scoring.closed_leads import (
    FIELDS,
    SOURCES,
    open_leads,
    published_model,
    seed_closed,
)


def _without_time(reasons: dict[str, Any] | None) -> dict[str, Any]:
    assert reasons is not None
    return {k: v for k, v in reasons.items() if k != "scored_at"}


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_batch_rescore_gives_each_lead_what_saving_it_gave(
    db: Session, admin_actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    published_model(db, admin_actor)
    opened = open_leads(db, admin_actor, 12)
    single = {
        lead.id: (lead.score, lead.grade, _without_time(lead.score_reasons)) for lead in opened
    }
    assert all(score is not None for score, _, _ in single.values())

    db.execute(delete(LeadScore))
    db.expire_all()
    stamps = {lead.id: (lead.version, lead.updated_at) for lead in opened}
    # Small chunks: reads of the stream interleave with the chunks' writes.
    monkeypatch.setattr(scorer, "BATCH", 5)
    assert service.rescore(db, admin_actor) == len(opened)

    db.expire_all()
    batch = {
        lead.id: (lead.score, lead.grade, _without_time(lead.score_reasons))
        for lead in db.scalars(select(Lead).where(Lead.state == "open"))
    }
    assert batch == single
    # Scores are derived data: no version bump, no updated_at change.
    db.expire_all()
    assert {lead.id: (lead.version, lead.updated_at) for lead in opened} == stamps


def test_nothing_published_means_one_light_query_per_transaction(
    db: Session, admin_actor: Actor, statements: list[str]
) -> None:
    lead = open_leads(db, admin_actor, 1)[0]
    statements.clear()
    for source in ("partner", "web"):
        leads.update_lead(db, admin_actor, lead.id, LeadUpdate(lead_source=source), lead.version)
    about_scoring = [s for s in statements if "scoring_model" in s]
    # The transaction began with the create above, which already asked: nothing more.
    assert about_scoring == []
    assert lead.score is None
    db.commit()

    statements.clear()
    leads.update_lead(db, admin_actor, lead.id, LeadUpdate(lead_source="partner"), lead.version)
    leads.update_lead(db, admin_actor, lead.id, LeadUpdate(lead_source="web"), lead.version)
    about_scoring = [s for s in statements if "scoring_model" in s]
    assert len(about_scoring) == 1  # a new transaction asks once
    assert "pipeline" not in about_scoring[0]  # and never reads the pickled models
    assert lead.score is None


def test_a_lead_outside_every_published_scope_is_left_alone(
    db: Session, admin_actor: Actor, statements: list[str]
) -> None:
    seed_closed(db, admin_actor, 200)
    model = service.create_model(
        db,
        admin_actor,
        ScoringModelCreate(name="Dollars", fields=FIELDS, filter={"currency": "USD"}),
    )
    service.publish(db, admin_actor, service.train(db, admin_actor, model.id).id)
    scorer._cache.clear()
    statements.clear()
    lead = leads.create_lead(
        db, admin_actor, LeadCreate(topic="Euro", lead_source="partner", currency="EUR")
    )
    assert lead.score is None
    assert not [s for s in statements if "pipeline" in s]
    dollars = leads.create_lead(
        db, admin_actor, LeadCreate(topic="Dollar", lead_source="partner", currency="USD")
    )
    assert dollars.score is not None


def _reasons_version(factory: sessionmaker[Session], lead_id: uuid.UUID) -> int:
    with factory() as session, session.begin():
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return int((lead.score_reasons or {})["version"])


def test_publish_and_revert_in_another_session_are_seen_by_the_next_transaction(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as other, other.begin():
        who = make_actor(other, Role.SYSTEM_ADMINISTRATOR)
        seed_closed(other, who, 200)
        model = service.create_model(other, who, ScoringModelCreate(name="All", fields=FIELDS))
        first = service.train(other, who, model.id)
        second = service.train(other, who, model.id)
        service.publish(other, who, first.id)
        model_id, second_id = model.id, second.id

    with session_factory() as mine:
        with mine.begin():
            lead = open_leads(mine, who, 1)[0]
            assert (lead.score_reasons or {})["version"] == 1

        with session_factory() as other, other.begin():
            service.publish(other, who, second_id)
        with mine.begin():
            leads.update_lead(mine, who, lead.id, LeadUpdate(lead_source="web"), lead.version)
        assert _reasons_version(session_factory, lead.id) == 2

        with session_factory() as other, other.begin():
            service.revert(other, who, model_id)
        with mine.begin():
            leads.update_lead(mine, who, lead.id, LeadUpdate(lead_source="partner"), lead.version)
        assert _reasons_version(session_factory, lead.id) == 1

        with session_factory() as other, other.begin():
            service.delete_model(other, who, model_id, None)
        with mine.begin():
            leads.update_lead(mine, who, lead.id, LeadUpdate(lead_source="web"), lead.version)
        with session_factory() as fresh:
            assert fresh.get(Lead, lead.id).score is None  # type: ignore[union-attr]


def test_a_broken_model_never_fails_single_or_bulk_saves(db: Session, admin_actor: Actor) -> None:
    model = published_model(db, admin_actor)
    db.execute(
        update(ScoringModelVersion)
        .where(ScoringModelVersion.model_id == model.id)
        .values(pipeline=b"not a pickle")
    )
    scorer._cache.clear()
    one = open_leads(db, admin_actor, 1)[0]
    many = leads.create_leads(
        db,
        admin_actor,
        [(uuid.uuid4(), LeadCreate(topic=f"Bulk {i}", lead_source="partner")) for i in range(3)],
    )
    assert one.score is None
    assert [lead.score for lead in many] == [None, None, None]
    # The transaction is still usable (on PostgreSQL a failed statement would abort it).
    db.flush()
    ids = [one.id, *(lead.id for lead in many)]
    assert db.scalar(select(Lead.id).where(Lead.id.in_(ids)).limit(1)) is not None
    assert len(db.scalars(select(Lead).where(Lead.id.in_(ids))).all()) == 4


def test_a_bulk_create_scores_every_lead_as_a_single_save_would(
    db: Session, admin_actor: Actor
) -> None:
    published_model(db, admin_actor)
    many = leads.create_leads(
        db,
        admin_actor,
        [
            (uuid.uuid4(), LeadCreate(topic=f"Bulk {i}", lead_source=SOURCES[i % 4]))
            for i in range(8)
        ],
    )
    alone = [
        leads.create_lead(db, admin_actor, LeadCreate(topic=f"One {i}", lead_source=SOURCES[i % 4]))
        for i in range(8)
    ]
    # A bulk create returns Drafts of the inserted rows; the scores are on the stored leads.
    for draft, single in zip(many, alone, strict=True):
        bulk = db.get_one(Lead, draft.id)
        assert bulk.score is not None
        assert bulk.score == single.score
        assert _without_time(bulk.score_reasons) == _without_time(single.score_reasons)


def test_a_rescore_rewrites_only_leads_whose_inputs_changed(
    db: Session, admin_actor: Actor, statements: list[str]
) -> None:
    model = published_model(db, admin_actor)
    first, second = open_leads(db, admin_actor, 2)
    stamped = {lead.id: (lead.score_reasons or {})["scored_at"] for lead in (first, second)}
    # Changed behind the service's back: the rescore must notice from the inputs.
    db.execute(update(Lead).where(Lead.id == second.id).values(lead_source="partner"))
    db.expire_all()
    statements.clear()
    service.rescore(db, admin_actor, model.id)
    db.expire_all()
    assert (first.score_reasons or {})["scored_at"] == stamped[first.id]
    assert (second.score_reasons or {})["scored_at"] != stamped[second.id]
    assert (second.score_reasons or {})["positive"][0]["text"] == "Source is Partner"
    assert (
        len([s for s in statements if s.lstrip().upper().startswith("INSERT INTO LEAD_SCORES")])
        == 1
    )

    # New grade bands change what a score means: every lead is rewritten.
    model.grade_bands = {"A": 99, "B": 98, "C": 97}
    db.flush()
    service.rescore(db, admin_actor, model.id)
    db.expire_all()
    assert first.grade == "D"
    assert second.grade == "D"


def test_a_rescore_reads_untyped_rows_into_the_same_fields_as_lead_rows(
    db: Session, admin_actor: Actor
) -> None:
    opened = open_leads(db, admin_actor, 6)
    for i, lead in enumerate(opened[:3]):
        for _ in range(i + 1):
            create_activity(
                db,
                admin_actor,
                ActivityCreate(
                    type="task", subject="Call back", regarding_type="lead", regarding_id=lead.id
                ),
            )
    db.flush()
    codes = [
        "lead_source",
        "industry",
        "email_domain_kind",
        "completeness",
        "activity_count",
        "days_since_activity",
        "has_campaign",
        "account.industry",
    ]
    where = (Lead.state == "open", Lead.id.in_([lead.id for lead in opened]))
    typed = db.execute(
        select(*lead_columns(codes)).select_from(scored_leads()).where(*where).order_by(Lead.id)
    ).all()
    columns, raw = raw_lead_columns(db.get_bind().dialect, codes)
    untyped = (
        db.connection()
        .execute(select(*columns).select_from(scored_leads()).where(*where).order_by(Lead.id))
        .all()
    )
    now = utcnow()
    from_typed = build_columns(db, typed, codes, now)
    assert build_columns(db, untyped, codes, now, raw=raw) == from_typed
    assert sorted(from_typed["Activities"]) == [0, 0, 0, 1, 2, 3]


def test_scores_are_one_row_per_lead_in_lead_scores(
    db: Session, admin_actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = published_model(db, admin_actor)
    opened = open_leads(db, admin_actor, 6)
    rows = {row.lead_id: row for row in db.scalars(select(LeadScore))}
    assert set(rows) == {lead.id for lead in opened}
    for lead in opened:
        row = rows[lead.id]
        assert (row.score, row.grade, row.score_trend) == (
            lead.score,
            lead.grade,
            lead.score_trend,
        )
        # The row holds the reasons compactly; the lead reads them in full.
        assert expand(row.score_reasons, row.fingerprint) == lead.score_reasons
        assert row.fingerprint == (lead.score_reasons or {})["fingerprint"]
    single = {lead.id: (lead.score, _without_time(lead.score_reasons)) for lead in opened}

    # A batch mixing leads with a score row (updated) and without (inserted).
    db.execute(delete(LeadScore).where(LeadScore.lead_id.in_([opened[1].id, opened[4].id])))
    db.execute(update(LeadScore).values(fingerprint="stale"))
    db.expire_all()
    monkeypatch.setattr(scorer, "BATCH", 4)
    assert service.rescore(db, admin_actor, model.id) == len(opened)
    db.expire_all()
    again = {row.lead_id: row for row in db.scalars(select(LeadScore))}
    assert set(again) == set(single)
    assert {
        k: (r.score, _without_time(expand(r.score_reasons, r.fingerprint)))
        for k, r in again.items()
    } == single

    # Nothing covers the leads once the model is gone: their rows are deleted.
    service.delete_model(db, admin_actor, model.id, model.version)
    assert db.scalars(select(LeadScore)).all() == []


def test_a_batch_rescore_leaves_sqlite_statistics_for_the_score_lists(
    db: Session, admin_actor: Actor
) -> None:
    """SQLite gathers no statistics itself; without them its planner takes lead_scores'
    primary key over the covering (lead_id, score) index the score lists need."""
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's autovacuum gathers its own statistics")
    published_model(db, admin_actor)
    open_leads(db, admin_actor, 5)
    db.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    assert service.rescore(db, admin_actor) == 5
    plan = db.execute(
        text(
            "EXPLAIN QUERY PLAN SELECT leads.id FROM leads LEFT JOIN lead_scores "
            "ON lead_scores.lead_id = leads.id ORDER BY lead_scores.score DESC"
        )
    ).all()
    assert any("COVERING INDEX ix_lead_scores_lead_id_score" in str(row[-1]) for row in plan)
