from pathlib import Path

from bordermark.registry import service
from bordermark.store import Store

DATA = Path(__file__).parents[2] / "src" / "bordermark" / "registry" / "data"


def test_import_then_load(store: Store) -> None:
    report = service.import_files(store, sorted(DATA.glob("*.csv")))
    assert report.marks > 20
    reg = service.load(store)
    assert {m.text for m in reg.marks} >= {"CHANEL", "GUCCI", "MUJI"}
