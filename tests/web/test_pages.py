"""Pages over real HTTP: login and logout, CSRF, registry editing by a right holder, the listing queue, and
holder B's data staying invisible on every page."""

from __future__ import annotations

import re

import httpx

from bordermark.accounts.ratelimit import LoginLimiter
from bordermark.api.app import iter_routes
from bordermark.api.testing import PASSWORD, live_server


def test_login_required_and_bad_password_rejected(site) -> None:
    anon = httpx.Client(base_url=site.url, follow_redirects=False)
    r = anon.get("/registry")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/registry")
    page = anon.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = anon.post("/login", data={"username": "holder_a", "password": "wrong password", "csrf_token": token})
    assert r.status_code == 401 and "wrong username or password" in r.text
    r = anon.post("/login", data={"username": "holder_a", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 303 and "err=" in r.headers["location"]
    assert "bm_session" not in anon.cookies


def test_login_is_rate_limited(site) -> None:
    with live_server(site.store, limiter=LoginLimiter(max_failures=3, window_s=60)) as url:
        c = httpx.Client(base_url=url)
        for _ in range(3):
            assert c.post("/api/v1/auth/token", json={"username": "officer", "password": "nope"}).status_code == 401
        r = c.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = c.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 429 and "too many failed logins" in r.text
        # another account from the same address is not yet blocked
        assert c.post("/api/v1/auth/token", json={"username": "analyst", "password": PASSWORD}).status_code == 201


def test_forms_need_the_session_csrf_token_and_cookie_api_calls_need_the_header(site) -> None:
    c, csrf = site.login("holder_a")
    mark = site.seeded.marks["A"]
    r = c.post(f"/registry/marks/{mark}/aliases", data={"text": "csrf-less", "csrf_token": "bad"})
    assert r.status_code == 403
    r = c.post("/api/v1/marks", json={"holder_id": site.seeded.holders["A"], "text": "COOKIE"})
    assert r.status_code == 403 and "CSRF" in r.json()["reason"]
    r = c.post("/api/v1/marks", json={"holder_id": site.seeded.holders["A"], "text": "COOKIEMARK"},
               headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    assert c.get("/api/v1/me").json()["username"] == "holder_a"


def test_right_holder_maintains_registry_through_pages(site) -> None:
    c, csrf = site.login("holder_a")
    holder = site.seeded.holders["A"]
    r = c.post("/registry/marks", data={"csrf_token": csrf, "holder_id": holder, "text": "ALPHASPORT",
                                        "right_type": "trademark", "nice_classes": "25, 28",
                                        "jurisdictions": "cn, us"})
    assert r.status_code == 303 and "msg=" in r.headers["location"]
    mark_url = r.headers["location"].split("?")[0]
    mark_id = mark_url.rsplit("/", 1)[1]
    page = c.get(mark_url)
    assert "ALPHASPORT" in page.text and "25, 28" in page.text
    r = c.post(f"{mark_url}/aliases", data={"csrf_token": csrf, "text": "阿尔法运动", "kind": "translation"})
    assert r.status_code == 303 and "msg=" in r.headers["location"]
    r = c.post("/registry/products", data={"csrf_token": csrf, "mark_id": mark_id, "name": "Alpha Runner",
                                           "category": "shoes", "hs_codes": "640411"})
    assert r.status_code == 303
    product_url = r.headers["location"].split("?")[0]
    r = c.post(f"{product_url}/bands", data={"csrf_token": csrf, "market": "cn", "currency": "cny",
                                             "low": "600", "high": "900"})
    assert r.status_code == 303 and "msg=" in r.headers["location"], r.headers["location"]
    r = c.post(f"{product_url}/bands", data={"csrf_token": csrf, "market": "US", "currency": "USD",
                                             "low": "90", "high": "10"})
    assert "err=" in r.headers["location"]
    r = c.post("/registry/guides", data={"csrf_token": csrf, "holder_id": holder,
                                         "product_id": product_url.rsplit("/", 1)[1], "title": "Runner check",
                                         "genuine_features": "embossed size label", "fake_indicators": "printed"})
    assert r.status_code == 303
    r = c.post("/registry/parties", data={"csrf_token": csrf, "holder_id": holder, "role": "importer",
                                          "name": "Alpha Import Co", "country": "cn", "marks": "ALPHASPORT"})
    assert r.status_code == 303 and "msg=" in r.headers["location"]
    product_page = c.get(product_url).text
    assert "600" in product_page and "Runner check" in product_page and "embossed size label" in product_page
    assert "Alpha Import Co" in c.get("/registry/parties").text
    api = httpx.Client(base_url=site.url)
    tok = api.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["token"]
    mark = api.get(f"/api/v1/marks/{mark_id}", headers={"Authorization": f"Bearer {tok}"}).json()
    assert [a["text"] for a in mark["aliases"]] == ["阿尔法运动"] and mark["jurisdictions"] == ["CN", "US"]


def test_officer_works_the_listing_queue(site) -> None:
    if "alerts" not in site.seeded.extra:
        return
    c, csrf = site.login("officer")
    queue = c.get("/queues/listings").text
    a, b = site.seeded.extra["alerts"]["A"], site.seeded.extra["alerts"]["B"]
    assert queue.index(a) < queue.index(b), "queue must be ordered by score"
    page = c.get(f"/listings/{b}")
    assert "<mark>BRAVOTIME</mark>" in page.text and "1000–2000 CNY" in page.text
    r = c.post(f"/listings/{b}/decision", data={"csrf_token": csrf, "decision": "counterfeit", "note": "replica"})
    assert r.status_code == 303 and "msg=" in r.headers["location"]
    assert b not in c.get("/queues/listings").text
    assert b in c.get("/queues/listings", params={"status": "decided"}).text


def test_holder_pages_never_show_another_holders_data(site) -> None:
    """Every page route, as holder A: B's names never appear, and pages about B's objects answer 404."""
    c, csrf = site.login("holder_a")
    sd = site.seeded
    b = {"mark_id": sd.marks["B"], "product_id": sd.products["B"], "party_id": sd.parties["B"],
         "guide_id": sd.guides["B"], "alias_id": sd.aliases["B"], "holder_id": sd.holders["B"],
         "band_id": 1, "kind": "parcels", "name": "hit_rates",
         **({"case_id": sd.extra["cases"]["B"]} if "cases" in sd.extra else {}), "record_id": sd.extra["parcels"]["B"],
         **({"listing_id": sd.extra["alerts"]["B"]} if "alerts" in sd.extra else {}),
         **sd.extra.get("b_params", {})}
    b_strings = [s for s in sd.names["B"]]
    pages = [(m, p) for m, p, _ in iter_routes() if not p.startswith("/api/")]
    assert len(pages) >= 15
    for method, path in pages:
        names = re.findall(r"{(\w+)}", path)
        assert all(n in b for n in names), f"{method} {path}: unknown path parameter for the scope test"
        url = path
        for n in names:
            url = url.replace("{" + n + "}", str(b[n]))
        data = {"csrf_token": csrf, "holder_id": sd.holders["B"], "mark_id": sd.marks["B"], "text": "hijack",
                "name": "hijack", "title": "hijack", "role": "importer", "market": "CN", "currency": "CNY",
                "low": "1", "high": "2", "decision": "genuine", "product_id": sd.products["B"],
                "outcome": "clear", "event": "holder_declines", "profile": "cn-ex-officio", "goods_kind": "parcel",
                "goods_id": "P-x", "rights": sd.marks["B"], "goods_value": "100"}
        if path in ("/logout", "/login"):
            continue
        r = c.request(method, url, data=data if method == "POST" else None,
                      params={"holder_id": sd.holders["B"]} if method == "GET" else None)
        assert r.status_code < 500, (method, path, r.status_code)
        body = r.text + r.headers.get("location", "")
        leaked = [s for s in b_strings if s in body and s not in url and s not in str(data.values())]
        assert not leaked, f"{method} {path} showed holder B's {leaked}"
        if [n for n in names if n not in ("kind", "name")]:
            assert r.status_code in (403, 404) or (r.status_code == 303 and "err=" in r.headers["location"]), \
                (method, path, r.status_code, r.headers.get("location"))
        elif method == "POST":
            assert r.status_code in (403, 404) or "err=" in r.headers.get("location", ""), (method, path)
    admin = httpx.Client(base_url=site.url)
    tok = admin.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["token"]
    mark = admin.get(f"/api/v1/marks/{sd.marks['B']}", headers={"Authorization": f"Bearer {tok}"}).json()
    assert [a["text"] for a in mark["aliases"]] == ["布拉沃"], "holder B's mark was changed"


def test_logout_ends_the_session(site) -> None:
    c, csrf = site.login("analyst")
    r = c.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303
    assert c.get("/").status_code == 303
