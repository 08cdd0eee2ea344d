from __future__ import annotations

from bordermark.marks.text import dominant, same_skeleton, skeleton, skeleton_keys


def test_skeleton_reads_homoglyphs_digits_and_letter_pairs_as_what_they_imitate() -> None:
    assert skeleton("Вetta") == skeleton("betta")  # Cyrillic В
    assert same_skeleton(skeleton("N1KE"), skeleton("nike"))
    assert skeleton("ZOK0VA") == skeleton("zokova")
    assert skeleton("RNUJI") == skeleton("MUJI")


def test_a_stroke_imitates_i_and_l_but_capital_i_and_l_stay_apart() -> None:
    assert same_skeleton(skeleton("BE1SI"), skeleton("BELSI"))
    assert same_skeleton(skeleton("VABAL1"), skeleton("VABALI"))
    assert same_skeleton(skeleton("BA11"), skeleton("BALL"))
    assert not same_skeleton(skeleton("BEISI"), skeleton("BELSI"))  # in capitals I and L are different letters
    assert not same_skeleton(skeleton("XINI"), skeleton("XINLI"))
    assert skeleton("belsi") in skeleton_keys(skeleton("BE1SI"))


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
