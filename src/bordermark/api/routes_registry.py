"""``/api/v1`` registry routes: holders, marks and aliases, products and price bands, parties, guides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from bordermark.api import registry_ops as ops
from bordermark.api.auth import CurrentUser, get_store
from bordermark.api.fastjson import JSONRoute
from bordermark.api.schemas import (
    AliasIn,
    GuideIn,
    GuidePatch,
    MarkIn,
    MarkPatch,
    PartyIn,
    PartyPatch,
    ProductIn,
    ProductPatch,
)

router = APIRouter(tags=["registry"], route_class=JSONRoute)

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Filter = Annotated[str | None, Query(max_length=100)]
Id = Annotated[str, Path(max_length=64)]
IntId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/holders")
def list_holders(request: Request, who: CurrentUser) -> list[dict[str, Any]]:
    """Holders visible to the caller (a right holder sees only its own)."""
    with get_store(request).session() as s:
        return ops.list_holders(s, who)


@router.get("/holders/{holder_id}")
def get_holder(request: Request, who: CurrentUser, holder_id: Id) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.holder_json(ops.get_holder(s, who, holder_id))


@router.get("/marks")
def list_marks(request: Request, who: CurrentUser, holder_id: Filter = None, q: Filter = None,
               limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.list_marks(s, who, holder_id=holder_id, q=q, limit=limit, offset=offset)


@router.post("/marks", status_code=201)
def create_mark(request: Request, who: CurrentUser, body: MarkIn) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.create_mark(s, who, body)


@router.get("/marks/{mark_id}")
def get_mark(request: Request, who: CurrentUser, mark_id: Id) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.get_mark(s, who, mark_id)


@router.patch("/marks/{mark_id}")
def update_mark(request: Request, who: CurrentUser, mark_id: Id, body: MarkPatch) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.update_mark(s, who, mark_id, body)


@router.delete("/marks/{mark_id}", status_code=204)
def delete_mark(request: Request, who: CurrentUser, mark_id: Id) -> Response:
    with get_store(request).session() as s:
        ops.delete_mark(s, who, mark_id)
    return Response(status_code=204)


@router.post("/marks/{mark_id}/aliases", status_code=201)
def add_alias(request: Request, who: CurrentUser, mark_id: Id, body: AliasIn) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.add_alias(s, who, mark_id, body)


@router.delete("/marks/{mark_id}/aliases/{alias_id}")
def delete_alias(request: Request, who: CurrentUser, mark_id: Id, alias_id: IntId) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.delete_alias(s, who, mark_id, alias_id)


@router.get("/products")
def list_products(request: Request, who: CurrentUser, holder_id: Filter = None, mark_id: Filter = None,
                  q: Filter = None, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.list_products(s, who, holder_id=holder_id, mark_id=mark_id, q=q, limit=limit, offset=offset)


@router.post("/products", status_code=201)
def create_product(request: Request, who: CurrentUser, body: ProductIn) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.create_product(s, who, body)


@router.get("/products/{product_id}")
def get_product(request: Request, who: CurrentUser, product_id: Id) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.get_product(s, who, product_id)


@router.patch("/products/{product_id}")
def update_product(request: Request, who: CurrentUser, product_id: Id, body: ProductPatch) -> dict[str, Any]:
    """Change a product; ``price_bands`` replaces the whole list of genuine price bands."""
    with get_store(request).session() as s:
        return ops.update_product(s, who, product_id, body)


@router.delete("/products/{product_id}", status_code=204)
def delete_product(request: Request, who: CurrentUser, product_id: Id) -> Response:
    with get_store(request).session() as s:
        ops.delete_product(s, who, product_id)
    return Response(status_code=204)


@router.get("/parties")
def list_parties(request: Request, who: CurrentUser, holder_id: Filter = None, limit: Limit = 100,
                 offset: Offset = 0) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.list_parties(s, who, holder_id=holder_id, limit=limit, offset=offset)


@router.post("/parties", status_code=201)
def create_party(request: Request, who: CurrentUser, body: PartyIn) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.create_party(s, who, body)


@router.get("/parties/{party_id}")
def get_party(request: Request, who: CurrentUser, party_id: Id) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.get_party(s, who, party_id)


@router.patch("/parties/{party_id}")
def update_party(request: Request, who: CurrentUser, party_id: Id, body: PartyPatch) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.update_party(s, who, party_id, body)


@router.delete("/parties/{party_id}", status_code=204)
def delete_party(request: Request, who: CurrentUser, party_id: Id) -> Response:
    with get_store(request).session() as s:
        ops.delete_party(s, who, party_id)
    return Response(status_code=204)


@router.get("/guides")
def list_guides(request: Request, who: CurrentUser, holder_id: Filter = None,
                product_id: Filter = None) -> list[dict[str, Any]]:
    """Authentication guides (genuine features versus signs of a fake) for officers."""
    with get_store(request).session() as s:
        return ops.list_guides(s, who, holder_id=holder_id, product_id=product_id)


@router.post("/guides", status_code=201)
def create_guide(request: Request, who: CurrentUser, body: GuideIn) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.create_guide(s, who, body)


@router.get("/guides/{guide_id}")
def get_guide(request: Request, who: CurrentUser, guide_id: IntId) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.get_guide(s, who, guide_id)


@router.patch("/guides/{guide_id}")
def update_guide(request: Request, who: CurrentUser, guide_id: IntId, body: GuidePatch) -> dict[str, Any]:
    with get_store(request).session() as s:
        return ops.update_guide(s, who, guide_id, body)


@router.delete("/guides/{guide_id}", status_code=204)
def delete_guide(request: Request, who: CurrentUser, guide_id: IntId) -> Response:
    with get_store(request).session() as s:
        ops.delete_guide(s, who, guide_id)
    return Response(status_code=204)
