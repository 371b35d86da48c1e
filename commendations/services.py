"""Write functions of the commendation app: editing an award of the catalogue and recording the
clusters' elections. (The history import lives in commendations/excel.py; dossiers in
commendations/dossiers.py; the council and decisions in commendations/council.py; registrations
in commendations/registrations.py.)"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from commendations.models import Award, ClusterElection
from portal.audit import audit_log, field_changes
from portal.models import ClusterMembership, EmulationCluster
from portal.services import StaleVersionError

# What the catalogue page edits; the code is the key other data refers to, and the rule versions
# (JSON) are edited in a later stage.
AWARD_FIELDS = (
    "name", "category", "subject", "level", "decided_by", "reward_multiple", "pass_mark_percent", "secret_ballot",
    "required_documents", "is_active",
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


# --- Cluster elections (suy tôn) -------------------------------------------------------------------


def cluster_election_record(
    *, actor, year: int, cluster_id: int, unit_id: int | None, held_on=None, note: str = ""
) -> ClusterElection | None:
    """Record (or change, or with ``unit_id`` None clear) the unit a cluster elected for the year.
    The unit must sit in that cluster that year. Audited with the previous choice."""
    if not actor.has_perm("commendations.manage_elections"):
        raise PermissionDenied("commendations.manage_elections")
    with transaction.atomic():
        cluster = EmulationCluster.objects.select_for_update().get(pk=cluster_id)
        current = ClusterElection.objects.filter(cluster=cluster, year=year).select_related("unit").first()
        previous = current.unit.name if current else ""
        if unit_id is None:
            if current is not None:
                current.delete()
                audit_log(actor=actor, obj=cluster, action="commendations.election.cleared",
                          data={"year": year, "previous": previous})
            return None
        if not ClusterMembership.objects.filter(cluster=cluster, year=year, unit_id=unit_id).exists():
            raise CommendationsError(_("That unit is not a member of the cluster in %(year)s.") % {"year": year})
        election = current or ClusterElection(cluster=cluster, year=year)
        election.unit_id, election.held_on, election.note, election.recorded_by = unit_id, held_on, note, actor
        election.save()
        audit_log(actor=actor, obj=cluster, action="commendations.election.recorded",
                  data={"year": year, "unit": election.unit.name, "previous": previous})
    return election
