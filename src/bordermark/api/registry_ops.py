"""Registry reads and changes on behalf of a principal, shared by the API routes and the web pages.

Why here and not in the routes: the holder scope must be enforced identically for JSON and HTML; routes and
pages only translate HTTP in and out. Changes go through the registry repository's upserts with domain models,
so the API validates exactly like a file import; every change is audited with before and after.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from bordermark.accounts import Principal
from bordermark.api.audit_log import record
from bordermark.api.errors import ApiError, forbidden, invalid, not_found
from bordermark.api.schemas import (
    AliasIn,
    GuideIn,
    GuidePatch,
    MarkIn,
    MarkPatch,
    PartyIn,
    PartyPatch,
    ProductIn,
    ProductPatch,
)
from bordermark.domain import Alias, AuthorisedParty, Mark, PriceBand, Product, Recordation
from bordermark.registry import repository as repo
from bordermark.store.account_tables import AuthGuideRow
from bordermark.store.registry_tables import (
    AliasRow,
    HolderRow,
    MarkRow,
    PartyRow,
    PriceBandRow,
    ProductRow,
    RecordationRow,
)

SelectT = TypeVar("SelectT", bound=Select)


def _num(v: Decimal) -> str:
    return format(v.normalize(), "f")


def _pydantic_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ())) or "value"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


# ---- serialisation -------------------------------------------------------------------------------------------

def holder_json(row: HolderRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "country": row.country}


def mark_json(row: MarkRow, holder: HolderRow) -> dict[str, Any]:
    return {
        "id": row.id, "holder_id": row.holder_id, "holder": holder.name, "text": row.text,
        "right_type": row.right_type, "external_id": row.external_id,
        "aliases": [{"id": a.id, "text": a.text, "kind": a.kind} for a in row.aliases],
        "nice_classes": list(row.nice_classes or ()), "jurisdictions": list(row.jurisdictions or ()),
        "registration_number": row.registration_number,
        "valid_from": row.valid_from, "valid_until": row.valid_until, "famous": row.famous,
        "recordations": [{"number": r.number, "authority": r.authority, "valid_from": r.valid_from,
                          "valid_until": r.valid_until} for r in row.recordations],
    }


def product_json(row: ProductRow, mark: MarkRow, holder: HolderRow) -> dict[str, Any]:
    return {
        "id": row.id, "mark_id": row.mark_id, "mark": mark.text, "holder_id": holder.id, "holder": holder.name,
        "name": row.name, "category": row.category, "hs_codes": list(row.hs_codes or ()),
        "price_bands": [{"id": b.id, "market": b.market, "currency": b.currency, "low": _num(b.low),
                         "high": _num(b.high)} for b in row.price_bands],
        "gs1_prefixes": list(row.gs1_prefixes or ()), "barcodes": list(row.barcodes or ()),
        "authentication_features": row.authentication_features,
    }


def _flushed_mark_json(row: MarkRow, holder: HolderRow) -> dict[str, Any]:
    """:func:`mark_json` of a row just written and flushed, without re-reading it (``refresh`` cost three
    queries): the flushed objects hold what the database holds, ids included; only the relationship order
    (recordations by number) is re-applied."""
    out = mark_json(row, holder)
    out["recordations"].sort(key=lambda r: r["number"])
    return out


def _flushed_product_json(row: ProductRow, mark: MarkRow, holder: HolderRow) -> dict[str, Any]:
    """:func:`product_json` of a flushed row without re-reading it; bands in the relationship's order."""
    out = product_json(row, mark, holder)
    out["price_bands"].sort(key=lambda b: b["market"])
    return out


def party_json(row: PartyRow, holder: HolderRow) -> dict[str, Any]:
    return {
        "id": row.id, "holder_id": row.holder_id, "holder": holder.name, "role": row.role, "name": row.name,
        "country": row.country, "marks": list(row.marks or ()), "identifiers": list(row.identifiers or ()),
        "addresses": list(row.addresses or ()), "contacts": list(row.contacts or ()),
    }


def guide_json(row: AuthGuideRow) -> dict[str, Any]:
    return {"id": row.id, "holder_id": row.holder_id, "product_id": row.product_id, "title": row.title,
            "genuine_features": row.genuine_features, "fake_indicators": row.fake_indicators,
            "updated_at": row.updated_at, "updated_by": row.updated_by}


