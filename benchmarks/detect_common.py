"""Shared material for the detection benchmarks: a 5,000-mark synthetic registry plus the shipped sample, listing
templates, brand-free text, and the disguise generators (Latin and Chinese). Everything is generated from a seed;
nothing is read from /work/shared.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from bordermark.domain import Alias, AliasKind, Holder, Mark, Product, Registry
from bordermark.registry.service import parse_files

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "src" / "bordermark" / "registry" / "data"

ONSETS = ["b", "br", "c", "cl", "d", "dr", "f", "g", "gr", "h", "j", "k", "kr", "l", "m", "n", "p", "pr", "qu",
          "r", "s", "st", "t", "tr", "v", "vr", "z", "x"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"]
CODAS = ["", "", "", "n", "r", "s", "l", "x", "m", "nd", "st"]
ZH_POOL = list("阿艾安奥巴贝比波布达德迪多尔法菲弗格哈赫霍基加杰卡凯科克库拉莱兰"
               "雷里利莉林琳卢鲁罗洛马玛迈曼梅米姆纳娜尼诺欧帕佩皮普奇琪乔瑞萨"
               "莎森沙斯丝索塔泰坦特提图瓦维威温沃西希夏香欣雅亚伊依英优尤泽兹珀蒂薇露璐")
GOODS = {
    3: ["perfume", "eau de parfum", "lipstick", "face cream"], 9: ["earbuds", "phone case", "smartwatch", "charger"],
    14: ["watch", "bracelet", "necklace", "wristwatch"], 18: ["handbag", "tote bag", "wallet", "backpack"],
    25: ["sneakers", "hoodie", "t-shirt", "jacket"], 28: ["football", "toy set", "basketball"],
    5: ["baby formula", "diapers"], 29: ["milk powder", "infant formula"], 16: ["diapers"], 12: ["car mats"],
    42: ["laptop"], 35: ["sneakers"], 20: ["storage box"], 21: ["mug"], 24: ["bed sheet"],
}
GOODS_ZH = {3: ["香水", "口红"], 9: ["耳机", "手机壳"], 14: ["手表", "项链"], 18: ["包包", "钱包", "手提包"],
            25: ["运动鞋", "卫衣"], 28: ["玩具", "篮球"], 5: ["奶粉"], 29: ["奶粉"], 16: ["纸尿裤"]}
EN_TEMPLATES = ["{b} {p} for women", "New {b} {p} 2025 collection", "{p} by {b} - free shipping",
                "Hot sale {b} {p} {t}", "men's {b} {p}, brand new with tags", "{b} {p} {t} fast delivery",
                "Vintage {b} {p} in great condition", "Original box {b} {p}"]
ZH_TEMPLATES = ["{b}{p}新款", "正品{b} {p} 包邮", "{b}同款{p}{t}", "热卖 {b} {p} 现货", "{t}{b}{p} 专柜同款"]
TRADE_EN = ["", "", "replica", "AAA", "1:1 quality", "mirror quality", "", "super copy", "factory direct"]
TRADE_ZH = ["", "", "高仿", "原单", "一比一", "", "尾单", "精仿"]
GENERIC_EN = ("soft leather crossbody bag with adjustable strap, women's summer canvas tote, large capacity travel "
              "backpack waterproof, stainless steel men's quartz watch, rose gold bracelet for girls, wireless "
              "earbuds with charging case, silicone phone case shockproof, running sneakers breathable mesh, cotton "
              "hoodie oversized unisex, vintage denim jacket, kids building blocks toy set, scented candle gift box, "
              "ceramic coffee mug, bamboo cutting board, yoga mat non slip, hair dryer fast drying, led desk lamp, "
              "organic face cream moisturizing, long lasting matte lipstick, baby diapers size 4, infant formula stage "
              "1, portable blender usb rechargeable, car phone holder magnetic, men's wallet rfid blocking, silk "
              "scarf floral print, wool beanie hat winter, sunglasses polarized uv400, hiking boots waterproof, "
              "kitchen knife set, stainless water bottle insulated, pet dog leash reflective, garden hose expandable, "
              "bluetooth speaker portable, gaming mouse rgb, mechanical keyboard, laptop sleeve 14 inch, necklace "
              "pendant sterling silver, earrings for women hypoallergenic, perfume for men woody scent 100ml, "
              "sleeping mask, throw pillow cover, bath towel set, phone charger cable 2m, smart watch fitness tracker, "
              "football size 5, basketball indoor outdoor, badminton racket, fishing rod telescopic, tent for 4 "
              "persons, channel islands travel guide, fresh apple juice 1 litre, coach tour to the lake district, "
              "mind the gap sign, peace dove brooch, sea shell necklace, guess the number game, jaguar print scarf")
GENERIC_ZH = ("新款 女士 真皮 斜挎包 大容量 手提包 时尚 百搭 休闲 运动鞋 男士 机械表 防水 "
              "夜光 香水 持久 留香 口红 保湿 面霜 蓝牙 耳机 降噪 充电宝 数据线 手机壳 "
              "防摔 婴儿 奶粉 纸尿裤 积木 玩具 包邮 特价 清仓 现货 秒发 纯棉 卫衣 外套 "
              "牛仔裤 连衣裙 围巾 帽子 太阳镜 登山鞋 保温杯 水杯 台灯 床单 枕头 毛巾 厨房 "
              "刀具 宠物 狗绳 帐篷 钓鱼竿 篮球 足球 羽毛球 苹果汁 新鲜 水果 小香葱 长城 "
              "旅游 熊猫 公仔 红豆 面包 月饼 礼盒 茶叶 绿茶 蜂蜜 坚果 零食 大米 食用油 "
              "洗衣液 纸巾")


def sample_registry() -> Registry:
    parsed = parse_files(sorted(SAMPLE_DIR.glob("*.csv")))
    return Registry(holders=tuple(parsed.holders.values()), marks=tuple(m for _, m in parsed.marks.values()),
                    products=tuple(p for _, p in parsed.products.values()),
                    parties=tuple(p for _, p in parsed.parties.values()))


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))


def synthetic_registry(n: int = 5000, seed: int = 7) -> Registry:
    """``n`` made-up marks (one or two words, ~40 % with a Chinese transliteration) plus the shipped sample."""
    rng = random.Random(seed)
    base = sample_registry()
    taken = {m.text.casefold() for m in base.marks}
    from bordermark.detect.lexicon import common_words
    common = common_words() | set(GENERIC_EN.replace(",", " ").split())
    marks, holders, products = list(base.marks), list(base.holders), list(base.products)
    for text, classes in (("GAP", (25,)), ("SHELL", (4, 37)), ("GUESS", (14, 18, 25)), ("JAGUAR", (12,))):
        holders.append(Holder(name=f"{text.title()} Brand Owner"))
        marks.append(Mark(holder=f"{text.title()} Brand Owner", text=text, nice_classes=classes))
    zh_taken = {a.text for m in base.marks for a in m.aliases}
    while len(marks) < len(base.marks) + n:
        text = _word(rng, rng.choice((2, 2, 3)))
        if rng.random() < 0.2:
            text += " " + _word(rng, rng.choice((1, 2)))
        if len(text.replace(" ", "")) < 5 or text in taken or any(w in common for w in text.split()):
            continue
        taken.add(text)
        aliases = []
        if rng.random() < 0.4:
            zh = "".join(rng.choice(ZH_POOL) for _ in range(rng.choice((2, 3, 3, 4))))
            if zh not in zh_taken:
                zh_taken.add(zh)
                aliases.append(Alias(text=zh, kind=AliasKind.TRANSLITERATION))
        holder = f"{text.title()} Holdings"
        classes = sorted(rng.sample([3, 9, 14, 18, 25, 28], rng.choice((1, 2, 3))))
        holders.append(Holder(name=holder))
        mark = Mark(holder=holder, text=text.upper(), aliases=tuple(aliases), nice_classes=tuple(classes),
                    external_id=f"S{len(marks):05d}")
        marks.append(mark)
        goods = GOODS[classes[0]][0]
        products.append(Product(holder=holder, mark=mark.text, name=f"{text.title()} Signature {goods.title()}"))
    return Registry(holders=tuple(holders), marks=tuple(marks), products=tuple(products), parties=base.parties)


# ---------------------------------------------------------------------------------------------- Latin disguises
@lru_cache(maxsize=1)
def _homoglyphs() -> dict[str, list[str]]:
    """Letter -> Cyrillic/Greek look-alikes, from the Unicode confusables data (the same source the engine uses)."""
    import confusable_homoglyphs

    data = json.loads(resources.files(confusable_homoglyphs).joinpath("confusables.json").read_text("utf-8"))
    out: dict[str, list[str]] = {}
    for ch, entries in data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        name = unicodedata.name(ch, "")
        if not (name.startswith("CYRILLIC") or name.startswith("GREEK")):
            continue
        for e in entries:
            t = e["c"]
            if len(t) == 1 and t.isascii() and t.isalpha():
                out.setdefault(t, []).append(ch)
    return out


def _mapchars(text: str, f: Callable[[str], str]) -> str:
    return "".join(f(c) for c in text)


def _shift(c: str, upper: int, lower: int) -> str:
    if "A" <= c <= "Z":
        return chr(upper + ord(c) - 65)
    if "a" <= c <= "z":
        return chr(lower + ord(c) - 97)
    return c


def _letters(text: str) -> list[int]:
    return [i for i, c in enumerate(text) if c.isalpha()]


def d_case(rng: random.Random, t: str) -> str:
    return rng.choice((t.lower(), t.title(), t.upper()))


def d_fullwidth(rng: random.Random, t: str) -> str:
    return _mapchars(t, lambda c: chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c)


def d_math(rng: random.Random, t: str) -> str:
    """Mathematical alphanumerics by Unicode name (double-struck C, H, N, P, Q, R, Z live in Letterlike Symbols)."""
    style = rng.choice(("BOLD", "SANS-SERIF BOLD", "MONOSPACE", "DOUBLE-STRUCK", "BOLD ITALIC"))

    def one(c: str) -> str:
        if not c.isascii() or not c.isalpha():
            return c
        case = "CAPITAL" if c.isupper() else "SMALL"
        for name in (f"MATHEMATICAL {style} {case} {c.upper()}", f"{style} {case} {c.upper()}"):
            try:
                return unicodedata.lookup(name)
            except KeyError:
                continue
        return c

    return _mapchars(t, one)


def d_circled(rng: random.Random, t: str) -> str:
    return _mapchars(t, lambda c: _shift(c, 0x24B6, 0x24D0))


def d_emoji(rng: random.Random, t: str) -> str:
    base = rng.choice((0x1F1E6, 0x1F170, 0x1F150))
    return _mapchars(t.upper(), lambda c: _shift(c, base, base))


def d_homoglyph(rng: random.Random, t: str) -> str:
    hg = _homoglyphs()
    spots = [i for i in _letters(t) if t[i] in hg]
    chars = list(t)
    for i in rng.sample(spots, min(len(spots), rng.choice((1, 2, 3)))):
        chars[i] = rng.choice(hg[chars[i]])
    return "".join(chars)


def d_zero_width(rng: random.Random, t: str) -> str:
    i = rng.randint(1, len(t) - 1)
    return t[:i] + rng.choice(("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")) + t[i:]


def d_spaced(rng: random.Random, t: str) -> str:
    return rng.choice((" ", ".", "-", "·", "_")).join(t.replace(" ", ""))


def d_split(rng: random.Random, t: str) -> str:
    c = t.replace(" ", "")
    i = rng.randint(2, len(c) - 2)
    return c[:i] + rng.choice(("-", ".", "_", "*", "·", " ")) + c[i:]


LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "l": "1", "g": "9", "b": "8"}


def d_leet(rng: random.Random, t: str) -> str:
    spots = [i for i, c in enumerate(t) if c.lower() in LEET]
    chars = list(t)
    for i in rng.sample(spots, min(len(spots), rng.choice((1, 2)))):
        chars[i] = rng.choice(LEET[chars[i].lower()])
    return "".join(chars)


def d_repeated(rng: random.Random, t: str) -> str:
    chars = list(t)
    for i in sorted(rng.sample(_letters(t), min(2, len(_letters(t)))), reverse=True):
        chars.insert(i, chars[i] * rng.choice((1, 2)))
    return "".join(chars)


def d_typo(rng: random.Random, t: str) -> str:
    """One deletion, transposition or vowel change, never on the first letter (how recognisable typos look)."""
    for _ in range(20):
        chars = list(t)
        idx = [i for i in _letters(t) if i > 0]
        i = rng.choice(idx)
        op = rng.random()
        if op < 0.35:
            del chars[i]
        elif op < 0.7 and i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif chars[i].lower() in "aeiou":
            chars[i] = rng.choice([v for v in "aeiou" if v != chars[i].lower()])
        else:
            continue
        out = "".join(chars)
        if out.casefold() != t.casefold():
            return out
    return t[:-1]


def d_accents(rng: random.Random, t: str) -> str:
    acc = {"a": "àáâä", "e": "èéêë", "i": "ìíîï", "o": "òóôö", "u": "ùúûü", "A": "ÀÁÂÄ", "E": "ÈÉÊË", "O": "ÒÓÔÖ"}
    return _mapchars(t, lambda c: rng.choice(acc[c]) if c in acc and rng.random() < 0.6 else c)


def d_combo(rng: random.Random, t: str) -> str:
    return d_zero_width(rng, d_homoglyph(rng, d_case(rng, t)))


LATIN_DISGUISES: dict[str, Callable[[random.Random, str], str]] = {
    "case": d_case, "fullwidth": d_fullwidth, "math_alnum": d_math, "circled": d_circled, "emoji_letters": d_emoji,
    "homoglyph": d_homoglyph, "zero_width": d_zero_width, "spaced": d_spaced, "split": d_split, "leet": d_leet,
    "repeated": d_repeated, "typo": d_typo, "accents": d_accents, "combo": d_combo,
}


# -------------------------------------------------------------------------------------------- Chinese disguises
@lru_cache(maxsize=1)
def _by_sound() -> dict[str, list[str]]:
    """Toneless pinyin -> the common characters (GB2312 level 1, the 3,755 most frequent) with that sound."""
    out: dict[str, list[str]] = {}
    for b1 in range(0xB0, 0xD8):
        for b2 in range(0xA1, 0xFF):
            try:
                ch = bytes([b1, b2]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            out.setdefault(lazy_pinyin(ch, style=Style.NORMAL)[0], []).append(ch)
    return out


NEAR = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("z", "zh"), ("c", "ch"), ("s", "sh"), ("l", "n"), ("n", "l")]
NEAR_FINAL = [("ang", "an"), ("an", "ang"), ("eng", "en"), ("en", "eng"), ("ing", "in"), ("in", "ing")]


def z_spaced(rng: random.Random, t: str) -> str | None:
    return rng.choice((" ", " ", "·", "-")).join(t)


def z_homophone(rng: random.Random, t: str) -> str | None:
    syl = lazy_pinyin(t, style=Style.NORMAL)
    snd = _by_sound()
    spots = [i for i, s in enumerate(syl) if len([c for c in snd.get(s, []) if c != t[i]]) > 0]
    if not spots:
        return None
    i = rng.choice(spots)
    return t[:i] + rng.choice([c for c in snd[syl[i]] if c != t[i]]) + t[i + 1:]


def z_near(rng: random.Random, t: str) -> str | None:
    if len(t) < 3:
        return None
    syl = lazy_pinyin(t, style=Style.NORMAL)
    snd = _by_sound()
    opts = []
    for i, s in enumerate(syl):
        for a, b in NEAR:
            if s.startswith(a) and not (a in "zcs" and s[1:2] == "h") and b + s[len(a):] in snd:
                opts.append((i, b + s[len(a):]))
        for a, b in NEAR_FINAL:
            if s.endswith(a) and not (a in ("an", "en", "in") and s.endswith(a + "g")) and s[: -len(a)] + b in snd:
                opts.append((i, s[: -len(a)] + b))
    if not opts:
        return None
    i, s2 = rng.choice(opts)
    return t[:i] + rng.choice(snd[s2]) + t[i + 1:]


@lru_cache(maxsize=1)
def _visual() -> dict[str, list[str]]:
    from bordermark.detect.normalise import visual_groups

    out: dict[str, list[str]] = {}
    for ch, canon in visual_groups().items():
        out.setdefault(canon, []).append(ch)
    return out


def z_visual(rng: random.Random, t: str) -> str | None:
    vis = _visual()
    spots = [i for i, c in enumerate(t) if c in vis]
    if not spots:
        return None
    i = rng.choice(spots)
    return t[:i] + rng.choice(vis[t[i]]) + t[i + 1:]


ZH_DISGUISES: dict[str, Callable[[random.Random, str], str | None]] = {
    "zh_alias": lambda rng, t: t, "zh_spaced": z_spaced, "zh_homophone": z_homophone, "zh_near_homophone": z_near,
    "zh_visual": z_visual,
}


def goods_for(rng: random.Random, classes: tuple[int, ...], zh: bool = False) -> str:
    table = GOODS_ZH if zh else GOODS
    opts = [g for c in classes for g in table.get(c, [])]
    return rng.choice(opts or (["包包"] if zh else ["gift"]))


def embed(rng: random.Random, surface: str, classes: tuple[int, ...], zh: bool = False) -> str:
    if zh:
        return rng.choice(ZH_TEMPLATES).format(b=surface, p=goods_for(rng, classes, True), t=rng.choice(TRADE_ZH))
    return rng.choice(EN_TEMPLATES).format(b=surface, p=goods_for(rng, classes), t=rng.choice(TRADE_EN)).strip()


def brand_free(rng: random.Random, zh: bool = False) -> str:
    if zh:
        words = GENERIC_ZH.split()
        return "".join(rng.sample(words, rng.randint(4, 9)))
    phrases = [p.strip() for p in GENERIC_EN.split(",")]
    out = ", ".join(rng.sample(phrases, rng.randint(1, 3)))
    if rng.random() < 0.3:
        out = out.title()
    return out
