"""Hash-chained, append-only audit log.

Why a hash chain: each entry's hash covers its own content and the previous entry's hash, so changing any stored
field, deleting an entry or inserting one breaks every link after it. :func:`verify` recomputes the chain; the
head (newest sequence number and hash) can be copied elsewhere (a report, a ticket) to anchor the log against
someone who rewrites the whole tail.

Why the caller's session: the audit entry must commit in the same transaction as the change it records.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction

from bordermark.store.audit_tables import GENESIS_HASH, AuditEntryRow, AuditHeadRow

_HEAD = cast(Table, AuditHeadRow.__table__)
_LOG = cast(Table, AuditEntryRow.__table__)


@dataclass
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "at": format_time(self.at), "actor": self.actor, "action": self.action,
            "entity_type": self.entity_type, "entity_id": self.entity_id, "before": self.before,
            "after": self.after, "prev_hash": self.prev_hash, "hash": self.hash,
        }


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problems: list[str] = field(default_factory=list)
    first_bad_seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def canonical_json(value: Any) -> str | None:
    """One text per value (sorted keys, no spaces), so that hashing is reproducible."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def format_time(at: datetime) -> str:
    """UTC with microseconds; naive datetimes (SQLite drops the zone) are taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(seq: int, at: datetime, actor: str, action: str, entity_type: str, entity_id: str,
               before: str | None, after: str | None, prev_hash: str) -> str:
    """SHA-256 over the canonical fields of one entry and the previous hash (pure)."""
    payload = json.dumps([seq, format_time(at), actor, action, entity_type, entity_id, before, after, prev_hash],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_PENDING = "bordermark_audit_pending"
_MARKS = "bordermark_audit_savepoints"


_LOG_COLS = ("seq", "at", "actor", "action", "entity_type", "entity_id", "before", "after", "prev_hash", "hash")
# Built once: constructing and cache-keying a statement per append cost more CPU than PostgreSQL's work on it.
_ADVANCE = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + bindparam("n"))
            .returning(_HEAD.c.seq, _HEAD.c.hash))
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("head_hash"))
# PostgreSQL: the new entry and the head's hash in one statement (a data-modifying CTE), one round trip less
# while the head lock is held.
_INSERT_ONE_SET_HEAD = _SET_HEAD_HASH.add_cte(
    insert(_LOG).values({c: bindparam(f"e_{c}", type_=_LOG.c[c].type) for c in _LOG_COLS}).cte("audit_new"))


def _reserve(session: Session, n: int) -> tuple[int, str]:
    """Advance the head by ``n`` (locking it until commit); return the first new sequence number and the
    previous hash. One statement: ``UPDATE ... RETURNING``."""
    conn = session.connection()  # Core on the session's connection: same transaction, no ORM flush overhead
    row = conn.execute(_ADVANCE, {"n": n}).one_or_none()
    if row is None:  # a database created without the migration's seed row
        conn.execute(insert(_HEAD).values(id=1, seq=n, hash=GENESIS_HASH))
        return 1, GENESIS_HASH
    return int(row[0]) - n + 1, str(row[1])


def flush_pending(session: Session) -> None:
    """Chain and write the entries appended in this transaction (called at commit, and before reading the log).

    Why at the very end: the head row is the one lock every audited write shares. Taking it at commit, after the
    request's own work, holds it only for one UPDATE, one INSERT and the COMMIT itself, so writers no longer
    queue behind each other's whole request. Several entries of one transaction take the lock once.
    """
    pending: list[tuple[AuditEntry, str | None, str | None]] = session.info.pop(_PENDING, None) or []
    if not pending:
        return
    seq, prev = _reserve(session, len(pending))
    rows = []
    for entry, before_text, after_text in pending:
        digest = entry_hash(seq, entry.at, entry.actor, entry.action, entry.entity_type, entry.entity_id,
                            before_text, after_text, prev)
        entry.seq, entry.prev_hash, entry.hash = seq, prev, digest
        rows.append({"seq": seq, "at": entry.at, "actor": entry.actor, "action": entry.action,
                     "entity_type": entry.entity_type, "entity_id": entry.entity_id, "before": before_text,
                     "after": after_text, "prev_hash": prev, "hash": digest})
        seq, prev = seq + 1, digest
    conn = session.connection()
    if len(rows) == 1 and conn.dialect.name == "postgresql":
        conn.execute(_INSERT_ONE_SET_HEAD, {"head_hash": prev, **{f"e_{k}": v for k, v in rows[0].items()}})
        return
    conn.execute(insert(_LOG), rows)
    conn.execute(_SET_HEAD_HASH, {"head_hash": prev})


@event.listens_for(Session, "before_commit")
def _chain_at_commit(session: Session) -> None:
    flush_pending(session)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[id(transaction)] = len(session.info.get(_PENDING) or ())


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, previous: SessionTransaction) -> None:
    """Entries of a rolled-back transaction (or savepoint) vanish with the change they recorded."""
    if previous.nested:
        mark = session.info.get(_MARKS, {}).pop(id(previous), None)
        if mark is not None and _PENDING in session.info:
            del session.info[_PENDING][mark:]
    elif previous.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_MARKS, None)


def append(session: Session, *, actor: str, action: str, entity_type: str, entity_id: str,
           before: Any = None, after: Any = None, at: datetime | None = None) -> AuditEntry:
    """Queue one entry in the caller's transaction; it is chained and written when the transaction commits.

    ``before``/``after`` are any JSON-serialisable values (datetimes, decimals, enums and pydantic models are
    converted now, so later changes to the caller's objects do not alter the record). The returned entry gets
    its ``seq``, ``prev_hash`` and ``hash`` at commit (0 and "" until then). Appends are serialised through the
    head row at commit, so concurrent writers never fork the chain; a rollback discards the queued entries.
    """
    if not actor:
        raise ValueError("audit entry needs an actor")
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    before_text, after_text = canonical_json(before), canonical_json(after)
    entry = AuditEntry(0, moment, actor, action, entity_type, str(entity_id),
                       json.loads(before_text) if before_text else None,
                       json.loads(after_text) if after_text else None, "", "")
    session.info.setdefault(_PENDING, []).append((entry, before_text, after_text))
    return entry


def _to_entry(row: AuditEntryRow) -> AuditEntry:
    return AuditEntry(row.seq, row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC), row.actor, row.action,
                      row.entity_type, row.entity_id,
                      json.loads(row.before) if row.before else None,
                      json.loads(row.after) if row.after else None, row.prev_hash, row.hash)


def entries(session: Session, *, entity_type: str | None = None, entity_id: str | None = None,
            actor: str | None = None, limit: int | None = None, newest_first: bool = False) -> list[AuditEntry]:
    """Entries filtered by entity or actor, in chain order (or newest first), this transaction's included."""
    flush_pending(session)
    stmt = select(AuditEntryRow)
    if entity_type is not None:
        stmt = stmt.where(AuditEntryRow.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditEntryRow.entity_id == str(entity_id))
    if actor is not None:
        stmt = stmt.where(AuditEntryRow.actor == actor)
    stmt = stmt.order_by(AuditEntryRow.seq.desc() if newest_first else AuditEntryRow.seq)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_to_entry(r) for r in session.scalars(stmt)]


