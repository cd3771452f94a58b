"""Product (catalog) and opportunity imports through the API: headers of other CRMs,
references by name, bad input refused naming the field."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from leadgate.core.settings import Settings
from leadgate.security.roles import Role
from tests.factories import Api, account_body, contact_body


def upload(api: Api, text: str, record_type: str, **form: Any) -> Any:
    return api.client.post(
        "/api/v1/imports",
        files={"file": (f"{record_type}.csv", text.encode("utf-8"), "text/csv")},
        data={"type": record_type, **form},
        headers={"Authorization": f"Bearer {api.token}"},
    )


def report(api: Api, job_id: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(api.get(f"/api/v1/imports/{job_id}/report").text)))


def test_salesforce_opportunities_find_their_account_and_contact(admin: Api) -> None:
    acme = admin.create("/api/v1/accounts", account_body(name="Acme Widgets Inc."))
    admin.create("/api/v1/accounts", account_body(name="Twin Corp"))
    admin.post("/api/v1/accounts?ignore_duplicates=true", account_body(name="Twin Corp."))
    grace = admin.create("/api/v1/contacts", contact_body(email="grace@navy.example"))
    text = (
        "Opportunity Name,Account Name,Contact,Amount,Close Date,Probability (%),Stage\n"
        'Fleet deal,ACME WIDGETS,grace@navy.example,"12,500.00",2027-03-31,40,Prospecting\n'
        "Lost cause,Nobody Ltd,,100,2027-01-01,10,Prospecting\n"
        "Twins,Twin Corp,,100,2027-01-01,10,Negotiation/Review\n"
        "No customer,,,100,2027-01-01,10,Prospecting\n"
    )
    started = upload(admin, text, "opportunity")
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["mapping"]["Account Name"] == "account"
    assert job["mapping"]["Stage"] == "sales_stage"
    outcomes = report(admin, job["id"])
    assert [r["outcome"] for r in outcomes] == ["created", "failed", "failed", "failed"]
    assert outcomes[1]["errors"].startswith("account: no account 'Nobody Ltd'")
    assert outcomes[2]["errors"].startswith("account: several accounts match 'Twin Corp'")
    assert "exactly one customer" in outcomes[3]["errors"]
    created = admin.get(f"/api/v1/opportunities/{outcomes[0]['record_id']}").json()
    assert created["account_id"] == acme["id"]
    assert created["contact_id"] == grace["id"]
    assert Decimal(created["estimated_value"]) == Decimal("12500")
    assert created["probability"] == 40
    assert created["sales_stage"] == "qualify"
    undone = admin.post(f"/api/v1/imports/{job['id']}/undo")
    assert undone.json()["state"] == "undone"
    assert admin.get(f"/api/v1/opportunities/{created['id']}").status_code == 404


def test_opportunity_file_without_a_customer_column_is_refused(admin: Api) -> None:
    refused = upload(admin, "Topic,Est. Revenue\nDeal,100\n", "opportunity")
    assert refused.status_code == 422
    fields = [e["field"] for e in refused.json()["errors"]]
    assert fields == ["mapping.account"]
    assert "account or customer_contact" in refused.json()["errors"][0]["message"]


def test_odoo_products_with_unit_group_and_family(admin: Api) -> None:
    group = admin.create("/api/v1/unit-groups", {"name": "Weight", "primary_unit": "kg"})
    admin.create("/api/v1/products", {"number": "FAM-1", "name": "Coffee", "kind": "family"})
    text = (
        "Internal Reference,Name,Product Category,Unit of Measure Group,Sales Price,Cost\n"
        'P-100,Espresso beans,Coffee,weight,"1.234,50",7.10\n'
        "P-101,Filter beans,FAM-1,Weight,12,6\n"
        "P-100,Same number again,,,5,1\n"
        "P-102,No such family,Tea,,5,1\n"
        ",No number,,,5,1\n"
    )
    started = upload(admin, text, "product")
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["mapping"] == {
        "Internal Reference": "number", "Name": "name", "Product Category": "parent",
        "Unit of Measure Group": "unit_group", "Sales Price": "list_price",
        "Cost": "standard_cost",
    }  # fmt: skip
    outcomes = report(admin, job["id"])
    assert [r["outcome"] for r in outcomes] == [
        "created", "created", "skipped_duplicate", "failed", "failed",
    ]  # fmt: skip
    # The same number again is that product (skipped: on_duplicate is skip by default).
    assert outcomes[2]["record_id"] == outcomes[0]["record_id"]
    assert "same number 'P-100'" in outcomes[2]["errors"]
    assert outcomes[3]["errors"].startswith("parent: no product family 'Tea'")
    assert outcomes[4]["errors"].startswith("number:")
    beans = admin.get(f"/api/v1/products/{outcomes[0]['record_id']}").json()
    assert beans["unit_group_id"] == group["id"]
    assert beans["default_unit_id"] is not None  # the group's primary unit
    assert Decimal(beans["list_price"]) == Decimal("1234.5")
    assert beans["state"] == "draft"
    undone = admin.post(f"/api/v1/imports/{job['id']}/undo")
    assert undone.json()["state"] == "undone"
    assert admin.get(f"/api/v1/products/{beans['id']}").status_code == 404


def test_product_file_without_a_number_column_is_refused(admin: Api) -> None:
    refused = upload(admin, "Name,Price\nBeans,3\n", "product")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["mapping.number"]


def test_salespeople_cannot_import_products(api_as: Any, settings: Settings) -> None:
    """Refused as a whole at upload (one 403), not row by row; nothing is stored."""
    seller = api_as(Role.SALESPERSON)
    started = upload(seller, "Product Code,Product Name\nX-1,Thing\n", "product")
    assert started.status_code == 403, started.text
    assert started.headers["content-type"].startswith("application/problem+json")
    problem = started.json()
    assert problem["code"] == "forbidden"
    assert problem["detail"] == "your role may not import products: it may not create them"
    uploads = Path(settings.import_dir)
    assert not uploads.exists() or not any(uploads.iterdir())
    assert seller.get("/api/v1/job-runs").json()["items"] == []
    # Records the role may create still import.
    assert upload(seller, "Topic\nDeal\n", "lead").status_code == 202


def test_a_read_only_user_cannot_import_anything(api_as: Any) -> None:
    viewer = api_as(Role.READ_ONLY)
    refused = upload(viewer, "Topic\nDeal\n", "lead")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "your role may not import records"
