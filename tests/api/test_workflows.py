"""Registry changes, screening of parcels and declarations, inspections and the audit trail, over HTTP."""

from __future__ import annotations


def test_registry_crud_is_validated_and_audited(live) -> None:
    c = live.client("holder_a")
    sd = live.seeded
    r = c.post("/api/v1/marks", json={"holder_id": sd.holders["A"], "text": "ALPHAKIDS", "nice_classes": [25],
                                      "aliases": [{"text": "阿尔法童装", "kind": "translation"}]})
    assert r.status_code == 201, r.text
    mark = r.json()
    assert mark["holder"] == "Alpha Maison SA" and mark["aliases"][0]["text"] == "阿尔法童装"
    r = c.post(f"/api/v1/marks/{mark['id']}/aliases", json={"text": "A-KIDS", "kind": "abbreviation"})
    assert r.status_code == 201 and len(r.json()["aliases"]) == 2
    alias_id = r.json()["aliases"][1]["id"]
    assert c.post(f"/api/v1/marks/{mark['id']}/aliases", json={"text": "A-KIDS"}).status_code == 409
    assert c.delete(f"/api/v1/marks/{mark['id']}/aliases/{alias_id}").status_code == 200
    r = c.post("/api/v1/products", json={"mark_id": mark["id"], "name": "Kids Jacket", "hs_codes": ["620193"],
                                         "price_bands": [{"market": "CN", "currency": "CNY", "low": 300,
                                                          "high": 500}]})
    assert r.status_code == 201, r.text
    product = r.json()
    assert product["price_bands"][0]["low"] == "300"
    r = c.patch(f"/api/v1/products/{product['id']}", json={"price_bands": [
        {"market": "CN", "currency": "CNY", "low": 320, "high": 520},
        {"market": "US", "currency": "USD", "low": 45, "high": 80}]})
    assert r.status_code == 200 and len(r.json()["price_bands"]) == 2
    r = c.post("/api/v1/parties", json={"holder_id": sd.holders["A"], "role": "licensee", "name": "Kids Licensee",
                                        "marks": ["ALPHAKIDS", "NOSUCHMARK"]})
    assert r.status_code == 422 and "NOSUCHMARK" in r.json()["reason"]
    r = c.post("/api/v1/guides", json={"holder_id": sd.holders["A"], "product_id": sd.products["B"], "title": "x"})
    assert r.status_code == 404  # B's product does not exist for A
    assert c.delete(f"/api/v1/products/{product['id']}").status_code == 204
    assert c.get(f"/api/v1/products/{product['id']}").status_code == 404
    assert c.delete(f"/api/v1/marks/{mark['id']}").status_code == 204

    sup = live.client("supervisor")
    trail = sup.get("/api/v1/audit", params={"entity_type": "mark", "entity_id": mark["id"]}).json()
    actions = [e["action"] for e in trail]
    assert actions[0] == "registry.mark.delete" and "registry.mark.create" in actions
    assert "registry.alias.add" in actions and all(e["actor"] == "holder_a" for e in trail)
    created = next(e for e in trail if e["action"] == "registry.mark.create")
    assert created["before"] is None and created["after"]["text"] == "ALPHAKIDS"
    assert sup.get("/api/v1/audit/verify").json()["ok"] is True
    assert c.get("/api/v1/audit").status_code == 403


def test_parcels_are_screened_queued_and_inspected(live) -> None:
    officer = live.client("officer")
    parcels = [
        {"id": f"PX-{i}", "declared_at": f"2026-11-0{1 + i % 3}T10:00:00Z", "description": "BRAVOTIME diver watch",
         "hs_code": "910211", "declared_value": 15, "currency": "USD", "origin": "CN", "consignor": "Shenzhen X",
         "consignee_name": f"Buyer {i}", "mode": "9610"} for i in range(3)
    ] + [{"id": "PX-plain", "declared_at": "2026-11-01T10:00:00Z", "description": "cotton socks",
          "declared_value": 3, "currency": "USD", "origin": "CN"}]
    r = officer.post("/api/v1/screen/parcels", json={"parcels": parcels, "explore": 0.0})
    assert r.status_code == 200, r.text
    results = {x["id"]: x for x in r.json()}
    assert results["PX-0"]["score"] > results["PX-plain"]["score"]
    assert any(x["code"] == "brand_in_description" for x in results["PX-0"]["reasons"])
    queue = officer.get("/api/v1/queues/parcels").json()
    ids = [x["id"] for x in queue["items"]]
    assert "PX-plain" not in ids
    scores = [x["score"] for x in queue["items"]]
    assert scores == sorted(scores, reverse=True)
    alerted = [x for x in results.values() if x["alert"]]
    assert alerted, results
    target = alerted[0]["id"]
    r = officer.post(f"/api/v1/records/parcels/{target}/inspection", json={"outcome": "counterfeit", "note": "fake"})
    assert r.status_code == 201 and r.json()["status"] == "inspected"
    assert officer.post(f"/api/v1/records/parcels/{target}/inspection",
                        json={"outcome": "clear"}).status_code == 409
    # holder B sees its own brand's parcels; holder A does not
    assert target in [x["id"] for x in live.client("holder_b").get(
        "/api/v1/queues/parcels", params={"status": "inspected"}).json()["items"]]
    assert live.client("holder_a").get(f"/api/v1/records/parcels/{target}").status_code == 404
    assert live.client("analyst").post(f"/api/v1/records/parcels/{ids[-1]}/inspection",
                                       json={"outcome": "clear"}).status_code in (403, 409)


