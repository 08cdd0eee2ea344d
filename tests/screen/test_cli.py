"""``bordermark screen`` end to end with the real detector: files in, results out, queue, decide, notice."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bordermark.cli.main import app

runner = CliRunner()

LISTINGS = [
    {"id": "L1", "title": "ACM3 running shoes replica AAA", "price": "19.50", "currency": "USD", "seller_id": "S1",
     "seller_name": "Cheap Kicks", "platform": "shopx", "category": "shoes", "ships_from": "CN",
     "url": "https://shopx.test/L1"},
    {"id": "L2", "title": "ACME Runner One shoes imported from Japan", "price": 98, "currency": "USD",
     "seller_id": "S2", "platform": "shopx", "category": "shoes"},
    {"id": "L3", "title": "ACME Runner One shoes", "price": 130, "currency": "USD", "seller_id": "S-OFFICIAL",
     "platform": "shopx", "category": "shoes"},
    {"id": "L4", "title": "garden hose 20m", "price": 9, "currency": "USD", "platform": "shopx"},
]


@pytest.fixture
def world(cli_env: Path, tmp_path: Path, registry_files: list[Path]) -> Path:
    res = runner.invoke(app, ["registry", "import", *map(str, registry_files)])
    assert res.exit_code == 0, res.output
    lines = [json.dumps(x) for x in LISTINGS]
    lines.insert(2, '{"id": "BAD1", "price": "ten", "currency": "USD"}')
    lines.insert(3, '{"title": "no id"}')
    lines.append('{"id": "BAD3", "price": 5, "currency": "ABC"}')
    p = tmp_path / "listings.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_screen_listings_jsonl(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["screen", "listings", "--input", str(world), "--output", str(out)])
    assert res.exit_code == 3, res.output
    assert f"{world}:3: price: 'ten' is not a number" in res.output
    assert f"{world}:4: id: missing listing id" in res.output
    assert f"{world}:7: currency: unknown currency 'ABC'" in res.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"L1", "L2", "L3", "L4"}
    assert set(rows["L1"]) >= {"id", "score", "verdict", "brand_hits", "reasons", "scenario_version"}
    assert rows["L1"]["verdict"] == "likely_counterfeit"
    assert rows["L2"]["verdict"] == "possible_parallel_import"
    assert rows["L3"]["verdict"] == "brand_mention_ok"
    assert rows["L4"]["verdict"] == "clear"
    assert rows["L1"]["brand_hits"][0]["method"] == "leet"
    assert all(set(r) == {"code", "detail", "contribution"} for r in rows["L1"]["reasons"])
    assert 0 < rows["L2"]["score"] < rows["L1"]["score"] < 1 and rows["L4"]["score"] < 0.5

    q = runner.invoke(app, ["screen", "queue", "--format", "json"])
    assert json.loads(q.stdout)[0]["id"] == "L1"

    res = runner.invoke(app, ["screen", "decide", "L1", "counterfeit", "--actor", "ana", "--note", "fake logo"])
    assert res.exit_code == 0 and "learned 1 alias" in res.output
    assert runner.invoke(app, ["screen", "decide", "L9", "genuine", "--actor", "ana"]).exit_code == 2

    res = runner.invoke(app, ["screen", "notice", "--out", str(tmp_path / "notices")])
    assert res.exit_code == 0, res.output
    md = next((tmp_path / "notices").glob("*.md")).read_text()
    assert "https://shopx.test/L1" in md and "US-123" in md

    res = runner.invoke(app, ["screen", "train"])
    assert res.exit_code == 2 and "need at least" in res.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_screen_listings_csv_and_parquet(world: Path, tmp_path: Path, suffix: str) -> None:
    src = tmp_path / "in.csv"
    with src.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "title", "price", "currency", "seller_id", "category"])
        w.writeheader()
        for x in LISTINGS:
            w.writerow({k: x.get(k, "") for k in w.fieldnames})
    out = tmp_path / f"out{suffix}"
    res = runner.invoke(app, ["screen", "listings", "-i", str(src), "-o", str(out), "--no-queue"])
    assert res.exit_code == 0, res.output
    if suffix == ".csv":
        with out.open() as fh:
            rows = list(csv.DictReader(fh))
        reasons = json.loads(rows[0]["reasons"])
    else:
        rows = pq.read_table(out).to_pylist()
        reasons = json.loads(rows[0]["reasons"])
    assert [r["id"] for r in rows] == ["L1", "L2", "L3", "L4"]
    assert reasons[0]["code"]


def test_unknown_extension_is_bad_input(cli_env: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["screen", "listings", "-i", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 2 and "unknown file type" in res.output


def test_scenario_commands(cli_env: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "s.json"
    cfg.write_text(json.dumps({"alert_threshold": 0.8}))
    assert runner.invoke(app, ["screen", "draft", "--config", str(cfg), "--name", "strict"]).exit_code == 0
    assert runner.invoke(app, ["screen", "publish", "1"]).exit_code == 0
    assert runner.invoke(app, ["screen", "publish", "1"]).exit_code == 2
    shown = json.loads(runner.invoke(app, ["screen", "show-scenario", "1"]).stdout)
    assert shown["config"]["alert_threshold"] == 0.8 and shown["status"] == "published"
    cfg.write_text(json.dumps({"weights": {"nonsense": 1}}))
    res = runner.invoke(app, ["screen", "draft", "--config", str(cfg)])
    assert res.exit_code == 2 and "unknown feature" in res.output
    feats = json.loads(runner.invoke(app, ["screen", "features", "--format", "json"]).stdout)
    assert {f["code"] for f in feats} >= {"brand_disguised", "price_below_genuine"}
