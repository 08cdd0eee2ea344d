"""The screening service: the functions the CLI, the API and the web pages call. Thin over the pure core.

Every function takes a :class:`~bordermark.store.Store` and does its own unit of work; state changes are
audited when ``bordermark.audit`` is installed.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bordermark.domain import Listing, Registry
from bordermark.registry import repository as registry_repo
from bordermark.screen.engine import (
    FEATURE_NAMES,
    OUTPUT_COLUMNS,
    DetectorLike,
    Screener,
    ScreenResult,
    Verdict,
    build_brands,
    content_hash,
    feature_vector,
)
from bordermark.screen.features import SellerRecord
from bordermark.screen.images import COUNTERFEIT, GENUINE, ImageIndex, KnownImage, hash_file, to_hex
from bordermark.screen.io import Record, ResultWriter, RowError, read_batches
from bordermark.screen.model import TrainReport, train
from bordermark.screen.money import Rates, configured_rates
from bordermark.screen.notices import Notice
from bordermark.screen.scenario import BUILTIN, Scenario, ScenarioConfig, ScenarioStatus
from bordermark.store import Store
from bordermark.store.screen_tables import (
    AlertRow,
    DecisionRow,
    ImageHashRow,
    NoticeRow,
    ScenarioRow,
    SellerRow,
)

DECISIONS = ("counterfeit", "genuine", "parallel_import", "not_sure")
CLEARING = ("genuine", "parallel_import")
QUEUED = frozenset({Verdict.LIKELY_COUNTERFEIT, Verdict.POSSIBLE_PARALLEL_IMPORT})


class ScreeningError(ValueError):
    """A request the service refuses (unknown listing, bad decision, illegal scenario transition)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _audit(session: Session, **kw: Any) -> None:
    try:
        from bordermark import audit
    except ImportError:  # the audit module is optional for screening
        return
    append = getattr(audit, "append", None)
    if append is not None:
        append(session, **kw)


# -- scenarios --------------------------------------------------------------------------------------------------
def _scenario(row: ScenarioRow) -> Scenario:
    return Scenario(version=row.version, status=ScenarioStatus(row.status), name=row.name,
                    config=ScenarioConfig.model_validate(row.config))


def active_scenario(session: Session) -> Scenario:
    """The newest published scenario, or the built-in default (version 0) before anything is published."""
    row = session.scalars(select(ScenarioRow).where(ScenarioRow.status == ScenarioStatus.PUBLISHED.value)
                          .order_by(ScenarioRow.version.desc()).limit(1)).first()
    return _scenario(row) if row else BUILTIN


def list_scenarios(store: Store) -> list[Scenario]:
    with store.session() as s:
        return [_scenario(r) for r in s.scalars(select(ScenarioRow).order_by(ScenarioRow.version))]


def get_scenario(store: Store, version: int) -> Scenario:
    if version == 0:
        return BUILTIN
    with store.session() as s:
        row = s.get(ScenarioRow, version)
        if row is None:
            raise ScreeningError(f"no scenario version {version}")
        return _scenario(row)


def create_draft(store: Store, config: ScenarioConfig | dict[str, Any] | None = None, *, name: str = "draft",
                 actor: str = "system") -> Scenario:
    """Store a new draft; ``config`` defaults to a copy of the active scenario's configuration."""
    with store.session() as s:
        if config is None:
            cfg = active_scenario(s).config
        else:
            cfg = config if isinstance(config, ScenarioConfig) else ScenarioConfig.model_validate(config)
        version = (s.scalar(select(func.max(ScenarioRow.version))) or 0) + 1
        row = ScenarioRow(version=version, name=name, status=ScenarioStatus.DRAFT.value,
                          config=cfg.model_dump(mode="json"), created_by=actor, created_at=_now())
        s.add(row)
        s.flush()
        _audit(s, actor=actor, action="screen.scenario.draft", entity_type="screen_scenario",
               entity_id=str(version), after={"name": name})
        return _scenario(row)


