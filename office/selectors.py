"""Read functions of the work-plan app, scoped to the user who asks, and the figures other apps use."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from office.enums import PetitionClass, TaskStatus
from office.models import DeadlineAdjustment, Petition, PetitionBatch, ProgressReport, Task, WorkPlan
from portal.access import scope_of
from portal.models import Unit


def status_expression(today: date) -> Case:
    """office.status.task_status as SQL, so that lists filter and count by status."""
    return Case(
        When(due_date__isnull=True, then=Value(TaskStatus.NO_DEADLINE.value)),
        When(completed_on__isnull=False, completed_on__lte=F("due_date"), then=Value(TaskStatus.COMPLETED_ON_TIME.value)),
        When(completed_on__isnull=False, then=Value(TaskStatus.COMPLETED_LATE.value)),
        When(due_date__gte=today, then=Value(TaskStatus.IN_PROGRESS.value)),
        default=Value(TaskStatus.OVERDUE.value),
        output_field=CharField(),
    )


def with_status(tasks: QuerySet[Task], today: date | None = None) -> QuerySet[Task]:
    return tasks.annotate(status=status_expression(today or timezone.localdate()))


def plans_visible_to(user) -> QuerySet[WorkPlan]:
    scope = scope_of(user)
    if not scope.roles:
        return WorkPlan.objects.none()
    return WorkPlan.objects.filter(scope.unit_filter("unit__"))


def tasks_visible_to(user) -> QuerySet[Task]:
    """Tasks whose lead unit, or one of whose cooperating units, is in the user's scope."""
    scope = scope_of(user)
    if not scope.roles:
        return Task.objects.none()
    if scope.ministry_wide:
        return Task.objects.all()
    units = Unit.objects.filter(scope.unit_filter()).values("pk")
    cooperating = Task.cooperating_units.through.objects.filter(task_id=OuterRef("pk"), unit_id__in=units)
    return Task.objects.filter(Q(lead_unit__in=units) | Exists(cooperating))


def petitions_visible_to(user) -> QuerySet[Petition]:
    scope = scope_of(user)
    if not scope.roles:
        return Petition.objects.none()
    return Petition.objects.filter(scope.unit_filter("lead_unit__"))


def batches_visible_to(user) -> QuerySet[PetitionBatch]:
    """Every batch is visible to a user with any role; its petitions are filtered separately."""
    if not scope_of(user).roles:
        return PetitionBatch.objects.none()
    return PetitionBatch.objects.all()


def task_list_queryset(*, user, today: date | None = None) -> QuerySet[Task]:
    """The user's tasks with their status, ready for office.filters.TaskFilter."""
    return (
        with_status(tasks_visible_to(user), today)
        .select_related("lead_unit", "plan")
        .order_by("plan__year", "code")
    )


def task_detail_queryset(*, user) -> QuerySet[Task]:
    return with_status(tasks_visible_to(user)).select_related("lead_unit", "plan__unit", "parent")


def task_progress(*, task: Task) -> QuerySet[ProgressReport]:
    return task.progress_reports.select_related("author__person").order_by("-created_at", "-id")


def task_adjustments(*, task: Task) -> QuerySet[DeadlineAdjustment]:
    return task.adjustments.select_related("requested_by__person", "decided_by__person").order_by("-requested_at", "-id")


def pending_adjustments_for(*, user) -> QuerySet[DeadlineAdjustment]:
    """Requests the user may decide: their led units' tasks (all of them for the Office)."""
    from office.rules import can_decide_all_adjustments

    pending = DeadlineAdjustment.objects.filter(state="pending").select_related("task__lead_unit", "requested_by__person")
    if can_decide_all_adjustments(user):
        return pending
    scope = scope_of(user)
    if not scope.leader_paths:
        return pending.none()
    condition = Q()
    for path in scope.leader_paths:
        condition |= Q(task__lead_unit__path__startswith=path)
    return pending.filter(condition)


def status_counts(tasks: QuerySet[Task], today: date | None = None) -> dict[str, int]:
    """{status: count} for every status (zeros included), from a task queryset, in one query."""
    rows = with_status(tasks.order_by(), today).values("status").annotate(n=Count("id"))
    counts = {status.value: 0 for status in TaskStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def unit_year_metrics(*, year: int, today: date | None = None) -> dict[int, dict]:
    """Per lead unit, for the plan year: task counts by status, the on-time completion rate
    (completed on time / tasks with a deadline that are completed or overdue), and petitions
    answered on time. Emulation criteria are auto-scored from these figures.

    Not scoped to a user: callers are services (scoring) that decide who sees the result.
    """
    today = today or timezone.localdate()
    metrics: dict[int, dict] = {}
    rows = (
        with_status(Task.objects.filter(plan__year=year).order_by(), today)
        .values("lead_unit_id", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        unit_metrics = metrics.setdefault(row["lead_unit_id"], _empty_metrics())
        unit_metrics["tasks"][row["status"]] = row["n"]
    petition_rows = (
        Petition.objects.filter(batch__received_on__year=year)
        .values("lead_unit_id")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=~Q(classification=PetitionClass.UNANSWERED)),
            answered_on_time=Count(
                "id", filter=~Q(classification=PetitionClass.UNANSWERED) & Q(answered_on__lte=F("answer_deadline"))
            ),
        )
    )
    for row in petition_rows:
        unit_metrics = metrics.setdefault(row["lead_unit_id"], _empty_metrics())
        unit_metrics["petitions"] = {k: row[k] for k in ("total", "answered", "answered_on_time")}
    for unit_metrics in metrics.values():
        unit_metrics["on_time_rate"] = on_time_rate(unit_metrics["tasks"])
    return metrics


def on_time_rate(counts: dict[str, int]) -> float | None:
    """Share of tasks completed on time among those whose outcome is known (done, or overdue).

    Tasks still within their deadline, and tasks without one, do not count either way.
    None when nothing is known yet.
    """
    known = counts.get(TaskStatus.COMPLETED_ON_TIME, 0) + counts.get(TaskStatus.COMPLETED_LATE, 0) + counts.get(
        TaskStatus.OVERDUE, 0
    )
    if known == 0:
        return None
    return counts.get(TaskStatus.COMPLETED_ON_TIME, 0) / known


def _empty_metrics() -> dict:
    return {
        "tasks": {status.value: 0 for status in TaskStatus},
        "petitions": {"total": 0, "answered": 0, "answered_on_time": 0},
        "on_time_rate": None,
    }


# Task statuses in the order of the segments in every chart and of the columns in every table (pages
# and documents alike).
STATUS_ORDER = (
    TaskStatus.COMPLETED_ON_TIME,
    TaskStatus.COMPLETED_LATE,
    TaskStatus.IN_PROGRESS,
    TaskStatus.OVERDUE,
    TaskStatus.NO_DEADLINE,
)


def counts_by_lead_unit(tasks: QuerySet[Task], today: date) -> dict[int, dict[str, int]]:
    """{lead unit id: {status: count}} in one GROUP BY query over the status expression."""
    rows = (
        with_status(tasks.order_by(), today)
        .values("lead_unit_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        counts = result.setdefault(row["lead_unit_id"], {status.value: 0 for status in TaskStatus})
        counts[row["status"]] = row["n"]
    return result
