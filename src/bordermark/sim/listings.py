"""Marketplace listings in English and Chinese, with their ground truth.

Structured choices (label, brand, product, seller, price factor, time) are drawn with numpy in bulk; only the
text is assembled per listing in Python, which keeps a million listings within seconds.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from bordermark.sim import lexicon as lx
from bordermark.sim.actors import Actor
from bordermark.sim.brands import Brand
from bordermark.sim.disguise import disguise, exact_form
from bordermark.sim.params import SimParams

T = TypeVar("T")
LABELS = ("counterfeit", "parallel_import", "genuine", "unbranded", "hard_negative")
SELLER_KIND_FOR = {"counterfeit": "counterfeiter", "parallel_import": "parallel_importer", "genuine": "genuine",
                   "unbranded": "unbranded", "hard_negative": "unbranded"}
COUNTRY_NAMES = {"JP": "Japan", "KR": "Korea", "US": "USA", "FR": "France", "IT": "Italy", "HK": "Hong Kong",
                 "AU": "Australia", "CN": "China"}
COUNTRY_NAMES_ZH = {"JP": "日本", "KR": "韩国", "US": "美国", "FR": "法国", "IT": "意大利", "HK": "香港",
                    "AU": "澳洲", "CN": "国内"}
RECORD_COLUMNS = ("id", "title", "description", "price", "currency", "seller_id", "seller_name", "platform",
                  "category", "url", "ships_from", "images", "listed_at")
TRUTH_COLUMNS = ("id", "label", "mark_id", "product_id", "disguises", "brand_text", "actor_id", "network_id",
                 "trade_term", "contact_cue", "price_ratio")
HARD_NEG_CATEGORIES = ("home", "tools", "toys", "food", "sports", "apparel", "electronics")


@dataclass
class ListingTables:
    records: dict[str, list[Any]]
    truth: dict[str, list[Any]]


def _weights(n: int, rng: np.random.Generator) -> np.ndarray:
    """Heavy-tailed activity: a few sellers post most listings, as on real platforms."""
    w = rng.pareto(1.2, n) + 0.1
    return np.asarray(w / w.sum())


CHUNK = 100_000  # listings per independently seeded chunk: output does not depend on the number of workers
_SETUP: _Setup | None = None


@dataclass
class _Setup:
    """What every chunk shares: parameters, brands, sellers, and the activity weights drawn once per seed."""

    params: SimParams
    brands: list[Brand]
    sellers: list[Actor]
    shares: np.ndarray
    p_fake: np.ndarray
    p_real: np.ndarray
    ordinary: np.ndarray
    pools: list[np.ndarray]
    pool_p: list[np.ndarray]
    covert: np.ndarray


def _setup(seed: int, params: SimParams, brands: list[Brand], sellers: list[Actor]) -> _Setup:
    nrng = np.random.default_rng([seed, 101])
    mix = params.listing_mix
    shares = np.array([mix.counterfeit, mix.parallel_import, mix.genuine, mix.unbranded, mix.hard_negative])
    ordinary = [i for i, b in enumerate(brands) if b.hard_negative_titles]
    if not ordinary:
        shares[3] += shares[4]
        shares[4] = 0.0
    famous = np.array([b.famous for b in brands], dtype=bool)
    w_fake = np.where(famous, params.counterfeit_famous_bias, 1.0)
    w_real = np.where(famous, 2.0, 1.0)
    pools, pool_p = [], []
    for label in LABELS:
        pool = [i for i, s in enumerate(sellers) if s.kind == SELLER_KIND_FOR[label]] or list(range(len(sellers)))
        pools.append(np.asarray(pool))
        pool_p.append(_weights(len(pool), nrng))
    return _Setup(params=params, brands=brands, sellers=sellers, shares=shares / shares.sum(),
                  p_fake=w_fake / w_fake.sum(), p_real=w_real / w_real.sum(), ordinary=np.array(ordinary or [0]),
                  pools=pools, pool_p=pool_p,
                  covert=np.asarray([i for i, s in enumerate(sellers) if s.kind == "covert_counterfeiter"]))


def build_listings(seed: int, n: int, params: SimParams, brands: list[Brand], sellers: list[Actor],
                   workers: int | None = None) -> ListingTables:
    """``n`` listings with truth. Big worlds are cut into chunks generated in forked worker processes; each chunk
    has its own seed, so the bytes are the same whatever the number of workers (``workers=1``: in process)."""
    setup = _setup(seed, params, brands, sellers)
    bounds = [(c, start, min(n, start + CHUNK)) for c, start in enumerate(range(0, n, CHUNK))]
    if workers is None:
        workers = min(len(bounds), os.cpu_count() or 1)
    if workers <= 1 or len(bounds) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        parts = [_chunk(setup, seed, *b) for b in bounds]
    else:
        global _SETUP
        _SETUP = setup  # forked workers inherit it: no pickling of brands and sellers
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # polars warns on fork; workers never use polars
                ctx = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
                    parts = list(pool.map(_chunk_in_worker, [(seed, *b) for b in bounds]))
        finally:
            _SETUP = None
    rec: dict[str, list[Any]] = {k: [] for k in RECORD_COLUMNS}
    truth: dict[str, list[Any]] = {k: [] for k in TRUTH_COLUMNS}
    for part in parts:
        for k in RECORD_COLUMNS:
            rec[k].extend(part.records[k])
        for k in TRUTH_COLUMNS:
            truth[k].extend(part.truth[k])
    return ListingTables(rec, truth)


def _chunk_in_worker(args: tuple[int, int, int, int]) -> ListingTables:
    assert _SETUP is not None
    return _chunk(_SETUP, *args)


def _chunk(setup: _Setup, seed: int, chunk_no: int, start: int, stop: int) -> ListingTables:
    params, brands, sellers = setup.params, setup.brands, setup.sellers
    n = stop - start
    nrng = np.random.default_rng([seed, 101, chunk_no])
    rng = random.Random(seed * 1_000_003 + chunk_no * 7_919 + 5)
    labels = nrng.choice(len(LABELS), size=n, p=setup.shares)
    mark_fake = nrng.choice(len(brands), size=n, p=setup.p_fake)
    mark_real = nrng.choice(len(brands), size=n, p=setup.p_real)
    mark_hn = nrng.choice(setup.ordinary, size=n)
    u_prod = nrng.random(n)
    u_price = nrng.random(n)
    u_full = nrng.random(n)
    u_ratio = nrng.random(n)
    covert_sellers = setup.covert
    seller_idx = np.zeros(n, dtype=np.int64)
    for li in range(len(LABELS)):
        mask = labels == li
        pool = setup.pools[li]
        seller_idx[mask] = pool[nrng.choice(len(pool), size=int(mask.sum()), p=setup.pool_p[li])]
    # a slice of counterfeit listings comes from covert counterfeiters selling "their" squatted mark
    covert_mask = (labels == 0) & (nrng.random(n) < 0.05) if len(covert_sellers) else np.zeros(n, dtype=bool)
    if len(covert_sellers):
        seller_idx[covert_mask] = covert_sellers[nrng.integers(0, len(covert_sellers), int(covert_mask.sum()))]
    seconds = nrng.integers(0, params.days * 86_400, size=n)
    stamps = (np.datetime64(params.start.isoformat()) + seconds.astype("timedelta64[s]")).astype(str)
    mark_index = {b.mark_id: i for i, b in enumerate(brands)}
    # plain Python lists from here on: indexing numpy arrays element by element costs more than the work itself
    labels_l: list[int] = labels.tolist()
    fake_l: list[int] = mark_fake.tolist()
    real_l: list[int] = mark_real.tolist()
    hn_l: list[int] = mark_hn.tolist()
    prod_l: list[float] = u_prod.tolist()
    price_l: list[float] = u_price.tolist()
    full_l: list[float] = u_full.tolist()
    ratio_l: list[float] = u_ratio.tolist()
    seller_l: list[int] = seller_idx.tolist()
    covert_l: list[bool] = covert_mask.tolist()
    stamp_l: list[str] = stamps.tolist()

    rec: dict[str, list[Any]] = {k: [] for k in ("id", "title", "description", "price", "currency", "seller_id",
                                                 "seller_name", "platform", "category", "url", "ships_from",
                                                 "images", "listed_at")}
    truth: dict[str, list[Any]] = {k: [] for k in ("id", "label", "mark_id", "product_id", "disguises", "brand_text",
                                                   "actor_id", "network_id", "trade_term", "contact_cue",
                                                   "price_ratio")}
    rnd = rng.random

    def pick(seq: Sequence[T]) -> T:
        """random.choice without its overhead: this runs several times per listing."""
        return seq[int(rnd() * len(seq))]

    rec_rows: list[tuple[Any, ...]] = []
    truth_rows: list[tuple[Any, ...]] = []
    prices: list[float] = []
    ratios: list[float] = []
    lo_c, hi_c = params.counterfeit_price_ratio
    lo_p, hi_p = params.parallel_price_ratio
    for i in range(n):
        label = LABELS[labels_l[i]]
        seller = sellers[seller_l[i]]
        zh = seller.zh
        lid = f"L{start + i + 1:07d}"
        brand: Brand | None = None
        product = None
        disguises: list[str] = []
        brand_text = ""
        trade = cue = False
        ratio = 1.0
        images: list[str] = []
        host = lx.PLATFORM_HOSTS[seller.platform]
        if label in ("counterfeit", "parallel_import", "genuine"):
            if label == "counterfeit" and covert_l[i]:
                brand = brands[mark_index[seller.target_mark]]
            else:
                brand = brands[fake_l[i] if label == "counterfeit" else real_l[i]]
            product = brand.products[int(prod_l[i] * len(brand.products))]
            low, high = (product.low_cny, product.high_cny) if zh else (product.low_usd, product.high_usd)
            pname = product.name_zh if zh else product.name
            color = pick(lx.COLORS_ZH if zh else lx.COLORS_EN)
            if label == "genuine":
                price = low + (high - low) * price_l[i]
                brand_text = exact_form(rng, brand, zh)
                phrase = pick(lx.GENUINE_PHRASES_ZH if zh else lx.GENUINE_PHRASES_EN)
                title = f"{brand_text} {pname} {color} {phrase}"
                desc = (f"{brand_text}{pname}，{phrase}，支持专柜验货。" if zh else
                        f"Authentic {brand_text} {pname}. {phrase}. Sold by {seller.name}.")
                disguises = ["exact"]
            elif label == "parallel_import":
                ratio = lo_p + (hi_p - lo_p) * ratio_l[i]
                price = low * ratio
                brand_text = exact_form(rng, brand, zh)
                src = seller.country if seller.country in COUNTRY_NAMES else "HK"
                phrase = pick(lx.PARALLEL_PHRASES_ZH if zh else lx.PARALLEL_PHRASES_EN).format(
                    c=(COUNTRY_NAMES_ZH if zh else COUNTRY_NAMES)[src])
                title = f"{brand_text} {pname} {color} {phrase}"
                desc = (f"{phrase}，保证正品，可提供购物小票。无国内专柜保修。" if zh else
                        f"Genuine {brand_text} {pname}, {phrase}. Receipt available; manufacturer warranty may "
                        "not apply in your country.")
                disguises = ["exact"]
            else:
                covert = bool(covert_l[i])
                if covert:
                    ratio = 0.5 + 0.4 * ratio_l[i]
                elif full_l[i] < params.counterfeit_full_price_rate:
                    ratio = 1.0 + (high - low) / max(low, 1.0) * ratio_l[i] * 0.5
                else:
                    ratio = lo_c + (hi_c - lo_c) * ratio_l[i]
                price = low * ratio
                if not covert and rng.random() < params.obfuscation_rate:
                    brand_text, disguises = disguise(rng, brand, zh, rng.random() < params.double_disguise_rate)
                else:
                    brand_text, disguises = exact_form(rng, brand, zh), ["exact"]
                parts = [brand_text, pname, color]
                if covert:
                    phrase = pick(lx.GENUINE_PHRASES_ZH if zh else lx.GENUINE_PHRASES_EN)
                    parts.append(phrase)
                    desc = (f"{brand_text}{pname}，国内商标注册号{seller.local_registration}，手续齐全，正规报关进口。"
                            if zh else f"{brand_text} {pname}. Registered trademark {seller.local_registration}, "
                            "imported with full customs papers.")
                else:
                    if rng.random() < params.trade_term_rate:
                        trade = True
                        term = pick(lx.TRADE_TERMS_ZH if zh else lx.TRADE_TERMS_EN)
                        parts.insert(pick((0, 1, 3)), term)
                    desc_bits = [pick(("质量保证 支持验货", "细节做工一比一", "专柜品质")) if zh else
                                 pick(("Top quality, same as original.", "Real photos, factory price.",
                                             "Best quality, fast shipping."))]
                    if rng.random() < params.contact_cue_rate:
                        cue = True
                        tmpl = pick(lx.CONTACT_TEMPLATES_ZH if zh else lx.CONTACT_TEMPLATES_EN)
                        desc_bits.append(tmpl.format(wx=seller.wechat, phone=seller.phone))
                    desc = " ".join(desc_bits)
                title = " ".join(parts)
            cat = brand.category
            if label != "counterfeit" or rng.random() < 0.3:
                images.append(f"https://img.{brand.text.lower().replace(' ', '')}.example/{product.pid}.jpg")
        elif label == "hard_negative":
            brand = brands[hn_l[i]]
            title = pick(brand.hard_negative_titles)
            if rng.random() < 0.3:
                title = title + " " + pick(("new", "2024", "hot sale", "free shipping", "包邮"))
            desc = "Brand: generic. " + title if not zh else "无品牌 " + title
            price = 10 ** (1.2 + 1.3 * price_l[i]) * (1.0 if zh else 0.14)
            cat = pick(HARD_NEG_CATEGORIES)
            brand_text = ""
        else:
            cat_obj = lx.CATEGORIES[int(prod_l[i] * len(lx.CATEGORIES))]
            generic = pick(cat_obj.unbranded)
            title = f"{generic} {pick(lx.COLORS_EN)}"
            if rng.random() < params.decoy_term_rate:
                title = f"{pick(lx.DECOY_TERMS)} {title}"
            desc = "No brand. Good quality, ships in 48 hours." if not zh else "无品牌，48小时发货。"
            price = 10 ** (1.3 + 1.5 * price_l[i]) * (1.0 if zh else 0.14)
            cat = cat_obj.key
        if label in ("genuine", "parallel_import") and rng.random() < params.decoy_term_rate:
            title = f"{title} {pick(lx.DECOY_TERMS)}"
        images.append(f"https://img.{host}/{lid}_{1 + int(rnd() * 4)}.jpg")
        prices.append(price)
        ratios.append(ratio)
        rec_rows.append((lid, title, desc, "CNY" if zh else "USD", seller.actor_id, seller.name, seller.platform,
                         cat, f"https://{host}/item/{start + i + 1}", seller.country, images, stamp_l[i] + "Z"))
        truth_rows.append((lid, label, brand.mark_id if brand else "", product.pid if product else "",
                           "|".join(disguises), brand_text, seller.actor_id, seller.network_id, trade, cue))
    cols = list(zip(*rec_rows, strict=True)) if rec_rows else [()] * 12
    for name, values in zip(("id", "title", "description", "currency", "seller_id", "seller_name", "platform",
                             "category", "url", "ships_from", "images", "listed_at"), cols, strict=True):
        rec[name] = list(values)
    rec["price"] = np.round(np.asarray(prices, dtype=np.float64), 2).tolist()
    rec = {k: rec[k] for k in ("id", "title", "description", "price", "currency", "seller_id", "seller_name",
                               "platform", "category", "url", "ships_from", "images", "listed_at")}
    tcols = list(zip(*truth_rows, strict=True)) if truth_rows else [()] * 10
    for name, values in zip(("id", "label", "mark_id", "product_id", "disguises", "brand_text", "actor_id",
                             "network_id", "trade_term", "contact_cue"), tcols, strict=True):
        truth[name] = list(values)
    truth["price_ratio"] = np.round(np.asarray(ratios, dtype=np.float64), 3).tolist()
    return ListingTables(rec, truth)
