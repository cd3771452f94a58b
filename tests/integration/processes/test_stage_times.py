"""Time in stage and conversion, computed from stage visits stamped by a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from leadgate.core import clock
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.processes import flows, instances, reports
from leadgate.processes.definition import Stage
from leadgate.processes.schemas import FlowCreate
from leadgate.security.roles import Role
from tests.factories import actor, lead_body


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "utcnow", fake)
    return fake


def _stage(key: str) -> Stage:
    return Stage(key=key, name=key.title(), record_type="lead")


def test_time_in_stage_and_conversion(db: Session, fake_clock: FakeClock) -> None:
    admin = actor(db, Role.SYSTEM_ADMINISTRATOR)
    seller = actor(db, Role.SALESPERSON)
    flow = flows.create_flow(
        db,
        admin,
        FlowCreate(name="Timed", primary_record_type="lead", stages=[_stage("a"), _stage("b")]),
    )
    flows.activate(db, admin, flow.id)
    runs = []
    for who in (admin, admin, admin, seller):
        lead = create_lead(db, who, LeadCreate.model_validate(lead_body()))
        runs.append((who, instances.switch_flow(db, who, "lead", lead.id, flow.id)))
    start = fake_clock.now
    for (who, run), minutes in zip(runs, (1, 2, 3, 10), strict=True):
        fake_clock.now = start + timedelta(minutes=minutes)
        instances.next_stage(db, who, run.instance.id)
    who, run = runs[0]
    fake_clock.now = start + timedelta(hours=1)
    instances.abandon(db, who, run.instance.id)
    db.flush()

    rows = reports.time_in_stage(db, admin, flow_family_id=flow.family_id)
    by_stage = {row.stage_key: row for row in rows}
    assert by_stage["a"].visits == 4
    assert by_stage["a"].median_seconds == pytest.approx(150.0)
    # Linear interpolation: 0.9 * 3 = 2.7 → 180 + 0.7 * (600 - 180).
    assert by_stage["a"].p90_seconds == pytest.approx(474.0)
    assert by_stage["b"].visits == 1
    assert by_stage["b"].median_seconds == pytest.approx(3540.0)

    per_owner = reports.time_in_stage(db, admin, flow_family_id=flow.family_id, by_owner=True)
    seller_rows = [r for r in per_owner if r.owner_id == seller.user_id]
    assert [(r.stage_key, r.median_seconds) for r in seller_rows] == [("a", 600.0)]
    # A salesperson's report only counts their own records.
    mine = reports.time_in_stage(db, seller, flow_family_id=flow.family_id)
    assert [(r.stage_key, r.visits) for r in mine] == [("a", 1)]

    conversion = {
        r.stage_key: r for r in reports.conversion(db, admin, flow_family_id=flow.family_id)
    }
    assert (conversion["a"].entered, conversion["a"].advanced) == (4, 4)
    assert conversion["a"].conversion_rate == 1.0
    assert (conversion["b"].entered, conversion["b"].dropped) == (4, 1)
    assert conversion["b"].still_in_stage == 3
    assert conversion["b"].drop_out_rate == 0.25


def test_conversion_counts_each_instance_once_per_kind(db: Session) -> None:
    """Back and forth through a stage counts the instance once as entered and once as
    advanced; went back, finished, dropped and still there are counted per instance."""
    admin = actor(db, Role.SYSTEM_ADMINISTRATOR)
    seller = actor(db, Role.SALESPERSON)
    flow = flows.create_flow(
        db,
        admin,
        FlowCreate(
            name="Loops",
            primary_record_type="lead",
            stages=[_stage("a"), _stage("b"), _stage("c")],
        ),
    )
    flows.activate(db, admin, flow.id)

    def run_for(who: object) -> instances.Run:
        lead = create_lead(db, who, LeadCreate.model_validate(lead_body()))  # type: ignore[arg-type]
        return instances.switch_flow(db, who, "lead", lead.id, flow.id)  # type: ignore[arg-type]

    looping, dropped, waiting = run_for(admin), run_for(admin), run_for(seller)
    for move in ("next_stage", "previous_stage", "next_stage", "next_stage", "finish"):
        getattr(instances, move)(db, admin, looping.instance.id)
    instances.next_stage(db, admin, dropped.instance.id)
    instances.abandon(db, admin, dropped.instance.id)
    instances.next_stage(db, seller, waiting.instance.id)

    rows = {r.stage_key: r for r in reports.conversion(db, admin, flow_family_id=flow.family_id)}
    counts = {
        key: (r.entered, r.advanced, r.went_back, r.finished, r.dropped, r.still_in_stage)
        for key, r in rows.items()
    }
    assert counts == {
        "a": (3, 3, 0, 0, 0, 0),
        "b": (3, 1, 1, 0, 1, 1),
        "c": (1, 0, 0, 1, 0, 0),
    }
    assert rows["b"].drop_out_rate == round(1 / 3, 4)
    mine = reports.conversion(db, seller, flow_family_id=flow.family_id)
    assert {(r.stage_key, r.entered, r.still_in_stage) for r in mine} == {("a", 1, 0), ("b", 1, 1)}


def test_percentile_matches_linear_interpolation() -> None:
    assert reports.percentile([10.0], 0.9) == 10.0
    assert reports.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    with pytest.raises(ValueError, match="no values"):
        reports.percentile([], 0.5)


@pytest.mark.parametrize("count", [1, 2, 3, 10, 11, 25])
def test_database_percentiles_match_the_reference(db: Session, count: int) -> None:
    """The SQL paths (rank lookups on SQLite, percentile_cont on PostgreSQL) agree with
    the plain linear-interpolation reference for every group size."""
    from leadgate.core.ids import new_id
    from leadgate.processes.models import ProcessInstance, StageVisit

    admin = actor(db, Role.SYSTEM_ADMINISTRATOR)
    flow = flows.create_flow(
        db, admin, FlowCreate(name="Ranks", primary_record_type="lead", stages=[_stage("a")])
    )
    lead = create_lead(db, admin, LeadCreate.model_validate(lead_body()))
    instance = ProcessInstance(
        id=new_id(),
        flow_id=flow.id,
        flow_family_id=flow.family_id,
        lead_id=lead.id,
        record_type="lead",
        active_stage="a",
        path=["a"],
    )
    db.add(instance)
    db.flush()
    entered = datetime(2026, 1, 1, tzinfo=UTC)
    durations = [float((n * 37) % 101 + n) for n in range(count)]
    for seconds in durations:
        db.add(
            StageVisit(
                instance_id=instance.id,
                flow_id=flow.id,
                flow_family_id=flow.family_id,
                stage_key="a",
                record_type="lead",
                record_id=lead.id,
                owner_id=admin.user_id,
                entered_at=entered,
                exited_at=entered + timedelta(seconds=seconds),
                exit_kind="next",
                duration_seconds=seconds,
            )
        )
    db.flush()
    [row] = reports.time_in_stage(db, admin, flow_family_id=flow.family_id)
    ordered = sorted(durations)
    assert row.visits == count
    assert row.median_seconds == pytest.approx(reports.percentile(ordered, 0.5))
    assert row.p90_seconds == pytest.approx(reports.percentile(ordered, 0.9))
    assert row.flow_name == "Ranks"
