"""Template helpers of the work-plan app: status badges with text, deadline labels."""

from django import template
from django.utils.html import format_html

from office.enums import PlanState, TaskStatus
from office.models import deadline_label

register = template.Library()

STATUS_CLASSES = {
    TaskStatus.COMPLETED_ON_TIME: "text-bg-success",
    TaskStatus.COMPLETED_LATE: "text-bg-warning",
    TaskStatus.IN_PROGRESS: "text-bg-primary",
    TaskStatus.OVERDUE: "text-bg-danger",
    TaskStatus.NO_DEADLINE: "text-bg-secondary",
}
PLAN_CLASSES = {
    PlanState.DRAFT: "text-bg-secondary",
    PlanState.SUBMITTED: "text-bg-info",
    PlanState.RETURNED: "text-bg-warning",
    PlanState.ISSUED: "text-bg-success",
}


@register.simple_tag
def status_badge(status: str) -> str:
    """A coloured badge that also says the status in words (never colour alone)."""
    if status not in TaskStatus.values:
        return ""
    return format_html('<span class="badge {}" data-status="{}">{}</span>', STATUS_CLASSES[status], status, TaskStatus(status).label)


@register.simple_tag
def plan_badge(state: str) -> str:
    if state not in PlanState.values:
        return ""
    return format_html('<span class="badge {}" data-state="{}">{}</span>', PLAN_CLASSES[state], state, PlanState(state).label)


@register.simple_tag
def deadline(kind: str, due) -> str:
    return deadline_label(kind, due)
