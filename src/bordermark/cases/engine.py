"""The case state machine. Pure: a case and an event in, a new case out (or a :class:`TransitionError` naming
why the law does not allow it). No I/O; the service persists what this returns.

Why deadlines are applied before every event (:func:`advance`): the law acts when a period ends, not when the
scheduler next runs. A holder's application that arrives after the reply period finds the goods already
released, exactly as it would at the counter; ``bordermark cases tick`` only makes that visible without waiting
for the next event.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bordermark.cases import money as m
from bordermark.cases.profiles import Condition, DeadlineSpec, EventSpec, Profile

SYSTEM = "system"


class TransitionError(ValueError):
    """The event is not allowed now; the message says why in the procedure's terms."""


@dataclass
class Deadline:
    name: str
    due: datetime
    basis: str
    started_at: datetime
    count: int
    unit: str
    status: str = "open"  # open | met | expired | cancelled
    closed_at: datetime | None = None
    due_in_person: datetime | None = None
    on_expiry: str | None = None
    extended_by: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name, "due": iso(self.due), "basis": self.basis, "status": self.status,
            "started_at": iso(self.started_at), "count": self.count, "unit": self.unit,
            "closed_at": iso(self.closed_at) if self.closed_at else None,
        }
        if self.due_in_person:
            out["due_in_person"] = iso(self.due_in_person)
        if self.on_expiry:
            out["on_expiry"] = self.on_expiry
        if self.extended_by:
            out["extended_by"] = self.extended_by
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Deadline:
        return cls(name=d["name"], due=parse_time(d["due"]), basis=d["basis"], started_at=parse_time(d["started_at"]),
                   count=int(d["count"]), unit=d["unit"], status=d["status"],
                   closed_at=parse_time(d["closed_at"]) if d.get("closed_at") else None,
                   due_in_person=parse_time(d["due_in_person"]) if d.get("due_in_person") else None,
                   on_expiry=d.get("on_expiry"), extended_by=int(d.get("extended_by", 0)))


@dataclass
class Event:
    seq: int
    name: str
    at: datetime
    actor: str
    state_before: str | None
    state_after: str
    data: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "name": self.name, "at": iso(self.at), "actor": self.actor,
                "state_before": self.state_before, "state_after": self.state_after, "data": self.data,
                "reason": self.reason}


@dataclass
class Case:
    id: str
    profile: str
    state: str
    goods_kind: str
    goods_id: str
    mark_ids: list[str]
    goods_value: Decimal
    currency: str
    opened_at: datetime
    opened_by: str
    holder_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    deadlines: list[Deadline] = field(default_factory=list)
    guarantee: dict[str, Any] | None = None
    penalty: dict[str, Any] | None = None
    disposal: dict[str, Any] | None = None
    events: list[Event] = field(default_factory=list)
    version: int = 0
    closed_at: datetime | None = None
    parent_case_id: str | None = None

    def deadline(self, name: str) -> Deadline | None:
        found = [d for d in self.deadlines if d.name == name]
        return found[-1] if found else None

    def open_deadlines(self) -> list[Deadline]:
        return sorted((d for d in self.deadlines if d.status == "open"), key=lambda d: d.due)

    @property
    def next_due(self) -> datetime | None:
        opened = self.open_deadlines()
        return opened[0].due if opened else None


@dataclass(frozen=True)
class Context:
    """Facts from outside the case that the law looks at (loaded by the service)."""

    general_guarantee: dict[str, Any] | None = None  # the holder's 总担保 covering this year, if any
    prior_seizures: int = 0


def iso(at: datetime) -> str:
    return at.isoformat()


def parse_time(value: str | datetime) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _matches(cond: Condition, facts: dict[str, Any]) -> bool:
    return all(facts.get(k) == v or (v is False and not facts.get(k)) for k, v in cond.items())


def _decimal(data: dict[str, Any], key: str) -> Decimal:
    try:
        return Decimal(str(data[key]))
    except KeyError:
        raise TransitionError(f"missing {key}=AMOUNT") from None
    except InvalidOperation:
        raise TransitionError(f"{key} must be a number, got {data[key]!r}") from None


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true", "yes", "y"}


# --- deadlines ---------------------------------------------------------------------------------------------------

