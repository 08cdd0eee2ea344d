from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from bordermark.domain.records import TrademarkFiling
from bordermark.domain.rights import Registry
from bordermark.marks.index import MarkIndex
from bordermark.marks.io import read_models
from bordermark.marks.registry_files import registry_from_files
from bordermark.marks.watch import SquatWatch, party_key
from bordermark.registry import service
from bordermark.store import Store


def _filing(fid: str, text: str, applicant: str, classes: tuple[int, ...] = (25,)) -> TrademarkFiling:
    return TrademarkFiling(id=fid, mark_text=text, applicant=applicant, country="CN", nice_classes=classes,
                           filed_on=date(2024, 1, 1), status="filed")


def test_retrieval_proposes_the_mark_before_any_scoring(registry: Registry) -> None:
    index = MarkIndex.from_marks(registry.marks)
    ids = {m.text: m.id for m in registry.marks}
    assert ids["JORDAN"] in index.retrieve("乔丹")
    assert ids["BETTA"] in index.retrieve("Betta Baby")
    assert ids["MUJI"] in index.retrieve("无印良品")


def test_squats_alert_and_holders_and_licensees_do_not(registry: Registry) -> None:
    watch = SquatWatch(registry)
    report = watch.run([
        _filing("F1", "乔丹", "Qiaodan Sports Co. Ltd"),
        _filing("F2", "JORDAN", "Nike Innovate CV"),  # the holder itself
        _filing("F3", "JORDAN KIDS", "Jordan Brand China Ltd"),  # its licensee
        _filing("F4", "Betta Baby", "Yisais Trading Co., Ltd.", (10,)),
        _filing("F5", "GRANOLA", "Nobody Ltd", (30,)),
    ])
    ids = [a.filing.id for a in report.alerts]
    assert sorted(ids) == ["F1", "F4"]
    f1 = next(a for a in report.alerts if a.filing.id == "F1")
    assert f1.candidates[0].mark == "JORDAN"
    assert any("neither the holder nor an authorised party" in r for r in f1.reasons)
    assert [a.score for a in report.alerts] == sorted((a.score for a in report.alerts), reverse=True)
    d = f1.to_dict()
    assert {"filing_id", "score", "reasons", "candidates"} <= set(d)
    assert {"mark_id", "mark", "score"} <= set(d["candidates"][0])


def test_an_applicant_filing_several_famous_look_alikes_is_flagged(registry: Registry) -> None:
    watch = SquatWatch(registry)
    report = watch.run([_filing("F1", "乔丹", "Zhang Wei"), _filing("F2", "MUJI HOME", "ZHANG WEI", (20,)),
                        _filing("F3", "Betta Baby", "Li Na", (10,))])
    assert [f.applicant for f in report.applicants] == ["Zhang Wei"]
    flagged = {a.filing.id: a.applicant_flagged for a in report.alerts}
    assert flagged == {"F1": True, "F2": True, "F3": False}


def test_party_key_ignores_legal_forms_and_punctuation() -> None:
    assert party_key("Kao Corporation") == party_key("KAO Corp.")
    assert party_key("上海雅贝国际贸易有限公司") == party_key("上海雅贝国际贸易公司")


def test_watch_on_the_simulated_filing_stream_finds_the_squats(world: Path) -> None:
    registry = registry_from_files([world / "registry"])
    filings = read_models(world / "filings.jsonl", TrademarkFiling.model_validate)
    truth = {r["id"]: r for r in csv.DictReader((world / "truth" / "filings.csv").open(encoding="utf-8"))}
    report = SquatWatch(registry).run(filings)
    alerted = {a.filing.id for a in report.alerts}
    squats = {fid for fid, r in truth.items() if r["is_squat"] == "true"}
    assert len(squats & alerted) / len(squats) >= 0.9
    assert len(squats & alerted) / len(alerted) >= 0.7
    holders = {fid for fid, r in truth.items() if r["applicant_kind"] == "holder"}
    assert not holders & alerted
    covert = {r["id"] for r in truth.values() if r["applicant_kind"] == "covert_counterfeiter"}
    assert covert <= alerted


def test_watch_reads_the_registry_from_the_store_on_both_engines(store: Store, world: Path) -> None:
    service.import_files(store, sorted((world / "registry").glob("*.csv")))
    registry = service.load(store)
    famous = next(m for m in registry.marks if m.famous)
    report = SquatWatch(registry).run([_filing("X1", f"{famous.text} HOME", "Some Squatter Ltd",
                                               famous.nice_classes)])
    assert report.alerts and report.alerts[0].candidates[0].mark_id == famous.id
