"""`leadgate import --type product|opportunity` end to end on a SQLite file."""

from __future__ import annotations

import csv
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from leadgate.accounts.schemas import AccountCreate
from leadgate.accounts.service import create_account
from leadgate.catalog.models import Product
from leadgate.cli.main import app
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.imports.models import ImportJob
from leadgate.jobs.models import JobRun
from leadgate.opportunities.models import Opportunity
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.service import actor_for_user
from tests.factories import make_user

runner = CliRunner()


@pytest.fixture
def database(database: str) -> str:
    """The folder's CLI database with the account the opportunities name."""
    engine = make_engine(database)
    with make_session_factory(engine)() as session, session.begin():
        admin = session.scalars(select(User)).one()
        create_account(session, actor_for_user(admin, "cli"), AccountCreate(name="Globex GmbH"))
    engine.dispose()
    return database


def _import_opportunities(path: Path, text: str) -> tuple[Any, list[dict[str, str]]]:
    """`leadgate import` of `text` as opportunities, and the rows of its report."""
    path.write_text(text, encoding="utf-8")
    report = path.with_name(f"{path.stem}-report.csv")
    result = runner.invoke(
        app, ["import", str(path), "--type", "opportunity", "--report", str(report)]
    )
    # No report when the import itself failed: the caller's exit-code check says why.
    written = report.read_text(encoding="utf-8") if report.exists() else ""
    return result, list(csv.DictReader(written.splitlines()))


def test_dynamics_opportunities_and_products(database: str, tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    result, rows = _import_opportunities(
        deals,
        "Topic;Potential Customer;Est. Revenue;Est. Close Date;Forecast Category\n"
        "Big order;Globex;1.500,00;31.03.2027;Best Case\n"
        "Orphan;Initech;10;01.01.2027;Pipeline\n",
    )
    assert result.exit_code == 0, result.output
    assert "1 created" in " ".join(result.output.split())
    assert [r["outcome"] for r in rows] == ["created", "failed"]
    assert rows[1]["errors"].startswith("account: no account 'Initech'")
    # The same file again: its deal is matched by name and customer, not duplicated.
    again = runner.invoke(app, ["import", str(deals), "--type", "opportunity"])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 1 skipped as duplicates, 1 failed" in " ".join(
        again.output.split()
    )

    catalog = tmp_path / "products.csv"
    catalog.write_text(
        "Product ID,Name,Product Structure,List Price\n"
        "F-1,Widgets,Product Family,\n"
        "W-1,Small widget,Product,9.99\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(catalog), "--type", "product"])
    assert result.exit_code == 0, result.output
    assert "2 created" in " ".join(result.output.split())

    # The supplier's next catalog: same numbers, a new price; updated, never duplicated.
    catalog.write_text(
        "Product ID,Name,Product Structure,List Price\n"
        "F-1,Widgets,Product Family,\n"
        "W-1,Small widget,Product,10.49\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["import", str(catalog), "--type", "product", "--on-duplicate", "update"]
    )
    assert result.exit_code == 0, result.output
    assert "0 created, 2 updated" in " ".join(result.output.split())
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        prices = session.execute(select(Product.number, Product.list_price)).all()
    engine.dispose()
    assert sorted(prices) == [("F-1", None), ("W-1", Decimal("10.49"))]


def test_closed_deals_import_closed(database: str, tmp_path: Path) -> None:
    result, rows = _import_opportunities(
        tmp_path / "closed.csv",
        "Opportunity Name,Account Name,Amount,Close Date,Stage,Status\n"
        "Signed,Globex,900,2026-05-04,Closed Won,\n"
        "Muddled,Globex,900,2026-05-04,Closed Won,Open\n",
    )
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 skipped as duplicates, 1 failed" in " ".join(
        result.output.split()
    )
    assert (
        rows[1]["errors"] == "sales_stage: 'won' means a won opportunity but state 'open' says open"
    )
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        deal = session.get_one(Opportunity, uuid.UUID(rows[0]["record_id"]))
        assert (deal.state, deal.actual_value, deal.actual_close_date) == (
            "won", Decimal("900"), date(2026, 5, 4),
        )  # fmt: skip
    engine.dispose()


def test_bad_files_fail_with_one_line(database: str, tmp_path: Path) -> None:
    no_customer = tmp_path / "deals.csv"
    no_customer.write_text("Opportunity Name,Amount\nDeal,10\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(no_customer), "--type", "opportunity"])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "account or customer_contact" in lines[0]

    no_number = tmp_path / "products.csv"
    no_number.write_text("Name,Price\nThing,1\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(no_number), "--type", "product"])
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1
    assert "number" in result.output

    unknown = runner.invoke(app, ["import", str(no_number), "--type", "invoice"])
    assert unknown.exit_code != 0
    assert "product, opportunity" in " ".join(unknown.output.split())


def test_a_role_that_may_not_create_products_is_refused_before_any_row(
    database: str, tmp_path: Path
) -> None:
    engine = make_engine(database)
    with make_session_factory(engine)() as session, session.begin():
        make_user(session, Role.SALESPERSON, "seller@cli.example")
    catalog = tmp_path / "products.csv"
    catalog.write_text("Product ID,Name\nW-1,Widget\nW-2,Gadget\n", encoding="utf-8")
    result = runner.invoke(
        app, ["import", str(catalog), "--type", "product", "--as", "seller@cli.example"]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == ["error: your role may not import products: it may not create them"]
    with make_session_factory(engine)() as session:
        assert session.scalars(select(ImportJob)).all() == []
        assert session.scalars(select(JobRun)).all() == []
    engine.dispose()
