"""The dictionary dimension: CC-CEDICT's glosses as names for Chinese signs, and their use in similarity and search."""

from __future__ import annotations

from datetime import date

import pytest

from bordermark.domain.records import TrademarkFiling
from bordermark.domain.rights import Mark, Registry
from bordermark.marks.dictionary import (
    COMPOSED,
    FULL,
    build_index,
    gloss_name,
    match,
    names_for,
    segment,
)
from bordermark.marks.index import MarkIndex
from bordermark.marks.similarity import EarlierMark, SimilarityConfig, compare_texts
from bordermark.marks.watch import SquatWatch

# Entries written the way CC-CEDICT writes them (capitalised pinyin marks a proper noun).
ENTRIES = [
    {"simplified": "奔驰", "traditional": "奔馳", "pinyin": "Ben1 chi2",
     "definitions": ["Benz (name)", "Mercedes-Benz, German car maker"]},
    {"simplified": "奔驰", "traditional": "奔馳", "pinyin": "ben1 chi2",
     "definitions": ["to run quickly", "to speed", "to gallop"]},
    {"simplified": "爱马仕", "traditional": "愛馬仕", "pinyin": "Ai4 ma3 shi4", "definitions": ["Hermès (brand)"]},
    {"simplified": "欧莱雅", "traditional": "歐萊雅", "pinyin": "Ou1 lai2 ya3",
     "definitions": ["L'Oréal (French cosmetics company)"]},
    {"simplified": "特斯拉", "traditional": "特斯拉", "pinyin": "Te4 si1 la1",
     "definitions": ["Nikola Tesla (1856-1943), Serbian inventor and engineer"]},
    {"simplified": "特斯拉", "traditional": "特斯拉", "pinyin": "te4 si1 la1", "definitions": ["tesla (unit)"]},
    {"simplified": "汤米", "traditional": "湯米", "pinyin": "Tang1 mi3", "definitions": ["Tommy (name)"]},
    {"simplified": "希尔费格", "traditional": "希爾費格", "pinyin": "Xi1 er3 fei4 ge2",
     "definitions": ["Hilfiger (name)"]},
    {"simplified": "苹果", "traditional": "蘋果", "pinyin": "ping2 guo3", "definitions": ["apple"]},
    {"simplified": "康乐", "traditional": "康樂", "pinyin": "Kang1 le4", "definitions": ["Kangle (place name)"]},
]
INDEX = build_index(ENTRIES)


@pytest.mark.parametrize(("gloss", "proper", "name"), [
    ("Hermès (brand)", True, "Hermes"),
    ("L'Oréal (French cosmetics company)", True, "L'Oreal"),
    ("Nike, Inc.", True, "Nike"),
    ("Nikola Tesla (1856-1943), Serbian inventor and engineer", True, "Nikola Tesla"),
    ("to run quickly", False, None),
    ("to run quickly", True, None),  # lower-case words are no name, even in a proper-noun entry
    ("tesla (unit)", False, None),
    ("apple", False, None),
    ("see 奔馳|奔驰[Ben1 chi2]", True, None),
])
def test_gloss_names_are_names_and_never_ordinary_words(gloss: str, proper: bool, name: str | None) -> None:
    assert gloss_name(gloss, proper) == name


def test_the_index_keeps_names_only_under_both_scripts() -> None:
    assert INDEX["奔驰"] == ("Benz", "Mercedes-Benz")
    assert INDEX["奔馳"] == INDEX["奔驰"]
    assert INDEX["特斯拉"] == ("Nikola Tesla",)
    assert "苹果" not in INDEX
    assert "康乐" not in INDEX  # its gloss is only its own pinyin: no foreign name, sound hears it already


def test_false_friend_run_quickly_gives_no_mark() -> None:
    glosses = names_for("奔驰", INDEX)
    assert match(glosses, "RUN") is None
    assert match(glosses, "SPEED") is None
    benz = match(glosses, "BENZ")
    assert benz is not None and benz.score == FULL
    assert benz.detail == "CC-CEDICT glosses 奔驰 as Benz"
    assert match(glosses, "MERCEDES-BENZ") is not None


