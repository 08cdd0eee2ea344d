"""Registry reads and changes on behalf of a principal, shared by the API routes and the web pages.

Why here and not in the routes: the holder scope must be enforced identically for JSON and HTML; routes and
pages only translate HTTP in and out. Changes go through the registry repository's upserts with domain models,
so the API validates exactly like a file import; every change is audited with before and after.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

from pydantic import ValidationError
from sqlalchemy import Select, Table, bindparam, delete, func, insert, select, update
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
from bordermark.domain import Alias, AliasKind, AuthorisedParty, Mark, PriceBand, Product, Recordation
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


def _page(base: Any, holder_col: Any, text_col: Any) -> dict[tuple[bool, ...], Any]:
    """Prebuilt page statements (total as a window count; limit and offset bound) for every combination of the
    right-holder scope, a holder filter and a text filter, keyed by which of the three apply.

    Why: building and cache-keying a statement on each request cost more CPU than PostgreSQL spends on it.
    """
    out: dict[tuple[bool, ...], Any] = {}
    for scoped in (False, True):
        for by_holder in (False, True):
            for by_text in (False, True):
                stmt = base
                if scoped:
                    stmt = stmt.where(holder_col.in_(bindparam("scope", expanding=True)))
                if by_holder:
                    stmt = stmt.where(holder_col == bindparam("holder_id"))
                if by_text:
                    stmt = stmt.where(func.lower(text_col).contains(bindparam("q")))
                out[(scoped, by_holder, by_text)] = stmt
    return out


_MARK_FILTERS = _page(_MARKS, MarkRow.holder_id, MarkRow.text)
_MARK_PAGES = {k: v.add_columns(func.count().over().label("total")).order_by(MarkRow.text, MarkRow.id)
               .limit(bindparam("limit")).offset(bindparam("offset")) for k, v in _MARK_FILTERS.items()}


def _page_params(who: Principal, holder_id: str | None, q: str | None, limit: int, offset: int
                 ) -> tuple[tuple[bool, bool, bool], dict[str, Any]]:
    key = (who.is_holder, bool(holder_id), bool(q))
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if who.is_holder:
        params["scope"] = sorted(who.holder_ids)
    if holder_id:
        params["holder_id"] = holder_id
    if q:
        params["q"] = q.lower()
    return key, params


def list_marks(s: Session, who: Principal, *, holder_id: str | None = None, q: str | None = None,
               limit: int = 100, offset: int = 0) -> dict[str, Any]:
    key, params = _page_params(who, holder_id, q, limit, offset)
    # the total rides along as a window count, so a page costs one query (plus one for aliases/recordations)
    conn = s.connection()
    rows = list(conn.execute(_MARK_PAGES[key], params))
    # past the last page (or nothing matches) the count is asked on its own
    total = int(rows[0][-1]) if rows else conn.execute(
        select(func.count()).select_from(_MARK_FILTERS[key].subquery()), params).scalar() or 0
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


# ---- mark writes in Core ---------------------------------------------------------------------------------------
# Why not the ORM: an audited mark update through the unit of work cost ~5 ms of CPU (identity map, selectin
# loaders, attribute history, flush planning) for a handful of rows. Here the mark is read as plain rows, the new
# state is validated by the same domain model as a file import, and only the differences are written: the same
# rows and ids that ``repository.upsert_marks`` leaves (tests/api/test_fast_writes.py compares both).

_MARKS_T, _ALIASES_T, _RECS_T = (cast(Table, t.__table__) for t in (MarkRow, AliasRow, RecordationRow))
_ALIAS_ROWS = (select(AliasRow.id, AliasRow.text, AliasRow.kind, AliasRow.script, AliasRow.position)
               .where(AliasRow.mark_id == bindparam("mark_id")).order_by(AliasRow.position, AliasRow.id))
_REC_ROWS = (select(RecordationRow.id, RecordationRow.number, RecordationRow.authority, RecordationRow.valid_from,
                    RecordationRow.valid_until)
             .where(RecordationRow.mark_id == bindparam("mark_id")).order_by(RecordationRow.number))
_MARK_FIELDS = ("external_id", "nice_classes", "jurisdictions", "registration_number", "valid_from",
                "valid_until", "famous")
_DUPLICATE = "the change conflicts with existing data (duplicate or still referenced)"


@dataclass
class _MarkState:
    """A mark as stored: its ``_MARK_COLS`` row, alias rows (id, text, kind, script, position) in the
    relationship's order and recordation rows (id, number, authority, valid_from, valid_until) by number."""

    row: Any
    aliases: list[Any]
    recordations: list[Any]

    def json(self) -> dict[str, Any]:
        """Exactly :func:`mark_json` of the stored mark."""
        mid, hid, hname, text, rtype, ext, nice, jur, regno, vf, vu, famous = tuple(self.row)[:12]
        return {
            "id": mid, "holder_id": hid, "holder": hname, "text": text, "right_type": rtype, "external_id": ext,
            "aliases": [{"id": a[0], "text": a[1], "kind": a[2]} for a in self.aliases],
            "nice_classes": list(nice or ()), "jurisdictions": list(jur or ()), "registration_number": regno,
            "valid_from": vf, "valid_until": vu, "famous": famous,
            "recordations": [{"number": r[1], "authority": r[2], "valid_from": r[3], "valid_until": r[4]}
                             for r in self.recordations],
        }

    def domain(self) -> dict[str, Any]:
        """The stored mark as the fields of a domain ``Mark`` (as :func:`_mark_domain`)."""
        _mid, _hid, hname, text, rtype, ext, nice, jur, regno, vf, vu, famous = tuple(self.row)[:12]
        return {
            "holder": hname, "text": text, "right_type": rtype, "external_id": ext,
            "aliases": [{"text": a[1], "kind": a[2], "script": a[3]} for a in self.aliases],
            "nice_classes": list(nice or ()), "jurisdictions": list(jur or ()), "registration_number": regno,
            "valid_from": vf, "valid_until": vu, "famous": famous,
            "recordations": [{"number": r[1], "authority": r[2], "valid_from": r[3], "valid_until": r[4]}
                             for r in self.recordations],
        }


