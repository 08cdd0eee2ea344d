"""Streaming readers: every bad row named by file, line and field; no silent zeros."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bordermark.domain import Listing, Registry
from bordermark.screen.io import (
    ResultWriter,
    RowError,
    UnknownFormat,
    parse_listing,
    read_batches,
    read_listings,
)
from bordermark.screen.money import Rates, UnknownCurrency


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ({"title": "x"}, "id", "missing listing id"),
        ({"id": " ", "title": "x"}, "id", "missing listing id"),
        ({"id": "a", "price": "12,50", "currency": "EUR"}, "price", "'12,50' is not a number"),
        ({"id": "a", "price": "-3", "currency": "EUR"}, "price", "not a non-negative number"),
        ({"id": "a", "price": "NaN", "currency": "EUR"}, "price", "not a non-negative number"),
        ({"id": "a", "price": 3, "currency": "XXQ"}, "currency", "unknown currency 'XXQ'"),
        ({"id": "a", "price": 3}, "currency", "a price needs a currency"),
        ({"id": "a", "ships_from": "Narnia"}, "ships_from", "unknown country"),
        ({"id": "a", "title": {"x": 1}}, "title", "expected text"),
        ({"id": "a", "listed_at": "yesterday"}, "listed_at", "not an ISO date-time"),
    ],
)
def test_bad_fields_are_clear_errors(rates: Rates, row: dict[str, object], field: str, reason: str) -> None:
    out = parse_listing(row, rates, path="f.jsonl", line=4)
    assert isinstance(out, RowError)
    assert (out.field, out.line) == (field, 4) and reason in out.reason
    assert str(out).startswith(f"f.jsonl:4: {field}: ")


def test_good_row_keeps_price_exact(rates: Rates) -> None:
    out = parse_listing({"id": 17, "price": "19.99", "currency": "eur", "images": "a.jpg|b.jpg",
                         "ships_from": "cn"}, rates)
    assert isinstance(out, Listing)
    assert (out.id, str(out.price), out.currency, out.images, out.ships_from) == (
        "17", "19.99", "EUR", ("a.jpg", "b.jpg"), "CN")


def test_jsonl_reader_reports_line_numbers(tmp_path: Path, rates: Rates) -> None:
    p = tmp_path / "l.jsonl"
    p.write_text('{"id": "a"}\n\n{bad json\n{"id": "c", "price": "x", "currency": "USD"}\n[1]\n{"id": "d"}\n')
    items = list(read_listings(p, rates))
    errors = [str(i) for i in items if isinstance(i, RowError)]
    assert [i.id for i in items if isinstance(i, Listing)] == ["a", "d"]
    assert errors[0].startswith(f"{p}:3: line: malformed JSON")
    assert errors[1] == f"{p}:4: price: 'x' is not a number"
    assert errors[2] == f"{p}:5: line: expected a JSON object"


def test_csv_reader_reports_width_and_fields(tmp_path: Path, rates: Rates) -> None:
    p = tmp_path / "l.csv"
    p.write_text('id,title,price,currency\na,"multi\nline",1.5,USD\nb,x\nc,y,2,ZZZ\n')
    items = list(read_listings(p, rates))
    assert isinstance(items[0], Listing) and items[0].title == "multi\nline"
    assert str(items[1]) == f"{p}:4: line: 2 cells, the header has 4"
    assert str(items[2]).startswith(f"{p}:5: currency: unknown currency 'ZZZ'")


def test_parquet_reader(tmp_path: Path, rates: Rates) -> None:
    p = tmp_path / "l.parquet"
    pq.write_table(pa.table({"id": ["a", None], "title": ["t", "u"], "price": [1.5, 2.0],
                             "currency": ["USD", "USD"], "images": [["i.png"], []]}), p)
    items = list(read_listings(p, rates))
    assert isinstance(items[0], Listing) and items[0].images == ("i.png",)
    assert isinstance(items[1], RowError) and items[1].line == 2 and items[1].field == "id"


def test_unknown_extension_is_refused(tmp_path: Path, rates: Rates) -> None:
    with pytest.raises(UnknownFormat, match=r"\.xlsx"):
        list(read_listings(tmp_path / "l.xlsx", rates))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_writer_round_trips_nested_fields(tmp_path: Path, suffix: str) -> None:
    p = tmp_path / f"out{suffix}"
    rows = [{"id": "a", "score": 0.5, "reasons": [{"code": "x", "detail": "d", "contribution": 1.0}]}]
    with ResultWriter(p, ["id", "score", "reasons"]) as w:
        w.write(rows)
    if suffix == ".jsonl":
        back = json.loads(p.read_text())["reasons"]
    elif suffix == ".csv":
        back = json.loads(p.read_text().splitlines()[1].split(",", 2)[2].strip('"').replace('""', '"'))
    else:
        back = json.loads(pq.read_table(p).to_pylist()[0]["reasons"])
    assert back == rows[0]["reasons"]


def test_rates_convert_and_refuse_unknown(rates: Rates, tmp_path: Path) -> None:
    assert rates.to_base(72, "CNY") == pytest.approx(10.0)
    with pytest.raises(UnknownCurrency):
        rates.to_base(1, "XAU")
    bad = tmp_path / "r.yaml"
    bad.write_text("base: USD\nrates:\n  EUR: zero\n")
    with pytest.raises(ValueError, match=r"rates\.EUR"):
        Rates.load(bad)


def test_screen_file_streams_and_reports_bad_rows(tmp_path: Path, rates: Rates, registry: Registry) -> None:
    from bordermark.screen.engine import Screener
    from bordermark.screen.scenario import BUILTIN
    from bordermark.screen.service import screen_file

    from .conftest import KeywordDetector

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"L{i}", "title": "thing"}) + "\n" for i in range(7))
                   + '{"id": "B", "price": "x", "currency": "USD"}\n')
    errors: list[RowError] = []
    screener = Screener.build(registry, KeywordDetector(registry), BUILTIN, rates)
    rep = screen_file(src, tmp_path / "out.jsonl", screener, batch_size=3, on_error=errors.append)
    assert (rep.screened, rep.bad_rows, dict(rep.verdicts)) == (7, 1, {"clear": 7})
    assert [e.line for e in errors] == [8]
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 7


def test_batched_reader_equals_the_row_reader(tmp_path: Path, rates: Rates) -> None:
    """screen_file reads through read_batches: the same items (listings and bad rows) as read_listings, whatever
    the batch size, on every kind of odd line (byte-order mark, blanks, NaN and big integers that only the
    standard parser reads, JSON that is not an object)."""
    p = tmp_path / "odd.jsonl"
    lines = ['\ufeff{"id": "a", "price": 2.5, "currency": "usd"}', "", "   ", "{bad json", "null", '"text"', "[1]",
             "7", '{"id": "n", "price": NaN, "currency": "USD"}', '{"id": 123456789012345678901234567890}',
             '{"id": "c", "price": "x", "currency": "USD"}', '{"id": "d", "price": -1.5, "currency": "USD"}',
             '{"id": "e", "price": 1e16, "currency": "EUR", "ships_from": "cn", "images": ["i.jpg"]}', "\t",
             '{"id": "f"}']
    p.write_text("\n".join(lines), encoding="utf-8")
    want = [str(i) if isinstance(i, RowError) else i for i in read_listings(p, rates)]
    assert len(want) == 12 and sum(isinstance(i, str) for i in want) == 8
    for size in (1, 2, 5, 1000):
        got = [str(i) if isinstance(i, RowError) else i for b in read_batches(p, rates, size) for i in b]
        assert got == want
        assert all(len(b) <= size for b in read_batches(p, rates, size))


@pytest.mark.parametrize("value", [0.0, -0.0, 8.65, 3496.08, 1e16, 1e-7, 0.1 + 0.2])
def test_float_prices_keep_their_shortest_text(rates: Rates, value: float) -> None:
    out = parse_listing({"id": "a", "price": value, "currency": "USD"}, rates)
    assert isinstance(out, Listing) and out.price == Decimal(str(value)) and str(out.price) == str(Decimal(str(value)))


def test_result_rows_write_the_same_bytes_as_plain_rows(tmp_path: Path, registry: Registry, rates: Rates) -> None:
    from bordermark.screen.engine import OUTPUT_COLUMNS, Screener
    from bordermark.screen.scenario import BUILTIN

    from .conftest import KeywordDetector

    s = Screener.build(registry, KeywordDetector(registry), BUILTIN, rates)
    items = [Listing(id=f"L{i}", title=t, price=Decimal(p), currency="USD", seller_id="S1")
             for i, (t, p) in enumerate([("ACME replica whatsapp", "5"), ("plain socks", "3"), ("zephir aaa", "90"),
                                         ("ACME replica whatsapp", "7")])]
    results = s.screen_many(items)
    assert results[0].brand_hits and results[0].brand_hits_json is not None
    with ResultWriter(tmp_path / "a.jsonl", OUTPUT_COLUMNS) as w:
        w.write_results(results)
    with ResultWriter(tmp_path / "b.jsonl", OUTPUT_COLUMNS) as w:
        w.write(r.to_row() for r in results)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    # results and a used screener still pickle (Spark ships both): the shared JSON is kept as bytes
    import pickle

    assert [r.to_row() for r in pickle.loads(pickle.dumps(results))] == [r.to_row() for r in results]
    assert pickle.loads(pickle.dumps(s)).screen_many(items)[2].to_row() == results[2].to_row()
    assert [json.loads(x)["id"] for x in (tmp_path / "a.jsonl").read_text().splitlines()] == ["L0", "L1", "L2", "L3"]


def test_streaming_leaves_the_collector_as_it_found_it() -> None:
    import gc

    from bordermark.screen.service import _fewer_collections

    gc.unfreeze()
    threshold = gc.get_threshold()
    with _fewer_collections() as settle:
        assert gc.get_threshold()[0] >= 50_000
        kept = [[i] for i in range(1000)]
        settle()
        assert gc.get_freeze_count() >= 1000
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0 and kept
    gc.freeze()  # a caller that froze its own state keeps everything frozen
    try:
        with _fewer_collections() as settle:
            settle()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    gc.unfreeze()  # a caller that says it froze its own state is believed (no walk over the frozen objects):
    try:  # told so with nothing frozen, it leaves what it settled frozen rather than unfreezing
        with _fewer_collections(frozen=True) as settle:
            held = [[i] for i in range(1000)]
            settle()
        assert gc.get_freeze_count() >= 1000 and held
    finally:
        gc.unfreeze()
    with _fewer_collections(frozen=False) as settle:  # and one that says it did not: everything unfrozen again
        kept = [[i] for i in range(1000)]
        settle()
        assert gc.get_freeze_count() >= 1000
    assert gc.get_freeze_count() == 0 and kept


@pytest.mark.parametrize("compiled", [True, False])
def test_integer_ids_beyond_64_bits_stay_exact(tmp_path: Path, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """orjson (3.13) reads an integer beyond 64 bits as a float: such an id must not become '1.2345678901234568e+29'."""
    from bordermark.screen import io

    if not compiled:
        monkeypatch.setattr(io, "_fast", None)
    elif io._fast is None:
        pytest.skip("the compiled reader is not built")
    src = tmp_path / "big.jsonl"
    src.write_text('{"id": 123456789012345678901234567890, "title": "x", "price": 5, "currency": "USD"}\n'
                   '{"id": 2.5, "title": "y"}\n', encoding="utf-8")
    got = [x for b in io.read_batches(src, Rates.load()) for x in b]
    assert [getattr(x, "id", None) for x in got] == ["123456789012345678901234567890", "2.5"]
