"""Working days (ngày làm việc) for the legal periods the portal counts: Monday to Friday.

Public holidays (Tết, 30/4, 1/5, 2/9…) are not in the data yet, so a period across one comes out a
day short; when a holiday table exists, skip its dates here and every period follows.
"""

from __future__ import annotations

from datetime import date, timedelta


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def add_working_days(day: date, count: int) -> date:
    """The date ``count`` working days after ``day`` (before it when ``count`` is negative; 0 gives
    ``day``)."""
    step = timedelta(days=1 if count >= 0 else -1)
    current, remaining = day, abs(count)
    while remaining > 0:
        current += step
        if is_working_day(current):
            remaining -= 1
    return current
