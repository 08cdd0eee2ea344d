"""``bordermark targeting train|score|evaluate|simulate`` and ``bordermark select``: thin wrappers over targeting."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
import typer

from bordermark.cli.common import EXIT_BAD_INPUT, console, fail
from bordermark.ingest import IngestError, load_mapping, read_frame
from bordermark.ingest.frame import ID
from bordermark.ingest.mapping import Mapping
from bordermark.targeting.metrics import DEFAULT_FRACTIONS
from bordermark.targeting.model import TargetingModel, TrainConfig, file_hash
from bordermark.targeting.select import parse_share, select, selection_frame, simulate_weeks

app = typer.Typer(
    help="Targeting model: train on inspection outcomes, score, evaluate, simulate.", no_args_is_help=True
)

FORMAT_HELP = "Input format: a shipped mapping name (kcs, bordermark) or a mapping YAML file."


def _mapping(fmt: str) -> Mapping:
    try:
        return load_mapping(fmt)
    except IngestError as exc:
        fail(str(exc), EXIT_BAD_INPUT)


def _read(path: Path, mapping: Mapping, labels: Path | None = None) -> pl.DataFrame:
    try:
        return read_frame(path, mapping, labels)
    except IngestError as exc:
        fail(str(exc), EXIT_BAD_INPUT)


def _load(model_dir: Path) -> TargetingModel:
    try:
        return TargetingModel.load(model_dir)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), EXIT_BAD_INPUT)


def _print_metrics(metrics: dict[str, float], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(metrics, indent=2) + "\n")
        return
    console.print(f"records {int(metrics['n'])}, positive rate {metrics['positive_rate']:.3f}")
    for f in DEFAULT_FRACTIONS:
        tag = f"{f * 100:g}%"
        parts = [f"{k.split('@')[0]} {v:.3f}" for k, v in metrics.items() if k.endswith(f"@{tag}")]
        console.print(f"@{tag:>4}: " + ", ".join(parts))


@app.command()
def train(
    train_file: Path = typer.Option(..., "--train", help="Labelled training file (CSV, JSONL or Parquet)."),
    model_dir: Path = typer.Option(..., "--model", help="Directory to write the model artefact to."),
    fmt: str = typer.Option("bordermark", "--format", help=FORMAT_HELP),
    valid_file: Path | None = typer.Option(None, "--valid", help="Labelled validation file: calibration, metrics."),
    labels: Path | None = typer.Option(None, "--labels", help="Labels file when kept apart (inspections.csv)."),
    iterations: int = typer.Option(1000, help="Boosting iterations of the fraud model."),
    critical_iterations: int = typer.Option(300, help="Boosting iterations of the critical-class model."),
    learning_rate: float | None = typer.Option(
        None, help="Learning rate of both models (default: fraud 0.08, critical CatBoost's own pick)."),
    seed: int = typer.Option(0, help="Random seed."),
    threads: int = typer.Option(2, help="CPU threads."),
    critical: bool = typer.Option(True, help="Also train the critical-class model when labels give it."),
) -> None:
    """Train a targeting model and save it as a versioned directory (model, features, data hash, metrics)."""
    mapping = _mapping(fmt)
    frame = _read(train_file, mapping, labels)
    valid = _read(valid_file, mapping, labels) if valid_file else None
    cfg = TrainConfig(iterations=iterations, critical_iterations=critical_iterations, learning_rate=learning_rate,
                      seed=seed, thread_count=threads, critical=critical)
    try:
        model = TargetingModel.train(frame, mapping, cfg, valid=valid, data_hash=file_hash(train_file, labels))
    except ValueError as exc:
        fail(f"{train_file}: {exc}", EXIT_BAD_INPUT)
    model.save(model_dir)
    console.print(f"model saved to {model_dir} ({model.manifest['train_rows']} labelled rows)")
    if model.metrics.get("valid"):
        _print_metrics(model.metrics["valid"], as_json=False)


@app.command()
def score(
    model_dir: Path = typer.Option(..., "--model", help="Model directory from `targeting train`."),
    input_file: Path = typer.Option(..., "--input", help="Declarations to score."),
    output: Path = typer.Option(..., "--output", help="CSV to write: id, score, [critical_score,] rank, reasons."),
    fmt: str | None = typer.Option(None, "--format", help=FORMAT_HELP + " Defaults to the model's."),
    reasons_top: str = typer.Option("1%", help="Explain the top share (1%) or count (1000) of the ranking."),
) -> None:
    """Score a file; rank 1 is the declaration most worth inspecting."""
    model = _load(model_dir)
    if fmt is not None and _mapping(fmt).name != model.mapping.name:
        fail(f"--format {fmt} does not match the model's format {model.mapping.name}", EXIT_BAD_INPUT)
    frame = _read(input_file, model.mapping)
    share = parse_share(reasons_top)
    scored = model.score_frame(frame, reasons_top=share)
    scored.write_csv(output)
    console.print(f"{scored.height} declarations scored -> {output}")


@app.command()
def evaluate(
    model_dir: Path = typer.Option(..., "--model", help="Model directory."),
    input_file: Path = typer.Option(..., "--input", help="Labelled declarations."),
    labels: Path | None = typer.Option(None, "--labels", help="Labels file when kept apart (inspections.csv)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Precision, recall, revenue and critical recall at the top 1, 2, 5 and 10 %."""
    model = _load(model_dir)
    frame = _read(input_file, model.mapping, labels)
    if "fraud" not in frame.columns or frame["fraud"].is_null().all():
        fail(f"{input_file}: no labels to evaluate against", EXIT_BAD_INPUT)
    _print_metrics(model.evaluate(frame), as_json)


