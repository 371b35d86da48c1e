"""Write functions of the organisation app: every change is audited and, where it concerns a
person with a login, notified."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.access import forget_scope
from portal.audit import actor_name, audit_log, field_changes
from portal.models import Notification, Person, RoleGrant, Unit
from portal.notifications import notify
from portal.text import nfc


class StaleVersionError(Exception):
    """Someone saved the record after the user opened it; carries the record as saved now."""

    def __init__(self, current: Any):
        super().__init__("stale version")
        self.current = current


PERSON_EDITABLE_FIELDS = ("full_name", "gender", "date_of_birth", "position", "email", "is_active")


def person_update(*, actor, person_id: int, version: int, data: dict[str, Any]) -> Person:
    """Save the edited fields of a person unless someone else saved the record in between.

    A person with a login is e-mailed at the login's address, so that address follows the record's.
    """
    with transaction.atomic():
        # Lock the person row only: the login is optional (an outer join PostgreSQL will not lock).
        person = Person.objects.select_for_update(of=("self",)).select_related("unit", "user").get(pk=person_id)
        if actor is None or not actor.has_perm("portal.change_person", person):
            raise PermissionDenied
        if person.version != version:
            raise StaleVersionError(person)
        before = {name: getattr(person, name) for name in PERSON_EDITABLE_FIELDS}
        for name in PERSON_EDITABLE_FIELDS:
            if name in data:
                value = data[name]
                setattr(person, name, nfc(value) if isinstance(value, str) else value)
        changes = field_changes(before, {name: getattr(person, name) for name in PERSON_EDITABLE_FIELDS})
        if not changes:
            return person
        person.version += 1
        person.save()
        if "email" in changes and person.user is not None:
            person.user.email = person.email
            person.user.save(update_fields=["email"])
        audit_log(actor=actor, obj=person, action="portal.person.updated", data={"changes": changes})
        if person.user_id and person.user_id != actor.pk:
            notify(
                recipients=[person.user],
                kind="portal.person.updated",
                params={"actor": actor_name(actor)},
                url=reverse("portal:person_detail", args=[person.pk]),
            )
    return person


def role_grant(*, actor, user, role: str, unit: Unit | None = None) -> RoleGrant:
    """Give a user a role (scoped to a unit for staff and leaders); granting twice is a no-op."""
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(user=user, role=role, unit=unit)
        if created:
            person = getattr(user, "person", None)
            audit_log(actor=actor, obj=person or grant, action="portal.role.granted", data={"role": role})
            notify(recipients=[user], kind="portal.role.granted", params={"actor": actor_name(actor), "role": role})
    forget_scope(user)
    return grant


def role_revoke(*, actor, grant: RoleGrant) -> None:
    """Take a role away from a user; audited on their staff record, like the grant was."""
    user = grant.user
    with transaction.atomic():
        person = getattr(user, "person", None)
        data = {"role": grant.role}
        if grant.unit_id:
            data["unit"] = grant.unit.code
        audit_log(actor=actor, obj=person or grant, action="portal.role.revoked", data=data)
        grant.delete()
    forget_scope(user)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) as read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())

