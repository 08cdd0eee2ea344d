"""Stated rates hold within tolerance: listing mix, customs violation and counterfeit rates, split thresholds."""

from __future__ import annotations

from collections import Counter, defaultdict

from bordermark.sim import SimParams
from bordermark.sim.reader import WorldReader


def test_listing_mix_follows_the_parameters(world: WorldReader) -> None:
    mix = SimParams().listing_mix
    wanted = {"counterfeit": mix.counterfeit, "parallel_import": mix.parallel_import, "genuine": mix.genuine,
              "unbranded": mix.unbranded, "hard_negative": mix.hard_negative}
    total = sum(wanted.values())
    labels = Counter(t["label"] for t in world.truth("listings").values())
    n = sum(labels.values())
    for label, share in wanted.items():
        assert abs(labels[label] / n - share / total) < 0.02, (label, labels[label] / n)


def test_obfuscation_rate_holds(world: WorldReader) -> None:
    actors = world.truth("actors")
    fakes = [t for t in world.truth("listings").values() if t["label"] == "counterfeit"
             and actors[t["actor_id"]]["kind"] == "counterfeiter"]
    disguised = sum(t["disguises"] != "exact" for t in fakes) / len(fakes)
    assert abs(disguised - SimParams().obfuscation_rate) < 0.05


def test_customs_records_have_about_14_percent_violations_and_5_percent_counterfeits(world: WorldReader) -> None:
    rows = [*world.truth("declarations").values(), *world.truth("parcels").values()]
    violation = sum(r["violation"] == "true" for r in rows) / len(rows)
    fake = sum(r["label"] in ("counterfeit", "covert_counterfeit") for r in rows) / len(rows)
    assert 0.12 < violation < 0.16, violation
    assert 0.04 < fake < 0.06, fake
    inspections = world.csv("inspections.csv")
    rand = [r for r in inspections if r["selected_by"] == "random"]
    target = [r for r in inspections if r["selected_by"] == "target"]
    hit_rand = sum(r["outcome"] != "clear" for r in rand) / len(rand)
    hit_target = sum(r["outcome"] != "clear" for r in target) / len(target)
    assert 0.08 < hit_rand < 0.20, hit_rand  # ~300 random inspections in the small world: wide tolerance
    assert hit_target > 2 * hit_rand  # targeting finds more than chance


def test_split_series_stay_under_each_limit_while_the_whole_exceeds_it(world: WorldReader) -> None:
    p = SimParams()
    parcels = {r["id"]: r for r in world.jsonl("parcels")}
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    for pid, t in world.truth("parcels").items():
        if t["split_group"]:
            groups[t["split_group"]].append(parcels[pid])
            assert t["violation"] == "true"
    assert len(groups) >= 5
    share = sum(len(g) for g in groups.values()) / len(parcels)
    assert abs(share - p.split_parcel_share) < 0.015
    for members in groups.values():
        currency = {m["currency"] for m in members}
        assert len(currency) == 1
        values = [float(m["declared_value"]) for m in members]  # type: ignore[arg-type]
        if currency == {"USD"}:
            assert max(values) < p.de_minimis_usd and sum(values) > p.de_minimis_usd
        else:
            assert max(values) < p.cn_order_limit_cny and sum(values) > p.cn_annual_limit_cny
        # the series can be resolved to one person: phone or address or ID prefix recurs
        phones = Counter(str(m["consignee_phone"])[-8:] for m in members)
        assert phones.most_common(1)[0][1] >= 2 or len(members) == 2


def test_squat_share_holds(world: WorldReader) -> None:
    truth = list(world.truth("filings").values())
    squats = sum(t["is_squat"] == "true" for t in truth) / len(truth)
    assert abs(squats - SimParams().squat_share) < 0.03
