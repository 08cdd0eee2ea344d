from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from bordermark.domain.records import TrademarkFiling
from bordermark.domain.rights import Alias, AliasKind, Mark, Registry
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


def test_scope_an_ordinary_mark_is_reached_by_copies_a_famous_one_by_imitations_on_any_goods(
        registry: Registry) -> None:
    watch = SquatWatch(registry)
    report = watch.run([
        _filing("F1", "PUMAS", "Pumas Textile Ltd", (25,)),  # resembles the ordinary PUMA: a notice
        _filing("F2", "PUMA KIDS", "Someone Else Ltd", (25,)),  # the ordinary mark with a generic word: a squat
        _filing("F3", "JORDAN", "Someone Else Ltd", (33,)),  # the famous mark reproduced on unrelated goods
        _filing("F4", "JORDEN", "Someone Else Ltd", (33,)),  # ... or imitated
        _filing("F5", "JARDIN", "Someone Else Ltd", (33,)),  # not even similar
    ])
    alerted = {a.filing.id for a in report.alerts}
    noticed = {a.filing.id: a for a in report.notices}
    assert alerted == {"F2", "F3", "F4"}
    assert set(noticed) == {"F1"}
    assert any("ordinary" in r for r in noticed["F1"].reasons)
    assert noticed["F1"].to_dict()["notice"] is True
    assert watch.check(_filing("F1", "PUMAS", "Pumas Textile Ltd", (25,))) is None


def test_a_holder_filing_its_own_registered_name_is_no_squat_even_beside_a_similar_mark() -> None:
    registry = Registry(marks=[
        Mark(holder="Telor SA", text="TELOR", nice_classes=(5,),
             aliases=(Alias(text="特奥", kind=AliasKind.TRANSLITERATION),)),
        Mark(holder="Telau Ltd", text="TELAU", nice_classes=(5,)),
    ])
    watch = SquatWatch(registry)
    assert watch.check(_filing("F1", "特奥", "Telor SA", (5,))) is None
    assert watch.check(_filing("F2", "特奥", "Someone Else Ltd", (5,))) is not None
