"""`leadgate imports cleanup`, `leadgate duplicates scan --store` and `duplicates groups`
end to end on a SQLite file."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from leadgate.cli.main import app
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.dedup.models import DuplicateGroup
from leadgate.imports.models import ImportJob
from leadgate.security.roles import Role
from tests.factories import make_user

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _aged(path: Path, days: float) -> Path:
    path.write_text("Topic\nx\n", encoding="utf-8")
    then = time.time() - days * 86400
    os.utime(path, (then, then))
    return path


def test_cleanup_deletes_old_leftovers_but_not_a_running_import(
    database: str, tmp_path: Path
) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    old = _aged(uploads / "old-dry-run.csv", 10)
    recent = _aged(uploads / "recent.csv", 1)
    running = _aged(uploads / "running.csv", 10)
    engine = make_engine(database)
    with make_session_factory(engine)() as session, session.begin():
        user, _ = make_user(session, Role.SALES_MANAGER)
        session.add(
            ImportJob(record_type="lead", file_name="running.csv", file_path=str(running),
                      state="running", owner_id=user.id, mapping={}, on_duplicate="skip")
        )  # fmt: skip
    engine.dispose()
    assert "1 uploaded files deleted" in invoke("imports", "cleanup", "--older-than", "7")
    assert sorted(p.name for p in uploads.iterdir()) == ["recent.csv", "running.csv"]
    assert not old.exists()
    assert "1 uploaded files deleted" in invoke("imports", "cleanup", "--older-than", "0")
    assert not recent.exists()
    assert running.exists()


def test_cleanup_refuses_a_negative_age(database: str) -> None:
    result = runner.invoke(app, ["imports", "cleanup", "--older-than", "-1"])
    assert result.exit_code != 0


def test_scan_store_then_list_and_dismiss_groups(database: str, tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "Subject,First Name,Last Name,Company,Email\n"
        "Seats,Ada,Lovelace,Engines Ltd,ada@engines.example\n"
        "Seats,Ada,Lovelace,Engines Ltd,ada@other.example\n"
        "Seats,Grace,Hopper,Navy,grace@navy.example\n",
        encoding="utf-8",
    )
    invoke("import", str(source), "--type", "lead", "--on-duplicate", "create")
    assert "1 lead duplicate groups stored" in invoke(
        "duplicates", "scan", "--type", "lead", "--store"
    )
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        group_id = str(session.scalars(select(DuplicateGroup.id)).one())
    engine.dispose()
    listed = runner.invoke(app, ["duplicates", "groups", "list", "--type", "lead"])
    assert listed.exit_code == 0, listed.output
    assert "Lovelace" in listed.output
    assert group_id[:8] in listed.output
    assert "dismissed" in invoke("duplicates", "groups", "dismiss", group_id)
    again = runner.invoke(app, ["duplicates", "groups", "dismiss", group_id])
    assert again.exit_code != 0
    assert len(again.output.strip().splitlines()) == 1
    assert "0 lead duplicate groups stored" in invoke(
        "duplicates", "scan", "--type", "lead", "--store"
    )
    missing = runner.invoke(app, ["duplicates", "scan", "--type", "lead"])
    assert missing.exit_code == 2
