"""Read what analytics needs from the store into plain dictionaries (the only I/O of the package)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bordermark.store import Store
from bordermark.store.account_tables import ScreenedRecordRow
from bordermark.store.registry_tables import HolderRow, MarkRow, ProductRow


@dataclass
class Snapshot:
    """Plain rows: cases (with the states they went through), inspections, open queue items, marks."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    inspections: list[dict[str, Any]] = field(default_factory=list)
    queue_items: list[dict[str, Any]] = field(default_factory=list)
    marks: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def collect(store: Store, now: datetime | None = None) -> Snapshot:
    snap = Snapshot(now=now or datetime.now(UTC))
    with store.session() as s:
        categories: dict[str, str] = {}
        for mark_id, category in s.execute(select(ProductRow.mark_id, ProductRow.category)):
            if category and mark_id not in categories:
                categories[mark_id] = category
        for m, holder in s.execute(select(MarkRow, HolderRow.name).join(HolderRow, HolderRow.id == MarkRow.holder_id)):
            snap.marks[m.id] = {"text": m.text, "right_type": m.right_type, "holder": holder,
                                "category": categories.get(m.id)}
        for r in s.scalars(select(ScreenedRecordRow)):
            item = {"kind": r.kind, "id": r.record_id, "channel": r.channel, "origin": r.origin,
                    "category": r.category, "status": r.status, "selected_by": r.selected_by, "outcome": r.outcome,
                    "screened_at": _aware(r.screened_at), "inspected_at": _aware(r.inspected_at)}
            snap.records[(r.kind, r.record_id)] = item
            if r.status == "inspected":
                snap.inspections.append(item)
            elif r.selected_by:
                snap.queue_items.append({"queue": f"{r.kind}s", "since": _aware(r.screened_at)})
        _alerts(s, snap)
        _cases(s, snap)
    return snap


def _alerts(s: Any, snap: Snapshot) -> None:
    try:
        from bordermark.store.screen_tables import AlertRow
    except ImportError:
        return
    for screened_at, status in s.execute(select(AlertRow.screened_at, AlertRow.status)):
        if status == "open":
            snap.queue_items.append({"queue": "listings", "since": _aware(screened_at)})


def _cases(s: Any, snap: Snapshot) -> None:
    try:
        from bordermark.store.case_tables import CaseEventRow, CaseRow
    except ImportError:
        return
    states: dict[str, set[str]] = {}
    for case_id, state_after in s.execute(select(CaseEventRow.case_id, CaseEventRow.state_after)):
        states.setdefault(case_id, set()).add(state_after)
    for c in s.scalars(select(CaseRow)):
        snap.cases.append({"id": c.id, "profile": c.profile, "state": c.state, "goods_kind": c.goods_kind,
                           "goods_id": c.goods_id, "mark_ids": list(c.mark_ids or []),
                           "opened_at": _aware(c.opened_at), "states": states.get(c.id, set()) | {c.state},
                           "deadlines": list(c.deadlines or []), "facts": dict(c.facts or {})})
