"""Streaming readers and writers for listing files (JSON Lines, CSV, Parquet), one row at a time.

Why streaming: a platform export can hold ten million listings; memory must stay flat, so rows are parsed,
screened and written one batch at a time. Why bad rows are yielded, not raised: a single malformed row must
not stop a nightly run; it is reported with file, line and field and skipped (exit status 3).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from bordermark.domain import Listing
from bordermark.domain.codes import check_country
from bordermark.screen.money import Rates

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
LISTING_FIELDS = ("id", "title", "description", "price", "currency", "seller_id", "seller_name", "platform",
                  "category", "url", "ships_from", "images", "listed_at")
_STR_FIELDS = ("title", "description", "seller_id", "seller_name", "platform", "category", "url")


@dataclass(frozen=True)
class RowError:
    path: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.reason}"


class UnknownFormat(ValueError):
    pass


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnknownFormat(f"{path}: unknown file type {path.suffix or '(none)'}: use .jsonl, .csv or .parquet")
    return fmt


def _raw_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    fmt = file_format(path)
    name = str(path)
    if fmt == "jsonl":
        with path.open(encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, RowError(name, n, "line", f"malformed JSON: {exc.msg}")
                    continue
                if not isinstance(obj, dict):
                    yield n, RowError(name, n, "line", "expected a JSON object")
                    continue
                yield n, obj
    elif fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader, [])]
            if not header:
                yield 1, RowError(name, 1, "header", "empty file: a header row is required")
                return
            width = len(header)
            try:
                for row in reader:
                    n = reader.line_num
                    if not row:
                        continue
                    if len(row) != width:
                        yield n, RowError(name, n, "line", f"{len(row)} cells, the header has {width}")
                        continue
                    yield n, dict(zip(header, row, strict=True))
            except csv.Error as exc:
                yield reader.line_num, RowError(name, reader.line_num, "line", f"malformed CSV: {exc}")
    else:
        import pyarrow.parquet as pq

        n = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=8192):
            for obj in batch.to_pylist():
                n += 1
                yield n, obj


def _images(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            value = json.loads(value)
        else:
            return tuple(p for p in value.split("|") if p)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    raise ValueError(f"expected a list of paths, got {type(value).__name__}")


_COUNTRY_CACHE: dict[str, str] = {}


def parse_listing(obj: dict[str, Any], rates: Rates, *, path: str = "-", line: int = 0) -> Listing | RowError:
    """Validate one raw row into a :class:`Listing`; the first problem found is returned as a ``RowError``.

    Checks what screening relies on (id present, price a non-negative number, currency with a configured rate,
    ships_from a country) by hand and then builds the model without re-validation: this path runs for every
    row of multi-million-line files.
    """
    lid = obj.get("id")
    if lid is None or (isinstance(lid, str) and not lid.strip()):
        return RowError(path, line, "id", "missing listing id")
    lid = str(lid).strip()
    raw_price = obj.get("price")
    price: Decimal | None = None
    if raw_price is not None and raw_price != "":
        try:
            price = raw_price if isinstance(raw_price, Decimal) else Decimal(str(raw_price).strip())
        except InvalidOperation:
            return RowError(path, line, "price", f"{raw_price!r} is not a number")
        if not price.is_finite() or price < 0:
            return RowError(path, line, "price", f"{raw_price!r} is not a non-negative number")
    currency = obj.get("currency") or None
    if currency is not None:
        currency = str(currency).strip().upper()
        if currency not in rates.per_base:
            return RowError(path, line, "currency", f"unknown currency {obj.get('currency')!r} (no configured rate)")
    elif price is not None:
        return RowError(path, line, "currency", "a price needs a currency")
    ships = obj.get("ships_from") or None
    if ships is not None:
        key = str(ships)
        code = _COUNTRY_CACHE.get(key)
        if code is None:
            try:
                code = check_country(key)
            except ValueError as exc:
                return RowError(path, line, "ships_from", str(exc))
            _COUNTRY_CACHE[key] = code
        ships = code
    try:
        images = _images(obj.get("images"))
    except (ValueError, json.JSONDecodeError) as exc:
        return RowError(path, line, "images", str(exc))
    listed = obj.get("listed_at") or None
    if listed is not None and not isinstance(listed, datetime):
        try:
            listed = datetime.fromisoformat(str(listed))
        except ValueError:
            return RowError(path, line, "listed_at", f"{listed!r} is not an ISO date-time")
    fields: dict[str, Any] = {"id": lid, "price": price, "currency": currency, "ships_from": ships,
                              "images": images, "listed_at": listed}
    for key in _STR_FIELDS:
        value = obj.get(key)
        if value is None:
            fields[key] = "" if key in ("title", "description") else None
        elif isinstance(value, str):
            fields[key] = value
        elif isinstance(value, int | float):
            fields[key] = str(value)
        else:
            return RowError(path, line, key, f"expected text, got {type(value).__name__}")
    return Listing.model_construct(**fields)


def read_listings(path: Path, rates: Rates) -> Iterator[Listing | RowError]:
    """Yield every listing of the file in order, or a ``RowError`` in place of a bad row."""
    name = str(path)
    for n, raw in _raw_rows(path):
        if isinstance(raw, RowError):
            yield raw
        else:
            yield parse_listing(raw, rates, path=name, line=n)


class ResultWriter:
    """Writes screening results row by row in the format the output file's extension names."""

    def __init__(self, path: Path, columns: Iterable[str]) -> None:
        self.path, self.fmt, self.columns = path, file_format(path), list(columns)
        self._fh: IO[str] | None = None
        self._csv: Any = None
        self._pq: Any = None
        self._buffer: list[dict[str, Any]] = []
        if self.fmt in ("jsonl", "csv"):
            self._fh = path.open("w", encoding="utf-8", newline="")
            if self.fmt == "csv":
                self._csv = csv.writer(self._fh)
                self._csv.writerow(self.columns)

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        if self.fmt == "jsonl":
            assert self._fh is not None
            dumps = json.dumps
            self._fh.write("".join(dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows))
        elif self.fmt == "csv":
            for r in rows:
                self._csv.writerow([_csv_cell(r.get(c)) for c in self.columns])
        else:
            self._buffer.extend(rows)
            if len(self._buffer) >= 50_000:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._buffer:
            return
        cols = {c: [_pq_cell(r.get(c)) for r in self._buffer] for c in self.columns}
        table = pa.table(cols)
        if self._pq is None:
            self._pq = pq.ParquetWriter(self.path, table.schema)
        self._pq.write_table(table.cast(self._pq.schema))
        self._buffer.clear()

    def close(self) -> None:
        if self.fmt == "parquet":
            self._flush_parquet()
            if self._pq is None:
                import pyarrow as pa
                import pyarrow.parquet as pq

                pq.write_table(pa.table({c: pa.array([], pa.string()) for c in self.columns}), self.path)
            else:
                self._pq.close()
        elif self._fh is not None:
            self._fh.close()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "" if value is None else value


def _pq_cell(value: Any) -> Any:
    """Nested values (hits, reasons) go to Parquet as JSON text: one stable schema whatever a row holds."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value
