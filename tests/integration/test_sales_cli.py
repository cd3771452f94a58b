"""The sales CLI end to end on a file database: catalog, quote, order, invoice, PDF,
and bad input as one clear line with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadgate.cli.main import app
from leadgate.core.settings import get_settings


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LEADGATE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LEADGATE_ENV", "development")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(
        app,
        ["user", "create", "admin@cli.example", "--role", "system_administrator",
         "--password-stdin"],
        input="correct horse battery staple\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    yield runner  # type: ignore[misc]
    get_settings.cache_clear()


def _run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_quote_to_paid_invoice_from_the_cli(cli: CliRunner, tmp_path: Path) -> None:
    _run(cli, "catalog", "add-product", "W-1", "Widget", "--list-price", "100")
    _run(cli, "catalog", "add-price-list", "Retail")
    _run(cli, "catalog", "set-price", "Retail", "W-1", "--percent-of-list", "90")
    from leadgate.accounts.schemas import AccountCreate
    from leadgate.accounts.service import create_account
    from leadgate.cli.context import cli_actor, session_scope

    with session_scope() as session:
        account = create_account(session, cli_actor(session, None), AccountCreate(name="Globex"))
    quote_id = _run(
        cli, "quotes", "create", "--account", str(account.id), "--name", "Offer",
        "--price-list", "Retail",
    ).split()[2]  # fmt: skip
    assert "quote total 270.00 USD" in _run(
        cli, "quotes", "add-line", quote_id, "3", "--product", "W-1"
    )
    refused = cli.invoke(app, ["quotes", "add-line", quote_id, "1.5", "--product", "W-1"])
    assert refused.exit_code == 1
    assert "quantity: this product allows 0 decimal(s)" in refused.output
    _run(cli, "quotes", "activate", quote_id)
    order_id = _run(cli, "quotes", "create-order", quote_id).split()[2]
    assert "fulfilled (complete)" in _run(cli, "orders", "fulfill", order_id)
    invoice_id = _run(cli, "orders", "create-invoice", order_id).split()[2]
    assert "paid (partial)" in _run(cli, "invoices", "mark-paid", invoice_id, "--partial")
    pdf = tmp_path / "invoice.pdf"
    _run(cli, "invoices", "pdf", invoice_id, "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    listed = _run(cli, "invoices", "list")
    assert "270.00 USD" in listed
    canceled = cli.invoke(app, ["orders", "cancel", order_id])
    assert canceled.exit_code == 1
    assert "cannot cancel an order that is invoiced" in canceled.output