# Writers lock the mark row first (PostgreSQL; SQLite serialises writers itself), then read its aliases and
# recordations: two edits of one mark queue instead of reading the same state, losing one change in the audit's
# "before" or deadlocking on each other's alias rows (tests: concurrent writes in test_fast_writes.py).
_MARK_FOR_UPDATE = _MARK_BY_ID.with_for_update(of=MarkRow)


def _load_mark(s: Session, who: Principal, mark_id: str) -> _MarkState:
    """The mark as stored, locked for this transaction's write (404 when absent or not visible)."""
    conn = s.connection()
    row = conn.execute(_MARK_FOR_UPDATE, {"mark_id": mark_id}).first()
    if row is None or not who.sees_holder(row[1]):
        raise not_found("mark", mark_id)
    return _MarkState(row, list(conn.execute(_ALIAS_ROWS, {"mark_id": mark_id})),
                      list(conn.execute(_REC_ROWS, {"mark_id": mark_id})))


def _write_mark(s: Session, state: _MarkState, mark: Mark) -> dict[str, Any]:
    """Store ``mark`` (same id as ``state``) as ``repository.upsert_marks`` would, writing only what changed;
    returns the mark's JSON after the change (as :func:`_flushed_mark_json`)."""
    conn = s.connection()
    mark_id = state.row[0]
    new = {"external_id": mark.external_id, "nice_classes": list(mark.nice_classes),
           "jurisdictions": list(mark.jurisdictions), "registration_number": mark.registration_number,
           "valid_from": mark.valid_from, "valid_until": mark.valid_until, "famous": mark.famous}
    old = dict(zip(_MARK_FIELDS, (state.row[5], *tuple(state.row)[6:12]), strict=True))
    changed = {k: v for k, v in new.items() if old[k] != v}
    if changed:
        conn.execute(update(_MARKS_T).where(_MARKS_T.c.id == mark_id).values(**changed))

    # aliases: registered ones replaced in the given order, observed (learned) ones kept after them
    wanted = {a.text for a in mark.aliases}
    final = [(a.text, a.kind.value, a.script) for a in mark.aliases]
    final += [(a[1], AliasKind.OBSERVED.value, None) for a in state.aliases
              if a[2] == AliasKind.OBSERVED.value and a[1] not in wanted]
    if len({t for t, _k, _s in final}) != len(final):
        raise ApiError(409, _DUPLICATE)
    current = {a[1]: a for a in state.aliases}
    gone = [a[0] for a in state.aliases if a[1] not in {t for t, _k, _s in final}]
    if gone:
        conn.execute(delete(_ALIASES_T).where(_ALIASES_T.c.id.in_(gone)))
    aliases_out = []
    for pos, (text, kind, script) in enumerate(final):
        had = current.get(text)
        if had is None:
            alias_id = conn.execute(insert(_ALIASES_T).values(mark_id=mark_id, text=text, kind=kind, script=script,
                                                              position=pos).returning(_ALIASES_T.c.id)).scalar_one()
        else:
            alias_id = had[0]
            if (had[2], had[3], had[4]) != (kind, script, pos):
                conn.execute(update(_ALIASES_T).where(_ALIASES_T.c.id == alias_id)
                             .values(kind=kind, script=script, position=pos))
        aliases_out.append({"id": alias_id, "text": text, "kind": kind})

    # recordations: matched by number
    numbers = [r.number for r in mark.recordations]
    if len(set(numbers)) != len(numbers):
        raise ApiError(409, _DUPLICATE)
    recs = {r[1]: r for r in state.recordations}
    gone = [r[0] for r in state.recordations if r[1] not in set(numbers)]
    if gone:
        conn.execute(delete(_RECS_T).where(_RECS_T.c.id.in_(gone)))
    for rec in mark.recordations:
        had = recs.get(rec.number)
        values = {"authority": rec.authority, "valid_from": rec.valid_from, "valid_until": rec.valid_until}
        if had is None:
            conn.execute(insert(_RECS_T).values(mark_id=mark_id, number=rec.number, **values))
        elif (had[2], had[3], had[4]) != (rec.authority, rec.valid_from, rec.valid_until):
            conn.execute(update(_RECS_T).where(_RECS_T.c.id == had[0]).values(**values))

    mid, hid, hname, text, rtype = tuple(state.row)[:5]
    return {
        "id": mid, "holder_id": hid, "holder": hname, "text": text, "right_type": rtype,
        "external_id": new["external_id"], "aliases": aliases_out, "nice_classes": new["nice_classes"],
        "jurisdictions": new["jurisdictions"], "registration_number": new["registration_number"],
        "valid_from": new["valid_from"], "valid_until": new["valid_until"], "famous": new["famous"],
        "recordations": sorted(({"number": r.number, "authority": r.authority, "valid_from": r.valid_from,
                                 "valid_until": r.valid_until} for r in mark.recordations),
                               key=lambda r: r["number"]),
    }


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
    state = _load_mark(s, who, mark_id)
    _check_write(who, state.row[1])
    before = state.json()
    data = {**state.domain(), **body.model_dump(exclude_unset=True)}
    mark = _build_mark(data)
    if mark.id != mark_id:
        raise invalid("this change would change the mark's identity; create a new mark instead")
    out = _write_mark(s, state, mark)
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
    state = _load_mark(s, who, mark_id)
    _check_write(who, state.row[1])
    if body.text == state.row[3] or any(a[1] == body.text for a in state.aliases):
        raise ApiError(409, f"mark {state.row[3]!r} already has the alias {body.text!r}")
    before = state.json()
    data = state.domain()
    data["aliases"] = [*data["aliases"], {"text": body.text, "kind": body.kind.value}]
    out = _write_mark(s, state, _build_mark(data))
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


