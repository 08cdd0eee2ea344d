"""Case service: persists cases and their events through the store and writes the audit log. The legal logic is
in :mod:`bordermark.cases.engine` (pure); this layer loads, applies, saves, audits.

Every function takes an open SQLAlchemy session (``with store.session() as s``) so that a caller (CLI, API, web)
commits the case change and its audit entries in one transaction.

Why optimistic locking: two officers may work on the same case at once. Each update is ``UPDATE ... WHERE
version = <the version read>``; the second writer matches no row and gets :class:`ConflictError` with nothing
overwritten. Callers may also pass ``expected_version`` (the version shown on a form) to catch stale forms.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bordermark import audit
from bordermark.cases import engine as eng
from bordermark.cases import money as m
from bordermark.cases.engine import Case, Context, Deadline, Event, TransitionError, parse_time
from bordermark.cases.profiles import Profile, ProfileError, get_profile
from bordermark.store.case_tables import CaseEventRow, CaseRow, GeneralGuaranteeRow

GOODS_KINDS = ("declaration", "parcel", "listing", "stock")

__all__ = [
    "ConflictError", "NotFoundError", "ProfileError", "TransitionError", "add_general_guarantee", "allowed_events",
    "apply_event", "get_case", "list_cases", "open_case", "tick",
]


class ConflictError(RuntimeError):
    """Someone else changed the case since it was read; reload and try again."""


class NotFoundError(LookupError):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


@overload
def _utc(at: datetime) -> datetime: ...
@overload
def _utc(at: None) -> None: ...
def _utc(at: datetime | None) -> datetime | None:
    """Stored times are UTC: SQLite keeps no zone, so a local wall time would silently shift on reading."""
    return None if at is None else parse_time(at).astimezone(UTC)


def _local(prof: Profile, facts: dict[str, Any], at: datetime | None) -> datetime:
    """A time without a zone is read as local time at the customs office (the profile's calendar)."""
    if at is None:
        return _now()
    if at.tzinfo is None:
        return at.replace(tzinfo=prof.calendar_for(facts).tz)
    return at


# --- conversion --------------------------------------------------------------------------------------------------

def _to_case(row: CaseRow, events: list[CaseEventRow]) -> Case:
    return Case(
        id=row.id, profile=row.profile, state=row.state, goods_kind=row.goods_kind, goods_id=row.goods_id,
        mark_ids=list(row.mark_ids), goods_value=Decimal(str(row.goods_value)), currency=row.currency,
        opened_at=parse_time(row.opened_at), opened_by=row.opened_by, holder_id=row.holder_id,
        facts=dict(row.facts or {}), deadlines=[Deadline.from_dict(d) for d in row.deadlines or []],
        guarantee=row.guarantee, penalty=row.penalty, disposal=row.disposal,
        events=[Event(e.seq, e.name, parse_time(e.at), e.actor, e.state_before, e.state_after, dict(e.data or {}),
                      e.reason) for e in events],
        version=row.version, closed_at=parse_time(row.closed_at) if row.closed_at else None,
        parent_case_id=row.parent_case_id)


def _store_fields(row: CaseRow, case: Case, now: datetime) -> None:
    row.state = case.state
    row.goods_value = case.goods_value
    row.facts = dict(case.facts)
    row.deadlines = [d.to_dict() for d in case.deadlines]
    row.guarantee = case.guarantee
    row.penalty = case.penalty
    row.disposal = case.disposal
    row.closed_at = _utc(case.closed_at)
    row.next_due = _utc(case.next_due)
    row.updated_at = _utc(now)


def _snapshot(case: Case) -> dict[str, Any]:
    return {"state": case.state, "goods_value": str(case.goods_value), "facts": case.facts,
            "deadlines": [d.to_dict() for d in case.deadlines], "guarantee": case.guarantee,
            "penalty": case.penalty, "disposal": case.disposal,
            "closed_at": eng.iso(case.closed_at) if case.closed_at else None}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _load(session: Session, case_id: str, *, for_update: bool = False) -> tuple[CaseRow, Case]:
    row = session.get(CaseRow, case_id)
    if row is None:
        raise NotFoundError(f"no case {case_id!r}")
    events = list(session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id)
                                  .order_by(CaseEventRow.seq)))
    return row, _to_case(row, events)


