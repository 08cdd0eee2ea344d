"""``bordermark case ...``, ``bordermark cases ...`` and ``bordermark audit verify``: thin wrappers over
:mod:`bordermark.cases.service` and :mod:`bordermark.audit`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from bordermark import audit
from bordermark.cases import dossier, service, sweep
from bordermark.cases.engine import TransitionError
from bordermark.cases.profiles import ProfileError
from bordermark.cli.common import EXIT_BAD_INPUT, OutputFormat, console, emit, fail, get_store
from bordermark.store import Store

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json")) -> None:
    """Recompute the hash chain; exit 1 if any entry was edited, inserted or deleted."""
    store = get_store()
    with store.session() as s:
        report = audit.verify(s)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif report.ok:
        console.print(f"audit log intact: {report.entries} entries, head {report.head_seq} {report.head_hash}")
    if not report.ok:
        if fmt is not OutputFormat.json:
            for problem in report.problems:
                console.print(problem, markup=False, highlight=False)
        fail(f"audit log broken at entry {report.first_bad_seq} ({len(report.problems)} problem(s))", 1)


case_app = typer.Typer(help="One enforcement case: open, record events, show, export.", no_args_is_help=True)
cases_app = typer.Typer(help="All enforcement cases: list, apply passed deadlines.", no_args_is_help=True)


def _kv(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"expected key=value, got {pair!r}", EXIT_BAD_INPUT)
        out[key.strip()] = value.strip()
    return out


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--at: not an ISO date-time: {value!r} (e.g. 2026-02-12T10:00+08:00)", EXIT_BAD_INPUT)
    return at


def _print_case(doc: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    console.print(f"[bold]{doc['id']}[/bold]  {doc['profile']}  state: [bold]{doc['state']}[/bold] "
                  f"({doc['state_label']})  version {doc['version']}", highlight=False)
    g = doc["goods"]
    console.print(f"goods: {g['kind']} {g['id']}  value {g['value']} {g['currency']}  rights: "
                  f"{', '.join(doc['rights'])}", highlight=False)
    gu = doc["guarantee"]
    console.print(f"guarantee: {gu.get('amount')} {gu.get('currency')} ({gu.get('status', '')}; {gu.get('basis')})",
                  highlight=False, markup=False)
    if doc.get("penalty"):
        p = doc["penalty"]
        console.print(f"penalty: confiscation={p['confiscation']} fine={p['fine']} (cap {p['fine_cap']})",
                      highlight=False)
    emit(doc["deadlines"], OutputFormat.table, ["name", "due", "status", "basis"], title="deadlines")
    emit(doc["events"], OutputFormat.table, ["seq", "at", "name", "actor", "state_after", "reason"], title="events")
    console.print(f"allowed now: {', '.join(doc['allowed_events']) or 'none'}", highlight=False)


@case_app.command("open")
def case_open(
    profile: str = typer.Option(..., "--profile", help="cn-ex-officio | cn-on-application | us-cbp | eu-608"),
    right: list[str] = typer.Option(..., "--right", help="mark id (repeatable)"),
    goods_value: str = typer.Option(..., "--goods-value", help="declared value (for us-cbp: MSRP of genuine goods)"),
    currency: str = typer.Option(..., "--currency"),
    declaration: str | None = typer.Option(None, "--declaration"),
    parcel: str | None = typer.Option(None, "--parcel"),
    listing: str | None = typer.Option(None, "--listing"),
    at: str | None = typer.Option(None, "--at", help="ISO time of the opening act (default now)"),
    by: str = typer.Option("cli", "--by", help="acting user"),
    holder: str | None = typer.Option(None, "--holder", help="right holder id"),
    fact: list[str] = typer.Option([], "--fact", help="key=value case fact, e.g. perishable=true, "
                                                        "small_consignment=true, member_state=FR"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """Open a case: the profile's opening step runs (suspension, notices, deadlines)."""
    goods = [(k, v) for k, v in (("declaration", declaration), ("parcel", parcel), ("listing", listing)) if v]
    if len(goods) != 1:
        fail("give exactly one of --declaration, --parcel, --listing", EXIT_BAD_INPUT)
    facts: dict[str, Any] = {k: _fact_value(v) for k, v in _kv(fact).items()}
    store = get_store()
    try:
        with store.session() as s:
            doc = service.open_case(s, profile=profile, mark_ids=right, goods_kind=goods[0][0], goods_id=goods[0][1],
                                    goods_value=goods_value, currency=currency, actor=by, at=_time(at),
                                    holder_id=holder, facts=facts)
    except (ValueError, ProfileError, TransitionError) as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    _print_case(doc, fmt)


def _fact_value(value: str) -> Any:
    low = value.lower()
    if low in {"true", "yes"}:
        return True
    if low in {"false", "no"}:
        return False
    return value


