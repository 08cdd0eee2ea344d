"""Procedure profiles: each jurisdiction's procedure as a YAML data file (``cases/profiles/*.yaml``), validated
here. Why data, not code: the law changes and several values are unconfirmed ([U] in the sources); an officer or
counsel can read and correct a profile without touching the state machine.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bordermark.cases.calendars import WorkingCalendar

PROFILE_DIR = Path(__file__).parent / "profiles"

Condition = dict[str, Any]  # fact name -> required value; all must hold


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarSpec(_M):
    country: str
    timezone: str
    office_close: time = time(17, 0)
    subdiv: str | None = None
    # member-state calendars (EU): country code -> timezone; the case fact ``member_state`` picks one
    member_states: dict[str, str] = Field(default_factory=dict)


class Variant(_M):
    when: Condition
    count: int


class DeadlineSpec(_M):
    count: int = Field(ge=0)
    unit: Literal["working_days", "calendar_days"] = "working_days"
    basis: str
    anchor: Literal["event", "opened"] = "event"
    variants: tuple[Variant, ...] = ()
    on_expiry: str | None = None  # system event applied by the scheduler when the deadline passes
    office_close_in_person: bool = False  # due at office close when the party files in person
    extension: int = 0  # most days the deadline may be extended by (same unit)
    no_extension_when: Condition = Field(default_factory=dict)


class StartSpec(_M):
    deadline: str
    when: Condition = Field(default_factory=dict)


class Target(_M):
    state: str
    when: Condition = Field(default_factory=dict)


class EventSpec(_M):
    label: str = ""
    source: Literal["officer", "holder", "declarant", "system", "court"] = "officer"
    from_states: tuple[str, ...] = Field(default=(), alias="from")
    to: tuple[Target, ...] = ()  # first matching target wins; empty = stay in the current state
    within: str | None = None  # refused after this deadline's due moment
    starts: tuple[StartSpec, ...] = ()
    stops: tuple[str, ...] = ()  # deadlines met by this event
    cancels: tuple[str, ...] = ()  # deadlines that no longer apply
    requires: tuple[str, ...] = ()  # data keys that must be given
    allowed_when: Condition = Field(default_factory=dict)
    set_facts: dict[str, Any] = Field(default_factory=dict)
    record: tuple[str, ...] = ()  # data keys copied into the case facts
    effects: tuple[Literal["guarantee", "consignee_guarantee", "penalty", "disposal", "appraisal", "cost",
                           "extend", "credit", "evidence", "party"], ...] = ()
    reason: str = ""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        raw = dict(raw)
        to = raw.get("to")
        if isinstance(to, str):
            raw["to"] = [{"state": to}]
        raw["starts"] = [{"deadline": s} if isinstance(s, str) else s for s in raw.get("starts", [])]
        if isinstance(raw.get("from"), str):
            raw["from"] = [raw["from"]]
        return raw


class Tier(_M):
    below: Decimal | None = None  # applies when value < below
    up_to: Decimal | None = None  # applies when value <= up_to (neither: no upper bound)
    fraction: Decimal | None = None
    fixed: Decimal | None = None
    minimum: Decimal | None = None


class GuaranteeSpec(_M):
    rule: Literal["none", "equal_to_value", "tiers"] = "none"
    tiers: tuple[Tier, ...] = ()
    general_guarantee: bool = False
    general_amount_floor: Decimal | None = None
    general_letter_valid_until: str | None = None  # "MM-DD" of the following year
    basis: str = ""


class PenaltySpec(_M):
    rule: Literal["none", "fraction_of_value", "msrp_multiple"] = "none"
    max_fraction: Decimal | None = None
    first_multiple: Decimal | None = None
    repeat_multiple: Decimal | None = None
    confiscation: bool = False
    basis: str = ""
    credit_consequence: str | None = None


class DisposalOption(_M):
    name: str
    label: str = ""
    requires: tuple[str, ...] = ()
    unavailable_flag: str | None = None


class DisposalSpec(_M):
    ordered: bool = False
    options: tuple[DisposalOption, ...] = ()
    basis: str = ""


class PersonalUseSpec(_M):
    reasonable_quantity: int
    basis: str = ""


class StateSpec(_M):
    label: str = ""
    terminal: bool = False


class Profile(_M):
    id: str
    title: str
    jurisdiction: str
    currency: str
    calendar: CalendarSpec
    default_filing: Literal["post", "bank", "in_person", "electronic"] = "post"
    states: dict[str, StateSpec]
    deadlines: dict[str, DeadlineSpec] = Field(default_factory=dict)
    events: dict[str, EventSpec]
    guarantee: GuaranteeSpec = GuaranteeSpec()
    penalty: PenaltySpec = PenaltySpec()
    disposal: DisposalSpec = DisposalSpec()
    personal_use: PersonalUseSpec | None = None
    small_consignment: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_refs(self) -> Profile:
        if "open" not in self.events:
            raise ValueError("a profile needs an 'open' event")
        for name, ev in self.events.items():
            for s in (*ev.from_states, *(t.state for t in ev.to)):
                if s != "*" and s not in self.states:
                    raise ValueError(f"event {name!r} names unknown state {s!r}")
            for d in (ev.within, *ev.stops, *ev.cancels, *(x.deadline for x in ev.starts)):
                if d is not None and d not in self.deadlines:
                    raise ValueError(f"event {name!r} names unknown deadline {d!r}")
        for name, dl in self.deadlines.items():
            if dl.on_expiry and dl.on_expiry not in self.events:
                raise ValueError(f"deadline {name!r} expiry names unknown event {dl.on_expiry!r}")
        return self

    def calendar_for(self, facts: dict[str, Any]) -> WorkingCalendar:
        spec = self.calendar
        country, tz = spec.country, spec.timezone
        member = facts.get("member_state")
        if member and spec.member_states:
            member = str(member).upper()
            if member not in spec.member_states:
                raise ValueError(f"profile {self.id}: no calendar for member state {member!r} "
                                 f"(known: {', '.join(sorted(spec.member_states))})")
            country, tz = member, spec.member_states[member]
        return WorkingCalendar(country=country, timezone=tz, office_close=spec.office_close, subdiv=spec.subdiv)

    def terminal(self, state: str) -> bool:
        return self.states[state].terminal


class ProfileError(ValueError):
    pass


def load_profile_file(path: Path) -> Profile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return Profile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ProfileError(f"{path}: field {where}: {first['msg']}") from exc


@lru_cache(maxsize=1)
def profiles() -> dict[str, Profile]:
    """Every shipped profile, by id."""
    out: dict[str, Profile] = {}
    for path in sorted(PROFILE_DIR.glob("*.yaml")):
        p = load_profile_file(path)
        out[p.id] = p
    return out


def get_profile(profile_id: str) -> Profile:
    try:
        return profiles()[profile_id]
    except KeyError:
        raise ProfileError(f"unknown profile {profile_id!r} (known: {', '.join(sorted(profiles()))})") from None
