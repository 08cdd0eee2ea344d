"""``bordermark sim``: write a synthetic world with ground truth (see docs/sim.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bordermark.cli.common import EXIT_BAD_INPUT, console, fail
from bordermark.sim import RecordFormat, SimParams, Size, generate

app = typer.Typer(help="The synthetic cross-border e-commerce world.")


@app.command()
def sim(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write the world into")],
    seed: Annotated[int, typer.Option(help="Same seed, same bytes")] = 7,
    size: Annotated[Size, typer.Option(help="small (seconds), medium, large (1M listings)")] = Size.small,
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f", help="Format of the record files")] =
    RecordFormat.jsonl,
    obfuscation_rate: Annotated[float | None, typer.Option(help="Share of counterfeit listings with a disguised "
                                                                 "brand (default 0.6)")] = None,
) -> None:
    """Generate a world: registry/, listings, sellers, declarations, parcels, inspections, filings,
    provenance, and the ground truth under truth/."""
    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a directory", EXIT_BAD_INPUT)
    if obfuscation_rate is not None and not 0.0 <= obfuscation_rate <= 1.0:
        fail(f"--obfuscation-rate {obfuscation_rate} must be between 0 and 1", EXIT_BAD_INPUT)
    params = SimParams(size=size)
    if obfuscation_rate is not None:
        params = SimParams(size=size, obfuscation_rate=obfuscation_rate)
    summary = generate(out, seed=seed, params=params, fmt=fmt)
    console.print(f"world written to {out} (seed {seed}, size {summary.size})")
    for name, count in summary.counts.items():
        console.print(f"  {name}: {count}")
