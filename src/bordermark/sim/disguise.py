"""How counterfeit sellers write a brand name so that exact matching misses it.

Each function returns the disguised surface form; ``disguise`` picks kinds that make sense for the brand and
the listing's language and records which it used, because the ground truth must say how a name was hidden
(so detection can report recall per disguise kind).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from bordermark.sim import lexicon as lx
from bordermark.sim.brands import Brand

# Latin letter -> look-alikes from other scripts (Cyrillic, Greek, Latin-1 accents).
CONFUSABLES: dict[str, str] = {
    "a": "аα", "c": "сϲ", "e": "еє", "i": "іι", "j": "ј", "o": "оο", "p": "рρ", "s": "ѕ", "x": "хχ", "y": "уγ",
    "A": "АΑ", "B": "ВΒ", "C": "СϹ", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ", "K": "КΚ", "M": "МΜ", "N": "Ν", "O": "ОΟ",
    "P": "РΡ", "T": "ТΤ", "X": "ХΧ", "Y": "ΥҮ", "Z": "Ζ", "S": "Ѕ", "J": "Ј",
}
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff")
LEET: dict[str, tuple[str, ...]] = {"a": ("4", "@"), "e": ("3",), "i": ("1", "!"), "o": ("0",), "s": ("5", "$"),
                                    "t": ("7",), "l": ("1",), "g": ("9",), "b": ("8",)}
SEPARATORS = (" ", ".", "-", "_", "*", "·", " . ", "'")
VOWELS = "aeiouy"

LATIN_KINDS = ("homoglyph", "spacing", "leetspeak", "misspelling", "partial")
ZH_KINDS = ("chinese_nickname", "homophone")


def homoglyph(rng: random.Random, text: str) -> str:
    """Swap one or two letters for another script's look-alike, or hide a zero-width character inside."""
    style = rng.random()
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    if style < 0.15:  # fullwidth forms: ＬＵＸＡＲＡ
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    if style < 0.27:  # mathematical alphanumerics (bold): 𝐋𝐔𝐗
        return "".join(_math_bold(c) for c in text)
    if style < 0.42 and len(text) > 1:  # zero-width characters inside the word
        pos = rng.randint(1, len(text) - 1)
        return text[:pos] + rng.choice(ZERO_WIDTH) + text[pos:]
    swappable = [i for i in letters if chars[i] in CONFUSABLES]
    if not swappable:
        pos = rng.randint(1, max(1, len(text) - 1))
        return text[:pos] + rng.choice(ZERO_WIDTH) + text[pos:]
    for i in rng.sample(swappable, min(len(swappable), rng.choice((1, 1, 2)))):
        chars[i] = rng.choice(CONFUSABLES[chars[i]])
    return "".join(chars)


def _math_bold(c: str) -> str:
    if "A" <= c <= "Z":
        return chr(0x1D400 + ord(c) - ord("A"))
    if "a" <= c <= "z":
        return chr(0x1D41A + ord(c) - ord("a"))
    return c


def spacing(rng: random.Random, text: str) -> str:
    """Break the name with spaces or punctuation: L U X A R A, Lux.ara, L-u-x."""
    compact = text.replace(" ", "")
    if len(compact) < 2:
        return text + "."
    if rng.random() < 0.4:
        return rng.choice((" ", ".", "·", "-")).join(compact)
    pos = rng.randint(1, len(compact) - 1)
    return compact[:pos] + rng.choice(SEPARATORS) + compact[pos:]


def leetspeak(rng: random.Random, text: str) -> str:
    chars = list(text)
    spots = [i for i, c in enumerate(chars) if c.lower() in LEET]
    if not spots:
        return misspelling(rng, text)
    for i in rng.sample(spots, min(len(spots), rng.choice((1, 2)))):
        chars[i] = rng.choice(LEET[chars[i].lower()])
    return "".join(chars)


