"""Ingest: external declaration and parcel files (CSV, JSONL, Parquet) into canonical tables and domain records.

Field mappings are YAML data files in ``mappings/`` (``kcs``, ``bordermark``); readers stream in batches.
"""

from bordermark.ingest.errors import IngestError
from bordermark.ingest.frame import detect_format, iter_frames, read_frame, read_labels
from bordermark.ingest.mapping import Mapping, available, load_mapping
from bordermark.ingest.records import iter_declarations, iter_parcels

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
