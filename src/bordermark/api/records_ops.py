"""Declarations and parcels screened through the API: IPR rules (``screen.declarations``), split-shipment
detection (``screen.splits``), the optional targeting model (``targeting.OnlineScorer``), and the inspection queue
officers work, with the right-holder scope.

The rule engine and the detector are built once per registry snapshot and cached for a short time, because
building the detector costs far more than screening a record.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bordermark.accounts import Principal
from bordermark.api.audit_log import record as audit
from bordermark.api.errors import ApiError, forbidden, invalid, not_found
from bordermark.domain import Declaration, Parcel
from bordermark.store import Store
from bordermark.store.account_tables import ScreenedRecordHolderRow, ScreenedRecordRow
from bordermark.store.registry_tables import MarkRow

KINDS = ("declarations", "parcels")
OUTCOMES = ("clear", "violation", "counterfeit")


class RuleCache:
    """A ``DeclarationScreen`` per store, rebuilt when older than ``ttl_s`` (registry changes show up then).

    Only the first request waits for a build; afterwards a stale screen keeps serving while one background
    thread rebuilds it, so a registry refresh never stalls the queue.
    """

    def __init__(self, ttl_s: float = 60.0, *, freeze_heap: bool = False) -> None:
        self.ttl_s = ttl_s
        self.freeze_heap = freeze_heap  # a server process: see _freeze_once
        self._frozen = False
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # one build at a time: no stampede when the cache expires
        self._built: tuple[float, Any] | None = None
        self._refreshing = False

    def invalidate(self) -> None:
        with self._lock:
            self._built = None
            self._split_inputs = None

    _split_inputs: tuple[float, Any, Any] | None = None

    def split_inputs(self) -> tuple[Any, Any]:
        """Currency rates and split-shipment profiles, read from their files once per ``ttl_s`` (not per
        request: parsing the YAML profiles cost more CPU than screening a parcel)."""
        with self._lock:
            got = self._split_inputs
        if got is not None and time.monotonic() - got[0] < self.ttl_s:
            return got[1], got[2]
        from bordermark.screen.money import configured_rates
        from bordermark.screen.splits import SplitConfig

        rates, config = configured_rates(), SplitConfig.load()
        with self._lock:
            self._split_inputs = (time.monotonic(), rates, config)
        return rates, config

    def get(self, store: Store) -> Any:
        with self._lock:
            built = self._built
            stale = built is not None and time.monotonic() - built[0] >= self.ttl_s
            if built is not None and stale and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh, args=(store,), daemon=True).start()
        if built is not None:
            return built[1]
        with self._build_lock:
            with self._lock:
                if self._built is not None:
                    return self._built[1]
            return self._build(store)

    def _refresh(self, store: Store) -> None:
        try:
            with self._build_lock:
                self._build(store)
        finally:
            with self._lock:
                self._refreshing = False

    def _build(self, store: Store) -> Any:
        from bordermark.registry import service as registry_service
        from bordermark.screen.declarations import DeclarationScreen
        from bordermark.screen.money import configured_rates

        screen = DeclarationScreen(registry_service.load(store), rates=configured_rates())
        with self._lock:
            self._built = (time.monotonic(), screen)
        self._freeze_once()
        return screen

    def _freeze_once(self) -> None:
        """After the first build, move everything alive into the garbage collector's permanent generation.

        Why: the first screen imports large long-lived tables (detection dictionaries, transliteration data).
        Every full collection then scanned them, 200-340 ms with the GIL held, stalling every request of the
        worker; a registry refresh (every ``ttl_s``) allocates enough to trigger one. Frozen, they are never
        scanned again; later screens are small and collected as usual.
        """
        if self.freeze_heap and not self._frozen:
            self._frozen = True
            gc.collect()
            gc.freeze()


def explore_pick(record_id: str, share: float) -> bool:
    """A deterministic random sample (by hash of the id), so random inspections are reproducible."""
    digest = int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:8], 16)
    return digest / 0xFFFFFFFF < share


def _reason_json(r: Any) -> dict[str, Any]:
    return {"code": r.code, "detail": r.detail, "weight": r.weight, "item": r.item, "mark_id": r.mark_id}


_HOLDERS_OF_MARKS = select(MarkRow.holder_id).where(MarkRow.id.in_(bindparam("ids", expanding=True)))


def _holders_of(s: Session, mark_ids: Sequence[str]) -> list[str]:
    if not mark_ids:
        return []
    return sorted(set(s.connection().execute(_HOLDERS_OF_MARKS, {"ids": sorted(set(mark_ids))}).scalars()))


def screen_records(store: Store, cache: RuleCache, who: Principal, kind: str,
                   records: Sequence[Declaration | Parcel], *, record: bool, explore: float,
                   model: Any = None) -> list[dict[str, Any]]:
    """Screen a batch; alerts (and a random ``explore`` share of the rest) enter the inspection queue."""
    if not who.can_screen:
        raise forbidden(f"role {who.role.value} may not screen {kind}")
    try:
        screen = cache.get(store)
    except ImportError as exc:
        raise ApiError(503, f"screening is unavailable: {exc}") from None
    from bordermark.screen.splits import detect_splits

    threshold = screen.config.alert_threshold
    splits: dict[str, list[Any]] = {}
    if kind == "parcels":
        rates, split_config = cache.split_inputs()
        splits = detect_splits([r for r in records if isinstance(r, Parcel)], rates, split_config).by_parcel()
    out = []
    now = datetime.now(UTC)
    with store.session() as s:
        for rec in records:
            res = screen.screen_declaration(rec) if isinstance(rec, Declaration) else screen.screen_parcel(rec)
            reasons = [_reason_json(r) for r in res.reasons]
            for flag in splits.get(rec.id, []):
                reasons.append({"code": f"split:{flag.code}", "detail": flag.detail, "weight": None, "item": None,
                                "mark_id": None, "profile": flag.profile, "group": flag.group})
            model_score = None
            if model is not None:
                try:
                    model_score = float(model.score(rec.model_dump(mode="json"), explain=False)["score"])
                except Exception as exc:  # a model trained on another format must not break screening
                    raise invalid(f"the targeting model cannot score this record: {exc}") from None
            alert = res.score >= threshold or bool(splits.get(rec.id))
            mark_ids = sorted({r.mark_id for r in res.reasons if r.mark_id})
            selected = "target" if alert else ("random" if explore_pick(rec.id, explore) else None)
            row_out = {"id": rec.id, "kind": kind[:-1], "score": round(res.score, 4), "model_score": model_score,
                       "alert": alert, "selected_by": selected, "brands": list(res.brands), "reasons": reasons}
            out.append(row_out)
            if record:
                _store_record(s, kind[:-1], rec, row_out, mark_ids, now)
        if record:
            audit(s, who, f"screen.{kind}", kind[:-1], f"{len(records)} record(s)",
                  after={"ids": [r.id for r in records][:100]})
    return out


_SR = cast(Table, ScreenedRecordRow.__table__)
_SRH = cast(Table, ScreenedRecordHolderRow.__table__)
_UPDATED_ON_RESCREEN = ("score", "model_score", "alert", "reasons", "mark_ids", "record", "channel", "origin",
                        "category", "selected_by", "screened_at")
_HOLDERS_OF_RECORD = select(_SRH.c.holder_id).where(_SRH.c.record_pk == bindparam("pk"))


def _upsert_record(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT (kind, record_id) DO UPDATE ... WHERE status <> 'inspected' RETURNING id``.

    Why one statement: the ORM version read the row, then inserted or updated it (three statements and a flush
    plan per record); two requests screening the same new record at once also made one of them fail on the
    unique key. An inspected record keeps its outcome: the conditional update returns no row and nothing changes.
    """
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(_SR)
    return ins.on_conflict_do_update(
        index_elements=[_SR.c.kind, _SR.c.record_id],
        set_={c: ins.excluded[c] for c in _UPDATED_ON_RESCREEN},
        where=_SR.c.status != "inspected",
    ).returning(_SR.c.id)