_PRODUCT_BY_MARK = {k: v.where(ProductRow.mark_id == bindparam("mark_id"))
                    for k, v in _page(_PRODUCTS, MarkRow.holder_id, ProductRow.name).items()}
_PRODUCT_FILTERS = {**{(*k, False): v for k, v in _page(_PRODUCTS, MarkRow.holder_id, ProductRow.name).items()},
                    **{(*k, True): v for k, v in _PRODUCT_BY_MARK.items()}}
_PRODUCT_PAGES = {k: v.add_columns(func.count().over().label("total")).order_by(ProductRow.name, ProductRow.id)
                  .limit(bindparam("limit")).offset(bindparam("offset")) for k, v in _PRODUCT_FILTERS.items()}


def list_products(s: Session, who: Principal, *, holder_id: str | None = None, mark_id: str | None = None,
                  q: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """Products as plain rows and their bands in one IN query (exactly :func:`product_json`'s output)."""
    key3, params = _page_params(who, holder_id, q, limit, offset)
    key = (*key3, bool(mark_id))
    if mark_id:
        params["mark_id"] = mark_id
    conn = s.connection()
    rows = list(conn.execute(_PRODUCT_PAGES[key], params))
    total = int(rows[0][-1]) if rows else conn.execute(
        select(func.count()).select_from(_PRODUCT_FILTERS[key].subquery()), params).scalar() or 0
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
    return _product_state_json(*_load_product(s, who, product_id))


_PRODUCT_BY_ID = _PRODUCTS.where(ProductRow.id == bindparam("product_id"))
_PRODUCTS_T, _BANDS_T = cast(Table, ProductRow.__table__), cast(Table, PriceBandRow.__table__)
_PRODUCT_FIELDS = ("category", "hs_codes", "gs1_prefixes", "barcodes", "authentication_features")


_PRODUCT_FOR_UPDATE = _PRODUCT_BY_ID.with_for_update(of=ProductRow)


def _load_product(s: Session, who: Principal, product_id: str, *, lock: bool = False) -> tuple[Any, list[Any]]:
    """The product's ``_PRODUCTS`` row and its band rows (product_id, id, market, currency, low, high); with
    ``lock`` the product row is locked first for this transaction's write (as for marks)."""
    conn = s.connection()
    row = conn.execute(_PRODUCT_FOR_UPDATE if lock else _PRODUCT_BY_ID, {"product_id": product_id}).first()
    if row is None or not who.sees_holder(row[3]):
        raise not_found("product", product_id)
    return row, list(conn.execute(_BANDS_OF, {"ids": [product_id]}))


def _product_state_json(row: Any, bands: list[Any]) -> dict[str, Any]:
    """Exactly :func:`product_json` of the stored product."""
    pid, mid, mtext, hid, hname, name, category, hs, gs1, barcodes, auth = tuple(row)[:11]
    return {
        "id": pid, "mark_id": mid, "mark": mtext, "holder_id": hid, "holder": hname, "name": name,
        "category": category, "hs_codes": list(hs or ()),
        "price_bands": [{"id": b[1], "market": b[2], "currency": b[3], "low": _num(b[4]), "high": _num(b[5])}
                        for b in bands],
        "gs1_prefixes": list(gs1 or ()), "barcodes": list(barcodes or ()), "authentication_features": auth,
    }


def _write_product(s: Session, row: Any, bands: list[Any], product: Product) -> dict[str, Any]:
    """Store ``product`` over the stored one as ``repository.upsert_products`` would, writing only what
    changed; returns the JSON after the change (as :func:`_flushed_product_json`)."""
    conn = s.connection()
    pid = row[0]
    new = {"category": product.category, "hs_codes": list(product.hs_codes),
           "gs1_prefixes": list(product.gs1_prefixes), "barcodes": list(product.barcodes),
           "authentication_features": product.authentication_features}
    old = dict(zip(_PRODUCT_FIELDS, (row[6], row[7], row[8], row[9], row[10]), strict=True))
    changed = {k: v for k, v in new.items() if old[k] != v}
    if changed:
        conn.execute(update(_PRODUCTS_T).where(_PRODUCTS_T.c.id == pid).values(**changed))
    current = {(b[2], b[3]): b for b in bands}
    keep = {(b.market, b.currency) for b in product.price_bands}
    gone = [b[1] for b in bands if (b[2], b[3]) not in keep]
    if gone:
        conn.execute(delete(_BANDS_T).where(_BANDS_T.c.id.in_(gone)))
    bands_out = []
    for band in product.price_bands:
        had = current.get((band.market, band.currency))
        if had is None:
            band_id = conn.execute(insert(_BANDS_T).values(product_id=pid, market=band.market, currency=band.currency,
                                                           low=band.low, high=band.high)
                                   .returning(_BANDS_T.c.id)).scalar_one()
        else:
            band_id = had[1]
            if (had[4], had[5]) != (band.low, band.high):
                conn.execute(update(_BANDS_T).where(_BANDS_T.c.id == band_id).values(low=band.low, high=band.high))
        bands_out.append({"id": band_id, "market": band.market, "currency": band.currency, "low": _num(band.low),
                          "high": _num(band.high)})
    bands_out.sort(key=lambda b: b["market"])
    pid, mid, mtext, hid, hname, name = tuple(row)[:6]
    return {
        "id": pid, "mark_id": mid, "mark": mtext, "holder_id": hid, "holder": hname, "name": name,
        "category": new["category"], "hs_codes": new["hs_codes"], "price_bands": bands_out,
        "gs1_prefixes": new["gs1_prefixes"], "barcodes": new["barcodes"],
        "authentication_features": new["authentication_features"],
    }


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
    """Core reads and writes (see "mark writes in Core"): the same rows as ``repository.upsert_products``."""
    row, bands = _load_product(s, who, product_id, lock=True)
    _check_write(who, row[3])
    before = _product_state_json(row, bands)
    current = {k: v for k, v in before.items() if k in {"name", "category", "hs_codes", "gs1_prefixes",
                                                         "barcodes", "authentication_features"}}
    current["price_bands"] = [{k: b[k] for k in ("market", "currency", "low", "high")}
                              for b in before["price_bands"]]
    patch = body.model_dump(exclude_unset=True)
    product = _build_product({**current, **patch, "holder": row[4], "mark": row[2]})
    _bands_unique(product)
    out = _write_product(s, row, bands, product)
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
