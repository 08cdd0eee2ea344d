from __future__ import annotations

import pytest

from bordermark.marks.phonetic import near_homophone, phoneme_similarity, phonemes, pinyin_similarity


def _sim(a: str, b: str) -> float:
    return phoneme_similarity(phonemes(a), phonemes(b), 0.5)


@pytest.mark.parametrize(("han", "latin", "other"), [
    ("乔丹", "JORDAN", "TESLA"), ("特斯拉", "TESLA", "JORDAN"), ("阿迪达斯", "ADIDAS", "NIKE"),
    ("耐克", "NIKE", "ADIDAS"), ("香奈儿", "CHANEL", "ROLEX"), ("劳力士", "ROLEX", "CHANEL"),
])
def test_a_transliteration_sounds_closer_to_its_brand_than_to_another(han: str, latin: str, other: str) -> None:
    assert _sim(han, latin) > _sim(han, other) + 0.2


def test_pinyin_and_latin_share_one_alphabet() -> None:
    assert phonemes("特斯拉") == phonemes("Tesla")


def test_near_homophones_collapse_distinctions_many_speakers_do_not_make() -> None:
    assert near_homophone("zhang") == near_homophone("zan")
    assert near_homophone("nai") == near_homophone("lai")
    score, near = pinyin_similarity(("xiang", "nai", "er"), ("xiang", "lai", "er"))
    assert near and score > 0.9
    exact, near = pinyin_similarity(("qiao", "dan"), ("qiao", "dan"))
    assert exact == 1.0 and not near