def publish(store: Store, version: int, *, actor: str = "system") -> Scenario:
    """Publish a draft: it becomes the active scenario; the previously published one is retired."""
    with store.session() as s:
        row = s.get(ScenarioRow, version)
        if row is None:
            raise ScreeningError(f"no scenario version {version}")
        if row.status != ScenarioStatus.DRAFT.value:
            raise ScreeningError(f"scenario {version} is {row.status}; only a draft can be published")
        for old in s.scalars(select(ScenarioRow).where(ScenarioRow.status == ScenarioStatus.PUBLISHED.value)):
            old.status = ScenarioStatus.RETIRED.value
        row.status, row.published_at = ScenarioStatus.PUBLISHED.value, _now()
        s.flush()
        _audit(s, actor=actor, action="screen.scenario.publish", entity_type="screen_scenario",
               entity_id=str(version), before={"status": "draft"}, after={"status": "published"})
        return _scenario(row)


# -- building a screener ------------------------------------------------------------------------------------
def _sellers(session: Session) -> dict[str, SellerRecord]:
    return {r.seller_id: SellerRecord(r.seller_id, r.confirmed_fakes, r.cleared, r.parallel, r.takedowns)
            for r in session.scalars(select(SellerRow))}


def _images(session: Session, base_dir: Path | None) -> ImageIndex:
    rows = session.scalars(select(ImageHashRow)).all()
    return ImageIndex((KnownImage(int(r.phash, 16), r.kind, r.source, r.mark_id) for r in rows), base_dir)


def _cleared(session: Session) -> dict[str, str]:
    """listing id -> content hash a reviewer cleared (latest decision per listing is genuine/parallel)."""
    latest: dict[str, tuple[int, str, str]] = {}
    for r in session.execute(select(DecisionRow.id, DecisionRow.listing_id, DecisionRow.decision,
                                    DecisionRow.content_hash)):
        if r.listing_id not in latest or r.id > latest[r.listing_id][0]:
            latest[r.listing_id] = (r.id, r.decision, r.content_hash)
    return {lid: h for lid, (_, d, h) in latest.items() if d in CLEARING}


def default_detector(registry: Registry) -> DetectorLike:
    from bordermark.detect import Detector

    return Detector.from_registry(registry)


def make_screener(store: Store, *, detector: DetectorLike | None = None, rates: Rates | None = None,
                  scenario_version: int | None = None, images_dir: Path | None = None) -> Screener:
    """Snapshot everything a run needs (registry, scenario, history, images, cleared hashes) into memory."""
    rates = rates or configured_rates()
    with store.session() as s:
        registry = registry_repo.load_registry(s)
        scenario = active_scenario(s)
        sellers, images, cleared = _sellers(s), _images(s, images_dir), _cleared(s)
    if scenario_version is not None:
        scenario = get_scenario(store, scenario_version)
    det = detector or default_detector(registry)
    return Screener(build_brands(registry, rates), det, scenario, rates, sellers=sellers, images=images,
                    cleared=cleared)


# -- screening ----------------------------------------------------------------------------------------------
def _listing_json(listing: Listing) -> dict[str, Any]:
    return listing.model_dump(mode="json")


def record_alerts(session: Session, results: Sequence[ScreenResult]) -> int:
    """Put the actionable results (likely counterfeit, possible parallel import) in the queue; a listing
    already queued is updated whatever its new verdict, so a queue entry never goes stale. A decided alert
    stays decided while its content is unchanged; a change reopens it. Suppressed results (cleared before,
    unchanged) are kept out of the open queue."""
    ids = [r.listing_id for r in results]
    known = set(session.scalars(select(AlertRow.listing_id).where(AlertRow.listing_id.in_(ids)))) if ids else set()
    raised = [r for r in results if r.verdict in QUEUED or r.listing_id in known]
    if not raised:
        return 0
    existing = {a.listing_id: a for a in session.scalars(
        select(AlertRow).where(AlertRow.listing_id.in_([r.listing_id for r in raised])))}
    now = _now()
    for r in raised:
        row = existing.get(r.listing_id)
        status = "suppressed" if r.suppressed else "open"
        lst = r.model()
        chash = r.content_hash or (content_hash(lst) if lst else "")
        if row is None:
            row = AlertRow(listing_id=r.listing_id)
            session.add(row)
        elif row.status == "decided" and row.content_hash == chash:
            status = "decided"
        row.content_hash, row.score, row.verdict, row.status = chash, r.score, r.verdict.value, status
        row.platform = lst.platform if lst else None
        row.seller_id = lst.seller_id if lst else None
        row.mark_id, row.scenario_version = r.mark_id, r.scenario_version
        row.brand_hits, row.reasons, row.features = r.brand_hits, r.reasons, r.features
        row.listing = _listing_json(lst) if lst else {"id": r.listing_id}
        row.screened_at = now
    session.flush()
    return len(raised)


