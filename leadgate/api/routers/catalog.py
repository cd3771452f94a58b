"""/api/v1 catalog: unit-groups (+ units), products (+ activate / retire / reactivate,
bundle items), price-lists (+ items), discount-lists."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from leadgate.api.deps import ActorDep, IfMatch, IfMatchRequired, ListDep, SessionDep, etag
from leadgate.api.responses import PageOut, page_response, record_response
from leadgate.catalog import queries, service
from leadgate.catalog.models import DiscountList, PriceList, Product, UnitGroup
from leadgate.catalog.schemas import (
    BundleItemCreate,
    BundleItemRead,
    DiscountListCreate,
    DiscountListRead,
    DiscountRowRead,
    PriceListCreate,
    PriceListItemCreate,
    PriceListItemRead,
    PriceListRead,
    PriceListUpdate,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    UnitCreate,
    UnitGroupCreate,
    UnitGroupRead,
    UnitGroupUpdate,
    UnitRead,
)
from leadgate.catalog.states import ProductKind, ProductState
from leadgate.core.fields import Currency
from leadgate.leads.schemas import EmptyAction
from leadgate.security.access import load

router = APIRouter(tags=["catalog"])


# --- unit groups ---------------------------------------------------------------------


@router.get("/unit-groups", response_model=PageOut[UnitGroupRead])
def list_unit_groups(session: SessionDep, actor: ActorDep, params: ListDep) -> dict[str, Any]:
    with session.begin():
        page = queries.list_unit_groups(
            session, actor, q=params.q, cursor=params.cursor, limit=params.limit
        )
        return page_response(UnitGroupRead, page)


@router.post("/unit-groups", status_code=201, response_model=UnitGroupRead)
def create_unit_group(data: UnitGroupCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        group = service.create_unit_group(session, actor, data)
        return record_response(UnitGroupRead, group, 201, f"/api/v1/unit-groups/{group.id}")


@router.get("/unit-groups/{group_id}", response_model=UnitGroupRead)
def get_unit_group(group_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(UnitGroupRead, load(session, actor, UnitGroup, group_id))


@router.patch("/unit-groups/{group_id}", response_model=UnitGroupRead)
def update_unit_group(
    group_id: uuid.UUID, data: UnitGroupUpdate, session: SessionDep, actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        group = service.update_unit_group(session, actor, group_id, data, version)
        return record_response(UnitGroupRead, group)


@router.get("/unit-groups/{group_id}/units", response_model=list[UnitRead])
def list_units(group_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> list[UnitRead]:
    with session.begin():
        return [UnitRead.model_validate(u) for u in service.units_of(session, actor, group_id)]


@router.post("/unit-groups/{group_id}/units", status_code=201, response_model=UnitRead)
def add_unit(
    group_id: uuid.UUID, data: UnitCreate, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        return record_response(UnitRead, service.add_unit(session, actor, group_id, data), 201)


# --- products ------------------------------------------------------------------------


@router.get("/products", response_model=PageOut[ProductRead])
def list_products(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    state: ProductState | None = None,
    kind: ProductKind | None = None,
    parent_id: uuid.UUID | None = None,
    unit_group_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    filters = {"state": state, "kind": kind, "parent_id": parent_id, "unit_group_id": unit_group_id}
    with session.begin():
        page = queries.list_products(
            session, actor, filters=filters, q=params.q, sort=params.sort,
            cursor=params.cursor, limit=params.limit,
        )  # fmt: skip
        return page_response(ProductRead, page)


@router.post("/products", status_code=201, response_model=ProductRead)
def create_product(data: ProductCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        product = service.create_product(session, actor, data)
        return record_response(ProductRead, product, 201, f"/api/v1/products/{product.id}")


@router.get("/products/{product_id}", response_model=ProductRead)
def get_product(product_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(ProductRead, load(session, actor, Product, product_id))


@router.patch("/products/{product_id}", response_model=ProductRead)
def update_product(
    product_id: uuid.UUID, data: ProductUpdate, session: SessionDep, actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        product = service.update_product(session, actor, product_id, data, version)
        return record_response(ProductRead, product)


def _product_action(name: str) -> None:
    @router.post(f"/products/{{product_id}}/{name}", response_model=ProductRead,
                 name=f"product_{name}", summary=f"{name.capitalize()} a product")  # fmt: skip
    def action(
        product_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatch,
        _data: EmptyAction | None = None,
    ) -> JSONResponse:  # fmt: skip
        with session.begin():
            product = service.transition_product(session, actor, product_id, name, version)
            return record_response(ProductRead, product)


for _name in ("activate", "retire", "reactivate"):
    _product_action(_name)


@router.get("/products/{product_id}/bundle-items", response_model=list[BundleItemRead])
def list_bundle_items(
    product_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> list[BundleItemRead]:
    with session.begin():
        items = service.bundle_items(session, actor, product_id)
        return [BundleItemRead.model_validate(i) for i in items]


@router.post("/products/{product_id}/bundle-items", status_code=201, response_model=BundleItemRead)
def add_bundle_item(
    product_id: uuid.UUID, data: BundleItemCreate, session: SessionDep, actor: ActorDep
) -> BundleItemRead:
    with session.begin():
        item = service.add_bundle_item(session, actor, product_id, data)
        return BundleItemRead.model_validate(item)


# --- discount lists ------------------------------------------------------------------


def _discount_read(session: Any, discount_list: DiscountList) -> JSONResponse:
    body = DiscountListRead.model_validate(discount_list)
    body.rows = [
        DiscountRowRead.model_validate(r) for r in service.discount_rows(session, discount_list.id)
    ]
    headers = {"ETag": etag(discount_list.version)}
    return JSONResponse(body.model_dump(mode="json"), headers=headers)


@router.get("/discount-lists", response_model=PageOut[DiscountListRead])
def list_discount_lists(session: SessionDep, actor: ActorDep, params: ListDep) -> dict[str, Any]:
    with session.begin():
        page = queries.list_discount_lists(
            session, actor, q=params.q, cursor=params.cursor, limit=params.limit
        )
        return page_response(DiscountListRead, page)


@router.post("/discount-lists", status_code=201, response_model=DiscountListRead)
def create_discount_list(
    data: DiscountListCreate, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        response = _discount_read(session, service.create_discount_list(session, actor, data))
        response.status_code = 201
        return response


@router.get("/discount-lists/{discount_list_id}", response_model=DiscountListRead)
def get_discount_list(
    discount_list_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        return _discount_read(session, load(session, actor, DiscountList, discount_list_id))


# --- price lists ---------------------------------------------------------------------


@router.get("/price-lists", response_model=PageOut[PriceListRead])
def list_price_lists(
    session: SessionDep, actor: ActorDep, params: ListDep, currency: Currency | None = None
) -> dict[str, Any]:
    with session.begin():
        page = queries.list_price_lists(
            session, actor, currency=currency, q=params.q, sort=params.sort,
            cursor=params.cursor, limit=params.limit,
        )  # fmt: skip
        return page_response(PriceListRead, page)


@router.post("/price-lists", status_code=201, response_model=PriceListRead)
def create_price_list(data: PriceListCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        price_list = service.create_price_list(session, actor, data)
        return record_response(
            PriceListRead, price_list, 201, f"/api/v1/price-lists/{price_list.id}"
        )


@router.get("/price-lists/{price_list_id}", response_model=PriceListRead)
def get_price_list(price_list_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(PriceListRead, load(session, actor, PriceList, price_list_id))


@router.patch("/price-lists/{price_list_id}", response_model=PriceListRead)
def update_price_list(
    price_list_id: uuid.UUID, data: PriceListUpdate, session: SessionDep, actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:  # fmt: skip
    with session.begin():
        price_list = service.update_price_list(session, actor, price_list_id, data, version)
        return record_response(PriceListRead, price_list)


@router.get("/price-lists/{price_list_id}/items", response_model=list[PriceListItemRead])
def list_price_list_items(
    price_list_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> list[PriceListItemRead]:
    with session.begin():
        items = service.price_list_items(session, actor, price_list_id)
        return [PriceListItemRead.model_validate(i) for i in items]


@router.post(
    "/price-lists/{price_list_id}/items", status_code=201, response_model=PriceListItemRead
)
def add_price_list_item(
    price_list_id: uuid.UUID, data: PriceListItemCreate, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        item = service.add_price_list_item(session, actor, price_list_id, data)
        return record_response(PriceListItemRead, item, 201)


@router.delete("/price-list-items/{item_id}", status_code=204)
def remove_price_list_item(
    item_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatchRequired
) -> Response:
    with session.begin():
        service.remove_price_list_item(session, actor, item_id, version)
    return Response(status_code=204)
