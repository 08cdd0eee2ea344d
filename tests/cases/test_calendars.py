"""Working-day deadlines checked by hand against the official calendars (State Council holiday notices for
2025/2026 with their make-up working days; German and French public holidays; US federal holidays)."""

from __future__ import annotations

from datetime import date, time

import pytest

from bordermark.cases.calendars import WorkingCalendar

CN = WorkingCalendar("CN", "Asia/Shanghai", time(17, 0))
DE = WorkingCalendar("DE", "Europe/Berlin", time(16, 0))
FR = WorkingCalendar("FR", "Europe/Paris", time(16, 0))
US = WorkingCalendar("US", "America/New_York", time(17, 0))


@pytest.mark.parametrize("start, count, due", [
    # Spring Festival 2026 (Feb 15-23 off; Sat Feb 14 and Sat Feb 28 are make-up working days):
    # served Thu Feb 12 -> Fri 13 (1), Sat 14 make-up (2), holiday to Mon 23, Tue 24 (3)
    (date(2026, 2, 12), 3, date(2026, 2, 24)),
    # Spring Festival 2025 (Jan 28-Feb 4 off; Sun Jan 26 and Sat Feb 8 worked):
    # served Fri Jan 24 -> Sun 26 make-up (1), Mon 27 (2), Wed Feb 5 (3)
    (date(2025, 1, 24), 3, date(2025, 2, 5)),
    # National Day 2025 (Oct 1-8 off; Sun Sep 28 and Sat Oct 11 worked): served Fri Sep 26 -> Sun 28 (1),
    # Mon 29 (2), Tue 30 (3)
    (date(2025, 9, 26), 3, date(2025, 9, 30)),
    # served Mon Sep 29 2025 -> Tue 30 (1), Thu Oct 9 (2), Fri Oct 10 (3); Sat Oct 11 would be the 4th
    (date(2025, 9, 29), 3, date(2025, 10, 10)),
    (date(2025, 9, 29), 4, date(2025, 10, 11)),
    # National Day 2026 (Oct 1-7 off; Sun Sep 20 and Sat Oct 10 worked): served Tue Sep 29 -> Wed 30 (1),
    # Thu Oct 8 (2), Fri Oct 9 (3)
    (date(2026, 9, 29), 3, date(2026, 10, 9)),
    # 20 working days from detention Mon Sep 21 2026 over Mid-Autumn (Fri Sep 25) and National Day,
    # with Sat Oct 10 worked: Sep 22-24 (3), 28-30 (6), Oct 8-10 (9), 12-16 (14), 19-23 (19), Mon Oct 26 (20)
    (date(2026, 9, 21), 20, date(2026, 10, 26)),
])
def test_china(start: date, count: int, due: date) -> None:
    assert CN.add_working_days(start, count) == due


def test_china_make_up_day_is_working_and_closure_is_not() -> None:
    assert CN.is_working_day(date(2026, 2, 14))  # Saturday, 调休 working day
    assert not CN.is_working_day(date(2026, 2, 15))  # Sunday inside the closure
    assert not CN.is_working_day(date(2026, 2, 20))  # Friday, day off moved from Feb 14
    assert not CN.is_working_day(date(2026, 2, 21))  # plain Saturday


@pytest.mark.parametrize("cal, start, count, due", [
    # Germany, Christmas 2026: Dec 24 and 31 are working days, Dec 25/26 and Jan 1 are holidays; Jan 6 is a
    # holiday only in some Länder, not nationally: Dec 22,23,24 (3), 28-31 (7), Jan 4,5,6 (10)
    (DE, date(2026, 12, 21), 10, date(2027, 1, 6)),
    # Easter 2026 (Good Friday Apr 3, Easter Monday Apr 6), perishables 3 days from Wed Apr 1:
    # Germany: Thu 2 (1), Tue 7 (2), Wed 8 (3); France keeps Good Friday as a working day: Thu 2, Fri 3, Tue 7
    (DE, date(2026, 4, 1), 3, date(2026, 4, 8)),
    (FR, date(2026, 4, 1), 3, date(2026, 4, 7)),
    # 10 days from Apr 1 in Germany: Apr 2, 7-10, 13-17 -> Fri Apr 17; +10 over May Day: Apr 20-24, 27-30, Mon May 4
    (DE, date(2026, 4, 1), 10, date(2026, 4, 17)),
    (DE, date(2026, 4, 17), 10, date(2026, 5, 4)),
    # US: Independence Day 2026 observed Fri Jul 3: from Wed Jul 1 -> Thu 2 (1), Mon 6..Thu 9 (5)
    (US, date(2026, 7, 1), 5, date(2026, 7, 9)),
    # Thanksgiving Thu Nov 26 2026 (the Friday after is a working day): from Mon Nov 23 -> 24, 25, 27, 30, Dec 1
    (US, date(2026, 11, 23), 5, date(2026, 12, 1)),
    # Christmas Fri Dec 25 2026 (Dec 24 is not federal): from Fri Dec 18, 7 days -> 21-24 (4), 28, 29, 30
    (US, date(2026, 12, 18), 7, date(2026, 12, 30)),
])
def test_eu_and_us(cal: WorkingCalendar, start: date, count: int, due: date) -> None:
    assert cal.add_working_days(start, count) == due


def test_due_moments_are_local_end_of_day_and_office_close() -> None:
    day = date(2026, 2, 24)
    assert CN.end_of_day(day).isoformat() == "2026-02-24T23:59:59.999999+08:00"
    assert CN.close_of_office(day).isoformat() == "2026-02-24T17:00:00+08:00"
    assert CN.working_days_between(date(2026, 2, 12), day) == 3
