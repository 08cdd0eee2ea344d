"""``bordermark screen``: screen listing files, review queue, decisions, training, scenarios, takedown notices.

Thin wrappers over :mod:`bordermark.screen.service`; other record kinds (declarations, parcels) add their own
commands to this same ``app``.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bordermark.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_PARTIAL,
    OutputFormat,
    console,
    emit,
    err_console,
    fail,
    get_store,
)
from bordermark.screen import service
from bordermark.screen.features import describe
from bordermark.screen.io import RowError, UnknownFormat, file_format
from bordermark.screen.model import NotEnoughDecisions
from bordermark.screen.money import configured_rates
from bordermark.screen.scenario import ScenarioConfig

app = typer.Typer(help="Screen marketplace listings: scores with reasons, review queue, notices, learning.",
                  no_args_is_help=True)


@app.command("listings")
def listings(
    input_: Annotated[Path, typer.Option("--input", "-i", help="Listings: .jsonl, .csv or .parquet")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Results: .jsonl, .csv or .parquet")],
    queue: Annotated[bool, typer.Option(help="Put raised listings in the review queue")] = True,
    batch_size: Annotated[int, typer.Option(min=1, help="Listings screened per batch")] = 2000,
    scenario: Annotated[int | None, typer.Option(help="Scenario version (default: the published one)")] = None,
    images_dir: Annotated[Path | None, typer.Option(help="Base folder for relative image paths")] = None,
) -> None:
    """Score every listing: id, score, verdict, brand_hits, reasons, scenario_version (streams; flat memory).

    A malformed row is reported with file, line and field and skipped; the exit status is then 3.
    """
    try:
        file_format(input_)
        file_format(output)
    except UnknownFormat as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    if not input_.is_file():
        fail(f"{input_}: no such file", EXIT_BAD_INPUT)
    store = get_store()
    try:
        rates = configured_rates()
        screener = service.make_screener(store, rates=rates, scenario_version=scenario,
                                         images_dir=images_dir or input_.parent)
    except service.ScreeningError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    # the registry, detector and screener live as long as the command: keep the collector from re-walking them
    gc.freeze()

    def report_error(err: RowError) -> None:
        err_console.print(str(err), highlight=False, markup=False, soft_wrap=True)

    rep = service.screen_file(input_, output, screener, store=store if queue else None, batch_size=batch_size,
                              on_error=report_error, caller_frozen=True)
    summary = ", ".join(f"{v} {n}" for v, n in sorted(rep.verdicts.items()))
    err_console.print(f"screened {rep.screened} listing(s) with scenario {screener.scenario.version}: "
                      f"{summary or 'none'}" + (f"; {rep.bad_rows} bad row(s) skipped" if rep.bad_rows else ""),
                      highlight=False)
    if rep.bad_rows:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("queue")
def queue_(
    limit: Annotated[int, typer.Option(min=1)] = 50,
    platform: Annotated[str | None, typer.Option()] = None,
    verdict: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str, typer.Option(help="open, decided or suppressed")] = "open",
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """The review queue, highest score first."""
    rows = service.queue(get_store(), limit=limit, platform=platform, verdict=verdict, status=status)
    if fmt is OutputFormat.table:
        for r in rows:
            r["top_reason"] = r["reasons"][0]["detail"] if r["reasons"] else ""
    emit(rows, fmt, ["id", "score", "verdict", "platform", "seller_id", "title", "top_reason"]
         if fmt is OutputFormat.table else list(rows[0]) if rows else ["id"], title="screening queue")


@app.command("decide")
def decide(
    listing_id: Annotated[str, typer.Argument(help="The listing id")],
    decision: Annotated[str, typer.Argument(help="counterfeit, genuine, parallel_import or not_sure")],
    actor: Annotated[str, typer.Option(help="Who decides")],
    note: Annotated[str, typer.Option()] = "",
    images_dir: Annotated[Path | None, typer.Option(help="Base folder for relative image paths")] = None,
) -> None:
    """Record a review decision; it feeds seller history, observed aliases, image hashes and training."""
    try:
        out = service.record_decision(get_store(), listing_id, decision, actor=actor, note=note,
                                      images_dir=images_dir)
    except service.ScreeningError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    learned = out["learned"]
    console.print(f"recorded {decision} for {listing_id} (scenario {out['scenario_version']}); learned "
                  f"{len(learned['aliases'])} alias(es), {learned['image_hashes']} image hash(es)")


@app.command("train")
def train(
    publish: Annotated[bool, typer.Option(help="Publish the trained scenario at once")] = False,
    actor: Annotated[str, typer.Option()] = "cli",
    c: Annotated[float, typer.Option(help="Inverse L2 strength of the logistic regression")] = 1.0,
    recall: Annotated[float, typer.Option(min=0.0, max=1.0, help="Recall the alert threshold must reach")] = 0.9,
) -> None:
    """Fit the model on reviewed outcomes; store it as a new draft scenario (or publish it)."""
    try:
        scenario, report = service.train_from_decisions(get_store(), actor=actor, publish_now=publish, c=c,
                                                        recall=recall)
    except NotEnoughDecisions as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    console.print(f"scenario {scenario.version} ({scenario.status.value}) trained on {report.rows} decision(s), "
                  f"{report.positives} counterfeit; out-of-fold PR-AUC {report.pr_auc:.3f}, "
                  f"Brier {report.brier:.3f}; alert threshold {scenario.config.alert_threshold}")


@app.command("notice")
def notice(
    out: Annotated[Path, typer.Option("--out", help="Folder for the notices (.md, .html, .json)")],
    platform: Annotated[str | None, typer.Option()] = None,
    holder: Annotated[str | None, typer.Option()] = None,
    include_sent: Annotated[bool, typer.Option(help="Also list listings already in an earlier notice")] = False,
    actor: Annotated[str, typer.Option()] = "cli",
) -> None:
    """Write takedown notices, one per platform and holder, for listings confirmed counterfeit."""
    notices = service.build_notices(get_store(), platform=platform, holder=holder, include_sent=include_sent,
                                    actor=actor)
    if not notices:
        console.print("no confirmed counterfeit listings waiting for a notice")
        return
    paths = service.write_notices(notices, out)
    for n in notices:
        console.print(f"{n.platform} / {n.holder}: {len(n.listings)} listing(s)")
    console.print(f"wrote {len(paths)} file(s) to {out}")


@app.command("features")
def features(fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table) -> None:
    """Every feature with its family, its weight in the active scenario and its documentation."""
    with get_store().session() as s:
        cfg = service.active_scenario(s).config
    rows = [{**d, "weight": cfg.weights.get(d["code"], 0.0)} for d in describe()]
    emit(rows, fmt, ["code", "family", "weight", "doc"], title=f"bias {cfg.bias}")


@app.command("scenarios")
def scenarios(fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table) -> None:
    """List scenario versions."""
    rows = [{"version": s.version, "status": s.status.value, "name": s.name,
             "alert_threshold": s.config.alert_threshold, "trained": bool(s.config.model)}
            for s in service.list_scenarios(get_store())]
    emit(rows, fmt, ["version", "status", "name", "alert_threshold", "trained"], title="scenarios")


@app.command("draft")
def draft(
    config: Annotated[Path | None, typer.Option(help="JSON file with a scenario configuration")] = None,
    name: Annotated[str, typer.Option()] = "draft",
    actor: Annotated[str, typer.Option()] = "cli",
) -> None:
    """Create a draft scenario (from a JSON file, or a copy of the active one)."""
    cfg = None
    if config is not None:
        try:
            cfg = ScenarioConfig.model_validate(json.loads(config.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            fail(f"{config}: {exc}", EXIT_BAD_INPUT)
    sc = service.create_draft(get_store(), cfg, name=name, actor=actor)
    console.print(f"draft scenario {sc.version} created")


@app.command("publish")
def publish(version: Annotated[int, typer.Argument()], actor: Annotated[str, typer.Option()] = "cli") -> None:
    """Publish a draft scenario; it is used from the next screening on."""
    try:
        sc = service.publish(get_store(), version, actor=actor)
    except service.ScreeningError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    console.print(f"scenario {sc.version} published")


@app.command("show-scenario")
def show_scenario(version: Annotated[int, typer.Argument(help="0 is the built-in default")]) -> None:
    """Print a scenario's configuration as JSON."""
    try:
        sc = service.get_scenario(get_store(), version)
    except service.ScreeningError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    sys.stdout.write(json.dumps(sc.model_dump(mode="json"), indent=2) + "\n")


@app.command("catalogue-images")
def catalogue_images(
    files: Annotated[list[Path], typer.Argument(help="Genuine catalogue photos")],
    mark_id: Annotated[str | None, typer.Option()] = None,
    actor: Annotated[str, typer.Option()] = "cli",
) -> None:
    """Register genuine catalogue photos so that copies by unauthorised sellers are recognised."""
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file(s): {', '.join(missing)}", EXIT_BAD_INPUT)
    n = service.add_catalogue_images(get_store(), files, mark_id=mark_id, actor=actor)
    console.print(f"added {n} image hash(es)")


from bordermark.cli.screen_declarations import register as _register_declarations  # noqa: E402

_register_declarations(app)
