"""A small data set of the sector's shape (portal.scale at --small), and the objects tests address.

`scale_objects()` picks, from a database filled by `portal.scale.build_scale`, one object of each
kind a URL needs, preferably of unit U001 (the unit of the logins scale_staff_1 and scale_leader_1).
"""

from __future__ import annotations

from types import SimpleNamespace

SMALL_SCALE = 0.02
ROLE_LOGINS = {
    "staff": "scale_staff_1",
    "leader": "scale_leader_1",
    "officer": "scale_officer",
    "council": "scale_council1",
    "admin": "scale_admin",
}


def scale_objects(year: int) -> SimpleNamespace:
    from django.contrib.auth import get_user_model

    from commendations.models import (
        Award,
        CertificateLayout,
        CouncilMeeting,
        Decision,
        Dossier,
        TitleRegistration,
    )
    from emulation.enums import CampaignState
    from emulation.models import Campaign, ScoreLine
    from emulation.services import SCORED_KINDS
    from office.models import DeadlineAdjustment, Petition, PetitionBatch, Task, WorkPlan
    from portal.models import EmulationCluster, Notification, Person, ReportJob, Unit

    users = {role: get_user_model().objects.get(username=name) for role, name in ROLE_LOGINS.items()}
    unit = Unit.objects.get(code="U001")
    plan = WorkPlan.objects.get(unit=unit, year=year)
    open_campaign = Campaign.objects.filter(state=CampaignState.OPEN).order_by("pk").first()
    published = Campaign.objects.filter(state=CampaignState.PUBLISHED).order_by("pk").first()
    scorecard = open_campaign.scorecards.get(unit=unit)
    dossier = Dossier.objects.filter(unit=unit, year=year).first()
    return SimpleNamespace(
        users=users,
        year=year,
        unit=unit,
        person=Person.objects.filter(unit=unit, user__isnull=True).order_by("pk").first(),
        cluster=EmulationCluster.objects.order_by("code").first(),
        notification=Notification.objects.filter(recipient=users["staff"]).first(),
        plan=plan,
        task=Task.objects.filter(plan=plan, completed_on__isnull=True, due_date__isnull=False).order_by("pk").first(),
        adjustment=DeadlineAdjustment.objects.order_by("pk").first(),
        batch=PetitionBatch.objects.order_by("pk").first(),
        petition=Petition.objects.filter(lead_unit=unit).order_by("pk").first(),
        campaign=open_campaign,
        scheme=open_campaign.scheme,
        node=open_campaign.scheme.nodes.filter(kind__in=SCORED_KINDS).order_by("pk").first(),
        scorecard=scorecard,
        line=ScoreLine.objects.filter(scorecard=scorecard).order_by("pk").first(),
        result_scorecard=published.scorecards.get(unit=unit),
        published=published,
        award=Award.objects.get(code="CSTDCS"),
        dossier=dossier,
        nominee=dossier.nominees.order_by("pk").first(),
        meeting=CouncilMeeting.objects.order_by("pk").first(),
        decision=Decision.objects.order_by("pk").first(),
        registration=TitleRegistration.objects.filter(unit=unit).first(),
        layout=CertificateLayout.objects.order_by("pk").first(),
        job=ReportJob.objects.order_by("pk").first(),
    )
