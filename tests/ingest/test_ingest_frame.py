from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from bordermark.ingest import IngestError, available, iter_declarations, iter_frames, load_mapping, read_frame

from .kcs_fixture import write_kcs


def _decl(i: int, **over: object) -> dict[str, object]:
    d: dict[str, object] = {
        "id": f"D{i}", "declared_at": f"2025-01-0{1 + i % 9}T10:00:00Z", "mode": "0110", "direction": "import",
        "consignor": "Acme Factory", "consignee": "Buyer Ltd", "declarant": None, "exporter": "Acme Factory",
        "importer": "Buyer Ltd", "country_of_departure": "HK", "route": ["HK", "CN"], "transport_mode": "sea",
        "carrier": "COSCO", "office": "2248 Yangshan",
        "items": [
            {"line": 1, "description": "ACME bag", "hs_code": "420221", "quantity": 10, "unit": "pcs",
             "value": 100.5, "currency": "USD", "origin": "CN", "brand": "ACME", "gross_weight_kg": 2.0},
            {"line": 2, "description": "gift", "hs_code": "950300", "quantity": 1, "unit": "pcs",
             "value": 9.5, "currency": "USD", "origin": "CN", "brand": None, "gross_weight_kg": 1.0},
        ],
    }
    d.update(over)
    return d


def test_shipped_mappings_load() -> None:
    assert {"kcs", "bordermark"} <= set(available())
    kcs = load_mapping("kcs")
    assert "importer" in kcs.columns("entity")
    assert kcs.columns("hs") == ["hs_code"]


def test_kcs_csv_to_canonical_table(tmp_path: Path) -> None:
    path = write_kcs(tmp_path / "kcs.csv", n=50)
    frame = read_frame(path, load_mapping("kcs"))
    assert frame.height == 50
    assert frame.schema["value"] == pl.Float64 and frame.schema["time"] == pl.Datetime("us")
    raw = pl.read_csv(path, infer_schema_length=0)
    assert frame["id"].to_list() == raw["Declaration ID"].to_list()
    # Critical Fraud 2 is the critical class; 1 is ordinary fraud
    expected = (raw["Critical Fraud"] == "2").cast(pl.Int8).to_list()
    assert frame["critical"].to_list() == expected
    assert frame["fraud"].to_list() == raw["Fraud"].cast(pl.Int8).to_list()
    assert set(frame["currency"].to_list()) == {"KRW"}


def test_kcs_bad_number_names_file_line_field(tmp_path: Path) -> None:
    path = write_kcs(tmp_path / "kcs.csv", n=5)
    lines = path.read_text().splitlines()
    cells = lines[3].split(",")
    cells[19] = "12,5x".replace(",", "")  # Item Price on data row 3 = file line 4
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(IngestError) as err:
        read_frame(path, load_mapping("kcs"))
    assert err.value.line == 4 and err.value.field == "value"
    assert "kcs.csv:4: value:" in str(err.value)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    pl.read_csv(write_kcs(tmp_path / "full.csv", n=3), infer_schema_length=0).drop("HS6 Code").write_csv(path)
    with pytest.raises(IngestError, match="hs_code: column 'HS6 Code' is missing"):
        read_frame(path, load_mapping("kcs"))


def test_bordermark_jsonl_nested_items_and_joined_labels(tmp_path: Path) -> None:
    path = tmp_path / "declarations.jsonl"
    path.write_text("".join(json.dumps(_decl(i)) + "\n" for i in range(3)))
    (tmp_path / "inspections.csv").write_text(
        "record_id,record_kind,inspected_at,outcome,selected_by\n"
        "D0,declaration,2025-01-05T00:00:00Z,counterfeit,target\n"
        "D1,declaration,2025-01-05T00:00:00Z,clear,random\n"
        "D1,parcel,2025-01-05T00:00:00Z,violation,random\n"
    )
    frame = read_frame(path, load_mapping("bordermark"))
    row = frame.row(0, named=True)
    assert row["value"] == pytest.approx(110.0) and row["n_items"] == 2 and row["quantity"] == 11
    assert row["hs_code"] == "420221" and row["route"] == "HK | CN" and row["description"] == "ACME bag | gift"
    assert frame["fraud"].to_list() == [1, 0, None]  # the parcel row with id D1 is filtered out
    assert frame["critical"].to_list() == [1, 0, None]
    assert frame["selected_by"].to_list() == ["target", "random", None]


def test_parquet_and_csv_carry_the_same_table(tmp_path: Path) -> None:
    src = write_kcs(tmp_path / "k.csv", n=20)
    pl.read_csv(src, infer_schema_length=0).write_parquet(tmp_path / "k.parquet")
    mapping = load_mapping("kcs")
    a = read_frame(src, mapping)
    b = read_frame(tmp_path / "k.parquet", mapping)
    assert a.drop("fraud", "critical").equals(b.drop("fraud", "critical"))


def test_streaming_batches(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(_decl(i)) + "\n" for i in range(7)))
    sizes = [f.height for f in iter_frames(path, load_mapping("bordermark"), batch_size=3)]
    assert sizes == [3, 3, 1]


def test_bad_json_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(_decl(0)) + "\n{not json\n")
    with pytest.raises(IngestError) as err:
        read_frame(path, load_mapping("bordermark"))
    assert err.value.line == 2


def test_bad_datetime_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(_decl(0)) + "\n" + json.dumps(_decl(1, declared_at="yesterday")) + "\n")
    with pytest.raises(IngestError) as err:
        read_frame(path, load_mapping("bordermark"))
    assert (err.value.line, err.value.field) == (2, "time")


def test_custom_mapping_file_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "mine.yaml"
    good.write_text(
        "name: mine\nid: {source: ref}\ntime: {source: day, type: date}\n"
        "fields:\n  value: {source: amount, type: float, role: value}\n"
    )
    data = tmp_path / "x.csv"
    data.write_text("ref,day,amount\nA,2024-02-01,3.5\n")
    frame = read_frame(data, load_mapping(good))
    assert frame.row(0, named=True)["value"] == 3.5
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nid: {source: ref}\ntime: {source: day}\nfields:\n  v: {source: a, typo: 1}\n")
    with pytest.raises(IngestError, match=r"fields\.v"):
        load_mapping(bad)
    with pytest.raises(IngestError, match="unknown format"):
        load_mapping("nosuchformat")


def test_declarations_as_domain_records(tmp_path: Path) -> None:
    path = write_kcs(tmp_path / "k.csv", n=4)
    decls = list(iter_declarations(path, load_mapping("kcs")))
    assert len(decls) == 4
    d = decls[0]
    assert len(d.items) == 1 and d.items[0].currency == "KRW" and d.importer
    jpath = tmp_path / "d.jsonl"
    jpath.write_text(json.dumps(_decl(0)) + "\n" + json.dumps(_decl(1, items=[{"line": 0}])) + "\n")
    records = iter_declarations(jpath, load_mapping("bordermark"))
    assert next(records).items[1].description == "gift"
    with pytest.raises(IngestError) as err:
        next(records)
    assert err.value.line == 2 and err.value.field is not None and err.value.field.startswith("items.0")