def screen_batch(store: Store, listings: Sequence[Listing], *, record: bool = True,
                 screener: Screener | None = None) -> list[ScreenResult]:
    """Screen listings; with ``record`` the raised ones enter the review queue."""
    screener = screener or make_screener(store)
    results = screener.screen_many(listings)
    if record:
        with store.session() as s:
            record_alerts(s, results)
    return results


def screen_listing(store: Store, listing: Listing, *, record: bool = True,
                   screener: Screener | None = None) -> ScreenResult:
    return screen_batch(store, [listing], record=record, screener=screener)[0]


_verdict_of = attrgetter("verdict")
# listings scored and written together within a file run's batch. Why: a batch of 2,000 listings, their records,
# results and rows, outgrows the CPU's caches between reading, scoring and writing; slices of 250 are written and
# freed while still in them, and the next slice reuses their memory (everything but detection ~10 % less CPU on
# the speed world), while detection still sees the whole batch's new texts at once (it does best with many)
_SLICE = 250


@dataclass
class FileReport:
    screened: int = 0
    bad_rows: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)


@contextmanager
def _fewer_collections(young: int = 50_000, *, frozen: bool | None = None) -> Iterator[Callable[[], None]]:
    """Run the cyclic garbage collector less often while streaming a file; yields ``settle``, to call after
    each batch.

    Why: screening allocates a dozen short-lived objects per listing (freed by reference counting), so the
    default threshold (700) runs a collection every ~50 listings, and each older-generation pass walks the
    detector's and registry's hundreds of thousands of objects: 20 % of the CPU time on the benchmark. Memory
    stays bounded: collections still run, every ``young`` allocations instead of every 700.

    ``settle`` freezes what survived a batch (gc.freeze): the per-run caches (prepared texts, feature-group
    terms) are long-lived and acyclic, yet every young-generation pass walked them again (~5 µs per listing
    on the speed benchmark, and the passes never found garbage). Objects a batch no longer needs are still
    freed by reference counting. On leaving, a caller that had frozen its own state (the CLI does, after
    building the detector) keeps everything frozen; otherwise everything is unfrozen, as it was. (Telling the
    two apart walks the frozen objects once per file: ~60 ms with the benchmark's detector frozen, ~2 µs per
    listing of a 30,000-listing file; a caller that knows says so with ``frozen`` and spares the walk.)
    """
    old = gc.get_threshold()
    frozen_before = gc.get_freeze_count() if frozen is None else frozen
    gc.set_threshold(max(old[0], young), *old[1:])
    try:
        yield gc.freeze
    finally:
        gc.set_threshold(*old)
        if frozen_before:
            gc.freeze()
        else:
            gc.unfreeze()