def misspelling(rng: random.Random, text: str) -> str:
    """Drop, double, swap or change one letter: the typos that keep a name recognisable."""
    for _ in range(10):
        chars = list(text)
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.3 and len(chars) > 4:
            del chars[i]
        elif op < 0.55:
            chars.insert(i, chars[i])
        elif op < 0.8 and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            pool = VOWELS if chars[i].lower() in VOWELS else "bcdfghklmnprstvz"
            repl = rng.choice(pool)
            chars[i] = repl.upper() if chars[i].isupper() else repl
        out = "".join(chars)
        if out.casefold() != text.casefold() and out.strip():
            return out
    return text + text[-1]


def partial(rng: random.Random, text: str) -> str:
    """A part of the name, often with stars for the rest: LUXA**, the first word of a two-word mark."""
    words = text.split()
    if len(words) > 1:  # "JADE CR**": one word alone would be an ordinary word, not a brand reference
        return f"{words[0]} {words[1][: rng.randint(1, 2)]}{rng.choice(('**', '*', '...'))}"
    compact = text.replace(" ", "")
    keep = max(2, min(len(compact) - 1, rng.randint(3, 4)))
    stars = rng.choice(("**", "*", "...", "-", ""))
    return compact[:keep] + stars if stars or keep < len(compact) else compact[:-1]


def homophone(rng: random.Random, brand: Brand) -> str:
    """Replace characters of the Chinese transliteration by others with the same pinyin (古驰 -> 古奇)."""
    chars = list(brand.zh)
    spots = [i for i, py in enumerate(brand.pinyin) if i < len(chars) and len(lx.HANZI.get(py, ())) > 1
             and chars[i] in lx.HANZI[py]]
    for i in rng.sample(spots, min(len(spots), rng.choice((1, 1, 2)))):
        chars[i] = rng.choice([c for c in lx.HANZI[brand.pinyin[i]] if c != chars[i]])
    return "".join(chars)


LATIN_FUNCS: dict[str, Callable[[random.Random, str], str]] = {
    "homoglyph": homoglyph, "spacing": spacing, "leetspeak": leetspeak, "misspelling": misspelling,
    "partial": partial,
}


def can_homophone(brand: Brand) -> bool:
    return bool(brand.zh and brand.pinyin and any(len(lx.HANZI.get(p, ())) > 1 for p in brand.pinyin))


def registered_forms_folded(brand: Brand) -> set[str]:
    return {f.casefold() for f in brand.registered_forms()}


def disguise(rng: random.Random, brand: Brand, zh: bool, stacked: bool) -> tuple[str, list[str]]:
    """Return (surface form, kinds); the surface form never equals a registered form of the brand."""
    forms = registered_forms_folded(brand)
    for _ in range(8):
        options: list[str] = list(LATIN_KINDS)
        if zh:
            if brand.nicknames_unregistered:
                options += ["chinese_nickname"] * 3
            if can_homophone(brand):
                options += ["homophone"] * 4
        kind = rng.choice(options)
        kinds = [kind]
        if kind == "chinese_nickname":
            surface = rng.choice(brand.nicknames_unregistered)
        elif kind == "homophone":
            surface = homophone(rng, brand)
        else:
            surface = LATIN_FUNCS[kind](rng, _latin_case(rng, brand.text))
            if stacked and kind != "spacing":
                second = rng.choice(("spacing", "homoglyph", "leetspeak"))
                if second != kind:
                    surface = LATIN_FUNCS[second](rng, surface)
                    kinds.append(second)
        if surface.casefold() not in forms and surface.strip():
            return surface, kinds
    return misspelling(rng, brand.text) + "x", ["misspelling"]


def _latin_case(rng: random.Random, text: str) -> str:
    r = rng.random()
    return text if r < 0.5 else text.title() if r < 0.85 else text.lower()


def exact_form(rng: random.Random, brand: Brand, zh: bool) -> str:
    """An undisguised registered form: the word mark, or its registered Chinese name in Chinese listings."""
    if zh and brand.zh and rng.random() < 0.6:
        return brand.zh
    if brand.nicknames_registered and rng.random() < 0.15:
        return brand.nicknames_registered[0]
    return _latin_case(rng, brand.text)
