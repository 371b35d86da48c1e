"""The write-only audit log: how services record a change and how a page reads it back.

Each action key (`portal.person.updated`) has one translatable sentence, registered by the app
that owns it; the sentence is rendered when a person looks, in that person's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from portal.display import display_params
from portal.models import AuditLog

_SENTENCES: dict[str, Promise] = {}


def register_actions(sentences: dict[str, Promise]) -> None:
    """Register the sentence for each action key; `%(actor)s` and `%(object)s` are filled in,
    other `%(key)s` parameters come from the entry's data (see portal.display)."""
    _SENTENCES.update(sentences)


def audit_log(*, actor, obj: models.Model, action: str, data: dict[str, Any] | None = None) -> AuditLog:
    """Write one audit row for a change to obj. Unknown action keys are a programming error."""
    if action not in _SENTENCES:
        raise KeyError(f"Unregistered audit action {action!r}")
    return AuditLog.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        data=data or {},
    )


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {field: [old, new]} with JSON-friendly values."""
    return {
        name: [_jsonable(before.get(name)), _jsonable(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def describe(entry: AuditLog) -> str:
    """The entry as a sentence in the active language."""
    sentence = _SENTENCES.get(entry.action)
    actor = actor_name(entry.actor)
    if sentence is None:
        return f"{actor}: {entry.action} {entry.object_repr}"
    return str(sentence) % {**display_params(entry.data), "actor": actor, "object": entry.object_repr}


def actor_name(user) -> str:
    """How a person acting in the portal is named: their staff record's name, else their login."""
    if user is None or not getattr(user, "is_authenticated", False):
        return _("The system")
    try:
        return user.person.full_name
    except ObjectDoesNotExist:
        return user.get_full_name() or user.get_username()


def history_for(obj: models.Model) -> Iterable[AuditLog]:
    """The audit rows of one object, newest first, with their actors fetched in the same query."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return (
        AuditLog.objects.filter(content_type=content_type, object_id=str(obj.pk))
        .select_related("actor__person")
        .order_by("-created_at", "-id")
    )