_UPSERT = {d: _upsert_record(d) for d in ("postgresql", "sqlite")}


def _store_record(s: Session, kind: str, rec: Declaration | Parcel, result: dict[str, Any], mark_ids: list[str],
                  now: datetime) -> None:
    if isinstance(rec, Parcel):
        origin, hs = rec.origin, rec.hs_code
    else:
        origin = next((i.origin for i in rec.items if i.origin), None) or rec.country_of_departure
        hs = next((i.hs_code for i in rec.items if i.hs_code), None)
    conn = s.connection()
    pk = conn.execute(_UPSERT[conn.dialect.name], {
        "kind": kind, "record_id": rec.id, "status": "open", "note": "", "score": result["score"],
        "model_score": result["model_score"], "alert": result["alert"], "reasons": result["reasons"],
        "mark_ids": mark_ids, "record": rec.model_dump(mode="json"), "channel": rec.mode[:20],
        "origin": origin or None, "category": hs[:4] if hs else None, "selected_by": result["selected_by"],
        "screened_at": now}).scalar()
    if pk is None:
        return  # an inspected record keeps its outcome; screening it again changes nothing
    holders = _holders_of(s, mark_ids)
    if holders:
        current = set(conn.execute(_HOLDERS_OF_RECORD, {"pk": pk}).scalars())
        missing = [{"record_pk": pk, "holder_id": h} for h in holders if h not in current]
        if missing:
            conn.execute(insert(_SRH), missing)


def record_json(row: ScreenedRecordRow) -> dict[str, Any]:
    return {"id": row.record_id, "kind": row.kind, "score": row.score, "model_score": row.model_score,
            "alert": row.alert, "reasons": row.reasons, "mark_ids": row.mark_ids, "channel": row.channel,
            "origin": row.origin, "category": row.category, "status": row.status, "selected_by": row.selected_by,
            "outcome": row.outcome, "note": row.note, "screened_at": row.screened_at,
            "inspected_at": row.inspected_at, "inspected_by": row.inspected_by, "record": row.record}