def test_declarations_are_screened(live) -> None:
    officer = live.client("officer")
    decl = {"id": "DX-1", "declared_at": "2026-11-02T08:00:00Z", "mode": "0110", "importer": "Unknown Imports",
            "country_of_departure": "HK", "items": [
                {"line": 1, "description": "ALPHAMODE tote bag", "hs_code": "420221", "quantity": 100,
                 "value": 500, "currency": "CNY", "origin": "CN"}]}
    r = officer.post("/api/v1/screen/declarations", json={"declarations": [decl]})
    assert r.status_code == 200, r.text
    res = r.json()[0]
    codes = {x["code"] for x in res["reasons"]}
    assert "brand_in_description" in codes and "undervalued" in codes
    assert officer.get("/api/v1/records/declarations/DX-1").json()["record"]["importer"] == "Unknown Imports"
    bad = {**decl, "items": [{**decl["items"][0], "currency": "ZZZ"}]}
    assert officer.post("/api/v1/screen/declarations", json={"declarations": [bad]}).status_code == 422


def test_revoked_token_stops_working(live) -> None:
    c = live.client("analyst")
    r = c.post("/api/v1/tokens", json={"name": "script"})
    assert r.status_code == 201
    token_id, secret = r.json()["id"], r.json()["token"]
    other = live.client()
    other.headers["Authorization"] = f"Bearer {secret}"
    assert other.get("/api/v1/me").json()["username"] == "analyst"
    assert c.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert other.get("/api/v1/me").status_code == 401
    listed = {t["id"]: t for t in c.get("/api/v1/tokens").json()}
    assert listed[token_id]["revoked"] is True


def test_rescreening_updates_an_open_record_and_keeps_an_inspected_one(live) -> None:
    """Screening upserts the queue row in one statement: a second screening of an open record replaces its
    result (same row, holder scope kept), an inspected record keeps its outcome and result."""
    officer = live.client("officer")

    def parcel(pid: str, description: str) -> dict[str, object]:
        return {"id": pid, "declared_at": "2026-11-02T10:00:00Z", "description": description, "hs_code": "910211",
                "declared_value": 15, "currency": "USD", "origin": "CN", "mode": "9610"}

    def screen(*parcels: dict[str, object]) -> dict[str, dict[str, object]]:
        r = officer.post("/api/v1/screen/parcels", json={"parcels": list(parcels), "explore": 0.0})
        assert r.status_code == 200, r.text
        return {x["id"]: x for x in r.json()}

    screen(parcel("RS-open", "BRAVOTIME diver watch"), parcel("RS-done", "BRAVOTIME diver watch"))
    first = officer.get("/api/v1/records/parcels/RS-open").json()
    assert first["alert"] and first["status"] == "open" and first["mark_ids"]
    assert "RS-open" in [x["id"] for x in live.client("holder_b").get("/api/v1/queues/parcels",
                                                                      params={"limit": 500}).json()["items"]]
    assert officer.post("/api/v1/records/parcels/RS-done/inspection", json={"outcome": "clear"}).status_code == 201
    done = officer.get("/api/v1/records/parcels/RS-done").json()

    again = screen(parcel("RS-open", "cotton socks"), parcel("RS-done", "cotton socks"))
    assert not again["RS-open"]["alert"]
    now = officer.get("/api/v1/records/parcels/RS-open").json()
    assert now["record"]["description"] == "cotton socks" and now["score"] == again["RS-open"]["score"]
    assert now["status"] == "open" and now["selected_by"] is None and now["mark_ids"] == []
    assert now["screened_at"] >= first["screened_at"]
    assert officer.get("/api/v1/records/parcels/RS-done").json() == done  # outcome and result untouched
    # the holder link of the first screening stays (as before): B still sees the record, A never does
    assert live.client("holder_b").get("/api/v1/records/parcels/RS-open").status_code == 200
    assert live.client("holder_a").get("/api/v1/records/parcels/RS-open").status_code == 404


def test_queue_page_matches_the_stored_rows(live) -> None:
    """The queue is read as plain rows with a window count; it must answer what the ORM rows say, for staff
    (every holder) and for a right holder (only records about its own holder, none about another's)."""
    import json

    from sqlalchemy import select

    from bordermark.api.fastjson import json_response
    from bordermark.api.records_ops import _visible_clause, record_json
    from bordermark.store.account_tables import ScreenedRecordRow

    def expected(who: object | None, status: str, limit: int, offset: int) -> dict[str, object]:
        stmt = select(ScreenedRecordRow).where(ScreenedRecordRow.kind == "parcel", ScreenedRecordRow.status == status,
                                               ScreenedRecordRow.selected_by.is_not(None))
        if who is not None:
            stmt = stmt.where(_visible_clause(who))  # type: ignore[arg-type]
        with live.store.session() as s:
            rows = s.scalars(stmt.order_by(ScreenedRecordRow.score.desc(), ScreenedRecordRow.record_id)).all()
            items = [{k: v for k, v in record_json(r).items() if k != "record"} for r in rows]
        return json.loads(json_response({"total": len(items), "items": items[offset:offset + limit]}).body)

    from bordermark.accounts import Principal, Role

    holder_b = Principal(user_id=0, username="b", role=Role.RIGHT_HOLDER,
                         holder_ids=frozenset({live.seeded.holders["B"]}))
    for user, who in (("officer", None), ("holder_b", holder_b)):
        for status, limit, offset in (("open", 500, 0), ("open", 1, 1), ("inspected", 500, 0), ("open", 5, 10_000)):
            got = live.client(user).get("/api/v1/queues/parcels",
                                        params={"status": status, "limit": limit, "offset": offset}).json()
            assert got == expected(who, status, limit, offset), (user, status, limit, offset)
