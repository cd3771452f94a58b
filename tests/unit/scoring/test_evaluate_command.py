"""`leadgate scoring evaluate` on generated CSV files (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadgate.cli.main import app
from leadgate.scoring.offline import prepare, read_csv
from tests.unit.scoring.synthetic import write_csv

runner = CliRunner()
REAL = Path("/work/shared/data/leads_x_education.csv")
LEAKY = (
    "Tags,Lead Quality,Lead Profile,Asymmetrique Activity Index,Asymmetrique Profile Index,"
    "Asymmetrique Activity Score,Asymmetrique Profile Score,Last Notable Activity,"
    "Prospect ID,Lead Number"
)


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["scoring", "evaluate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cv_json_report_on_a_comma_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "leads.csv", n=300)
    code, stdout, _ = run(
        str(path), "--target", "Outcome", "--positive", "won", "--folds", "2", "--json"
    )
    assert code == 0, stdout
    report = json.loads(stdout)
    for key in ("auc", "log_loss", "brier", "ece", "n_rows", "n_features", "model", "split"):
        assert key in report
    assert report["split"] == "cv"
    assert report["n_rows"] == 300
    assert report["auc"] > 0.7
    assert report["model"] in {"logistic_regression", "gradient_boosted_trees"}
    assert 0 <= report["ece"] < 0.2
    assert report["field_importance"][0]["field"] == "Source"
    # The e-mail column became its derived signal; ids and empty columns were skipped.
    assert "Email domain kind" in report["features"]
    assert "Email" not in report["features"]
    assert report["skipped_columns"] == {
        "Lead Id": "every value different (an identifier)",
        "Always empty": "all values missing",
    }
    assert set(report["plain_logistic_regression"]) == {"auc", "log_loss"}


def test_ordered_split_on_a_quoted_semicolon_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "leads.csv", n=300, delimiter=";", quote_all=True)
    code, stdout, _ = run(
        str(path),
        "--target",
        "Outcome",
        "--positive",
        "Won",
        "--exclude",
        "Region,Email",
        "--split",
        "ordered",
        "--json",
    )
    assert code == 0, stdout
    report = json.loads(stdout)
    assert report["split"] == "ordered"
    assert report["n_test"] == 60
    assert "Region" not in report["features"]
    assert "Email domain kind" not in report["features"]


def test_human_readable_report(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "leads.csv", n=200)
    code, stdout, _ = run(
        str(path), "--target", "Outcome", "--positive", "Won", "--split", "ordered"
    )
    assert code == 0, stdout
    assert "log_loss" in stdout
    assert "ready to publish" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "Nope", "--positive", "Won"], "no column 'Nope'"),
        (["--target", "Outcome", "--positive", "Maybe"], "'Maybe' does not occur in 'Outcome'"),
        (
            ["--target", "Outcome", "--positive", "Won", "--exclude", "Ghost"],
            "no such column: Ghost",
        ),
        (["--target", "Outcome", "--positive", "Won", "--split", "random"], "split"),
        (["--target", "Outcome", "--positive", "Won", "--folds", "1"], "folds"),
        (
            ["--target", "Outcome", "--positive", "Won", "--exclude", "Source,Visits,Region,Email"],
            "no usable field",
        ),
    ],
)
def test_bad_arguments_are_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    path = write_csv(tmp_path / "leads.csv", n=120)
    code, stdout, stderr = run(str(path), *args)
    assert code == 1
    assert message in " ".join(stderr.split()), stderr
    assert stdout == ""


def test_a_target_with_one_value_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("a,b,Outcome\n1,x,Won\n2,y,Won\n3,x,Won\n")
    code, _, stderr = run(str(path), "--target", "Outcome", "--positive", "Won")
    assert code == 1
    assert "single value" in stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text CSV"),
        (b"just one heading\nvalue\n", "does not look like a CSV"),
        (b"a,Outcome\n", "no rows"),
        (b"a,Outcome\n1,Won,extra\n", "line 2 has 3 cells"),
    ],
)
def test_files_that_are_not_csv_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, _, stderr = run(str(path), "--target", "Outcome", "--positive", "Won")
    assert code == 1
    assert message in stderr


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    code, _, stderr = run(str(tmp_path / "nope.csv"), "--target", "Outcome", "--positive", "Won")
    assert code == 1
    assert "cannot read" in stderr


@pytest.mark.skipif(not REAL.exists(), reason="shared data set not present")
def test_the_real_file_is_read_with_the_leaky_columns_left_out() -> None:
    table = read_csv(REAL)
    data = prepare(table, "Converted", "1", LEAKY.split(","))
    assert len(data.records) == 9240
    assert int(data.y.sum()) == 3561
    assert "Tags" not in data.fields
    assert "Lead Quality" not in data.fields
    assert "Total Time Spent on Website" in data.fields
    assert data.fields[-1] == "Field completeness"
