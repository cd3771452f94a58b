"""`leadgate processes …`: define flows, move a record's process, stage reports."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy.orm import Session

from leadgate.cli.context import cli_actor, fail, one_line_errors, out, session_scope
from leadgate.core.errors import FieldProblem, NotFound, ValidationFailed
from leadgate.processes import flows, instances, reports
from leadgate.processes.instances import Run
from leadgate.processes.models import ProcessFlow
from leadgate.processes.records import MODELS
from leadgate.processes.schemas import FlowCreate, FlowUpdate
from leadgate.processes.states import FlowStatus
from leadgate.processes.views import instance_view
from leadgate.security.access import load

app = typer.Typer(help="Business process flows", no_args_is_help=True)

AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (default: first administrator)")
]
LeadOpt = Annotated[uuid.UUID | None, typer.Option("--lead", help="the lead's id")]
OpportunityOpt = Annotated[
    uuid.UUID | None, typer.Option("--opportunity", help="the opportunity's id")
]


def _read_json(path: Path, schema: type[FlowCreate] | type[FlowUpdate]) -> FlowCreate | FlowUpdate:
    try:
        return schema.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
            for e in exc.errors()
        ]
        raise ValidationFailed(f"{path} is not a valid flow", errors=problems) from exc


def _record(lead: uuid.UUID | None, opportunity: uuid.UUID | None) -> tuple[str, uuid.UUID]:
    if (lead is None) == (opportunity is None):
        fail("name exactly one of --lead or --opportunity", 2)
    return ("lead", lead) if lead is not None else ("opportunity", opportunity)  # type: ignore[return-value]


def _print_run(session: Session, run: Run) -> None:
    view = instance_view(session, run)
    out.print(
        f"[bold]{view.flow_name}[/bold] v{view.flow_version} · {view.state} · "
        f"instance {view.id} (version {view.version})"
    )
    marks = {"done": "✓", "active": "▶", "ahead": "·", "off_path": " "}
    out.print("  ".join(f"{marks[s.status]} {s.name}" for s in view.stages))
    for step in view.steps:
        flag = "required" if step.required else "optional"
        out.print(f"  [{'x' if step.filled else ' '}] {step.label} ({step.field}, {flag})")
    out.print(f"allowed: {', '.join(view.allowed)}")


@app.command("flows")
@one_line_errors
def list_flows(
    as_user: AsUser = None,
    record_type: Annotated[str | None, typer.Option(help="lead or opportunity")] = None,
    status: Annotated[FlowStatus | None, typer.Option(help="draft, active, retired")] = None,
) -> None:
    """List flows in their order."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        table = Table("id", "name", "type", "order", "status", "version", "stages", "roles")
        for flow in flows.list_flows(session, actor, record_type, status):
            table.add_row(
                str(flow.id),
                flow.name,
                flow.primary_record_type,
                str(flow.sort_order),
                flow.status,
                str(flow.flow_version),
                " → ".join(stage["name"] for stage in flow.stages),
                ", ".join(flow.roles or ["all"]),
            )
        out.print(table)


