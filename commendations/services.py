"""Write functions of the commendation app: editing an award of the catalogue. (The history import
lives in commendations/excel.py; dossiers, the council and decisions come in a later stage.)"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from commendations.models import Award
from portal.audit import audit_log, field_changes
from portal.services import StaleVersionError

# What the catalogue page edits; the code is the key other data refers to, and the rule versions
# (JSON) are edited in a later stage.
AWARD_FIELDS = (
    "name", "category", "subject", "level", "decided_by", "reward_multiple", "pass_mark_percent", "secret_ballot",
    "is_active",
)


class CommendationsError(Exception):
    """A refusal the user can act on; the message is shown as is."""


def award_fingerprint(award: Award) -> str:
    """A short digest of the editable fields: the Award table has no version column, so a form
    carries this to tell that someone else saved the award in between."""
    values = {name: str(getattr(award, name)) for name in AWARD_FIELDS}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


def award_update(*, actor, award_id: int, fingerprint: str, data: dict[str, Any]) -> Award:
    """Change an award's descriptive fields (admins and emulation officers), audited with the
    changes; StaleVersionError when the award changed since the form was opened."""
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award_id)
        if not actor.has_perm("commendations.change_award", award):
            raise PermissionDenied("commendations.change_award")
        if fingerprint != award_fingerprint(award):
            raise StaleVersionError(award)
        before = {name: getattr(award, name) for name in AWARD_FIELDS}
        after = {name: data[name] for name in AWARD_FIELDS if name in data}
        changes = field_changes(before, after)
        if not changes:
            return award
        for name, value in after.items():
            setattr(award, name, value)
        award.full_clean(exclude=["code", "position"])
        award.save(update_fields=list(after))
        audit_log(actor=actor, obj=award, action="commendations.award.updated", data={"changes": changes})
    return award
