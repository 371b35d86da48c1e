"""Celery tasks of the organisation app: thin wrappers that take ids and call plain functions."""

from __future__ import annotations

import socket

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone, translation

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
