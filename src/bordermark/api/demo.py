"""Fill the officers' inspection queues from a simulated world, for ``make demo``.

What it does: screens the world's declarations and parcels through the same path as ``POST /api/v1/screen/...``
(IPR rules, split detection, targeted plus random selection), then records the world's inspection outcomes
(``inspections.csv``) on the records they concern, so the queues, record pages and the analytics (hit rate of
targeted versus random inspections) have content. Records are screened in batches, with a progress bar.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tqdm import tqdm

from bordermark.accounts import Principal, Role
from bordermark.api import records_ops
from bordermark.store import Store
from bordermark.store.account_tables import ScreenedRecordRow

SYSTEM = Principal(user_id=0, username="demo", role=Role.ADMIN, via="system")


def prepare(store: Store, world: Path, *, limit: int | None = None, batch: int = 2000, explore: float = 0.05,
            progress: bool = True) -> dict[str, int]:
    """Screen ``world``'s declarations and parcels into the queues and apply its inspection outcomes."""
    from bordermark.ingest import iter_declarations, iter_parcels, load_mapping

    cache = records_ops.RuleCache(ttl_s=3600)
    counts: dict[str, int] = {}
    sources: list[tuple[str, Any]] = [
        ("declarations", lambda: iter_declarations(world / "declarations.jsonl", load_mapping("bordermark"))),
        ("parcels", lambda: iter_parcels(world / "parcels.jsonl")),
    ]
    for kind, reader in sources:
        path = world / f"{kind}.jsonl"
        if not path.exists():
            continue
        records = list(reader())[:limit]
        queued = 0
        bar = tqdm(total=len(records), desc=f"screen {kind}", unit="rec", disable=not progress)
        for start in range(0, len(records), batch):
            chunk = records[start:start + batch]
            out = records_ops.screen_records(store, cache, SYSTEM, kind, chunk, record=True, explore=explore)
            queued += sum(1 for r in out if r["selected_by"])
            bar.update(len(chunk))
        bar.close()
        counts[f"{kind}_screened"], counts[f"{kind}_queued"] = len(records), queued
    counts["inspections"] = apply_inspections(store, world / "inspections.csv")
    return counts


def apply_inspections(store: Store, path: Path) -> int:
    """Record the world's inspection outcomes on screened records (selection as the world made it)."""
    if not path.exists():
        return 0
    applied = 0
    with path.open(encoding="utf-8") as fh, store.session() as s:
        for row in csv.DictReader(fh):
            rec = s.scalar(select(ScreenedRecordRow).where(ScreenedRecordRow.kind == row["record_kind"],
                                                           ScreenedRecordRow.record_id == row["record_id"]))
            if rec is None or rec.status == "inspected":
                continue
            rec.status, rec.outcome = "inspected", row["outcome"]
            rec.selected_by = row.get("selected_by") or rec.selected_by or "target"
            at = datetime.fromisoformat(row["inspected_at"].replace("Z", "+00:00")) if row.get("inspected_at") \
                else datetime.now(UTC)
            rec.inspected_at, rec.inspected_by = at, "world"
            applied += 1
    return applied
