"""Generate a whole world from a seed: registry, actors, listings, customs records, filings, provenance, truth.

The only entry point other code needs: :func:`generate`. Everything is derived from ``seed`` through
independently seeded generators per part, so adding a field to one part does not reshuffle the others.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bordermark.registry.service import MARK_COLUMNS, PARTY_COLUMNS, PRODUCT_COLUMNS, csv_text
from bordermark.sim.actors import Actor, build_sellers, build_traders
from bordermark.sim.brands import Brand, build_brands
from bordermark.sim.customs import build_customs
from bordermark.sim.filings import build_filings
from bordermark.sim.listings import build_listings
from bordermark.sim.output import RecordFormat, write_csv, write_records
from bordermark.sim.params import SimParams, Size

ACTOR_COLUMNS = ["actor_id", "kind", "role", "network_id", "name", "country", "platform", "target_mark_id"]
SELLER_COLUMNS = ["seller_id", "platform", "name", "country", "phone", "email", "address", "payment_account",
                  "wechat", "registered_at"]


@dataclass
class WorldSummary:
    seed: int
    size: str
    out: str
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def registry_rows(brands: list[Brand]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows in the ``bordermark registry import`` CSV format (see registry/parse.py for the columns)."""
    marks, products, parties = [], [], []
    for b in brands:
        row: dict[str, Any] = {
            "id": b.mark_id, "holder": b.holder, "holder_country": b.holder_country, "mark": b.text,
            "right_type": "trademark", "aliases": b.alias_cells(), "nice_classes": list(b.nice),
            "jurisdictions": list(b.jurisdictions), "registration_number": b.registration_number,
            "valid_from": b.valid_from, "valid_until": b.valid_until, "famous": b.famous,
        }
        if b.recordation:
            row.update({"recordation_number": b.recordation, "recordation_authority": "CN-GACC",
                        "recordation_valid_from": f"{b.recordation[1:5]}-01-01",
                        "recordation_valid_until": f"{int(b.recordation[1:5]) + 10}-01-01"})
        marks.append(row)
        for p in b.products:
            common = {"holder": b.holder, "mark": b.text, "product": p.name, "category": b.category,
                      "hs_codes": [p.hs], "gs1_prefixes": [p.gs1_prefix], "barcodes": [p.barcode],
                      "authentication_features": f"Hologram label with serial; QR code verifies at "
                                                 f"{b.text.lower().replace(' ', '')}.example/verify"}
            products.append({**common, "market": "CN", "currency": "CNY", "price_low": _num(p.low_cny),
                             "price_high": _num(p.high_cny)})
            products.append({**common, "market": "US", "currency": "USD", "price_low": _num(p.low_usd),
                             "price_high": _num(p.high_usd)})
        for party in b.parties:
            parties.append({"holder": b.holder, "role": party.role, "name": party.name, "country": party.country,
                            "marks": [b.text], "identifiers": [party.identifier] if party.identifier else [],
                            "addresses": [party.address], "contacts": [party.phone, party.email]})
    return marks, products, parties


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def write_registry(directory: Path, brands: list[Brand]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    marks, products, parties = registry_rows(brands)
    out = []
    for name, rows, cols in (("marks", marks, MARK_COLUMNS), ("products", products, PRODUCT_COLUMNS),
                             ("parties", parties, PARTY_COLUMNS)):
        path = directory / f"{name}.csv"
        path.write_text(csv_text(rows, cols), encoding="utf-8")
        out.append(path)
    return out


def _actor_rows(actors: list[Actor]) -> dict[str, list[Any]]:
    return {
        "actor_id": [a.actor_id for a in actors], "kind": [a.kind for a in actors], "role": [a.role for a in actors],
        "network_id": [a.network_id for a in actors], "name": [a.name for a in actors],
        "country": [a.country for a in actors], "platform": [a.platform for a in actors],
        "target_mark_id": [a.target_mark for a in actors],
    }


def _seller_rows(sellers: list[Actor]) -> dict[str, list[Any]]:
    return {
        "seller_id": [s.actor_id for s in sellers], "platform": [s.platform for s in sellers],
        "name": [s.name for s in sellers], "country": [s.country for s in sellers],
        "phone": [s.phone for s in sellers], "email": [s.email for s in sellers],
        "address": [s.address for s in sellers], "payment_account": [s.payment_account for s in sellers],
        "wechat": [s.wechat for s in sellers], "registered_at": [s.registered_at for s in sellers],
    }


def generate(out: Path, seed: int = 7, params: SimParams | None = None,
             fmt: RecordFormat = RecordFormat.jsonl) -> WorldSummary:
    """Write the world into ``out`` (created if missing) and return what was written."""
    params = params or SimParams()
    counts = params.resolved_counts()
    out.mkdir(parents=True, exist_ok=True)
    truth_dir = out / "truth"
    files: list[Path] = []

    brands = build_brands(seed, counts.holders, params.famous_share)
    files += write_registry(out / "registry", brands)
    sellers = build_sellers(seed, counts.sellers, counts.networks, params.network_share, brands)
    traders = build_traders(seed, counts.traders, brands)
    files.append(write_records(out, "sellers", _seller_rows(sellers), fmt))

    listings = build_listings(seed, counts.listings, params, brands, sellers)
    files.append(write_records(out, "listings", listings.records, fmt))
    files.append(write_csv(truth_dir / "listings.csv", listings.truth))

    customs = build_customs(seed, counts, params, brands, sellers, traders)
    files.append(write_records(out, "declarations", customs.declarations, fmt))
    files.append(write_records(out, "parcels", customs.parcels, fmt))
    files.append(write_csv(out / "inspections.csv", customs.inspections))
    files.append(write_records(out, "provenance", customs.provenance, fmt))
    files.append(write_csv(truth_dir / "declarations.csv", customs.declaration_truth))
    files.append(write_csv(truth_dir / "parcels.csv", customs.parcel_truth))
    files.append(write_csv(truth_dir / "provenance.csv", customs.provenance_truth))

    filings = build_filings(seed, counts.filings, params, brands, traders + sellers)
    files.append(write_records(out, "filings", filings.records, fmt))
    files.append(write_csv(truth_dir / "filings.csv", filings.truth))

    files.append(write_csv(truth_dir / "actors.csv", _actor_rows(sellers + traders)))
    summary = WorldSummary(
        seed=seed, size=params.size.value if params.counts is None else "custom", out=str(out),
        counts={"marks": len(brands), "products": sum(len(b.products) for b in brands), "sellers": len(sellers),
                "traders": len(traders), "listings": counts.listings,
                "declarations": len(customs.declarations["id"]), "parcels": len(customs.parcels["id"]),
                "inspections": len(customs.inspections["record_id"]), "filings": len(filings.records["id"]),
                "provenance": len(customs.provenance["id"])},
        files=[str(p.relative_to(out)) for p in files],
    )
    manifest = {"seed": seed, "size": summary.size, "format": fmt.value, "counts": summary.counts,
                "params": _params_json(params)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n",
                                       encoding="utf-8")
    return summary


def _params_json(params: SimParams) -> dict[str, Any]:
    data = asdict(params)
    data["size"] = params.size.value if isinstance(params.size, Size) else str(params.size)
    return data
