"""The import, export, purge and duplicates commands end to end on a SQLite file."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from leadgate.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # Rich wraps long lines


def test_import_scan_export_purge_undo(database: str, tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "Lead Number,Subject,First Name,Last Name,Company,Email\n"
        "L1,Seats,Ada,Lovelace,Engines Ltd,ada@engines.example\n"
        "L2,Seats,Ada,Lovelace,Engines Ltd,ada@other.example\n"
        "L3,Seats,Grace,Hopper,Navy,grace@navy.example\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.csv"
    output = invoke(
        "import", str(source), "--type", "lead", "--vendor", "v", "--report", str(report),
        "--on-duplicate", "create",
    )  # fmt: skip
    assert "3 created" in output
    job_id = output.split()[1].rstrip(":")
    assert [r["outcome"] for r in csv.DictReader(report.read_text().splitlines())] == [
        "created"
    ] * 3

    pairs = tmp_path / "pairs.csv"
    invoke("duplicates", "scan", "--type", "lead", "--out", str(pairs))
    (pair,) = list(csv.DictReader(pairs.read_text().splitlines()))
    assert {pair["external_key_a"], pair["external_key_b"]} == {"L1", "L2"}
    assert pair["rule"] == "Leads with the same company and a similar name"

    exported = tmp_path / "out.csv"
    assert "3 leads written" in invoke("export", "--type", "lead", "--out", str(exported),
                                       "--filter", "list_vendor=v")  # fmt: skip
    assert "3 leads of v never responded" in invoke("lists", "purge", "--vendor", "v")
    assert "undone" in invoke("import", "undo", job_id)
    assert "0 leads of v" in invoke("lists", "purge", "--vendor", "v")


def test_bad_input_gives_one_line_errors(database: str, tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_text("Email\na@x.example\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(source), "--type", "lead"])
    assert result.exit_code == 1
    assert "no column is mapped to topic" in " ".join(result.output.split())
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