def test_a_surname_or_brand_word_of_a_longer_gloss_is_partial_evidence() -> None:
    tesla = match(names_for("特斯拉", INDEX), "TESLA")
    assert tesla is not None and 0.85 <= tesla.score < FULL
    assert match(names_for("特斯拉", INDEX), "NIKOLA") is not None
    assert match(names_for("爱马仕", INDEX), "HERMES") is not None
    assert match(names_for("欧莱雅", INDEX), "L'OREAL") is not None


def test_a_long_name_is_segmented_and_its_parts_glosses_put_together() -> None:
    assert segment("汤米希尔费格", INDEX) == ["汤米", "希尔费格"]
    m = match(names_for("汤米希尔费格", INDEX), "TOMMY HILFIGER")
    assert m is not None and m.score == COMPOSED
    part = match(names_for("汤米希尔费格", INDEX), "TOMMY")
    assert part is not None and part.score < COMPOSED  # one part explains only a third of the sign


# With the real dictionary (loaded once per process, ~2 s).

def test_meaning_dimension_explains_in_words_with_cc_cedict() -> None:
    c = compare_texts("JORDAN", "乔丹")
    assert c.components["meaning"].score >= 0.95
    assert "CC-CEDICT glosses 乔丹 as Jordan" in c.explanation
    assert c.confusing
    jaguar = compare_texts("JAGUAR", "捷豹")  # not a transliteration one hears: only the dictionary knows it
    assert jaguar.components["meaning"].score >= 0.95
    assert jaguar.components["sound"].score < 0.8


def test_the_false_friend_gets_no_meaning_from_the_real_dictionary() -> None:
    assert compare_texts("RUN", "奔驰").components["meaning"].score == 0.0
    assert compare_texts("TO RUN QUICKLY", "奔驰").components["meaning"].score == 0.0
    assert compare_texts("BENZ", "奔驰").components["meaning"].score >= 0.95


def test_the_dictionary_can_be_switched_off_for_a_sound_only_judgement() -> None:
    off = compare_texts("JORDAN", "乔丹", config=SimilarityConfig(dictionary=False))
    assert off.components["meaning"].score == 0.0
    assert off.components["sound"].score > 0.5  # sound still hears qiao-dan as Jordan


def _decoys() -> list[str]:
    return ["JIEBO", "JEBAO", "CHIEBAU", "GEBOW", "JAPAU", "GIBBO", "SHEBAO", "JEEBOW", "TIDE", "SPEE", "LEEHIS"]


def test_search_ranks_the_dictionary_name_first_among_sound_alikes() -> None:
    texts = [*_decoys(), "JAGUAR", "SPRITE", "LUX"]
    index = MarkIndex((f"M{i}", EarlierMark(t)) for i, t in enumerate(texts))
    for han, lat in (("捷豹", "JAGUAR"), ("雪碧", "SPRITE")):
        top = index.search(han, limit=3)[0]
        assert top.mark == lat
        assert "CC-CEDICT" in top.comparison.components["meaning"].detail
    sound_only = index.search("捷豹", limit=3, config=SimilarityConfig(dictionary=False))
    assert all(c.comparison.components["meaning"].score == 0.0 for c in sound_only)


def test_squat_watch_raises_a_dictionary_name_of_a_famous_mark() -> None:
    registry = Registry(marks=(Mark(holder="Jaguar Land Rover Ltd", text="JAGUAR", nice_classes=(12,), famous=True),
                               Mark(holder="Somebody Ltd", text="JEBAO", nice_classes=(12,))))
    filing = TrademarkFiling(id="F1", mark_text="捷豹", applicant="Jiebao Auto Co. Ltd", country="CN",
                             nice_classes=(12,), filed_on=date(2024, 1, 1), status="filed")
    report = SquatWatch(registry).run([filing])
    assert [a.filing.id for a in report.alerts] == ["F1"]
    assert report.alerts[0].candidates[0].mark == "JAGUAR"
