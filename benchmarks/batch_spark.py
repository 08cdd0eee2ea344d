"""Listing screening on Spark against the single-process command, same data, same machine, same records.

What it shows: the Spark path (``bordermark batch screen-listings``) gives record-for-record the same results
as ``bordermark screen listings`` and how its wall time scales with local cores; on a cluster the same job
spreads over executors. On a 2-core machine Spark cannot beat one process by much: its JVM, Python workers and
serialisation cost CPU the single process does not pay.

Run: .venv/bin/python benchmarks/batch_spark.py [--size medium]
Writes benchmarks/results/batch_spark.md (wall seconds; the load average is recorded).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from bordermark.registry import service as registry_service
from bordermark.scale import spark as job
from bordermark.screen import service
from bordermark.sim import SimParams, Size, generate
from bordermark.store import open_store

OUT = Path(__file__).resolve().parent / "results" / "batch_spark.md"


def _rows(lines: list[str]) -> dict[str, str]:
    return {json.loads(line)["id"]: line for line in lines}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=[s.value for s in Size], default="medium")
    ap.add_argument("--seed", type=int, default=21)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bm-spark-"))
    try:
        generate(work / "w", seed=args.seed, params=SimParams(size=Size(args.size)))
        src = work / "w" / "listings.jsonl"
        n = sum(1 for _ in src.open(encoding="utf-8"))
        store = open_store(f"sqlite:///{work / 'b.db'}")
        store.migrate()
        registry_service.import_files(store, sorted((work / "w" / "registry").glob("*.csv")))

        t0, c0 = time.perf_counter(), time.process_time()
        screener = service.make_screener(store)
        service.screen_file(src, work / "single.jsonl", screener)
        single_wall, single_cpu = time.perf_counter() - t0, time.process_time() - c0
        single = _rows((work / "single.jsonl").read_text(encoding="utf-8").splitlines())

        runs = []
        for cores in (1, 2):
            t0 = time.perf_counter()
            spark = job.session(f"local[{cores}]")
            started = time.perf_counter() - t0
            t1 = time.perf_counter()
            rep = job.screen_listings(spark, service.make_screener(store), [str(src)], str(work / f"out{cores}"),
                                      partitions=cores * 4)
            wall = time.perf_counter() - t1
            spark.stop()
            got = _rows(list(job.merged_lines(work / f"out{cores}")))
            same = sum(1 for k, v in single.items() if json.loads(got.get(k, "null") or "null") == json.loads(v))
            runs.append((cores, started, wall, rep.processed, same))
        load = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        "# Listing screening on Spark (benchmarks/batch_spark.py)",
        "",
        f"Simulated {args.size} world, seed {args.seed}: {n:,} listings. {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; load average {load:.1f} at the end. Wall seconds; the Spark rows "
        "exclude the session start (shown apart) and include reading, screening and writing the part files.",
        "",
        "| path | session start s | wall s | listings per second | records identical to the single process |",
        "|---|---:|---:|---:|---:|",
        f"| `bordermark screen listings` (one process; CPU {single_cpu:.1f} s) | - | {single_wall:.1f} | "
        f"{n / single_wall:,.0f} | - |",
    ]
    for cores, started, wall, processed, same in runs:
        lines.append(f"| `bordermark batch screen-listings`, local[{cores}] | {started:.1f} | {wall:.1f} | "
                     f"{processed / wall:,.0f} | {same:,} of {len(single):,} |")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
