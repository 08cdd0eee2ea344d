"""Cases over HTTP: open, the holder's inbox and reply with a guarantee, officers' next steps, countdowns in
working days, refused transitions, audited reads."""

from __future__ import annotations


def test_case_is_worked_by_officer_and_right_holder(live) -> None:
    sd = live.seeded
    officer, holder = live.client("officer"), live.client("holder_b")
    r = officer.post("/api/v1/cases", json={"profile": "cn-ex-officio", "rights": [sd.marks["B"]],
                                            "goods_kind": "parcel", "goods_id": "PX-CASE", "goods_value": 30000,
                                            "currency": "CNY"})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "suspended" and case["holder_id"] == sd.holders["B"]
    reply = next(d for d in case["countdowns"] if d["name"] == "holder_reply")
    assert reply["status"] == "open" and 0 <= reply["working_days_left"] <= 3
    # the holder sees it in the inbox with the holder's actions only
    inbox = {c["id"]: c for c in holder.get("/api/v1/inbox").json()}
    assert case["id"] in inbox
    assert {a["name"] for a in inbox[case["id"]]["actions"]} == {"holder_applies", "holder_declines"}
    assert case["id"] not in {c["id"] for c in live.client("holder_a").get("/api/v1/inbox").json()}
    # officers cannot act for the holder; the holder cannot act for customs
    r = officer.post(f"/api/v1/cases/{case['id']}/events", json={"event": "holder_applies"})
    assert r.status_code == 409 and "not allowed" in r.json()["reason"]
    # a guarantee below the tier (50 % of 30,000, at least 20,000) is refused with the reason
    r = holder.post(f"/api/v1/cases/{case['id']}/events", json={"event": "holder_applies",
                                                                "data": {"guarantee": 1000}})
    assert r.status_code == 409 and "below the required" in r.json()["reason"]
    r = holder.post(f"/api/v1/cases/{case['id']}/events", json={"event": "holder_applies",
                                                                "data": {"guarantee": 20000},
                                                                "expected_version": case["version"]})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "detained" and case["guarantee"]["posted"] == "20000.00"
    assert holder.post(f"/api/v1/cases/{case['id']}/events",
                       json={"event": "determine_infringing"}).status_code == 403
    r = officer.post(f"/api/v1/cases/{case['id']}/events", json={"event": "determine_infringing",
                                                                 "expected_version": case["version"] - 1})
    assert r.status_code == 409  # stale form
    r = officer.post(f"/api/v1/cases/{case['id']}/events", json={"event": "determine_infringing"})
    assert r.status_code == 201 and r.json()["state"] == "infringing"
    names = [e["name"] for e in officer.get(f"/api/v1/cases/{case['id']}").json()["events"]]
    assert names == ["open", "holder_applies", "determine_infringing"]
    assert live.client("analyst").post(f"/api/v1/cases/{case['id']}/events",
                                       json={"event": "penalise"}).status_code == 403
    trail = live.client("supervisor").get("/api/v1/audit", params={"entity_type": "case",
                                                                   "entity_id": case["id"]}).json()
    reads = [e for e in trail if e["action"] == "case.read"]
    assert {e["actor"] for e in reads} >= {"officer"}


def test_case_input_errors_are_4xx(live) -> None:
    officer = live.client("officer")
    sd = live.seeded
    base = {"profile": "cn-ex-officio", "rights": [sd.marks["A"]], "goods_kind": "parcel", "goods_id": "PX-E",
            "goods_value": 100, "currency": "CNY"}
    assert officer.post("/api/v1/cases", json={**base, "profile": "nope"}).status_code == 422
    assert officer.post("/api/v1/cases", json={**base, "rights": ["m-none"]}).status_code == 422
    assert officer.post("/api/v1/cases", json={**base, "currency": "USD"}).status_code == 422
    assert officer.post("/api/v1/cases", json={**base, "goods_value": "abc"}).status_code == 422
    assert officer.get("/api/v1/cases/C-NOPE").status_code == 404
    assert officer.post("/api/v1/cases/C-NOPE/events", json={"event": "x"}).status_code == 404
    assert {p["id"] for p in officer.get("/api/v1/cases/profiles").json()} >= {"cn-ex-officio"}


def test_upcoming_deadlines_are_scoped_and_sorted(live) -> None:
    due = live.client("officer").get("/api/v1/deadlines").json()
    assert [d["due"] for d in due] == sorted(d["due"] for d in due)
    assert {d["case_id"] for d in due} >= set(live.seeded.extra["cases"].values())
    assert all("working_days_left" in d for d in due)
    mine = live.client("holder_a").get("/api/v1/deadlines").json()
    assert {d["case_id"] for d in mine} == {live.seeded.extra["cases"]["A"]}
