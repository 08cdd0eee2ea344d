"""``bordermark screen declarations`` and ``bordermark screen parcels``: IPR rules and split detection on a file.

Registered on the ``screen`` group defined in ``cli/screen.py`` (listings belong to another module).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import typer

from bordermark.cli.common import EXIT_BAD_INPUT, console, fail, get_store
from bordermark.domain.records import Parcel
from bordermark.domain.rights import Registry
from bordermark.ingest import IngestError, iter_declarations, iter_parcels, load_mapping
from bordermark.screen.declarations import DeclarationScreen, RuleConfig, registry_from_files, rule_catalogue
from bordermark.screen.money import configured_rates
from bordermark.screen.splits import SplitConfig, detect_splits


def _registry(paths: list[Path] | None) -> Registry:
    """From registry files (CSV/JSONL/YAML, e.g. a simulated world's registry/) or else from the store."""
    if not paths:
        from bordermark.registry import service

        return service.load(get_store())
    try:
        return registry_from_files(paths)
    except ValueError as exc:
        fail(str(exc), EXIT_BAD_INPUT)


def _watchlist(path: Path | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _write(rows: list[dict[str, object]], output: Path | None) -> None:
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    if output is None:
        typer.echo(frame.write_csv(), nl=False)
    elif output.suffix == ".jsonl":
        output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        frame.write_csv(output)


def declarations(
    input_file: Path = typer.Option(..., "--input", "-i", help="Declarations (CSV, JSONL or Parquet)."),
    fmt: str = typer.Option("bordermark", "--format", help="Mapping name (bordermark, kcs) or YAML file."),
    output: Path | None = typer.Option(None, "--output", "-o", help="CSV or JSONL to write; stdout if omitted."),
    registry: list[Path] | None = typer.Option(None, "--registry", help="Registry files or folder; default: store."),
    watchlist: Path | None = typer.Option(None, help="Text file, one watch-listed party name or id per line."),
    threshold: float = typer.Option(0.5, help="Score from which a declaration is an alert."),
    rules: bool = typer.Option(False, "--rules", help="Print the rule catalogue and exit."),
) -> None:
    """IPR rules on declarations: id, kind, score, alert, brands, reason_codes, reasons."""
    if rules:
        typer.echo(json.dumps(rule_catalogue(), indent=2))
        return
    try:
        mapping = load_mapping(fmt)
        screen = DeclarationScreen(_registry(registry), config=RuleConfig(watchlist=_watchlist(watchlist)),
                                   rates=configured_rates())
        rows = [screen.screen_declaration(d).to_row(threshold) for d in iter_declarations(input_file, mapping)]
    except IngestError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    _write(rows, output)
    if output is not None:
        console.print(f"{len(rows)} declarations screened, {sum(bool(r['alert']) for r in rows)} alerts -> {output}")


def parcels(
    input_file: Path = typer.Option(..., "--input", "-i", help="Parcels (Bordermark format: JSONL, CSV or Parquet)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="CSV or JSONL to write; stdout if omitted."),
    registry: list[Path] | None = typer.Option(None, "--registry", help="Registry files or folder; default: store."),
    profiles: Path | None = typer.Option(None, help="Split profiles YAML (default: the shipped profiles)."),
    watchlist: Path | None = typer.Option(None, help="Text file, one watch-listed party name or id per line."),
    threshold: float = typer.Option(0.5, help="Score from which a parcel is an alert."),
) -> None:
    """IPR rules and split-shipment detection on parcels: rule columns plus split_flags and split_details."""
    try:
        items: list[Parcel] = list(iter_parcels(input_file))
        split_cfg = SplitConfig.load(profiles)
    except (IngestError, ValueError, OSError) as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    rates = configured_rates()
    screen = DeclarationScreen(_registry(registry), config=RuleConfig(watchlist=_watchlist(watchlist)), rates=rates)
    flags = detect_splits(items, rates, split_cfg).by_parcel()
    rows = []
    for p in items:
        row = screen.screen_parcel(p).to_row(threshold)
        found = flags.get(p.id, [])
        row["split_flags"] = "|".join(sorted({f"{f.profile}:{f.code}" for f in found}))
        row["split_group"] = found[0].group if found else ""
        row["split_details"] = "; ".join(dict.fromkeys(f.detail for f in found))
        row["alert"] = bool(row["alert"]) or bool(found)
        rows.append(row)
    _write(rows, output)
    if output is not None:
        n_split = sum(1 for r in rows if r["split_flags"])
        console.print(f"{len(rows)} parcels screened, {n_split} in split series -> {output}")


def register(app: typer.Typer) -> None:
    """Add the declaration and parcel commands to the ``screen`` group."""
    app.command("declarations")(declarations)
    app.command("parcels")(parcels)
