"""Working-day arithmetic over each jurisdiction's official calendar (the ``holidays`` package). Pure.

Why ``holidays``' own ``is_working_day``: it knows weekends, public holidays and, for China, the weekend days that
are official make-up working days (调休, ``weekend_workdays``), so a 3-working-day deadline over Chinese New Year
or National Day lands where the State Council's notice puts it.

Counting rule (CN Measures Art. 41 and the EU/US practice): the period starts the day after the triggering act;
the due moment is the end of the last day (24:00) or, for filings in person, the office's closing time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=64)
def _calendar(country: str, subdiv: str | None) -> Any:
    return holidays.country_holidays(country, subdiv=subdiv)


@dataclass(frozen=True)
class WorkingCalendar:
    country: str
    timezone: str
    office_close: time = time(17, 0)
    subdiv: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def holiday_name(self, day: date) -> str | None:
        name = _calendar(self.country, self.subdiv).get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        return bool(_calendar(self.country, self.subdiv).is_working_day(day))

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (counting begins the day after)."""
        if count < 0:
            raise ValueError("count must be >= 0")
        day, left = start, count
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def add_calendar_days(self, start: date, count: int) -> date:
        return start + timedelta(days=count)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        n, day = 0, start
        while day < end:
            day += timedelta(days=1)
            n += self.is_working_day(day)
        return n

    def local_date(self, at: datetime) -> date:
        return to_local(at, self.tz).date()

    def end_of_day(self, day: date) -> datetime:
        """24:00 of ``day`` expressed as the last microsecond of the day, local time."""
        return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=self.tz)

    def close_of_office(self, day: date) -> datetime:
        return datetime.combine(day, self.office_close, tzinfo=self.tz)


def to_local(at: datetime, tz: ZoneInfo) -> datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    return at.astimezone(tz)
