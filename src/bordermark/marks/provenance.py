"""Provenance checks: who made, labelled, registered and imported the goods, and do the papers agree?

Why parties and not papers: in the Betta case every document was genuine (certificate of origin, declaration,
inspection certificate, transport documents); what gave it away was that the local mark holder was not the
home-register owner and the maker was not one the brand authorises. Parallel imports are the mirror image:
genuine goods from the brand's own makers, brought in by an importer the brand did not authorise; they are not
fakes. Each check below is a named function result (pass / fail / unknown, with a sentence); the verdict
follows from the checks by the rules in :func:`verdict`.

Input record: :class:`ProvenanceRecord` (this module's own format). The simulator's ``provenance.jsonl``
(``documents`` nested under one key, ``manufacturer`` for the maker) is read by :func:`record_from_dict` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from bordermark.domain.rights import AuthorisedParty, Mark, PartyRole, Registry
from bordermark.marks.text import fold, skeleton
from bordermark.marks.watch import party_key


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)


class OriginCertificate(_Doc):
    number: str | None = None
    issuer: str | None = None
    country: str | None = None
    maker: str | None = None
    issued_on: date | None = None
    quantity: Decimal | None = None


class InspectionCertificate(_Doc):
    number: str | None = None
    result: str | None = None
    issued_on: date | None = None
    quantity: Decimal | None = None


class TransportDocument(_Doc):
    kind: str | None = None  # bill_of_lading | air_waybill | ...
    number: str | None = None
    shipped_on: date | None = None
    quantity: Decimal | None = None


class DeclarationDocument(_Doc):
    number: str | None = None
    declared_on: date | None = None
    quantity: Decimal | None = None
    importer: str | None = None


class Invoice(_Doc):
    number: str | None = None
    seller: str | None = None
    buyer: str | None = None
    currency: str | None = None
    total: Decimal | None = None
    quantity: Decimal | None = None


class AuthorisationLetter(_Doc):
    issuer: str
    authorised: str
    valid_until: date | None = None


class LocalRegistration(_Doc):
    """The trademark registration in the import country that the goods' seller relies on."""

    number: str | None = None
    holder: str
    mark_text: str | None = None
    jurisdiction: str | None = None
    nice_classes: tuple[int, ...] = ()


class ProvenanceRecord(BaseModel):
    """What the papers and the goods say about one consignment of branded goods."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1)
    brand: str | None = None  # the mark the goods are sold under, as written on them
    goods: str | None = None
    declaration_id: str | None = None
    importer: str | None = None
    exporter: str | None = None
    label_maker: str | None = None  # the maker named on the label
    label_maker_country: str | None = None
    barcode: str | None = None  # GTIN printed on the goods
    country_of_origin: str | None = None
    home_register_owner: str | None = None  # owner of the mark in the brand's home register, if stated
    origin_certificate: OriginCertificate | None = None
    inspection_certificate: InspectionCertificate | None = None
    transport_document: TransportDocument | None = None
    declaration: DeclarationDocument | None = None
    commercial_invoice: Invoice | None = None
    authorisation_letter: AuthorisationLetter | None = None
    local_registration: LocalRegistration | None = None
    purchase_receipts: tuple[str, ...] = ()
    checked_on: date | None = None  # for the validity of authorisation letters; today when absent


def record_from_dict(row: dict[str, Any]) -> ProvenanceRecord:
    """Our own format, or the simulator's (recognised by its nested ``documents`` object)."""
    if "documents" not in row:
        return ProvenanceRecord.model_validate(row)
    docs = row.get("documents") or {}
    co = docs.get("certificate_of_origin")
    if co is not None:
        co = {**co, "maker": co.get("maker") or row.get("manufacturer")}
    return ProvenanceRecord.model_validate({
        "id": row.get("id"), "brand": row.get("brand"), "goods": row.get("goods"),
        "declaration_id": row.get("declaration_id"), "importer": row.get("importer"),
        "exporter": row.get("exporter"), "label_maker": row.get("manufacturer"),
        "label_maker_country": row.get("manufacturer_country"), "barcode": row.get("barcode"),
        "country_of_origin": row.get("country_of_origin"), "origin_certificate": co,
        "inspection_certificate": docs.get("inspection_certificate"),
        "transport_document": docs.get("transport_document"), "declaration": docs.get("declaration"),
        "commercial_invoice": docs.get("commercial_invoice"),
        "authorisation_letter": docs.get("authorisation_letter"),
        "local_registration": docs.get("local_trademark_registration"),
        "purchase_receipts": docs.get("purchase_receipts") or (),
    })


