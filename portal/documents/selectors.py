"""Which report jobs a user sees: their own; a system administrator sees everyone's."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.access import scope_of
from portal.enums import Role
from portal.models import ReportJob


def report_jobs_visible_to(user) -> QuerySet[ReportJob]:
    jobs = ReportJob.objects.select_related("requester")
    if scope_of(user).has(Role.SYSTEM_ADMIN):
        return jobs
    if not getattr(user, "is_authenticated", False):
        return jobs.none()
    return jobs.filter(requester=user)
