"""Working days (ngày làm việc) for the legal periods the portal counts: Monday to Friday, less the days
off and plus the compensatory working Saturdays and Sundays (ngày làm bù) in portal.PublicHoliday.

Administrators enter each year's Tết, Giỗ Tổ Hùng Vương, the day next to 2/9 and the swapped days as
the Government announces them; with an empty table a working day is simply Monday to Friday.

The table is read by whole calendar years, every year a period may reach in one query, never a query
per day. A `WorkingCalendar` remembers the years it has read: a page computing many dates shares one
(see `read_periods`); the module functions read afresh on each call, so an edit in the admin counts
from the next request on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import MAXYEAR, MINYEAR, date, timedelta

from portal.enums import HolidayKind
from portal.models import PublicHoliday

# Room beyond the weekends when guessing how far a period reaches: the longest run of weekdays off
# (a Tết break is five to seven of them). A period that still runs further reads one more query.
_BREAK_ALLOWANCE_DAYS = 14


def _reach(day: date, count: int) -> date:
    """A day at or beyond the end of a period of `count` working days from `day`, short of a break
    longer than the allowance (the calendar then reads the next year when it gets there)."""
    days = abs(count) * 7 // 5 + _BREAK_ALLOWANCE_DAYS
    try:
        return day + timedelta(days=days if count >= 0 else -days)
    except OverflowError:
        return date.max if count >= 0 else date.min


class WorkingCalendar:
    """The working days of the years read so far from portal.PublicHoliday (each year read once)."""

    def __init__(self) -> None:
        self._years: set[int] = set()
        self._kinds: dict[date, str] = {}

    def read(self, first: date, last: date) -> None:
        """Read the holidays of the years from `first` to `last` not read yet, in one query."""
        missing = [year for year in range(max(first.year, MINYEAR), min(last.year, MAXYEAR) + 1)
                   if year not in self._years]
        if not missing:
            return
        start, end = date(missing[0], 1, 1), date(missing[-1], 12, 31)
        self._kinds.update(PublicHoliday.objects.filter(date__range=(start, end)).values_list("date", "kind"))
        self._years.update(range(missing[0], missing[-1] + 1))

    def read_periods(self, starts: Iterable[date], count: int) -> None:
        """Read, in one query, what the periods of `count` working days from each of `starts` need."""
        days = [day for start in starts for day in (start, _reach(start, count))]
        if days:
            self.read(min(days), max(days))

    def is_working_day(self, day: date) -> bool:
        self.read(day, day)
        kind = self._kinds.get(day)
        if kind == HolidayKind.HOLIDAY:
            return False
        if kind == HolidayKind.WORKING_DAY:
            return True
        return day.weekday() < 5

    def add_working_days(self, day: date, count: int) -> date:
        """The date `count` working days after `day` (before it when `count` is negative; 0 gives
        `day`, whatever day it is)."""
        if count == 0:
            return day
        self.read_periods([day], count)
        step = timedelta(days=1 if count > 0 else -1)
        current, remaining = day, abs(count)
        while remaining > 0:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current


def is_working_day(day: date) -> bool:
    return WorkingCalendar().is_working_day(day)


def add_working_days(day: date, count: int) -> date:
    """The date ``count`` working days after ``day`` (before it when ``count`` is negative; 0 gives
    ``day``), reading the holidays it needs in one query."""
    return WorkingCalendar().add_working_days(day, count)
