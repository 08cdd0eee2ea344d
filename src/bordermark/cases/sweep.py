"""Identical-goods sweep: once goods are found infringing, find identical goods (same mark or product from the
same consignor or seller) still pending in declarations, parcels, listings and warehouse stock, and propose linked
cases, as US customs asks fulfilment centres to give up identical offending goods.

Why records are passed in (:class:`GoodsRecord`): pending goods live in other systems (a simulated world's jsonl,
a marketplace feed, a warehouse export); the matching itself is pure and does not care where they came from.
Goods links: the same mark (ids on the record or found in its text by the detector), product, normalised
description or HS code as the infringing goods. Why both an offender link and a goods link are required by
default: the same mark alone would sweep up the genuine trade; the same seller alone, their unrelated goods.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bordermark import audit
from bordermark.cases import service
from bordermark.cases.engine import TransitionError
from bordermark.store.case_tables import CaseRow

FOUND_INFRINGING = frozenset({"infringing", "disposed", "referred", "seized", "forfeited", "destruction_agreed",
                              "destroyed"})

MarkResolver = Callable[[str], set[str]]


@dataclass(frozen=True)
class GoodsRecord:
    kind: str  # declaration | parcel | listing | stock
    id: str
    mark_ids: frozenset[str] = frozenset()
    product_ids: frozenset[str] = frozenset()
    consignor: str | None = None
    seller: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    text: str = ""
    hs_codes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SweepKey:
    mark_ids: frozenset[str]
    product_ids: frozenset[str] = frozenset()
    texts: frozenset[str] = frozenset()  # normalised descriptions of the infringing goods
    hs_codes: frozenset[str] = frozenset()
    consignors: frozenset[str] = frozenset()
    sellers: frozenset[str] = frozenset()
    exclude_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Match:
    record: GoodsRecord
    reasons: tuple[str, ...]


def find_identical(key: SweepKey, records: Iterable[GoodsRecord],
                   require: Literal["offender_and_goods", "any"] = "offender_and_goods") -> list[Match]:
    """Records that share an offender (consignor/seller) and the goods (mark/product) with the key. Pure."""
    out = []
    for r in records:
        if r.id in key.exclude_ids:
            continue
        offender, goods = [], []
        if r.consignor and r.consignor in key.consignors:
            offender.append(f"same consignor {r.consignor}")
        if r.seller and r.seller in key.sellers:
            offender.append(f"same seller {r.seller}")
        goods += [f"same mark {m}" for m in sorted(r.mark_ids & key.mark_ids)]
        goods += [f"same product {p}" for p in sorted(r.product_ids & key.product_ids)]
        if r.text and normalise(r.text) in key.texts:
            goods.append(f"same description {r.text!r}")
        goods += [f"same HS code {h}" for h in sorted(r.hs_codes & key.hs_codes)]
        if (offender and goods) if require == "offender_and_goods" else (offender or goods):
            out.append(Match(r, tuple(offender + goods)))
    return out


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def records_from_dicts(kind: str, rows: Iterable[dict[str, Any]], resolver: MarkResolver | None = None,
                       ) -> list[GoodsRecord]:
    """Adapt simulated-world/export rows (declarations, parcels, listings, stock) to :class:`GoodsRecord`."""
    out = []
    for row in rows:
        value: Decimal | None
        if kind == "declaration":
            items = row.get("items") or []
            text = " ".join(f"{i.get('brand') or ''} {i.get('description') or ''}" for i in items)
            value = sum((_dec(i.get("value")) or Decimal(0) for i in items), Decimal(0))
            currency = items[0].get("currency") if items else None
            consignor, seller = row.get("consignor"), None
        elif kind == "parcel":
            text, value, currency = row.get("description", ""), _dec(row.get("declared_value")), row.get("currency")
            consignor, seller = row.get("consignor"), row.get("seller_id")
        elif kind == "listing":
            text = f"{row.get('title', '')} {row.get('description', '')}"
            value, currency = _dec(row.get("price")), row.get("currency")
            consignor, seller = None, row.get("seller_id")
        else:
            text, value, currency = row.get("description", ""), _dec(row.get("value")), row.get("currency")
            consignor, seller = row.get("consignor"), row.get("seller_id") or row.get("owner")
        marks = set(row.get("mark_ids") or [])
        if resolver is not None and text.strip():
            marks |= resolver(text)
        products = set(row.get("product_ids") or ([row["product_id"]] if row.get("product_id") else []))
        hs = {str(i["hs_code"]) for i in row.get("items") or [] if i.get("hs_code")}
        if row.get("hs_code"):
            hs.add(str(row["hs_code"]))
        out.append(GoodsRecord(kind=kind, id=str(row["id"]), mark_ids=frozenset(marks),
                               product_ids=frozenset(products), consignor=consignor, seller=seller, value=value,
                               currency=currency, text=text.strip(), hs_codes=frozenset(hs)))
    return out


FILES = {"declaration": "declarations.jsonl", "parcel": "parcels.jsonl", "listing": "listings.jsonl",
         "stock": "stock.jsonl"}


def load_world(root: Path, resolver: MarkResolver | None = None) -> list[GoodsRecord]:
    """Read whichever of declarations/parcels/listings/stock .jsonl exist in ``root``; bad lines name file and line."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{root}: not a directory")
    records: list[GoodsRecord] = []
    for kind, name in FILES.items():
        path = root / name
        if not path.exists():
            continue
        rows = []
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {n}: not JSON ({exc.msg})") from None
                if not isinstance(row, dict) or not row.get("id"):
                    raise ValueError(f"{path}: line {n}: field id: missing")
                rows.append(row)
        records += records_from_dicts(kind, rows, resolver)
    return records