def start_deadline(profile: Profile, case: Case, name: str, at: datetime) -> Deadline:
    spec: DeadlineSpec = profile.deadlines[name]
    cal = profile.calendar_for(case.facts)
    anchor = case.opened_at if spec.anchor == "opened" else at
    count = spec.count
    for variant in spec.variants:
        if _matches(variant.when, case.facts):
            count = variant.count
            break
    start = cal.local_date(anchor)
    day = cal.add_working_days(start, count) if spec.unit == "working_days" else cal.add_calendar_days(start, count)
    return Deadline(name=name, due=cal.end_of_day(day), basis=spec.basis, started_at=anchor, count=count,
                    unit=spec.unit, due_in_person=cal.close_of_office(day) if spec.office_close_in_person else None,
                    on_expiry=spec.on_expiry)


def _extend(profile: Profile, case: Case, deadline: Deadline, days: int | None) -> None:
    spec = profile.deadlines[deadline.name]
    if spec.extension <= 0:
        raise TransitionError(f"deadline {deadline.name} cannot be extended")
    if spec.no_extension_when and _matches(spec.no_extension_when, case.facts):
        raise TransitionError(f"deadline {deadline.name} cannot be extended for these goods "
                              f"({', '.join(f'{k}={v}' for k, v in spec.no_extension_when.items())})")
    wanted = spec.extension if days is None else days
    if wanted <= 0 or deadline.extended_by + wanted > spec.extension:
        raise TransitionError(f"extension of {wanted} day(s) exceeds the maximum {spec.extension} "
                              f"(already extended by {deadline.extended_by})")
    cal = profile.calendar_for(case.facts)
    base = deadline.due.astimezone(cal.tz).date()
    day = cal.add_working_days(base, wanted) if spec.unit == "working_days" else cal.add_calendar_days(base, wanted)
    deadline.due = cal.end_of_day(day)
    if deadline.due_in_person:
        deadline.due_in_person = cal.close_of_office(day)
    deadline.extended_by += wanted


# --- events ------------------------------------------------------------------------------------------------------

def allowed_events(profile: Profile, case: Case, *, include_system: bool = False) -> list[str]:
    """Event names the profile allows in the case's current state (facts permitting)."""
    out = []
    for name, spec in profile.events.items():
        if name == "open" or (spec.source == "system" and not include_system):
            continue
        if (case.state in spec.from_states or "*" in spec.from_states) and _matches(spec.allowed_when, case.facts):
            out.append(name)
    return out


def open_case(profile: Profile, case: Case, *, data: dict[str, Any] | None = None, ctx: Context = Context()) -> Case:
    """Run the profile's ``open`` event on a fresh case (state empty)."""
    case = copy.deepcopy(case)
    case.state = ""
    return _apply(profile, case, "open", case.opened_at, case.opened_by, dict(data or {}), ctx, reason="")


def apply_event(profile: Profile, case: Case, name: str, *, at: datetime, actor: str,
                data: dict[str, Any] | None = None, ctx: Context = Context()) -> Case:
    """Apply one event after letting every deadline that passed before ``at`` take its legal effect."""
    at = parse_time(at)
    spec = profile.events.get(name)
    if spec is None or name == "open":
        raise TransitionError(f"unknown event {name!r} for profile {profile.id}; allowed now: "
                              f"{', '.join(allowed_events(profile, case)) or 'none'}")
    if spec.source == "system" and actor != SYSTEM:
        raise TransitionError(f"event {name!r} is applied by the scheduler when a deadline passes, not by hand")
    if case.events and at < case.events[-1].at:
        raise TransitionError(f"event time {iso(at)} is before the case's last event ({iso(case.events[-1].at)})")
    case = advance(profile, case, at, ctx)
    return _apply(profile, case, name, at, actor, dict(data or {}), ctx, reason="")


