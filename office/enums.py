"""States and kinds of the work-plan app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned for revision")
    ISSUED = "issued", _("Approved and issued")


# Plans whose tasks the unit may still add, edit and delete freely.
EDITABLE_PLAN_STATES = frozenset({PlanState.DRAFT, PlanState.RETURNED})


class TaskSource(models.TextChoices):
    GOVERNMENT = "government", _("Government / Prime Minister assignment")
    MINISTER = "minister", _("Minister's assignment")
    OWN_PLAN = "own_plan", _("Unit's own plan")
    PETITION = "petition", _("Voters' petition")


class DeadlineKind(models.TextChoices):
    DATE = "date", _("A date")
    MONTH = "month", _("A month")
    QUARTER = "quarter", _("A quarter")
    NONE = "none", _("No deadline")


class TaskStatus(models.TextChoices):
    """The national status set; derived from dates, never typed in (office.status)."""

    COMPLETED_ON_TIME = "completed_on_time", _("Completed on time")
    COMPLETED_LATE = "completed_late", _("Completed late")
    IN_PROGRESS = "in_progress", _("Not done, within deadline")
    OVERDUE = "overdue", _("Not done, overdue")
    NO_DEADLINE = "no_deadline", _("No deadline")


COMPLETED_STATUSES = frozenset({TaskStatus.COMPLETED_ON_TIME, TaskStatus.COMPLETED_LATE})


class Priority(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")
    URGENT = "urgent", pgettext_lazy("priority", "Urgent")


class AdjustmentState(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PetitionBody(models.TextChoices):
    NATIONAL_ASSEMBLY = "national_assembly", _("National Assembly")
    PEOPLES_COUNCIL = "peoples_council", _("People's Council")


class PetitionClass(models.TextChoices):
    UNANSWERED = "unanswered", _("Not answered yet")
    RESOLVED = "resolved", _("Resolved")
    IN_PROGRESS = "in_progress", _("Being resolved (with a roadmap)")
    EXPLAINED = "explained", _("Explained and informed")


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due in 7 days")
    OVERDUE = "overdue", _("Overdue")
    MONTHLY_OVERDUE = "monthly_overdue", _("Monthly overdue notice")
