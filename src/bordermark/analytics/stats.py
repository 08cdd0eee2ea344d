"""Analytics tables from a :class:`~bordermark.analytics.collect.Snapshot`. Pure: no I/O.

Definitions (kept here so every report agrees):
- a **detention** is a case that reached a state in ``DETAINED`` (customs held the goods after the holder's
  application or a determination); a **seizure** is a case that reached ``SEIZED`` (found infringing and after);
- the **channel** of a case is its goods' customs mode: CBEC 9610 or 1210, postal, express, or general cargo
  (0110 and anything else); listings are "online";
- the **hit rate** of inspections is the share with a violation or counterfeit outcome, per selection
  (targeted by the rules and model, or random exploration), with a Wilson 95 % interval;
- a deadline is **met** when it closed as met (or was stopped by the event it waited for), **missed** when it
  expired.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bordermark.analytics.collect import Snapshot

DETAINED = {"detained", "undetermined", "infringing", "disposed", "referred", "court", "seized", "forfeited",
            "detained_eu", "destroyed"}
SEIZED = {"infringing", "disposed", "referred", "seized", "forfeited", "destroyed"}
CHANNELS = {"9610": "CBEC 9610", "1210": "CBEC 1210", "9710": "CBEC 9710", "9810": "CBEC 9810",
            "postal": "postal", "express": "express"}
DIMENSIONS = ("channel", "right_type", "category", "origin", "brand", "month")


@dataclass
class Tables:
    """Every analytics table as rows of dicts, ready for CSV, HTML and plots."""

    by_dimension: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hit_rates: list[dict[str, Any]] = field(default_factory=list)
    queue_ages: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    def named(self) -> dict[str, list[dict[str, Any]]]:
        out = {f"detentions_by_{d}": rows for d, rows in self.by_dimension.items()}
        out |= {"hit_rates": self.hit_rates, "queue_ages": self.queue_ages, "deadlines": self.deadlines}
        return out


def channel_of(mode: str | None, goods_kind: str) -> str:
    if goods_kind == "listing":
        return "online"
    if not mode:
        return "unknown"
    return CHANNELS.get(mode, "general cargo")


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 0.0)
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _case_dims(case: dict[str, Any], snap: Snapshot) -> dict[str, str]:
    rec = snap.records.get((case["goods_kind"], case["goods_id"]), {})
    mark = next((snap.marks[m] for m in case["mark_ids"] if m in snap.marks), {})
    opened: datetime | None = case.get("opened_at")
    return {
        "channel": channel_of(rec.get("channel") or case["facts"].get("mode"), case["goods_kind"]),
        "right_type": mark.get("right_type") or "unknown",
        "category": mark.get("category") or rec.get("category") or "unknown",
        "origin": rec.get("origin") or case["facts"].get("origin") or "unknown",
        "brand": mark.get("text") or "unknown",
        "month": opened.strftime("%Y-%m") if opened else "unknown",
    }


def compute(snap: Snapshot) -> Tables:
    t = Tables()
    counts: dict[str, dict[str, Counter[str]]] = {d: defaultdict(Counter) for d in DIMENSIONS}
    for case in snap.cases:
        dims = _case_dims(case, snap)
        detained = bool(case["states"] & DETAINED)
        seized = bool(case["states"] & SEIZED)
        for d in DIMENSIONS:
            c = counts[d][dims[d]]
            c["cases"] += 1
            c["detentions"] += detained
            c["seizures"] += seized
    for d in DIMENSIONS:
        items = sorted(counts[d].items(), key=lambda kv: (kv[0],) if d == "month" else
                       (-kv[1]["detentions"], -kv[1]["cases"], kv[0]))
        t.by_dimension[d] = [{d: key, "cases": c["cases"], "detentions": c["detentions"], "seizures": c["seizures"]}
                             for key, c in items]
    t.totals = {"cases": len(snap.cases),
                "detentions": sum(bool(c["states"] & DETAINED) for c in snap.cases),
                "seizures": sum(bool(c["states"] & SEIZED) for c in snap.cases),
                "inspections": len(snap.inspections), "open_queue_items": len(snap.queue_items)}
    by_sel: dict[str, Counter[str]] = defaultdict(Counter)
    for i in snap.inspections:
        sel = i.get("selected_by") or "target"
        by_sel[sel]["n"] += 1
        by_sel[sel]["hits"] += i.get("outcome") in ("violation", "counterfeit")
        by_sel[sel]["counterfeit"] += i.get("outcome") == "counterfeit"
    for sel in sorted(by_sel):
        n, hits = by_sel[sel]["n"], by_sel[sel]["hits"]
        low, high = wilson(hits, n)
        t.hit_rates.append({"selection": sel, "inspected": n, "hits": hits, "counterfeit": by_sel[sel]["counterfeit"],
                            "hit_rate": round(hits / n, 4) if n else 0.0, "ci_low": round(low, 4),
                            "ci_high": round(high, 4)})
    ages: dict[str, list[float]] = defaultdict(list)
    for q in snap.queue_items:
        if q.get("since"):
            ages[q["queue"]].append((snap.now - q["since"]).total_seconds() / 3600)
    for queue in sorted(ages):
        v = sorted(ages[queue])
        t.queue_ages.append({"queue": queue, "open": len(v), "median_hours": round(_q(v, 0.5), 1),
                             "p90_hours": round(_q(v, 0.9), 1), "oldest_hours": round(v[-1], 1)})
    dl: dict[str, Counter[str]] = defaultdict(Counter)
    for case in snap.cases:
        for d in case["deadlines"]:
            status = d.get("status")
            key = "met" if status == "met" else "missed" if status == "expired" else status or "open"
            dl[d.get("name", "?")][key] += 1
    for name in sorted(dl):
        c = dl[name]
        closed = c["met"] + c["missed"]
        t.deadlines.append({"deadline": name, "met": c["met"], "missed": c["missed"], "open": c["open"],
                            "cancelled": c["cancelled"],
                            "met_rate": round(c["met"] / closed, 4) if closed else None})
    return t


def _q(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]