def screen_file(input_path: Path, output_path: Path, screener: Screener, *, store: Store | None = None,
                batch_size: int = 2000, on_error: Callable[[RowError], None] | None = None,
                caller_frozen: bool | None = None) -> FileReport:
    """Stream a listing file through the screener into a result file (formats by extension), batch by batch,
    so memory stays flat whatever the input size. Bad rows go to ``on_error`` and are skipped; with a
    ``store`` the raised listings enter the review queue. ``caller_frozen``: whether the caller froze its own
    state with ``gc.freeze()`` (then everything stays frozen afterwards), when it knows; ``None`` asks the
    collector, which walks every frozen object (see ``_fewer_collections``)."""
    report = FileReport()
    with _fewer_collections(frozen=caller_frozen) as settle, ResultWriter(output_path, OUTPUT_COLUMNS) as writer:
        # the listings as the reader's records where it can (fields, prices as read): a model is made only for a
        # listing the queue takes (record_alerts)
        for chunk in read_batches(input_path, screener.rates, batch_size, records=True):
            good: list[Listing | Record] = chunk  # type: ignore[assignment]  # unless a bad row is found below
            if RowError in set(map(type, chunk)):
                good = []
                for item in chunk:
                    if isinstance(item, RowError):
                        report.bad_rows += 1
                        if on_error is not None:
                            on_error(item)
                    else:
                        good.append(item)
            if not good:
                continue
            # the batch detected at once, then scored and written a slice at a time (see _SLICE)
            preps = screener.prepare_batch(good)
            batch_results: list[ScreenResult] = []  # for the review queue, which takes a batch at once
            for at in range(0, len(good), _SLICE):
                results = screener.screen_prepared(good[at:at + _SLICE], preps[at:at + _SLICE])
                writer.write_results(results)
                report.screened += len(results)
                counts = Counter(map(_verdict_of, results))
                report.verdicts.update({v.value: n for v, n in counts.items()})
                if store is not None:
                    batch_results += results
            if store is not None:
                with store.session() as s:
                    record_alerts(s, batch_results)
            settle()
    return report


def _alert_dict(a: AlertRow) -> dict[str, Any]:
    return {"id": a.listing_id, "score": a.score, "verdict": a.verdict, "status": a.status,
            "platform": a.platform, "seller_id": a.seller_id, "mark_id": a.mark_id,
            "title": a.listing.get("title", ""), "url": a.listing.get("url"), "brand_hits": a.brand_hits,
            "reasons": a.reasons, "scenario_version": a.scenario_version,
            "screened_at": a.screened_at.isoformat() if a.screened_at else None}


def queue(store: Store, *, limit: int = 50, offset: int = 0, platform: str | None = None,
          verdict: str | None = None, status: str = "open") -> list[dict[str, Any]]:
    """The review queue, highest score first (ties by listing id, so pages are stable)."""
    q = select(AlertRow).where(AlertRow.status == status)
    if platform:
        q = q.where(AlertRow.platform == platform)
    if verdict:
        q = q.where(AlertRow.verdict == verdict)
    q = q.order_by(AlertRow.score.desc(), AlertRow.listing_id).offset(offset).limit(limit)
    with store.session() as s:
        return [_alert_dict(a) for a in s.scalars(q)]


def get_alert(store: Store, listing_id: str) -> dict[str, Any]:
    with store.session() as s:
        row = s.get(AlertRow, listing_id)
        if row is None:
            raise ScreeningError(f"listing {listing_id!r} is not in the screening queue")
        return _alert_dict(row)


# -- review decisions -----------------------------------------------------------------------------------------
def record_decision(store: Store, listing_id: str, decision: str, *, actor: str, note: str = "",
                    images_dir: Path | None = None) -> dict[str, Any]:
    """Record an analyst's decision on a queued listing and learn from it.

    Counterfeit: the seller's confirmed count rises, disguised names become observed aliases of the mark, the
    listing's images become known counterfeit hashes. Genuine / parallel import: the seller's cleared count
    rises and the listing is suppressed until its content changes. Every decision is a training row.
    """
    if decision not in DECISIONS:
        raise ScreeningError(f"unknown decision {decision!r}; expected one of {', '.join(DECISIONS)}")
    if not actor.strip():
        raise ScreeningError("a decision needs an actor")
    learned: dict[str, Any] = {"aliases": [], "image_hashes": 0}
    with store.session() as s:
        alert = s.get(AlertRow, listing_id)
        if alert is None:
            raise ScreeningError(f"listing {listing_id!r} is not in the screening queue; screen it first")
        now = _now()
        row = DecisionRow(listing_id=listing_id, content_hash=alert.content_hash, decision=decision, note=note,
                          actor=actor, decided_at=now, scenario_version=alert.scenario_version, score=alert.score,
                          verdict=alert.verdict, seller_id=alert.seller_id, platform=alert.platform,
                          mark_id=alert.mark_id, features=alert.features)
        s.add(row)
        before = alert.status
        alert.status = "decided" if decision != "not_sure" else alert.status
        if alert.seller_id and decision != "not_sure":
            seller = s.get(SellerRow, alert.seller_id)
            if seller is None:
                seller = SellerRow(seller_id=alert.seller_id, confirmed_fakes=0, cleared=0, parallel=0,
                                   takedowns=0, updated_at=now)
                s.add(seller)
            if decision == "counterfeit":
                seller.confirmed_fakes += 1
            elif decision == "genuine":
                seller.cleared += 1
            else:
                seller.parallel += 1
            seller.updated_at = now
        if decision == "counterfeit":
            plain = set(ScenarioConfig().plain_methods)
            for hit in alert.brand_hits:
                if hit.get("mark_id") == alert.mark_id and hit.get("method") not in plain and hit.get("matched"):
                    try:
                        if registry_repo.add_observed_alias(s, hit["mark_id"], hit["matched"]):
                            learned["aliases"].append(hit["matched"])
                    except LookupError:
                        pass
            learned["image_hashes"] = _learn_images(s, alert.listing.get("images") or [], COUNTERFEIT,
                                                    f"listing {listing_id}", alert.mark_id, images_dir)
        s.flush()
        _audit(s, actor=actor, action="screen.decision", entity_type="listing", entity_id=listing_id,
               before={"status": before}, after={"decision": decision, "note": note,
                                                 "scenario_version": alert.scenario_version})
        return {"id": row.id, "listing_id": listing_id, "decision": decision, "actor": actor, "note": note,
                "scenario_version": alert.scenario_version, "decided_at": now.isoformat(), "learned": learned}


