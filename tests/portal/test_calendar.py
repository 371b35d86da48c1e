"""Working days (portal.calendar): Monday to Friday, less the days off and plus the compensatory
working days of portal.PublicHoliday, forwards and backwards, read in one query."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from portal.calendar import WorkingCalendar, add_working_days, is_working_day
from portal.enums import HolidayKind
from tests.factories import PublicHolidayFactory

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def national_day_2025():
    """Quốc khánh 2025: Monday 01/09 (the adjacent day) and Tuesday 02/09 off."""
    return [
        PublicHolidayFactory(date=date(2025, 9, 1), name="Nghỉ liền kề Quốc khánh"),
        PublicHolidayFactory(date=date(2025, 9, 2), name="Quốc khánh"),
    ]


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2025, 8, 29), 1, date(2025, 9, 3)),  # Friday → Wednesday over the weekend and both days off
        (date(2025, 9, 3), -1, date(2025, 8, 29)),  # and back
        (date(2025, 8, 28), 5, date(2025, 9, 8)),  # Thu 28/08 + Fri 29, Wed 03, Thu 04, Fri 05, Mon 08
        (date(2025, 9, 8), -5, date(2025, 8, 28)),
    ],
)
def test_add_working_days_skips_a_holiday_both_ways(national_day_2025, day, count, expected):
    assert add_working_days(day, count) == expected


def test_a_holiday_is_not_a_working_day_and_a_compensatory_saturday_is(national_day_2025):
    PublicHolidayFactory(date=date(2025, 9, 6), name="Làm bù", kind=HolidayKind.WORKING_DAY)

    assert [is_working_day(date(2025, 9, day)) for day in range(1, 8)] == [
        False, False, True, True, True, True, False,  # Mon–Tue off, Sat 06/09 worked, Sun off
    ]


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (FRIDAY, 1, date(2025, 6, 7)),  # Friday → the Saturday worked
        (FRIDAY, 2, date(2025, 6, 9)),
        (date(2025, 6, 9), -1, date(2025, 6, 7)),  # Monday back to that Saturday
        (date(2025, 6, 9), -2, FRIDAY),
    ],
)
def test_add_working_days_counts_a_compensatory_saturday_both_ways(day, count, expected):
    PublicHolidayFactory(date=date(2025, 6, 7), name="Làm bù", kind=HolidayKind.WORKING_DAY)

    assert add_working_days(day, count) == expected


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2025, 12, 30), 3, date(2026, 1, 5)),  # Wed 31/12, (Thu 01/01 off), Fri 02/01, Mon 05/01
        (date(2026, 1, 5), -3, date(2025, 12, 30)),
    ],
)
def test_a_period_across_the_new_year_reads_both_years_in_one_query(day, count, expected, django_assert_num_queries):
    PublicHolidayFactory(date=date(2026, 1, 1), name="Tết Dương lịch")

    with django_assert_num_queries(1):
        assert add_working_days(day, count) == expected


@pytest.mark.parametrize("count", [20, -20])
def test_twenty_working_days_take_one_query(count, django_assert_num_queries):
    PublicHolidayFactory(date=date(2025, 4, 30), name="Ngày Chiến thắng")
    PublicHolidayFactory(date=date(2025, 5, 1), name="Ngày Quốc tế Lao động")
    PublicHolidayFactory(date=date(2025, 5, 2), name="Nghỉ bù")

    with django_assert_num_queries(1):
        landed = add_working_days(date(2025, 4, 28) if count > 0 else date(2025, 5, 29), count)

    # Mon 28/04 + 20 working days with Wed 30/04–Fri 02/05 off: Tue 29/04, then 19 from Mon 05/05
    assert landed == (date(2025, 5, 29) if count > 0 else date(2025, 4, 28))


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [(date(2025, 12, 12), 1, date(2026, 1, 19)), (date(2026, 1, 19), -1, date(2025, 12, 12))],
)
def test_a_break_beyond_the_first_read_reads_the_next_year(day, count, expected, django_assert_num_queries):
    """Five weeks off across the new year reach past the first guess: one more query, the right day."""
    for offset in range((date(2026, 1, 16) - date(2025, 12, 15)).days + 1):
        PublicHolidayFactory(date=date(2025, 12, 15) + timedelta(days=offset), name="Nghỉ dài (thử)")

    with django_assert_num_queries(2):
        assert add_working_days(day, count) == expected


def test_a_shared_calendar_reads_each_year_once(django_assert_num_queries):
    PublicHolidayFactory(date=date(2026, 4, 30), name="Ngày Chiến thắng")
    calendar = WorkingCalendar()

    with django_assert_num_queries(1):
        calendar.read_periods([date(2024, 3, 4), date(2026, 5, 18)], -20)
        dues = [calendar.add_working_days(day, -20) for day in (date(2024, 3, 4), date(2025, 5, 19), date(2026, 5, 18))]

    assert dues == [date(2024, 2, 5), date(2025, 4, 21), date(2026, 4, 17)]


def test_a_compensatory_working_day_must_fall_on_a_weekend():
    holiday = PublicHolidayFactory.build(date=date(2025, 6, 4), name="Làm bù", kind=HolidayKind.WORKING_DAY)

    with pytest.raises(ValidationError) as raised:
        holiday.full_clean()
    assert list(raised.value.message_dict) == ["kind"]
    PublicHolidayFactory.build(date=date(2025, 6, 7), name="Làm bù", kind=HolidayKind.WORKING_DAY).full_clean()
