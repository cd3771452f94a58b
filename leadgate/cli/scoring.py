"""`leadgate scoring …` — evaluate the scoring procedure offline; train, publish, rescore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leadgate.cli.context import err, one_line_errors, out

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
