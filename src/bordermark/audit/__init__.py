"""The audit log: every event and field change, with actor, time, before and after, in an append-only log whose
entries are hash-chained, so an edited, inserted or deleted entry is detected by :func:`verify`.

Usage (inside the caller's transaction, so the change and its record commit or roll back together)::

    from bordermark import audit
    audit.append(session, actor="alice", action="case.event", entity_type="case", entity_id="C1",
                 before={"state": "suspended"}, after={"state": "detained"})
    report = audit.verify(session)
"""

from bordermark.audit.chain import AuditEntry, VerifyReport, append, entries, entry_hash, verify

__all__ = ["AuditEntry", "VerifyReport", "append", "entries", "entry_hash", "verify"]