# ---- scope ----------------------------------------------------------------------------------------------------

def _scoped(stmt: SelectT, who: Principal, holder_col: Any) -> SelectT:
    if who.is_holder:
        stmt = stmt.where(holder_col.in_(sorted(who.holder_ids)))
    return stmt


def _check_write(who: Principal, holder_id: str) -> None:
    if not who.can_edit_registry(holder_id):
        if who.is_holder:
            raise forbidden("you may change only the registry of your own holder(s)")
        raise forbidden(f"role {who.role.value} may not change the registry")


def get_holder(s: Session, who: Principal, holder_id: str) -> HolderRow:
    row = s.get(HolderRow, holder_id)
    if row is None or not who.sees_holder(row.id):
        raise not_found("holder", holder_id)
    return row


def list_holders(s: Session, who: Principal) -> list[dict[str, Any]]:
    stmt = _scoped(select(HolderRow).order_by(HolderRow.name), who, HolderRow.id)
    return [holder_json(h) for h in s.scalars(stmt)]


# ---- marks ----------------------------------------------------------------------------------------------------

def _mark_row(s: Session, who: Principal, mark_id: str) -> tuple[MarkRow, HolderRow]:
    # holder joined (many-to-one, one row), aliases and recordations in one IN query each: 3 queries, no N+1
    row = s.get(MarkRow, mark_id, options=[selectinload(MarkRow.aliases), selectinload(MarkRow.recordations),
                                           joinedload(MarkRow.holder, innerjoin=True)])
    if row is None or not who.sees_holder(row.holder_id):
        raise not_found("mark", mark_id)
    return row, row.holder


_MARK_COLS = (MarkRow.id, MarkRow.holder_id, HolderRow.name, MarkRow.text, MarkRow.right_type, MarkRow.external_id,
              MarkRow.nice_classes, MarkRow.jurisdictions, MarkRow.registration_number, MarkRow.valid_from,
              MarkRow.valid_until, MarkRow.famous)
# Built once: constructing a statement costs more CPU than PostgreSQL spends answering it.
_MARKS = select(*_MARK_COLS).join(HolderRow, HolderRow.id == MarkRow.holder_id)
_MARK_BY_ID = _MARKS.where(MarkRow.id == bindparam("mark_id"))
_ALIASES_OF = (select(AliasRow.mark_id, AliasRow.id, AliasRow.text, AliasRow.kind)
               .where(AliasRow.mark_id.in_(bindparam("ids", expanding=True)))
               .order_by(AliasRow.position, AliasRow.id))
_RECORDATIONS_OF = (select(RecordationRow.mark_id, RecordationRow.number, RecordationRow.authority,
                           RecordationRow.valid_from, RecordationRow.valid_until)
                    .where(RecordationRow.mark_id.in_(bindparam("ids", expanding=True)))
                    .order_by(RecordationRow.number))


def _marks_json(s: Session, rows: list[Any]) -> list[dict[str, Any]]:
    """Marks read as plain rows (Core on the session's connection, not ORM objects) with their aliases and
    recordations in one IN query each.

    Why: the read endpoints are most of the traffic, and building ORM instances and collections cost more CPU
    than the queries themselves. The output is exactly :func:`mark_json`'s.
    """
    ids = [r[0] for r in rows]
    aliases: dict[str, list[dict[str, Any]]] = defaultdict(list)
    recordations: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        conn = s.connection()
        for mid, aid, text, kind in conn.execute(_ALIASES_OF, {"ids": ids}):
            aliases[mid].append({"id": aid, "text": text, "kind": kind})
        for mid, number, authority, vf, vu in conn.execute(_RECORDATIONS_OF, {"ids": ids}):
            recordations[mid].append({"number": number, "authority": authority, "valid_from": vf,
                                      "valid_until": vu})
    return [{
        "id": mid, "holder_id": hid, "holder": hname, "text": text, "right_type": rtype, "external_id": ext,
        "aliases": aliases.get(mid, []), "nice_classes": list(nice or ()), "jurisdictions": list(jur or ()),
        "registration_number": regno, "valid_from": vf, "valid_until": vu, "famous": famous,
        "recordations": recordations.get(mid, []),
    } for mid, hid, hname, text, rtype, ext, nice, jur, regno, vf, vu, famous, *_ in rows]


