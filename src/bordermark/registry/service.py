"""Registry import and export: all-or-nothing imports with every bad row reported, and lossless exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from bordermark.domain import AuthorisedParty, Mark, Product, Registry
from bordermark.registry import repository as repo
from bordermark.registry.formats import FileFormatError, read_rows
from bordermark.registry.parse import Parsed, RowError, parse_rows
from bordermark.store import Store

MARK_COLUMNS = [
    "holder", "mark", "id", "right_type", "aliases", "nice_classes", "jurisdictions", "registration_number",
    "recordation_number", "recordation_authority", "recordation_valid_from", "recordation_valid_until",
    "valid_from", "valid_until", "famous", "holder_country",
]
PRODUCT_COLUMNS = [
    "holder", "mark", "product", "category", "hs_codes", "market", "currency", "price_low", "price_high",
    "gs1_prefixes", "barcodes", "authentication_features",
]
PARTY_COLUMNS = ["holder", "role", "name", "country", "marks", "identifiers", "addresses", "contacts"]


class ImportRejected(Exception):
    """The import wrote nothing; ``errors`` lists every problem found, each with file, line and field."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the input")
        self.errors = list(errors)


@dataclass
class ImportReport:
    holders: int = 0
    marks: int = 0
    products: int = 0
    parties: int = 0
    files: list[str] = field(default_factory=list)


def parse_files(paths: Sequence[Path]) -> Parsed:
    """Read and validate every file; file-level problems become errors, not exceptions."""
    rows = []
    file_errors: list[RowError] = []
    for path in paths:
        try:
            rows.extend(read_rows(path))
        except FileFormatError as exc:
            file_errors.append(RowError(exc.path, exc.line, "file", exc.reason))
    parsed = parse_rows(rows)
    parsed.errors[:0] = file_errors
    return parsed


def import_files(store: Store, paths: Sequence[Path]) -> ImportReport:
    """Validate everything first, then write in one transaction; any problem means nothing is written."""
    parsed = parse_files(paths)
    with store.session() as session:
        ids = repo.mark_ids_by_key(session)
        for row, mark in parsed.marks.values():
            key = (mark.holder, mark.text, mark.right_type.value)
            if ids.setdefault(key, mark.id) != mark.id:
                parsed.errors.append(RowError(row.path, row.line, "id",
                                              f"{mark.right_type.value} {mark.text!r} of {mark.holder!r} already "
                                              f"exists with id {ids[key]!r}; one mark cannot have two ids"))
        known = repo.existing_mark_keys(session) | {(m.holder, m.text) for _, m in parsed.marks.values()}
        known_holders = {h for h, _ in known} | set(parsed.holders)
        for row, product in parsed.products.values():
            if (product.holder, product.mark) not in known:
                parsed.errors.append(RowError(row.path, row.line, "mark",
                                              f"no mark {product.mark!r} of holder {product.holder!r} in the "
                                              "registry or in this import"))
        for row, party in parsed.parties.values():
            if party.holder not in known_holders:
                parsed.errors.append(RowError(row.path, row.line, "holder",
                                              f"no holder {party.holder!r} in the registry or in this import"))
            for text in party.marks:
                if (party.holder, text) not in known:
                    parsed.errors.append(RowError(row.path, row.line, "marks",
                                                  f"no mark {text!r} of holder {party.holder!r}"))
        if parsed.errors:
            raise ImportRejected(sorted(parsed.errors, key=lambda e: (e.path, e.line, e.field)))
        repo.upsert_holders(session, parsed.holders.values())
        repo.upsert_marks(session, (m for _, m in parsed.marks.values()))
        repo.upsert_products(session, (p for _, p in parsed.products.values()))
        repo.upsert_parties(session, (p for _, p in parsed.parties.values()))
    return ImportReport(
        holders=len(parsed.holders), marks=len(parsed.marks), products=len(parsed.products),
        parties=len(parsed.parties), files=[str(p) for p in paths],
    )


def load(store: Store) -> Registry:
    with store.session() as session:
        return repo.load_registry(session)


# ---- export -------------------------------------------------------------------------------------------