def advance(profile: Profile, case: Case, now: datetime, ctx: Context = Context()) -> Case:
    """Apply the legal effect of every open deadline whose due moment is before ``now``, oldest first."""
    case = copy.deepcopy(case)
    now = parse_time(now)
    while True:
        due = [d for d in case.open_deadlines() if d.due < now]
        if not due:
            return case
        d = due[0]
        d.status, d.closed_at = "expired", d.due
        note = f"deadline {d.name} passed at {iso(d.due)} ({d.basis})"
        case.events.append(Event(len(case.events) + 1, "deadline_expired", d.due, SYSTEM, case.state, case.state,
                                 {"deadline": d.name}, note))
        if d.on_expiry:
            espec = profile.events[d.on_expiry]
            if case.state in espec.from_states or "*" in espec.from_states:
                case = _apply(profile, case, d.on_expiry, d.due, SYSTEM, {"deadline": d.name}, ctx,
                              reason=f"{espec.reason or espec.label}: {note}".strip(": "))


def _apply(profile: Profile, case: Case, name: str, at: datetime, actor: str, data: dict[str, Any],
           ctx: Context, *, reason: str) -> Case:
    spec: EventSpec = profile.events[name]
    case = copy.deepcopy(case)
    before = case.state
    if name != "open":
        if before and profile.terminal(before) and "*" not in spec.from_states:
            why = next((e.reason for e in reversed(case.events) if e.state_after == before and e.reason), "")
            raise TransitionError(f"case {case.id} is closed ({before}{': ' + why if why else ''}); "
                                  f"{name!r} is no longer possible")
        if before not in spec.from_states and "*" not in spec.from_states:
            raise TransitionError(f"event {name!r} is not allowed in state {before!r}; allowed now: "
                                  f"{', '.join(allowed_events(profile, case)) or 'none'}")
    if not _matches(spec.allowed_when, case.facts):
        raise TransitionError(f"event {name!r} requires "
                              f"{', '.join(f'{k}={v}' for k, v in spec.allowed_when.items())} for this case")
    missing = [k for k in spec.requires if data.get(k) in (None, "")]
    if missing:
        raise TransitionError(f"event {name!r} needs {', '.join(f'{k}=...' for k in missing)}")
    if spec.within and actor != SYSTEM:
        d = case.deadline(spec.within)
        if d is None:
            raise TransitionError(f"event {name!r} needs the {spec.within} period, which has not started")
        due = d.due_in_person if (data.get("filing") == "in_person" and d.due_in_person) else d.due
        if d.status == "expired" or at > due:
            raise TransitionError(f"too late: {spec.within} was due {iso(due)} ({d.basis}); event at {iso(at)}")
    for effect in spec.effects:
        _effect(profile, case, effect, spec, at, actor, data, ctx)
    for dname in spec.stops:
        d = case.deadline(dname)
        if d and d.status == "open":
            d.status, d.closed_at = "met", at
    for dname in spec.cancels:
        d = case.deadline(dname)
        if d and d.status == "open":
            d.status, d.closed_at = "cancelled", at
    case.facts.update(spec.set_facts)
    for key in spec.record:
        if key in data:
            case.facts[key] = data[key]
    after = before
    for target in spec.to:
        if _matches(target.when, case.facts):
            after = target.state
            break
    case.state = after
    for start in spec.starts:
        if _matches(start.when, case.facts):
            case.deadlines.append(start_deadline(profile, case, start.deadline, at))
    if profile.terminal(after) and not (before and profile.terminal(before)):
        case.closed_at = at
        for d in case.deadlines:
            if d.status == "open":
                d.status, d.closed_at = "cancelled", at
    case.events.append(Event(len(case.events) + 1, name, at, actor, before or None, after,
                             {k: v for k, v in data.items()}, reason or spec.reason))
    return case