def _context(session: Session, profile: Profile, case: Case, at: datetime) -> Context:
    general = None
    if case.holder_id and profile.guarantee.general_guarantee:
        year = profile.calendar_for(case.facts).local_date(at).year
        g = session.scalars(select(GeneralGuaranteeRow).where(
            GeneralGuaranteeRow.holder_id == case.holder_id, GeneralGuaranteeRow.jurisdiction == profile.jurisdiction,
            GeneralGuaranteeRow.year == year)).first()
        if g is not None and parse_time(g.approved_at) <= at:
            general = {"id": g.id, "year": g.year, "amount": str(g.amount), "currency": g.currency}
    prior = 0
    importer = case.facts.get("importer")
    if importer and profile.penalty.repeat_multiple:
        rows = session.scalars(select(CaseRow).where(CaseRow.profile == profile.id, CaseRow.id != case.id,
                                                     CaseRow.state.in_(("seized", "forfeited"))))
        prior = sum(1 for r in rows if (r.facts or {}).get("importer") == importer)
    return Context(general_guarantee=general, prior_seizures=prior)


def _persist_new_events(session: Session, row: CaseRow, old: Case, new: Case, now: datetime) -> list[Event]:
    added = new.events[len(old.events):]
    for e in added:
        session.add(CaseEventRow(case_id=new.id, seq=e.seq, name=e.name, at=_utc(e.at), actor=e.actor,
                                 state_before=e.state_before, state_after=e.state_after,
                                 data=_jsonable(e.data), reason=e.reason, recorded_at=_utc(now)))
    return added


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal | datetime) else v) for k, v in data.items()}


def _audit(session: Session, actor: str, case_id: str, events: list[Event], before: Case | None,
           after: Case, at: datetime) -> None:
    for e in events:
        audit.append(session, actor=e.actor, action=f"case.event.{e.name}", entity_type="case", entity_id=case_id,
                     before={"state": e.state_before}, after={"state": e.state_after, "data": _jsonable(e.data),
                                                              "reason": e.reason, "at": eng.iso(e.at)}, at=at)
    b, a = _diff(_snapshot(before) if before else {}, _snapshot(after))
    if a:
        audit.append(session, actor=actor, action="case.fields", entity_type="case", entity_id=case_id,
                     before=b or None, after=a, at=at)


@contextmanager
def _conflicts(case_id: str) -> Iterator[None]:
    """Turn a lost optimistic-locking race (or a PostgreSQL deadlock/serialization failure between two writers)
    into :class:`ConflictError`."""
    try:
        yield
    except StaleDataError:
        raise ConflictError(f"case {case_id} was changed by someone else meanwhile; reload it and try again") \
            from None
    except OperationalError as exc:
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        if code in {"40P01", "40001"}:
            raise ConflictError(f"case {case_id} is being changed by someone else; try again") from None
        raise


def _flush(session: Session, case_id: str) -> None:
    with _conflicts(case_id):
        session.flush()


# --- public API --------------------------------------------------------------------------------------------------

def open_case(session: Session, *, profile: str, mark_ids: list[str], goods_kind: str, goods_id: str,
              goods_value: Decimal | str | float, currency: str, actor: str, at: datetime | None = None,
              holder_id: str | None = None, facts: dict[str, Any] | None = None,
              parent_case_id: str | None = None, case_id: str | None = None) -> dict[str, Any]:
    """Open a case under a procedure profile and run its opening step (suspension, deadlines)."""
    prof = get_profile(profile)
    if goods_kind not in GOODS_KINDS:
        raise ValueError(f"goods kind must be one of {', '.join(GOODS_KINDS)}, got {goods_kind!r}")
    if not goods_id:
        raise ValueError("goods id is required (--declaration, --parcel or --listing)")
    if not mark_ids:
        raise ValueError("at least one right (--right MARK_ID) is required")
    value = m.money(goods_value)
    if value < 0:
        raise ValueError("goods value must be >= 0")
    currency = currency.upper()
    if currency != prof.currency:
        raise ValueError(f"profile {prof.id} works in {prof.currency}; convert the goods' value (got {currency})")
    facts = dict(facts or {})
    facts.setdefault("filing", prof.default_filing)
    prof.calendar_for(facts)  # fails early on an unknown member state
    moment = _local(prof, facts, at)
    local_day = prof.calendar_for(facts).local_date(moment)
    cid = case_id or f"C-{local_day:%Y%m%d}-{secrets.token_hex(3).upper()}"
    fresh = Case(id=cid, profile=prof.id, state="", goods_kind=goods_kind, goods_id=str(goods_id),
                 mark_ids=[str(x) for x in mark_ids], goods_value=value, currency=currency, opened_at=moment,
                 opened_by=actor, holder_id=holder_id, facts=facts, parent_case_id=parent_case_id)
    case = eng.open_case(prof, fresh, ctx=_context(session, prof, fresh, moment))
    now = _now()
    row = CaseRow(id=cid, profile=prof.id, jurisdiction=prof.jurisdiction, goods_kind=goods_kind,
                  goods_id=str(goods_id), mark_ids=case.mark_ids, holder_id=holder_id, currency=currency,
                  opened_at=_utc(moment), opened_by=actor, parent_case_id=parent_case_id, state="",
                  goods_value=value, facts={}, deadlines=[], updated_at=_utc(now))
    _store_fields(row, case, now)
    session.add(row)
    session.flush()
    _persist_new_events(session, row, fresh, case, now)
    audit.append(session, actor=actor, action="case.open", entity_type="case", entity_id=cid, before=None,
                 after={"profile": prof.id, "goods": {"kind": goods_kind, "id": goods_id}, "rights": case.mark_ids,
                        "goods_value": str(value), "currency": currency, "holder_id": holder_id,
                        "parent_case_id": parent_case_id, **_snapshot(case)}, at=now)
    _flush(session, cid)
    case.version = row.version
    return view(prof, case)