class Verdict(StrEnum):
    GENUINE_AUTHORISED = "genuine_authorised"
    PARALLEL_IMPORT = "parallel_import"
    COVERT_COUNTERFEIT = "covert_counterfeit"
    COUNTERFEIT = "counterfeit"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status.value, "detail": self.detail}


@dataclass(frozen=True)
class ProvenanceResult:
    record_id: str
    verdict: Verdict
    mark_id: str | None
    reasons: list[str]
    checks: list[Check]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.record_id, "verdict": self.verdict.value, "mark_id": self.mark_id,
                "reasons": self.reasons, "checks": [c.to_dict() for c in self.checks]}


GENERIC_BRANDS = frozenset({"", "oem", "no brand", "nobrand", "unbranded", "none", "n/a", "generic", "无", "无品牌"})
MAKER_ROLES = (PartyRole.MANUFACTURER, PartyRole.LICENSEE)
IMPORTER_ROLES = (PartyRole.IMPORTER, PartyRole.DISTRIBUTOR, PartyRole.LICENSEE)


def same_party(a: str | None, b: str | None, ratio: int = 90) -> bool:
    if not a or not b:
        return False
    ka, kb = party_key(a), party_key(b)
    return bool(ka and kb) and (ka == kb or fuzz.token_set_ratio(ka, kb) >= ratio)


