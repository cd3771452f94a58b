"""/api/v1/job-runs on both databases: asking for work, progress, access, failures, resume.

The test app runs jobs in Huey's immediate mode (inside the request that queues
them); tests/integration/jobs proves the same runs on a real queue and consumer.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.models import AuditEvent
from leadgate.core.settings import Settings
from leadgate.imports import service as import_service
from leadgate.jobs import requests, runs
from leadgate.jobs.executor import Factories, execute
from leadgate.jobs.models import JobRun
from leadgate.leads.models import Lead
from leadgate.scoring.models import ScoringModelVersion
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.service import actor_for_user
from tests.factories import Api, actor, lead_body
from tests.integration.scoring.closed_leads import FIELDS, seed_closed

URL = "/api/v1/job-runs"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        env="test", secret_key="x" * 32, database_url="sqlite://", import_dir=str(tmp_path)
    )


def _scan(api: Api, record_type: str = "lead") -> Any:
    return api.post(URL, {"kind": "duplicate_scan", "params": {"record_type": record_type}})


def test_a_duplicate_scan_runs_and_only_its_requester_or_an_admin_reads_it(api_as) -> None:  # type: ignore[no-untyped-def]
    manager: Api = api_as(Role.SALES_MANAGER)
    other: Api = api_as(Role.SALES_MANAGER)
    admin: Api = api_as(Role.SYSTEM_ADMINISTRATOR)
    for name in ("Ada", "Adah"):
        created = manager.post(
            "/api/v1/leads?ignore_duplicates=true",
            lead_body(last_name=name, email="ada@engines.example"),
        )
        assert created.status_code == 201, created.text
    started = _scan(manager)
    assert started.status_code == 202, started.text
    run = started.json()
    assert started.headers["Location"] == f"{URL}/{run['id']}"
    assert (run["kind"], run["state"], run["error"]) == ("duplicate_scan", "completed", None)
    assert run["result"]["pairs"] >= 1
    assert run["result"]["groups"] >= 1
    # The groups are stored for review, and the requester sees them.
    stored = manager.get("/api/v1/duplicate-groups", params={"type": "lead"}).json()["items"]
    assert len(stored) == run["result"]["groups"]
    assert run["finished_at"] is not None
    assert run["started_at"] is not None
    assert manager.get(started.headers["Location"]).json()["result"] == run["result"]
    assert admin.get(f"{URL}/{run['id']}").status_code == 200
    assert other.get(f"{URL}/{run['id']}").status_code == 404
    assert other.get(f"{URL}/{uuid.uuid4()}").status_code == 404
    assert other.get(URL).json()["items"] == []


def test_requests_are_checked_before_anything_is_queued(admin: Api) -> None:
    bad_type = _scan(admin, "invoice")
    assert bad_type.status_code == 422
    assert bad_type.json()["errors"][0]["field"] == "params.record_type"
    bad_kind = admin.post(URL, {"kind": "import", "params": {}})
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "kind"
    no_model = admin.post(URL, {"kind": "scoring_train", "params": {"model_id": str(uuid.uuid4())}})
    assert no_model.status_code == 404
    assert admin.get(URL).json()["items"] == []


def test_own_runs_are_listed_newest_first_with_keyset_pages(admin: Api, api_as) -> None:  # type: ignore[no-untyped-def]
    ids = [_scan(admin, t).json()["id"] for t in ("lead", "contact", "account")]
    _scan(api_as(Role.SALES_MANAGER))  # someone else's: never listed here
    first = admin.get(URL, params={"limit": 2}).json()
    assert [r["id"] for r in first["items"]] == ids[::-1][:2]
    assert first["count"] == 3  # own runs only, counted on the first page
    second = admin.get(URL, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [r["id"] for r in second["items"]] == ids[:1]
    assert second["next_cursor"] is None
    only = admin.get(URL, params={"kind": "duplicate_scan", "state": "failed"}).json()
    assert only["items"] == []


def test_training_as_a_job_reports_the_version(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session, session.begin():
        seed_closed(session, actor(session), n=200)
    model = admin.create("/api/v1/scoring-models", {"name": "Everyone", "fields": FIELDS})
    started = admin.post(f"/api/v1/scoring-models/{model['id']}/train", params={"publish": True})
    assert started.status_code == 202, started.text
    run = admin.get(started.headers["Location"]).json()
    assert run["state"] == "completed", run
    assert (run["done"], run["total"]) == (1, 1)
    result = run["result"]
    assert (result["number"], result["ready_to_publish"], result["published"]) == (1, True, True)
    version = admin.get(f"/api/v1/scoring-models/{model['id']}/versions/{result['version_id']}")
    assert version.json()["is_published"] is True


def test_a_refused_training_fails_with_the_reason_and_writes_nothing(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session, session.begin():
        seed_closed(session, actor(session), qualified=12, disqualified=50)
    model = admin.create("/api/v1/scoring-models", {"name": "Everyone", "fields": FIELDS})
    started = admin.post(f"/api/v1/scoring-models/{model['id']}/train")
    assert started.status_code == 202
    run = started.json()
    assert run["state"] == "failed"
    assert "needs 28 more qualified leads" in run["error"]
    assert run["result"] is None
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ScoringModelVersion)) == 0
    assert admin.get(f"/api/v1/scoring-models/{model['id']}").json()["versions"] == []


def _upload(api: Api, text: str) -> Any:
    return api.client.post(
        "/api/v1/imports",
        files={"file": ("crash.csv", text.encode("utf-8"), "text/csv")},
        data={"type": "lead", "vendor": "crash"},
        headers={"Authorization": f"Bearer {api.token}"},
    )


def _vendor_leads(factory: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    with factory() as session:
        return [
            (x.external_key, x.topic)
            for x in session.scalars(
                select(Lead).where(Lead.list_vendor == "crash").order_by(Lead.external_key)
            )
        ]


def _upload_cut_after_a_batch(admin: Api, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Upload ten rows in batches of three, with the power cut while the second batch
    records its progress (so it rolls back whole); power is back when this returns."""
    monkeypatch.setattr(import_service, "BATCH_SIZE", 3)
    real_progress = runs.set_progress

    def power_cut(
        session: Session, run_id: uuid.UUID, attempt: int, done: int, total: int | None
    ) -> None:
        if done >= 6:
            raise RuntimeError("power cut")
        real_progress(session, run_id, attempt, done, total)

    monkeypatch.setattr(runs, "set_progress", power_cut)
    rows = "".join(f"Topic {i},k{i:02d}\n" for i in range(10))
    try:
        return _upload(admin, "Topic,External Key\n" + rows)
    finally:
        monkeypatch.setattr(runs, "set_progress", real_progress)