def apply_event(session: Session, case_id: str, event: str, *, actor: str, at: datetime | None = None,
                data: dict[str, Any] | None = None, expected_version: int | None = None) -> dict[str, Any]:
    """Apply an event (deadlines that passed before it first take effect); raises TransitionError if the law
    does not allow it now, ConflictError if the case changed meanwhile."""
    row, case = _load(session, case_id)
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(f"case {case_id} is at version {row.version}, not {expected_version}; reload it")
    prof = get_profile(case.profile)
    moment = _local(prof, case.facts, at)
    new = eng.apply_event(prof, case, event, at=moment, actor=actor, data=data,
                          ctx=_context(session, prof, case, moment))
    return _save(session, prof, row, case, new, actor)


def _save(session: Session, prof: Profile, row: CaseRow, old: Case, new: Case, actor: str) -> dict[str, Any]:
    now = _now()
    with _conflicts(new.id):
        _store_fields(row, new, now)
        session.flush()  # the versioned UPDATE goes first: a loser fails before touching the audit head
        added = _persist_new_events(session, row, old, new, now)
        _audit(session, actor, new.id, added, old, new, now)
        if new.guarantee and new.guarantee.get("general_guarantee_id") and added:
            _charge_general(session, old, new)
        session.flush()
    new.version = row.version
    return view(prof, new)


def _charge_general(session: Session, old: Case, new: Case) -> None:
    """Costs charged on a case covered by a general guarantee are charged against that guarantee."""
    before = Decimal((old.guarantee or {}).get("charged", "0") or "0")
    delta = Decimal(new.guarantee.get("charged", "0") if new.guarantee else "0") - before
    if delta > 0 and new.guarantee:
        g = session.get(GeneralGuaranteeRow, new.guarantee["general_guarantee_id"])
        if g is not None:
            g.charged = m.money(Decimal(str(g.charged)) + delta)


def get_case(session: Session, case_id: str, *, read_by: str | None = None) -> dict[str, Any]:
    """The case as a document (``view``); with ``read_by`` the read is recorded in the audit log."""
    _, case = _load(session, case_id)
    if read_by:
        audit.append(session, actor=read_by, action="case.read", entity_type="case", entity_id=case_id)
    return view(get_profile(case.profile), case)


def list_cases(session: Session, *, state: str | None = None, profile: str | None = None,
               holder_id: str | None = None, mark_id: str | None = None, goods_id: str | None = None,
               open_only: bool = False, limit: int = 500) -> list[dict[str, Any]]:
    """Summaries, newest first."""
    stmt = select(CaseRow).order_by(CaseRow.opened_at.desc()).limit(limit)
    if state:
        stmt = stmt.where(CaseRow.state == state)
    if profile:
        stmt = stmt.where(CaseRow.profile == profile)
    if holder_id:
        stmt = stmt.where(CaseRow.holder_id == holder_id)
    if goods_id:
        stmt = stmt.where(CaseRow.goods_id == goods_id)
    if open_only:
        stmt = stmt.where(CaseRow.closed_at.is_(None))
    out = []
    for r in session.scalars(stmt):
        if mark_id and mark_id not in (r.mark_ids or []):
            continue
        out.append({"id": r.id, "profile": r.profile, "state": r.state, "goods_kind": r.goods_kind,
                    "goods_id": r.goods_id, "rights": list(r.mark_ids or []), "holder_id": r.holder_id,
                    "goods_value": str(r.goods_value), "currency": r.currency,
                    "opened_at": eng.iso(parse_time(r.opened_at)),
                    "next_due": eng.iso(parse_time(r.next_due)) if r.next_due else None,
                    "closed_at": eng.iso(parse_time(r.closed_at)) if r.closed_at else None,
                    "version": r.version, "parent_case_id": r.parent_case_id})
    return out


def allowed_events(session: Session, case_id: str) -> list[dict[str, str]]:
    """Events an officer (or party) may record now, with labels, for forms and buttons."""
    _, case = _load(session, case_id)
    prof = get_profile(case.profile)
    return [{"name": n, "label": prof.events[n].label or n.replace("_", " "), "source": prof.events[n].source,
             "requires": ",".join(prof.events[n].requires)} for n in eng.allowed_events(prof, case)]