def _effect(profile: Profile, case: Case, effect: str, spec: EventSpec, at: datetime, actor: str,
            data: dict[str, Any], ctx: Context) -> None:
    if effect == "guarantee":
        required = m.required_guarantee(profile.guarantee, case.goods_value, case.currency)
        if required is None:
            return
        general = ctx.general_guarantee
        if general and profile.guarantee.general_guarantee:
            case.guarantee = {**required.to_dict(), "form": "general",
                              "basis": f"covered by the general guarantee (总担保) for {general.get('year')} "
                                       f"(id {general.get('id')}); per-case amount would be {required.amount}",
                              "general_guarantee_id": general.get("id"), "posted_at": iso(at), "charged": "0.00"}
            return
        posted = m.money(_decimal(data, "guarantee"))
        if posted < required.amount:
            raise TransitionError(f"guarantee {posted} {case.currency} is below the required {required.amount} "
                                  f"({required.basis})")
        case.guarantee = {**required.to_dict(), "posted": str(posted), "form": data.get("guarantee_form", "deposit"),
                          "posted_at": iso(at), "charged": "0.00"}
    elif effect == "consignee_guarantee":
        posted = m.money(_decimal(data, "guarantee"))
        if posted < m.money(case.goods_value):
            raise TransitionError(f"the consignee's guarantee {posted} must equal the goods' value "
                                  f"{m.money(case.goods_value)}")
        case.facts["consignee_guarantee"] = {"amount": str(posted), "currency": case.currency, "at": iso(at)}
    elif effect == "penalty":
        prior = int(data.get("prior_seizures", ctx.prior_seizures))
        cap = m.fine_cap(profile.penalty, case.goods_value, prior_seizures=prior)
        fine = None
        if data.get("fine") not in (None, ""):
            try:
                fine = m.check_fine(profile.penalty, case.goods_value, _decimal(data, "fine"), prior_seizures=prior)
            except ValueError as exc:
                raise TransitionError(str(exc)) from None
        case.penalty = {"confiscation": profile.penalty.confiscation, "fine": str(fine) if fine is not None else None,
                        "fine_cap": str(cap) if cap is not None else None, "currency": case.currency,
                        "basis": profile.penalty.basis, "decided_at": iso(at), "prior_seizures": prior}
        if profile.penalty.credit_consequence:
            case.penalty["credit_consequence"] = profile.penalty.credit_consequence
    elif effect == "disposal":
        method = str(data.get("method", ""))
        names = [o.name for o in profile.disposal.options]
        if method not in names:
            raise TransitionError(f"disposal method must be one of {', '.join(names)}")
        idx = names.index(method)
        option = profile.disposal.options[idx]
        if profile.disposal.ordered:
            for earlier in profile.disposal.options[:idx]:
                if earlier.unavailable_flag and not _truthy(data.get(earlier.unavailable_flag)):
                    raise TransitionError(f"disposal by {method} is allowed only after {earlier.name} is ruled "
                                          f"out: give {earlier.unavailable_flag}=yes ({profile.disposal.basis})")
        lacking = [k for k in option.requires if not _truthy(data.get(k))]
        if lacking:
            raise TransitionError(f"disposal by {method} requires {', '.join(f'{k}=yes' for k in lacking)}")
        case.disposal = {"method": method, "label": option.label, "at": iso(at), "by": actor,
                         "basis": profile.disposal.basis,
                         "ruled_out": [o.name for o in profile.disposal.options[:idx]]}
    elif effect == "appraisal":
        value = m.money(_decimal(data, "value"))
        case.facts["appraisal"] = {"value": str(value), "previous_value": str(case.goods_value),
                                   "appraiser": data.get("appraiser", ""), "at": iso(at)}
        case.goods_value = value
    elif effect == "cost":
        amount = m.money(_decimal(data, "amount"))
        costs = case.facts.setdefault("costs", [])
        costs.append({"kind": data.get("kind", "storage"), "amount": str(amount), "at": iso(at)})
        if case.guarantee:
            case.guarantee["charged"] = str(m.money(Decimal(case.guarantee.get("charged", "0")) + amount))
    elif effect == "extend":
        target = spec.within or str(data.get("deadline", ""))
        d = case.deadline(target)
        if d is None or d.status != "open":
            raise TransitionError(f"no open deadline {target!r} to extend")
        _extend(profile, case, d, int(data["days"]) if data.get("days") else None)
    elif effect == "credit":
        case.facts["credit"] = {"party": data.get("party", ""), "consequence": data.get(
            "consequence", profile.penalty.credit_consequence or ""), "at": iso(at)}
    elif effect == "evidence":
        case.facts.setdefault("evidence", []).append(
            {"ref": data.get("ref", ""), "note": data.get("note", ""), "at": iso(at), "by": actor})
    elif effect == "party":
        case.facts.setdefault("parties", []).append({"role": data.get("role", ""), "name": data.get("name", "")})
