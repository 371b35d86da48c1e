"""Working days: Monday to Friday, forwards and backwards (portal.calendar)."""

from datetime import date

import pytest

from portal.calendar import add_working_days

FRIDAY = date(2025, 6, 6)


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (FRIDAY, 0, FRIDAY),
        (FRIDAY, 1, date(2025, 6, 9)),  # over the weekend to Monday
        (FRIDAY, 5, date(2025, 6, 13)),
        (date(2025, 6, 9), -1, FRIDAY),  # Monday back to Friday
        (date(2025, 6, 7), -1, FRIDAY),  # from a Saturday
        (date(2025, 6, 30), -20, date(2025, 6, 2)),
    ],
)
def test_add_working_days_skips_weekends_both_ways(day, count, expected):
    assert add_working_days(day, count) == expected
