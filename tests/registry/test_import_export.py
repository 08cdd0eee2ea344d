"""Registry import/export on SQLite and PostgreSQL: round trips, idempotence, all-or-nothing imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bordermark.registry import repository, service
from bordermark.store import Store
from bordermark.store.registry_tables import AliasRow, MarkRow, PriceBandRow

SAMPLE = sorted((Path(__file__).parents[2] / "src" / "bordermark" / "registry" / "data").glob("*.csv"))


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        return (
            s.scalar(select(func.count()).select_from(MarkRow)) or 0,
            s.scalar(select(func.count()).select_from(AliasRow)) or 0,
            s.scalar(select(func.count()).select_from(PriceBandRow)) or 0,
        )


def test_json_round_trip_is_lossless(store: Store, tmp_path: Path, postgres: object) -> None:
    service.import_files(store, SAMPLE)
    first = service.export_json(service.load(store))
    (tmp_path / "export.json").write_text(first, encoding="utf-8")

    # import the export into a second, empty store of the same engine, and export again
    other_url = str(store.url).replace("bordermark.db", "other.db") if "sqlite" in store.url else \
        postgres.create_database()  # type: ignore[attr-defined]
    other = Store(other_url)
    other.migrate()
    service.import_files(other, [tmp_path / "export.json"])
    assert service.export_json(service.load(other)) == first
    assert service.load(other) == service.load(store)
    other.dispose()


def test_csv_and_yaml_round_trips(sqlite_store: Store, tmp_path: Path) -> None:
    service.import_files(sqlite_store, SAMPLE)
    reg = service.load(sqlite_store)
    service.export_csv_dir(reg, tmp_path / "csv")
    (tmp_path / "reg.yaml").write_text(service.export_yaml(reg), encoding="utf-8")
    for files in (sorted((tmp_path / "csv").glob("*.csv")), [tmp_path / "reg.yaml"]):
        fresh = Store(f"sqlite:///{tmp_path / (files[0].stem + '.db')}")
        fresh.migrate()
        service.import_files(fresh, files)
        assert service.load(fresh) == reg
        fresh.dispose()


def test_reimport_changes_nothing(store: Store) -> None:
    service.import_files(store, SAMPLE)
    before, counts = service.export_json(service.load(store)), _counts(store)
    service.import_files(store, SAMPLE)
    assert service.export_json(service.load(store)) == before
    assert _counts(store) == counts
    assert counts[0] == 27 and counts[2] >= 15


def test_observed_aliases_survive_reimport(store: Store) -> None:
    service.import_files(store, SAMPLE)
    chanel = next(m for m in service.load(store).marks if m.text == "CHANEL")
    with store.session() as s:
        assert repository.add_observed_alias(s, chanel.id, "Ch@nel")
        assert not repository.add_observed_alias(s, chanel.id, "Ch@nel")
    service.import_files(store, SAMPLE)
    again = next(m for m in service.load(store).marks if m.text == "CHANEL")
    assert ("Ch@nel", "observed") in {(a.text, a.kind.value) for a in again.aliases}


BAD_MARKS = """holder,mark,nice_classes,valid_until,jurisdictions
Acme,ACME,3|25,2030-01-01,CN
,NOHOLDER,3,,
Acme,BADCLASS,3|46,,
Acme,BADDATE,3,31/12/2030,
Acme,BADJUR,3,,XX|CN
"""

BAD_PRODUCTS = """holder,mark,product,market,currency,price_low,price_high,hs_codes
Acme,ACME,Widget,CN,CNY,10,20,420221
Acme,ACME,Gadget,CN,ZZZ,10,20,420221
Acme,ACME,Gizmo,CN,CNY,ten,20,4202
Acme,NOSUCH,Thing,CN,CNY,1,2,4202
"""


def test_bad_rows_are_all_reported_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    service.import_files(store, SAMPLE)
    before = service.export_json(service.load(store))
    marks = tmp_path / "marks.csv"
    marks.write_text(BAD_MARKS, encoding="utf-8")
    products = tmp_path / "products.csv"
    products.write_text(BAD_PRODUCTS, encoding="utf-8")
    with pytest.raises(service.ImportRejected) as exc:
        service.import_files(store, [marks, products])
    lines = [str(e) for e in exc.value.errors]
    assert f"{marks}:3: holder: required value is missing" in lines
    assert any(line.startswith(f"{marks}:4: nice_classes:") and "46" in line for line in lines)
    assert any(line.startswith(f"{marks}:5: valid_until:") and "YYYY-MM-DD" in line for line in lines)
    assert any(line.startswith(f"{marks}:6: jurisdictions:") and "XX" in line for line in lines)
    assert any(line.startswith(f"{products}:3: currency:") and "ZZZ" in line for line in lines)
    assert any(line.startswith(f"{products}:4: price_low:") for line in lines)
    assert any(line.startswith(f"{products}:5: mark:") and "NOSUCH" in line for line in lines)
    assert len(lines) == 7
    assert service.export_json(service.load(store)) == before


def test_malformed_files_are_reported(sqlite_store: Store, tmp_path: Path) -> None:
    broken_json = tmp_path / "a.json"
    broken_json.write_text('[\n{"holder": "A", "mark": "B"},\n{"holder": \n', encoding="utf-8")
    yaml_file = tmp_path / "b.yaml"
    yaml_file.write_text("marks:\n  - holder: A\n    mark: OK\n  - holder: A\n    famous: maybe\n", encoding="utf-8")
    unknown = tmp_path / "c.txt"
    unknown.write_text("x", encoding="utf-8")
    with pytest.raises(service.ImportRejected) as exc:
        service.import_files(sqlite_store, [broken_json, yaml_file, unknown])
    lines = [str(e) for e in exc.value.errors]
    assert any(line.startswith(f"{broken_json}:4: file: malformed JSON") for line in lines)
    assert f"{yaml_file}:4: mark: required value is missing" in lines
    assert any(line.startswith(f"{unknown}:0: file: unknown file type") for line in lines)
    assert service.load(sqlite_store).marks == ()


def test_crash_mid_import_leaves_store_as_it_was(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    service.import_files(store, SAMPLE[:1])  # brands only
    before, counts = service.export_json(service.load(store)), _counts(store)

    def explode(*_a: object, **_k: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(repository, "upsert_parties", explode)
    with pytest.raises(RuntimeError):
        service.import_files(store, SAMPLE)  # marks and products are written before parties
    assert service.export_json(service.load(store)) == before
    assert _counts(store) == counts


def test_one_mark_under_two_ids_is_refused(store: Store, tmp_path: Path) -> None:
    service.import_files(store, SAMPLE[:1])
    before = service.export_json(service.load(store))
    clash = tmp_path / "clash.csv"
    clash.write_text("holder,mark,id\nApple Inc.,APPLE,M00001\nAcme,ACME,M1\nAcme,ACME,M2\n", encoding="utf-8")
    with pytest.raises(service.ImportRejected) as exc:
        service.import_files(store, [clash])
    lines = [str(e) for e in exc.value.errors]
    assert any(line.startswith(f"{clash}:2: id:") and "already exists" in line for line in lines)
    assert any(line.startswith(f"{clash}:4: id:") and "'M1'" in line for line in lines)
    assert len(lines) == 2
    assert service.export_json(service.load(store)) == before