def tick(session: Session, *, now: datetime | None = None, actor: str = eng.SYSTEM) -> list[dict[str, Any]]:
    """Apply every passed deadline's legal effect on open cases; returns what happened and why, per case.
    A case being changed concurrently is skipped (reported as a conflict) and caught on the next tick."""
    moment = parse_time(now) if now else _now()
    ids = list(session.scalars(select(CaseRow.id).where(CaseRow.closed_at.is_(None), CaseRow.next_due.is_not(None),
                                                        CaseRow.next_due < _utc(moment)).order_by(CaseRow.next_due)))
    report: list[dict[str, Any]] = []
    for cid in ids:
        try:
            with session.begin_nested():
                row, case = _load(session, cid)
                prof = get_profile(case.profile)
                new = eng.advance(prof, case, moment, _context(session, prof, case, moment))
                added = new.events[len(case.events):]
                _save(session, prof, row, case, new, actor)
            report.append({"case_id": cid, "state": new.state,
                           "applied": [{"event": e.name, "at": eng.iso(e.at), "reason": e.reason} for e in added]})
        except ConflictError as exc:
            report.append({"case_id": cid, "conflict": str(exc), "applied": []})
    return report


def add_general_guarantee(session: Session, *, holder_id: str, year: int, actor: str, profile: str = "cn-ex-officio",
                          last_year_costs: Decimal | str = "0", approved_at: datetime | None = None,
                          ) -> dict[str, Any]:
    """Record a holder's general guarantee (总担保) for a calendar year; amount per the profile's rule."""
    prof = get_profile(profile)
    if not prof.guarantee.general_guarantee:
        raise ValueError(f"profile {profile} has no general guarantee")
    amount = m.general_guarantee_amount(prof.guarantee, Decimal(str(last_year_costs)))
    tz = prof.calendar_for({}).tz
    mmdd = prof.guarantee.general_letter_valid_until or "06-30"
    valid = datetime(year + 1, int(mmdd[:2]), int(mmdd[3:]), 23, 59, 59, tzinfo=tz)
    when = parse_time(approved_at) if approved_at else _now()
    g = GeneralGuaranteeRow(holder_id=holder_id, jurisdiction=prof.jurisdiction, year=year, amount=amount,
                            currency=prof.currency, approved_at=_utc(when), letter_valid_until=_utc(valid),
                            charged=Decimal(0),
                            basis=prof.guarantee.basis + " general guarantee: covers the holder from approval to "
                                  f"31 December {year}; bank letter valid until {valid.date()}")
    session.add(g)
    session.flush()
    out = {"id": g.id, "holder_id": holder_id, "year": year, "amount": str(amount), "currency": prof.currency,
           "letter_valid_until": valid.date().isoformat(), "basis": g.basis}
    audit.append(session, actor=actor, action="case.general_guarantee", entity_type="general_guarantee",
                 entity_id=str(g.id), after=out)
    return out


# --- the case document -------------------------------------------------------------------------------------------

def view(prof: Profile, case: Case) -> dict[str, Any]:
    """The stable JSON document for ``bordermark case show --format json``, the API and the dossier."""
    guarantee = case.guarantee
    if guarantee is None:
        required = m.required_guarantee(prof.guarantee, case.goods_value, case.currency)
        guarantee = ({**required.to_dict(), "status": "required"} if required else
                     {"amount": None, "currency": case.currency, "basis": prof.guarantee.basis or "none"})
    else:
        guarantee = {**guarantee, "status": guarantee.get("status", "posted")}
    tz = prof.calendar_for(case.facts).tz

    def local(at: datetime | None) -> str | None:
        return eng.iso(at.astimezone(tz)) if at else None

    events = [e.to_dict() | {"at": local(e.at)} for e in case.events]
    return {
        "id": case.id, "profile": prof.id, "jurisdiction": prof.jurisdiction, "title": prof.title,
        "state": case.state, "state_label": prof.states[case.state].label, "closed": prof.terminal(case.state),
        "version": case.version,
        "goods": {"kind": case.goods_kind, "id": case.goods_id, "value": str(case.goods_value),
                  "currency": case.currency},
        "rights": case.mark_ids, "holder_id": case.holder_id,
        "opened_at": local(case.opened_at), "opened_by": case.opened_by,
        "closed_at": local(case.closed_at),
        "parent_case_id": case.parent_case_id,
        "deadlines": [d.to_dict() for d in case.deadlines],
        "guarantee": guarantee, "penalty": case.penalty, "disposal": case.disposal,
        "facts": case.facts, "events": events,
        "allowed_events": eng.allowed_events(prof, case),
        "calendar": asdict(prof.calendar_for(case.facts)) | {"office_close": str(prof.calendar.office_close)},
    }
