"""``bordermark demo``: the main job on the embedded default store, for a newcomer's first run."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from bordermark.cli.common import OutputFormat, console, emit, get_store
from bordermark.registry import service


def sample_registry_files() -> list[Path]:
    """The small registry of well-known brands that ships with the package."""
    base = Path(str(files("bordermark.registry") / "data"))
    return [base / "brands.csv", base / "products.csv", base / "parties.csv"]


def demo() -> None:
    """Set up the store, import the shipped sample registry and list it."""
    store = get_store()
    console.rule("Bordermark demo")
    console.print(f"store: {store.url}")
    report = service.import_files(store, sample_registry_files())
    console.print(f"registry: {report.marks} marks, {report.products} products, {report.parties} parties")
    reg = service.load(store)
    emit([{"mark": m.text, "holder": m.holder, "aliases": [a.text for a in m.aliases],
           "classes": list(m.nice_classes), "famous": m.famous} for m in reg.marks],
         OutputFormat.table, ["mark", "holder", "aliases", "classes", "famous"], title="Rights registry")
