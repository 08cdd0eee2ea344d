"""Domain records (``Declaration``, ``Parcel``) from files, for the rule-based screens.

Bordermark's own JSONL is a model dump per line and is validated as such; any other mapped format goes through the
canonical table and is folded into one-item declarations. Every validation error names file, line and field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bordermark.domain.records import Declaration, DeclarationItem, Parcel
from bordermark.ingest.errors import IngestError
from bordermark.ingest.frame import ID, TIME, detect_format, iter_frames, iter_raw
from bordermark.ingest.mapping import Mapping

M = TypeVar("M", bound=BaseModel)


def _validation_error(file: str, line: int, exc: ValidationError) -> IngestError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    return IngestError(file, line, field, first["msg"])


def _iter_dicts(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if detect_format(path) == "jsonl":
        with path.open("r", encoding="utf-8") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except ValueError as exc:
                    raise IngestError(str(path), number, None, f"not valid JSON: {exc}") from exc
                if not isinstance(obj, dict):
                    raise IngestError(str(path), number, None, "expected a JSON object")
                yield number, obj
        return
    for first, batch in iter_raw(path):
        for i, row in enumerate(batch.iter_rows(named=True)):
            clean = {k: v for k, v in row.items() if v is not None and v != ""}
            for key in ("items", "route"):
                if isinstance(clean.get(key), str):
                    try:
                        clean[key] = json.loads(clean[key])
                    except ValueError as exc:
                        raise IngestError(str(path), first + i, key, f"not valid JSON: {exc}") from exc
            yield first + i, clean


def _iter_models(path: str | Path, model: type[M]) -> Iterator[M]:
    p = Path(path)
    for line, obj in _iter_dicts(p):
        try:
            yield model.model_validate(obj)
        except ValidationError as exc:
            raise _validation_error(str(p), line, exc) from exc


def iter_parcels(path: str | Path) -> Iterator[Parcel]:
    """Parcels in Bordermark's format (a ``Parcel`` dump per JSONL line, or the same fields as CSV/Parquet columns)."""
    return _iter_models(path, Parcel)


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def iter_declarations(path: str | Path, mapping: Mapping) -> Iterator[Declaration]:
    """Declarations with items; Bordermark dumps are validated directly, other formats folded from the table."""
    if mapping.name == "bordermark":
        yield from _iter_models(path, Declaration)
        return
    header_fields = set(Declaration.model_fields) - {"id", "declared_at", "items", "route"}
    for frame in iter_frames(path, mapping):
        for row in frame.iter_rows(named=True):
            header = {k: v for k, v in row.items() if k in header_fields and v is not None}
            declared_at = row[TIME]
            if not isinstance(declared_at, datetime):
                declared_at = datetime.fromisoformat(str(declared_at))
            item: dict[str, Any] = {
                "line": 1,
                "description": row.get("description") or "",
                "hs_code": row.get("hs_code"),
                "value": _dec(row.get("value")) or Decimal(0),
                "currency": row.get("currency") or "XXX",
                "origin": row.get("origin"),
                "brand": row.get("brand"),
                "gross_weight_kg": _dec(row.get("mass_kg")),
            }
            try:
                # KCS-style country codes can be outside ISO (e.g. "ZZ"): keep the declaration, drop the bad code.
                items = (DeclarationItem.model_validate(item),)
            except ValidationError:
                item["origin"] = None
                items = (DeclarationItem.model_validate(item),)
            base = {"id": str(row[ID]), "declared_at": declared_at, "items": items}
            try:
                yield Declaration.model_validate({**header, **base})
            except ValidationError:
                header.pop("country_of_departure", None)
                yield Declaration.model_validate({**header, **base})