def list_marks(s: Session, who: Principal, *, holder_id: str | None = None, q: str | None = None,
               limit: int = 100, offset: int = 0) -> dict[str, Any]:
    stmt = _scoped(_MARKS, who, MarkRow.holder_id)
    if holder_id:
        stmt = stmt.where(MarkRow.holder_id == holder_id)
    if q:
        stmt = stmt.where(func.lower(MarkRow.text).contains(q.lower()))
    # the total rides along as a window count, so a page costs one query (plus one for aliases/recordations)
    rows = list(s.connection().execute(stmt.add_columns(func.count().over().label("total"))
                                       .order_by(MarkRow.text, MarkRow.id).limit(limit).offset(offset)))
    # past the last page (or nothing matches) the count is asked on its own
    total = int(rows[0][-1]) if rows else s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return {"total": total, "items": _marks_json(s, rows)}


def get_mark(s: Session, who: Principal, mark_id: str) -> dict[str, Any]:
    row = s.connection().execute(_MARK_BY_ID, {"mark_id": mark_id}).first()
    if row is None or not who.sees_holder(row[1]):
        raise not_found("mark", mark_id)
    return _marks_json(s, [row])[0]


def _mark_domain(row: MarkRow, holder: HolderRow) -> dict[str, Any]:
    return {
        "holder": holder.name, "text": row.text, "right_type": row.right_type, "external_id": row.external_id,
        "aliases": [{"text": a.text, "kind": a.kind, "script": a.script} for a in row.aliases],
        "nice_classes": list(row.nice_classes or ()), "jurisdictions": list(row.jurisdictions or ()),
        "registration_number": row.registration_number, "valid_from": row.valid_from,
        "valid_until": row.valid_until, "famous": row.famous,
        "recordations": [{"number": r.number, "authority": r.authority, "valid_from": r.valid_from,
                          "valid_until": r.valid_until} for r in row.recordations],
    }


def _build_mark(data: dict[str, Any]) -> Mark:
    try:
        return Mark(**{**data, "aliases": tuple(Alias(**a) for a in data.get("aliases") or ()),
                       "recordations": tuple(Recordation(**r) for r in data.get("recordations") or ())})
    except ValidationError as exc:
        raise invalid(_pydantic_reason(exc)) from None
    except ValueError as exc:
        raise invalid(str(exc)) from None


def create_mark(s: Session, who: Principal, body: MarkIn) -> dict[str, Any]:
    holder = get_holder(s, who, body.holder_id)
    _check_write(who, holder.id)
    fields = body.model_dump(exclude_none=True, exclude={"holder_id"})
    mark = _build_mark({**fields, "holder": holder.name})
    if s.get(MarkRow, mark.id) is not None or s.scalar(
            select(MarkRow.id).where(MarkRow.holder_id == holder.id, MarkRow.text == mark.text,
                                     MarkRow.right_type == mark.right_type.value)):
        raise ApiError(409, f"mark {mark.text!r} ({mark.right_type.value}) already exists for {holder.name}")
    repo.upsert_marks(s, [mark])
    row, _ = _mark_row(s, who, mark.id)
    out = mark_json(row, holder)
    record(s, who, "registry.mark.create", "mark", mark.id, after=out)
    return out


def update_mark(s: Session, who: Principal, mark_id: str, body: MarkPatch) -> dict[str, Any]:
    row, holder = _mark_row(s, who, mark_id)
    _check_write(who, holder.id)
    before = mark_json(row, holder)
    data = {**_mark_domain(row, holder), **body.model_dump(exclude_unset=True)}
    mark = _build_mark(data)
    if mark.id != row.id:
        raise invalid("this change would change the mark's identity; create a new mark instead")
    repo.upsert_marks(s, [mark])
    out = _flushed_mark_json(row, holder)
    record(s, who, "registry.mark.update", "mark", mark_id, before=before, after=out)
    return out


def delete_mark(s: Session, who: Principal, mark_id: str) -> None:
    row, holder = _mark_row(s, who, mark_id)
    _check_write(who, holder.id)
    before = mark_json(row, holder)
    s.delete(row)
    s.flush()
    record(s, who, "registry.mark.delete", "mark", mark_id, before=before)