@app.command()
def simulate(
    input_file: Path = typer.Option(..., "--input", help="Fully labelled history (ground truth)."),
    fmt: str = typer.Option("bordermark", "--format", help=FORMAT_HELP),
    labels: Path | None = typer.Option(None, "--labels", help="Labels file when kept apart."),
    capacity: str = typer.Option("5%", help="Inspections per week: a share (5%) or a count."),
    explore: str = typer.Option("10%", help="Share of the capacity picked at random."),
    warmup: int = typer.Option(4, help="Weeks inspected at random before the first model."),
    iterations: int = typer.Option(200, help="Boosting iterations per weekly retraining."),
    output: Path | None = typer.Option(None, help="CSV with one row per week."),
) -> None:
    """Weekly replay where only inspected declarations reveal labels: does the model hold up, is exploration enough?"""
    mapping = _mapping(fmt)
    frame = _read(input_file, mapping, labels).filter(pl.col("fraud").is_not_null())
    cfg = TrainConfig(iterations=iterations, learning_rate=0.1, critical=False)

    def trainer(known: pl.DataFrame):  # type: ignore[no-untyped-def]
        model = TargetingModel.train(known, mapping, cfg)
        return lambda batch: model.predict(batch)[0]

    share = parse_share(capacity)
    result = simulate_weeks(frame, trainer, capacity=share, explore=float(parse_share(explore)), warmup_weeks=warmup)
    table = result.to_frame()
    if output:
        table.write_csv(output)
    with pl.Config(tbl_rows=200, tbl_cols=20):
        console.print(table)


def select_cmd(
    scores: Path = typer.Option(..., "--scores", help="Scores CSV from `targeting score` (id, score)."),
    capacity: str = typer.Option("5%", help="How many to inspect: a share (5%) or a count (200)."),
    explore: str = typer.Option("10%", help="Share of the capacity drawn at random from the rest."),
    seed: int = typer.Option(0, help="Seed of the random picks."),
    output: Path | None = typer.Option(None, help="CSV to write; stdout if omitted."),
) -> None:
    """Choose declarations to inspect: the top of the ranking plus random picks with known propensities."""
    try:
        table = pl.read_csv(scores, schema_overrides={ID: pl.String})
    except (OSError, pl.exceptions.PolarsError) as exc:
        fail(f"{scores}: {exc}", EXIT_BAD_INPUT)
    for col in (ID, "score"):
        if col not in table.columns:
            fail(f"{scores}: column {col!r} is missing", EXIT_BAD_INPUT)
    try:
        cap, exp = parse_share(capacity), float(parse_share(explore))
        sel = select(table["score"].to_numpy(), cap, explore=exp, seed=seed)
    except ValueError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    out = selection_frame(table[ID], table["score"].to_numpy(), sel)
    if output:
        out.write_csv(output)
        console.print(f"{out.height} of {table.height} selected ({len(sel.random)} at random) -> {output}")
    else:
        sys.stdout.write(out.write_csv())