class ProvenanceChecker:
    """Checks records against one registry snapshot (marks, products with GS1 prefixes, authorised parties)."""

    def __init__(self, registry: Registry, today: date | None = None) -> None:
        self.registry = registry
        self.today = today or date.today()
        self._by_name: dict[str, list[Mark]] = {}
        for m in registry.marks:
            for name, _ in m.all_names():
                self._by_name.setdefault(skeleton(name), []).append(m)

    def resolve(self, brand: str | None) -> Mark | None:
        if not brand or fold(brand) in GENERIC_BRANDS:
            return None
        found = self._by_name.get(skeleton(brand), [])
        return found[0] if found else None

    def check(self, rec: ProvenanceRecord) -> ProvenanceResult:
        mark = self.resolve(rec.brand)
        checks = [self._brand(rec, mark)]
        if mark is not None:
            parties = self.registry.parties_of(mark)
            checks += [self._maker(rec, mark, parties), self._barcode(rec, mark), self._local_holder(rec, mark),
                       self._importer(rec, mark, parties)]
        checks += [self._makers_agree(rec), self._papers(rec), self._consistency(rec)]
        v, reasons = verdict(checks)
        return ProvenanceResult(rec.id, v, mark.id if mark else None, reasons, checks)

    # ---- the checks, one function each; the name is the evidence ------------------------------------

    def _brand(self, rec: ProvenanceRecord, mark: Mark | None) -> Check:
        if mark is not None:
            return Check("brand_registered", Status.PASS, f"'{rec.brand}' is {mark.text} of {mark.holder}")
        if not rec.brand or fold(rec.brand) in GENERIC_BRANDS:
            return Check("brand_registered", Status.FAIL,
                         f"goods declared as '{rec.brand or 'no brand'}': the papers do not say whose goods they are")
        return Check("brand_registered", Status.UNKNOWN, f"'{rec.brand}' is not in the registry")

    def _maker(self, rec: ProvenanceRecord, mark: Mark, parties: Sequence[AuthorisedParty]) -> Check:
        makers = [p for p in parties if p.role in MAKER_ROLES]
        named = [m for m in (rec.label_maker, rec.origin_certificate.maker if rec.origin_certificate else None) if m]
        if not named:
            return Check("maker_authorised", Status.UNKNOWN, "no maker named on the label or certificate of origin")
        if not makers:
            return Check("maker_authorised", Status.UNKNOWN, f"the registry lists no makers for {mark.text}")
        bad = [n for n in named if not any(same_party(n, p.name) for p in makers)]
        if bad:
            return Check("maker_authorised", Status.FAIL,
                         f"maker '{bad[0]}' is not among {mark.holder}'s authorised makers "
                         f"({', '.join(p.name for p in makers)})")
        return Check("maker_authorised", Status.PASS, f"maker '{named[0]}' is authorised by {mark.holder}")

    def _barcode(self, rec: ProvenanceRecord, mark: Mark) -> Check:
        prefixes = {pre for p in self.registry.products_of(mark) for pre in p.gs1_prefixes}
        codes = {c for p in self.registry.products_of(mark) for c in p.barcodes}
        if not rec.barcode:
            return Check("barcode_owner", Status.UNKNOWN, "no barcode recorded")
        code = rec.barcode.strip().lstrip("0") if len(rec.barcode.strip()) == 14 else rec.barcode.strip()
        if rec.barcode in codes or any(code.startswith(pre) for pre in prefixes):
            return Check("barcode_owner", Status.PASS, f"barcode {rec.barcode} carries {mark.holder}'s GS1 prefix")
        if not prefixes:
            return Check("barcode_owner", Status.UNKNOWN, f"no GS1 prefix registered for {mark.text}")
        return Check("barcode_owner", Status.FAIL,
                     f"barcode {rec.barcode} does not carry {mark.holder}'s GS1 prefix ({', '.join(sorted(prefixes))})")

    def _local_holder(self, rec: ProvenanceRecord, mark: Mark) -> Check:
        owner = rec.home_register_owner or mark.holder
        if rec.local_registration is None:
            return Check("local_holder_is_owner", Status.UNKNOWN, "no local trademark registration relied on")
        local = rec.local_registration
        if same_party(local.holder, owner) or any(same_party(local.holder, p.name)
                                                  for p in self.registry.parties_of(mark)):
            return Check("local_holder_is_owner", Status.PASS, f"local mark held by the owner {owner}")
        return Check("local_holder_is_owner", Status.FAIL,
                     f"local mark '{local.mark_text or rec.brand}' ({local.number or 'no number'}) is held by "
                     f"'{local.holder}', not by the home-register owner {owner}: a squatted mark")

    def _importer(self, rec: ProvenanceRecord, mark: Mark, parties: Sequence[AuthorisedParty]) -> Check:
        if not rec.importer:
            return Check("importer_authorised", Status.UNKNOWN, "no importer named")
        if any(p.role in IMPORTER_ROLES and same_party(rec.importer, p.name) for p in parties):
            return Check("importer_authorised", Status.PASS, f"'{rec.importer}' is an authorised importer")
        letter = rec.authorisation_letter
        if letter and same_party(letter.issuer, mark.holder) and same_party(letter.authorised, rec.importer):
            if letter.valid_until and letter.valid_until < (rec.checked_on or self.today):
                return Check("importer_authorised", Status.FAIL,
                             f"authorisation letter for '{rec.importer}' expired on {letter.valid_until}")
            return Check("importer_authorised", Status.PASS,
                         f"{mark.holder} authorises '{rec.importer}' by letter")
        return Check("importer_authorised", Status.FAIL,
                     f"'{rec.importer}' is neither an authorised importer of {mark.holder} nor holds its letter")

    def _makers_agree(self, rec: ProvenanceRecord) -> Check:
        co_maker = rec.origin_certificate.maker if rec.origin_certificate else None
        if not rec.label_maker or not co_maker:
            return Check("makers_agree", Status.UNKNOWN, "label or certificate of origin names no maker")
        if same_party(rec.label_maker, co_maker):
            return Check("makers_agree", Status.PASS, "label and certificate of origin name the same maker")
        return Check("makers_agree", Status.FAIL,
                     f"label names '{rec.label_maker}', certificate of origin '{co_maker}'")

    def _papers(self, rec: ProvenanceRecord) -> Check:
        present = {"certificate of origin": rec.origin_certificate, "inspection certificate":
                   rec.inspection_certificate, "transport document": rec.transport_document}
        missing = [k for k, v in present.items() if v is None]
        if not missing:
            return Check("papers_complete", Status.PASS, "certificate of origin, inspection certificate and "
                                                         "transport document all present")
        status = Status.FAIL if len(missing) < len(present) else Status.UNKNOWN
        return Check("papers_complete", status, f"missing: {', '.join(missing)}")

    def _consistency(self, rec: ProvenanceRecord) -> Check:
        problems: list[str] = []
        qty = {"declaration": rec.declaration.quantity if rec.declaration else None,
               "inspection certificate": rec.inspection_certificate.quantity if rec.inspection_certificate else None,
               "transport document": rec.transport_document.quantity if rec.transport_document else None,
               "certificate of origin": rec.origin_certificate.quantity if rec.origin_certificate else None,
               "invoice": rec.commercial_invoice.quantity if rec.commercial_invoice else None}
        stated = {k: v for k, v in qty.items() if v is not None}
        if len(set(stated.values())) > 1:
            problems.append("quantities differ: " + ", ".join(f"{k} {v}" for k, v in stated.items()))
        shipped = rec.transport_document.shipped_on if rec.transport_document else None
        declared = rec.declaration.declared_on if rec.declaration else None
        inspected = rec.inspection_certificate.issued_on if rec.inspection_certificate else None
        origin_on = rec.origin_certificate.issued_on if rec.origin_certificate else None
        if shipped and declared and declared < shipped:
            problems.append(f"declared on {declared}, before shipment on {shipped}")
        if declared and inspected and inspected < declared:
            problems.append(f"inspected on {inspected}, before declaration on {declared}")
        if origin_on and shipped and origin_on > shipped:
            problems.append(f"certificate of origin issued {origin_on}, after shipment on {shipped}")
        if problems:
            return Check("documents_consistent", Status.FAIL, "; ".join(problems))
        if not stated and not any((shipped, declared, inspected)):
            return Check("documents_consistent", Status.UNKNOWN, "no dates or quantities to compare")
        return Check("documents_consistent", Status.PASS, "dates in order and quantities agree")


