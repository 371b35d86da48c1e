"""Task status and deadlines: the pure rule at its boundaries, and the SQL twin agreeing with it."""

from datetime import date

import pytest

from office.enums import DeadlineKind, TaskStatus
from office.models import Task, deadline_label
from office.selectors import on_time_rate, status_counts, with_status
from office.status import days_late, effective_due_date, task_status
from tests.factories.office import TaskFactory

TODAY = date(2026, 6, 15)

# (due, completed_on, expected) around TODAY and the deadline.
CASES = [
    pytest.param(date(2026, 6, 15), None, TaskStatus.IN_PROGRESS, id="due-today-not-done"),
    pytest.param(date(2026, 6, 14), None, TaskStatus.OVERDUE, id="due-yesterday-not-done"),
    pytest.param(date(2026, 6, 16), None, TaskStatus.IN_PROGRESS, id="due-tomorrow"),
    pytest.param(date(2026, 6, 10), date(2026, 6, 10), TaskStatus.COMPLETED_ON_TIME, id="completed-on-the-deadline"),
    pytest.param(date(2026, 6, 10), date(2026, 6, 11), TaskStatus.COMPLETED_LATE, id="completed-a-day-late"),
    pytest.param(date(2026, 6, 10), date(2026, 6, 1), TaskStatus.COMPLETED_ON_TIME, id="completed-early"),
    pytest.param(date(2026, 7, 1), date(2026, 6, 1), TaskStatus.COMPLETED_ON_TIME, id="completed-before-future-deadline"),
    pytest.param(None, None, TaskStatus.NO_DEADLINE, id="no-deadline"),
    pytest.param(None, date(2026, 5, 1), TaskStatus.NO_DEADLINE, id="no-deadline-completed"),
]


@pytest.mark.parametrize(("due", "completed_on", "expected"), CASES)
def test_task_status_boundaries(due, completed_on, expected):
    assert task_status(due=due, completed_on=completed_on, today=TODAY) == expected


@pytest.mark.django_db
def test_database_status_agrees_with_the_pure_rule_for_every_case():
    """Run on PostgreSQL in CI: the SQL CASE must give the same answer as office.status."""
    expected = {}
    for number, case in enumerate(CASES):
        due, completed_on, status = case.values
        task = TaskFactory(
            code=f"S{number}",
            deadline_kind=DeadlineKind.DATE if due else DeadlineKind.NONE,
            due_date=due,
            completed_on=completed_on,
        )
        expected[task.pk] = status
    annotated = dict(with_status(Task.objects.all(), TODAY).values_list("pk", "status"))
    assert annotated == {pk: status.value for pk, status in expected.items()}


@pytest.mark.django_db
def test_status_counts_include_zeros_and_count_each_task_once():
    TaskFactory(due_date=date(2026, 6, 1))  # overdue on TODAY
    TaskFactory(due_date=date(2026, 6, 30))  # within deadline
    TaskFactory(due_date=date(2026, 6, 30), completed_on=date(2026, 6, 2))  # on time
    counts = status_counts(Task.objects.all(), TODAY)
    assert counts == {
        "completed_on_time": 1,
        "completed_late": 0,
        "in_progress": 1,
        "overdue": 1,
        "no_deadline": 0,
    }


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (DeadlineKind.DATE, date(2026, 2, 10), date(2026, 2, 10)),
        (DeadlineKind.MONTH, date(2026, 2, 3), date(2026, 2, 28)),
        (DeadlineKind.MONTH, date(2028, 2, 3), date(2028, 2, 29)),  # leap year
        (DeadlineKind.MONTH, date(2026, 12, 1), date(2026, 12, 31)),
        (DeadlineKind.QUARTER, date(2026, 1, 1), date(2026, 3, 31)),
        (DeadlineKind.QUARTER, date(2026, 5, 20), date(2026, 6, 30)),
        (DeadlineKind.QUARTER, date(2026, 9, 30), date(2026, 9, 30)),
        (DeadlineKind.QUARTER, date(2026, 11, 2), date(2026, 12, 31)),
        (DeadlineKind.NONE, date(2026, 11, 2), None),
    ],
)
def test_effective_due_date_runs_to_the_end_of_month_or_quarter(kind, value, expected):
    assert effective_due_date(kind, value) == expected


def test_month_deadline_task_completed_on_last_day_is_on_time():
    due = effective_due_date(DeadlineKind.MONTH, date(2026, 6, 1))
    assert task_status(due=due, completed_on=date(2026, 6, 30), today=TODAY) == TaskStatus.COMPLETED_ON_TIME
    assert task_status(due=due, completed_on=date(2026, 7, 1), today=TODAY) == TaskStatus.COMPLETED_LATE


def test_quarter_deadline_is_not_overdue_until_the_quarter_ends():
    due = effective_due_date(DeadlineKind.QUARTER, date(2026, 4, 1))
    assert task_status(due=due, completed_on=None, today=date(2026, 6, 30)) == TaskStatus.IN_PROGRESS
    assert task_status(due=due, completed_on=None, today=date(2026, 7, 1)) == TaskStatus.OVERDUE


def test_days_late():
    assert days_late(due=date(2026, 6, 10), completed_on=date(2026, 6, 13), today=TODAY) == 3
    assert days_late(due=date(2026, 6, 10), completed_on=None, today=TODAY) == 5
    assert days_late(due=date(2026, 6, 20), completed_on=None, today=TODAY) == 0
    assert days_late(due=None, completed_on=None, today=TODAY) == 0


def test_on_time_rate_ignores_tasks_whose_outcome_is_unknown():
    counts = {"completed_on_time": 3, "completed_late": 1, "overdue": 1, "in_progress": 50, "no_deadline": 9}
    assert on_time_rate(counts) == 3 / 5
    assert on_time_rate({"in_progress": 4}) is None


def test_deadline_labels_in_vietnamese():
    from django.utils import translation

    with translation.override("vi"):
        assert deadline_label(DeadlineKind.DATE, date(2026, 6, 5)) == "05/06/2026"
        assert deadline_label(DeadlineKind.MONTH, date(2026, 6, 30)) == "tháng 6/2026"
        assert deadline_label(DeadlineKind.QUARTER, date(2026, 9, 30)) == "quý III/2026"
        assert deadline_label(DeadlineKind.NONE, None) == "—"
