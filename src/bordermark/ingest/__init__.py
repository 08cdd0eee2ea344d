"""Ingest: external declaration and parcel files (CSV, JSONL, Parquet) into canonical tables and domain records.

Field mappings are YAML data files in ``mappings/`` (``kcs``, ``bordermark``); readers stream in batches.

The names below load on first use (PEP 562): ``bordermark.ingest.jsonl``, the line reader that detection,
screening and the Spark workers share, must not pull polars and the mapping machinery in with it (~0.7 s at start-up).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bordermark.ingest.errors import IngestError
    from bordermark.ingest.frame import detect_format, iter_frames, read_frame, read_labels
    from bordermark.ingest.mapping import Mapping, available, load_mapping
    from bordermark.ingest.records import iter_declarations, iter_parcels

_HOME = {
    "IngestError": "errors",
    "detect_format": "frame",
    "iter_frames": "frame",
    "read_frame": "frame",
    "read_labels": "frame",
    "Mapping": "mapping",
    "available": "mapping",
    "load_mapping": "mapping",
    "iter_declarations": "records",
    "iter_parcels": "records",
}

__all__ = [
    "IngestError",
    "Mapping",
    "available",
    "detect_format",
    "iter_declarations",
    "iter_frames",
    "iter_parcels",
    "load_mapping",
    "read_frame",
    "read_labels",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
