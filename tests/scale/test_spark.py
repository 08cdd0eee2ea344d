"""The Spark batch path gives the same records as the single-process commands, reports bad rows by file and line,
and fills the review queue, on a real local Spark (``local[2]``) started once for the module."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bordermark.detect import Detector
from bordermark.detect.stream import process_lines
from bordermark.registry import service as registry_service
from bordermark.scale import spark as job
from bordermark.screen import service
from bordermark.screen.engine import Screener
from bordermark.sim import SimParams, generate
from bordermark.store import Store, open_store

SMALL = SimParams().with_counts(holders=60, listings=600, sellers=50, traders=40, declarations=100, parcels=50,
                                filings=50, networks=3)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spark-world") / "w"
    generate(out, seed=11, params=SMALL)
    return out


@pytest.fixture(scope="module")
def store(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    st = open_store(f"sqlite:///{tmp_path_factory.mktemp('spark-db') / 'b.db'}")
    st.migrate()
    registry_service.import_files(st, sorted((world / "registry").glob("*.csv")))
    return st


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    s = job.session("local[2]")
    yield s
    s.stop()


def _by_id(lines: Iterator[str] | list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for line in lines:
        row = json.loads(line)
        assert row["id"] not in out, "each input row yields exactly one output row"
        out[row["id"]] = row
    return out


def _with_bad_rows(world: Path, dest: Path) -> Path:
    """The world's listings with three bad rows appended, at known line numbers."""
    lines = (world / "listings.jsonl").read_text(encoding="utf-8").splitlines()
    lines += ["{not json", '{"title": "no id here", "price": 3, "currency": "USD"}',
              '{"id": "X1", "title": "Bag", "price": "cheap", "currency": "USD"}']
    dest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def test_detect_matches_single_process(spark: Any, store: Store, world: Path, tmp_path: Path) -> None:
    src = _with_bad_rows(world, tmp_path / "in.jsonl")
    detector = Detector.from_registry(registry_service.load(store))
    rep = job.detect(spark, detector, [str(src)], str(tmp_path / "out"), partitions=3)
    single = [x for x in process_lines(detector, src.read_text(encoding="utf-8").splitlines())
              if isinstance(x, str)]
    got = _by_id(job.merged_lines(tmp_path / "out"))
    assert got == _by_id(single)
    assert rep.processed == len(single) == 601  # the row with a non-numeric price is fine for detection
    n = len((world / "listings.jsonl").read_text(encoding="utf-8").splitlines())
    assert rep.bad_rows == 2
    assert sorted(rep.bad_examples) == sorted([
        f"{src}:{n + 1}: line: malformed JSON: Expecting property name enclosed in double quotes at column 2",
        f"{src}:{n + 2}: id: missing 'id'"])
    assert any(r["hits"] for r in got.values())


def test_screen_listings_matches_single_process_and_queues(spark: Any, store: Store, world: Path,
                                                           tmp_path: Path) -> None:
    src = _with_bad_rows(world, tmp_path / "in.jsonl")
    screener = service.make_screener(store)
    single = tmp_path / "single.jsonl"
    service.screen_file(src, single, screener)
    raised: list[Any] = []
    rep = job.screen_listings(spark, service.make_screener(store), [str(src)], str(tmp_path / "out"),
                              partitions=4, on_raised=raised.extend, queued=[v.value for v in service.QUEUED])
    got = _by_id(job.merged_lines(tmp_path / "out"))
    assert got == _by_id(single.read_text(encoding="utf-8").splitlines())
    assert rep.processed == 600 and rep.bad_rows == 3
    assert any(e.endswith(": price: 'cheap' is not a number") for e in rep.bad_examples)
    want = {k for k, r in got.items() if r["verdict"] in {v.value for v in service.QUEUED}}
    assert want and {r.listing_id for r in raised} == want
    assert sum(rep.verdicts.values()) == 600
    assert rep.verdicts.get("likely_counterfeit", 0) == sum(r["verdict"] == "likely_counterfeit" for r in got.values())


def test_parquet_input_line_numbers(spark: Any, store: Store, tmp_path: Path) -> None:
    rows = [{"id": f"P{i}", "title": f"item {i} original GUCCI bag", "description": None} for i in range(40)]
    rows[17] = {"id": None, "title": "no id", "description": None}
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    detector = Detector.from_registry(registry_service.load(store))
    rep = job.detect(spark, detector, [str(src)], str(tmp_path / "out"), partitions=3)
    assert rep.processed == 40 and rep.bad_rows == 0  # a null id is still an id key for detection
    screener: Screener = service.make_screener(store)
    rep2 = job.screen_listings(spark, screener, [str(src)], str(tmp_path / "out2"), partitions=3)
    assert rep2.bad_rows == 1 and rep2.bad_examples == [f"{src}:18: id: missing listing id"]
    assert len(list(job.merged_lines(tmp_path / "out2"))) == 39


def test_cli_batch_screen_listings(world: Path, cli_env: Path, tmp_path: Path) -> None:
    env = {"BORDERMARK_DATA_DIR": str(cli_env), "PATH": "/usr/bin:/bin"}
    bm = [sys.executable, "-m", "bordermark.cli.main"]
    subprocess.run([*bm, "registry", "import", *map(str, sorted((world / "registry").glob("*.csv")))],
                   env=env, check=True, capture_output=True)
    src = _with_bad_rows(world, tmp_path / "in.jsonl")
    out = tmp_path / "out"
    res = subprocess.run([*bm, "batch", "screen-listings", "-i", str(src), "-o", str(out), "--master", "local[2]"],
                         env=env, capture_output=True, text=True)
    assert res.returncode == 3, res.stderr[-2000:]
    assert "screened 600 record(s)" in res.stderr and "3 bad row(s) skipped" in res.stderr
    assert len(list(job.merged_lines(out))) == 600
    queue = subprocess.run([*bm, "screen", "queue", "--format", "json", "--limit", "1000"], env=env,
                           capture_output=True, text=True, check=True)
    assert len(json.loads(queue.stdout)) > 0
    again = subprocess.run([*bm, "batch", "detect", "-i", str(src), "-o", str(out)], env=env, capture_output=True,
                           text=True)
    assert again.returncode == 2 and "already exists" in again.stderr