@app.command("show")
@one_line_errors
def show_flow(flow_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Print a flow's definition as JSON (the shape `create` and `update` read)."""
    with session_scope() as session:
        flow = load(session, cli_actor(session, as_user), ProcessFlow, flow_id)
        body = {
            "name": flow.name,
            "primary_record_type": flow.primary_record_type,
            "sort_order": flow.sort_order,
            "roles": flow.roles,
            "stages": flow.stages,
        }
        print(json.dumps(body, indent=2))


@app.command("create")
@one_line_errors
def create_flow(
    definition: Annotated[Path, typer.Argument(help="JSON file: name, primary_record_type, …")],
    as_user: AsUser = None,
    activate: Annotated[bool, typer.Option(help="activate it at once")] = False,
) -> None:
    """Create a flow (draft) from a JSON definition; every problem is listed."""
    data = _read_json(definition, FlowCreate)
    assert isinstance(data, FlowCreate)
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        flow = flows.create_flow(session, actor, data)
        if activate:
            flows.activate(session, actor, flow.id)
        out.print(f"flow {flow.id} created ({flow.status})")


@app.command("update")
@one_line_errors
def update_flow(flow_id: uuid.UUID, definition: Path, as_user: AsUser = None) -> None:
    """Edit a flow; an active flow gets a new version, running instances keep theirs."""
    data = _read_json(definition, FlowUpdate)
    assert isinstance(data, FlowUpdate)
    with session_scope() as session:
        flow = flows.update_flow(session, cli_actor(session, as_user), flow_id, data, None)
        out.print(f"flow {flow.id} saved (version {flow.flow_version}, {flow.status})")


@app.command("activate")
@one_line_errors
def activate_flow(flow_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Activate a draft flow."""
    with session_scope() as session:
        flows.activate(session, cli_actor(session, as_user), flow_id)
        out.print(f"flow {flow_id} active")


@app.command("deactivate")
@one_line_errors
def deactivate_flow(flow_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Return an active flow to draft (running instances go on)."""
    with session_scope() as session:
        flows.deactivate(session, cli_actor(session, as_user), flow_id)
        out.print(f"flow {flow_id} is a draft again")


@app.command("status")
@one_line_errors
def status(
    lead: LeadOpt = None, opportunity: OpportunityOpt = None, as_user: AsUser = None
) -> None:
    """Show a record's process: stages, the active one, its steps, allowed moves."""
    record_type, record_id = _record(lead, opportunity)
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        load(session, actor, MODELS[record_type], record_id)
        instance = instances.current_instance(session, record_type, record_id)
        if instance is None:
            raise NotFound(f"{record_type} {record_id} runs no process")
        _print_run(session, instances.load_run(session, actor, instance.id))


def _mover(name: str, help_text: str) -> None:
    action = getattr(instances, name)

    @one_line_errors
    def command(instance_id: uuid.UUID, as_user: AsUser = None) -> None:
        with session_scope() as session:
            run = action(session, cli_actor(session, as_user), instance_id, None)
            _print_run(session, run)

    command.__doc__ = help_text
    app.command(name.replace("_", "-").removesuffix("-stage"))(command)


_mover("next_stage", "Move to the next stage (refused while a required step is empty).")
_mover("previous_stage", "Go back one stage.")
_mover("finish", "Finish the process on its last stage.")
_mover("abandon", "Abandon the process.")
_mover("reactivate", "Reactivate a finished or abandoned process.")


@app.command("switch")
@one_line_errors
def switch(
    flow_id: Annotated[uuid.UUID, typer.Option("--flow", help="the flow to run")],
    lead: LeadOpt = None,
    opportunity: OpportunityOpt = None,
    as_user: AsUser = None,
) -> None:
    """Run another flow on a record; the old instance keeps its stage."""
    record_type, record_id = _record(lead, opportunity)
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        _print_run(session, instances.switch_flow(session, actor, record_type, record_id, flow_id))


@app.command("time-in-stage")
@one_line_errors
def time_in_stage(
    flow: Annotated[uuid.UUID | None, typer.Option(help="flow family id")] = None,
    by_owner: Annotated[bool, typer.Option(help="one row per owner")] = False,
    as_user: AsUser = None,
) -> None:
    """Median and p90 time in each stage (completed stays)."""
    with session_scope() as session:
        rows = reports.time_in_stage(
            session, cli_actor(session, as_user), flow_family_id=flow, by_owner=by_owner
        )
        table = Table("flow", "stage", "owner", "visits", "median (h)", "p90 (h)")
        for row in rows:
            table.add_row(
                row.flow_name,
                row.stage_key,
                str(row.owner_id or ""),
                str(row.visits),
                f"{row.median_seconds / 3600:.1f}",
                f"{row.p90_seconds / 3600:.1f}",
            )
        out.print(table)


@app.command("conversion")
@one_line_errors
def conversion(
    flow: Annotated[uuid.UUID | None, typer.Option(help="flow family id")] = None,
    as_user: AsUser = None,
) -> None:
    """Per stage: entered, moved on, finished, dropped out."""
    with session_scope() as session:
        rows = reports.conversion(session, cli_actor(session, as_user), flow_family_id=flow)
        table = Table(
            "flow", "stage", "entered", "advanced", "finished", "dropped", "conv.", "drop"
        )
        for row in rows:
            table.add_row(
                row.flow_name,
                row.stage_key,
                str(row.entered),
                str(row.advanced),
                str(row.finished),
                str(row.dropped),
                f"{row.conversion_rate:.0%}",
                f"{row.drop_out_rate:.0%}",
            )
        out.print(table)
