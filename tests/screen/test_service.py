"""The screening service on a real store (SQLite and PostgreSQL): scenarios, queue, decisions, learning, notices."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bordermark.registry import service as registry_service
from bordermark.screen import service
from bordermark.screen.engine import Verdict
from bordermark.screen.money import Rates
from bordermark.store import Store
from bordermark.store.screen_tables import AlertRow, SellerRow

from .conftest import KeywordDetector, listing


@pytest.fixture
def loaded(store: Store, registry_files: list[Path]) -> Store:
    registry_service.import_files(store, registry_files)
    return store


def _screener(store: Store) -> service.Screener:
    det = KeywordDetector(registry_service.load(store))
    return service.make_screener(store, detector=det)


def test_scenarios_go_from_draft_to_published(loaded: Store) -> None:
    assert _screener(loaded).scenario.version == 0  # built-in until something is published
    d1 = service.create_draft(loaded, {"alert_threshold": 0.7}, name="strict", actor="ana")
    assert d1.status.value == "draft" and _screener(loaded).scenario.version == 0
    service.publish(loaded, d1.version, actor="ana")
    d2 = service.create_draft(loaded, actor="ana")
    assert d2.config.alert_threshold == 0.7  # a copy of the active one
    service.publish(loaded, d2.version, actor="ana")
    statuses = {s.version: s.status.value for s in service.list_scenarios(loaded)}
    assert statuses == {d1.version: "retired", d2.version: "published"}
    with pytest.raises(service.ScreeningError, match="only a draft"):
        service.publish(loaded, d1.version, actor="ana")
    r = service.screen_listing(loaded, listing(title="ACM3 replica", price=10), screener=_screener(loaded))
    assert r.scenario_version == d2.version


def test_queue_is_ordered_and_decisions_teach(loaded: Store) -> None:
    batch = [
        listing("fake", title="ACM3 replica AAA shoes", price=15, seller_id="bad", images=("nope.jpg",)),
        listing("mild", title="ACME shoes", price=60, seller_id="meh"),
        listing("pi", title="ACME Runner One imported from Japan", price=90, seller_id="pi"),
        listing("none", title="garden hose", price=9),
    ]
    results = service.screen_batch(loaded, batch, screener=_screener(loaded))
    assert results[3].verdict is Verdict.CLEAR
    q = service.queue(loaded)
    assert [a["id"] for a in q] == sorted([a["id"] for a in q], key=lambda i: -next(
        r.score for r in results if r.listing_id == i))
    assert "none" not in {a["id"] for a in q} and q[0]["id"] == "fake"

    out = service.record_decision(loaded, "fake", "counterfeit", actor="ana", note="logo wrong")
    assert out["learned"]["aliases"] == ["ACM3"] and out["scenario_version"] == 0
    reg = registry_service.load(loaded)
    assert any(a.text == "ACM3" and a.kind.value == "observed" for a in reg.mark_by_id()["M1"].aliases)
    with loaded.session() as s:
        seller = s.scalars(select(SellerRow).where(SellerRow.seller_id == "bad")).one()
        assert seller.confirmed_fakes == 1
    assert "fake" not in {a["id"] for a in service.queue(loaded)}
    from bordermark import audit

    with loaded.session() as s:
        logged = audit.entries(s, entity_type="listing", entity_id="fake")
        assert [e.action for e in logged] == ["screen.decision"] and logged[0].actor == "ana"
        assert audit.verify(s).ok

    # history raises the seller's next listing
    again = service.screen_listing(loaded, listing("fake2", title="ACME shoes", price=60, seller_id="bad"),
                                   screener=_screener(loaded))
    assert any(r["code"] == "seller_confirmed_fakes" for r in again.reasons)

    with pytest.raises(service.ScreeningError, match="unknown decision"):
        service.record_decision(loaded, "pi", "maybe", actor="ana")
    with pytest.raises(service.ScreeningError, match="not in the screening queue"):
        service.record_decision(loaded, "zzz", "genuine", actor="ana")


def test_cleared_listing_is_not_raised_again_unless_it_changes(loaded: Store) -> None:
    lst = listing("pi", title="ACME Runner One imported from Japan", price=90, seller_id="pi")
    service.screen_batch(loaded, [lst], screener=_screener(loaded))
    service.record_decision(loaded, "pi", "parallel_import", actor="ana")
    r = service.screen_listing(loaded, lst, screener=_screener(loaded))
    assert r.suppressed and "pi" not in {a["id"] for a in service.queue(loaded)}
    changed = listing("pi", title="ACME Runner One replica", price=20, seller_id="pi")
    r2 = service.screen_listing(loaded, changed, screener=_screener(loaded))
    assert not r2.suppressed and "pi" in {a["id"] for a in service.queue(loaded)}


def test_training_from_decisions_makes_a_draft(loaded: Store) -> None:
    batch = []
    for i in range(30):
        batch.append(listing(f"f{i}", title="ACM3 replica shoes", price=10 + i, seller_id=f"s{i}"))
        batch.append(listing(f"g{i}", title="ACME Runner One imported from Japan", price=70 + i, seller_id=f"t{i}"))
    service.screen_batch(loaded, batch, screener=_screener(loaded))
    for i in range(30):
        service.record_decision(loaded, f"f{i}", "counterfeit", actor="ana")
        service.record_decision(loaded, f"g{i}", "parallel_import" if i % 2 else "genuine", actor="ana")
    x, y = service.training_rows(loaded)
    assert len(x) == 60 and sum(y) == 30
    scenario, report = service.train_from_decisions(loaded, actor="ana", publish_now=True)
    assert scenario.status.value == "published" and report.rows == 60
    assert scenario.config.weights["brand_disguised"] > 0


def test_notices_per_platform_and_holder(loaded: Store, tmp_path: Path) -> None:
    batch = [
        listing("a", title="ACM3 replica <b>shoes</b>", price=15, seller_id="bad", url="https://x.test/a"),
        listing("b", title="ACM3 AAA shoes", price=12, seller_id="bad", platform="other"),
        listing("c", title="ACME Runner One imported from Japan", price=90, seller_id="pi"),
    ]
    service.screen_batch(loaded, batch, screener=_screener(loaded))
    for lid in ("a", "b"):
        service.record_decision(loaded, lid, "counterfeit", actor="ana")
    service.record_decision(loaded, "c", "genuine", actor="ana")
    notices = service.build_notices(loaded, actor="ana")
    assert [(n.platform, n.holder, [x["listing_id"] for x in n.listings]) for n in notices] == [
        ("other", "Acme Sports", ["b"]), ("shopx", "Acme Sports", ["a"])]
    md = notices[1].markdown()
    assert "registration no. US-123" in md and "<https://x.test/a>" in md and '"ACM3"' in md
    assert "&lt;b&gt;" in notices[1].html()
    assert notices[1].to_json()["listings"][0]["genuine_band"].startswith("Price 15.00 USD is 85% below")
    paths = service.write_notices(notices, tmp_path / "out")
    assert sorted(p.suffix for p in paths) == [".html", ".html", ".json", ".json", ".md", ".md"]
    assert service.build_notices(loaded, actor="ana") == []  # already sent
    with loaded.session() as s:
        assert s.get(SellerRow, "bad").takedowns == 2  # type: ignore[union-attr]


def _forty_listings(path: Path) -> Path:
    """A JSON Lines file of 40 listings: four titles (a disguised brand with trade terms, a parallel-import cue,
    the brand plainly, no brand) at three prices from five sellers."""
    import json

    titles = ["ACM3 replica AAA shoes", "ACME Runner One imported from Japan", "ACME shoes", "garden hose"]
    rows = [{"id": f"F{i}", "title": titles[i % 4], "description": "", "price": [15.0, 90.5, 60.25][i % 3],
             "currency": "USD", "seller_id": f"s{i % 5}", "seller_name": None, "platform": "shopx",
             "category": "shoes", "url": f"https://shopx.test/F{i}", "ships_from": "CN", "images": [],
             "listed_at": "2024-10-05T15:24:50Z"} for i in range(40)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_screen_file_queues_the_listings_it_read(loaded: Store, tmp_path: Path) -> None:
    """screen_file hands the screener the reader's records where the compiled reader makes them (fields, the
    price the float read); the queue still stores each raised listing as the model the plain reader gives."""

    from bordermark.screen.io import clear_read_caches, read_listings

    src = _forty_listings(tmp_path / "in.jsonl")
    clear_read_caches()
    rep = service.screen_file(src, tmp_path / "out.jsonl", _screener(loaded), store=loaded)
    assert rep.screened == 40
    want = {x.id: x.model_dump(mode="json") for x in read_listings(src, Rates.load())}  # type: ignore[union-attr]
    queued = service.queue(loaded, limit=100)
    assert len(queued) >= 10
    with loaded.session() as s:
        stored = {a.listing_id: a.listing for a in s.scalars(select(AlertRow))}
    assert stored and all(stored[k] == want[k] for k in stored)
    assert {"F0", "F36"} <= set(stored) and stored["F36"]["price"] == "15.0"


def test_screen_file_scores_a_batch_in_slices_as_one(loaded: Store, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """screen_file detects a batch at once and scores and writes it a slice at a time (``_SLICE``): the same rows,
    verdict counts and queue as one slice per batch, slices that split a batch unevenly and repeated texts
    across slices included."""
    import json

    from bordermark.screen.io import clear_read_caches

    src = _forty_listings(tmp_path / "in.jsonl")
    out = {}
    for size in (10_000, 3):
        monkeypatch.setattr(service, "_SLICE", size)
        clear_read_caches()
        rep = service.screen_file(src, tmp_path / f"out{size}.jsonl", _screener(loaded), batch_size=17,
                                  store=loaded if size == 3 else None)
        out[size] = ((tmp_path / f"out{size}.jsonl").read_bytes(), rep.screened, dict(rep.verdicts))
    assert out[3] == out[10_000] and out[3][1] == 40
    raised = {r["id"] for r in map(json.loads, out[3][0].splitlines()) if r["verdict"] != "clear"}
    with loaded.session() as s:
        queued = {a.listing_id for a in s.scalars(select(AlertRow))}
    assert raised and queued and queued <= raised
