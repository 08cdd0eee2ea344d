"""``bordermark batch``: the batch jobs on Apache Spark (local cores or a cluster), for inputs past one process.

Same detector, same screener, same output records as ``bordermark detect`` and ``bordermark screen listings``;
the output is a folder of JSON Lines part files, as Spark writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bordermark.cli.common import EXIT_BAD_INPUT, EXIT_PARTIAL, err_console, fail, get_store
from bordermark.settings import get_settings

if TYPE_CHECKING:  # pragma: no cover - typing only; pyspark is imported when a job runs
    from pyspark.sql import SparkSession

    from bordermark.scale.spark import JobReport
    from bordermark.screen.engine import ScreenResult

app = typer.Typer(help="Batch jobs on Apache Spark (needs the 'scale' extra and a Java runtime).",
                  no_args_is_help=True)

Inputs = Annotated[list[Path], typer.Option("--input", "-i", help="JSON Lines or Parquet file; repeat for more")]
Output = Annotated[Path, typer.Option("--output", "-o", help="Folder to create for the JSON Lines part files")]
Master = Annotated[str | None, typer.Option(help="Spark master (default BORDERMARK_SPARK_MASTER or local[*])")]
Partitions = Annotated[int | None, typer.Option(min=1, help="Minimum partitions per input file")]


def _check(inputs: list[Path], output: Path) -> None:
    for p in inputs:
        if not p.is_file():
            fail(f"{p}: no such file", EXIT_BAD_INPUT)
        if p.suffix.lower() not in (".jsonl", ".ndjson", ".parquet"):
            fail(f"{p}: unknown file type {p.suffix or '(none)'}: use .jsonl or .parquet", EXIT_BAD_INPUT)
    if output.exists():
        fail(f"{output}: already exists (Spark writes a new folder; choose another path)", EXIT_BAD_INPUT)


def _spark(master: str | None) -> SparkSession:
    from bordermark.scale import spark as job

    try:
        return job.session(master or get_settings().spark_master)
    except job.SparkUnavailable as exc:
        fail(str(exc), 1)


def _report(rep: JobReport, what: str) -> None:
    for line in rep.bad_examples:
        err_console.print(line, highlight=False, markup=False, soft_wrap=True)
    if rep.bad_rows > len(rep.bad_examples):
        err_console.print(f"... and {rep.bad_rows - len(rep.bad_examples)} more bad row(s)", highlight=False)
    summary = ", ".join(f"{v} {n}" for v, n in sorted(rep.verdicts.items()))
    err_console.print(f"{what} {rep.processed} record(s) into {rep.output}" + (f": {summary}" if summary else "")
                      + (f"; {rep.queued} queued for review" if rep.queued else "")
                      + (f"; {rep.bad_rows} bad row(s) skipped" if rep.bad_rows else ""), highlight=False)
    if rep.bad_rows:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("detect")
def detect(inputs: Inputs, output: Output, master: Master = None, partitions: Partitions = None) -> None:
    """``bordermark detect`` on Spark: marks and trade signals for every record of every input."""
    from bordermark.detect import Detector
    from bordermark.registry import service
    from bordermark.scale import spark as job

    _check(inputs, output)
    detector = Detector.from_registry(service.load(get_store()))
    spark = _spark(master)
    try:
        rep = job.detect(spark, detector, [str(p) for p in inputs], str(output), partitions=partitions)
    finally:
        spark.stop()
    _report(rep, "scanned")


@app.command("screen-listings")
def screen_listings(inputs: Inputs, output: Output, master: Master = None, partitions: Partitions = None,
                    queue: Annotated[bool, typer.Option(help="Put raised listings in the review queue")] = True,
                    ) -> None:
    """``bordermark screen listings`` on Spark: score, verdict and reasons for every listing of every input."""
    from bordermark.scale import spark as job
    from bordermark.screen import service
    from bordermark.screen.money import configured_rates

    _check(inputs, output)
    store = get_store()
    try:
        screener = service.make_screener(store, rates=configured_rates(), images_dir=inputs[0].parent)
    except service.ScreeningError as exc:
        fail(str(exc), EXIT_BAD_INPUT)

    def record(results: list[ScreenResult]) -> None:
        with store.session() as s:
            service.record_alerts(s, results)

    spark = _spark(master)
    try:
        rep = job.screen_listings(spark, screener, [str(p) for p in inputs], str(output), partitions=partitions,
                                  on_raised=record if queue else None,
                                  queued=[v.value for v in service.QUEUED])
    finally:
        spark.stop()
    _report(rep, "screened")
