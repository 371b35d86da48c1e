"""Task status and deadlines as pure functions: the national taxonomy derived from dates.

The same rule exists once more as a database expression (office.selectors.status_expression) so
that lists can filter and count by status; tests hold the two to the same answers.
"""

from __future__ import annotations

import calendar
from datetime import date

from office.enums import DeadlineKind, TaskStatus


def effective_due_date(kind: str, value: date | None) -> date | None:
    """The last day a task may be completed on time.

    A month deadline runs to the month's last day, a quarter deadline to the quarter's last day.
    """
    if kind == DeadlineKind.NONE or value is None:
        return None
    if kind == DeadlineKind.MONTH:
        return date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    if kind == DeadlineKind.QUARTER:
        last_month = ((value.month - 1) // 3 + 1) * 3
        return date(value.year, last_month, calendar.monthrange(value.year, last_month)[1])
    return value


def task_status(*, due: date | None, completed_on: date | None, today: date) -> TaskStatus:
    """Completed on or before the due date is on time; not done is overdue only after it."""
    if due is None:
        return TaskStatus.NO_DEADLINE
    if completed_on is not None:
        return TaskStatus.COMPLETED_ON_TIME if completed_on <= due else TaskStatus.COMPLETED_LATE
    return TaskStatus.IN_PROGRESS if today <= due else TaskStatus.OVERDUE


def days_late(*, due: date | None, completed_on: date | None, today: date) -> int:
    """Days past the due date (at completion, or today if not done); 0 when not late."""
    if due is None:
        return 0
    end = completed_on or today
    return max((end - due).days, 0)
