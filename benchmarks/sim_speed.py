"""Benchmark of the world generator: one million listings, and a whole large world.

Run: .venv/bin/python benchmarks/sim_speed.py [--skip-large]
Writes benchmarks/results/sim_speed.md. Needs no external data (the world is synthetic).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bordermark.sim import RecordFormat, SimParams, Size, generate
from bordermark.sim.actors import build_sellers
from bordermark.sim.brands import build_brands
from bordermark.sim.listings import build_listings
from bordermark.sim.output import write_csv, write_records

RESULTS = Path(__file__).parent / "results" / "sim_speed.md"


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the listing workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def listings_only(n: int, out: Path, workers: int) -> dict[str, float]:
    """Registry, sellers and ``n`` listings with their truth, written as JSONL: the 1M-listings target."""
    params = SimParams(size=Size.large)
    counts = params.resolved_counts()
    c0 = _cpu()
    t0 = time.perf_counter()
    brands = build_brands(7, counts.holders, params.famous_share)
    sellers = build_sellers(7, counts.sellers, counts.networks, params.network_share, brands)
    t1 = time.perf_counter()
    tables = build_listings(7, n, params, brands, sellers, workers=workers)
    t2 = time.perf_counter()
    write_records(out, "listings", tables.records, RecordFormat.jsonl)
    write_csv(out / "truth" / "listings.csv", tables.truth)
    t3 = time.perf_counter()
    cpu = _cpu() - c0
    size_mb = (out / "listings.jsonl").stat().st_size / 1e6
    return {"setup_s": t1 - t0, "generate_s": t2 - t1, "write_s": t3 - t2, "total_s": t3 - t0, "cpu_s": cpu,
            "jsonl_mb": size_mb}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--listings", type=int, default=1_000_000)
    ap.add_argument("--skip-large", action="store_true", help="only the listings benchmark")
    args = ap.parse_args()
    lines = ["# sim_speed", "", f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
             f"{os.cpu_count()} CPU(s), Python {platform.python_version()}. CPU time counts the worker processes "
             "too.", ""]
    for workers in sorted({1, os.cpu_count() or 1}):
        with tempfile.TemporaryDirectory() as tmp:
            r = listings_only(args.listings, Path(tmp), workers)
        print(f"{args.listings:,} listings, {workers} worker(s): {r}")
        lines += [f"## {args.listings:,} listings, {workers} worker process(es) "
                  "(registry of 3,000 marks, 40,000 sellers, JSONL + truth CSV)", "",
                  "| step | seconds |", "|---|---|",
                  f"| registry + sellers | {r['setup_s']:.1f} |",
                  f"| listings (text + truth) | {r['generate_s']:.1f} |",
                  f"| write JSONL + truth CSV | {r['write_s']:.1f} |", f"| **total (wall)** | **{r['total_s']:.1f}** |",
                  f"| CPU time (all processes) | {r['cpu_s']:.1f} |", "",
                  f"Throughput: {args.listings / r['total_s']:,.0f} listings/s; listings.jsonl "
                  f"{r['jsonl_mb']:.0f} MB; load average after the run {os.getloadavg()[0]:.1f} (wall time exceeds "
                  "CPU time when other jobs share the cores). Target: 1M listings well under a minute.", ""]
    if not args.skip_large:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            c0 = _cpu()
            summary = generate(Path(tmp) / "large", seed=7, params=SimParams(size=Size.large))
            elapsed = time.perf_counter() - t0
            cpu = _cpu() - c0
            print(f"large world: {elapsed:.1f}s wall, {cpu:.1f}s CPU {summary.counts}")
            lines += ["## Whole large world (`bordermark sim --size large`)", "",
                      f"{elapsed:.1f} s wall ({cpu:.1f} s CPU) for "
                      + ", ".join(f"{v:,} {k}" for k, v in summary.counts.items()) + ".", ""]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
