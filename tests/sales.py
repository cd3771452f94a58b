"""Builders for catalog and sales documents through the API (tests share them)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from tests.factories import Api

_seq = itertools.count(1)


@dataclass
class Catalog:
    group_id: str
    each_id: str
    box_id: str
    product_id: str
    price_list_id: str
    product_number: str


def catalog(api: Api, currency: str = "USD", *, decimals: int = 0) -> Catalog:
    """One unit group (each, box of 12), one active product listed at 100 with a
    price list item at 90 % of list in each, and a fixed 1000 per box."""
    n = next(_seq)
    group = api.create("/api/v1/unit-groups", {"name": f"Count {n}", "primary_unit": "each"})
    units = api.get(f"/api/v1/unit-groups/{group['id']}/units").json()
    each = units[0]
    box = api.create(f"/api/v1/unit-groups/{group['id']}/units", {"name": "box", "quantity": "12"})
    product = api.create(
        "/api/v1/products",
        {
            "number": f"P-{n}",
            "name": f"Widget {n}",
            "unit_group_id": group["id"],
            "default_unit_id": each["id"],
            "quantity_decimals": decimals,
            "list_price": "100",
            "standard_cost": "50",
            "current_cost": "60",
        },
    )
    assert api.post(f"/api/v1/products/{product['id']}/activate").status_code == 200
    price_list = api.create(
        "/api/v1/price-lists", {"name": f"Retail {n} {currency}", "currency": currency}
    )
    items = f"/api/v1/price-lists/{price_list['id']}/items"
    api.create(
        items, {"product_id": product["id"], "method": "percent_of_list", "percentage": "90"}
    )
    api.create(
        items,
        {"product_id": product["id"], "unit_id": box["id"], "method": "fixed_amount",
         "amount": "1000"},
    )  # fmt: skip
    return Catalog(
        group["id"], each["id"], box["id"], product["id"], price_list["id"], product["number"]
    )


def account(api: Api, name: str = "Globex") -> dict[str, Any]:
    return api.create("/api/v1/accounts", {"name": f"{name} {next(_seq)}", "city": "Springfield"})


def opportunity(api: Api, account_id: str, **extra: Any) -> dict[str, Any]:
    body = {"name": f"Deal {next(_seq)}", "account_id": account_id, **extra}
    return api.create("/api/v1/opportunities", body)


def quote(api: Api, cat: Catalog, account_id: str, **extra: Any) -> dict[str, Any]:
    body = {"name": "Offer", "account_id": account_id, "price_list_id": cat.price_list_id, **extra}
    return api.create("/api/v1/quotes", body)


def etag_of(api: Api, url: str) -> str:
    return api.get(url).headers["ETag"]
