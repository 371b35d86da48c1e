"""Print, as JSON, the pages each seeded login of `manage.py seed_scale` works on, for bench/locustfile.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_h10 .venv/bin/python bench/scale_targets.py > targets.json

For each unit login pair (scale_staff_<n>, scale_leader_<n>): the unit's plan, a few of its tasks,
its scorecard in the first open campaign and its dossier with a nominee; plus the ministry-wide
pages (campaigns, a council meeting) for the officer and council logins.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> None:
    import django

    django.setup()
    json.dump(targets(), sys.stdout)


def targets(year: int | None = None) -> dict:
    """The targets of the seeded database Django is set up on (tests/test_load_smoke.py calls it too)."""
    from django.utils import timezone

    from commendations.models import CouncilMeeting, Dossier
    from emulation.enums import CampaignState
    from emulation.models import Campaign, Scorecard
    from office.models import Task, WorkPlan
    from portal.models import Unit

    year = year or int(os.environ.get("LOAD_YEAR") or timezone.localdate().year)
    campaign = Campaign.objects.filter(state=CampaignState.OPEN).order_by("pk").first()
    published = Campaign.objects.filter(state=CampaignState.PUBLISHED).order_by("pk").first()
    plans = dict(WorkPlan.objects.filter(year=year).values_list("unit_id", "pk"))
    cards = {unit: (pk, state) for unit, pk, state in
             Scorecard.objects.filter(campaign=campaign).values_list("unit_id", "pk", "state")}
    dossiers = {unit: (pk, state) for unit, pk, state in
                Dossier.objects.filter(year=year).values_list("unit_id", "pk", "state")}
    tasks: dict[int, list[int]] = {}
    for unit_id, pk in Task.objects.filter(plan__year=year).order_by("pk").values_list("lead_unit_id", "pk"):
        if len(tasks.setdefault(unit_id, [])) < 20:
            tasks[unit_id].append(pk)
    units = []
    for n, unit in enumerate(Unit.objects.filter(code__startswith="U").order_by("code"), start=1):
        card, card_state = cards.get(unit.pk, (None, None))
        dossier, dossier_state = dossiers.get(unit.pk, (None, None))
        units.append({"n": n, "unit": unit.pk, "plan": plans.get(unit.pk), "tasks": tasks.get(unit.pk, []),
                      "scorecard": card, "scorecard_state": card_state,
                      "dossier": dossier, "dossier_state": dossier_state})
    return {
        "year": year,
        "campaign": campaign.pk if campaign else None,
        "published_campaign": published.pk if published else None,
        "meeting": CouncilMeeting.objects.order_by("pk").values_list("pk", flat=True).first(),
        # what the ministry sees: dossiers the units have sent on (drafts stay with the unit)
        "dossiers": list(Dossier.objects.filter(year=year).exclude(state__in=["draft", "submitted"])
                         .order_by("pk").values_list("pk", flat=True)[:200]),
        "units": units,
    }


if __name__ == "__main__":
    main()
