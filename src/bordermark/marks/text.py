"""Text forms of a mark for comparison: visual skeleton, generic words set aside, script, look-alike Han characters.

Why a skeleton: examiners compare what the eye sees, so ``B3TTA``, ``Вetta`` (Cyrillic В) and ``betta`` must
compare as one. Why generic words: "Betta Baby" and "MUJI Home" keep the earlier mark as their dominant element;
the added descriptive word does not distinguish them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

# 1, ! and | imitate both I and l; they become the wildcard STROKE (see skeleton), every other swap one letter.
STROKE = "ı"
_LEET = str.maketrans({"0": "o", "1": STROKE, "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "@": "a",
                       "!": STROKE, "|": STROKE, "€": "e", "8": "b"})
_STROKE_AS_I = str.maketrans({STROKE: "i"})

# Latin letter pairs that read as one letter at a glance (a squatter's favourite).
_VISUAL_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))

_GENERIC_LATIN_WORDS = """
baby babies kids kid child children home house official store shop shops brand brands japan japanese china chinese
usa america american international intl group co company ltd limited inc corp corporation llc gmbh sa ag the and
plus pro sport sports style life living beauty cosmetic cosmetics fashion collection original originals premium
classic new mini care health tech technology products product goods trading import imports global world online
mall outlet factory direct genuine maternity mom mother infant studio design lab labs city club boutique
hk paris london milano italia france uk eu
"""
GENERIC_LATIN = frozenset(_GENERIC_LATIN_WORDS.split())

# Longest first, so 有限公司 goes before 公司.
_GENERIC_HAN_WORDS = """
宝宝 婴儿 母婴 儿童 童装 家居 生活 官方 旗舰店 旗舰 专柜 专卖店 商城 中国 日本 美国 国际
集团 有限公司 公司 科技 贸易 品牌 正品 家 店 牌 馆 屋 坊 堂
"""
GENERIC_HAN = tuple(sorted(_GENERIC_HAN_WORDS.split(), key=len, reverse=True))

# Han characters an ordinary buyer mistakes for one another, grouped; each maps to the group's first member.
_HAN_LOOKALIKE_GROUPS = (
    "乔桥侨荞", "丹册舟", "奈柰", "驰弛施", "仕什", "士土干", "迪廸", "达込", "斯欺", "克兑充", "特持侍",
    "拉垃啦", "良艮", "印卬", "无天元", "王玉主", "大太犬", "己已巳", "未末", "日曰", "人入八", "刀力", "千于",
    "鸟乌", "戊戌戍", "贝见", "田由甲申", "木术本", "白百自", "爱受", "马乌", "苹萍", "果呆", "香沓",
    "古吉", "耐而", "阿啊", "丰丯", "品吅", "雅稚", "娇骄", "兰芝", "蔻寇", "诗待", "黛袋",
)
HAN_LOOKALIKE: dict[str, str] = {ch: group[0] for group in _HAN_LOOKALIKE_GROUPS for ch in group}

# Capital letters that differ by a tick. I and L are not among them: in capitals they are different letters
# (BELSI is not BEISI); only a stroke (1 ! |) or a lowercase l passed off as a capital I imitates both.
_CAPITAL_LOOKALIKES = str.maketrans({"v": "u", "f": "e", "g": "c", "q": "o"})

_NON_WORD = re.compile(r"[^0-9a-z\u0131\u3400-\u9fff\s]+")
_SPACES = re.compile(r"\s+")


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def has_han(text: str) -> bool:
    return any(is_han(c) for c in text)


def has_latin(text: str) -> bool:
    return any("a" <= c <= "z" for c in text.casefold())


@lru_cache(maxsize=4096)
def _latin_homoglyph(ch: str) -> str:
    """The Latin letter a non-Latin character impersonates (Cyrillic р -> p), else the character itself."""
    if ch.isascii() or is_han(ch):
        return ch
    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=False)
    if found:
        for glyph in found[0]["homoglyphs"]:
            c = glyph["c"]
            if len(c) == 1 and c.isascii() and c.isalnum():
                return c.lower()
    return ch


def fold(text: str) -> str:
    """NFKC, casefold and accents removed: the form in which spelling differences that nobody hears vanish."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Folded words with homoglyphs and digit-for-letter swaps undone; punctuation becomes a word break."""
    # homoglyphs before casefolding: Cyrillic В imitates B, its lowercase в imitates nothing
    folded = fold("".join(_latin_homoglyph(c) for c in unicodedata.normalize("NFKC", text)))
    # leetspeak only inside words that also contain letters, so "Chanel No 5" keeps its 5
    tokens = []
    for raw in re.split(r"[\s\-_/.,+&·・]+", folded):
        if not raw:
            continue
        if any(c.isalpha() for c in raw):
            raw = raw.translate(_LEET)
        raw = _NON_WORD.sub("", raw)
        if raw:
            tokens.append(raw)
    return tuple(tokens)


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """One string of what the eye reads: words joined, look-alike letter pairs and Han characters canonicalised."""
    s = "".join(words(text))
    for pair, single in _VISUAL_PAIRS:
        s = s.replace(pair, single)
    s = s.translate(_CAPITAL_LOOKALIKES)  # U/V, E/F, G/C, Q/O differ by a tick
    s = re.sub(r"(.)\1+", r"\1", s)  # doubled letters are barely seen: "bettta" ~ "betta"
    return "".join(HAN_LOOKALIKE.get(c, c) for c in s)