def _iter_rows(session: Session, batch: int = 1000) -> Iterator[AuditEntryRow]:
    last = 0
    while True:
        rows = list(session.scalars(select(AuditEntryRow).where(AuditEntryRow.seq > last)
                                    .order_by(AuditEntryRow.seq).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> VerifyReport:
    """Recompute the whole chain; report every broken link (edited, inserted or deleted entries)."""
    flush_pending(session)
    problems: list[str] = []
    first_bad: int | None = None
    expected_seq, prev, count = 1, GENESIS_HASH, 0

    def bad(seq: int, message: str) -> None:
        nonlocal first_bad
        problems.append(f"entry {seq}: {message}")
        if first_bad is None:
            first_bad = seq

    for row in _iter_rows(session):
        count += 1
        if row.seq != expected_seq:
            bad(row.seq, f"sequence gap: expected {expected_seq} (entries {expected_seq}..{row.seq - 1} "
                         "deleted or renumbered)")
        if row.prev_hash != prev:
            bad(row.seq, "previous-hash link broken (an earlier entry was changed, removed or inserted)")
        digest = entry_hash(row.seq, row.at, row.actor, row.action, row.entity_type, row.entity_id,
                            row.before, row.after, row.prev_hash)
        if digest != row.hash:
            bad(row.seq, "content does not match its hash (the entry was edited)")
        prev, expected_seq = row.hash, row.seq + 1
    head = session.get(AuditHeadRow, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != expected_seq - 1 or head_hash != prev:
        bad(expected_seq, f"chain ends at entry {expected_seq - 1} but the head says {head_seq} "
                          "(newest entries deleted or the head edited)")
    return VerifyReport(ok=not problems, entries=count, head_seq=head_seq, head_hash=head_hash,
                        problems=problems, first_bad_seq=first_bad)