def add_alias(s: Session, who: Principal, mark_id: str, body: AliasIn) -> dict[str, Any]:
    row, holder = _mark_row(s, who, mark_id)
    _check_write(who, holder.id)
    if body.text == row.text or any(a.text == body.text for a in row.aliases):
        raise ApiError(409, f"mark {row.text!r} already has the alias {body.text!r}")
    before = mark_json(row, holder)
    data = _mark_domain(row, holder)
    data["aliases"] = [*data["aliases"], {"text": body.text, "kind": body.kind.value}]
    repo.upsert_marks(s, [_build_mark(data)])
    out = _flushed_mark_json(row, holder)
    record(s, who, "registry.alias.add", "mark", mark_id, before=before, after=out)
    return out


def delete_alias(s: Session, who: Principal, mark_id: str, alias_id: int) -> dict[str, Any]:
    row, holder = _mark_row(s, who, mark_id)
    _check_write(who, holder.id)
    alias = s.get(AliasRow, alias_id)
    if alias is None or alias.mark_id != row.id:
        raise not_found("alias", alias_id)
    before = mark_json(row, holder)
    row.aliases.remove(alias)
    s.flush()
    out = _flushed_mark_json(row, holder)
    record(s, who, "registry.alias.delete", "mark", mark_id, before=before, after=out)
    return out


# ---- products -------------------------------------------------------------------------------------------------

def _product_row(s: Session, who: Principal, product_id: str) -> tuple[ProductRow, MarkRow, HolderRow]:
    found = s.execute(select(ProductRow, MarkRow, HolderRow)
                      .join(MarkRow, MarkRow.id == ProductRow.mark_id)
                      .join(HolderRow, HolderRow.id == MarkRow.holder_id)
                      .where(ProductRow.id == product_id)
                      .options(selectinload(ProductRow.price_bands))).first()
    if found is None or not who.sees_holder(found[1].holder_id):
        raise not_found("product", product_id)
    return found[0], found[1], found[2]


_PRODUCTS = (select(ProductRow.id, ProductRow.mark_id, MarkRow.text, HolderRow.id, HolderRow.name, ProductRow.name,
                    ProductRow.category, ProductRow.hs_codes, ProductRow.gs1_prefixes, ProductRow.barcodes,
                    ProductRow.authentication_features)
             .join(MarkRow, MarkRow.id == ProductRow.mark_id).join(HolderRow, HolderRow.id == MarkRow.holder_id))
_BANDS_OF = (select(PriceBandRow.product_id, PriceBandRow.id, PriceBandRow.market, PriceBandRow.currency,
                    PriceBandRow.low, PriceBandRow.high)
             .where(PriceBandRow.product_id.in_(bindparam("ids", expanding=True)))
             .order_by(PriceBandRow.market, PriceBandRow.id))


