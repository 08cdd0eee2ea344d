"""Streaming readers and writers for listing files (JSON Lines, CSV, Parquet), one row at a time.

Why streaming: a platform export can hold ten million listings; memory must stay flat, so rows are parsed,
screened and written one batch at a time. Why bad rows are yielded, not raised: a single malformed row must
not stop a nightly run; it is reported with file, line and field and skipped (exit status 3).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import orjson

from bordermark.domain import Listing
from bordermark.domain.codes import check_country
from bordermark.ingest.errors import RowError
from bordermark.ingest.jsonl import iter_objects, parse_line
from bordermark.screen.compiled import fast as _fast
from bordermark.screen.money import Rates

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
LISTING_FIELDS = ("id", "title", "description", "price", "currency", "seller_id", "seller_name", "platform",
                  "category", "url", "ships_from", "images", "listed_at")
# the columns of engine.OUTPUT_COLUMNS, in the order ScreenResult.to_row writes them
_RESULT_COLUMNS = ["id", "score", "verdict", "brand_hits", "reasons", "scenario_version", "suppressed"]
_STR_FIELDS = ("title", "description", "seller_id", "seller_name", "platform", "category", "url")
_WRITE_BUFFER = 1 << 20  # bytes buffered before a JSON Lines result file is written to
# A listing as the compiled JSON Lines reader hands it to screening with ``read_batches(records=True)``: the dict a
# ``Listing`` made by ``parse_listing`` holds as its fields (same keys, order and values), except that a JSON
# number price stays the float it was read as (``record_listing`` gives the model, its price the exact Decimal)
Record = dict[str, Any]


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
        yield from iter_objects(path)
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


_all_fields = itemgetter(*LISTING_FIELDS)
_COUNTRY_CACHE: dict[str, str] = {}
_CURRENCY_CACHE: dict[Any, str] = {}
# JSON prices (floats) -> their exact Decimal (immutable, so shared): Decimal(repr(x)) costs ~0.7 µs and a
# platform's prices repeat a lot (bounded: cleared when full)
_PRICE_CACHE: dict[float, Decimal] = {}
_PLAIN_TEXT = frozenset({str, type(None)})
_LISTING_FIELDS = frozenset(Listing.model_fields)
_FIELDS_SET = set(_LISTING_FIELDS)
_new = object.__new__
_INF = float("inf")
_decimal = Decimal
_fromiso = datetime.fromisoformat
_setattr = object.__setattr__


def clear_read_caches() -> None:
    """Forget the parsed prices kept across files, and the float the compiled twin keeps per price (benchmarks
    call it so each timed run starts cold)."""
    _PRICE_CACHE.clear()
    if _fast is not None:
        _fast.clear_caches()


def _all_text(items: list[Any]) -> bool:
    """Whether every item is text (a join is the cheapest check in CPython for the usual one or two paths)."""
    try:
        "".join(items)
    except TypeError:
        return False
    return True


def parse_listing(obj: dict[str, Any], rates: Rates, *, path: str = "-", line: int = 0) -> Listing | RowError:
    """Validate one raw row into a :class:`Listing`; the first problem found is returned as a ``RowError``.

    Checks what screening relies on (id present, price a non-negative number, currency with a configured rate,
    ships_from a country) by hand and then builds the model without re-validation: this path runs for every
    row of multi-million-line files.
    """
    # every field in one call in C (a missing one reads None), checked below in the order errors are reported
    try:
        fields = _all_fields(obj)
    except KeyError:  # a field left out of the row
        fields = tuple(map(obj.get, LISTING_FIELDS))
    (lid, title, description, raw_price, raw_currency, seller_id, seller_name, platform, category, url, ships,
     raw_images, listed) = fields
    if type(lid) is str:
        lid = lid.strip()
        if not lid:
            return RowError(path, line, "id", "missing listing id")
    elif lid is None:
        return RowError(path, line, "id", "missing listing id")
    else:
        lid = str(lid).strip()
    price: Decimal | None = None
    if raw_price is not None and raw_price != "":
        if type(raw_price) is float:  # the usual JSON number: checked as a float, kept exact as its shortest repr
            if not 0.0 <= raw_price < _INF:
                return RowError(path, line, "price", f"{raw_price!r} is not a non-negative number")
            price = _PRICE_CACHE.get(raw_price) if raw_price else None  # (0.0 and -0.0 are one key: not cached)
            if price is None:
                price = _decimal(repr(raw_price))
                if raw_price:
                    if len(_PRICE_CACHE) >= 100_000:
                        _PRICE_CACHE.clear()
                    _PRICE_CACHE[raw_price] = price
        else:
            try:
                if isinstance(raw_price, Decimal):
                    price = raw_price
                elif type(raw_price) is int:
                    price = Decimal(raw_price)
                else:
                    price = Decimal(str(raw_price).strip())
            except InvalidOperation:
                return RowError(path, line, "price", f"{raw_price!r} is not a number")
            if not price.is_finite() or price < 0:
                return RowError(path, line, "price", f"{raw_price!r} is not a non-negative number")
    if raw_currency:
        currency = _CURRENCY_CACHE.get(raw_currency) if type(raw_currency) is str else None
        if currency is None:
            currency = str(raw_currency).strip().upper()
            if currency not in rates.per_base:
                return RowError(path, line, "currency", f"unknown currency {raw_currency!r} (no configured rate)")
            if type(raw_currency) is str and len(_CURRENCY_CACHE) < 1000:
                _CURRENCY_CACHE[raw_currency] = currency
        elif currency not in rates.per_base:  # the cache is shared by every Rates; this one may lack it
            return RowError(path, line, "currency", f"unknown currency {raw_currency!r} (no configured rate)")
    else:
        currency = None
        if price is not None:
            return RowError(path, line, "currency", "a price needs a currency")
    if not ships:
        ships = None
    else:
        code = _COUNTRY_CACHE.get(ships) if type(ships) is str else None
        if code is None:
            key = str(ships)
            code = _COUNTRY_CACHE.get(key)
            if code is None:
                try:
                    code = check_country(key)
                except ValueError as exc:
                    return RowError(path, line, "ships_from", str(exc))
                _COUNTRY_CACHE[key] = code
        ships = code
    if type(raw_images) is list and _all_text(raw_images):
        images: tuple[str, ...] = tuple(raw_images)
    else:
        try:
            images = _images(raw_images)
        except (ValueError, json.JSONDecodeError) as exc:
            return RowError(path, line, "images", str(exc))
    if not listed:
        listed = None
    elif not isinstance(listed, datetime):
        try:
            listed = _fromiso(listed if type(listed) is str else str(listed))
        except ValueError:
            return RowError(path, line, "listed_at", f"{listed!r} is not an ISO date-time")
    text = (title, description, seller_id, seller_name, platform, category, url)  # as _STR_FIELDS
    if not _PLAIN_TEXT.issuperset(map(type, text)):
        fixed: list[Any] = []
        for key, value in zip(_STR_FIELDS, text, strict=True):
            if value is None or type(value) is str:
                fixed.append(value)
            elif isinstance(value, str | int | float):  # str subclasses, numbers written without quotes
                fixed.append(str(value))
            else:
                return RowError(path, line, key, f"expected text, got {type(value).__name__}")
        title, description, seller_id, seller_name, platform, category, url = fixed
    # field order as declared on Listing, so dumps of the model keep their usual key order
    listing = _new(Listing)
    _setattr(listing, "__dict__", {
        "id": lid, "title": title or "", "description": description or "", "price": price, "currency": currency,
        "seller_id": seller_id, "seller_name": seller_name, "platform": platform, "category": category, "url": url,
        "ships_from": ships, "images": images, "listed_at": listed,
    })
    # one set for every listing: Listing is frozen, so nothing adds to it (model_copy copies it first)
    _setattr(listing, "__pydantic_fields_set__", _FIELDS_SET)
    _setattr(listing, "__pydantic_extra__", None)
    _setattr(listing, "__pydantic_private__", None)
    return listing


def record_listing(record: Record) -> Listing:
    """The ``Listing`` a record stands for: what ``parse_listing`` makes of the same row (a float price becomes
    ``Decimal(repr(price))``, as there)."""
    fields = dict(record)
    price = fields["price"]
    if type(price) is float:
        fields["price"] = _decimal(repr(price))
    listing = _new(Listing)
    _setattr(listing, "__dict__", fields)
    _setattr(listing, "__pydantic_fields_set__", _FIELDS_SET)
    _setattr(listing, "__pydantic_extra__", None)
    _setattr(listing, "__pydantic_private__", None)
    return listing


def read_listings(path: Path, rates: Rates) -> Iterator[Listing | RowError]:
    """Yield every listing of the file in order, or a ``RowError`` in place of a bad row."""
    name = str(path)
    for n, raw in _raw_rows(path):
        if isinstance(raw, RowError):
            yield raw
        else:
            yield parse_listing(raw, rates, path=name, line=n)


def read_batches(path: Path, rates: Rates, size: int = 2000, *,
                 records: bool = False) -> Iterator[list[Listing | Record | RowError]]:
    """:func:`read_listings` in lists of ``size`` (the same items in the same order), for JSON Lines without
    the per-row generator layers: the reading loop and the row checks run inline, a block of lines at a time.

    ``records``: the compiled reader may hand a usual row over as its :data:`Record` (the fields, the price a
    float) instead of a ``Listing`` (screening reads the fields either way; ``record_listing`` gives the model).
    Why: a file run never needs most listings as models, and the model's exact ``Decimal`` price cost more than
    anything else in reading a row (its text form, the Decimal, the caches that spared them for repeated prices).
    The pure path hands over models."""
    if file_format(path) != "jsonl":
        batch: list[Listing | Record | RowError] = []
        for item in read_listings(path, rates):
            batch.append(item)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    name = str(path)
    loads, bad_json = orjson.loads, orjson.JSONDecodeError
    out: list[Listing | Record | RowError] = []
    n = 0
    with path.open("rb") as fh:
        while True:
            lines = fh.readlines(1 << 20)
            if not lines:
                break
            if _fast is not None:  # the compiled twin of the loop below (parse_listing for any unusual row)
                at = 0
                while at < len(lines):
                    at, n = _fast.read_lines(lines, at, n, name, rates, out, size, records)
                    if len(out) >= size:
                        yield out
                        out = []
                continue
            for line in lines:
                n += 1
                if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                try:
                    obj = loads(line)
                except bad_json:
                    if not line.strip():
                        continue
                    obj = parse_line(line)  # the standard parser decides, and says why (as iter_objects does)
                    if isinstance(obj, str):
                        obj = RowError(name, n, "line", obj)
                if type(obj) is dict and type(obj.get("id")) is float:  # maybe an integer beyond 64 bits, which
                    obj = json.loads(line)  # orjson reads as a float: the standard parser keeps it exact
                out.append(parse_listing(obj, rates, path=name, line=n) if type(obj) is dict
                           else obj if type(obj) is RowError else RowError(name, n, "line", "expected a JSON object"))
                if len(out) >= size:
                    yield out
                    out = []
    if out:
        yield out


class ResultWriter:
    """Writes screening results row by row in the format the output file's extension names."""

    def __init__(self, path: Path, columns: Iterable[str]) -> None:
        self.path, self.fmt, self.columns = path, file_format(path), list(columns)
        self._fh: IO[str] | None = None
        self._csv: Any = None
        self._pq: Any = None
        self._buffer: list[dict[str, Any]] = []
        self._bin: IO[bytes] | None = None
        if self.fmt == "jsonl":
            # a large buffer: rows are handed to the file one by one (see write_results)
            self._bin = path.open("wb", buffering=_WRITE_BUFFER)
        elif self.fmt == "csv":
            self._fh = path.open("w", encoding="utf-8", newline="")
            if self.fmt == "csv":
                self._csv = csv.writer(self._fh)
                self._csv.writerow(self.columns)

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        if self.fmt == "jsonl":
            assert self._bin is not None
            dumps, opt = orjson.dumps, orjson.OPT_APPEND_NEWLINE
            self._bin.write(b"".join([dumps(r, option=opt) for r in rows]))
        elif self.fmt == "csv":
            for r in rows:
                self._csv.writerow([_csv_cell(r.get(c)) for c in self.columns])
        else:
            self._buffer.extend(rows)
            if len(self._buffer) >= 50_000:
                self._flush_parquet()

    def write_results(self, results: Iterable[Any]) -> None:
        """Write screening results (``engine.ScreenResult``): the rows of ``to_row()``; for JSON Lines the
        brand hits go in as the JSON each distinct text's hits were serialised to once (same bytes)."""
        if self.fmt != "jsonl" or self.columns != _RESULT_COLUMNS:
            self.write(r.to_row() for r in results)
            return
        assert self._bin is not None
        write = self._bin.write
        if _fast is not None:  # the compiled twin of the loop below
            _fast.write_rows(results, write)
            return
        dumps, opt, frag = orjson.dumps, orjson.OPT_APPEND_NEWLINE, orjson.Fragment
        # each row goes to the file's buffer as soon as it is encoded: orjson's output buffer is then freed at once
        # and re-used by the next row (a list of rows kept a fresh block per row until the join; a bytearray of
        # the batch grew by reallocation, copying what it held whenever it could not grow in place)
        for r in results:
            write(dumps({"id": r.listing_id, "score": r.score, "verdict": r.verdict,
                         "brand_hits": r.brand_hits if r.brand_hits_json is None else frag(r.brand_hits_json),
                         "reasons": r.reasons, "scenario_version": r.scenario_version, "suppressed": r.suppressed},
                        option=opt))

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
        elif self._bin is not None:
            self._bin.close()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return "" if value is None else value


def _pq_cell(value: Any) -> Any:
    """Nested values (hits, reasons) go to Parquet as JSON text: one stable schema whatever a row holds."""
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return value
