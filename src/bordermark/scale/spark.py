"""Batch detection and listing screening on Apache Spark: the path past one machine.

Why Spark and why this shape: a platform's nightly export or a year of a customs administration's declarations
does not fit one process, but each record is screened on its own. So the job is embarrassingly parallel: the
driver snapshots the registry (or the whole screener: registry, published scenario, seller history, image
hashes, cleared listings) once, Spark ships it to every executor as a broadcast variable, and each partition
runs the very same pure code the CLI runs (:mod:`bordermark.detect`, :mod:`bordermark.screen.engine`). Results
are identical to the single-process commands, record for record; only the order of the output part files
differs, and each result carries its input's id.

Bad rows keep the house rule: each is reported with its file, line and field and skipped. Line numbers come
from ``zipWithIndex`` over each input file, so they match what an editor shows.

The ``pyspark`` package is an optional extra (``pip install 'bordermark[scale]'``), imported only here.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bordermark.detect.stream import record_of
from bordermark.domain import Listing
from bordermark.ingest.errors import RowError
from bordermark.ingest.jsonl import parse_line
from bordermark.screen.io import parse_listing

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pyspark import RDD
    from pyspark.sql import SparkSession

    from bordermark.detect import Detector
    from bordermark.screen.engine import Screener

#: Tags on the records a partition yields: a result line, or a bad-row message (path:line: field: reason).
_OK, _BAD = 0, 1
BAD_ROWS_SHOWN = 1000


class SparkUnavailable(RuntimeError):
    """pyspark (or the Java runtime it needs) is not installed."""


@dataclass
class JobReport:
    """What a batch job did: counts, the first bad rows (all of them are counted), the output folder."""

    output: str
    processed: int = 0
    bad_rows: int = 0
    bad_examples: list[str] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)
    queued: int = 0


def session(master: str, *, app_name: str = "bordermark", shuffle_partitions: int = 8) -> SparkSession:
    """A Spark session whose Python workers run this interpreter (so they see the same bordermark package)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SparkUnavailable("pyspark is not installed: pip install 'bordermark[scale]'") from exc
    # Workers must run this interpreter (its site-packages hold bordermark); the config key alone is honoured by
    # spark-submit only, so set the variable the Python gateway reads too.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.pyspark.python", sys.executable)
               .config("spark.pyspark.driver.python", sys.executable))
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM failing to start surfaces as a generic py4j/runtime error
        raise SparkUnavailable(f"could not start Spark ({master}): {exc}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# -- input ----------------------------------------------------------------------------------------------------
def _file_rows(spark: SparkSession, path: str, partitions: int | None) -> RDD[tuple[str, int, str | dict[str, Any]]]:
    """``(file, line, raw)`` for every non-empty row of one input: a JSON Lines text or a Parquet file."""
    name = str(path)
    if name.endswith(".parquet"):
        df = spark.read.parquet(name)
        numbered = df.rdd.map(lambda r: r.asDict(recursive=True)).zipWithIndex()
        if partitions:
            numbered = numbered.repartition(partitions)
        return numbered.map(lambda p: (name, p[1] + 1, p[0]))
    lines = spark.sparkContext.textFile(name, minPartitions=partitions or 2)
    return (lines.zipWithIndex()
            .filter(lambda p: bool(p[0].strip()))
            .map(lambda p: (name, p[1] + 1, p[0].removeprefix("\ufeff"))))


def _inputs(spark: SparkSession, inputs: Sequence[str | Path], partitions: int | None
            ) -> RDD[tuple[str, int, str | dict[str, Any]]]:
    if not inputs:
        raise ValueError("no input files")
    missing = [str(p) for p in inputs if not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"no such input: {', '.join(missing)}")
    rdds = [_file_rows(spark, str(p), partitions) for p in inputs]
    return rdds[0] if len(rdds) == 1 else spark.sparkContext.union(rdds)


def _as_object(path: str, line: int, raw: str | dict[str, Any]) -> dict[str, Any] | RowError:
    if isinstance(raw, dict):
        return raw
    obj = parse_line(raw)
    return obj if isinstance(obj, dict) else RowError(path, line, "line", obj)


# -- per-partition work (runs on executors; pure functions of the broadcast snapshot) -------------------------
_BUILT: dict[str, Any] = {}


def _detect_partition(detector: Detector, rows: Iterable[tuple[str, int, str | dict[str, Any]]], batch: int
                      ) -> Iterator[tuple[int, str]]:
    buf: list[tuple[Any, str, str | None]] = []

    def flush() -> Iterator[tuple[int, str]]:
        dets = detector.detect_many([t for _, t, _ in buf], categories=[c for _, _, c in buf])
        for (rid, _, _), d in zip(buf, dets, strict=True):
            yield _OK, json.dumps({"id": rid, **d.to_dict()}, ensure_ascii=False)
        buf.clear()

    for path, line, raw in rows:
        obj = _as_object(path, line, raw)
        if isinstance(obj, RowError):
            yield _BAD, str(obj)
            continue
        try:
            buf.append(record_of(obj))
        except ValueError as exc:
            fld, reason = exc.args
            yield _BAD, str(RowError(path, line, fld, reason))
            continue
        if len(buf) >= batch:
            yield from flush()
    if buf:
        yield from flush()


def _screen_partition(screener: Screener, rows: Iterable[tuple[str, int, str | dict[str, Any]]], batch: int,
                      queued: frozenset[str]) -> Iterator[tuple[int, Any]]:
    """Yield ``(_OK, (json_row, verdict, result_or_None))``: the result object travels back only when it will
    enter the review queue, so the driver never holds the whole run."""
    buf: list[Listing] = []

    def flush() -> Iterator[tuple[int, Any]]:
        for r in screener.screen_many(buf):
            row = json.dumps(r.to_row(), ensure_ascii=False, separators=(",", ":"))
            yield _OK, (row, r.verdict.value, r if r.verdict.value in queued else None)
        buf.clear()

    for path, line, raw in rows:
        obj = _as_object(path, line, raw)
        listing = obj if isinstance(obj, RowError) else parse_listing(obj, screener.rates, path=path, line=line)
        if isinstance(listing, RowError):
            yield _BAD, str(listing)
            continue
        buf.append(listing)
        if len(buf) >= batch:
            yield from flush()
    if buf:
        yield from flush()


def _built(key: str, factory: Any) -> Any:
    """One detector/screener per executor Python process, reused by every partition of the job it runs; a new
    job's snapshot replaces the last one, so a long-lived worker holds one copy at most."""
    obj = _BUILT.get(key)
    if obj is None:
        _BUILT.clear()
        obj = _BUILT[key] = factory()
    return obj


# -- jobs ---------------------------------------------------------------------------------------------------
def _summary(items: Iterable[tuple[int, Any]], verdict_of: Any) -> Iterator[tuple[int, list[str], int, dict[str, int]]]:
    """One small record per partition: bad-row count and first messages, good-row count, verdict counts."""
    bad: list[str] = []
    n_bad = n_ok = 0
    verdicts: dict[str, int] = {}
    for tag, value in items:
        if tag == _BAD:
            n_bad += 1
            if len(bad) < BAD_ROWS_SHOWN:
                bad.append(value)
        else:
            n_ok += 1
            if verdict_of is not None:
                v = verdict_of(value)
                verdicts[v] = verdicts.get(v, 0) + 1
    yield n_bad, bad, n_ok, verdicts


def _finish(tagged: RDD[tuple[int, Any]], output: str, ok_line: Any, verdict_of: Any = None
            ) -> tuple[JobReport, RDD[tuple[int, Any]]]:
    """Two passes over the results, computed once and kept (memory, spilling to disk): the output files, then
    a per-partition summary; pass-by-pass filters would re-read every row several times."""
    from pyspark import StorageLevel

    tagged.persist(StorageLevel.MEMORY_AND_DISK)
    tagged.filter(lambda t: t[0] == _OK).map(ok_line).saveAsTextFile(output)
    report = JobReport(output=output)
    for n_bad, bad, n_ok, verdicts in tagged.mapPartitions(lambda it: _summary(it, verdict_of)).collect():
        report.bad_rows += n_bad
        report.processed += n_ok
        report.bad_examples.extend(bad[:BAD_ROWS_SHOWN - len(report.bad_examples)])
        for v, n in verdicts.items():
            report.verdicts[v] = report.verdicts.get(v, 0) + n
    return report, tagged


def detect(spark: SparkSession, detector: Detector, inputs: Sequence[str | Path], output: str | Path, *,
           partitions: int | None = None, batch: int = 2048) -> JobReport:
    """``bordermark detect`` over many files in parallel: one output line per good input row, as the CLI writes."""
    sc = spark.sparkContext
    shipped = sc.broadcast(detector)
    key = uuid.uuid4().hex
    rows = _inputs(spark, inputs, partitions)
    tagged = rows.mapPartitions(lambda it: _detect_partition(_built(key, lambda: shipped.value), it, batch))
    report, cached = _finish(tagged, str(output), lambda t: t[1])
    cached.unpersist()
    shipped.unpersist()
    return report


def screen_listings(spark: SparkSession, screener: Screener, inputs: Sequence[str | Path], output: str | Path, *,
                    partitions: int | None = None, batch: int = 2000,
                    on_raised: Any = None, queued: Iterable[str] = ()) -> JobReport:
    """``bordermark screen listings`` over many files in parallel.

    ``on_raised`` receives the results whose verdict is in ``queued`` in chunks (the CLI records them in the
    review queue, as the single-process command does); everything else stays on the executors and in the
    output folder.
    """
    sc = spark.sparkContext
    shipped = sc.broadcast(screener)
    key = uuid.uuid4().hex
    raise_set = frozenset(queued)
    rows = _inputs(spark, inputs, partitions)
    tagged = rows.mapPartitions(lambda it: _screen_partition(_built(key, lambda: shipped.value), it, batch,
                                                             raise_set))
    report, cached = _finish(tagged, str(output), lambda t: t[1][0], verdict_of=lambda v: v[1])
    if on_raised is not None and raise_set:
        chunk: list[Any] = []
        for r in cached.filter(lambda t: t[0] == _OK and t[1][2] is not None).map(lambda t: t[1][2]).toLocalIterator():
            chunk.append(r)
            if len(chunk) >= 2000:
                on_raised(chunk)
                report.queued += len(chunk)
                chunk = []
        if chunk:
            on_raised(chunk)
            report.queued += len(chunk)
    cached.unpersist()
    shipped.unpersist()
    return report


def merged_lines(output: str | Path) -> Iterator[str]:
    """Every result line of a job's output folder, part file by part file (for tests and small runs)."""
    for part in sorted(Path(output).glob("part-*")):
        with part.open(encoding="utf-8") as fh:
            yield from (line.rstrip("\n") for line in fh if line.strip())
