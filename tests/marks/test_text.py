from __future__ import annotations

from bordermark.marks.text import dominant, skeleton


def test_skeleton_reads_homoglyphs_digits_and_letter_pairs_as_what_they_imitate() -> None:
    assert skeleton("Вetta") == skeleton("betta")  # Cyrillic В
    assert skeleton("N1KE") == skeleton("nike")
    assert skeleton("ZOK0VA") == skeleton("zokova")
    assert skeleton("RNUJI") == skeleton("MUJI")


def test_skeleton_maps_look_alike_han_characters_to_one_form() -> None:
    assert skeleton("桥丹") == skeleton("乔丹")
    assert skeleton("乔册") == skeleton("乔丹")
    assert skeleton("耐克") != skeleton("乔丹")


def test_dominant_sets_generic_words_aside_in_both_scripts() -> None:
    assert dominant("Betta Baby") == ("betta", ("baby",))
    assert dominant("MUJI Home") == ("muji", ("home",))
    assert dominant("Betta宝宝")[0] == "betta"
    assert dominant("官方 VIKA")[0] == "vika"
    assert dominant("Baby Home") == ("baby home", ())  # nothing but generic words: nothing set aside