def verdict(checks: Sequence[Check]) -> tuple[Verdict, list[str]]:
    """The rules, in order; the reasons are the sentences of the checks that decided."""
    c = {ch.name: ch for ch in checks}

    def st(name: str) -> Status:
        return c[name].status if name in c else Status.UNKNOWN

    def why(*names: str) -> list[str]:
        return [c[n].detail for n in names if n in c]

    fake = [n for n in ("maker_authorised", "barcode_owner", "makers_agree") if st(n) is Status.FAIL]
    genuine = [n for n in ("maker_authorised", "barcode_owner") if st(n) is Status.PASS]
    squatted = st("local_holder_is_owner") is Status.FAIL
    if squatted and (fake or not genuine):
        return Verdict.COVERT_COUNTERFEIT, [
            *why("local_holder_is_owner"), *why(*fake),
            "papers may be complete and genuine; the parties show the goods are not the brand owner's",
            *why("papers_complete")]
    if fake and not genuine:
        return Verdict.COUNTERFEIT, [*why(*fake), *why("documents_consistent", "papers_complete")]
    if st("brand_registered") is Status.FAIL and st("papers_complete") is Status.FAIL:
        return Verdict.COUNTERFEIT, [*why("brand_registered", "papers_complete"),
                                     "branded goods moving under a generic description, without the papers a "
                                     "genuine consignment carries"]
    if genuine and not fake:
        if st("documents_consistent") is Status.FAIL:
            return Verdict.INSUFFICIENT_EVIDENCE, [*why(*genuine), *why("documents_consistent"),
                                                   "the goods look genuine but the papers disagree: verify"]
        if st("importer_authorised") is Status.PASS:
            return Verdict.GENUINE_AUTHORISED, [*why(*genuine), *why("importer_authorised", "local_holder_is_owner")]
        if st("importer_authorised") is Status.FAIL:
            return Verdict.PARALLEL_IMPORT, [*why(*genuine), *why("importer_authorised"),
                                             "genuine goods through an unauthorised channel: not a counterfeit"]
    reasons = [ch.detail for ch in checks if ch.status is not Status.PASS]
    return Verdict.INSUFFICIENT_EVIDENCE, ["not enough evidence to tell genuine, parallel and fake goods apart",
                                          *reasons]
