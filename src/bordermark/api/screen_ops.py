"""Listing alerts and review decisions on behalf of a principal, over ``bordermark.screen.service``.

Right holders see the alerts that concern their own marks (read only); officers, supervisors, analysts and
administrators see and decide all of them. The screening itself is the screen service's; this module adds only
the scope and the HTTP-facing errors.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bordermark.accounts import Principal
from bordermark.api.errors import ApiError, forbidden, invalid, not_found
from bordermark.screen import service
from bordermark.store import Store
from bordermark.store.registry_tables import MarkRow, PriceBandRow, ProductRow
from bordermark.store.screen_tables import AlertRow


def _holder_marks(store: Store, who: Principal) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(MarkRow.id).where(MarkRow.holder_id.in_(sorted(who.holder_ids)))))


def alert_visible(store: Store, who: Principal, alert: dict[str, Any]) -> bool:
    if not who.is_holder:
        return True
    mark_ids = {alert.get("mark_id")} | {h.get("mark_id") for h in alert.get("brand_hits") or ()}
    mark_ids.discard(None)
    if not mark_ids:
        return False
    with store.session() as s:
        holders = set(s.scalars(select(MarkRow.holder_id).where(MarkRow.id.in_(sorted(mark_ids)))))
    # every hit must be the holder's own: a listing naming two brands must not reveal the other holder's hit
    return bool(holders) and holders <= who.holder_ids


def queue(store: Store, who: Principal, *, status: str = "open", platform: str | None = None,
          verdict: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    if status not in {"open", "decided", "suppressed"}:
        raise invalid("status must be open, decided or suppressed")
    if not who.is_holder:
        return service.queue(store, limit=limit, offset=offset, platform=platform, verdict=verdict, status=status)
    marks = _holder_marks(store, who)
    stmt = select(AlertRow.listing_id).where(AlertRow.status == status, AlertRow.mark_id.in_(marks))
    if platform:
        stmt = stmt.where(AlertRow.platform == platform)
    if verdict:
        stmt = stmt.where(AlertRow.verdict == verdict)
    stmt = stmt.order_by(AlertRow.score.desc(), AlertRow.listing_id).offset(offset).limit(limit)
    with store.session() as s:
        ids = list(s.scalars(stmt))
    alerts = [service.get_alert(store, i) for i in ids]
    return [a for a in alerts if alert_visible(store, who, a)]


def genuine_bands(store: Store, mark_id: str | None) -> list[dict[str, Any]]:
    """The genuine price bands of the mark's products, shown next to the listing's price."""
    if not mark_id:
        return []
    with store.session() as s:
        rows = s.execute(select(ProductRow.name, PriceBandRow).join(PriceBandRow,
                                                                    PriceBandRow.product_id == ProductRow.id)
                         .where(ProductRow.mark_id == mark_id).order_by(ProductRow.name, PriceBandRow.market))
        return [{"product": name, "market": b.market, "currency": b.currency, "low": format(b.low.normalize(), "f"),
                 "high": format(b.high.normalize(), "f")} for name, b in rows]


def get_alert(store: Store, who: Principal, listing_id: str) -> dict[str, Any]:
    try:
        alert = service.get_alert(store, listing_id)
    except service.ScreeningError:
        raise not_found("listing alert", listing_id) from None
    if not alert_visible(store, who, alert):
        raise not_found("listing alert", listing_id)
    with store.session() as s:
        row = s.get(AlertRow, listing_id)
        listing = dict(row.listing) if row else {}
    return {**alert, "listing": listing, "genuine_price_bands": genuine_bands(store, alert.get("mark_id"))}


def decide(store: Store, who: Principal, listing_id: str, decision: str, note: str) -> dict[str, Any]:
    get_alert(store, who, listing_id)  # 404 when not visible
    if not who.can_review:
        raise forbidden(f"role {who.role.value} may not record review decisions")
    try:
        return service.record_decision(store, listing_id, decision, actor=who.username, note=note)
    except service.ScreeningError as exc:
        raise invalid(str(exc)) from None


def screen(store: Store, who: Principal, listings: list[Any], record: bool) -> list[dict[str, Any]]:
    if not who.can_screen:
        raise forbidden(f"role {who.role.value} may not screen listings")
    try:
        results = service.screen_batch(store, listings, record=record)
    except ImportError as exc:  # the detection engine is not installed in this checkout
        raise ApiError(503, f"screening is unavailable: {exc}") from None
    return [r.to_row() | {"mark_id": r.mark_id} for r in results]
