"""The audit chain on SQLite and PostgreSQL: intact logs verify, any edited, deleted or inserted entry is found."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bordermark import audit
from bordermark.store import Store
from bordermark.store.audit_tables import AuditEntryRow
from tests.concurrency import run_in_threads


def _fill(store: Store, n: int = 5) -> None:
    with store.session() as s:
        for i in range(n):
            audit.append(s, actor=f"officer{i % 2}", action="case.event", entity_type="case", entity_id=f"C{i}",
                         before={"state": "a", "n": i}, after={"state": "b", "value": Decimal("12.50")},
                         at=datetime(2026, 1, 1, 12, i, tzinfo=UTC))


def _drop_triggers(store: Store) -> None:
    """An attacker with DBA rights can drop the append-only triggers; the chain must still catch them."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_intact_log_verifies(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        report = audit.verify(s)
        assert report.ok, report.problems
        assert report.entries == 5 and report.head_seq == 5
        got = audit.entries(s, entity_type="case", entity_id="C3")
    assert len(got) == 1
    assert got[0].after == {"state": "b", "value": "12.50"} and got[0].before == {"state": "a", "n": 3}
    assert got[0].actor == "officer1"


def test_empty_log_verifies(store: Store) -> None:
    with store.session() as s:
        report = audit.verify(s)
    assert report.ok and report.entries == 0


def test_database_refuses_update_and_delete(store: Store) -> None:
    _fill(store, 2)
    for sql in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(sql))


@pytest.mark.parametrize("sql, bad_seq", [
    ("UPDATE audit_log SET after = '{\"state\":\"released\"}' WHERE seq = 3", 3),
    ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", 1),
    ("DELETE FROM audit_log WHERE seq = 2", 3),
    ("DELETE FROM audit_log WHERE seq = 5", 5),
])
def test_tampering_is_detected(store: Store, sql: str, bad_seq: int) -> None:
    _fill(store)
    _drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(text(sql))
    with store.session() as s:
        report = audit.verify(s)
    assert not report.ok
    assert report.first_bad_seq == bad_seq, report.problems


def test_rehashed_edit_still_breaks_the_next_link(store: Store) -> None:
    """Recomputing the edited entry's own hash does not help: the next entry links to the old hash."""
    _fill(store)
    _drop_triggers(store)
    with store.session() as s:
        row = s.get(AuditEntryRow, 2)
        assert row is not None
        forged = audit.entry_hash(2, row.at, "mallory", row.action, row.entity_type, row.entity_id,
                                  row.before, row.after, row.prev_hash)
        s.execute(text("UPDATE audit_log SET actor = 'mallory', hash = :h WHERE seq = 2"), {"h": forged})
    with store.session() as s:
        report = audit.verify(s)
    assert not report.ok and report.first_bad_seq == 3


@pytest.mark.postgres
def test_concurrent_appends_keep_one_chain(postgres: object) -> None:
    """Writers in parallel transactions never fork the chain: the head row serialises them."""
    from bordermark.store import open_store

    store = open_store(postgres.create_database())  # type: ignore[attr-defined]

    def worker(k: int) -> None:
        for i in range(10):
            with store.session() as s:
                audit.append(s, actor=f"w{k}", action="x", entity_type="t", entity_id=f"{k}-{i}")

    errors = run_in_threads(worker, 4)
    assert not errors, errors
    with store.session() as s:
        report = audit.verify(s)
    store.dispose()
    assert report.ok, report.problems
    assert report.entries == 40


def test_entries_are_chained_at_commit_and_vanish_on_rollback(store: Store) -> None:
    """Entries are queued in the transaction and chained when it commits; a rolled-back transaction or
    savepoint leaves no entry behind, and the log read inside the transaction includes its own entries."""
    with store.session() as s:
        kept = audit.append(s, actor="a", action="x", entity_type="t", entity_id="1")
        assert kept.seq == 0 and kept.hash == ""  # not chained yet
        try:
            with s.begin_nested():
                audit.append(s, actor="a", action="x", entity_type="t", entity_id="savepoint")
                raise RuntimeError("undo the savepoint")
        except RuntimeError:
            pass
        assert [e.entity_id for e in audit.entries(s)] == ["1"]  # read inside the transaction: chained now
        assert kept.seq == 1 and len(kept.hash) == 64
        audit.append(s, actor="a", action="x", entity_type="t", entity_id="2")
    with pytest.raises(RuntimeError), store.session() as s:
        audit.append(s, actor="a", action="x", entity_type="t", entity_id="rolled back")
        raise RuntimeError("undo the transaction")
    with store.session() as s:
        report = audit.verify(s)
        ids = [e.entity_id for e in audit.entries(s)]
    assert report.ok, report.problems
    assert ids == ["1", "2"] and report.head_seq == 2


def test_single_entry_transactions_chain_like_batches(store: Store) -> None:
    """A transaction with one entry takes the one-statement path on PostgreSQL (entry insert and head update in
    one data-modifying CTE); its entries must chain and read back exactly like the batched path's."""
    at = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=UTC)
    for i in range(3):
        with store.session() as s:
            audit.append(s, actor="solo", action="mark.update", entity_type="mark", entity_id=f"M{i}",
                         before={"famous": False, "n": i}, after={"famous": True, "text": "阿尔法"}, at=at)
    _fill(store, 2)  # then a batch of two in one transaction
    with store.session() as s:
        report = audit.verify(s)
        got = audit.entries(s)
    assert report.ok, report.problems
    assert [e.seq for e in got] == [1, 2, 3, 4, 5] and report.head_hash == got[-1].hash
    assert [e.prev_hash for e in got[1:]] == [e.hash for e in got[:-1]]
    first = got[0]
    assert (first.actor, first.entity_id, first.at, first.before, first.after) == (
        "solo", "M0", at, {"famous": False, "n": 0}, {"famous": True, "text": "阿尔法"})
    assert first.hash == audit.entry_hash(1, at, "solo", "mark.update", "mark", "M0", '{"famous":false,"n":0}',
                                          '{"famous":true,"text":"阿尔法"}', "0" * 64)
