"""Writing the world's tables: record files as JSONL, CSV or Parquet; registry and truth always as CSV.

Why polars: it writes a million rows of JSON Lines in about a second, byte-identical for identical input,
which keeps ``same seed -> same bytes`` cheap to guarantee.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import polars as pl


class RecordFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _scalar_list(values: list[Any]) -> pl.Series:
    """A list column built by splitting joined text: polars builds nested columns from Python lists slowly."""
    sample = next((x for v in values for x in v), "")
    joined = pl.Series(["\x1f".join(map(str, v)) for v in values]).str.split("\x1f")
    frame = pl.DataFrame({"v": joined, "n": [len(v) for v in values]})
    out = frame.select(pl.col("v").list.head(pl.col("n")))["v"]
    if isinstance(sample, int):
        out = out.list.eval(pl.element().cast(pl.Int64))
    return out


def _frame(columns: dict[str, list[Any]], flatten: bool) -> pl.DataFrame:
    data: dict[str, Any] = {}
    for name, values in columns.items():
        sample = next((v for v in values if v is not None), None)
        nested = isinstance(sample, dict) or (isinstance(sample, list | tuple) and any(
            isinstance(x, dict) for v in values[:50] for x in v))
        if flatten and isinstance(sample, list | tuple) and not nested:
            data[name] = ["|".join(map(str, v)) for v in values]
        elif flatten and nested:
            data[name] = [json.dumps(v, ensure_ascii=False, sort_keys=True) for v in values]
        elif isinstance(sample, list | tuple) and not nested:
            data[name] = _scalar_list(values).alias(name)
        else:
            data[name] = values
    return pl.DataFrame(data, strict=False, infer_schema_length=None)


def write_records(directory: Path, name: str, columns: dict[str, list[Any]], fmt: RecordFormat) -> Path:
    """Write one record table; CSV flattens lists to ``a|b`` and nested objects to JSON text."""
    path = directory / f"{name}.{fmt.value}"
    if fmt is RecordFormat.jsonl:
        write_jsonl(path, columns)
    elif fmt is RecordFormat.csv:
        _frame(columns, flatten=True).write_csv(path)
    else:
        _frame(columns, flatten=False).write_parquet(path, statistics=False)
    return path


def write_jsonl(path: Path, columns: dict[str, list[Any]]) -> None:
    """One JSON object per line, keys in column order; nested rows (declaration items) go through json."""
    nested = any(isinstance(next(iter(v), None), list | tuple) and v and v[0] and isinstance(v[0][0], dict)
                 for v in columns.values())
    if not nested:
        _frame(columns, flatten=False).write_ndjson(path)
        return
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({k: columns[k][i] for k in names}, ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")


def write_csv(path: Path, columns: dict[str, list[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _frame(columns, flatten=True).write_csv(path)
    return path


def rows_to_columns(rows: list[dict[str, Any]], names: list[str]) -> dict[str, list[Any]]:
    return {k: [r.get(k) for r in rows] for k in names}