def list_products(s: Session, who: Principal, *, holder_id: str | None = None, mark_id: str | None = None,
                  q: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """Products as plain rows and their bands in one IN query (exactly :func:`product_json`'s output)."""
    stmt = _scoped(_PRODUCTS, who, MarkRow.holder_id)
    if holder_id:
        stmt = stmt.where(MarkRow.holder_id == holder_id)
    if mark_id:
        stmt = stmt.where(ProductRow.mark_id == mark_id)
    if q:
        stmt = stmt.where(func.lower(ProductRow.name).contains(q.lower()))
    conn = s.connection()
    rows = list(conn.execute(stmt.add_columns(func.count().over().label("total"))
                             .order_by(ProductRow.name, ProductRow.id).limit(limit).offset(offset)))
    total = int(rows[0][-1]) if rows else s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    bands: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for pid, bid, market, currency, low, high in conn.execute(_BANDS_OF, {"ids": [r[0] for r in rows]}):
            bands[pid].append({"id": bid, "market": market, "currency": currency, "low": _num(low),
                               "high": _num(high)})
    items = [{
        "id": pid, "mark_id": mid, "mark": mtext, "holder_id": hid, "holder": hname, "name": name,
        "category": category, "hs_codes": list(hs or ()), "price_bands": bands.get(pid, []),
        "gs1_prefixes": list(gs1 or ()), "barcodes": list(barcodes or ()), "authentication_features": auth,
    } for pid, mid, mtext, hid, hname, name, category, hs, gs1, barcodes, auth, _total in rows]
    return {"total": total, "items": items}


def get_product(s: Session, who: Principal, product_id: str) -> dict[str, Any]:
    return product_json(*_product_row(s, who, product_id))


def _build_product(data: dict[str, Any]) -> Product:
    try:
        return Product(**{**data, "price_bands": tuple(PriceBand(**b) for b in data.get("price_bands") or ())})
    except ValidationError as exc:
        raise invalid(_pydantic_reason(exc)) from None
    except ValueError as exc:
        raise invalid(str(exc)) from None


def _bands_unique(product: Product) -> None:
    keys = [(b.market, b.currency) for b in product.price_bands]
    if len(keys) != len(set(keys)):
        raise invalid("price_bands: one band per market and currency")


def create_product(s: Session, who: Principal, body: ProductIn) -> dict[str, Any]:
    mark, holder = _mark_row(s, who, body.mark_id)
    _check_write(who, holder.id)
    fields = body.model_dump(exclude_none=True, exclude={"mark_id"})
    product = _build_product({**fields, "holder": holder.name, "mark": mark.text})
    _bands_unique(product)
    if s.get(ProductRow, product.id) is not None:
        raise ApiError(409, f"product {product.name!r} already exists for mark {mark.text!r}")
    repo.upsert_products(s, [product])
    row = s.get(ProductRow, product.id)
    if row is None or row.mark_id != mark.id:
        raise ApiError(409, f"product {product.name!r} could not be attached to mark {mark.id}")
    out = product_json(row, mark, holder)
    record(s, who, "registry.product.create", "product", product.id, after=out)
    return out


def update_product(s: Session, who: Principal, product_id: str, body: ProductPatch) -> dict[str, Any]:
    row, mark, holder = _product_row(s, who, product_id)
    _check_write(who, holder.id)
    before = product_json(row, mark, holder)
    current = {k: v for k, v in before.items() if k in {"name", "category", "hs_codes", "gs1_prefixes",
                                                         "barcodes", "authentication_features"}}
    current["price_bands"] = [{k: b[k] for k in ("market", "currency", "low", "high")}
                              for b in before["price_bands"]]
    patch = body.model_dump(exclude_unset=True)
    product = _build_product({**current, **patch, "holder": holder.name, "mark": mark.text})
    _bands_unique(product)
    repo.upsert_products(s, [product])
    out = _flushed_product_json(row, mark, holder)
    record(s, who, "registry.product.update", "product", product_id, before=before, after=out)
    return out


def delete_product(s: Session, who: Principal, product_id: str) -> None:
    row, mark, holder = _product_row(s, who, product_id)
    _check_write(who, holder.id)
    before = product_json(row, mark, holder)
    s.delete(row)
    s.flush()
    record(s, who, "registry.product.delete", "product", product_id, before=before)


# ---- authorised parties ---------------------------------------------------------------------------------------

def _party_row(s: Session, who: Principal, party_id: str) -> tuple[PartyRow, HolderRow]:
    row = s.get(PartyRow, party_id)
    if row is None or not who.sees_holder(row.holder_id):
        raise not_found("party", party_id)
    holder = s.get(HolderRow, row.holder_id)
    assert holder is not None
    return row, holder


def list_parties(s: Session, who: Principal, *, holder_id: str | None = None, limit: int = 100,
                 offset: int = 0) -> dict[str, Any]:
    stmt = _scoped(select(PartyRow, HolderRow).join(HolderRow, HolderRow.id == PartyRow.holder_id), who,
                   PartyRow.holder_id)
    if holder_id:
        stmt = stmt.where(PartyRow.holder_id == holder_id)
    total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = s.execute(stmt.order_by(PartyRow.name, PartyRow.id).limit(limit).offset(offset)).all()
    return {"total": total, "items": [party_json(p, h) for p, h in rows]}


def get_party(s: Session, who: Principal, party_id: str) -> dict[str, Any]:
    return party_json(*_party_row(s, who, party_id))


def _check_party_marks(s: Session, holder: HolderRow, marks: list[str]) -> None:
    known = set(s.scalars(select(MarkRow.text).where(MarkRow.holder_id == holder.id)))
    unknown = [m for m in marks if m not in known]
    if unknown:
        raise invalid(f"marks: {', '.join(map(repr, unknown))} not registered for {holder.name}")


def _build_party(data: dict[str, Any]) -> AuthorisedParty:
    try:
        return AuthorisedParty(**data)
    except ValidationError as exc:
        raise invalid(_pydantic_reason(exc)) from None


def create_party(s: Session, who: Principal, body: PartyIn) -> dict[str, Any]:
    holder = get_holder(s, who, body.holder_id)
    _check_write(who, holder.id)
    fields = body.model_dump(exclude_none=True, exclude={"holder_id"})
    party = _build_party({**fields, "holder": holder.name})
    _check_party_marks(s, holder, list(party.marks))
    if s.get(PartyRow, party.id) is not None:
        raise ApiError(409, f"party {party.name!r} ({party.role.value}) already exists for {holder.name}")
    repo.upsert_parties(s, [party])
    row, _ = _party_row(s, who, party.id)
    out = party_json(row, holder)
    record(s, who, "registry.party.create", "party", party.id, after=out)
    return out


def update_party(s: Session, who: Principal, party_id: str, body: PartyPatch) -> dict[str, Any]:
    row, holder = _party_row(s, who, party_id)
    _check_write(who, holder.id)
    before = party_json(row, holder)
    data = {k: before[k] for k in ("role", "name", "country", "marks", "identifiers", "addresses", "contacts")}
    data.update(body.model_dump(exclude_unset=True))
    party = _build_party({**data, "holder": holder.name})
    _check_party_marks(s, holder, list(party.marks))
    repo.upsert_parties(s, [party])
    s.refresh(row)
    out = party_json(row, holder)
    record(s, who, "registry.party.update", "party", party_id, before=before, after=out)
    return out


def delete_party(s: Session, who: Principal, party_id: str) -> None:
    row, holder = _party_row(s, who, party_id)
    _check_write(who, holder.id)
    before = party_json(row, holder)
    s.delete(row)
    s.flush()
    record(s, who, "registry.party.delete", "party", party_id, before=before)


# ---- authentication guides ------------------------------------------------------------------------------------

def _guide_row(s: Session, who: Principal, guide_id: int) -> AuthGuideRow:
    row = s.get(AuthGuideRow, guide_id)
    if row is None or not who.sees_holder(row.holder_id):
        raise not_found("guide", guide_id)
    return row


def list_guides(s: Session, who: Principal, *, holder_id: str | None = None,
                product_id: str | None = None) -> list[dict[str, Any]]:
    stmt = _scoped(select(AuthGuideRow), who, AuthGuideRow.holder_id)
    if holder_id:
        stmt = stmt.where(AuthGuideRow.holder_id == holder_id)
    if product_id:
        stmt = stmt.where(AuthGuideRow.product_id == product_id)
    return [guide_json(g) for g in s.scalars(stmt.order_by(AuthGuideRow.title, AuthGuideRow.id))]


def get_guide(s: Session, who: Principal, guide_id: int) -> dict[str, Any]:
    return guide_json(_guide_row(s, who, guide_id))


def create_guide(s: Session, who: Principal, body: GuideIn) -> dict[str, Any]:
    holder = get_holder(s, who, body.holder_id)
    _check_write(who, holder.id)
    if body.product_id is not None:
        _, mark, _ = _product_row(s, who, body.product_id)
        if mark.holder_id != holder.id:
            raise invalid(f"product_id: {body.product_id!r} is not a product of {holder.name}")
    row = AuthGuideRow(holder_id=holder.id, product_id=body.product_id, title=body.title,
                       genuine_features=body.genuine_features, fake_indicators=body.fake_indicators,
                       updated_at=datetime.now(UTC), updated_by=who.username)
    s.add(row)
    s.flush()
    out = guide_json(row)
    record(s, who, "registry.guide.create", "guide", row.id, after=out)
    return out


def update_guide(s: Session, who: Principal, guide_id: int, body: GuidePatch) -> dict[str, Any]:
    row = _guide_row(s, who, guide_id)
    _check_write(who, row.holder_id)
    before = guide_json(row)
    for key, value in body.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(row, key, value)
    row.updated_at, row.updated_by = datetime.now(UTC), who.username
    s.flush()
    out = guide_json(row)
    record(s, who, "registry.guide.update", "guide", guide_id, before=before, after=out)
    return out


def delete_guide(s: Session, who: Principal, guide_id: int) -> None:
    row = _guide_row(s, who, guide_id)
    _check_write(who, row.holder_id)
    before = guide_json(row)
    s.delete(row)
    s.flush()
    record(s, who, "registry.guide.delete", "guide", guide_id, before=before)