def _learn_images(session: Session, paths: Iterable[str], kind: str, source: str, mark_id: str | None,
                  base_dir: Path | None) -> int:
    added = 0
    for path in paths:
        p = Path(path)
        if not p.is_absolute() and base_dir is not None:
            p = base_dir / p
        try:
            value = to_hex(hash_file(p))
        except (OSError, ValueError):
            continue
        exists = session.scalar(select(ImageHashRow.id).where(ImageHashRow.phash == value,
                                                             ImageHashRow.kind == kind,
                                                             ImageHashRow.source == source))
        if exists is None:
            session.add(ImageHashRow(phash=value, kind=kind, source=source, mark_id=mark_id, added_at=_now()))
            added += 1
    return added


def add_catalogue_images(store: Store, paths: Sequence[Path], *, mark_id: str | None, actor: str) -> int:
    """Register genuine catalogue photos (their hashes) so that unauthorised copies can be recognised."""
    with store.session() as s:
        n = sum(_learn_images(s, [str(p)], GENUINE, f"catalogue {p.name}", mark_id, None) for p in paths)
        _audit(s, actor=actor, action="screen.images.catalogue", entity_type="mark", entity_id=mark_id or "",
               after={"added": n})
        return n


# -- training -------------------------------------------------------------------------------------------------
def training_rows(store: Store) -> tuple[list[list[float]], list[int]]:
    """One row per reviewed listing (its latest decision); ``not_sure`` is left out."""
    latest: dict[str, DecisionRow] = {}
    with store.session() as s:
        for d in s.scalars(select(DecisionRow).order_by(DecisionRow.id)):
            latest[d.listing_id] = d
    x, y = [], []
    for d in latest.values():
        if d.decision == "not_sure":
            continue
        x.append(feature_vector(d.features))
        y.append(1 if d.decision == "counterfeit" else 0)
    return x, y


def train_from_decisions(store: Store, *, actor: str = "system", publish_now: bool = False, c: float = 1.0,
                         recall: float | None = 0.9) -> tuple[Scenario, TrainReport]:
    """Fit the model on reviewed outcomes and store it as a new draft scenario (published on request); the
    alert threshold is the most precise one reaching ``recall`` out of fold (``None`` keeps the current one)."""
    x, y = training_rows(store)
    with store.session() as s:
        base = active_scenario(s).config
    report = train(x, y, base, c=c, threshold_recall=recall)
    draft = create_draft(store, report.config, name=f"trained on {report.rows} decisions", actor=actor)
    if publish_now:
        draft = publish(store, draft.version, actor=actor)
    return draft, report


# -- takedown notices ------------------------------------------------------------------------------------------
def _money(listing: dict[str, Any]) -> str | None:
    if listing.get("price") in (None, ""):
        return None
    return f"{listing['price']} {listing.get('currency') or ''}".strip()


