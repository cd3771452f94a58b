"""Re-importing a catalog file: products are matched by number, so a row whose number
exists is that product (skipped, updated, or refused on create), never a second one;
undo puts back what the re-import changed."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.models import AuditEvent
from tests.api.imports.test_catalog_opportunity_imports import report, upload
from tests.factories import Api

FIRST = (
    "Product ID,Name,Unit Group,List Price,Description\n"
    "W-1,Small widget,Weight,9.99,Original text\n"
    "W-2,Large widget,Weight,19.99,\n"
)
# W-1: new name and price, its description cell blank; W-3 is new.
SECOND = (
    "Product ID,Name,Unit Group,List Price,Description\n"
    "W-1,Small widget mk2,Weight,11.50,\n"
    "W-2,Large widget,Weight,19.99,\n"
    "W-3,Widget kit,Weight,30,\n"
)


def _products(api: Api) -> dict[str, dict[str, Any]]:
    items = api.get("/api/v1/products?limit=500").json()["items"]
    return {p["number"]: p for p in items}


def _first_import(admin: Api) -> dict[str, dict[str, Any]]:
    admin.create("/api/v1/unit-groups", {"name": "Weight", "primary_unit": "kg"})
    started = upload(admin, FIRST, "product")
    assert started.status_code == 202, started.text
    assert [r["outcome"] for r in report(admin, started.json()["id"])] == ["created"] * 2
    return _products(admin)


def test_reimport_with_update_updates_by_number_and_undo_restores(
    admin: Api, session_factory: sessionmaker[Session]
) -> None:
    before = _first_import(admin)
    started = upload(admin, SECOND, "product", on_duplicate="update")
    assert started.status_code == 202, started.text
    job = started.json()
    outcomes = report(admin, job["id"])
    assert [r["outcome"] for r in outcomes] == ["updated", "updated", "created"]
    assert outcomes[0]["record_id"] == before["W-1"]["id"]
    after = _products(admin)
    assert len(after) == 3
    small = after["W-1"]
    assert small["name"] == "Small widget mk2"
    assert Decimal(small["list_price"]) == Decimal("11.50")
    assert small["description"] == "Original text"  # a blank cell blanks nothing
    assert small["unit_group_id"] == before["W-1"]["unit_group_id"]
    assert small["default_unit_id"] == before["W-1"]["default_unit_id"]
    assert after["W-2"]["version"] == before["W-2"]["version"]  # nothing to change

    undone = admin.post(f"/api/v1/imports/{job['id']}/undo")
    assert undone.status_code == 200, undone.text
    restored = _products(admin)
    assert set(restored) == {"W-1", "W-2"}
    keep = ("name", "list_price", "description", "unit_group_id", "default_unit_id", "kind")
    for number in ("W-1", "W-2"):
        assert {k: restored[number][k] for k in keep} == {k: before[number][k] for k in keep}
    with session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.record_id == uuid.UUID(small["id"]))
            .order_by(AuditEvent.occurred_at)
        ).all()
    assert actions == ["create", "update", "import_undo"]


def test_reimport_skips_by_default_and_refuses_create(admin: Api) -> None:
    before = _first_import(admin)
    skipped = upload(admin, SECOND, "product")
    rows = report(admin, skipped.json()["id"])
    assert [r["outcome"] for r in rows] == ["skipped_duplicate", "skipped_duplicate", "created"]
    assert rows[0]["record_id"] == before["W-1"]["id"]
    assert "same number 'W-1'" in rows[0]["errors"]
    assert _products(admin)["W-1"]["name"] == "Small widget"

    created = upload(admin, SECOND, "product", on_duplicate="create")
    rows = report(admin, created.json()["id"])
    assert [r["outcome"] for r in rows] == ["failed"] * 3
    assert rows[0]["errors"].startswith("number: product 'W-1' already exists")
    assert "on-duplicate update or skip" in rows[0]["errors"]
    assert len(_products(admin)) == 3


def test_reimport_cannot_change_a_products_kind_or_break_its_units(admin: Api) -> None:
    _first_import(admin)
    text = (
        "Product ID,Name,Product Type,Unit\n"
        "W-1,Small widget,Product Family,\n"
        "W-2,Large widget,,tonne\n"
        "W-3,Brand new,,\n"
    )
    job = upload(admin, text, "product", on_duplicate="update").json()
    rows = report(admin, job["id"])
    assert [r["outcome"] for r in rows] == ["failed", "failed", "created"]
    assert rows[0]["errors"].startswith("kind: product 'W-1' is a product")
    # The unit is looked up in the product's own unit group.
    assert rows[1]["errors"].startswith("default_unit: no unit 'tonne'")


def test_after_undo_a_reimport_names_the_deleted_number(admin: Api) -> None:
    admin.create("/api/v1/unit-groups", {"name": "Weight", "primary_unit": "kg"})
    first = upload(admin, FIRST, "product").json()
    assert admin.post(f"/api/v1/imports/{first['id']}/undo").status_code == 200
    rows = report(admin, upload(admin, FIRST, "product").json()["id"])
    assert [r["outcome"] for r in rows] == ["failed", "failed"]
    assert (
        rows[0]["errors"] == "number: product 'W-1' was deleted; a deleted product keeps its number"
    )
