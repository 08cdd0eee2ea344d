"""Enforcement cases on behalf of a principal, over ``bordermark.cases.service``: scope, allowed actions per
role, working-day countdowns, and HTTP-facing errors. The legal logic stays in the cases package.

Who may record what: officers, supervisors and administrators record customs' own steps and the documents they
receive from declarants and courts; a right holder records only the holder's own steps (apply for detention and
post the guarantee, or decline) on cases about its own rights; platform analysts only read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bordermark.accounts import Principal
from bordermark.api.errors import ApiError, forbidden, invalid, not_found
from bordermark.cases import service
from bordermark.cases.engine import TransitionError
from bordermark.cases.profiles import ProfileError, get_profile, profiles
from bordermark.store.case_tables import CaseRow
from bordermark.store.registry_tables import MarkRow

HOLDER_SOURCES = {"holder"}


def _case_holders(s: Session, holder_id: str | None, mark_ids: list[str]) -> set[str]:
    holders = {holder_id} if holder_id else set()
    if mark_ids:
        holders |= set(s.scalars(select(MarkRow.holder_id).where(MarkRow.id.in_(sorted(set(mark_ids))))))
    return holders


def visible(s: Session, who: Principal, holder_id: str | None, mark_ids: list[str]) -> bool:
    if not who.is_holder:
        return True
    holders = _case_holders(s, holder_id, mark_ids)
    return bool(holders) and holders <= who.holder_ids


def _check_case(s: Session, who: Principal, case_id: str) -> CaseRow:
    row = s.get(CaseRow, case_id)
    if row is None or not visible(s, who, row.holder_id, list(row.mark_ids or [])):
        raise not_found("case", case_id)
    return row


def countdowns(doc: dict[str, Any], now: datetime | None = None) -> list[dict[str, Any]]:
    """Open deadlines with the working days left on the profile's calendar (negative when overdue)."""
    prof = get_profile(doc["profile"])
    cal = prof.calendar_for(doc.get("facts") or {})
    now = now or datetime.now(UTC)
    today = cal.local_date(now)
    out = []
    for d in doc.get("deadlines", []):
        item = dict(d)
        if d.get("status") == "open":
            due = datetime.fromisoformat(d["due"])
            due_day = cal.local_date(due)
            left = cal.working_days_between(today, due_day) if due_day >= today else \
                -cal.working_days_between(due_day, today)
            item.update(working_days_left=left, overdue=due < now)
        out.append(item)
    return out


def actions_for(who: Principal, events: list[dict[str, str]]) -> list[dict[str, str]]:
    if who.is_holder:
        return [e for e in events if e.get("source") in HOLDER_SOURCES]
    if who.can_work_cases:
        return [e for e in events if e.get("source") not in HOLDER_SOURCES | {"system"}]
    return []


def list_cases(s: Session, who: Principal, *, state: str | None = None, open_only: bool = False,
               limit: int = 200) -> list[dict[str, Any]]:
    rows = service.list_cases(s, state=state, open_only=open_only, limit=2000 if who.is_holder else limit)
    if who.is_holder:
        rows = [r for r in rows if visible(s, who, r.get("holder_id"), r.get("rights") or [])][:limit]
    return rows


def get_case(s: Session, who: Principal, case_id: str) -> dict[str, Any]:
    _check_case(s, who, case_id)
    doc = service.get_case(s, case_id, read_by=who.username)  # every read of a case is audited
    doc["countdowns"] = countdowns(doc)
    doc["actions"] = actions_for(who, service.allowed_events(s, case_id))
    return doc


def upcoming_deadlines(s: Session, who: Principal, limit: int = 200) -> list[dict[str, Any]]:
    """Open deadlines of the visible open cases, soonest first, with working days left."""
    rows = s.scalars(select(CaseRow).where(CaseRow.closed_at.is_(None), CaseRow.next_due.is_not(None))
                     .order_by(CaseRow.next_due).limit(5000))
    out: list[dict[str, Any]] = []
    for row in rows:
        if not visible(s, who, row.holder_id, list(row.mark_ids or [])):
            continue
        doc = {"profile": row.profile, "facts": row.facts or {}, "deadlines": row.deadlines or []}
        for d in countdowns(doc):
            if d.get("status") == "open":
                out.append({"case_id": row.id, "state": row.state, **d})
    out.sort(key=lambda d: d["due"])
    return out[:limit]


def _money(value: Any, field: str) -> Decimal:
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(f"{field}: {value!r} is not an amount") from None
    if not out.is_finite() or out < 0 or out > Decimal("1e12"):
        raise invalid(f"{field}: must be between 0 and 10^12")
    return out


def open_case(s: Session, who: Principal, *, profile: str, mark_ids: list[str], goods_kind: str, goods_id: str,
              goods_value: Any, currency: str, holder_id: str | None, facts: dict[str, Any]) -> dict[str, Any]:
    if not who.can_work_cases:
        raise forbidden(f"role {who.role.value} may not open cases")
    known = {m.id: m.holder_id for m in s.scalars(select(MarkRow).where(MarkRow.id.in_(sorted(set(mark_ids)))))}
    missing = [m for m in mark_ids if m not in known]
    if missing:
        raise invalid(f"rights: no mark {', '.join(map(repr, missing))} in the registry")
    holder_id = holder_id or (known[mark_ids[0]] if mark_ids else None)
    try:
        doc = service.open_case(s, profile=profile, mark_ids=mark_ids, goods_kind=goods_kind, goods_id=goods_id,
                                goods_value=_money(goods_value, "goods_value"), currency=currency,
                                actor=who.username, holder_id=holder_id, facts=facts)
    except ProfileError as exc:
        raise invalid(str(exc)) from None
    except TransitionError as exc:
        raise ApiError(409, str(exc)) from None
    except ValueError as exc:
        raise invalid(str(exc)) from None
    doc["countdowns"] = countdowns(doc)
    return doc


def apply_event(s: Session, who: Principal, case_id: str, event: str, data: dict[str, Any],
                expected_version: int | None) -> dict[str, Any]:
    _check_case(s, who, case_id)
    allowed = {e["name"] for e in actions_for(who, service.allowed_events(s, case_id))}
    if event not in allowed:
        if who.is_holder or not who.can_work_cases:
            raise forbidden(f"role {who.role.value} may not record {event!r} on case {case_id} now")
        raise ApiError(409, f"event {event!r} is not allowed in the case's current state; allowed: "
                            f"{', '.join(sorted(allowed)) or 'none'}")
    try:
        doc = service.apply_event(s, case_id, event, actor=who.username, data=data,
                                  expected_version=expected_version)
    except service.ConflictError as exc:
        raise ApiError(409, str(exc)) from None
    except TransitionError as exc:
        raise ApiError(409, str(exc)) from None
    except (ValueError, KeyError) as exc:
        raise invalid(str(exc)) from None
    doc["countdowns"] = countdowns(doc)
    doc["actions"] = actions_for(who, service.allowed_events(s, case_id))
    return doc


def profile_list() -> list[dict[str, Any]]:
    return [{"id": p.id, "title": p.title, "jurisdiction": p.jurisdiction, "currency": p.currency}
            for p in profiles().values()]
