"""Celery tasks of the work-plan app: thin wrappers that pick the day, activate Vietnamese and
call office.reminders. Celery beat runs them (portal.settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone, translation

from office import reminders

# The reminder e-mails are written in Vietnamese whatever language a user reads the portal in.
EMAIL_LANGUAGE = "vi"


def _day(day: str | None) -> date:
    return date.fromisoformat(day) if day else timezone.localdate()


@shared_task(name="office.send_daily_reminders", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_daily_reminders(*, day: str | None = None) -> dict[str, int]:
    """Daily: e-mail assignees and leaders about tasks due in 7 days and overdue (once per day).

    `day` (YYYY-MM-DD) defaults to today in the portal's time zone.
    """
    with translation.override(EMAIL_LANGUAGE):
        return reminders.send_daily_reminders(today=_day(day))


@shared_task(
    name="office.send_monthly_overdue_notice", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_monthly_overdue_notice(*, day: str | None = None) -> dict[str, int]:
    """On the 1st of the month: the Office's notice of overdue tasks per unit (once per day)."""
    with translation.override(EMAIL_LANGUAGE):
        return reminders.send_monthly_overdue_notice(today=_day(day))
