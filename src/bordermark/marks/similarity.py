"""Mark similarity the way an examiner judges it: appearance, sound, meaning, goods and the earlier mark's fame.

Every dimension is a named component with a score and a sentence; the final score is the best of appearance,
sound and meaning (a mark is confusing if it is close in any one of them), nudged up when a second dimension
agrees, then weighted by how close the goods are. A famous earlier mark reaches across classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from bordermark.domain.rights import AliasKind, Mark
from bordermark.marks import dictionary
from bordermark.marks.goods import GoodsResult, goods_similarity
from bordermark.marks.phonetic import han_pinyin, metaphone_key, phoneme_similarity, phonemes, pinyin_similarity
from bordermark.marks.text import as_letters, dominant, has_han, has_latin, plain, same_skeleton, skeleton, words


@dataclass(frozen=True)
class SimilarityConfig:
    """Thresholds and weights; kept together so a benchmark can tune them and the docs can list them."""

    confusing_score: float = 0.85
    confusing_mark: float = 0.85
    goods_factor: dict[str, float] = field(default_factory=lambda: {
        "same": 1.0, "related": 0.87, "unknown": 0.9, "unrelated": 0.45})
    famous_floor: float = 0.9
    alias_discount: float = 0.96
    cross_alias_discount: float = 0.85
    agreement_bonus: float = 0.05
    # CC-CEDICT as the examiner's dictionary for a Chinese sign against a Latin mark (an outside knowledge source);
    # False gives the sound-only judgement (the cross-script benchmark reports both)
    dictionary: bool = True


DEFAULT_CONFIG = SimilarityConfig()


@dataclass(frozen=True)
class Component:
    score: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "detail": self.detail}


@dataclass(frozen=True)
class Comparison:
    score: float
    confusing: bool
    mark_score: float
    components: dict[str, Component]
    explanation: str
    goods: str = "unknown"  # relation of the goods: same | related | unrelated | unknown

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "confusing": self.confusing,
                "components": {k: v.to_dict() for k, v in self.components.items()},
                "explanation": self.explanation}


_NONE = Component(0.0, "")
CROSS_SCRIPT_TAIL = 0.5
CROSS_SCRIPT_SPELLING = 0.15
READINGS = (False, True)
DOMINANT_SOUND = 0.93
HOMOPHONE = 0.95  # same sound, different spelling: close, but not the same mark
NEAR_HOMOPHONE = 0.9
METAPHONE_FLOOR = 0.8  # Metaphone drops vowels: a shared key supports a match, it does not make one
CROSS_SCRIPT_CALIBRATION = 1.0


def _best(*cands: Component) -> Component:
    return max(cands, key=lambda c: c.score)


def appearance(earlier: str, later: str) -> Component:
    """Edit similarity of visual skeletons, with the dominant element compared once generic words are set aside."""
    px, py = plain(earlier), plain(later)
    if not px or not py:
        return _NONE
    if px == py:
        return Component(1.0, f"'{later}' is written as '{earlier}'")
    sx, sy = skeleton(earlier), skeleton(later)
    if same_skeleton(sx, sy):
        kind = "look-alike characters" if has_han(px + py) else "look-alike letters or digits"
        return Component(0.96, f"'{later}' reads as '{earlier}' once {kind} are taken for what they imitate")
    cands = [Component(fuzz.ratio(sx, sy) / 100 * _short_penalty(sx, sy),
                       f"'{later}' differs from '{earlier}' by a few characters")]
    dx, gx = dominant(earlier)
    dy, gy = dominant(later)
    sdx, sdy = skeleton(dx), skeleton(dy)
    added = [g for g in gy if g not in gx]
    if added and sdx and sdy:
        if same_skeleton(sdx, sdy):
            cands.append(Component(0.93, f"dominant element '{dy}' is '{earlier}'; the added generic "
                                         f"word(s) {', '.join(repr(g) for g in added)} do not distinguish it"))
        else:
            cands.append(Component(fuzz.ratio(sdx, sdy) / 100 * 0.93 * _short_penalty(sdx, sdy),
                                   f"dominant element '{dy}' resembles '{earlier}' once generic word(s) "
                                   f"{', '.join(repr(g) for g in added)} are set aside"))
    min_len = 2 if has_han(sdx) else 3
    if len(sdx) >= min_len and sdx != sdy:
        if any(same_skeleton(sdx, skeleton(w)) for w in words(later)):
            cands.append(Component(0.86, f"'{later}' contains '{earlier}' as a word of its own"))
        elif sdx in sy:
            cover = len(sdx) / len(sy)
            cands.append(Component(0.6 + 0.3 * cover, f"'{later}' embeds '{earlier}'"))
    return _best(*cands)


def _short_penalty(a: str, b: str) -> float:
    """One changed letter in a three-letter mark is a new mark; in a ten-letter one it is a copy."""
    n = max(len(a), len(b))
    return 1.0 if n >= 5 else 0.85 if n == 4 else 0.7


def sound(earlier: str, later: str) -> Component:
    """The marks heard as wholes, or their dominant elements heard (discounted: the generic words are heard too)."""
    fx, fy = " ".join(words(earlier)), " ".join(words(later))
    whole = _sound(fx, fy)
    dx, dy = dominant(earlier)[0], dominant(later)[0]
    if (dx, dy) == (fx, fy) or not dx or not dy:
        return whole
    dom = _sound(dx, dy)
    return _best(whole, Component(dom.score * DOMINANT_SOUND, f"dominant elements {dom.detail}"))


def _fine_sound(text: str) -> tuple[str, str]:
    """A finer reading for telling homophones from near-homophones: Metaphone's consonants and the vowel groups."""
    vowels = re.findall(r"[aeiou]+", " ".join(as_letters(w) for w in words(text)).replace("y", "i"))
    return metaphone_key(text).replace(" ", ""), "-".join(v if len(v) == 1 else v[:2] for v in vowels)


