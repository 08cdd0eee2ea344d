"""``bordermark demo``: the whole product on the embedded default store, for a newcomer's first run.

Why one command: a newcomer should see every part working together on data whose truth is known - the
registry, listing screening, customs screening and selection, cases through their legal procedure - and
then click through the same data in the web app.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from bordermark.cli.common import OutputFormat, console, emit, get_store
from bordermark.registry import service
from bordermark.settings import get_settings
from bordermark.store import Store

# Fixed conversion for the demo's parcel values into the case profile's currency (CNY); illustrative only.
_TO_CNY = {"CNY": Decimal("1"), "USD": Decimal("7.1"), "EUR": Decimal("7.7"), "HKD": Decimal("0.91"),
           "JPY": Decimal("0.048"), "KRW": Decimal("0.0052"), "GBP": Decimal("9.0")}


def sample_registry_files() -> list[Path]:
    """The small registry of well-known brands that ships with the package."""
    base = Path(str(files("bordermark.registry") / "data"))
    return [base / "brands.csv", base / "products.csv", base / "parties.csv"]


def _truth(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def _pr(flagged: set[str], positives: set[str]) -> tuple[float, float]:
    hit = len(flagged & positives)
    return (hit / len(flagged) if flagged else 0.0, hit / len(positives) if positives else 0.0)


def _screen_listings(store: Store, world: Path, out: Path) -> dict[str, Any]:
    from bordermark.screen import service as screening

    screener = screening.make_screener(store)
    report = screening.screen_file(world / "listings.jsonl", out / "listings.screened.jsonl", screener,
                                   store=store)
    truth = _truth(world / "truth" / "listings.csv")
    flagged, parallel_as_fake = set(), 0
    with (out / "listings.screened.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["verdict"] == "likely_counterfeit":
                flagged.add(row["id"])
                parallel_as_fake += truth[row["id"]]["label"] == "parallel_import"
    fakes = {i for i, t in truth.items() if t["label"] == "counterfeit"}
    parallels = sum(1 for t in truth.values() if t["label"] == "parallel_import")
    precision, recall = _pr(flagged, fakes)
    return {"screened": report.screened, "verdicts": dict(report.verdicts), "precision": precision,
            "recall": recall, "parallel_as_counterfeit": parallel_as_fake / parallels if parallels else 0.0}


def _screen_customs(store: Store, world: Path) -> dict[str, Any]:
    from bordermark.api import demo as queues
    from bordermark.store.account_tables import ScreenedRecordRow

    counts = queues.prepare(store, world, progress=True)
    out: dict[str, Any] = {"counts": counts}
    for kind, truth_file in (("declaration", "declarations.csv"), ("parcel", "parcels.csv")):
        truth = _truth(world / "truth" / truth_file)
        with store.session() as s:
            alerts = set(s.scalars(select(ScreenedRecordRow.record_id).where(
                ScreenedRecordRow.kind == kind, ScreenedRecordRow.alert.is_(True))))
        positives = {i for i, t in truth.items() if t["label"] in ("counterfeit", "covert_counterfeit")}
        out[kind] = dict(zip(("precision", "recall"), _pr(alerts, positives), strict=True))
    return out


def _run_cases(store: Store, world: Path, limit: int) -> list[dict[str, Any]]:
    """Open China ex officio cases on inspected counterfeit parcels and walk them through the procedure."""
    from bordermark.cases import service as cases
    from bordermark.store.account_tables import ScreenedRecordRow
    from bordermark.store.registry_tables import MarkRow

    truth = _truth(world / "truth" / "parcels.csv")
    with store.session() as s:
        rows = s.scalars(select(ScreenedRecordRow).where(
            ScreenedRecordRow.kind == "parcel", ScreenedRecordRow.outcome == "counterfeit")
            .order_by(ScreenedRecordRow.score.desc(), ScreenedRecordRow.record_id).limit(limit * 3)).all()
    picked = [r for r in rows if truth.get(r.record_id, {}).get("mark_id")][:limit]
    done: list[dict[str, Any]] = []
    start = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)  # just before China's National Day closure
    for n, rec in enumerate(picked):
        value = Decimal(str(rec.record.get("declared_value", 0))) * _TO_CNY.get(rec.record.get("currency", "CNY"),
                                                                               Decimal(1))
        opened = start + timedelta(days=n)
        mark_id = truth[rec.record_id]["mark_id"]
        with store.session() as s:
            holder_id = s.scalar(select(MarkRow.holder_id).where(MarkRow.id == mark_id))
            case = cases.open_case(s, profile="cn-ex-officio", mark_ids=[mark_id], holder_id=holder_id,
                                   goods_kind="parcel", goods_id=rec.record_id, goods_value=value.quantize(
                                       Decimal("0.01")), currency="CNY", actor="officer.demo", at=opened)
        cid = case["id"]
        steps: list[tuple[str, dict[str, str], timedelta]] = []
        if n % 3 == 2:  # the holder does not answer: the scheduler releases the goods when the deadline passes
            with store.session() as s:
                cases.tick(s, now=opened + timedelta(days=30))
        else:
            guarantee = str(case["guarantee"]["amount"]) if case.get("guarantee") else str(value)
            steps = [("holder_applies", {"guarantee": guarantee}, timedelta(hours=20)),
                     ("determine_infringing", {}, timedelta(days=12)),
                     ("penalise", {}, timedelta(days=13)),
                     ("dispose", {"method": "destruction", "not_usable_for_welfare": "true",
                                  "holder_declines_purchase": "true", "features_not_removable": "true"},
                      timedelta(days=14))]
            if n % 3 == 1:
                steps[1] = ("determine_not_infringing", {}, timedelta(days=12))
                steps = steps[:2]
        for event, data, after in steps:
            with store.session() as s:
                cases.apply_event(s, cid, event, actor="officer.demo" if event != "holder_applies" else "holder.demo",
                                  at=opened + after, data=data)
        with store.session() as s:
            doc = cases.get_case(s, cid)
        deadlines = ", ".join(f"{d['name']} {str(d['due'])[:10]}" for d in doc["deadlines"][:2])
        done.append({"case": cid, "parcel": rec.record_id, "marks": doc.get("rights") or [],
                     "value_cny": str(value.quantize(Decimal("0.01"))), "state": doc["state"],
                     "deadlines": deadlines})
    return done


def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after the summary")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the simulated world")] = 7,
    out: Annotated[Path | None, typer.Option(help="Where the world and results go (default DATA_DIR/demo)")] = None,
    cases_to_open: Annotated[int, typer.Option("--cases", help="How many cases to open and advance")] = 6,
) -> None:
    """Generate a world, import its registry, screen listings and customs records, select inspections, run
    cases through the procedure, print precision and recall against the world's truth, then serve the web app."""
    from bordermark.accounts import service as accounts
    from bordermark.sim.params import SimParams
    from bordermark.sim.world import generate

    settings = get_settings()
    store = get_store()
    out = out or settings.data_dir / "demo"
    world = out / f"world-{seed}"
    console.rule("Bordermark demo")
    console.print(f"store: {store.url}\nworld: {world}")

    if not (world / "manifest.json").exists():
        summary = generate(world, seed=seed, params=SimParams())
        console.print("simulated world: " + ", ".join(f"{v:,} {k}" for k, v in summary.counts.items()))
    # the world's registry already holds its own versions of well-known brands (Apple, Chanel, ...), so the
    # shipped sample registry is not imported beside it (one mark cannot have two ids)
    report = service.import_files(store, sorted((world / "registry").glob("*.csv")))
    console.print(f"registry: {report.marks} marks, {report.products} products, {report.parties} parties imported")

    listings = _screen_listings(store, world, out)
    console.print(f"listings screened: {listings['screened']:,}; verdicts {listings['verdicts']}")
    customs = _screen_customs(store, world)
    console.print(f"customs: {customs['counts']}")
    case_rows = _run_cases(store, world, cases_to_open)

    console.rule("Summary (against the simulated world's ground truth)")
    def pr_row(what: str, result: dict[str, Any]) -> dict[str, str]:
        return {"what": what, "precision": f"{result['precision']:.3f}", "recall": f"{result['recall']:.3f}"}

    emit([
        pr_row("listings flagged likely_counterfeit", listings),
        {"what": "parallel imports classed as counterfeit (share)", "precision": "",
         "recall": f"{listings['parallel_as_counterfeit']:.3f}"},
        pr_row("declarations raised (counterfeit or covert)", customs["declaration"]),
        pr_row("parcels raised (counterfeit)", customs["parcel"]),
    ], OutputFormat.table, ["what", "precision", "recall"], title="Screening")
    emit(case_rows, OutputFormat.table, ["case", "parcel", "value_cny", "state", "deadlines"],
         title=f"Cases (cn-ex-officio): {dict(Counter(r['state'] for r in case_rows))}")

    with store.session() as s:
        from bordermark.store.registry_tables import MarkRow

        # right-holder accounts for the holders whose marks the demo cases concern, so their inbox has content
        case_marks = [m for r in case_rows for m in r["marks"]]
        holder_ids = list(dict.fromkeys(h for m in case_marks if (h := s.scalar(
            select(MarkRow.holder_id).where(MarkRow.id == m))) is not None))[:2]
        accounts_made = accounts.create_demo_accounts(s, holder_ids)
    emit([{"user": u, "role": r, "password": p} for u, r, p in accounts_made], OutputFormat.table,
         ["user", "role", "password"], title="Demo accounts (passwords are new on every run)")
    if no_serve:
        return
    from bordermark.cli.serve import serve

    serve(host=None, port=None, workers=1, secure_cookies=False)
