from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bordermark.domain.rights import Registry
from bordermark.marks.io import read_models
from bordermark.marks.provenance import ProvenanceChecker, ProvenanceRecord, Verdict, record_from_dict
from bordermark.marks.registry_files import registry_from_files

TODAY = date(2025, 6, 1)

FULL_PAPERS: dict[str, Any] = {
    "origin_certificate": {"number": "CO-JP-1", "country": "JP", "maker": "ZOOM.T Kyoto Plant",
                           "issued_on": "2025-03-01", "quantity": 500},
    "inspection_certificate": {"number": "CIQ1", "result": "conform", "issued_on": "2025-03-20", "quantity": 500},
    "transport_document": {"kind": "bill_of_lading", "number": "BL1", "shipped_on": "2025-03-05", "quantity": 500},
    "declaration": {"number": "D1", "declared_on": "2025-03-18", "quantity": 500},
}


def _rec(**kw: Any) -> ProvenanceRecord:
    base: dict[str, Any] = {"id": "V1", "brand": "BETTA", "label_maker": "ZOOM.T Kyoto Plant",
                            "importer": "ZOOM.T China Trading Co. Ltd", "barcode": "4560283001234", **FULL_PAPERS}
    base.update(kw)
    return ProvenanceRecord.model_validate(base)


@pytest.fixture
def checker(registry: Registry) -> ProvenanceChecker:
    return ProvenanceChecker(registry, today=TODAY)


def test_genuine_goods_through_the_authorised_importer(checker: ProvenanceChecker) -> None:
    res = checker.check(_rec())
    assert res.verdict is Verdict.GENUINE_AUTHORISED
    assert {c.name: c.status.value for c in res.checks}["barcode_owner"] == "pass"


def test_genuine_goods_through_another_importer_are_a_parallel_import_not_a_fake(checker: ProvenanceChecker) -> None:
    res = checker.check(_rec(importer="Shanghai Grey Goods Co. Ltd", purchase_receipts=["RC-1"]))
    assert res.verdict is Verdict.PARALLEL_IMPORT
    assert any("not a counterfeit" in r for r in res.reasons)


def test_the_betta_pattern_is_a_covert_counterfeit_despite_complete_papers(checker: ProvenanceChecker) -> None:
    papers = {**FULL_PAPERS, "origin_certificate": {**FULL_PAPERS["origin_certificate"],
                                                    "maker": "Osaka Premier Manufacturing KK"}}
    res = checker.check(_rec(brand="贝塔", label_maker="Osaka Premier Manufacturing KK", barcode="4901234567894",
                             importer="Yisais Trading Co. Ltd",
                             local_registration={"number": "CN12345678", "holder": "Yisais Trading Co. Ltd",
                                                 "mark_text": "贝塔", "jurisdiction": "CN"}, **papers))
    assert res.verdict is Verdict.COVERT_COUNTERFEIT
    text = " ".join(res.reasons)
    assert "not by the home-register owner ZOOM.T Co. Ltd" in text
    assert "GS1 prefix" in text or "authorised makers" in text


def test_an_unauthorised_maker_without_a_local_right_is_a_counterfeit(checker: ProvenanceChecker) -> None:
    res = checker.check(_rec(label_maker="Guangzhou Copy Factory", barcode="6901234567892"))
    assert res.verdict is Verdict.COUNTERFEIT


def test_too_little_paper_is_insufficient_evidence(checker: ProvenanceChecker) -> None:
    res = checker.check(ProvenanceRecord(id="V9", brand="BETTA"))
    assert res.verdict is Verdict.INSUFFICIENT_EVIDENCE
    assert res.reasons


def test_dates_and_quantities_are_compared_across_the_documents(checker: ProvenanceChecker) -> None:
    papers = {**FULL_PAPERS,
              "transport_document": {**FULL_PAPERS["transport_document"], "quantity": 800},
              "declaration": {**FULL_PAPERS["declaration"], "declared_on": "2025-03-01"}}
    res = checker.check(_rec(**papers))
    consistency = next(c for c in res.checks if c.name == "documents_consistent")
    assert consistency.status.value == "fail"
    assert "quantities differ" in consistency.detail and "before shipment" in consistency.detail
    assert res.verdict is Verdict.INSUFFICIENT_EVIDENCE  # genuine-looking goods, disagreeing papers: verify


def test_an_expired_authorisation_letter_does_not_authorise(checker: ProvenanceChecker) -> None:
    letter = {"issuer": "ZOOM.T Co. Ltd", "authorised": "Tmall Import Partner Ltd", "valid_until": "2024-12-31"}
    res = checker.check(_rec(importer="Tmall Import Partner Ltd", authorisation_letter=letter))
    assert res.verdict is Verdict.PARALLEL_IMPORT
    assert any("expired" in r for r in res.reasons)


def test_every_verdict_on_the_simulated_covert_and_parallel_actors(world: Path) -> None:
    registry = registry_from_files([world / "registry"])
    records = read_models(world / "provenance.jsonl", record_from_dict)
    truth = {r["id"]: r["verdict"] for r in csv.DictReader((world / "truth" / "provenance.csv").open(encoding="utf-8"))}
    checker = ProvenanceChecker(registry, today=TODAY)
    got = {r.id: checker.check(r).verdict.value for r in records}
    assert set(truth.values()) == {v.value for v in Verdict}  # the world exercises every class
    per_class = Counter(truth.values())
    right = Counter(v for k, v in truth.items() if got[k] == v)
    for verdict, n in per_class.items():
        assert right[verdict] / n >= 0.9, (verdict, right[verdict], n)


def test_bad_records_are_rejected_with_file_line_and_field(tmp_path: Path) -> None:
    from bordermark.marks.io import InputRejected

    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "V1", "brand": "X"}\n{"id": "V2", "colour": "red"}\nnot json\n', encoding="utf-8")
    with pytest.raises(InputRejected) as exc:
        read_models(path, record_from_dict)
    msgs = [str(p) for p in exc.value.problems]
    assert any(":2: colour:" in m for m in msgs)
    assert any(":3: line:" in m for m in msgs)
