"""The lead import page: upload with dry run, follow the job, run it, report (both databases)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.settings import Settings
from leadgate.leads.models import Lead
from leadgate.security.roles import Role
from tests.factories import upload_settings
from tests.web.conftest import Browser

CSV = "Topic,Email\nOne,one@imp.example\nTwo,bad-email\nAgain,known@imp.example\n"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return upload_settings(tmp_path)


def _upload(browser: Browser, text: str, **form: str) -> tuple[int, str]:
    response = browser.client.post(
        "/imports/new",
        files={"file": ("leads.csv", text.encode("utf-8"), "text/csv")},
        data={"csrf_token": browser.csrf, **form},
        follow_redirects=False,
    )
    return response.status_code, response.headers.get("location", response.text)


def _counts(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="([a-z_-]+)">([^<]*)<', page))


def _topics(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return sorted(session.scalars(select(Lead.topic).where(Lead.email.like("%@imp.example"))))


def test_dry_run_then_run_the_checked_file(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session], settings: Settings
) -> None:
    browser = web_as(Role.SALESPERSON)
    browser.post("/leads/new", {"topic": "Known", "email": "known@imp.example"})
    assert 'href="/imports/new"' in browser.get("/leads").text
    assert "Dry run" in browser.get("/imports/new").text

    status, dry_url = _upload(browser, CSV, dry_run="on", on_duplicate="skip")
    assert status == 303, dry_url
    dry = browser.get(dry_url).text
    assert _counts(dry) == {
        "import-state": "Completed", "created": "1", "updated": "0", "skipped": "1", "failed": "1",
    }  # fmt: skip
    assert _topics(session_factory) == ["Known"]  # a dry run writes nothing
    report = browser.get(f"{dry_url}/report.csv")
    assert report.status_code == 200
    outcomes = [r["outcome"] for r in csv.DictReader(io.StringIO(report.text))]
    assert outcomes[1] == "failed"
    assert len(outcomes) == 3

    ran = browser.post(f"{dry_url}/run")
    assert ran.status_code == 303, ran.text
    done = browser.get(ran.headers["location"]).text
    assert _counts(done)["created"] == "1"
    assert "Run the import" not in done
    assert _topics(session_factory) == ["Known", "One"]
    assert list(Path(settings.import_dir).iterdir()) == []  # the upload is gone once imported
    again = browser.post(f"{dry_url}/run")
    assert again.status_code == 409  # its file was imported and removed

    other = web_as(Role.SALESPERSON)
    assert other.get(dry_url).status_code == 404  # someone else's job


def test_bad_uploads_are_refused_on_the_form(web_as: Callable[..., Browser]) -> None:
    browser = web_as(Role.SALESPERSON)
    missing = browser.post("/imports/new", {"dry_run": "on"})
    assert missing.status_code == 422
    assert "choose a CSV or XLSX file" in missing.text
    status, page = _upload(browser, CSV, on_duplicate="sometimes")
    assert status == 422
    assert "one of skip, update, create" in page


def test_an_upload_without_the_csrf_token_is_refused_and_nothing_is_imported(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session]
) -> None:
    browser = web_as()
    response = browser.client.post(
        "/imports/new",
        files={"file": ("leads.csv", b"Topic,Email\nSneaky,sneaky@imp.example\n", "text/csv")},
        data={"dry_run": ""},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert _topics(session_factory) == []


def test_import_link_and_page_only_for_roles_that_may_import(
    web_as: Callable[..., Browser],
) -> None:
    seller = web_as(Role.SALESPERSON)
    assert 'href="/imports/new"' in seller.get("/leads").text
    viewer = web_as(Role.READ_ONLY)
    listing = viewer.get("/leads")
    assert listing.status_code == 200
    assert 'href="/imports/new"' not in listing.text
    assert "/leads/export.csv" in listing.text  # exporting stays allowed
    assert viewer.get("/imports/new").status_code == 403


def test_an_upload_by_a_role_that_may_not_import_is_refused_before_it_is_stored(
    web_as: Callable[..., Browser], session_factory: sessionmaker[Session], settings: Settings
) -> None:
    viewer = web_as(Role.READ_ONLY)
    status, page = _upload(viewer, CSV, dry_run="")
    assert status == 403
    assert "Your role may not import records" in page
    uploads = Path(settings.import_dir)
    assert not uploads.exists() or not any(uploads.iterdir())
    assert _topics(session_factory) == []
