"""Every profile walked through its paths with the pure engine; deadlines checked by hand (see test_calendars)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from bordermark.cases.engine import Case, Context, TransitionError, advance, allowed_events, apply_event, open_case
from bordermark.cases.profiles import get_profile

BJ = timezone(timedelta(hours=8))
BERLIN_W = timezone(timedelta(hours=1))  # winter
BERLIN_S = timezone(timedelta(hours=2))  # summer
NY = timezone(timedelta(hours=-4))


def new(profile: str, at: datetime, value: str = "5238.31", facts: dict[str, Any] | None = None,
        currency: str | None = None) -> Case:
    p = get_profile(profile)
    c = Case(id="C1", profile=profile, state="", goods_kind="parcel", goods_id="P1", mark_ids=["M1"],
             goods_value=Decimal(value), currency=currency or p.currency, opened_at=at, opened_by="officer",
             facts=dict(facts or {}))
    return open_case(p, c)


def ev(case: Case, name: str, at: datetime, actor: str = "officer", ctx: Context = Context(), **data: Any) -> Case:
    return apply_event(get_profile(case.profile), case, name, at=at, actor=actor, data=data, ctx=ctx)


def due(case: Case, name: str) -> str:
    d = case.deadline(name)
    assert d is not None
    return d.due.isoformat()


# --- China, ex officio -------------------------------------------------------------------------------------------

def test_cn_reply_in_time_then_infringing_penalty_and_disposal() -> None:
    c = new("cn-ex-officio", datetime(2026, 2, 12, 10, tzinfo=BJ))  # before Spring Festival
    assert c.state == "suspended"
    assert due(c, "holder_reply") == "2026-02-24T23:59:59.999999+08:00"
    c = ev(c, "holder_applies", datetime(2026, 2, 24, 23, 0, tzinfo=BJ), "holder", guarantee="5238.31")
    assert c.state == "detained" and c.guarantee and c.guarantee["amount"] == "5238.31"
    assert c.deadline("holder_reply").status == "met"  # type: ignore[union-attr]
    assert {d.name for d in c.open_deadlines()} == {"investigation", "release_without_court_notice"}
    c = ev(c, "appraise", datetime(2026, 3, 2, tzinfo=BJ), value="6000", appraiser="Appraisal Co.")
    assert c.goods_value == Decimal("6000.00") and c.facts["appraisal"]["previous_value"] == "5238.31"
    c = ev(c, "determine_infringing", datetime(2026, 3, 10, tzinfo=BJ), fine="600")
    assert c.state == "infringing"
    assert c.penalty and c.penalty["fine"] == "600.00" and c.penalty["fine_cap"] == "1800.00"
    assert c.deadline("release_without_court_notice").status == "cancelled"  # type: ignore[union-attr]
    with pytest.raises(TransitionError, match=r"exceeds the legal maximum"):
        ev(c, "penalise", datetime(2026, 3, 11, tzinfo=BJ), fine="1800.01")
    c = ev(c, "record_credit", datetime(2026, 3, 11, tzinfo=BJ), party="Shenzhen X Trading")
    with pytest.raises(TransitionError, match=r"give not_usable_for_welfare=yes"):
        ev(c, "dispose", datetime(2026, 3, 12, tzinfo=BJ), method="auction")
    with pytest.raises(TransitionError, match=r"holder_consulted=yes"):
        ev(c, "dispose", datetime(2026, 3, 12, tzinfo=BJ), method="auction", not_usable_for_welfare="yes",
           holder_declines_purchase="yes", features_removed="yes")
    c = ev(c, "dispose", datetime(2026, 3, 12, tzinfo=BJ), method="auction", not_usable_for_welfare="yes",
           holder_declines_purchase="yes", features_removed="yes", holder_consulted="yes")
    assert c.state == "disposed" and c.disposal and c.disposal["ruled_out"] == ["donation", "sale_to_holder"]
    assert c.closed_at is not None


def test_cn_in_person_filing_is_due_at_office_close() -> None:
    c = new("cn-ex-officio", datetime(2026, 2, 12, 10, tzinfo=BJ))
    with pytest.raises(TransitionError, match=r"too late: holder_reply was due 2026-02-24T17:00"):
        ev(c, "holder_applies", datetime(2026, 2, 24, 18, 0, tzinfo=BJ), "holder", guarantee="5238.31",
           filing="in_person")
    assert ev(c, "holder_applies", datetime(2026, 2, 24, 18, 0, tzinfo=BJ), "holder", guarantee="5238.31",
              filing="post").state == "detained"


def test_cn_reply_too_late_finds_goods_released() -> None:
    c = new("cn-ex-officio", datetime(2026, 9, 29, 10, tzinfo=BJ))  # before National Day
    assert due(c, "holder_reply") == "2026-10-09T23:59:59.999999+08:00"
    with pytest.raises(TransitionError, match=r"closed \(released.*holder_reply passed"):
        ev(c, "holder_applies", datetime(2026, 10, 10, 9, tzinfo=BJ), "holder", guarantee="5238.31")


def test_cn_no_reply_released_by_scheduler_with_reason() -> None:
    c = new("cn-ex-officio", datetime(2025, 9, 26, 10, tzinfo=BJ))
    assert due(c, "holder_reply") == "2025-09-30T23:59:59.999999+08:00"  # Sun Sep 28 is a working day
    same = advance(get_profile(c.profile), c, datetime(2025, 9, 30, 23, 0, tzinfo=BJ))
    assert same.state == "suspended"
    c = advance(get_profile(c.profile), c, datetime(2025, 10, 1, 0, 1, tzinfo=BJ))
    assert c.state == "released"
    assert [e.name for e in c.events] == ["open", "deadline_expired", "holder_no_reply"]
    assert c.events[-1].actor == "system" and "Measures Art. 22" in c.events[-1].reason
    assert c.deadline("holder_reply").status == "expired"  # type: ignore[union-attr]


def test_cn_holder_declines_and_not_infringing() -> None:
    c = new("cn-ex-officio", datetime(2026, 3, 2, tzinfo=BJ))
    assert ev(c, "holder_declines", datetime(2026, 3, 3, tzinfo=BJ), "holder").state == "released"
    c = ev(c, "holder_applies", datetime(2026, 3, 3, tzinfo=BJ), "holder", guarantee="6000")
    assert ev(c, "determine_not_infringing", datetime(2026, 3, 20, tzinfo=BJ)).state == "released"


def test_cn_cannot_determine_release_after_50_working_days_or_court_or_guarantee() -> None:
    c = new("cn-ex-officio", datetime(2026, 3, 2, tzinfo=BJ), value="300000")
    c = ev(c, "holder_applies", datetime(2026, 3, 3, tzinfo=BJ), "holder", guarantee="100000")
    # 50 working days from Tue Mar 3 2026 over Qingming (Apr 6), Labour Day (May 1-5, Sat May 9 worked)
    assert due(c, "investigation") == "2026-04-15T23:59:59.999999+08:00"
    assert due(c, "release_without_court_notice") == "2026-05-15T23:59:59.999999+08:00"
    c = ev(c, "determine_cannot", datetime(2026, 4, 10, tzinfo=BJ))
    assert c.state == "undetermined"
    assert ev(c, "court_notice", datetime(2026, 5, 15, 12, tzinfo=BJ), "court").state == "court"
    with pytest.raises(TransitionError, match=r"must equal the goods' value"):
        ev(c, "consignee_guarantee", datetime(2026, 4, 20, tzinfo=BJ), "consignee", guarantee="299999.99")
    assert ev(c, "consignee_guarantee", datetime(2026, 4, 20, tzinfo=BJ), "consignee",
              guarantee="300000").state == "released"
    late = advance(get_profile(c.profile), c, datetime(2026, 5, 16, tzinfo=BJ))
    assert late.state == "released" and late.events[-1].name == "release_no_court_notice"
    assert "Art. 24(2)" in late.events[-1].reason


def test_cn_guarantee_tiers_and_general_guarantee() -> None:
    c = new("cn-ex-officio", datetime(2026, 3, 2, tzinfo=BJ), value="100000")
    with pytest.raises(TransitionError, match=r"below the required 50000.00"):
        ev(c, "holder_applies", datetime(2026, 3, 3, tzinfo=BJ), "holder", guarantee="49999.99")
    with pytest.raises(TransitionError, match=r"needs|missing guarantee"):
        ev(c, "holder_applies", datetime(2026, 3, 3, tzinfo=BJ), "holder")
    covered = ev(c, "holder_applies", datetime(2026, 3, 3, tzinfo=BJ), "holder",
                 ctx=Context(general_guarantee={"id": 7, "year": 2026}))
    assert covered.guarantee and covered.guarantee["form"] == "general"
    assert covered.guarantee["general_guarantee_id"] == 7
    c2 = ev(covered, "charge_cost", datetime(2026, 3, 5, tzinfo=BJ), amount="350.50", kind="storage")
    assert c2.guarantee and c2.guarantee["charged"] == "350.50"


def test_cn_personal_use_and_illegal_transitions() -> None:
    c = new("cn-ex-officio", datetime(2026, 3, 2, tzinfo=BJ))
    with pytest.raises(TransitionError, match=r"not allowed in state 'suspended'.*allowed now: holder_applies"):
        ev(c, "dispose", datetime(2026, 3, 3, tzinfo=BJ), method="destruction")
    with pytest.raises(TransitionError, match=r"applied by the scheduler"):
        ev(c, "holder_no_reply", datetime(2026, 3, 3, tzinfo=BJ))
    with pytest.raises(TransitionError, match=r"unknown event"):
        ev(c, "teleport", datetime(2026, 3, 3, tzinfo=BJ))
    with pytest.raises(TransitionError, match=r"before the case's last event"):
        ev(c, "holder_declines", datetime(2026, 3, 1, tzinfo=BJ))
    c = ev(c, "personal_use_exemption", datetime(2026, 3, 3, tzinfo=BJ), quantity="1")
    assert c.state == "released" and c.facts["personal_use"] is True
    assert allowed_events(get_profile(c.profile), c) == ["charge_cost", "add_evidence", "add_party"]


# --- China, on application ---------------------------------------------------------------------------------------

def test_cn_on_application_release_after_20_working_days() -> None:
    c = new("cn-on-application", datetime(2026, 9, 18, tzinfo=BJ), value="88000")
    assert c.state == "applied"
    with pytest.raises(TransitionError, match=r"below the required 88000.00"):
        ev(c, "detain", datetime(2026, 9, 21, 9, tzinfo=BJ), guarantee="44000")
    c = ev(c, "detain", datetime(2026, 9, 21, 9, tzinfo=BJ), guarantee="88000")
    assert due(c, "release_without_court_notice") == "2026-10-26T23:59:59.999999+08:00"
    assert ev(c, "court_notice", datetime(2026, 10, 26, 16, tzinfo=BJ), "court").state == "court"
    done = advance(get_profile(c.profile), c, datetime(2026, 10, 27, tzinfo=BJ))
    assert done.state == "released" and "Art. 24(1)" in done.events[-1].reason
    assert ev(new("cn-on-application", datetime(2026, 9, 18, tzinfo=BJ)), "reject_application",
              datetime(2026, 9, 19, tzinfo=BJ)).state == "rejected"


# --- United States -----------------------------------------------------------------------------------------------

def test_us_detain_notify_seize_fine_forfeit() -> None:
    c = new("us-cbp", datetime(2026, 7, 1, 9, tzinfo=NY), value="12000", facts={"importer": "ACME"})
    assert due(c, "detention_decision") == "2026-07-09T23:59:59.999999-04:00"  # Jul 3 observed holiday
    assert due(c, "deemed_exclusion") == "2026-07-31T23:59:59.999999-04:00"
    c = ev(c, "detain", datetime(2026, 7, 6, 10, tzinfo=NY))
    assert due(c, "importer_notice") == "2026-07-13T23:59:59.999999-04:00"
    c = ev(c, "notify_importer", datetime(2026, 7, 7, 10, tzinfo=NY))
    assert due(c, "importer_reply") == "2026-07-16T23:59:59.999999-04:00"
    with pytest.raises(TransitionError, match=r"too late"):
        ev(c, "importer_responds", datetime(2026, 7, 17, 10, tzinfo=NY), "importer", response="genuine")
    c = ev(c, "disclose_to_owner", datetime(2026, 7, 17, 11, tzinfo=NY))
    assert c.facts["importer_replied"] is False and c.facts["disclosed_to_owner"] is True
    c = ev(c, "seize", datetime(2026, 7, 20, tzinfo=NY))
    assert c.state == "seized" and c.deadline("deemed_exclusion").status == "met"  # type: ignore[union-attr]
    with pytest.raises(TransitionError, match=r"exceeds the legal maximum 12000.00"):
        ev(c, "penalise", datetime(2026, 7, 21, tzinfo=NY), fine="12000.01")
    c2 = ev(c, "penalise", datetime(2026, 7, 21, tzinfo=NY), fine="20000", prior_seizures="1")
    assert c2.penalty and c2.penalty["fine_cap"] == "24000.00"
    c = ev(c, "forfeit", datetime(2026, 8, 20, tzinfo=NY), method="destruction")
    assert c.state == "forfeited"


def test_us_no_decision_deemed_detained_then_deemed_excluded() -> None:
    c = new("us-cbp", datetime(2026, 11, 23, 9, tzinfo=timezone(timedelta(hours=-5))), value="500")
    p = get_profile("us-cbp")
    assert due(c, "detention_decision").startswith("2026-12-01")  # Thanksgiving Nov 26
    c = advance(p, c, datetime(2026, 12, 2, 12, tzinfo=NY))
    assert c.state == "detained" and c.events[-1].name == "deemed_detained"
    c = advance(p, c, datetime(2027, 1, 1, tzinfo=NY))
    assert c.state == "excluded" and "1499(c)(5)" in c.events[-1].reason
    assert ev(new("us-cbp", datetime(2026, 7, 1, tzinfo=NY)), "release",
              datetime(2026, 7, 2, tzinfo=NY)).state == "released"


# --- European Union ----------------------------------------------------------------------------------------------

def test_eu_holder_confirms_declarant_silent_deemed_consent_destroy() -> None:
    c = new("eu-608", datetime(2026, 12, 21, 9, tzinfo=BERLIN_W), value="900")
    assert c.state == "suspended"
    assert due(c, "holder_confirm") == "2027-01-06T23:59:59.999999+01:00"  # over Christmas and New Year
    c = ev(c, "holder_confirms", datetime(2027, 1, 5, 9, tzinfo=BERLIN_W), "holder")
    assert c.state == "confirmed"
    c = advance(get_profile("eu-608"), c, datetime(2027, 1, 7, tzinfo=BERLIN_W))
    assert c.state == "destruction_agreed" and c.facts["declarant_response"] == "deemed_consent"
    c = ev(c, "destroy", datetime(2027, 1, 8, tzinfo=BERLIN_W), method="destruction")
    assert c.state == "destroyed"


def test_eu_holder_silent_release_and_consent_before_confirmation() -> None:
    c = new("eu-608", datetime(2026, 4, 1, 9, tzinfo=BERLIN_S), value="900")
    assert due(c, "holder_confirm") == "2026-04-17T23:59:59.999999+02:00"  # over Easter
    c = ev(c, "declarant_consents", datetime(2026, 4, 2, tzinfo=BERLIN_S), "declarant")
    assert c.state == "suspended"
    released = advance(get_profile("eu-608"), c, datetime(2026, 4, 18, tzinfo=BERLIN_S))
    assert released.state == "released" and "Art. 23(1)" in released.events[-1].reason
    agreed = ev(c, "holder_confirms", datetime(2026, 4, 17, 20, tzinfo=BERLIN_S), "holder")
    assert agreed.state == "destruction_agreed"


def test_eu_objection_then_proceedings_or_release() -> None:
    c = new("eu-608", datetime(2026, 4, 1, 9, tzinfo=BERLIN_S), value="900")
    c = ev(c, "holder_confirms", datetime(2026, 4, 2, tzinfo=BERLIN_S), "holder")
    c = ev(c, "declarant_objects", datetime(2026, 4, 7, tzinfo=BERLIN_S), "declarant")
    assert c.state == "objected"
    assert due(c, "court_proceedings") == "2026-04-17T23:59:59.999999+02:00"
    assert ev(c, "proceedings_started", datetime(2026, 4, 16, tzinfo=BERLIN_S), "holder").state == "court"
    gone = advance(get_profile("eu-608"), c, datetime(2026, 4, 18, tzinfo=BERLIN_S))
    assert gone.state == "released" and gone.events[-1].name == "no_proceedings"


def test_eu_perishables_three_days_no_extension_and_member_state_calendar() -> None:
    de = new("eu-608", datetime(2026, 4, 1, 9, tzinfo=BERLIN_S), value="50", facts={"perishable": True})
    assert due(de, "holder_confirm") == "2026-04-08T23:59:59.999999+02:00"
    with pytest.raises(TransitionError, match=r"cannot be extended"):
        ev(de, "extend", datetime(2026, 4, 2, tzinfo=BERLIN_S), "holder")
    fr = new("eu-608", datetime(2026, 4, 1, 9, tzinfo=BERLIN_S), value="50",
             facts={"perishable": True, "member_state": "FR"})
    assert due(fr, "holder_confirm") == "2026-04-07T23:59:59.999999+02:00"  # Good Friday worked in France
    normal = new("eu-608", datetime(2026, 4, 1, 9, tzinfo=BERLIN_S), value="50")
    longer = ev(normal, "extend", datetime(2026, 4, 10, tzinfo=BERLIN_S), "holder")
    assert due(longer, "holder_confirm") == "2026-05-04T23:59:59.999999+02:00"  # +10 over May Day
    with pytest.raises(TransitionError, match=r"exceeds the maximum 10"):
        ev(longer, "extend", datetime(2026, 4, 11, tzinfo=BERLIN_S), "holder", days="1")


def test_eu_small_consignment_with_and_without_objection() -> None:
    c = new("eu-608", datetime(2026, 12, 21, 9, tzinfo=BERLIN_W), value="40", facts={"small_consignment": True})
    assert c.state == "sc_suspended" and due(c, "sc_notify_declarant") == "2026-12-22T23:59:59.999999+01:00"
    assert c.deadline("holder_confirm") is None  # the right holder is not involved
    c = ev(c, "notify_declarant", datetime(2026, 12, 22, 10, tzinfo=BERLIN_W))
    assert due(c, "sc_declarant_reply") == "2027-01-07T23:59:59.999999+01:00"
    silent = advance(get_profile("eu-608"), c, datetime(2027, 1, 8, tzinfo=BERLIN_W))
    assert silent.state == "destruction_agreed" and "Art. 26(5)" in silent.events[-1].reason
    objected = ev(c, "sc_declarant_objects", datetime(2027, 1, 4, tzinfo=BERLIN_W), "declarant")
    assert objected.state == "sc_objected"
    assert due(objected, "sc_court_proceedings") == "2027-01-18T23:59:59.999999+01:00"
    assert ev(objected, "sc_proceedings_started", datetime(2027, 1, 15, tzinfo=BERLIN_W),
              "holder").state == "court"
    assert advance(get_profile("eu-608"), objected, datetime(2027, 1, 19, tzinfo=BERLIN_W)).state == "released"