def _sound(dx: str, dy: str) -> Component:
    """Pinyin (with near-homophones) for two Chinese marks; the shared phoneme alphabet otherwise."""
    if not dx or not dy:
        return _NONE
    cx, cy = has_han(dx), has_han(dy)
    lx, ly = has_latin(dx), has_latin(dy)
    if cx and cy and not lx and not ly:
        px, py = han_pinyin(dx), han_pinyin(dy)
        score, near = pinyin_similarity(px, py)
        how = "near-homophones" if near else "pinyin"
        return Component(score, f"{how}: '{' '.join(py)}' vs '{' '.join(px)}'")
    fx, fy = phonemes(dx), phonemes(dy)
    if cx != cy:
        han, lat = (dx, dy) if cx else (dy, dx)
        ph = phonemes(han)
        # the foreign name read the English way or the continental way, whichever the transliteration followed
        heard = max(phoneme_similarity(ph, phonemes(lat, continental=c), CROSS_SCRIPT_TAIL,
                                       cross=True)
                    for c in READINGS)
        # pinyin spelling shares letters with the foreign spelling (te-si-la / tesla): a weak second witness
        spelt = fuzz.ratio("".join(han_pinyin(han)), plain(lat)) / 100
        raw = (heard + CROSS_SCRIPT_SPELLING * spelt) / (1 + CROSS_SCRIPT_SPELLING)
        # calibrated so that a typical true transliteration (raw ~0.75) scores like a close same-script match
        score = 1.0 - (1.0 - raw) * CROSS_SCRIPT_CALIBRATION
        detail = f"across scripts: pinyin '{' '.join(han_pinyin(han))}' of '{han}' sounds like '{lat}'"
        return Component(score, detail)
    score = phoneme_similarity(fx, fy, strict=True)
    detail = f"sounds alike: /{fy}/ vs /{fx}/"
    if score == 1.0 and plain(dx) != plain(dy):
        # same sound in the coarse alphabet, different spelling: a homophone (KOENOR / KONOR read alike) is close
        # to a copy, but the coarse alphabet also merges what an ear tells apart (an added vowel SOLKA / SOLKAI,
        # s / sh, n / ng), so only a finer reading that still agrees makes it one
        if _fine_sound(dx) == _fine_sound(dy):
            score = HOMOPHONE
        else:
            score, detail = NEAR_HOMOPHONE, f"sounds nearly alike: /{fy}/ vs /{fx}/"
    mx, my = metaphone_key(dx), metaphone_key(dy)
    if mx and mx == my and len(mx.replace(" ", "")) >= 3 and score < METAPHONE_FLOOR:
        score, detail = METAPHONE_FLOOR, f"same Metaphone key {mx!r}"
    return Component(score * _short_penalty(fx, fy) ** 0.5, detail)


@dataclass(frozen=True)
class EarlierMark:
    """What similarity needs of an earlier right: its names (typed) and goods, and whether it is famous."""

    text: str
    aliases: tuple[tuple[str, AliasKind], ...] = ()
    nice_classes: tuple[int, ...] = ()
    famous: bool = False

    @classmethod
    def of(cls, mark: Mark) -> EarlierMark:
        return cls(mark.text, tuple((a.text, a.kind) for a in mark.aliases), mark.nice_classes, mark.famous)


_MEANING_KINDS = {AliasKind.TRANSLATION, AliasKind.NICKNAME}


@lru_cache(maxsize=4096)
def glosses(han: str) -> tuple[dictionary.Gloss, ...]:
    """Dictionary names of a Chinese sign (cached: the watch compares one filing with many marks)."""
    return dictionary.names_for(han)


