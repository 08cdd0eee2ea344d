"""Read declaration files into the canonical columnar table (polars), batch by batch.

Why columnar: the targeting model scores a million declarations in seconds only if reading, typing and feature
building stay vectorised; the per-record pydantic path (``records.py``) is for screening rules, not for bulk scoring.
Values are first read as text, then typed, so a bad cell can be reported with its file, line and field.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from bordermark.ingest.errors import IngestError
from bordermark.ingest.mapping import FieldSpec, LabelSpec, Mapping

ID, TIME = "id", "time"
LABELS = ("fraud", "critical", "revenue", "selected_by")
DEFAULT_BATCH = 250_000
_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%Y/%m/%d")


def detect_format(path: Path) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the file name."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise IngestError(str(path), None, None, "unknown file type; use .csv, .jsonl or .parquet")


def iter_raw(path: Path, batch_size: int = DEFAULT_BATCH) -> Iterator[tuple[int, pl.DataFrame]]:
    """Yield ``(line number of the batch's first record, raw batch)``; CSV cells stay text."""
    if not path.exists():
        raise IngestError(str(path), None, None, "file not found")
    kind = detect_format(path)
    if kind == "csv":
        yield from _iter_csv(path, batch_size)
    elif kind == "jsonl":
        yield from _iter_jsonl(path, batch_size)
    else:
        pf = pq.ParquetFile(path)
        line = 1
        for batch in pf.iter_batches(batch_size=batch_size):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield line, frame
            line += frame.height


def _iter_csv(path: Path, batch_size: int) -> Iterator[tuple[int, pl.DataFrame]]:
    # One read of the whole file is much faster than polars' batched reader; slice it into batches after.
    try:
        frame = pl.read_csv(path, infer_schema_length=0, null_values=[""])
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise IngestError(str(path), None, None, f"unreadable CSV: {exc}") from exc
    for start in range(0, max(frame.height, 1), batch_size):
        yield start + 2, frame.slice(start, batch_size)


def _iter_jsonl(path: Path, batch_size: int) -> Iterator[tuple[int, pl.DataFrame]]:
    def parse(lines: list[bytes], first: int) -> pl.DataFrame:
        try:
            return pl.read_ndjson(io.BytesIO(b"".join(lines)), infer_schema_length=None)
        except Exception:  # find the offending line for a useful message
            for i, raw in enumerate(lines):
                try:
                    json.loads(raw)
                except ValueError as exc:
                    raise IngestError(str(path), first + i, None, f"not valid JSON: {exc}") from exc
            raise

    with path.open("rb") as fh:
        lines: list[bytes] = []
        first = 1
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            if not lines:
                first = number
            lines.append(raw if raw.endswith(b"\n") else raw + b"\n")
            if len(lines) >= batch_size:
                yield first, parse(lines, first)
                lines = []
        if lines:
            yield first, parse(lines, first)


def _source_expr(spec: FieldSpec, raw: pl.DataFrame, file: str, name: str) -> pl.Expr:
    if spec.const is not None:
        return pl.lit(spec.const)
    head, idx, sub = spec.path
    if head not in raw.columns:
        raise IngestError(file, None, name, f"column {head!r} is missing from the file")
    col = pl.col(head)
    if idx is None:
        return col
    if idx != "":
        item = col.list.get(int(idx), null_on_oob=True)
        return item.struct.field(sub) if sub else item
    values = col.list.eval(pl.element().struct.field(sub)) if sub else col
    agg = spec.agg or "join"
    if agg == "count":
        return col.list.len()
    if agg == "join":
        return values.list.eval(pl.element().cast(pl.String)).list.join(" | ")
    if agg == "first":
        return values.list.first()
    numeric = values.list.eval(pl.element().cast(pl.Float64, strict=False))
    return {"sum": numeric.list.sum(), "max": numeric.list.max(), "min": numeric.list.min()}[agg]


def _decode_nested(raw: pl.DataFrame, specs: dict[str, FieldSpec], file: str, first_line: int) -> pl.DataFrame:
    """Nested values stored as JSON text (a CSV export of items) become lists of structs."""
    for name, spec in specs.items():
        if spec.source is None:
            continue
        head, idx, _ = spec.path
        if idx is None or head not in raw.columns or raw.schema[head] != pl.String:
            continue
        values: list[Any] = []
        for i, text in enumerate(raw[head].to_list()):
            try:
                values.append(json.loads(text) if text else None)
            except ValueError as exc:
                raise IngestError(file, first_line + i, name, f"column {head!r} is not valid JSON: {exc}") from exc
        raw = raw.with_columns(pl.Series(head, values, strict=False))
    return raw


def _typed(expr: pl.Expr, kind: str) -> pl.Expr:
    if kind == "float":
        return expr.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    if kind == "int":
        return expr.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
    if kind == "date":
        s = expr.cast(pl.String).str.strip_chars()
        return pl.coalesce([s.str.to_datetime(f, strict=False) for f in _DATE_FORMATS])
    if kind == "datetime":
        s = expr.cast(pl.String).str.strip_chars()
        return s.str.to_datetime(strict=False, time_zone="UTC").dt.replace_time_zone(None)
    return expr.cast(pl.String)


def _check(raw_col: pl.Series, typed_col: pl.Series, file: str, first_line: int, name: str, kind: str) -> None:
    bad = raw_col.is_not_null() & typed_col.is_null()
    if raw_col.dtype == pl.String:
        bad = bad & (raw_col.str.strip_chars() != "")
    if bad.any():
        row = int(bad.arg_true()[0])
        raise IngestError(file, first_line + row, name, f"{raw_col[row]!r} is not a valid {kind}")


def apply_mapping(raw: pl.DataFrame, mapping: Mapping, file: str = "<input>", first_line: int = 1) -> pl.DataFrame:
    """Turn one raw batch into canonical columns: ``id``, ``time``, every mapped field, and in-file labels."""
    specs: dict[str, FieldSpec] = {ID: mapping.id, TIME: mapping.time, **mapping.fields}
    raw = _decode_nested(raw, specs, file, first_line)
    untyped = raw.select([_source_expr(spec, raw, file, name).alias(name) for name, spec in specs.items()])
    typed = untyped.select([_typed(pl.col(n), specs[n].type).alias(n) for n in specs])
    for name, spec in specs.items():
        if spec.type != "str":
            _check(untyped[name], typed[name], file, first_line, name, spec.type)
    for name in (ID, TIME):
        missing = typed[name].is_null()
        if missing.any():
            row = int(missing.arg_true()[0])
            raise IngestError(file, first_line + row, name, "required value is empty")
    labels = mapping.labels
    if labels.join is None:
        extra = []
        for name in LABELS:
            label: LabelSpec | None = getattr(labels, name)
            if label is not None and label.source in raw.columns:
                extra.append(_label_expr(label).alias(name))
        if extra:
            typed = typed.with_columns(raw.select(extra))
    return typed


def _label_expr(spec: LabelSpec) -> pl.Expr:
    col = pl.col(spec.source).cast(pl.String).str.strip_chars()
    if spec.positive is not None:
        positives = [str(p) for p in spec.positive]
        return pl.when(col.is_null()).then(None).otherwise(col.is_in(positives).cast(pl.Int8))
    if spec.type == "int":
        return col.cast(pl.Float64, strict=False).cast(pl.Int8, strict=False)
    if spec.type == "float":
        return col.cast(pl.Float64, strict=False)
    return col


def iter_frames(path: str | Path, mapping: Mapping, batch_size: int = DEFAULT_BATCH) -> Iterator[pl.DataFrame]:
    """Stream canonical batches from a CSV, JSONL or Parquet file."""
    p = Path(path)
    for first_line, raw in iter_raw(p, batch_size):
        yield apply_mapping(raw, mapping, str(p), first_line)


def read_labels(data_path: str | Path, mapping: Mapping, labels_path: str | Path | None = None) -> pl.DataFrame | None:
    """Labels from a separate file (the mapping's ``labels.join``), keyed by ``id``; None if the mapping has none."""
    join = mapping.labels.join
    if join is None:
        return None
    path = Path(labels_path) if labels_path else Path(data_path).parent / join.file
    if not path.exists():
        return None
    raw = pl.concat([b for _, b in iter_raw(path)], how="diagonal_relaxed")
    if join.key not in raw.columns:
        raise IngestError(str(path), None, join.key, "key column is missing")
    for col, value in join.where.items():
        if col not in raw.columns:
            raise IngestError(str(path), None, col, "filter column is missing")
        raw = raw.filter(pl.col(col).cast(pl.String) == value)
    exprs = [pl.col(join.key).cast(pl.String).alias(ID)]
    for name in LABELS:
        spec: LabelSpec | None = getattr(mapping.labels, name)
        if spec is not None:
            if spec.source not in raw.columns:
                raise IngestError(str(path), None, spec.source, "label column is missing")
            exprs.append(_label_expr(spec).alias(name))
    # one label per record: the latest inspection wins
    return raw.select(exprs).unique(subset=[ID], keep="last", maintain_order=True)


def read_frame(
    path: str | Path,
    mapping: Mapping,
    labels_path: str | Path | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> pl.DataFrame:
    """The whole file as one canonical table, with labels joined when the mapping keeps them elsewhere."""
    frames = list(iter_frames(path, mapping, batch_size))
    frame = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()
    labels = read_labels(path, mapping, labels_path)
    if labels is not None and frame.height:
        frame = frame.join(labels, on=ID, how="left")
    return frame
