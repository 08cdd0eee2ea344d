"""``/api/v1`` declarations and parcels: screen (single or batch), the inspection queues, inspection outcomes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bordermark.api import records_ops as ops
from bordermark.api.auth import CurrentUser, get_store
from bordermark.api.errors import invalid
from bordermark.api.fastjson import JSONRoute
from bordermark.api.schemas import Long
from bordermark.domain import Declaration, Parcel

router = APIRouter(tags=["declarations and parcels"], route_class=JSONRoute)
Kind = Annotated[Literal["declarations", "parcels"], Path()]
RecordId = Annotated[str, Path(max_length=200)]


class DeclarationsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declarations: list[Declaration] = Field(min_length=1, max_length=1000)
    record: bool = True
    explore: float = Field(default=0.05, ge=0, le=1)


class ParcelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parcels: list[Parcel] = Field(min_length=1, max_length=5000)
    record: bool = True
    explore: float = Field(default=0.05, ge=0, le=1)


class InspectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["clear", "violation", "counterfeit"]
    note: Long = ""


def _check(records: list[Declaration] | list[Parcel]) -> None:
    for r in records:
        if len(r.id) > 200:
            raise invalid(f"record id {r.id[:40]!r}...: at most 200 characters")
        if "\x00" in r.model_dump_json():
            raise invalid(f"record {r.id[:50]!r}: NUL characters are not allowed")


def _model(request: Request) -> Any:
    return getattr(request.app.state, "targeting_model", None)


@router.post("/screen/declarations")
def screen_declarations(request: Request, who: CurrentUser, body: DeclarationsIn) -> list[dict[str, Any]]:
    """IPR rules (and the targeting model when one is configured) on 1 to 1000 declarations."""
    _check(body.declarations)
    return ops.screen_records(get_store(request), request.app.state.rule_cache, who, "declarations",
                              body.declarations, record=body.record, explore=body.explore, model=_model(request))


@router.post("/screen/parcels")
def screen_parcels(request: Request, who: CurrentUser, body: ParcelsIn) -> list[dict[str, Any]]:
    """IPR rules and split-shipment detection (within the batch) on 1 to 5000 parcels."""
    _check(body.parcels)
    return ops.screen_records(get_store(request), request.app.state.rule_cache, who, "parcels", body.parcels,
                              record=body.record, explore=body.explore)


@router.get("/queues/{kind}")
def inspection_queue(request: Request, who: CurrentUser, kind: Kind,
                     status: Annotated[str, Query(max_length=20)] = "open",
                     limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict[str, Any]:
    """Declarations or parcels selected for inspection (targeted or random), highest score first."""
    return ops.queue(get_store(request), who, kind, status=status, limit=limit, offset=offset)


@router.get("/records/{kind}/{record_id}")
def get_record(request: Request, who: CurrentUser, kind: Kind, record_id: RecordId) -> dict[str, Any]:
    return ops.get_record(get_store(request), who, kind, record_id)


@router.post("/records/{kind}/{record_id}/inspection", status_code=201)
def record_inspection(request: Request, who: CurrentUser, kind: Kind, record_id: RecordId,
                      body: InspectionIn) -> dict[str, Any]:
    """Record the outcome of a physical inspection (clear, violation, counterfeit)."""
    return ops.inspect(get_store(request), who, kind, record_id, body.outcome, body.note)
