from __future__ import annotations

from bordermark.domain.rights import Registry
from bordermark.marks.goods import goods_similarity
from bordermark.marks.similarity import compare_mark, compare_texts


def test_dominant_element_makes_an_added_generic_word_confusing() -> None:
    for earlier, later in (("Betta", "Betta Baby"), ("MUJI", "MUJI Home")):
        c = compare_texts(earlier, later, [10], [10])
        assert c.confusing
        assert "dominant element" in c.components["appearance"].detail
        assert "generic" in c.explanation


def test_transliteration_is_confusing_across_scripts_without_any_alias() -> None:
    jordan = compare_texts("JORDAN", "乔丹", [25], [25])
    tesla = compare_texts("TESLA", "特斯拉", [12], [12])
    assert jordan.confusing and tesla.confusing
    assert jordan.components["appearance"].score == 0.0
    assert "across scripts" in jordan.components["sound"].detail
    assert not compare_texts("TESLA", "乔丹", [25], [25]).confusing


def test_meaning_comes_from_a_registered_translation(registry: Registry) -> None:
    muji = registry.marks[2]
    c = compare_mark(muji, "无印良品", [20])
    assert c.confusing
    assert c.components["meaning"].score > 0.9
    assert "translation" in c.components["meaning"].detail
    bare = compare_texts("MUJI", "无印良品", [20], [20])
    assert not bare.confusing  # without the registry's translation there is nothing to go on


def test_goods_weigh_in_and_fame_reaches_across_classes() -> None:
    same = compare_texts("ROLEX", "ROLEKS", [14], [14])
    unrelated = compare_texts("ROLEX", "ROLEKS", [14], [31])
    famous = compare_texts("ROLEX", "ROLEKS", [14], [31], a_famous=True)
    assert same.confusing and not unrelated.confusing
    assert unrelated.score < same.score
    assert famous.score > unrelated.score and famous.components["fame"].score == 1.0
    assert goods_similarity([18], [25]).relation == "related"
    assert goods_similarity([35], [25]).relation == "unrelated"


def test_look_alike_characters_and_digits_count_as_appearance() -> None:
    han = compare_texts("乔丹", "桥丹", [25], [25])
    latin = compare_texts("NIKE", "N1KE", [25], [25])
    assert han.confusing and "look-alike characters" in han.components["appearance"].detail
    assert latin.confusing and latin.components["appearance"].score < 1.0


def test_scores_rank_below_identity_and_every_component_is_explained() -> None:
    identical = compare_texts("CHANEL", "CHANEL", [3], [3])
    close = compare_texts("CHANEL", "CHANNEL", [3], [3])
    far = compare_texts("CHANEL", "TESLA", [3], [3])
    assert identical.score == 1.0 > close.score > far.score
    assert not far.confusing
    d = close.to_dict()
    assert set(d) == {"score", "confusing", "components", "explanation"}
    assert set(d["components"]) == {"appearance", "sound", "meaning", "goods", "fame"}
    assert all("score" in v and "detail" in v for v in d["components"].values())