def test_an_interrupted_import_shows_its_progress_and_resumes_to_the_same_end(
    admin: Api,
    session_factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = _upload_cut_after_a_batch(admin, monkeypatch)
    assert started.status_code == 202, started.text
    run_url = started.headers["Location"]
    run = admin.get(run_url).json()
    # The first batch committed with its progress; the second rolled back whole.
    assert (run["state"], run["done"], run["total"]) == ("failed", 3, 10)
    assert run["error"] == "interrupted: power cut"
    assert len(_vendor_leads(session_factory)) == 3
    import_id = started.json()["id"]
    assert admin.get(f"/api/v1/imports/{import_id}").json()["rows_done"] == 3
    assert list(Path(settings.import_dir).iterdir()) != []  # kept for the resume

    resumed = admin.post(f"{run_url}/resume")
    assert resumed.status_code == 202, resumed.text
    run = resumed.json()
    assert (run["state"], run["done"], run["total"], run["attempts"]) == ("completed", 10, 10, 2)
    assert run["result"]["created"] == 10
    assert _vendor_leads(session_factory) == [(f"k{i:02d}", f"Topic {i}") for i in range(10)]
    assert list(Path(settings.import_dir).iterdir()) == []
    assert admin.post(f"{run_url}/resume").status_code == 409  # completed: never again

    # A duplicated queue message (or a retry) finds the run finished and does nothing.
    events = _count_events(session_factory)
    same = Factories(read=session_factory, write=session_factory)
    assert execute(same, uuid.UUID(run["id"])) is None
    assert admin.get(run_url).json()["attempts"] == 2
    assert _count_events(session_factory) == events
    assert len(_vendor_leads(session_factory)) == 10


def test_resuming_an_interrupted_import_queues_its_own_run_again(
    admin: Api, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _upload_cut_after_a_batch(admin, monkeypatch)
    first_run = started.json()["job_run_id"]
    assert admin.get(f"{URL}/{first_run}").json()["state"] == "failed"

    import_url = f"/api/v1/imports/{started.json()['id']}"
    resumed = admin.post(f"{import_url}/resume")
    assert resumed.status_code == 202, resumed.text
    # The same run, a second attempt: no second run for one import.
    assert resumed.json()["job_run_id"] == first_run
    run = admin.get(f"{URL}/{first_run}").json()
    assert (run["state"], run["attempts"], run["done"]) == ("completed", 2, 10)
    with session_factory() as session:
        imports = session.scalars(select(JobRun).where(JobRun.kind == "import")).all()
        assert [r.id for r in imports if r.params["import_id"] == started.json()["id"]] == [
            uuid.UUID(first_run)
        ]
    again = admin.post(f"{import_url}/resume")
    assert again.status_code == 409, again.text
    assert "cannot run again" in again.json()["detail"]


def _count_events(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_the_import_upload_names_its_job_run(admin: Api, session_factory) -> None:  # type: ignore[no-untyped-def]
    started = _upload(admin, "Topic,External Key\nOne,k1\nTwo,k2\n")
    assert started.status_code == 202, started.text
    body = started.json()
    run = admin.get(f"{URL}/{body['job_run_id']}").json()
    assert (run["kind"], run["state"], run["done"], run["total"]) == ("import", "completed", 2, 2)
    assert run["params"]["import_id"] == body["id"]
    with session_factory() as session:
        stored = session.get_one(JobRun, uuid.UUID(run["id"]))
        assert stored.requested_by_id == admin.user_id


def test_a_run_left_running_by_a_dead_worker_resumes_only_when_forced(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session, session.begin():
        who = session.get_one(User, admin.user_id)
        run_id = requests.request_duplicate_scan(session, actor_for_user(who, "api"), "lead").id
    with session_factory() as session, session.begin():
        assert runs.claim(session, run_id) is not None  # a worker took it, then died
    # The same message delivered again (or a second worker) does not run it twice.
    assert execute(Factories(read=session_factory, write=session_factory), run_id) is None
    url = f"{URL}/{run_id}"
    assert admin.get(url).json()["state"] == "running"
    refused = admin.post(f"{url}/resume")
    assert refused.status_code == 409
    assert "force" in refused.json()["detail"]
    forced = admin.post(f"{url}/resume", params={"force": True})
    assert forced.status_code == 202, forced.text
    assert (forced.json()["state"], forced.json()["attempts"]) == ("completed", 2)
