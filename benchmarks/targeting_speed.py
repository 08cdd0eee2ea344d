"""Scoring speed: 1,000,000 declarations end to end (read, features, model, write), and online p99 latency.

Run: ``.venv/bin/python benchmarks/targeting_speed.py [--model DIR] [--rows 1000000]``
Writes benchmarks/results/targeting_speed.md.

The model is the full-size one (fraud + critical, default TrainConfig) trained on the KCS train.csv, read at run time
from ../shared/data/kcs (BORDERMARK_KCS_DIR overrides; never copied). The 1M-row input is KCS valid.csv rows drawn
with replacement under fresh IDs, written to a temporary CSV outside the repository.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bordermark.ingest import load_mapping, read_frame
from bordermark.targeting import OnlineScorer, TargetingModel, TrainConfig
from bordermark.targeting.model import file_hash

ROOT = Path(__file__).resolve().parent
KCS = Path(os.environ.get("BORDERMARK_KCS_DIR", ROOT.parent.parent / "shared" / "data" / "kcs"))
OUT = ROOT / "results" / "targeting_speed.md"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=Path(tempfile.gettempdir()) / "bordermark-bench-kcs-model")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--online", type=int, default=1000)
    args = ap.parse_args()
    if not (KCS / "train.csv").exists():
        print(f"KCS data not found in {KCS}; set BORDERMARK_KCS_DIR. Nothing measured.")
        return 1
    mapping = load_mapping("kcs")
    if not (args.model / "manifest.json").exists():
        t0 = time.perf_counter()
        model = TargetingModel.train(read_frame(KCS / "train.csv", mapping), mapping, TrainConfig(),
                                     data_hash=file_hash(KCS / "train.csv"))
        model.save(args.model)
        print(f"trained in {time.perf_counter() - t0:.0f} s -> {args.model}", flush=True)
    model = TargetingModel.load(args.model)
    trees = model.fraud.tree_count_ + (model.critical.tree_count_ if model.critical is not None else 0)

    rows: list[tuple[str, float, float, float, float]] = []
    if args.rows > 0:
        rows = _batch(args.rows, mapping, model)
    lat = _online(model, args.online)
    _write(args, rows, lat, trees)
    return 0


def _batch(n_rows: int, mapping: Any, model: TargetingModel) -> list[tuple[str, float, float, float, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src = pl.read_csv(KCS / "valid.csv", infer_schema_length=0)
        rng = np.random.default_rng(0)
        big = src[rng.integers(0, src.height, n_rows).tolist()]
        big = big.with_columns(pl.Series("Declaration ID", [f"B{i:08d}" for i in range(n_rows)]))
        path = Path(tmp) / "big.csv"
        big.write_csv(path)
        del big, src
        out = Path(tmp) / "scores.csv"
        for label, reasons_top in (("no reasons", 0), ("reasons for the top 1,000", 1000)):
            t0 = time.perf_counter()
            frame = read_frame(path, mapping)
            t1 = time.perf_counter()
            scored = model.score_frame(frame, reasons_top=reasons_top)
            t2 = time.perf_counter()
            scored.write_csv(out)
            t3 = time.perf_counter()
            rows.append((label, t1 - t0, t2 - t1, t3 - t2, t3 - t0))
            print(label, [round(x, 2) for x in rows[-1][1:]], flush=True)
    return rows


def _online(model: TargetingModel, n: int) -> dict[str, list[float]]:
    scorer = OnlineScorer(model)
    records = pl.read_csv(KCS / "valid.csv", infer_schema_length=0).head(n).to_dicts()
    lat: dict[str, list[float]] = {"score only": [], "score + reasons": []}
    for rec in records[:20]:
        scorer.score(rec)  # warm-up
    for rec in records:
        t0 = time.perf_counter()
        scorer.score(rec, explain=False)
        lat["score only"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        scorer.score(rec, explain=True)
        lat["score + reasons"].append((time.perf_counter() - t0) * 1000)
    return lat


def _write(args: argparse.Namespace, rows: list[tuple[str, float, float, float, float]],
           lat: dict[str, list[float]], trees: int) -> None:
    load = os.getloadavg()
    lines = [
        "# Targeting speed",
        "",
        f"Load average at the end of the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) on 2 cores: "
        "numbers taken while other jobs ran are inflated by that factor at least.",
        "",
        "`.venv/bin/python benchmarks/targeting_speed.py` on the shared 2-core machine,",
        f"model: fraud + critical CatBoost, {trees} trees in all, trained on KCS train.csv.",
        "",
    ]
    if rows:
        lines += [f"## Batch: {args.rows:,} declarations (CSV, KCS format) end to end", "",
                  "| run | read + type s | features + model s | write s | total s |", "|---|---|---|---|---|"]
        lines += [f"| {r[0]} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.2f} |" for r in rows]
        lines += ["", "Target: <= 20 s for 1,000,000 declarations.", ""]
    lines += [f"## Online: one declaration through `OnlineScorer.score`, {args.online} calls, model loaded once", "",
              "| call | p50 ms | p95 ms | p99 ms | max ms |", "|---|---|---|---|---|"]
    for name, values in lat.items():
        a = np.array(values)
        lines.append(f"| {name} | {np.percentile(a, 50):.2f} | {np.percentile(a, 95):.2f} | "
                     f"{np.percentile(a, 99):.2f} | {a.max():.2f} |")
    lines += ["", "Target: p99 <= 20 ms.", ""]
    text = "\n".join(lines)
    if not rows and OUT.exists() and "## Batch" in OUT.read_text():  # keep the last batch numbers
        old = OUT.read_text()
        batch = old[old.index("## Batch"):old.index("## Online")]
        text = text.replace("## Online", batch + "## Online", 1)
    OUT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