def _visible_clause(who: Principal) -> Any:
    """Right holders: records about their holders only, and about no other holder."""
    holders = sorted(who.holder_ids)
    mine = select(ScreenedRecordHolderRow.record_pk).where(ScreenedRecordHolderRow.holder_id.in_(holders))
    others = select(ScreenedRecordHolderRow.record_pk).where(
        ScreenedRecordHolderRow.holder_id.not_in(holders))
    return ScreenedRecordRow.id.in_(mine) & ScreenedRecordRow.id.not_in(others)


_QUEUE_KEYS = ("id", "kind", "score", "model_score", "alert", "reasons", "mark_ids", "channel", "origin",
               "category", "status", "selected_by", "outcome", "note", "screened_at", "inspected_at", "inspected_by")
_QUEUE_COLS = (ScreenedRecordRow.record_id, ScreenedRecordRow.kind, ScreenedRecordRow.score,
               ScreenedRecordRow.model_score, ScreenedRecordRow.alert, ScreenedRecordRow.reasons,
               ScreenedRecordRow.mark_ids, ScreenedRecordRow.channel, ScreenedRecordRow.origin,
               ScreenedRecordRow.category, ScreenedRecordRow.status, ScreenedRecordRow.selected_by,
               ScreenedRecordRow.outcome, ScreenedRecordRow.note, ScreenedRecordRow.screened_at,
               ScreenedRecordRow.inspected_at, ScreenedRecordRow.inspected_by)
_QUEUE_WHERE = (ScreenedRecordRow.kind == bindparam("kind"), ScreenedRecordRow.status == bindparam("status"),
                ScreenedRecordRow.selected_by.is_not(None))
# One prebuilt statement: the page's columns (not the stored record, which the queue does not show) and the
# total as a window count. Right holders get the same statement with their scope added.
_QUEUE_PAGE = (select(*_QUEUE_COLS, func.count().over()).where(*_QUEUE_WHERE)
               .order_by(ScreenedRecordRow.score.desc(), ScreenedRecordRow.record_id)
               .limit(bindparam("limit")).offset(bindparam("offset")))


def queue(store: Store, who: Principal, kind: str, *, status: str = "open", limit: int = 50,
          offset: int = 0) -> dict[str, Any]:
    if kind not in KINDS:
        raise not_found("queue", kind)
    if status not in ("open", "inspected"):
        raise invalid("status must be open or inspected")
    stmt = _QUEUE_PAGE.where(_visible_clause(who)) if who.is_holder else _QUEUE_PAGE
    params = {"kind": kind[:-1], "status": status, "limit": limit, "offset": offset}
    with store.session() as s:
        rows = s.connection().execute(stmt, params).all()
        if rows:
            total = int(rows[0][-1])
        else:  # past the last page (or an empty queue) the count is asked on its own
            count = select(func.count()).select_from(ScreenedRecordRow).where(*_QUEUE_WHERE)
            if who.is_holder:
                count = count.where(_visible_clause(who))
            total = s.connection().execute(count, params).scalar() or 0
        return {"total": total, "items": [dict(zip(_QUEUE_KEYS, r[:-1], strict=True)) for r in rows]}


def _row(s: Session, who: Principal, kind: str, record_id: str) -> ScreenedRecordRow:
    if kind not in KINDS:
        raise not_found("record kind", kind)
    stmt = select(ScreenedRecordRow).where(ScreenedRecordRow.kind == kind[:-1],
                                           ScreenedRecordRow.record_id == record_id)
    if who.is_holder:
        stmt = stmt.where(_visible_clause(who))
    row = s.scalar(stmt)
    if row is None:
        raise not_found(kind[:-1], record_id)
    return row


def get_record(store: Store, who: Principal, kind: str, record_id: str) -> dict[str, Any]:
    with store.session() as s:
        return record_json(_row(s, who, kind, record_id))


def inspect(store: Store, who: Principal, kind: str, record_id: str, outcome: str, note: str) -> dict[str, Any]:
    """Record a physical inspection's outcome (clear, violation, counterfeit): the queue item is worked."""
    with store.session() as s:
        row = _row(s, who, kind, record_id)
        if not who.can_work_cases:
            raise forbidden(f"role {who.role.value} may not record inspections")
        if outcome not in OUTCOMES:
            raise invalid(f"outcome must be one of {', '.join(OUTCOMES)}")
        if row.status == "inspected":
            raise ApiError(409, f"{kind[:-1]} {record_id!r} was already inspected ({row.outcome})")
        before = {"status": row.status}
        row.status, row.outcome, row.note = "inspected", outcome, note
        row.inspected_at, row.inspected_by = datetime.now(UTC), who.username
        if row.selected_by is None:
            row.selected_by = "target"
        s.flush()
        out = record_json(row)
        audit(s, who, "inspection.record", kind[:-1], record_id, before=before,
              after={"outcome": outcome, "note": note, "selected_by": row.selected_by})
        return out
