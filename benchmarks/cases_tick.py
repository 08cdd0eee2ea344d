"""Case engine throughput: open N cn-ex-officio cases, then one scheduler tick that releases them all (holder
never replied), then verify the audit chain. SQLite in a temporary directory; no external data.

Run: .venv/bin/python benchmarks/cases_tick.py [N]   -> benchmarks/results/cases_tick.md
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bordermark import audit
from bordermark.cases import service
from bordermark.store import open_store

BJ = timezone(timedelta(hours=8))


def main(n: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'b.db'}")
        t0 = time.perf_counter()
        with store.session() as s:
            for i in range(n):
                service.open_case(s, profile="cn-ex-officio", mark_ids=["M1"], goods_kind="parcel",
                                  goods_id=f"P{i}", goods_value=str(1000 + i), currency="CNY", actor="bench",
                                  at=datetime(2026, 2, 12, 10, tzinfo=BJ) + timedelta(minutes=i))
        t_open = time.perf_counter() - t0
        t0 = time.perf_counter()
        with store.session() as s:
            report = service.tick(s, now=datetime(2026, 3, 1, tzinfo=BJ))
        t_tick = time.perf_counter() - t0
        t0 = time.perf_counter()
        with store.session() as s:
            check = audit.verify(s)
        t_verify = time.perf_counter() - t0
        store.dispose()
    released = sum(1 for r in report if r.get("state") == "released")
    return "\n".join([
        "# cases_tick", "",
        f"SQLite, {n} cn-ex-officio cases opened before Spring Festival 2026, one tick after the reply period.", "",
        "| step | total s | per case ms |", "|---|---|---|",
        f"| open (with audit) | {t_open:.2f} | {1000 * t_open / n:.1f} |",
        f"| tick: release {released}/{n} | {t_tick:.2f} | {1000 * t_tick / n:.1f} |",
        f"| audit verify ({check.entries} entries, ok={check.ok}) | {t_verify:.2f} | {1000 * t_verify / n:.1f} |",
        "",
    ])


if __name__ == "__main__":
    text = main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
    out = Path(__file__).parent / "results" / "cases_tick.md"
    out.write_text(text, encoding="utf-8")
    print(text)
