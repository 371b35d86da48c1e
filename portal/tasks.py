"""Celery tasks of the organisation app: thin wrappers that take ids and call plain functions."""

from __future__ import annotations

import socket

from celery import shared_task
from celery.signals import task_failure
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone, translation

from portal.documents.services import (
    TRANSIENT_ERRORS,
    report_job_give_up,
    report_job_run,
    report_jobs_fail_stale,
)
from portal.models import Notification
from portal.notifications import body_of, subject_of


@shared_task(name="portal.health_check")
def health_check() -> dict:
    """Prove a worker is alive and reaches the database: returns its host name and a DB answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (answer,) = cursor.fetchone()
    return {
        "worker": socket.gethostname(),
        "database": answer == 1,
        "vendor": connection.vendor,
        "database_name": str(connection.settings_dict["NAME"]),
    }


@shared_task(name="portal.send_notification_emails", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """E-mail each notification to its recipient, in the portal's language (Vietnamese).

    Each notification is marked as soon as its e-mail is handed over, so a retry after a failure
    halfway through the batch sends only the ones still waiting.
    """
    sent = 0
    waiting = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for notification in waiting:
            if not notification.recipient.email:
                continue
            body = body_of(notification)
            if notification.url:
                body = f"{body}\n\n{settings.PORTAL_BASE_URL}{notification.url}"
            send_mail(subject_of(notification), body, None, [notification.recipient.email])
            Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
            sent += 1
    return sent


@shared_task(
    bind=True,
    name="portal.render_report",
    acks_late=True,
    # A pool process killed mid-render (the kernel's OOM killer, a crash) sends the task again,
    # counted against max_retries, so a document that always kills its process cannot loop.
    reject_on_worker_lost=True,
    retry_on_worker_lost=True,
    default_retry_delay=5,
    max_retries=3,
    soft_time_limit=settings.PORTAL_REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.PORTAL_REPORT_TIME_LIMIT,
)
def render_report(self, *, job_id: int) -> str:
    """Render one report job (queue "pdf"); a redelivered message re-runs a job that is not done.

    Transient errors (database, disk) are retried with exponential backoff (5 s, 10 s, 20 s,
    jittered, at most 60 s: below the broker's visibility timeout). Celery's autoretry_for is not
    used because an in-process (eager) run cannot retry without raising into the request; there
    the first transient error fails the job.
    """
    try:
        return report_job_run(job_id=job_id, worker=self.request.hostname or "", task_id=self.request.id or "")
    except TRANSIENT_ERRORS as error:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            raise  # the task_failure receiver below fails the job
        countdown = get_exponential_backoff_interval(5, self.request.retries, 60, full_jitter=True)
        raise self.retry(exc=error, countdown=max(1, countdown)) from error


@task_failure.connect
def _report_task_failed(sender=None, exception=None, kwargs=None, **extra) -> None:
    """When Celery gives up on a report task (retries used up, time limit, its process lost too
    often), the job shows why instead of a progress bar that never moves."""
    if getattr(sender, "name", None) == "portal.render_report" and (kwargs or {}).get("job_id"):
        report_job_give_up(job_id=kwargs["job_id"], error=exception)


@shared_task(name="portal.fail_stale_report_jobs")
def fail_stale_report_jobs() -> int:
    """Periodic: jobs nobody worked on for too long are shown as failed (never a spinner forever)."""
    return report_jobs_fail_stale()
