"""Every normalisation of the matching view, with the offset map checked against the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bordermark.detect.normalise import collapse_repeats, fast_view, key, offsets, view_with_offsets


def span_of(text: str, word: str) -> str:
    """The original characters behind ``word`` in the view of ``text``."""
    w, starts, ends = view_with_offsets(text)
    i = w.index(f" {word} ") + 1
    return text[starts[i]:ends[i + len(word) - 1]]


@pytest.mark.parametrize(
    ("text", "view_word"),
    [
        ("ＧＵＣＣＩ", "gucci"),  # full-width forms (NFKC)
        ("𝐆𝐮𝐜𝐜𝐢", "gucci"),  # mathematical bold
        ("𝔾𝕌ℂℂ𝕀", "gucci"),  # double-struck, with ℂ from Letterlike Symbols
        ("GuCCi", "gucci"),  # case folding
        ("Сhаnеl", "chanei"),  # Cyrillic С а е: confusables skeleton (l and i share a prototype)
        ("ΗΕRΜΕS", "hermes"),  # Greek capitals
        ("Gu\u200bc\u200dci", "gucci"),  # zero-width space and joiner inside the word
        ("Guc\u00adci", "gucci"),  # soft hyphen
        ("HERME\u0301S", "hermes"),  # combining accent
        ("HERMÈS", "hermes"),  # precomposed accent
        ("Ⓖⓤⓒⓒⓘ", "gucci"),  # circled letters
        ("🇬🇺🇨🇨🇮", "gucci"),  # regional-indicator emoji letters
        ("🅶🆄🅲🅲🅸", "gucci"),  # negative squared emoji letters
        ("L0uis", "iouis"),  # leetspeak digit, and l -> i
        ("Ch@nel", "chanei"),  # leetspeak symbol
        ("r3p1ica", "repiica"),
        ("DRINS7!X", "drinstix"),  # a run of leet characters between letters
        ("RoIex", "roiex"),  # capital I for l
        ("Ro|ex", "roiex"),
    ],
)
def test_each_disguise_folds_and_maps_back(text: str, view_word: str) -> None:
    assert fast_view(text) == f" {view_word} "
    assert span_of(text, view_word) == text  # the whole original, zero-width characters included


def test_separators_collapse_and_map_to_their_run() -> None:
    text = "Gucci -- bag, new"
    w, starts, ends = view_with_offsets(text)
    assert w == " gucci bag new "
    sep = w.index(" bag")
    assert text[starts[sep]:ends[sep]] == " -- "
    assert span_of(text, "bag") == "bag"


def test_symbols_do_not_glue_to_words() -> None:
    assert fast_view("GUCCI™ bag") == " gucci bag "
    assert fast_view("Gucci! 👜") == " gucci "  # a lone ! after a word is punctuation, not an i


def test_digits_stay_digits_away_from_letters() -> None:
    assert fast_view("size 1:1, 100 pcs") == " size 1 1 100 pcs "


def test_chinese_spacing_is_removed_between_han_characters_only() -> None:
    text = "高 仿·香奈儿 bag"
    assert fast_view(text) == " 高仿香奈儿 bag "
    assert span_of(text, "高仿香奈儿") == "高 仿·香奈儿"


def test_visually_similar_han_and_kana_fold_to_the_registered_character() -> None:
    assert fast_view("劳カ士") == fast_view("劳力士")  # katakana KA looks like 力 (Unicode confusables)
    assert fast_view("古弛") == fast_view("古驰")  # 形近字 data file


def test_key_and_repeats() -> None:
    assert key("Louis Vuitton") == "iouis vuitton"
    assert collapse_repeats("guuuccci") == "guci"


def test_expanding_characters_take_the_slow_path_with_correct_offsets() -> None:
    text = "Straße ﬁne"
    w, starts, ends = offsets(text)
    assert w == " strasse fine "
    i = w.index("fine")
    assert text[starts[i]:ends[i + 3]] == "ﬁne"


ALPHABET = list("abcXYZ -.,!@10l|香奈儿高仿·\u200bＧ𝐆é\u0301ßﬁ:：、，\t\n👜_$5ΗС")
LATIN = list("abcXYZ -.,!@10l|\t\n_$5:é𝐆Ｇ")


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(ALPHABET), max_size=30), st.lists(st.sampled_from(LATIN), max_size=30))
       .map("".join))
def test_fast_paths_agree_with_the_reference(text: str) -> None:
    w, starts, ends = view_with_offsets(text)
    assert fast_view(text) == w
    w2, s2, e2 = offsets(text)
    assert w2 == w
    assert [s2[i] for i in range(len(w))] == starts
    assert [e2[i] for i in range(len(w))] == ends
    assert all(0 <= a <= b <= len(text) for a, b in zip(starts, ends, strict=True))
