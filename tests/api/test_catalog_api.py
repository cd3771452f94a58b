"""The catalog API: units, products and their lifecycle, price lists, discount lists."""

from __future__ import annotations

from leadgate.security.roles import Role
from tests.factories import Api
from tests.sales import catalog


def test_product_lifecycle_and_read_only_salespeople(admin: Api, api_as) -> None:  # type: ignore[no-untyped-def]
    cat = catalog(admin)
    url = f"/api/v1/products/{cat.product_id}"
    product = admin.get(url).json()
    assert product["state"] == "active"
    again = admin.post(f"{url}/activate")
    assert again.status_code == 409
    assert again.json()["allowed"] == ["retire"]
    assert admin.post(f"{url}/retire").json()["state"] == "retired"
    seller: Api = api_as(Role.SALESPERSON)
    assert seller.get(url).status_code == 200
    assert seller.post(f"{url}/reactivate").status_code == 403
    listed = seller.get("/api/v1/products", params={"state": "retired", "q": cat.product_number})
    assert [p["id"] for p in listed.json()["items"]] == [cat.product_id]


def test_product_input_is_checked(admin: Api) -> None:
    cat = catalog(admin)
    too_many = admin.post(
        "/api/v1/products", {"number": "X-1", "name": "X", "quantity_decimals": 6}
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "quantity_decimals"
    other = admin.create("/api/v1/unit-groups", {"name": "Weight", "primary_unit": "kg"})
    kg = admin.get(f"/api/v1/unit-groups/{other['id']}/units").json()[0]
    wrong_unit = admin.post(
        "/api/v1/products",
        {"number": "X-2", "name": "X", "unit_group_id": cat.group_id, "default_unit_id": kg["id"]},
    )
    assert wrong_unit.status_code == 422
    assert wrong_unit.json()["errors"][0]["field"] == "default_unit_id"
    duplicate = admin.post("/api/v1/products", {"number": cat.product_number, "name": "Y"})
    assert duplicate.status_code == 409


def test_price_list_item_needs_a_unit_of_the_products_group(admin: Api) -> None:
    cat = catalog(admin)
    other = admin.create("/api/v1/unit-groups", {"name": "Length", "primary_unit": "m"})
    metre = admin.get(f"/api/v1/unit-groups/{other['id']}/units").json()[0]
    items = f"/api/v1/price-lists/{cat.price_list_id}/items"
    before = admin.get(items).json()
    response = admin.post(
        items,
        {"product_id": cat.product_id, "unit_id": metre["id"], "method": "fixed_amount",
         "amount": "5"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "unit_id"
    assert admin.get(items).json() == before
    missing = admin.post(items, {"product_id": cat.product_id, "method": "markup_current_cost"})
    assert missing.status_code == 422


def test_discount_list_rows_must_not_overlap(admin: Api) -> None:
    ok = admin.create(
        "/api/v1/discount-lists",
        {"name": "Volume", "kind": "percent", "rows": [
            {"low_quantity": "10", "high_quantity": "49", "value": "5"},
            {"low_quantity": "50", "value": "10"},
        ]},
    )  # fmt: skip
    assert [r["value"] for r in ok["rows"]] == ["5.00", "10.00"]
    overlap = admin.post(
        "/api/v1/discount-lists",
        {"name": "Bad", "kind": "percent", "rows": [
            {"low_quantity": "1", "high_quantity": "10", "value": "5"},
            {"low_quantity": "10", "value": "10"},
        ]},
    )  # fmt: skip
    assert overlap.status_code == 422


def test_bundles_hold_products_in_their_units(admin: Api) -> None:
    cat = catalog(admin)
    bundle = admin.create(
        "/api/v1/products",
        {"number": f"B-{cat.product_number}", "name": "Starter kit", "kind": "bundle",
         "unit_group_id": cat.group_id, "default_unit_id": cat.each_id},
    )  # fmt: skip
    items = f"/api/v1/products/{bundle['id']}/bundle-items"
    added = admin.post(
        items, {"product_id": cat.product_id, "unit_id": cat.box_id, "quantity": "2"}
    )
    assert added.status_code == 201, added.text
    assert admin.post(items, {"product_id": bundle["id"], "quantity": "1"}).status_code == 422
    assert admin.post(items, {"product_id": cat.product_id, "quantity": "1"}).status_code == 409
    listed = admin.get(items).json()
    assert [(i["product_id"], i["unit_id"], i["required"]) for i in listed] == [
        (cat.product_id, cat.box_id, True)
    ]
    not_a_bundle = admin.post(
        f"/api/v1/products/{cat.product_id}/bundle-items",
        {"product_id": cat.product_id, "quantity": "1"},
    )
    assert not_a_bundle.status_code == 422
