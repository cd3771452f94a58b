"""`leadgate processes …` on a scratch SQLite database: define, activate, run, report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadgate.cli.context import out
from leadgate.cli.main import app
from leadgate.core.settings import get_settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.processes.instances import current_instance
from leadgate.security.roles import Role
from leadgate.wiring import wire
from tests.factories import actor, lead_body

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LEADGATE_DATABASE_URL", url)
    # Tables wider than the test runner's default 80 columns stay on one line.
    monkeypatch.setattr(out, "width", 240)
    get_settings.cache_clear()
    wire()
    upgrade(url)
    yield url
    get_settings.cache_clear()


def test_define_activate_and_move_from_the_command_line(database: str, tmp_path: Path) -> None:
    engine = make_engine(database)
    with make_session_factory(engine)() as session, session.begin():
        admin = actor(session, Role.SYSTEM_ADMINISTRATOR)
        lead = create_lead(session, admin, LeadCreate.model_validate(lead_body()))
        lead_id = lead.id
    definition = tmp_path / "flow.json"
    definition.write_text(
        json.dumps(
            {
                "name": "Phone first",
                "primary_record_type": "lead",
                "stages": [
                    {"key": "call", "name": "Call", "record_type": "lead"},
                    {"key": "meet", "name": "Meet", "record_type": "lead"},
                ],
            }
        )
    )
    created = runner.invoke(app, ["processes", "create", str(definition), "--activate"])
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["processes", "flows", "--record-type", "lead"])
    assert "Phone first" in listed.output
    assert "Lead to Opportunity" in listed.output

    status = runner.invoke(app, ["processes", "status", "--lead", str(lead_id)])
    assert status.exit_code == 0, status.output
    assert "Lead to Opportunity" in status.output
    assert "Identify need (need, required)" in status.output
    with make_session_factory(engine)() as session:
        instance = current_instance(session, "lead", lead_id)
        assert instance is not None
        instance_id = instance.id
    refused = runner.invoke(app, ["processes", "next", str(instance_id)])
    assert refused.exit_code == 1
    assert "required steps are empty (Identify need)" in refused.output

    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps(
            {
                "name": "Broken",
                "primary_record_type": "lead",
                "stages": [{"key": "a", "name": "A", "record_type": "lead", "next": "zzz"}],
            }
        )
    )
    bad = runner.invoke(app, ["processes", "create", str(broken)])
    assert bad.exit_code == 1
    assert "no stage 'zzz'" in bad.output
    engine.dispose()