def as_letters(text: str) -> str:
    """``text`` with the stroke wildcard read as the letter i (for sound and for word lists)."""
    return text.translate(_STROKE_AS_I)


def same_skeleton(a: str, b: str) -> bool:
    """Skeletons equal, a stroke (1 ! |) standing for I or l: B3LSI and BE1SI both copy BELSI, BEISI does not."""
    if a == b:
        return True
    if STROKE not in a and STROKE not in b:
        return False
    return re.fullmatch(_stroke_pattern(a), b) is not None or re.fullmatch(_stroke_pattern(b), a) is not None


def _stroke_pattern(s: str) -> str:
    # doubled letters were collapsed, so a stroke next to an l or i may stand for a letter already there
    return "".join("[il]?" if c == STROKE else re.escape(c) for c in s)


def skeleton_keys(s: str) -> tuple[str, ...]:
    """The skeletons a stroke-bearing skeleton may copy (for exact lookups); a few at most."""
    if STROKE not in s:
        return (s,)
    keys = [""]
    for c in s:
        keys = [k + r for k in keys for r in (("i", "l", "") if c == STROKE else (c,))]
        if len(keys) > 64:
            break
    return tuple(dict.fromkeys(re.sub(r"(.)\1+", r"\1", k) for k in keys))


def plain(text: str) -> str:
    """Folded letters and digits only, nothing canonicalised; used to tell an exact copy from a look-alike."""
    return "".join(c for c in fold(text) if c.isalnum())


@lru_cache(maxsize=65536)
def dominant(text: str) -> tuple[str, tuple[str, ...]]:
    """The mark with generic words set aside, and the generic words found.

    Returns the text unchanged when it is made of generic words only (then nothing dominates).
    """
    toks = words(text)
    kept: list[str] = []
    dropped: list[str] = []
    for tok in toks:
        if tok in GENERIC_LATIN:
            dropped.append(tok)
            continue
        if tok in GENERIC_HAN:
            dropped.append(tok)
            continue
        if has_han(tok):
            rest = tok
            for g in GENERIC_HAN:
                if g in rest and rest.replace(g, ""):
                    rest = rest.replace(g, "")
                    dropped.append(g)
            tok = rest
        kept.append(tok)
    if not kept:
        return " ".join(toks), ()
    return " ".join(kept), tuple(dropped)
