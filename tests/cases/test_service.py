"""The case service on SQLite and PostgreSQL: persistence, audit entries, scheduler, general guarantee, and
optimistic locking proven by racing two real PostgreSQL transactions."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bordermark import audit
from bordermark.cases import service
from bordermark.cases.engine import TransitionError
from bordermark.store import Store, open_store

BJ = timezone(timedelta(hours=8))


def _open(s: Session, at: datetime, value: str = "5238.31", holder: str | None = "H1") -> str:
    doc = service.open_case(s, profile="cn-ex-officio", mark_ids=["M00042"], goods_kind="declaration",
                            goods_id="D-1", goods_value=value, currency="CNY", actor="officer1", at=at,
                            holder_id=holder, facts={"consignor": "Shenzhen X"})
    return str(doc["id"])


def test_case_lifecycle_is_persisted_and_audited(store: Store) -> None:
    with store.session() as s:
        cid = _open(s, datetime(2026, 2, 12, 10, tzinfo=BJ))
    with store.session() as s:
        doc = service.apply_event(s, cid, "holder_applies", actor="holder1", at=datetime(2026, 2, 24, 9, tzinfo=BJ),
                                  data={"guarantee": "5238.31"})
        assert doc["version"] == 2
    with store.session() as s:
        doc = service.apply_event(s, cid, "determine_infringing", actor="officer2",
                                  at=datetime(2026, 3, 5, tzinfo=BJ), data={"fine": "600"})
    with store.session() as s:
        doc = service.get_case(s, cid, read_by="auditor")
        trail = audit.entries(s, entity_type="case", entity_id=cid)
        report = audit.verify(s)
    assert doc["state"] == "infringing" and doc["version"] == 3
    assert doc["penalty"]["fine"] == "600.00" and doc["guarantee"]["amount"] == "5238.31"
    assert [e["name"] for e in doc["events"]] == ["open", "holder_applies", "determine_infringing"]
    assert {d["name"]: d["status"] for d in doc["deadlines"]} == {
        "holder_reply": "met", "investigation": "met", "release_without_court_notice": "cancelled"}
    assert doc["deadlines"][0]["due"] == "2026-02-24T23:59:59.999999+08:00"
    actions = [e.action for e in trail]
    assert actions[0] == "case.open" and actions[-1] == "case.read"
    assert "case.event.holder_applies" in actions and "case.event.determine_infringing" in actions
    fields = next(e for e in trail if e.action == "case.fields" and e.actor == "officer2")
    assert fields.before["state"] == "detained" and fields.after["state"] == "infringing"
    assert fields.after["penalty"]["fine"] == "600.00"
    assert report.ok
    with store.session() as s:
        rows = service.list_cases(s, state="infringing")
        assert [r["id"] for r in rows] == [cid]
        assert service.list_cases(s, mark_id="M99") == []
        assert [e["name"] for e in service.allowed_events(s, cid)][:2] == ["penalise", "record_credit"]


def test_refused_event_changes_nothing(sqlite_store: Store) -> None:
    with sqlite_store.session() as s:
        cid = _open(s, datetime(2026, 2, 12, 10, tzinfo=BJ))
    with pytest.raises(TransitionError, match="below the required"), sqlite_store.session() as s:
        service.apply_event(s, cid, "holder_applies", actor="h", at=datetime(2026, 2, 13, tzinfo=BJ),
                            data={"guarantee": "1"})
    with sqlite_store.session() as s:
        doc = service.get_case(s, cid)
        assert doc["state"] == "suspended" and doc["version"] == 1
        assert len(audit.entries(s, entity_id=cid)) == 1


def test_tick_releases_when_holder_did_not_reply(store: Store) -> None:
    with store.session() as s:
        late = _open(s, datetime(2026, 9, 29, 10, tzinfo=BJ))
        fresh = _open(s, datetime(2026, 10, 9, 10, tzinfo=BJ))
    with store.session() as s:
        report = service.tick(s, now=datetime(2026, 10, 10, 8, tzinfo=BJ))
    assert [r["case_id"] for r in report] == [late]
    assert [a["event"] for a in report[0]["applied"]] == ["deadline_expired", "holder_no_reply"]
    assert "Measures Art. 22" in report[0]["applied"][1]["reason"]
    with store.session() as s:
        assert service.get_case(s, late)["state"] == "released"
        assert service.get_case(s, fresh)["state"] == "suspended"
        assert service.tick(s, now=datetime(2026, 10, 10, 8, tzinfo=BJ)) == []
        assert audit.verify(s).ok
        assert any(e.actor == "system" for e in audit.entries(s, entity_id=late))


def test_general_guarantee_covers_the_holder_for_the_year(sqlite_store: Store) -> None:
    with sqlite_store.session() as s:
        g = service.add_general_guarantee(s, holder_id="H1", year=2026, actor="gacc", last_year_costs="0",
                                          approved_at=datetime(2026, 1, 5, tzinfo=BJ))
        assert g["amount"] == "200000.00" and g["letter_valid_until"] == "2027-06-30"
        covered = _open(s, datetime(2026, 3, 2, tzinfo=BJ), value="150000")
        other = _open(s, datetime(2026, 3, 2, tzinfo=BJ), value="150000", holder="H2")
    with sqlite_store.session() as s:
        doc = service.apply_event(s, covered, "holder_applies", actor="h", at=datetime(2026, 3, 3, tzinfo=BJ))
        assert doc["guarantee"]["form"] == "general"
        doc = service.apply_event(s, covered, "charge_cost", actor="officer", at=datetime(2026, 3, 4, tzinfo=BJ),
                                  data={"amount": "800", "kind": "storage"})
        assert doc["guarantee"]["charged"] == "800.00"
        with pytest.raises(TransitionError, match="missing guarantee"):
            service.apply_event(s, other, "holder_applies", actor="h", at=datetime(2026, 3, 3, tzinfo=BJ))
    from bordermark.store.case_tables import GeneralGuaranteeRow

    with sqlite_store.session() as s:
        row = s.get(GeneralGuaranteeRow, g["id"])
        assert row is not None and Decimal(str(row.charged)) == Decimal("800.00")


def test_stale_version_is_a_conflict(sqlite_store: Store) -> None:
    with sqlite_store.session() as s:
        cid = _open(s, datetime(2026, 3, 2, tzinfo=BJ))
    with pytest.raises(service.ConflictError, match="version 1, not 0"), sqlite_store.session() as s:
        service.apply_event(s, cid, "add_evidence", actor="o", at=datetime(2026, 3, 2, 1, tzinfo=BJ),
                            data={"ref": "photo1"}, expected_version=0)


@pytest.mark.postgres
def test_two_officers_race_on_postgres_one_wins_one_conflicts(postgres: object) -> None:
    """Two real transactions read version 1; A writes (holding the row), B's write waits, then finds the version
    gone and gets ConflictError. A's change and its audit entries survive; nothing of B's is written."""
    store = open_store(postgres.create_database())  # type: ignore[attr-defined]
    try:
        with store.session() as s:
            cid = _open(s, datetime(2026, 3, 2, tzinfo=BJ), value="300000")
        sa, sb = Session(store.engine, expire_on_commit=False), Session(store.engine, expire_on_commit=False)
        service.get_case(sa, cid)
        service.get_case(sb, cid)  # both transactions have now read version 1
        service.apply_event(sa, cid, "holder_applies", actor="officerA", at=datetime(2026, 3, 3, tzinfo=BJ),
                            data={"guarantee": "100000"})  # flushed: A holds the row lock, not yet committed
        outcome: dict[str, BaseException | None] = {}
        started = threading.Event()

        def officer_b() -> None:
            started.set()
            try:
                service.apply_event(sb, cid, "holder_declines", actor="officerB",
                                    at=datetime(2026, 3, 3, 1, tzinfo=BJ))
                sb.commit()
                outcome["b"] = None
            except BaseException as exc:
                sb.rollback()
                outcome["b"] = exc

        t = threading.Thread(target=officer_b)
        t.start()
        started.wait()
        waiting = 0
        with store.engine.connect() as watch:  # wait until B is really blocked on A's row lock
            for _ in range(300):
                waiting = watch.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                                        ).scalar_one()
                if waiting or not t.is_alive():
                    break
                time.sleep(0.05)
        assert waiting == 1, "B must be blocked on A's uncommitted update"
        sa.commit()
        t.join(timeout=30)
        assert isinstance(outcome.get("b"), service.ConflictError)
        sa.close()
        sb.close()
        with store.session() as s:
            doc = service.get_case(s, cid)
            assert doc["state"] == "detained" and doc["version"] == 2
            assert [e["actor"] for e in doc["events"]] == ["officer1", "officerA"]
            trail = audit.entries(s, entity_id=cid)
            assert {e.actor for e in trail} == {"officer1", "officerA"}
            assert audit.verify(s).ok
    finally:
        store.dispose()


def test_time_without_zone_is_local_to_the_office(sqlite_store: Store) -> None:
    with sqlite_store.session() as s:
        doc = service.open_case(s, profile="cn-ex-officio", mark_ids=["M1"], goods_kind="parcel", goods_id="P",
                                goods_value="10", currency="CNY", actor="o", at=datetime(2026, 2, 12, 23, 30))
    assert doc["opened_at"] == "2026-02-12T23:30:00+08:00"
    assert doc["deadlines"][0]["due"] == "2026-02-24T23:59:59.999999+08:00"
    with sqlite_store.session() as s:  # read back from SQLite, which keeps no zone: times are stored as UTC
        back = service.get_case(s, doc["id"])
        assert back["opened_at"] == "2026-02-12T23:30:00+08:00" and back["events"][0]["at"] == back["opened_at"]
        assert service.tick(s, now=datetime(2026, 2, 24, 23, 0, tzinfo=BJ)) == []
        assert [r["case_id"] for r in service.tick(s, now=datetime(2026, 2, 25, 0, 30, tzinfo=BJ))] == [doc["id"]]
