"""`leadgate duplicates` — rules, scan, merge and unmerge."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from leadgate.cli.context import cli_actor, fail, one_line_errors, out, session_scope
from leadgate.dedup import groups as dup_groups
from leadgate.dedup import merge as merging
from leadgate.dedup import rules
from leadgate.dedup.scan import groups_of, scan, write_pairs_file
from leadgate.dedup.schemas import MergeRequest, RuleCreate

app = typer.Typer(help="Duplicate rules, scans and merges", no_args_is_help=True)
rules_app = typer.Typer(help="Duplicate rules", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
groups_app = typer.Typer(help="Stored duplicate groups (review)", no_args_is_help=True)
app.add_typer(groups_app, name="groups")

AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (default: first administrator)")
]


@rules_app.command("add")
@one_line_errors
def rules_add(
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False, help="rule JSON")],
    as_user: AsUser = None,
) -> None:
    """Add a rule (unpublished) from a JSON file."""
    try:
        data = RuleCreate.model_validate(json.loads(file.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        fail(f"{file}: {exc}")
    with session_scope() as session:
        rule = rules.add_rule(session, cli_actor(session, as_user), data)
        out.print(f"rule {rule.id} added (unpublished): {rule.name}")


@rules_app.command("list")
@one_line_errors
def rules_list(as_user: AsUser = None) -> None:
    """List rules."""
    with session_scope() as session:
        table = Table("id", "name", "base", "match", "published", "criteria")
        for r in rules.list_rules(session, cli_actor(session, as_user)):
            criteria = "; ".join(
                f"{c['field']} {c['operator']} {c['match_field']}" for c in r.criteria
            )
            table.add_row(
                str(r.id), r.name, r.base_type, r.match_type, "yes" if r.published else "", criteria
            )
        out.print(table)


@rules_app.command("publish")
@one_line_errors
def rules_publish(rule_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Publish a rule (at most 5 per base type) and index existing records."""
    with session_scope() as session:
        rule = rules.publish_rule(session, cli_actor(session, as_user), rule_id)
        out.print(f"rule {rule.id} published")


@rules_app.command("unpublish")
@one_line_errors
def rules_unpublish(rule_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Unpublish a rule."""
    with session_scope() as session:
        rule = rules.unpublish_rule(session, cli_actor(session, as_user), rule_id)
        out.print(f"rule {rule.id} unpublished")


@app.command("reindex")
@one_line_errors
def reindex(as_user: AsUser = None) -> None:
    """Rebuild the match keys of every published rule (after loading data by other means)."""
    with session_scope() as session:
        count = rules.reindex_all(session, cli_actor(session, as_user))
        out.print(f"{count} record keys rebuilt")


@app.command("scan")
@one_line_errors
def scan_command(
    type_: Annotated[str, typer.Option("--type", help="lead, contact or account")],
    out_file: Annotated[Path | None, typer.Option("--out", help="CSV of matched pairs")] = None,
    store: Annotated[
        bool, typer.Option("--store", help="store the groups for review (replaces open ones)")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Write every matched pair (id_a, id_b, external_key_a, external_key_b, rule, score)
    with --out, and/or store the duplicate groups for review with --store."""
    if type_ not in ("lead", "contact", "account"):
        fail("--type must be lead, contact or account", 2)
    if out_file is None and not store:
        fail("give --out FILE, --store or both", 2)
    if store:
        with session_scope() as session:
            stored = dup_groups.store_scan(session, cli_actor(session, as_user), type_)
        out.print(f"{stored} {type_} duplicate groups stored for review")
    if out_file is None:
        return
    with (
        session_scope() as session,
        Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as bar,
    ):
        task = bar.add_task("scanning key groups", total=None)
        result = scan(
            session,
            cli_actor(session, as_user),
            type_,
            progress=lambda n: bar.update(task, description=f"{n} key groups scored"),
        )
    write_pairs_file(result.pairs, out_file)
    out.print(
        f"{len(result.pairs)} pairs in {len(groups_of(result.pairs))} groups written to {out_file}"
    )
    if result.oversized_groups:
        out.print(f"[yellow]{result.oversized_groups} very large key groups were capped[/yellow]")


@groups_app.command("list")
@one_line_errors
def groups_list(
    type_: Annotated[str, typer.Option("--type", help="lead, contact or account")] = "lead",
    status: Annotated[str, typer.Option(help="open, merged or dismissed")] = "open",
    limit: Annotated[int, typer.Option(help="at most this many groups")] = 50,
    as_user: AsUser = None,
) -> None:
    """Stored duplicate groups, best score first."""
    with session_scope() as session:
        page = dup_groups.list_groups(
            session, cli_actor(session, as_user), type_, status, limit=limit
        )
        table = Table("group", "score", "rule", "records")
        for view in page.items:
            names = "; ".join(f"{m.name} ({m.id})" for m in view.members)
            table.add_row(str(view.group.id), f"{view.group.score:.2f}", view.group.rule, names)
        out.print(table)
        if page.next_cursor:
            out.print(f"[dim]more than {limit} groups; raise --limit to see more[/dim]")


@groups_app.command("dismiss")
@one_line_errors
def groups_dismiss(group_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Not duplicates: the group leaves the review list and is not proposed again."""
    with session_scope() as session:
        dup_groups.dismiss_group(session, cli_actor(session, as_user), group_id)
        out.print(f"duplicate group {group_id} dismissed")


@app.command("merge")
@one_line_errors
def merge_command(
    master_id: uuid.UUID,
    other_id: uuid.UUID,
    prefer: Annotated[
        str | None, typer.Option(help="fields taken from the other record: other:email,phone")
    ] = None,
    no_fill_blanks: Annotated[
        bool, typer.Option("--no-fill-blanks", help="keep the master's empty fields empty")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Merge OTHER_ID into MASTER_ID (children move to the master)."""
    fields: list[str] = []
    if prefer:
        side, _, names = prefer.partition(":")
        if side != "other" or not names:
            fail("--prefer takes other:field,field…", 2)
        fields = [n.strip() for n in names.split(",") if n.strip()]
    with session_scope() as session:
        record_type = merging.record_type_of(session, master_id)
        request = MergeRequest(
            record_type=record_type,
            master_id=master_id,
            other_id=other_id,
            prefer_other=fields,
            fill_blanks=not no_fill_blanks,
        )
        done = merging.merge(session, cli_actor(session, as_user), request)
        out.print(
            f"merged {record_type} {other_id} into {master_id}: merge {done.id}, "
            f"{len(done.moved)} links moved"
        )


@app.command("unmerge")
@one_line_errors
def unmerge_command(merge_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Undo a merge."""
    with session_scope() as session:
        done = merging.undo_merge(session, cli_actor(session, as_user), merge_id)
        out.print(f"merge {done.id} undone")
