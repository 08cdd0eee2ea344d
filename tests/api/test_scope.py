"""A right holder can never see or change another holder's data, through ANY API endpoint.

The test walks every route of the app (``iter_routes``), so a new endpoint cannot escape: a route with a path
parameter or a body this test does not know fails the test until someone says how to aim it at holder B.
"""

from __future__ import annotations

import re
from typing import Any

from bordermark.api.app import iter_routes
from bordermark.api.testing import PASSWORD

# Routes about the caller itself: they may succeed, but must still not leak holder B's data.
# Path parameters that pick a collection rather than an object of holder B.
COLLECTION_PARAMS = {"kind", "name", "fmt"}
SELF_ROUTES = {"POST /api/v1/auth/token", "POST /api/v1/tokens", "GET /api/v1/me", "GET /api/v1/tokens"}


def b_params(live: Any, b_token_id: int) -> dict[str, Any]:
    sd = live.seeded
    params: dict[str, Any] = {
        "holder_id": sd.holders["B"], "mark_id": sd.marks["B"], "product_id": sd.products["B"],
        "party_id": sd.parties["B"], "guide_id": sd.guides["B"], "alias_id": sd.aliases["B"],
        "token_id": b_token_id,
    }
    if "alerts" in sd.extra:
        params["listing_id"] = sd.extra["alerts"]["B"]
    if "cases" in sd.extra:
        params["case_id"] = sd.extra["cases"]["B"]
    params.update(kind="parcels", name="hit_rates", fmt="svg")
    params["record_id"] = sd.extra["parcels"]["B"]
    params.update(sd.extra.get("b_params", {}))
    return params


def bodies(live: Any) -> dict[str, Any]:
    """A valid body for every route that takes one, aimed at holder B where it names a holder."""
    sd = live.seeded
    out: dict[str, Any] = {
        "POST /api/v1/auth/token": {"username": "holder_a", "password": PASSWORD},
        "POST /api/v1/tokens": {"name": "mine"},
        "POST /api/v1/users": {"username": "intruder", "password": "x" * 12, "role": "admin"},
        "POST /api/v1/marks": {"holder_id": sd.holders["B"], "text": "HIJACK"},
        "PATCH /api/v1/marks/{mark_id}": {"famous": False, "nice_classes": [1]},
        "POST /api/v1/marks/{mark_id}/aliases": {"text": "hijack"},
        "POST /api/v1/products": {"mark_id": sd.marks["B"], "name": "Hijack"},
        "PATCH /api/v1/products/{product_id}": {"category": "hijack"},
        "POST /api/v1/parties": {"holder_id": sd.holders["B"], "role": "distributor", "name": "Hijack"},
        "PATCH /api/v1/parties/{party_id}": {"contacts": ["hijack"]},
        "POST /api/v1/guides": {"holder_id": sd.holders["B"], "title": "Hijack"},
        "PATCH /api/v1/guides/{guide_id}": {"title": "Hijack"},
        "POST /api/v1/alerts/{listing_id}/decision": {"decision": "genuine", "note": "hijack"},
        "POST /api/v1/screen/listings": {"listings": [{"id": "x1", "title": "BRAVOTIME watch"}]},
        "POST /api/v1/screen/declarations": {"declarations": [{"id": "D-x", "declared_at": "2026-11-01T00:00:00Z",
                                                               "items": []}]},
        "POST /api/v1/screen/parcels": {"parcels": [{"id": "P-x", "declared_at": "2026-11-01T00:00:00Z",
                                                     "declared_value": 1, "currency": "USD"}]},
        "POST /api/v1/records/{kind}/{record_id}/inspection": {"outcome": "clear", "note": "hijack"},
        "POST /api/v1/cases": {"profile": "cn-ex-officio", "rights": [sd.marks["B"]], "goods_kind": "parcel",
                               "goods_id": "P-x", "goods_value": 100, "currency": "CNY"},
        "POST /api/v1/cases/{case_id}/events": {"event": "holder_declines"},
    }
    out.update(sd.extra.get("b_bodies", {}))
    return out


