"""In-app notifications and their e-mails, rendered in the reader's language.

Apps register a subject and a body for each notification kind; `notify` stores one row per
recipient and queues the e-mails after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.display import display_params
from portal.models import Notification

_KINDS: dict[str, tuple[Promise, Promise]] = {}


def register_kinds(kinds: dict[str, tuple[Promise, Promise]]) -> None:
    """Register (subject, body) sentences per kind; both may use %(name)s parameters."""
    _KINDS.update(kinds)


def notify(*, recipients: Iterable, kind: str, params: dict[str, Any] | None = None, url: str = "") -> list[Notification]:
    """Create a notification for each active recipient and e-mail those with an address."""
    if kind not in _KINDS:
        raise KeyError(f"Unregistered notification kind {kind!r}")
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(recipient=user, kind=kind, params=params or {}, url=url) for user in users.values()]
    )
    emailed = [row.pk for row, user in zip(rows, users.values(), strict=True) if user.email]
    if emailed:
        from portal.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(notification_ids=emailed))
    return rows


def subject_of(notification: Notification) -> str:
    subject, _body = _KINDS.get(notification.kind, (notification.kind, ""))
    return str(subject) % display_params(notification.params)


def body_of(notification: Notification) -> str:
    _subject, body = _KINDS.get(notification.kind, ("", ""))
    return str(body) % display_params(notification.params)


register_kinds(
    {
        "portal.person.updated": (
            _("Your personal record was updated"),
            _("%(actor)s updated your record in the emulation and commendation portal."),
        ),
        "portal.role.granted": (
            _("You were given the role %(role)s"),
            _("%(actor)s gave you the role %(role)s in the emulation and commendation portal."),
        ),
    }
)
