"""Reading and writing the registry in the store (the only module here that touches SQLAlchemy)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bordermark.domain import (
    Alias,
    AliasKind,
    AuthorisedParty,
    Holder,
    Mark,
    PartyRole,
    PriceBand,
    Product,
    Recordation,
    Registry,
    RightType,
)
from bordermark.store.registry_tables import (
    AliasRow,
    HolderRow,
    MarkRow,
    PartyRow,
    PriceBandRow,
    ProductRow,
    RecordationRow,
)


def load_registry(session: Session) -> Registry:
    holders = session.scalars(select(HolderRow).order_by(HolderRow.name)).all()
    by_id = {h.id: h for h in holders}
    marks = session.scalars(
        select(MarkRow).options(selectinload(MarkRow.aliases), selectinload(MarkRow.recordations))
        .order_by(MarkRow.text, MarkRow.holder_id)
    ).all()
    mark_by_id = {m.id: m for m in marks}
    products = session.scalars(
        select(ProductRow).options(selectinload(ProductRow.price_bands)).order_by(ProductRow.mark_id, ProductRow.name)
    ).all()
    parties = session.scalars(select(PartyRow).order_by(PartyRow.holder_id, PartyRow.role, PartyRow.name)).all()
    return Registry(
        holders=tuple(Holder(name=h.name, country=h.country) for h in holders),
        marks=tuple(_mark(m, by_id[m.holder_id].name) for m in marks),
        products=tuple(
            _product(p, mark_by_id[p.mark_id], by_id[mark_by_id[p.mark_id].holder_id].name) for p in products
        ),
        parties=tuple(_party(p, by_id[p.holder_id].name) for p in parties),
    )


def _mark(row: MarkRow, holder: str) -> Mark:
    return Mark.model_construct(
        holder=holder,
        text=row.text,
        right_type=RightType(row.right_type),
        external_id=row.external_id,
        aliases=tuple(Alias.model_construct(text=a.text, kind=AliasKind(a.kind), script=a.script)
                      for a in row.aliases),
        nice_classes=tuple(row.nice_classes or ()),
        jurisdictions=tuple(row.jurisdictions or ()),
        registration_number=row.registration_number,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        famous=row.famous,
        recordations=tuple(
            Recordation.model_construct(number=r.number, authority=r.authority, valid_from=r.valid_from,
                                        valid_until=r.valid_until)
            for r in row.recordations
        ),
    )


def _product(row: ProductRow, mark: MarkRow, holder: str) -> Product:
    return Product.model_construct(
        holder=holder,
        mark=mark.text,
        name=row.name,
        category=row.category,
        hs_codes=tuple(row.hs_codes or ()),
        price_bands=tuple(
            PriceBand.model_construct(market=b.market, currency=b.currency, low=b.low.normalize(),
                                      high=b.high.normalize())
            for b in row.price_bands
        ),
        gs1_prefixes=tuple(row.gs1_prefixes or ()),
        barcodes=tuple(row.barcodes or ()),
        authentication_features=row.authentication_features,
    )


def _party(row: PartyRow, holder: str) -> AuthorisedParty:
    return AuthorisedParty.model_construct(
        holder=holder,
        role=PartyRole(row.role),
        name=row.name,
        country=row.country,
        marks=tuple(row.marks or ()),
        identifiers=tuple(row.identifiers or ()),
        addresses=tuple(row.addresses or ()),
        contacts=tuple(row.contacts or ()),
    )


def existing_mark_keys(session: Session) -> set[tuple[str, str]]:
    """(holder name, mark text) of every mark in the store, to resolve references from product/party files."""
    rows = session.execute(select(HolderRow.name, MarkRow.text).join(MarkRow, MarkRow.holder_id == HolderRow.id))
    return {(h, m) for h, m in rows}


def mark_ids_by_key(session: Session) -> dict[tuple[str, str, str], str]:
    """(holder name, mark text, right type) -> mark id, to catch one mark imported under two ids."""
    rows = session.execute(select(HolderRow.name, MarkRow.text, MarkRow.right_type, MarkRow.id)
                           .join(MarkRow, MarkRow.holder_id == HolderRow.id))
    return {(h, t, r): i for h, t, r, i in rows}


def upsert_holders(session: Session, holders: Iterable[Holder]) -> None:
    for h in holders:
        row = session.get(HolderRow, h.id)
        if row is None:
            session.add(HolderRow(id=h.id, name=h.name, country=h.country))
        elif h.country and row.country != h.country:
            row.country = h.country
    session.flush()


def upsert_marks(session: Session, marks: Iterable[Mark]) -> None:
    """Insert or update marks; registered aliases are replaced, observed (learned) aliases are kept."""
    for m in marks:
        row = session.get(MarkRow, m.id)
        if row is None:
            row = MarkRow(id=m.id, holder_id=m.holder_id, text=m.text, right_type=m.right_type.value)
            session.add(row)
        row.external_id = m.external_id
        row.nice_classes = list(m.nice_classes)
        row.jurisdictions = list(m.jurisdictions)
        row.registration_number = m.registration_number
        row.valid_from, row.valid_until, row.famous = m.valid_from, m.valid_until, m.famous
        wanted = {a.text: a for a in m.aliases}
        kept = [a for a in row.aliases if a.kind == AliasKind.OBSERVED.value and a.text not in wanted]
        current = {a.text: a for a in row.aliases}
        new_rows: list[AliasRow] = []
        for pos, alias in enumerate([*m.aliases, *(Alias(text=a.text, kind=AliasKind.OBSERVED) for a in kept)]):
            a_row = current.get(alias.text) or AliasRow(text=alias.text)
            a_row.kind, a_row.script, a_row.position = alias.kind.value, alias.script, pos
            new_rows.append(a_row)
        row.aliases = new_rows
        recs = {r.number: r for r in row.recordations}
        row.recordations = [
            _rec_row(recs.get(r.number) or RecordationRow(number=r.number), r) for r in m.recordations
        ]
    session.flush()


def _rec_row(row: RecordationRow, rec: Recordation) -> RecordationRow:
    row.authority, row.valid_from, row.valid_until = rec.authority, rec.valid_from, rec.valid_until
    return row


def upsert_products(session: Session, products: Iterable[Product]) -> None:
    for p in products:
        row = session.get(ProductRow, p.id)
        mark_id = session.scalar(
            select(MarkRow.id).join(HolderRow, HolderRow.id == MarkRow.holder_id)
            .where(HolderRow.name == p.holder, MarkRow.text == p.mark).order_by(MarkRow.right_type)
        )
        if mark_id is None:
            raise LookupError(f"mark {p.mark!r} of {p.holder!r} is not in the registry")
        if row is None:
            row = ProductRow(id=p.id, mark_id=mark_id, name=p.name)
            session.add(row)
        row.category = p.category
        row.hs_codes, row.gs1_prefixes, row.barcodes = list(p.hs_codes), list(p.gs1_prefixes), list(p.barcodes)
        row.authentication_features = p.authentication_features
        bands = {(b.market, b.currency): b for b in row.price_bands}
        new_bands = []
        for band in p.price_bands:
            b_row = bands.get((band.market, band.currency)) or PriceBandRow(market=band.market,
                                                                            currency=band.currency)
            b_row.low, b_row.high = band.low, band.high
            new_bands.append(b_row)
        row.price_bands = new_bands
    session.flush()


def upsert_parties(session: Session, parties: Iterable[AuthorisedParty]) -> None:
    for p in parties:
        row = session.get(PartyRow, p.id)
        if row is None:
            row = PartyRow(id=p.id, holder_id=Holder(name=p.holder).id, role=p.role.value, name=p.name,
                           country=p.country)
            session.add(row)
        row.marks, row.identifiers = list(p.marks), list(p.identifiers)
        row.addresses, row.contacts = list(p.addresses), list(p.contacts)
    session.flush()


def add_observed_alias(session: Session, mark_id: str, text: str) -> bool:
    """Learn a disguise confirmed by a reviewer; returns False when the mark already knows it."""
    row = session.get(MarkRow, mark_id)
    if row is None:
        raise LookupError(f"no mark with id {mark_id!r}")
    if any(a.text == text for a in row.aliases) or row.text == text:
        return False
    row.aliases.append(AliasRow(text=text, kind=AliasKind.OBSERVED.value, position=len(row.aliases)))
    session.flush()
    return True
