"""The world's own consistency: every reference resolves, every record validates, truth agrees with data."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from pypinyin import Style, pinyin

from bordermark.domain import Declaration, Listing, Parcel, TrademarkFiling
from bordermark.sim.lexicon import ORDINARY_MARKS
from bordermark.sim.reader import WorldReader as World

FAKE = {"counterfeit", "covert_counterfeit"}


def _registered_forms(world: World) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in world.csv("registry/marks.csv"):
        forms = {row["mark"].casefold()}
        for cell in filter(None, row["aliases"].split("|")):
            forms.add(cell.rsplit("[", 1)[0].casefold())
        out[row["id"]] = forms
    return out


def test_every_record_validates_against_the_domain_models(world: World) -> None:
    for row in world.jsonl("listings"):
        Listing.model_validate(row)
    for row in world.jsonl("declarations"):
        assert Declaration.model_validate(row).items
    for row in world.jsonl("parcels"):
        Parcel.model_validate(row)
    for row in world.jsonl("filings"):
        TrademarkFiling.model_validate(row)


def test_every_reference_resolves(world: World) -> None:
    marks = {r["id"] for r in world.csv("registry/marks.csv")}
    actors = world.truth("actors")
    sellers = {r["seller_id"] for r in world.jsonl("sellers")}
    assert sellers <= set(actors)
    listings = world.truth("listings")
    assert [r["id"] for r in world.jsonl("listings")] == list(listings)
    for row in world.jsonl("listings"):
        assert row["seller_id"] in sellers
        t = listings[row["id"]]
        assert t["actor_id"] == row["seller_id"]
        assert t["mark_id"] == "" or t["mark_id"] in marks
        assert actors[t["actor_id"]]["network_id"] == t["network_id"]
    for name in ("declarations", "parcels"):
        truth = world.truth(name)
        assert [r["id"] for r in world.jsonl(name)] == list(truth)
        for t in truth.values():
            assert t["actor_id"] in actors
            assert t["mark_id"] == "" or t["mark_id"] in marks
            if t["label"] != "unbranded":
                assert t["mark_id"], t
    decls = {r["id"] for r in world.jsonl("declarations")}
    parcels = {r["id"] for r in world.jsonl("parcels")}
    for r in world.csv("inspections.csv"):
        assert r["record_id"] in (decls if r["record_kind"] == "declaration" else parcels)
    prov = world.truth("provenance")
    assert [r["id"] for r in world.jsonl("provenance")] == list(prov)
    for r in world.jsonl("provenance"):
        assert r["declaration_id"] in decls
        assert prov[r["id"]]["mark_id"] in marks
    for t in world.truth("filings").values():
        assert t["target_mark_id"] == "" or t["target_mark_id"] in marks
        assert (t["is_squat"] == "true") <= bool(t["target_mark_id"])
    for a in actors.values():
        assert a["target_mark_id"] == "" or a["target_mark_id"] in marks


def test_disguised_names_differ_from_every_registered_form_and_appear_in_the_title(world: World) -> None:
    forms = _registered_forms(world)
    truth = world.truth("listings")
    kinds: dict[str, int] = defaultdict(int)
    for row in world.jsonl("listings"):
        t = truth[row["id"]]
        if t["brand_text"]:
            assert t["brand_text"] in row["title"]
        if t["label"] != "counterfeit":
            continue
        for kind in t["disguises"].split("|"):
            kinds[kind] += 1
        if t["disguises"] == "exact":
            assert t["brand_text"].casefold() in forms[t["mark_id"]]
        else:
            assert t["brand_text"].casefold() not in forms[t["mark_id"]], (t, row["title"])
    for kind in ("exact", "homoglyph", "spacing", "leetspeak", "misspelling", "partial", "chinese_nickname",
                 "homophone"):
        assert kinds[kind] > 0, f"no counterfeit listing uses {kind}"


def _sounds_alike(a: str, b: str) -> bool:
    """Same length and, character by character, a reading in common (heteronyms such as 乐 le/yue count)."""
    def readings(c: str) -> set[str]:
        return set(pinyin(c, style=Style.NORMAL, heteronym=True)[0])

    return len(a) == len(b) and all(readings(x) & readings(y) for x, y in zip(a, b, strict=True))


def test_homophones_sound_like_the_registered_chinese_name(world: World) -> None:
    marks = {r["id"]: r for r in world.csv("registry/marks.csv")}
    seen = 0
    for t in world.truth("listings").values():
        if t["disguises"] != "homophone":
            continue
        zh = [c.rsplit("[", 1)[0] for c in marks[t["mark_id"]]["aliases"].split("|")
              if c.endswith(("[transliteration]", "[variant]"))]
        assert any(_sounds_alike(z, t["brand_text"]) and z != t["brand_text"] for z in zh), t
        seen += 1
    assert seen > 10


def test_hard_negatives_use_the_ordinary_word_but_are_not_brand_listings(world: World) -> None:
    marks = {r["id"]: r["mark"] for r in world.csv("registry/marks.csv")}
    ordinary = {m for m, _, _ in ORDINARY_MARKS}
    listings = {r["id"]: r for r in world.jsonl("listings")}
    n = 0
    for t in world.truth("listings").values():
        if t["label"] == "hard_negative":
            word = marks[t["mark_id"]]
            assert word in ordinary
            probe = "channel" if word == "CHANNELLE" else word.casefold()
            assert probe in listings[t["id"]]["title"].casefold()
            n += 1
    assert n > 100


def test_prices_follow_the_genuine_bands(world: World) -> None:
    bands: dict[tuple[str, str, str], list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for row in world.csv("registry/products.csv"):
        bands[(row["holder"], row["mark"], row["currency"])].append(
            (Decimal(row["price_low"]), Decimal(row["price_high"])))
    holder_of = {r["id"]: (r["holder"], r["mark"]) for r in world.csv("registry/marks.csv")}
    listings = {r["id"]: r for r in world.jsonl("listings")}
    cheap = total = 0
    for t in world.truth("listings").values():
        if t["label"] not in ("genuine", "counterfeit", "parallel_import"):
            continue
        row = listings[t["id"]]
        matches = bands[(*holder_of[t["mark_id"]], row["currency"])]
        assert matches
        price = Decimal(str(row["price"]))
        if t["label"] == "genuine":
            assert any(lo - 1 <= price <= hi + 1 for lo, hi in matches), (row, matches)
        elif t["label"] == "parallel_import":
            assert any(price < lo for lo, _ in matches), (row, matches)
        else:
            total += 1
            cheap += float(t["price_ratio"]) < 0.5
    assert 0.6 < cheap / total < 0.98  # far below the band, but not always


def test_seller_networks_share_contact_details(world: World) -> None:
    sellers = {r["seller_id"]: r for r in world.jsonl("sellers")}
    actors = world.truth("actors")
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for sid, s in sellers.items():
        if actors[sid]["network_id"]:
            groups[actors[sid]["network_id"]].append(s)
    assert len(groups) >= 10

    def keys(s: dict[str, str]) -> set[str]:
        digits = "".join(c for c in s["phone"] if c.isdigit())
        return {"p" + digits[-11:], "e" + s["email"].casefold(), "a" + s["address"], "$" + s["payment_account"],
                "w" + s["wechat"]}

    for members in groups.values():
        assert len(members) >= 2
        # connected: every member shares a normalised detail with some other member
        for m in members:
            assert any(keys(m) & keys(o) for o in members if o is not m)
        for a in (actors[m["seller_id"]] for m in members):
            assert a["kind"] == "counterfeiter"


def test_covert_counterfeits_carry_complete_papers_and_a_local_registration(world: World) -> None:
    prov = {r["id"]: r for r in world.jsonl("provenance")}
    truth = world.truth("provenance")
    decl_truth = world.truth("declarations")
    verdicts = defaultdict(int)
    for pid, t in truth.items():
        verdicts[t["verdict"]] += 1
        docs = prov[pid]["documents"]
        if t["verdict"] == "covert_counterfeit":
            assert decl_truth[t["declaration_id"]]["label"] == "covert_counterfeit"
            assert docs["local_trademark_registration"]["holder"] == prov[pid]["importer"]
            for d in ("certificate_of_origin", "commercial_invoice", "inspection_certificate", "transport_document"):
                assert docs[d], d
        if t["verdict"] == "genuine_authorised":
            assert docs["authorisation_letter"]
        if t["verdict"] == "parallel_import":
            assert docs["authorisation_letter"] is None and docs["commercial_invoice"]
    assert set(verdicts) == {"genuine_authorised", "parallel_import", "covert_counterfeit", "counterfeit",
                             "insufficient_evidence"}
    covert_decls = [k for k, t in decl_truth.items() if t["label"] == "covert_counterfeit"]
    assert covert_decls and {t["declaration_id"] for t in truth.values()} >= set(covert_decls)


def test_inspection_outcomes_agree_with_the_truth(world: World) -> None:
    truth = {**world.truth("declarations"), **world.truth("parcels")}
    for r in world.csv("inspections.csv"):
        t = truth[r["record_id"]]
        if t["label"] == "counterfeit":
            assert r["outcome"] == "counterfeit"
        elif t["label"] == "covert_counterfeit":
            assert r["outcome"] in ("counterfeit", "clear")
        elif t["violation"] == "true":
            assert r["outcome"] == "violation"
        else:
            assert r["outcome"] == "clear"


def test_squats_target_famous_marks_and_differ_or_come_from_strangers(world: World) -> None:
    marks = {r["id"]: r for r in world.csv("registry/marks.csv")}
    filings = {r["id"]: r for r in world.jsonl("filings")}
    kinds = defaultdict(int)
    for fid, t in world.truth("filings").items():
        if t["is_squat"] != "true":
            if t["applicant_kind"] == "holder":
                assert filings[fid]["applicant"] == marks[t["target_mark_id"]]["holder"]
            continue
        kinds[t["squat_kind"]] += 1
        mark = marks[t["target_mark_id"]]
        assert mark["famous"] == "true"
        assert filings[fid]["applicant"] != mark["holder"]
        if t["squat_kind"] != "transliteration":
            assert filings[fid]["mark_text"] != mark["mark"]
    assert set(kinds) == {"transliteration", "added_word", "lookalike"}