def snapshot_b(admin: Any, live: Any) -> dict[str, Any]:
    sd = live.seeded
    snap = {
        "mark": admin.get(f"/api/v1/marks/{sd.marks['B']}").json(),
        "product": admin.get(f"/api/v1/products/{sd.products['B']}").json(),
        "party": admin.get(f"/api/v1/parties/{sd.parties['B']}").json(),
        "guide": admin.get(f"/api/v1/guides/{sd.guides['B']}").json(),
        "marks": admin.get("/api/v1/marks", params={"holder_id": sd.holders["B"]}).json(),
        "products": admin.get("/api/v1/products", params={"holder_id": sd.holders["B"]}).json(),
        "parties": admin.get("/api/v1/parties", params={"holder_id": sd.holders["B"]}).json(),
    }
    if "alerts" in sd.extra:
        alert = admin.get(f"/api/v1/alerts/{sd.extra['alerts']['B']}").json()
        snap["alert"] = {k: alert[k] for k in ("status", "verdict", "score")}
    if "cases" in sd.extra:
        case = admin.get(f"/api/v1/cases/{sd.extra['cases']['B']}").json()
        snap["case"] = {k: case[k] for k in ("state", "version", "guarantee")}
    rec = admin.get(f"/api/v1/records/parcels/{sd.extra['parcels']['B']}").json()
    snap["parcel"] = {k: rec[k] for k in ("status", "outcome", "score")}
    for key, path in sd.extra.get("b_snapshots", {}).items():
        snap[key] = admin.get(path).json()
    return snap


def leaks(text: str, live: Any, sent: str = "") -> list[str]:
    """B's names and ids in a response, except those the request itself sent (an echo is not a leak)."""
    return [s for s in live.seeded.names["B"] if s in text and s not in sent]


def test_right_holder_cannot_see_or_change_another_holders_data_on_any_endpoint(live) -> None:
    admin = live.client("admin")
    holder_b = live.client("holder_b")
    b_token_id = holder_b.post("/api/v1/tokens", json={"name": "b's"}).json()["id"]
    a = live.client("holder_a")
    before = snapshot_b(admin, live)
    params_b, body_for = b_params(live, b_token_id), bodies(live)
    checked = 0
    for method, path, _route in iter_routes():
        if not path.startswith("/api/v1") or path.endswith("/openapi.json"):
            continue
        key = f"{method} {path}"
        names = re.findall(r"{(\w+)}", path)
        unknown = [n for n in names if n not in params_b]
        assert not unknown, f"{key}: path parameter(s) {unknown} unknown to the scope test; add holder B's ids"
        if method in {"POST", "PUT", "PATCH"}:
            assert key in body_for, f"{key}: add a valid body aimed at holder B to the scope test"
        url = path
        for n in names:
            url = url.replace("{" + n + "}", str(params_b[n]))
        query = {"holder_id": params_b["holder_id"], "mark_id": params_b["mark_id"],
                 "product_id": params_b["product_id"]} if method == "GET" else None
        r = a.request(method, url, json=body_for.get(key), params=query)
        assert r.status_code < 500, (key, r.status_code, r.text)
        sent = f"{url} {body_for.get(key)} {query}"
        assert not leaks(r.text, live, sent), f"{key} leaked holder B's data: {leaks(r.text, live, sent)}"
        objects = [n for n in names if n not in COLLECTION_PARAMS]
        if objects or (method != "GET" and key not in SELF_ROUTES):
            assert r.status_code in (403, 404), f"{key} answered {r.status_code} to holder A: {r.text[:300]}"
        if method == "GET" and not objects:
            r2 = a.get(url)
            assert r2.status_code < 500 and not leaks(r2.text, live), key
        checked += 1
    assert checked >= 25
    assert snapshot_b(admin, live) == before, "holder B's data changed"
    # B's token still works: holder A could not revoke it
    assert holder_b.get("/api/v1/me").status_code == 200


def test_staff_see_every_holder_but_only_admin_changes_the_registry(live) -> None:
    sd = live.seeded
    for role in ("officer", "supervisor", "analyst"):
        c = live.client(role)
        assert c.get(f"/api/v1/marks/{sd.marks['B']}").status_code == 200
        assert len(c.get("/api/v1/holders").json()) == 2
        r = c.patch(f"/api/v1/marks/{sd.marks['B']}", json={"famous": False})
        assert r.status_code == 403 and role in r.json()["reason"].replace("customs_", "").replace("platform_", "")
        assert c.post("/api/v1/marks", json={"holder_id": sd.holders["A"], "text": "NEW"}).status_code == 403
    admin = live.client("admin")
    r = admin.patch(f"/api/v1/marks/{sd.marks['A']}", json={"registration_number": "R-1"})
    assert r.status_code == 200 and r.json()["registration_number"] == "R-1"
