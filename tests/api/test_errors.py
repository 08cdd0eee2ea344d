"""Every bad request gets a JSON error with a reason and the right 4xx; nothing answers 500."""

from __future__ import annotations

import itertools
import re

from bordermark.api.app import iter_routes


def test_errors_are_json_with_reason_and_right_status(live) -> None:
    anon = live.client()
    r = anon.get("/api/v1/marks")
    assert r.status_code == 401 and r.json()["error"] == "unauthorised" and r.json()["reason"]
    assert anon.get("/api/v1/marks", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert anon.get("/api/v1/marks", headers={"Authorization": "Basic abc"}).status_code == 401

    c = live.client("admin")
    r = c.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and "no such path" in r.json()["reason"]
    r = c.put("/api/v1/marks")
    assert r.status_code == 405 and "PUT" in r.json()["reason"]
    r = c.get("/api/v1/marks/m-doesnotexist")
    assert r.status_code == 404 and "m-doesnotexist" in r.json()["reason"]
    r = c.post("/api/v1/marks", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = c.post("/api/v1/marks", json={"holder_id": live.seeded.holders["A"], "text": "X", "nice_classes": [99]})
    assert r.status_code == 422 and "nice_classes" in r.json()["reason"]
    r = c.post("/api/v1/marks", json={"holder_id": live.seeded.holders["A"], "text": "X\x00Y"})
    assert r.status_code == 422 and "NUL" in r.json()["reason"]
    r = c.get("/api/v1/marks/%00")
    assert r.status_code == 400
    r = c.get("/api/v1/marks", params={"limit": 10**30})
    assert r.status_code == 422 and "limit" in r.json()["reason"]
    r = c.post("/api/v1/marks", json={"holder_id": live.seeded.holders["A"], "text": "ALPHAMODE"})
    assert r.status_code == 409
    r = c.patch(f"/api/v1/products/{live.seeded.products['A']}",
                json={"price_bands": [{"market": "CN", "currency": "CNY", "low": 5, "high": 1}]})
    assert r.status_code == 422 and "below" in r.json()["reason"]
    r = c.patch(f"/api/v1/products/{live.seeded.products['A']}",
                json={"price_bands": [{"market": "ZZ", "currency": "XXX", "low": 1, "high": 5}]})
    assert r.status_code == 422


def test_openapi_is_published_without_cdn(live) -> None:
    r = live.client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert "/api/v1/marks" in spec["paths"] and "/api/v1/products/{product_id}" in spec["paths"]
    assert all(not p.startswith("/registry") for p in spec["paths"])
    walked = {p for _, p, _ in iter_routes()}
    assert set(spec["paths"]) - {"/api/v1/openapi.json"} <= walked, "a route escapes iter_routes()"


GARBAGE_PATH = ["0", "-1", "x" * 300, "%FF%FE", "..%2F..", "' OR 1=1 --", "99999999999999999999", "日本"]
GARBAGE_BODY: list[object] = [None, [], "str", 12, {"unexpected": 1}, {"holder_id": None},
                              {"name": "x" * 100_000}, {"price_bands": [{"low": "NaN"}]}, {"text": ["a"]}]


def test_no_input_makes_any_route_answer_500(live) -> None:
    """Hostile path parameters, queries and bodies on every route, as the most powerful role."""
    c = live.client("admin")
    routes = [(m, p) for m, p, _ in iter_routes() if p.startswith("/api/v1")]
    assert len(routes) > 20
    for method, route_path in routes:
        params = re.findall(r"{(\w+)}", route_path)
        combos = list(itertools.islice(itertools.product(GARBAGE_PATH, GARBAGE_BODY), 0, None, 7))
        if method == "GET" and not params:
            combos = combos[:1]  # a GET without path parameters reads no body: one hostile query is enough
        for value, body in combos:
            path = route_path
            for p in params:
                path = path.replace("{" + p + "}", value)
            r = c.request(method, path, json=body, params={"limit": "abc", "q": "\x01"})
            assert r.status_code < 500, (method, path, body, r.status_code, r.text)
            if r.status_code >= 400:
                assert r.headers["content-type"].startswith("application/json"), (method, path, r.status_code)
