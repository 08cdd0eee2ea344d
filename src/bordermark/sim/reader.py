"""Reading a generated world back (records and truth), for tests, benchmarks and evaluations.

Why here: detection, screening and targeting evaluations all need "records + truth joined by id"; one reader
keeps them from each re-parsing the layout written by :mod:`bordermark.sim.world`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any


class WorldReader:
    """Read access to a world directory (JSONL record files), each file parsed once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._cache: dict[str, list[dict[str, Any]]] = {}

    def jsonl(self, name: str) -> list[dict[str, Any]]:
        """Records of ``name`` (listings, sellers, declarations, parcels, filings, provenance)."""
        if name not in self._cache:
            with (self.root / f"{name}.jsonl").open(encoding="utf-8") as fh:
                self._cache[name] = [json.loads(line) for line in fh]
        return self._cache[name]

    def csv(self, relpath: str) -> list[dict[str, str]]:
        """Rows of a CSV file given relative to the world root, e.g. ``registry/marks.csv``."""
        key = f"csv:{relpath}"
        if key not in self._cache:
            with (self.root / relpath).open(encoding="utf-8", newline="") as fh:
                self._cache[key] = list(csv.DictReader(fh))
        return self._cache[key]

    def truth(self, name: str) -> dict[str, dict[str, str]]:
        """Ground truth of ``name`` keyed by record id (``actor_id`` for actors)."""
        key = "actor_id" if name == "actors" else "id"
        return {r[key]: r for r in self.csv(f"truth/{name}.csv")}