def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def mark_row(m: Mark) -> dict[str, Any]:
    rec = m.recordations[0] if len(m.recordations) == 1 else None
    row: dict[str, Any] = {
        "holder": m.holder,
        "mark": m.text,
        "id": m.external_id,
        "right_type": m.right_type.value,
        "aliases": [f"{a.text}[{a.kind.value}]" for a in m.aliases],
        "nice_classes": list(m.nice_classes),
        "jurisdictions": list(m.jurisdictions),
        "registration_number": m.registration_number,
        "valid_from": m.valid_from.isoformat() if m.valid_from else None,
        "valid_until": m.valid_until.isoformat() if m.valid_until else None,
        "famous": m.famous,
    }
    if rec is not None:
        row.update({
            "recordation_number": rec.number,
            "recordation_authority": rec.authority,
            "recordation_valid_from": rec.valid_from.isoformat() if rec.valid_from else None,
            "recordation_valid_until": rec.valid_until.isoformat() if rec.valid_until else None,
        })
    elif m.recordations:
        row["recordations"] = [
            {"number": r.number, "authority": r.authority,
             "valid_from": r.valid_from.isoformat() if r.valid_from else None,
             "valid_until": r.valid_until.isoformat() if r.valid_until else None}
            for r in m.recordations
        ]
    return {k: v for k, v in row.items() if v not in (None, [], "")}


def product_rows(p: Product) -> list[dict[str, Any]]:
    base: dict[str, Any] = {
        "holder": p.holder, "mark": p.mark, "product": p.name, "category": p.category,
        "hs_codes": list(p.hs_codes), "gs1_prefixes": list(p.gs1_prefixes), "barcodes": list(p.barcodes),
        "authentication_features": p.authentication_features,
    }
    bands = [{"market": b.market, "currency": b.currency, "price_low": _num(b.low), "price_high": _num(b.high)}
             for b in p.price_bands] or [{}]
    return [{k: v for k, v in {**base, **b}.items() if v not in (None, [], "")} for b in bands]


def party_row(p: AuthorisedParty) -> dict[str, Any]:
    row = {
        "holder": p.holder, "role": p.role.value, "name": p.name,
        "country": p.country, "marks": list(p.marks), "identifiers": list(p.identifiers),
        "addresses": list(p.addresses), "contacts": list(p.contacts),
    }
    return {k: v for k, v in row.items() if v not in (None, [], "")}


def export_document(reg: Registry) -> dict[str, Any]:
    """The registry as one JSON/YAML document that ``registry import`` reads back unchanged."""
    countries = {h.name: h.country for h in reg.holders if h.country}
    marks = []
    for m in reg.marks:
        row = mark_row(m)
        if m.holder in countries:
            row["holder_country"] = countries[m.holder]
        marks.append(row)
    return {
        "holders": [{"name": h.name, **({"country": h.country} if h.country else {})} for h in reg.holders],
        "marks": marks,
        "products": [r for p in reg.products for r in product_rows(p)],
        "parties": [party_row(p) for p in reg.parties],
    }


def export_json(reg: Registry) -> str:
    return json.dumps(export_document(reg), ensure_ascii=False, indent=2) + "\n"


def export_yaml(reg: Registry) -> str:
    return yaml.safe_dump(export_document(reg), allow_unicode=True, sort_keys=False)


def csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "|".join(map(str, v)) if isinstance(v, list) else
                         ("true" if v is True else "false" if v is False else v) for k, v in row.items()})
    return buf.getvalue()


def export_csv_dir(reg: Registry, directory: Path) -> list[Path]:
    """Write marks.csv, products.csv and parties.csv (the import format) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    doc = export_document(reg)
    for m in doc["marks"]:
        if "recordations" in m:
            raise ValueError(f"mark {m['mark']!r} has several recordations: export as JSON or YAML instead")
    out = []
    for name, rows, cols in (("marks", doc["marks"], MARK_COLUMNS), ("products", doc["products"], PRODUCT_COLUMNS),
                             ("parties", doc["parties"], PARTY_COLUMNS)):
        path = directory / f"{name}.csv"
        path.write_text(csv_text(rows, cols), encoding="utf-8")
        out.append(path)
    return out
