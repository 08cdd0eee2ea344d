"""Analytics: the pure tables on hand-made rows, and the endpoints (JSON, CSV, SVG, HTML, PDF) over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bordermark.analytics.collect import Snapshot
from bordermark.analytics.stats import compute, wilson

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_tables_count_detentions_hit_rates_ages_and_deadlines() -> None:
    snap = Snapshot(now=NOW)
    snap.marks = {"m1": {"text": "ALPHA", "right_type": "trademark", "holder": "A", "category": "bags"},
                  "m2": {"text": "BRAVO", "right_type": "copyright", "holder": "B", "category": None}}
    snap.records = {("parcel", "P1"): {"channel": "9610", "origin": "CN", "category": "4202"},
                    ("declaration", "D1"): {"channel": "0110", "origin": "VN", "category": "6403"}}
    snap.cases = [
        {"id": "C1", "goods_kind": "parcel", "goods_id": "P1", "mark_ids": ["m1"], "opened_at": NOW, "facts": {},
         "states": {"suspended", "detained", "infringing"}, "state": "infringing",
         "deadlines": [{"name": "holder_reply", "status": "met"}, {"name": "investigation", "status": "met"}]},
        {"id": "C2", "goods_kind": "declaration", "goods_id": "D1", "mark_ids": ["m2"],
         "opened_at": NOW - timedelta(days=40), "facts": {}, "states": {"suspended", "released"},
         "state": "released", "deadlines": [{"name": "holder_reply", "status": "expired"}]},
        {"id": "C3", "goods_kind": "listing", "goods_id": "L1", "mark_ids": ["m1"], "opened_at": NOW, "facts": {},
         "states": {"suspended", "detained"}, "state": "detained", "deadlines": []},
    ]
    snap.inspections = [{"selected_by": "target", "outcome": "counterfeit"}] * 3 + \
        [{"selected_by": "target", "outcome": "clear"}] + [{"selected_by": "random", "outcome": "clear"}] * 4
    snap.queue_items = [{"queue": "parcels", "since": NOW - timedelta(hours=h)} for h in (1, 2, 10)]
    t = compute(snap)
    channel = {r["channel"]: r for r in t.by_dimension["channel"]}
    assert channel["CBEC 9610"] == {"channel": "CBEC 9610", "cases": 1, "detentions": 1, "seizures": 1}
    assert channel["general cargo"]["detentions"] == 0 and channel["online"]["detentions"] == 1
    assert {r["brand"]: r["detentions"] for r in t.by_dimension["brand"]} == {"ALPHA": 2, "BRAVO": 0}
    assert [r["month"] for r in t.by_dimension["month"]] == ["2026-10", "2026-11"]
    assert {r["category"] for r in t.by_dimension["category"]} == {"bags", "6403"}
    rates = {r["selection"]: r for r in t.hit_rates}
    assert rates["target"]["hit_rate"] == 0.75 and rates["random"]["hit_rate"] == 0.0
    assert rates["target"]["ci_low"] < 0.75 < rates["target"]["ci_high"]
    assert t.queue_ages == [{"queue": "parcels", "open": 3, "median_hours": 2.0, "p90_hours": 10.0,
                             "oldest_hours": 10.0}]
    reply = next(r for r in t.deadlines if r["deadline"] == "holder_reply")
    assert reply["met"] == 1 and reply["missed"] == 1 and reply["met_rate"] == 0.5
    assert t.totals["detentions"] == 2 and t.totals["seizures"] == 1


def test_wilson_interval_bounds() -> None:
    assert wilson(0, 0) == (0.0, 0.0)
    low, high = wilson(5, 10)
    assert 0.2 < low < 0.5 < high < 0.8


def test_analytics_endpoints(live) -> None:
    officer = live.client("officer")
    officer.post(f"/api/v1/records/parcels/{live.seeded.extra['parcels']['A']}/inspection",
                 json={"outcome": "counterfeit"})
    data = officer.get("/api/v1/analytics").json()
    assert data["totals"]["cases"] >= 2 and data["totals"]["inspections"] >= 1
    assert data["hit_rates"][0]["selection"] == "target"
    r = officer.get("/api/v1/analytics/tables/detentions_by_channel.csv")
    assert r.status_code == 200 and r.text.startswith("channel,cases,detentions,seizures")
    r = officer.get("/api/v1/analytics/plots/hit_rates.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml") and b"<svg" in r.content
    assert officer.get("/api/v1/analytics/plots/nope.svg").status_code == 404
    assert officer.get("/api/v1/analytics/tables/nope.csv").status_code == 404
    assert live.client("holder_a").get("/api/v1/analytics").status_code == 403


def test_reports_download_as_html_pdf_and_png(live) -> None:
    if live.store.url.startswith("postgresql"):
        return  # the rendering does not depend on the engine; drawn once, on SQLite, to keep the suite fast
    officer = live.client("officer")
    assert officer.get("/api/v1/analytics/plots/hit_rates.png").content[:4] == b"\x89PNG"
    html = officer.get("/api/v1/analytics/report.html").text
    assert html.count("<svg") == 9 and "hit rates" in html.lower()
    r = officer.get("/api/v1/analytics/report.pdf")
    assert r.content[:5] == b"%PDF-" and r.headers["content-type"] == "application/pdf"
