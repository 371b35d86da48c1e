"""States and kinds of the organisation app (units, people, roles)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    DEPARTMENT = "department", _("Department")  # Vụ
    AGENCY = "agency", _("Agency")  # Cục
    OFFICE = "office", pgettext_lazy("unit kind", "Office")
    INSPECTORATE = "inspectorate", _("Inspectorate")
    GENERAL_DEPARTMENT = "general_department", _("General department")  # Tổng cục
    DIVISION = "division", _("Division")
    PUBLIC_SERVICE = "public_service", _("Public service unit")
    PROVINCIAL_JUSTICE = "provincial_justice", _("Provincial Justice Department")
    ENFORCEMENT_OFFICE = "enforcement_office", _("Civil judgment enforcement office")


class ClusterKind(models.TextChoices):
    CLUSTER = "cluster", _("Emulation cluster")  # Cụm thi đua
    BLOCK = "block", _("Emulation block")  # Khối thi đua


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Role(models.TextChoices):
    """What a user may do; a user can hold several roles, each with its scope."""

    STAFF = "staff", _("Unit staff")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    EMULATION_OFFICER = "emulation_officer", _("Emulation officer")
    PLAN_COORDINATOR = "plan_coordinator", _("Work plan coordinator")  # Văn phòng Bộ theo dõi kế hoạch
    COUNCIL_MEMBER = "council_member", _("Council member")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


# Roles whose scope is one unit (and, for leaders, its sub-units); the others are ministry-wide.
UNIT_SCOPED_ROLES = frozenset({Role.STAFF, Role.UNIT_LEADER})
# Roles that see every unit and person of the ministry.
MINISTRY_WIDE_ROLES = frozenset(
    {Role.EMULATION_OFFICER, Role.PLAN_COORDINATOR, Role.COUNCIL_MEMBER, Role.SYSTEM_ADMIN}
)


class ReportJobState(models.TextChoices):
    """Where a requested document is: waiting for a worker, being rendered, ready, or failed."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


# A job in one of these states still waits for a worker (the page keeps polling).
REPORT_JOB_PENDING_STATES = frozenset({ReportJobState.QUEUED, ReportJobState.RUNNING})


class HolidayKind(models.TextChoices):
    """What a date of the holiday calendar (portal.PublicHoliday) does to the working-day count."""

    HOLIDAY = "holiday", _("Day off (public holiday)")  # Ngày nghỉ lễ, Tết, nghỉ bù
    WORKING_DAY = "working_day", _("Compensatory working day")  # Ngày làm bù (a Saturday or Sunday)
