"""Chinese sound matching: a registered Chinese name is found when written with other characters of the same sound.

Sellers write 古驰 as 古池, 香奈儿 as 香奈尔, or with a southern-accent near-homophone (zh/z, ch/c, sh/s, n/l, -ng/-n).
Each character's readings come from pypinyin (all heteronyms, toneless) and are cached per character.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("f", "h"), ("r", "l"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"), ("iang", "ian"), ("uang", "uan"))


def fuzzy_syllable(s: str) -> str:
    """Collapse the distinctions that many speakers do not make, so near-homophones share one form."""
    for a, b in _FUZZY_INITIALS:
        if s.startswith(a):
            s = b + s[len(a):]
            break
    for a, b in _FUZZY_FINALS:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


@lru_cache(maxsize=65536)
def readings(ch: str) -> frozenset[str]:
    """All toneless readings of one character (empty for non-Chinese characters)."""
    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return frozenset(r for group in got for r in group if r.isalpha() and r.isascii())


@lru_cache(maxsize=65536)
def fuzzy_readings(ch: str) -> frozenset[str]:
    return frozenset(fuzzy_syllable(r) for r in readings(ch))


def name_syllables(name: str) -> tuple[str, ...] | None:
    """The reading of a registered name in context (pypinyin picks the reading of heteronyms from the word)."""
    syl = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    return tuple(syl) if len(syl) == len(name) and all(s.isascii() and s.isalpha() for s in syl) else None


HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")


@lru_cache(maxsize=1)
def word_list() -> frozenset[str]:
    """Chinese words of two or more characters, from the dictionary shipped with jieba (~340k entries).

    Used as a cheap segmentation test: a sound-alike of a brand that straddles a dictionary word's boundary is
    most likely two ordinary words side by side.
    """
    from importlib import resources

    words: set[str] = set()
    with resources.files("jieba").joinpath("dict.txt").open(encoding="utf-8") as f:
        for line in f:
            word = line.split(" ", 1)[0]
            if len(word) >= 2:
                words.add(word)
    return frozenset(words)