@case_app.command("event")
def case_event(
    case_id: str = typer.Argument(..., metavar="CASE"),
    event: str = typer.Argument(..., metavar="EVENT"),
    params: list[str] = typer.Argument(None, metavar="[key=value]..."),
    at: str | None = typer.Option(None, "--at"),
    by: str = typer.Option("cli", "--by"),
    expected_version: int | None = typer.Option(None, "--expect-version", help="fail if the case moved on"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """Record an event (e.g. holder_applies guarantee=5238.31); refused with the reason if not allowed now."""
    store = get_store()
    try:
        with store.session() as s:
            doc = service.apply_event(s, case_id, event, actor=by, at=_time(at), data=_kv(params or []),
                                      expected_version=expected_version)
    except service.NotFoundError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    except service.ConflictError as exc:
        fail(str(exc), 4)
    except (TransitionError, ValueError) as exc:
        fail(f"refused: {exc}", EXIT_BAD_INPUT)
    _print_case(doc, fmt)


@case_app.command("show")
def case_show(case_id: str = typer.Argument(..., metavar="CASE"),
              fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
              by: str | None = typer.Option(None, "--by", help="record the read in the audit log as this user"),
              ) -> None:
    """Show a case: state, deadlines (name, due, basis), guarantee, events, penalty."""
    store = get_store()
    try:
        with store.session() as s:
            doc = service.get_case(s, case_id, read_by=by)
    except service.NotFoundError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    _print_case(doc, fmt)


@case_app.command("export")
def case_export(case_id: str = typer.Argument(..., metavar="CASE"),
                out: Path = typer.Option(..., "--out", help="directory for CASE.html and CASE.json"),
                by: str = typer.Option("cli", "--by")) -> None:
    """Export the case file: a self-contained HTML dossier and JSON for another agency."""
    store = get_store()
    try:
        with store.session() as s:
            paths = dossier.export(s, case_id, out, actor=by)
    except service.NotFoundError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    for p in paths:
        console.print(str(p), highlight=False)


@case_app.command("sweep")
def case_sweep(case_id: str = typer.Argument(..., metavar="CASE"),
               world: Path = typer.Option(..., "--world", help="directory with declarations/parcels/listings "
                                                                "jsonl (and optional stock.jsonl)"),
               open_linked: bool = typer.Option(False, "--open", help="open the proposed linked cases"),
               detect_marks: bool = typer.Option(True, "--detect/--no-detect",
                                                 help="find marks in record text with the registry's detector"),
               by: str = typer.Option("cli", "--by"),
               fmt: OutputFormat = typer.Option(OutputFormat.table, "--format")) -> None:
    """Find identical goods (same mark, product, consignor or seller) pending elsewhere; propose linked cases."""
    store = get_store()
    try:
        records = sweep.load_world(world, _mark_resolver(store) if detect_marks else None)
    except (OSError, ValueError) as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    try:
        with store.session() as s:
            rows = sweep.sweep_case(s, case_id, records, actor=by, open_linked=open_linked)
    except service.NotFoundError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    except TransitionError as exc:
        fail(f"refused: {exc}", EXIT_BAD_INPUT)
    emit(rows, fmt, ["kind", "id", "reasons", "value", "currency", "linked_case"], title="identical goods")


def _mark_resolver(store: Store) -> sweep.MarkResolver | None:
    """Records from a world or feed rarely carry mark ids; the registry's detector finds them in the text."""
    from bordermark.detect import Detector
    from bordermark.registry import service as registry_service

    registry = registry_service.load(store)
    if not registry.marks:
        return None
    detector = Detector.from_registry(registry)
    return lambda text: {hit.mark_id for hit in detector.detect(text).hits}


@cases_app.command("list")
def cases_list(state: str | None = typer.Option(None, "--state"), profile: str | None = typer.Option(None, "--profile"),
               right: str | None = typer.Option(None, "--right"), holder: str | None = typer.Option(None, "--holder"),
               open_only: bool = typer.Option(False, "--open", help="only cases not closed"),
               fmt: OutputFormat = typer.Option(OutputFormat.table, "--format")) -> None:
    """List cases, newest first."""
    store = get_store()
    with store.session() as s:
        rows = service.list_cases(s, state=state, profile=profile, mark_id=right, holder_id=holder,
                                  open_only=open_only)
    emit(rows, fmt, ["id", "profile", "state", "goods_kind", "goods_id", "rights", "goods_value", "currency",
                     "opened_at", "next_due", "closed_at"], title="cases")


@cases_app.command("tick")
def cases_tick(now: str | None = typer.Option(None, "--now", help="apply deadlines passed before this time"),
               fmt: OutputFormat = typer.Option(OutputFormat.table, "--format")) -> None:
    """Apply what the law says for every deadline that has passed (e.g. release when the holder did not reply)."""
    store = get_store()
    with store.session() as s:
        report = service.tick(s, now=_time(now))
    rows = [{"case_id": r["case_id"], "state": r.get("state", ""), "conflict": r.get("conflict", ""),
             "applied": [f"{a['event']}@{a['at']}" for a in r["applied"]],
             "reasons": [a["reason"] for a in r["applied"] if a["reason"]]} for r in report]
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    emit(rows, fmt, ["case_id", "state", "applied", "reasons", "conflict"], title="tick")


@cases_app.command("general-guarantee")
def cases_general_guarantee(holder: str = typer.Option(..., "--holder"), year: int = typer.Option(..., "--year"),
                            last_year_costs: str = typer.Option("0", "--last-year-costs"),
                            at: str | None = typer.Option(None, "--at"), by: str = typer.Option("cli", "--by")) -> None:
    """Record a holder's general guarantee (总担保) for a calendar year."""
    store = get_store()
    try:
        with store.session() as s:
            out = service.add_general_guarantee(s, holder_id=holder, year=year, actor=by,
                                                last_year_costs=last_year_costs, approved_at=_time(at))
    except ValueError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


@cases_app.command("profiles")
def cases_profiles() -> None:
    """List the procedure profiles shipped with Bordermark."""
    from bordermark.cases.profiles import profiles

    emit([{"id": p.id, "jurisdiction": p.jurisdiction, "currency": p.currency, "title": p.title}
          for p in profiles().values()], OutputFormat.table, ["id", "jurisdiction", "currency", "title"])
