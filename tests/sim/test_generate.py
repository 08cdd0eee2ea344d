"""Determinism, formats, registry import on both engines, the CLI, and hard worlds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from bordermark.cli.main import app
from bordermark.registry import service
from bordermark.sim import ListingMix, RecordFormat, SimParams, generate
from bordermark.sim.reader import WorldReader
from bordermark.store import Store

TINY = SimParams().with_counts(holders=80, listings=800, sellers=120, traders=40, declarations=300, parcels=800,
                               filings=200, networks=8)


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(world_dir: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", seed=7)
    assert _digest(world_dir) == _digest(Path(again.out))
    other = generate(tmp_path / "other", seed=8, params=TINY)
    assert _digest(Path(other.out))["listings.jsonl"] != _digest(world_dir)["listings.jsonl"]


def test_registry_imports_cleanly_and_keeps_the_mark_ids(tmp_path: Path, store: Store) -> None:
    world_dir = Path(generate(tmp_path / "reg", seed=7, params=TINY).out)  # 80 marks: imports stay quick
    paths = sorted((world_dir / "registry").glob("*.csv"))
    report = service.import_files(store, paths)
    reg = service.load(store)
    marks = WorldReader(world_dir).csv("registry/marks.csv")
    assert report.marks == len(marks) == len(reg.marks)
    assert {m.id for m in reg.marks} == {r["id"] for r in marks}
    famous = {r["id"] for r in marks if r["famous"] == "true"}
    assert {m.id for m in reg.marks if m.famous} == famous
    assert all(reg.products_of(m) and reg.parties_of(m) for m in reg.marks)
    assert any(a.kind.value == "translation" for m in reg.marks for a in m.aliases)
    assert any(a.kind.value == "transliteration" for m in reg.marks for a in m.aliases)


def test_csv_and_parquet_formats_hold_the_same_records(tmp_path: Path) -> None:
    j = generate(tmp_path / "j", seed=3, params=TINY)
    c = generate(tmp_path / "c", seed=3, params=TINY, fmt=RecordFormat.csv)
    q = generate(tmp_path / "q", seed=3, params=TINY, fmt=RecordFormat.parquet)
    for name in ("listings", "declarations", "parcels", "filings", "provenance", "sellers"):
        ids = [json.loads(line)["id" if name != "sellers" else "seller_id"]
               for line in (Path(j.out) / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        key = "id" if name != "sellers" else "seller_id"
        assert pl.read_csv(Path(c.out) / f"{name}.csv", infer_schema_length=0)[key].to_list() == ids
        assert pl.read_parquet(Path(q.out) / f"{name}.parquet")[key].to_list() == ids
    # truth is CSV whatever the record format, and identical across formats
    truth = "truth/listings.csv"
    assert (Path(j.out) / truth).read_bytes() == (Path(q.out) / truth).read_bytes()
    items = json.loads(pl.read_csv(Path(c.out) / "declarations.csv")["items"][0])
    assert items[0]["line"] == 1


def test_a_hard_world_disguises_every_counterfeit_and_narrows_the_price_gap(tmp_path: Path) -> None:
    hard = SimParams(obfuscation_rate=1.0, counterfeit_price_ratio=(0.8, 0.95), counterfeit_full_price_rate=0.5,
                     trade_term_rate=0.0, contact_cue_rate=0.0,
                     listing_mix=ListingMix(counterfeit=0.5, genuine=0.5, parallel_import=0, unbranded=0,
                                            hard_negative=0),
                     counts=TINY.counts)
    w = WorldReader(Path(generate(tmp_path / "hard", seed=5, params=hard).out))
    actors = w.truth("actors")
    fakes = [t for t in w.truth("listings").values() if t["label"] == "counterfeit"]
    assert 0.4 < len(fakes) / 800 < 0.6
    blatant = [t for t in fakes if actors[t["actor_id"]]["kind"] == "counterfeiter"]
    assert blatant and all(t["disguises"] != "exact" for t in blatant)
    assert all(t["trade_term"] == "false" and t["contact_cue"] == "false" for t in fakes)
    assert all(float(t["price_ratio"]) >= 0.5 for t in fakes)


def test_cli_writes_a_world_and_rejects_bad_input(tmp_path: Path, cli_env: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(app, ["sim", "--seed", "7", "--size", "small", "--out", str(out),
                                 "--obfuscation-rate", "0.9"])
    assert result.exit_code == 0, result.output
    for name in ("registry/marks.csv", "registry/products.csv", "registry/parties.csv", "listings.jsonl",
                 "declarations.jsonl", "parcels.jsonl", "inspections.csv", "filings.jsonl", "provenance.jsonl",
                 "truth/listings.csv", "truth/parcels.csv", "truth/declarations.csv", "truth/filings.csv",
                 "truth/actors.csv", "truth/provenance.csv"):
        assert (out / name).is_file(), name
    assert json.loads((out / "manifest.json").read_text())["params"]["obfuscation_rate"] == 0.9
    bad = runner.invoke(app, ["sim", "--out", str(tmp_path / "x"), "--obfuscation-rate", "1.5"])
    assert bad.exit_code == 2
    (tmp_path / "file").write_text("x")
    assert runner.invoke(app, ["sim", "--out", str(tmp_path / "file")]).exit_code == 2


def test_parallel_chunks_give_the_same_listings_as_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from bordermark.sim import listings
    from bordermark.sim.actors import build_sellers
    from bordermark.sim.brands import build_brands

    counts = TINY.resolved_counts()
    brands = build_brands(4, counts.holders, TINY.famous_share)
    sellers = build_sellers(4, counts.sellers, counts.networks, TINY.network_share, brands)
    monkeypatch.setattr(listings, "CHUNK", 300)
    one = listings.build_listings(4, 800, TINY, brands, sellers, workers=1)
    two = listings.build_listings(4, 800, TINY, brands, sellers, workers=2)
    assert one.records == two.records and one.truth == two.truth
    assert one.records["id"][-1] == "L0000800" and len(set(one.records["id"])) == 800