def build_notices(store: Store, *, platform: str | None = None, holder: str | None = None,
                  include_sent: bool = False, actor: str = "system", record: bool = True) -> list[Notice]:
    """One notice per (platform, holder) over listings whose latest decision is ``counterfeit``."""
    with store.session() as s:
        registry = registry_repo.load_registry(s)
        marks = registry.mark_by_id()
        latest: dict[str, DecisionRow] = {}
        for d in s.scalars(select(DecisionRow).order_by(DecisionRow.id)):
            latest[d.listing_id] = d
        sent: set[str] = set()
        if not include_sent:
            for n in s.scalars(select(NoticeRow)):
                sent.update(n.listing_ids)
        groups: dict[tuple[str, str], list[tuple[DecisionRow, AlertRow]]] = {}
        for d in latest.values():
            if d.decision != "counterfeit" or d.listing_id in sent or not d.mark_id or d.mark_id not in marks:
                continue
            alert = s.get(AlertRow, d.listing_id)
            if alert is None:
                continue
            plat = alert.platform or "unknown platform"
            mark = marks[d.mark_id]
            if (platform and plat != platform) or (holder and mark.holder != holder):
                continue
            groups.setdefault((plat, mark.holder), []).append((d, alert))
        out: list[Notice] = []
        today = _now().date().isoformat()
        for (plat, hold), items in sorted(groups.items()):
            rights, seen = [], set()
            listings = []
            for d, a in sorted(items, key=lambda t: t[0].listing_id):
                m = marks[d.mark_id or ""]
                if m.id not in seen:
                    seen.add(m.id)
                    rights.append({"mark": m.text, "mark_id": m.id, "registration_number": m.registration_number,
                                   "jurisdictions": list(m.jurisdictions)})
                band = next((r["detail"] for r in a.reasons if r["code"] in ("price_below_genuine",
                                                                             "price_near_genuine")), None)
                listings.append({
                    "listing_id": a.listing_id, "url": a.listing.get("url"), "title": a.listing.get("title"),
                    "seller": a.listing.get("seller_name") or a.seller_id, "seller_id": a.seller_id,
                    "price": _money(a.listing), "genuine_band": band,
                    "matched": sorted({h["matched"] for h in a.brand_hits if h.get("mark_id") == m.id}),
                    "images": list(a.listing.get("images") or []),
                    "evidence": [r["detail"] for r in a.reasons if r["contribution"] > 0],
                    "decided_by": d.actor, "decided_at": d.decided_at.isoformat(), "note": d.note,
                    "score": a.score, "scenario_version": d.scenario_version,
                })
            notice = Notice(platform=plat, holder=hold, date=today, rights=rights, listings=listings)
            out.append(notice)
            if record:
                s.add(NoticeRow(platform=plat, holder=hold, listing_ids=[x["listing_id"] for x in listings],
                                body=notice.to_json(), created_by=actor, created_at=_now()))
                takedowns = Counter(x["seller_id"] for x in listings if x["seller_id"])
                for seller_id, count in takedowns.items():
                    row = s.get(SellerRow, seller_id)
                    if row is not None:
                        row.takedowns += count
                _audit(s, actor=actor, action="screen.notice", entity_type="platform", entity_id=plat,
                       after={"holder": hold, "listings": [x["listing_id"] for x in listings]})
        return out


def write_notices(notices: Sequence[Notice], out_dir: Path) -> list[Path]:
    """Write each notice as ``<slug>.md``, ``.html`` and ``.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in notices:
        for suffix, text in ((".md", n.markdown()), (".html", n.html()), (".json", n.json_text())):
            p = out_dir / f"{n.slug}{suffix}"
            p.write_text(text, encoding="utf-8")
            paths.append(p)
    return paths


__all__ = [
    "DECISIONS", "FEATURE_NAMES", "ScreeningError", "active_scenario", "add_catalogue_images", "build_notices",
    "create_draft", "get_alert", "list_scenarios", "make_screener", "publish", "queue", "record_alerts",
    "record_decision", "screen_batch", "screen_file", "screen_listing", "train_from_decisions", "training_rows",
    "write_notices",
]