def sweep_case(session: Session, case_id: str, records: list[GoodsRecord], *, actor: str,
               open_linked: bool = False) -> list[dict[str, Any]]:
    """Propose (and optionally open) linked cases for goods identical to a case's infringing goods."""
    case = service.get_case(session, case_id)
    if case["state"] not in FOUND_INFRINGING:
        raise TransitionError(f"case {case_id} is {case['state']}: the sweep runs once goods are found infringing")
    facts = case["facts"]
    own = next((r for r in records if r.id == case["goods"]["id"]), None)
    consignors = {x for x in (facts.get("consignor"), own.consignor if own else None) if x}
    sellers = {x for x in (facts.get("seller_id"), own.seller if own else None) if x}
    products = set(facts.get("product_ids") or []) | (set(own.product_ids) if own else set())
    taken = set(session.scalars(select(CaseRow.goods_id)))
    key = SweepKey(mark_ids=frozenset(case["rights"]), product_ids=frozenset(products),
                   texts=frozenset({normalise(own.text)} if own and own.text else set()),
                   hs_codes=own.hs_codes if own else frozenset(),
                   consignors=frozenset(consignors), sellers=frozenset(sellers),
                   exclude_ids=frozenset(taken | {case["goods"]["id"]}))
    matches = find_identical(key, records)
    rows: list[dict[str, Any]] = []
    for mt in matches:
        r = mt.record
        linked = None
        if open_linked:
            if r.value is None or (r.currency or "").upper() != case["goods"]["currency"]:
                linked = f"not opened: value in {r.currency or 'unknown currency'}, case in {case['goods']['currency']}"
            else:
                doc = service.open_case(session, profile=case["profile"], mark_ids=sorted(r.mark_ids & set(
                    case["rights"])) or case["rights"], goods_kind=r.kind, goods_id=r.id, goods_value=r.value,
                    currency=r.currency or "", actor=actor, holder_id=case["holder_id"],
                    facts={k: v for k, v in facts.items() if k in ("member_state", "filing")}
                    | {"swept_from": case_id, "sweep_reasons": list(mt.reasons)},
                    parent_case_id=case_id)
                linked = doc["id"]
        rows.append({"kind": r.kind, "id": r.id, "reasons": list(mt.reasons),
                     "value": str(r.value) if r.value is not None else None, "currency": r.currency,
                     "linked_case": linked})
    audit.append(session, actor=actor, action="case.sweep", entity_type="case", entity_id=case_id,
                 after={"matches": [{"kind": x["kind"], "id": x["id"], "linked_case": x["linked_case"]}
                                    for x in rows], "searched": len(records)})
    return rows
