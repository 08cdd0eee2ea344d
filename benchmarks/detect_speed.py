"""Detection speed, end to end (JSONL file -> detect -> JSONL file) on one core, with 5,000 registered marks.

Texts: listing-like records (title + description, ~110 characters): 60 % brand-free, 25 % naming a registered brand
(a third of those disguised), 15 % Chinese. Reported next to a bare exact scan (one pyahocorasick automaton of the
lower-cased mark names and aliases over the lower-cased text) of the same texts in the same run, both as a pure scan
and end to end through the same JSON reading and writing (orjson, as `bordermark detect` uses), and as a ratio.

Each timed path runs ``--repeat`` times (default 3) and the fastest run counts: on a shared machine CPU seconds still
vary by +-20 % from run to run, and the minimum is the least disturbed figure.

The engine runs compiled when ``pip install -e .`` built the Cython core (``setup.py``); the benchmark then also
times the pure Python modules end to end in a second process (``--pure`` runs only that path).

Run: .venv/bin/python benchmarks/detect_speed.py [--texts 50000] [--marks 5000] [--repeat 3] [--profile] [--pure]
Writes benchmarks/results/detect_speed.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ahocorasick
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

if "--pure" in sys.argv:  # the pure Python path even where the compiled finishing stage is built
    sys.modules["bordermark.detect._fast"] = None  # type: ignore[assignment]

from detect_common import LATIN_DISGUISES, brand_free, embed, synthetic_registry

from bordermark.detect import COMPILED, Detector
from bordermark.detect.stream import process_lines, record_text

E2E_WALL = [0.0]


def make_records(n: int, marks: list, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    kinds = list(LATIN_DISGUISES.values())
    zh_marks = [(m, a.text) for m in marks for a in m.aliases if any("\u4e00" <= c <= "\u9fff" for c in a.text)]
    out = []
    for i in range(n):
        r = rng.random()
        if r < 0.15:
            m, zh = rng.choice(zh_marks)
            title = embed(rng, zh, m.nice_classes, zh=True) if rng.random() < 0.6 else brand_free(rng, True)
            desc = brand_free(rng, True)
        elif r < 0.40:
            m = rng.choice(marks)
            disguise = rng.random() >= 0.67 and len(m.text.replace(" ", "")) >= 5
            surface = rng.choice(kinds)(rng, m.text) if disguise else m.text
            title, desc = embed(rng, surface, m.nice_classes), brand_free(rng)
        else:
            title, desc = brand_free(rng), brand_free(rng)
        out.append({"id": f"L{i:07d}", "title": title, "description": desc, "category": ""})
    return out


def bare_automaton(marks: list) -> ahocorasick.Automaton:
    a = ahocorasick.Automaton()
    for m in marks:
        for name, _ in m.all_names():
            a.add_word(name.lower(), m.id)
    a.make_automaton()
    return a


class Clock:
    """Wall and CPU time of a block: on a shared machine CPU seconds are the honest one-core figure."""

    def __enter__(self) -> Clock:
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def fastest(clocks: list[Clock]) -> Clock:
    return min(clocks, key=lambda c: c.cpu)


def run(n_texts: int, n_marks: int, seed: int, profile: bool, repeat: int = 3,
        pure_e2e: tuple[float, float] | None = None) -> tuple[str, float]:
    """The report, and the end-to-end CPU seconds; ``pure_e2e``: (CPU, wall) of the pure path in another process."""
    load_start = os.getloadavg()[0]
    reg = synthetic_registry(n_marks, seed)
    marks = list(reg.marks)
    t0 = time.perf_counter()
    det = Detector.from_registry(reg)
    t_build = time.perf_counter() - t0
    records = make_records(n_texts, marks, seed)
    bare = bare_automaton(marks)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        dst = Path(tmp) / "out.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        size_mb = src.stat().st_size / 1e6
        texts = [record_text(r)[0] for r in records]
        avg_len = sum(map(len, texts)) / len(texts)
        # warm the per-token caches and the lazily loaded word lists the way a long-running process would have
        det.detect_many(texts[: min(20000, len(texts))])

        runs: dict[str, list[Clock]] = {"bare_scan": [], "bare_e2e": [], "mem": [], "e2e": []}
        prof = cProfile.Profile() if profile else None
        for r in range(repeat):
            # 1. bare exact scan, pure
            n_bare = 0
            with Clock() as c:
                for t in texts:
                    for _ in bare.iter(t.lower()):
                        n_bare += 1
            runs["bare_scan"].append(c)

            # 2. bare exact scan end to end (same JSON reading and writing)
            with Clock() as c, open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as g:
                for line in f:
                    obj = orjson.loads(line)
                    text, _ = record_text(obj)
                    found = [{"mark_id": v, "end": e} for e, v in bare.iter(text.lower())]
                    g.write(orjson.dumps({"id": obj["id"], "hits": found}).decode() + "\n")
            runs["bare_e2e"].append(c)

            # 3. the detector, pure (texts in memory)
            with Clock() as c:
                dets = det.detect_many(texts)
            runs["mem"].append(c)

            # 4. the detector end to end: what `bordermark detect --input --output` runs
            if prof and r == 0:
                prof.enable()
            with Clock() as c, open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as g:
                for item in process_lines(det, f):
                    g.write(str(item) + "\n")
            if prof and r == 0:
                prof.disable()
            runs["e2e"].append(c)
        with_hit = sum(1 for d in dets if d.hits)
        with_sig = sum(1 for d in dets if d.signals)
        bare_scan, bare_e2e = fastest(runs["bare_scan"]), fastest(runs["bare_e2e"])
        mem, e2e = fastest(runs["mem"]), fastest(runs["e2e"])
        spread = {k: max(c.cpu for c in v) / min(c.cpu for c in v) - 1 for k, v in runs.items()}

    E2E_WALL[0] = e2e.wall
    rate = n_texts / e2e.cpu
    lines = [
        "# Detection speed\n",
        f"{n_texts:,} listing texts (mean {avg_len:.0f} characters, {size_mb:.1f} MB of JSONL), registry of "
        f"{len(marks):,} marks with their aliases ({n_marks:,} synthetic + shipped sample); one process, one core "
        f"({platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs on the machine, shared with other work: load average {load_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end). Detector index build: {t_build:.2f} s. Seed {seed}. "
        "Rates use CPU seconds of this process "
        f"(the one-core figure on a busy machine), fastest of {repeat} runs per path (slowest run up to "
        f"{max(spread.values()):.0%} slower); wall seconds are shown too.\n",
        "| path | CPU s | wall s | texts per CPU-second |",
        "|---|---:|---:|---:|",
        f"| bare exact Aho-Corasick scan, texts in memory | {bare_scan.cpu:.2f} | {bare_scan.wall:.2f} | "
        f"{n_texts / bare_scan.cpu:,.0f} |",
        f"| bare exact scan, JSONL -> JSONL | {bare_e2e.cpu:.2f} | {bare_e2e.wall:.2f} | "
        f"{n_texts / bare_e2e.cpu:,.0f} |",
        f"| Detector.detect_many, texts in memory | {mem.cpu:.2f} | {mem.wall:.2f} | {n_texts / mem.cpu:,.0f} |",
        f"| **Detector, JSONL -> JSONL (`bordermark detect`)** | {e2e.cpu:.2f} | {e2e.wall:.2f} | **{rate:,.0f}** |",
        *([f"| same, pure Python modules (second process, not compiled) | {pure_e2e[0]:.2f} | {pure_e2e[1]:.2f} | "
           f"{n_texts / pure_e2e[0]:,.0f} |"] if pure_e2e else []),
        "",
        f"Detection core: {'compiled by Cython (' + ', '.join(COMPILED) + ')' if COMPILED else 'pure Python'}"
        + (f"; compiled vs pure end to end: {pure_e2e[0] / e2e.cpu:.2f}x" if pure_e2e else "") + ".\n",
        f"Ratio end to end, detector / bare scan: **{e2e.cpu / bare_e2e.cpu:.1f}x** the CPU time "
        f"({mem.cpu / bare_scan.cpu:.1f}x for the in-memory scans). Target: >= 50,000 texts/s end to end; "
        f"{'met' if rate >= 50000 else 'NOT met'}.\n",
        f"Texts with a hit: {with_hit:,} ({with_hit / n_texts:.1%}); with a signal: {with_sig:,} "
        f"({with_sig / n_texts:.1%}); bare-scan raw matches: {n_bare:,}.\n",
    ]
    if prof:
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
        lines += ["## Profile (end-to-end run, by own time)\n", "```", buf.getvalue().strip()[-4000:], "```\n"]
    return "\n".join(lines) + "\n", e2e.cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=50_000)
    ap.add_argument("--marks", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per path; the fastest counts")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "detect_speed.md")
    ap.add_argument("--pure", action="store_true", help="time the pure Python modules even where compiled ones exist")
    args = ap.parse_args()
    pure_e2e = None
    if COMPILED and not args.pure:  # the same run on the pure modules, in a fresh process (no shared caches)
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([sys.executable, __file__, "--pure", "--texts", str(args.texts), "--marks",
                                   str(args.marks), "--seed", str(args.seed), "--repeat", str(args.repeat),
                                   "--out", str(Path(tmp) / "pure.md")], capture_output=True, text=True, check=True)
        cpu, wall = (float(v) for v in proc.stdout.strip().splitlines()[-1].split()[1:3])
        pure_e2e = (cpu, wall)
    report, e2e_cpu = run(args.texts, args.marks, args.seed, args.profile, args.repeat, pure_e2e)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    print(f"E2E {e2e_cpu:.4f} {E2E_WALL[0]:.4f}")  # read by the compiled run's pure comparison


if __name__ == "__main__":
    main()