def dictionary_meaning(a: str, b: str) -> Component:
    """Meaning across scripts: does the dictionary give the Latin mark as a name for the Chinese one?"""
    ha, hb = has_han(a), has_han(b)
    if ha == hb:
        return _NONE
    han, lat = (a, b) if ha else (b, a)
    if has_latin(han) or not has_latin(lat):
        return _NONE
    m = dictionary.match(glosses(han), lat)
    return Component(m.score, m.detail) if m else _NONE


def compare(earlier: EarlierMark, later: str, later_classes: Sequence[int] = (),
            config: SimilarityConfig = DEFAULT_CONFIG) -> Comparison:
    """Judge whether ``later`` (a filing, a label, a sign) is confusingly similar to ``earlier``."""
    app = appearance(earlier.text, later)
    snd = sound(earlier.text, later)
    mng = _NONE
    for alias, kind in earlier.aliases:
        a_app, a_snd = appearance(alias, later), sound(alias, later)
        label = f"registered {kind.value} '{alias}' of {earlier.text}"
        if has_han(alias) != has_han(later):
            # the alias heard in another script is a weaker witness: the word mark itself was compared already
            a_snd = Component(a_snd.score * config.cross_alias_discount, a_snd.detail)
        if kind in _MEANING_KINDS:
            if has_han(alias) != has_han(later):
                continue  # a translation heard in another script says nothing about meaning
            best = _best(a_app, a_snd)
            if best.score * config.alias_discount > mng.score:
                mng = Component(best.score * config.alias_discount, f"same meaning: {label}; {best.detail}")
            continue
        if a_app.score * config.alias_discount > app.score:
            app = Component(a_app.score * config.alias_discount, f"{label}; {a_app.detail}")
        if a_snd.score * config.alias_discount > snd.score:
            snd = Component(a_snd.score * config.alias_discount, f"{label}; {a_snd.detail}")
    if config.dictionary:
        dic = dictionary_meaning(earlier.text, later)
        if dic.score > mng.score:
            mng = dic
    dims = sorted((app.score, snd.score, mng.score), reverse=True)
    # only an identical word mark reaches 1.0, so that scores above the threshold still rank
    mark_score = min(1.0 if app.score >= 1.0 else 0.99, dims[0] + config.agreement_bonus * dims[1])
    goods = goods_similarity(earlier.nice_classes, tuple(later_classes))
    factor, goods_c, fame_c = _goods_factor(goods, earlier, config)
    score = round(mark_score * factor, 4)
    confusing = score >= config.confusing_score and mark_score >= config.confusing_mark
    components = {"appearance": app, "sound": snd, "meaning": mng, "goods": goods_c, "fame": fame_c}
    return Comparison(score, confusing, round(mark_score, 4), components,
                      _explain(earlier.text, later, score, confusing, components), goods.relation)


def _goods_factor(goods: GoodsResult, earlier: EarlierMark,
                  config: SimilarityConfig) -> tuple[float, Component, Component]:
    factor = config.goods_factor[goods.relation]
    goods_c = Component(goods.score, goods.detail)
    if not earlier.famous:
        return factor, goods_c, Component(0.0, f"'{earlier.text}' is not recorded as famous")
    if factor < config.famous_floor:
        return (config.famous_floor, goods_c,
                Component(1.0, f"'{earlier.text}' is famous, so its protection reaches beyond its own classes"))
    return factor, goods_c, Component(1.0, f"'{earlier.text}' is famous")


def _explain(earlier: str, later: str, score: float, confusing: bool, comps: dict[str, Component]) -> str:
    verdict = "confusingly similar to" if confusing else "not confusingly similar to"
    parts = [f"'{later}' is {verdict} '{earlier}' (score {score:.2f})."]
    for name in ("appearance", "sound", "meaning"):
        c = comps[name]
        if c.score >= 0.5:
            parts.append(f"{name.capitalize()} {c.score:.2f}: {c.detail}.")
    parts.append(f"Goods: {comps['goods'].detail}.")
    if comps["fame"].score:
        parts.append(comps["fame"].detail + ".")
    return " ".join(parts)


def compare_texts(a: str, b: str, a_classes: Iterable[int] = (), b_classes: Iterable[int] = (), *,
                  a_famous: bool = False, config: SimilarityConfig = DEFAULT_CONFIG) -> Comparison:
    """Compare two bare texts, ``a`` taken as the earlier mark."""
    return compare(EarlierMark(a, (), tuple(a_classes), a_famous), b, tuple(b_classes), config)


def compare_mark(mark: Mark, later: str, later_classes: Sequence[int] = (),
                 config: SimilarityConfig = DEFAULT_CONFIG) -> Comparison:
    return compare(EarlierMark.of(mark), later, later_classes, config)
