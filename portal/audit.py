"""The write-only audit log: how services record a change and how a page reads it back.

Each action key (`portal.person.updated`) has one translatable sentence, registered by the app
that owns it; the sentence is rendered when a person looks, in that person's language.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal.display import display_params
from portal.models import AuditLog

logger = logging.getLogger(__name__)

_SENTENCES: dict[str, Promise] = {}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EMPTY_VALUE = "—"


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
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)


def describe(entry: AuditLog) -> str:
    """The entry as a sentence in the active language.

    A sentence that names a parameter the entry lacks (an old entry, a faulty translation) gives
    a plain fallback instead of breaking every page that shows the history.
    """
    sentence = _SENTENCES.get(entry.action)
    actor = actor_name(entry.actor)
    if sentence is not None:
        params = {**display_params(entry.data), "actor": actor, "object": entry.object_repr}
        try:
            return str(sentence) % params
        except (KeyError, ValueError, TypeError):
            logger.warning("Audit sentence for %r does not fit entry %s", entry.action, entry.pk, exc_info=True)
    return f"{actor}: {entry.action} {entry.object_repr}"


def describe_changes(entry: AuditLog) -> list[tuple[str, str, str]]:
    """The entry's field changes as (label, old, new) for a reader: the field's verbose name,
    choice labels, Yes/No, dd/mm/yyyy dates and a dash for empty values, in the active language.

    Fields the model no longer has keep their stored name.
    """
    changes = entry.data.get("changes") if isinstance(entry.data, dict) else None
    if not isinstance(changes, dict):
        return []
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    rows = []
    for name, values in changes.items():
        if not isinstance(values, list | tuple) or len(values) != 2:
            continue
        try:
            field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            field = None
        label = capfirst(str(field.verbose_name)) if field is not None and hasattr(field, "verbose_name") else name
        rows.append((label, _display_value(field, values[0]), _display_value(field, values[1])))
    return rows


def _display_value(field, value: Any) -> str:
    if value is None or value == "":
        return EMPTY_VALUE
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and getattr(field, "choices", None) and isinstance(value, str | int):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


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


def history_rows(entries: Iterable[AuditLog]) -> list[tuple[AuditLog, str, list[tuple[str, str, str]]]]:
    """(entry, sentence, field changes) per entry: what templates/includes/history.html shows."""
    return [(entry, describe(entry), describe_changes(entry)) for entry in entries]
