"""The notification e-mail task: each notification is e-mailed at most once, retries included."""

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from portal.models import Notification
from portal.tasks import send_notification_emails
from tests.factories import UserFactory


def test_retry_after_a_failed_message_sends_only_the_remaining_ones(db, monkeypatch):
    recipients = [UserFactory(email=f"nguoi{n}@example.vn") for n in range(3)]
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, kind="portal.person.updated", params={"actor": "X"}) for user in recipients]
    )
    original = EmailBackend.send_messages
    attempts = []

    def fail_on_the_second_message(self, messages):
        attempts.extend(address for message in messages for address in message.to)
        if len(attempts) == 2:
            raise ConnectionRefusedError("SMTP server went away")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fail_on_the_second_message)
    # Run in-process without propagating the failure, so Celery runs its automatic retry at once.
    result = send_notification_emails.apply(kwargs={"notification_ids": [n.pk for n in notifications]}, throw=False)

    assert result.get() == 2  # the retry sent the two that were still waiting
    assert attempts == ["nguoi0@example.vn", "nguoi1@example.vn", "nguoi1@example.vn", "nguoi2@example.vn"]
    assert sorted(message.to[0] for message in mail.outbox) == [user.email for user in recipients]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_notification_already_emailed_is_not_sent_again(db):
    user = UserFactory(email="mot@example.vn")
    notification = Notification.objects.create(recipient=user, kind="portal.person.updated", params={"actor": "X"})
    assert send_notification_emails(notification_ids=[notification.pk]) == 1
    emailed_at = Notification.objects.get(pk=notification.pk).emailed_at
    assert send_notification_emails(notification_ids=[notification.pk]) == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).emailed_at == emailed_at is not None
