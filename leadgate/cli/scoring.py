"""`leadgate scoring …` — evaluate the scoring procedure offline; train, publish, rescore."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from leadgate.cli.context import cli_actor, err, fail, one_line_errors, out, session_scope
from leadgate.core.errors import DomainError, ValidationFailed

scoring_app = typer.Typer(help="Predictive lead scoring", no_args_is_help=True)


@scoring_app.command("evaluate")
@one_line_errors
def evaluate(
    file: Annotated[Path, typer.Argument(help="CSV file of leads (, or ; separated)")],
    target: Annotated[str, typer.Option(help="the column holding the outcome")],
    positive: Annotated[str, typer.Option(help="the target value that means converted")],
    exclude: Annotated[
        str, typer.Option(help="columns to leave out, comma-separated (leaky or ids)")
    ] = "",
    split: Annotated[str, typer.Option(help="cv (stratified k-fold) or ordered (80/20)")] = "cv",
    folds: Annotated[int, typer.Option(help="folds of the cv split")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Measure the product's scoring procedure on a CSV file, without a database."""
    from leadgate.scoring.offline import evaluate_file

    excluded = [c.strip() for c in exclude.split(",") if c.strip()]

    def progress(message: str) -> None:
        if not as_json:
            err.print(f"[dim]{message}[/dim]", highlight=False)

    report = evaluate_file(
        file, target, positive, exclude=excluded, split=split, folds=folds, progress=progress
    )
    if as_json:
        print(json.dumps(report, sort_keys=False))
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    split = report["split"] + (f", {report['folds']} folds" if report["folds"] else " 80/20")
    out.print(
        f"{report['n_rows']} rows, {report['n_features']} fields, split {split}; "
        f"model {report['model']}"
    )
    table = Table("figure", "value")
    for key in ("auc", "log_loss", "brier", "ece", "accuracy", "precision", "recall", "f1"):
        table.add_row(key, f"{report[key]:.4f}")
    table.add_row("threshold (max F1)", f"{report['threshold']:.4f}")
    plain = report["plain_logistic_regression"]
    table.add_row("plain logistic AUC", f"{plain['auc']:.4f}")
    table.add_row("plain logistic log loss", f"{plain['log_loss']:.4f}")
    out.print(table)
    cm = report["confusion_matrix"]
    out.print(f"confusion matrix: tp {cm['tp']}  fp {cm['fp']}  fn {cm['fn']}  tn {cm['tn']}")
    rel = Table("predicted", "leads", "mean predicted", "observed")
    for row in report["reliability"]:
        if row["count"]:
            rel.add_row(
                f"{row['low']:.1f}-{row['high']:.1f}",
                str(row["count"]),
                f"{row['mean_predicted']:.3f}",
                f"{row['observed_rate']:.3f}",
            )
    out.print(rel)
    imp = Table("field", "AUC drop when shuffled", "share")
    for row in report["field_importance"][:15]:
        imp.add_row(row["field"], f"{row['auc_drop']:.4f}", f"{row['share']:.1%}")
    out.print(imp)
    for name, why in report["skipped_columns"].items():
        out.print(f"[yellow]skipped[/yellow] {name}: {why}")
    verdict = "ready to publish" if report["ready_to_publish"] else "NOT ready to publish"
    out.print(f"{verdict} (needs AUC ≥ 0.70)")


AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (default: first administrator)")
]


@scoring_app.command("models")
@one_line_errors
def models(as_user: AsUser = None) -> None:
    """List scoring models and their versions."""
    from leadgate.scoring import service

    with session_scope() as session:
        actor = cli_actor(session, as_user)
        table = Table("name", "fields", "filter", "window", "versions", "published")
        for model in service.list_models(session, actor):
            published = model.published
            table.add_row(
                model.name,
                str(len(model.fields)),
                json.dumps(model.filter) if model.filter else "all leads",
                f"{model.training_months} months",
                str(len(model.versions)),
                f"v{published.number} (AUC {published.metrics.get('auc')})" if published else "-",
            )
        out.print(table)


@scoring_app.command("create")
@one_line_errors
def create(
    name: str,
    fields: Annotated[str | None, typer.Option(help="field codes, comma-separated")] = None,
    filter_: Annotated[
        list[str] | None, typer.Option("--filter", help="lead field=value (repeatable)")
    ] = None,
    months: Annotated[int, typer.Option(help="training window, 3 to 24 months")] = 24,
    as_user: AsUser = None,
) -> None:
    """Define a scoring model (default fields unless --fields)."""
    from leadgate.scoring import service
    from leadgate.scoring.schemas import ScoringModelCreate

    values: dict[str, Any] = {"name": name, "training_months": months}
    if fields:
        values["fields"] = [f.strip() for f in fields.split(",") if f.strip()]
    if filter_:
        pairs = [item.partition("=") for item in filter_]
        if any(not sep for _, sep, _ in pairs):
            raise ValidationFailed.on("filter", "write each filter as field=value")
        values["filter"] = {k.strip(): v.strip() for k, _, v in pairs}
    data = validated(ScoringModelCreate, values)
    with session_scope() as session:
        model = service.create_model(session, cli_actor(session, as_user), data)
        out.print(f"created scoring model {model.name} ({model.id})")


