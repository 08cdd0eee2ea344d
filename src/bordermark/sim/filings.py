"""A stream of trademark applications: many legitimate, some squatting famous marks.

Squats follow the patterns in the domain brief: the Chinese transliteration of a famous foreign mark filed by
an unrelated local applicant (the MUJI / 无印良品 story), the mark with a generic word added, and look-alike
spellings; covert counterfeiters file the squat that later covers their imports. Hard cases sit beside them:
holders extending their own marks (same text, not a squat) and unrelated names that merely resemble a mark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bordermark.sim import lexicon as lx
from bordermark.sim.actors import Actor
from bordermark.sim.brands import Brand
from bordermark.sim.disguise import homophone, misspelling
from bordermark.sim.params import SimParams

LOOKALIKE = {"O": "0", "I": "1", "L": "1", "M": "RN", "W": "VV", "E": "F", "S": "5", "B": "8", "G": "C", "U": "V"}
ADDED_WORDS = ("HOME", "KIDS", "SPORT", "BABY", "HK", "JAPAN", "PARIS", "官方", "国际", "专柜", "旗舰")


@dataclass
class FilingTables:
    records: dict[str, list[Any]]
    truth: dict[str, list[Any]]


def lookalike(rng: random.Random, text: str) -> str:
    """Swap one letter for a visually close ASCII form (O->0, M->RN, L->1); falls back to a misspelling."""
    spots = [i for i, c in enumerate(text) if c in LOOKALIKE]
    if not spots:
        return misspelling(rng, text)
    i = rng.choice(spots)
    return text[:i] + LOOKALIKE[text[i]] + text[i + 1:]


def build_filings(seed: int, n: int, params: SimParams, brands: list[Brand], actors: list[Actor]) -> FilingTables:
    rng = random.Random(seed * 2_713 + 41)
    famous = [b for b in brands if b.famous and b.style != "ordinary"] or brands
    covert = [a for a in actors if a.kind == "covert_counterfeiter" and a.target_mark]
    by_id = {b.mark_id: b for b in brands}
    known = {b.text for b in brands} | {b.zh for b in brands if b.zh}
    rec: dict[str, list[Any]] = {k: [] for k in ("id", "mark_text", "applicant", "country", "nice_classes",
                                                 "filed_on", "status")}
    truth: dict[str, list[Any]] = {k: [] for k in ("id", "is_squat", "target_mark_id", "applicant_kind",
                                                   "squat_kind")}
    covert_done = 0
    for i in range(n):
        fid = f"F{i + 1:07d}"
        filed = params.start + timedelta(days=rng.randrange(params.days))
        r = rng.random()
        target = ""
        squat_kind = ""
        if covert_done < len(covert) or r < params.squat_share:
            if covert_done < len(covert):
                actor = covert[covert_done]
                covert_done += 1
                brand = by_id[actor.target_mark]
                applicant, kind = actor.name, "covert_counterfeiter"
                filed = params.start - timedelta(days=rng.randint(200, 2000))  # squat filed before the imports
            else:
                brand = rng.choice(famous)
                applicant, kind = _squatter_name(rng), "squatter"
            text, squat_kind = _squat_text(rng, brand)
            target, is_squat, country = brand.mark_id, True, "CN"
            classes = sorted(set(brand.nice) | ({rng.choice((3, 9, 18, 25, 35))} if rng.random() < 0.3 else set()))
        elif r < params.squat_share + params.holder_filing_share:
            brand = rng.choice(brands)
            text = brand.text if rng.random() < 0.7 or not brand.zh else brand.zh
            applicant, kind, is_squat, target = brand.holder, "holder", False, brand.mark_id
            country = rng.choice(("CN", "US", "EU", "JP", "KR", "GB"))
            classes = sorted(set(brand.nice) | {rng.choice((3, 9, 14, 18, 25, 28, 35))})
        elif r < params.squat_share + params.holder_filing_share + params.near_miss_share:
            brand = rng.choice(famous)
            text = _near_miss(rng, brand, known)
            applicant, kind, is_squat, target = _company(rng), "legitimate", False, ""
            squat_kind = ""
            country = rng.choice(("CN", "US", "EU"))
            classes = [rng.choice(tuple(c for c in range(1, 46) if c not in brand.nice))]
        else:
            text = _fresh_name(rng, known)
            applicant, kind, is_squat = _company(rng), "legitimate", False
            country = rng.choice(("CN", "CN", "US", "EU", "JP", "KR", "GB"))
            classes = sorted(rng.sample(range(1, 46), rng.choice((1, 1, 2, 3))))
        rec["id"].append(fid)
        rec["mark_text"].append(text)
        rec["applicant"].append(applicant)
        rec["country"].append(country)
        rec["nice_classes"].append(classes)
        rec["filed_on"].append(filed.isoformat())
        rec["status"].append(rng.choice(("filed", "filed", "published", "opposed", "registered")))
        truth["id"].append(fid)
        truth["is_squat"].append(is_squat)
        truth["target_mark_id"].append(target)
        truth["applicant_kind"].append(kind)
        truth["squat_kind"].append(squat_kind)
    return FilingTables(rec, truth)


def _squat_text(rng: random.Random, brand: Brand) -> tuple[str, str]:
    r = rng.random()
    if brand.zh and r < 0.4:
        if brand.pinyin and rng.random() < 0.5:
            return homophone(rng, brand), "transliteration"
        return brand.zh, "transliteration"
    if r < 0.7:
        word = rng.choice(ADDED_WORDS)
        return (f"{brand.text} {word}" if rng.random() < 0.7 else f"{word} {brand.text}"), "added_word"
    return lookalike(rng, brand.text), "lookalike"


def _near_miss(rng: random.Random, brand: Brand, known: set[str]) -> str:
    """An unrelated name sharing the mark's first syllable: looks close, is not a squat."""
    for _ in range(20):
        stem = brand.text.replace(" ", "")[: rng.randint(2, 3)]
        text = (stem + "".join(rng.sample(list(lx.SYLLABLES), 2))).upper()
        if text not in known and text != brand.text:
            return text
    return _fresh_name(rng, known)


def _fresh_name(rng: random.Random, known: set[str]) -> str:
    for _ in range(50):
        if rng.random() < 0.3:
            text = "".join(c for c, _ in rng.sample(lx.CN_BRAND_CHARS, 2)) + rng.choice(("", "坊", "堂", "家"))
        else:
            text = "".join(rng.sample(list(lx.SYLLABLES), rng.choice((2, 3)))).upper()
        if text not in known:
            return text
    return f"NEWMARK{rng.randint(1, 10**6)}"


def _company(rng: random.Random) -> str:
    if rng.random() < 0.5:
        city = rng.choice(lx.CITIES["CN"])
        word = "".join(c for c, _ in rng.sample(lx.CN_BRAND_CHARS, 2))
        return f"{city}{word}{rng.choice(('科技', '日用品', '服饰', '食品', '文化'))}有限公司"
    return f"{rng.choice(lx.EN_SURNAMES)} {rng.choice(('Holdings', 'Brands', 'Labs', 'Goods'))} " \
           f"{rng.choice(('Inc.', 'Ltd', 'GmbH', 'LLC'))}"


def _squatter_name(rng: random.Random) -> str:
    if rng.random() < 0.4:
        s, g = rng.choice(lx.CN_SURNAMES), rng.choice(lx.CN_GIVEN)
        return s[0] + g[0]  # individuals file squats too
    return _company(rng)
