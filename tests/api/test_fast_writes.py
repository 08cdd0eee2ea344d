"""The Core write path of the registry API (mark update, alias add, product update) leaves the same rows, answers
the same JSON and audits the same before/after as the ORM path through ``repository.upsert_*`` it replaced.

Twin marks and products with identical content are changed in step, one through ``registry_ops`` (Core), the
other through the repository (ORM, the reference); their stored state and JSON must match but for ids and names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.encoders import jsonable_encoder
from sqlalchemy import select

from bordermark import audit
from bordermark.accounts import Principal, Role
from bordermark.api import registry_ops as ops
from bordermark.api.errors import ApiError
from bordermark.api.schemas import AliasIn, MarkPatch, ProductPatch
from bordermark.domain import Alias, AliasKind, Holder, Mark, PriceBand, Product, Recordation
from bordermark.registry import repository as repo
from bordermark.store import Store
from bordermark.store.registry_tables import AliasRow, MarkRow, PriceBandRow, ProductRow, RecordationRow
from tests.concurrency import run_in_threads

ADMIN = Principal(user_id=1, username="admin", role=Role.ADMIN)
HOLDER = "Fast Path SA"


def _seed(store: Store) -> None:
    with store.session() as s:
        repo.upsert_holders(s, [Holder(name=HOLDER, country="FR")])
        for text in ("CORE", "ORM"):
            mark = Mark(holder=HOLDER, text=text, nice_classes=(18,), jurisdictions=("CN",),
                        aliases=(Alias(text=f"{text}-x", kind=AliasKind.VARIANT),
                                 Alias(text=f"{text}-seen", kind=AliasKind.OBSERVED)),
                        recordations=(Recordation(number="R2"), Recordation(number="R1", valid_from=date(2025, 1, 1))))
            repo.upsert_marks(s, [mark])
            repo.upsert_products(s, [Product(holder=HOLDER, mark=text, name="Bag", hs_codes=("420221",),
                                             price_bands=(PriceBand(market="FR", currency="EUR", low=10, high=20),
                                                          PriceBand(market="CN", currency="CNY", low=90, high=150)))])


def _ids(store: Store) -> dict[str, str]:
    with store.session() as s:
        marks = {t: i for i, t in s.execute(select(MarkRow.id, MarkRow.text).where(MarkRow.text.in_(["CORE", "ORM"])))}
        products = {t: s.scalar(select(ProductRow.id).where(ProductRow.mark_id == marks[t])) for t in marks}
    return {"core": marks["CORE"], "orm": marks["ORM"], "core_p": str(products["CORE"]), "orm_p": str(products["ORM"])}


def _orm_update_mark(s: Any, mark_id: str, patch: dict[str, Any]) -> dict[str, Any]:
    """The replaced ORM path: load, merge, ``repository.upsert_marks``, JSON of the flushed row."""
    row, holder = ops._mark_row(s, ADMIN, mark_id)
    data = {**ops._mark_domain(row, holder), **patch}
    repo.upsert_marks(s, [ops._build_mark(data)])
    return ops._flushed_mark_json(row, holder)


def _orm_add_alias(s: Any, mark_id: str, alias: dict[str, Any]) -> dict[str, Any]:
    row, holder = ops._mark_row(s, ADMIN, mark_id)
    data = ops._mark_domain(row, holder)
    data["aliases"] = [*data["aliases"], alias]
    repo.upsert_marks(s, [ops._build_mark(data)])
    return ops._flushed_mark_json(row, holder)


def _orm_update_product(s: Any, product_id: str, patch: dict[str, Any]) -> dict[str, Any]:
    row, mark, holder = ops._product_row(s, ADMIN, product_id)
    before = ops.product_json(row, mark, holder)
    current = {k: v for k, v in before.items() if k in {"name", "category", "hs_codes", "gs1_prefixes", "barcodes",
                                                         "authentication_features"}}
    current["price_bands"] = [{k: b[k] for k in ("market", "currency", "low", "high")} for b in before["price_bands"]]
    repo.upsert_products(s, [ops._build_product({**current, **patch, "holder": holder.name, "mark": mark.text})])
    return ops._flushed_product_json(row, mark, holder)


def _neutral(value: Any, ids: dict[str, str]) -> Any:
    """JSON with the twin's own ids, names and surrogate keys replaced, so the two twins compare equal."""
    if isinstance(value, dict):
        return {k: ("#" if k == "id" and isinstance(v, int) else _neutral(v, ids)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_neutral(v, ids) for v in value]
    if isinstance(value, str):
        for key in ("core_p", "orm_p", "core", "orm"):
            value = value.replace(ids[key], "<id>")
        return value.replace("CORE", "<m>").replace("ORM", "<m>")
    return value


def _stored(store: Store, mark_id: str, product_id: str, ids: dict[str, str]) -> Any:
    with store.session() as s:
        mark = s.execute(select(MarkRow.external_id, MarkRow.nice_classes, MarkRow.jurisdictions,
                                MarkRow.registration_number, MarkRow.valid_from, MarkRow.valid_until, MarkRow.famous)
                         .where(MarkRow.id == mark_id)).one()
        aliases = s.execute(select(AliasRow.text, AliasRow.kind, AliasRow.script, AliasRow.position)
                            .where(AliasRow.mark_id == mark_id).order_by(AliasRow.position)).all()
        recs = s.execute(select(RecordationRow.number, RecordationRow.authority, RecordationRow.valid_from,
                                RecordationRow.valid_until).where(RecordationRow.mark_id == mark_id)
                         .order_by(RecordationRow.number)).all()
        product = s.execute(select(ProductRow.category, ProductRow.hs_codes, ProductRow.gs1_prefixes,
                                   ProductRow.barcodes, ProductRow.authentication_features)
                            .where(ProductRow.id == product_id)).one()
        bands = s.execute(select(PriceBandRow.market, PriceBandRow.currency, PriceBandRow.low, PriceBandRow.high)
                          .where(PriceBandRow.product_id == product_id).order_by(PriceBandRow.market)).all()
    return _neutral([tuple(mark), [tuple(a) for a in aliases], [tuple(r) for r in recs], tuple(product),
                     [tuple(b) for b in bands]], ids)


MARK_PATCHES: list[dict[str, Any]] = [
    {"famous": True, "registration_number": "R-1"},
    {"famous": True, "registration_number": "R-1"},  # nothing changes
    {"nice_classes": [25, 18], "jurisdictions": ["FR", "CN"], "valid_from": "2024-01-01"},
    {"aliases": [{"text": "{m}-y", "kind": "transliteration"}, {"text": "{m}-x", "kind": "variant"}]},
    {"recordations": [{"number": "R3", "authority": "EU"}, {"number": "R1", "authority": "CN-GACC",
                                                              "valid_from": "2025-02-01"}]},
    {"aliases": [], "recordations": []},
]


def _fill(patch: dict[str, Any], text: str) -> dict[str, Any]:
    aliases = patch.get("aliases")
    if aliases is None:
        return patch
    return {**patch, "aliases": [{**a, "text": a["text"].format(m=text)} for a in aliases]}


def test_core_writes_match_the_orm_path(store: Store) -> None:
    _seed(store)
    ids = _ids(store)
    assert _stored(store, ids["core"], ids["core_p"], ids) == _stored(store, ids["orm"], ids["orm_p"], ids)
    for patch in MARK_PATCHES:
        with store.session() as s:
            before = ops.get_mark(s, ADMIN, ids["core"])
            fast = ops.update_mark(s, ADMIN, ids["core"], MarkPatch.model_validate(_fill(patch, "CORE")))
        with store.session() as s:
            slow = _orm_update_mark(s, ids["orm"], MarkPatch.model_validate(_fill(patch, "ORM"))
                                    .model_dump(exclude_unset=True))
        assert _neutral(fast, ids) == _neutral(slow, ids), patch
        assert _stored(store, ids["core"], ids["core_p"], ids) == _stored(store, ids["orm"], ids["orm_p"], ids)
        with store.session() as s:
            assert ops.get_mark(s, ADMIN, ids["core"]) == fast  # the answer is what a fresh read gives
            entry = audit.entries(s, entity_type="mark", entity_id=ids["core"], newest_first=True, limit=1)[0]
        assert (entry.action, entry.actor) == ("registry.mark.update", "admin")
        assert entry.before == jsonable_encoder(before) and entry.after == jsonable_encoder(fast)
    for text in ("new-a", "new-b"):
        with store.session() as s:
            fast = ops.add_alias(s, ADMIN, ids["core"], AliasIn(text=f"CORE-{text}", kind=AliasKind.VARIANT))
        with store.session() as s:
            slow = _orm_add_alias(s, ids["orm"], {"text": f"ORM-{text}", "kind": "variant"})
        assert _neutral(fast, ids) == _neutral(slow, ids)
        assert _stored(store, ids["core"], ids["core_p"], ids) == _stored(store, ids["orm"], ids["orm_p"], ids)
        with store.session() as s:
            assert ops.get_mark(s, ADMIN, ids["core"]) == fast
    product_patches: list[dict[str, Any]] = [
        {"price_bands": [{"market": "CN", "currency": "CNY", "low": "95.5", "high": "150"},
                         {"market": "US", "currency": "USD", "low": "12", "high": "30"}]},
        {"category": "bags", "hs_codes": ["420222"], "barcodes": ["12345678"], "authentication_features": "logo"},
        {"category": "bags"},  # nothing changes
        {"price_bands": []},
    ]
    for patch in product_patches:
        with store.session() as s:
            before = ops.get_product(s, ADMIN, ids["core_p"])
            fast = ops.update_product(s, ADMIN, ids["core_p"], ProductPatch.model_validate(patch))
        with store.session() as s:
            slow = _orm_update_product(s, ids["orm_p"],
                                       ProductPatch.model_validate(patch).model_dump(exclude_unset=True))
        assert _neutral(fast, ids) == _neutral(slow, ids), patch
        assert _stored(store, ids["core"], ids["core_p"], ids) == _stored(store, ids["orm"], ids["orm_p"], ids)
        with store.session() as s:
            assert ops.get_product(s, ADMIN, ids["core_p"]) == fast
            entry = audit.entries(s, entity_type="product", entity_id=ids["core_p"], newest_first=True, limit=1)[0]
        assert entry.before == jsonable_encoder(before) and entry.after == jsonable_encoder(fast)
    with store.session() as s:
        assert audit.verify(s).ok


def test_core_writes_refuse_like_before(store: Store) -> None:
    _seed(store)
    ids = _ids(store)
    other = Principal(user_id=2, username="other", role=Role.RIGHT_HOLDER, holder_ids=frozenset({"h-nobody"}))
    officer = Principal(user_id=3, username="officer", role=Role.CUSTOMS_OFFICER)
    cases = [
        (other, lambda s, who: ops.update_mark(s, who, ids["core"], MarkPatch(famous=True)), 404),
        (officer, lambda s, who: ops.update_mark(s, who, ids["core"], MarkPatch(famous=True)), 403),
        (ADMIN, lambda s, who: ops.add_alias(s, who, ids["core"], AliasIn(text="CORE-x")), 409),
        (ADMIN, lambda s, who: ops.add_alias(s, who, ids["core"], AliasIn(text="CORE")), 409),
        (other, lambda s, who: ops.update_product(s, who, ids["core_p"], ProductPatch(category="x")), 404),
        (ADMIN, lambda s, who: ops.update_product(s, who, ids["core_p"], ProductPatch.model_validate(
            {"price_bands": [{"market": "CN", "currency": "CNY", "low": "1", "high": "2"}] * 2})), 422),
        (ADMIN, lambda s, who: ops.update_mark(s, who, ids["core"], MarkPatch.model_validate(
            {"aliases": [{"text": "dup"}, {"text": "dup"}]})), 409),
        (ADMIN, lambda s, who: ops.update_mark(s, who, ids["core"], MarkPatch.model_validate(
            {"valid_from": "2026-01-01", "recordations": [{"number": "R9", "valid_from": "2026-02-01",
                                                           "valid_until": "2026-01-01"}]})), 422),
    ]
    before = _stored(store, ids["core"], ids["core_p"], ids)
    for who, call, status in cases:
        with pytest.raises(ApiError) as err, store.session() as s:
            call(s, who)
        assert err.value.status == status
    assert _stored(store, ids["core"], ids["core_p"], ids) == before
    with store.session() as s:
        assert audit.entries(s, entity_type="mark", entity_id=ids["core"]) == []


def test_prebuilt_pages_answer_like_the_orm_rows(store: Store) -> None:
    """Mark and product pages (prebuilt statements per filter combination) equal the ORM rows filtered and
    paged in Python, for staff and a right holder, with holder, mark and text filters and past the end."""
    _seed(store)
    with store.session() as s:
        repo.upsert_holders(s, [Holder(name="Other Holder AG")])
        repo.upsert_marks(s, [Mark(holder="Other Holder AG", text="ORMOTHER")])
        repo.upsert_products(s, [Product(holder="Other Holder AG", mark="ORMOTHER", name="Bag")])
        marks = s.scalars(select(MarkRow).order_by(MarkRow.text, MarkRow.id)).all()
        every_mark = [ops.mark_json(m, m.holder) for m in marks]
        products = s.scalars(select(ProductRow).order_by(ProductRow.name, ProductRow.id)).all()
        every_product = [ops.product_json(p, p_mark, p_mark.holder)
                         for p in products for p_mark in [s.get(MarkRow, p.mark_id)] if p_mark is not None]
    mine = Holder(name=HOLDER).id
    holder = Principal(user_id=4, username="h", role=Role.RIGHT_HOLDER, holder_ids=frozenset({mine}))
    for who in (ADMIN, holder):
        for holder_id in (None, mine, Holder(name="Other Holder AG").id):
            for q in (None, "orm", "zzz"):
                for limit, offset in ((100, 0), (1, 1), (5, 50)):
                    scope = None if who is ADMIN else mine
                    want = [m for m in every_mark if _keep(m, "text", scope, holder_id, q)]
                    with store.session() as s:
                        got = ops.list_marks(s, who, holder_id=holder_id, q=q, limit=limit, offset=offset)
                    assert got == {"total": len(want), "items": want[offset:offset + limit]}, (who, holder_id, q)
                    for mark_id in (None, ids_of(every_mark, "ORM")):
                        want_p = [p for p in every_product if _keep(p, "name", scope, holder_id, q)
                                  and (mark_id is None or p["mark_id"] == mark_id)]
                        with store.session() as s:
                            got = ops.list_products(s, who, holder_id=holder_id, mark_id=mark_id, q=q, limit=limit,
                                                    offset=offset)
                        assert got == {"total": len(want_p), "items": want_p[offset:offset + limit]}


def ids_of(marks: list[dict[str, Any]], text: str) -> str:
    return next(m["id"] for m in marks if m["text"] == text)


def _keep(item: dict[str, Any], text_key: str, scope: str | None, holder_id: str | None, q: str | None) -> bool:
    return ((scope is None or item["holder_id"] == scope) and (holder_id is None or item["holder_id"] == holder_id)
            and (q is None or q in item[text_key].lower()))


def test_concurrent_core_writes_keep_one_audit_chain(postgres: Any) -> None:
    """Parallel audited writes through the Core path (four threads, PostgreSQL): every change is audited once,
    the chain verifies, and the mark ends with every alias that was added."""
    from bordermark.store import open_store

    store = open_store(postgres.create_database())
    try:
        _seed(store)
        ids = _ids(store)

        def worker(k: int) -> None:
            for i in range(5):
                with store.session() as s:
                    ops.add_alias(s, ADMIN, ids["core"], AliasIn(text=f"T{k}-{i}"))
                with store.session() as s:
                    ops.update_product(s, ADMIN, ids["core_p"], ProductPatch(category=f"c{k}-{i}"))

        errors = run_in_threads(worker, 4)
        assert not errors, errors
        with store.session() as s:
            report = audit.verify(s)
            added = audit.entries(s, entity_type="mark", entity_id=ids["core"])
            mark = ops.get_mark(s, ADMIN, ids["core"])
        assert report.ok, report.problems
        assert len(added) == 20 and {e.action for e in added} == {"registry.alias.add"}
        assert {f"T{k}-{i}" for k in range(4) for i in range(5)} <= {a["text"] for a in mark["aliases"]}
    finally:
        store.dispose()