@scoring_app.command("train")
@one_line_errors
def train(
    model: Annotated[str | None, typer.Argument(help="model name or id")] = None,
    all_models: Annotated[bool, typer.Option("--all", help="retrain every model (cron)")] = False,
    publish: Annotated[bool, typer.Option(help="publish the new version when it is ready")] = False,
    background: Annotated[
        bool, typer.Option("--background", help="queue a job run per model for `leadgate worker`")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Train a new version of a model (or of all models) on closed leads."""
    from leadgate.scoring import service

    if (model is None) == (not all_models):
        fail("name one model or pass --all", 2)
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        found = (
            service.list_models(session, actor)
            if all_models
            else [service.find_model(session, actor, model or "")]
        )
        targets = [(m.id, m.name) for m in found]
    if background:
        _queue_training(targets, publish, as_user)
        return
    for target_id, name in targets:
        # One transaction per model: a model short of closed leads does not undo the others.
        try:
            with session_scope() as session:
                actor = cli_actor(session, as_user)
                version = service.train(session, actor, target_id)
                figures = version.metrics
                verdict = "ready" if version.ready_to_publish else "not ready"
                out.print(
                    f"{name}: version {version.number} ({version.family}), "
                    f"AUC {figures['auc']}, log loss {figures['log_loss']}, "
                    f"ECE {figures['ece']}: {verdict} to publish"
                )
                if publish and version.ready_to_publish:
                    service.publish(session, actor, version.id)
                    out.print(f"{name}: version {version.number} published")
        except DomainError as exc:
            if not all_models:
                raise
            err.print(f"[yellow]{name}[/yellow]: {exc.detail}", highlight=False)


def _queue_training(
    targets: list[tuple[uuid.UUID, str]], publish: bool, as_user: str | None
) -> None:
    from leadgate.cli.jobs import job_queue
    from leadgate.jobs.requests import request_training

    with session_scope() as session:
        actor = cli_actor(session, as_user)
        queued = [
            (request_training(session, actor, target_id, publish=publish).id, name)
            for target_id, name in targets
        ]
    with job_queue() as (queue, _):
        for run_id, name in queued:
            queue.enqueue(run_id)
            out.print(f"{name}: training queued as job run {run_id} (leadgate jobs show {run_id})")


@scoring_app.command("publish")
@one_line_errors
def publish(
    model: Annotated[str, typer.Argument(help="model name or id")],
    number: Annotated[int, typer.Argument(help="version number")],
    as_user: AsUser = None,
) -> None:
    """Publish a version: it scores the model's open leads at once."""
    from leadgate.scoring import service

    with session_scope() as session:
        actor = cli_actor(session, as_user)
        found = service.find_model(session, actor, model)
        version = next((v for v in found.versions if v.number == number), None)
        if version is None:
            raise ValidationFailed.on("number", f"{found.name} has no version {number}")
        service.publish(session, actor, version.id)
        out.print(f"{found.name}: version {number} published")


@scoring_app.command("revert")
@one_line_errors
def revert(
    model: Annotated[str, typer.Argument(help="model name or id")], as_user: AsUser = None
) -> None:
    """Publish again the version published before the current one."""
    from leadgate.scoring import service

    with session_scope() as session:
        actor = cli_actor(session, as_user)
        found = service.find_model(session, actor, model)
        version = service.revert(session, actor, found.id)
        out.print(f"{found.name}: back to version {version.number}")


@scoring_app.command("rescore")
@one_line_errors
def rescore(
    model: Annotated[str | None, typer.Argument(help="model name or id (default: all)")] = None,
    as_user: AsUser = None,
) -> None:
    """Rescore every open lead in scope of the published models (cron)."""
    from leadgate.scoring import service

    with session_scope() as session:
        actor = cli_actor(session, as_user)
        model_id = service.find_model(session, actor, model).id if model else None
        count = service.rescore(session, actor, model_id)
        out.print(f"{count} leads scored")


def validated(schema: type[Any], values: dict[str, Any]) -> Any:
    try:
        return schema(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValidationFailed.on(str(first["loc"][0]), str(first["msg"])) from exc
