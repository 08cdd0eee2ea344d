"""Pages for listing screening: the review queue ordered by score with reasons, and a listing's evidence
with the decision form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from bordermark.accounts import Principal
from bordermark.api import screen_ops
from bordermark.api.auth import get_store
from bordermark.api.errors import ApiError
from bordermark.web.common import back, check_csrf, dashboard_extensions, page_user, register_nav, render
from bordermark.web.evidence import highlight, hit_spans, listing_text

router = APIRouter(include_in_schema=False)
register_nav("Listing queue", "/queues/listings", lambda p: True)


def _tiles(request: Request, who: Principal) -> list[dict[str, object]]:
    open_alerts = screen_ops.queue(get_store(request), who, limit=500)
    return [{"label": "Open listing alerts", "value": len(open_alerts) if len(open_alerts) < 500 else "500+",
             "href": "/queues/listings", "alert": bool(open_alerts)}]


dashboard_extensions.append(_tiles)


@router.get("/queues/listings")
def listing_queue(request: Request, status: Annotated[str, Query(max_length=20)] = "open",
                  offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Response:
    user = page_user(request)
    alerts = screen_ops.queue(get_store(request), user[0], status=status, limit=50, offset=offset)
    return render(request, "listing_queue.html", user, alerts=alerts, state=status, offset=offset)


@router.get("/listings/{listing_id}")
def listing_page(request: Request, listing_id: Annotated[str, Path(max_length=200)]) -> Response:
    user = page_user(request)
    alert = screen_ops.get_alert(get_store(request), user[0], listing_id)
    text = listing_text(alert["listing"])
    return render(request, "listing.html", user, alert=alert, segments=highlight(text, hit_spans(alert["brand_hits"])),
                  can_decide=user[0].can_review)


@router.post("/listings/{listing_id}/decision")
def listing_decide(request: Request, listing_id: Annotated[str, Path(max_length=200)],
                   csrf_token: Annotated[str, Form(max_length=200)], decision: Annotated[str, Form(max_length=30)],
                   note: Annotated[str, Form(max_length=20000)] = "") -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    who: Principal = user[0]
    try:
        screen_ops.decide(get_store(request), who, listing_id, decision, note)
    except ApiError as exc:
        if exc.status in (403, 404):
            raise
        return back(f"/listings/{listing_id}", err=exc.reason)
    return back("/queues/listings", msg=f"decision '{decision}' recorded for listing {listing_id}")
