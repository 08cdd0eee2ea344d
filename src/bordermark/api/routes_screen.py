"""``/api/v1`` listing screening: screen one or many listings, the review queue, alerts, decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bordermark.api import screen_ops as ops
from bordermark.api.auth import CurrentUser, get_store
from bordermark.api.fastjson import JSONRoute
from bordermark.api.schemas import Long
from bordermark.domain import Listing

router = APIRouter(tags=["screening"], route_class=JSONRoute)
ListingId = Annotated[str, Path(max_length=200)]


class ScreenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    listings: list[Listing] = Field(min_length=1, max_length=1000)
    record: bool = True


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["counterfeit", "genuine", "parallel_import", "not_sure"]
    note: Long = ""


@router.post("/screen/listings")
def screen_listings(request: Request, who: CurrentUser, body: ScreenIn) -> list[dict[str, Any]]:
    """Screen a batch of listings (1 to 1000); with ``record`` the raised ones enter the review queue."""
    for listing in body.listings:
        ops_check_nul(listing)
    return ops.screen(get_store(request), who, list(body.listings), body.record)


def ops_check_nul(listing: Listing) -> None:
    from bordermark.api.errors import invalid

    if "\x00" in listing.model_dump_json():
        raise invalid(f"listing {listing.id[:50]!r}: NUL characters are not allowed")
    if len(listing.id) > 200:
        raise invalid("listing id: at most 200 characters")


@router.get("/alerts")
def list_alerts(request: Request, who: CurrentUser,
                status: Annotated[str, Query(max_length=20)] = "open",
                platform: Annotated[str | None, Query(max_length=100)] = None,
                verdict: Annotated[str | None, Query(max_length=40)] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 50,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> list[dict[str, Any]]:
    """The listing review queue, highest score first, with reasons."""
    return ops.queue(get_store(request), who, status=status, platform=platform, verdict=verdict, limit=limit,
                     offset=offset)


@router.get("/alerts/{listing_id}")
def get_alert(request: Request, who: CurrentUser, listing_id: ListingId) -> dict[str, Any]:
    return ops.get_alert(get_store(request), who, listing_id)


@router.post("/alerts/{listing_id}/decision", status_code=201)
def decide(request: Request, who: CurrentUser, listing_id: ListingId, body: DecisionIn) -> dict[str, Any]:
    """Record a review decision (counterfeit, genuine, parallel_import, not_sure) with a note."""
    return ops.decide(get_store(request), who, listing_id, body.decision, body.note)
