"""Dashboards of the work-plan app: "my unit" and the ministry-wide view of the Office.

Both read the same figures: task counts by status per lead unit (one aggregated query, then the
units in one more), the on-time rate, the open tasks due within 14 days and the oldest overdue
ones. Every figure is for the tasks of one plan year; the query count does not grow with units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

import rules
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Q, QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from office import charts, selectors
from office.enums import TaskStatus
from office.models import Task, WorkPlan
from office.rules import can_decide_all_adjustments
from office.selectors import STATUS_ORDER, counts_by_lead_unit
from portal.access import Scope, scope_of
from portal.enums import UnitKind
from portal.models import Unit
from portal.params import parse_int

DUE_SOON_DAYS = 14
LIST_LIMIT = 20
# Bootstrap's colours, the same as the status badges (office_tags.STATUS_CLASSES).
STATUS_COLOURS = {
    TaskStatus.COMPLETED_ON_TIME: ("#198754", "#ffffff"),
    TaskStatus.COMPLETED_LATE: ("#ffc107", "#212529"),
    TaskStatus.IN_PROGRESS: ("#0d6efd", "#ffffff"),
    TaskStatus.OVERDUE: ("#dc3545", "#ffffff"),
    TaskStatus.NO_DEADLINE: ("#6c757d", "#ffffff"),
}
MINISTRY_SORTS = ("name", "-name", "rate", "-rate", "total", "-total", "overdue", "-overdue")


def chart_segments() -> list[charts.Segment]:
    """The chart's segments with labels in the active language."""
    return [
        charts.Segment(key=status.value, label=str(status.label), fill=STATUS_COLOURS[status][0],
                       text_fill=STATUS_COLOURS[status][1])
        for status in STATUS_ORDER
    ]


def _number(value: int) -> str:
    # Below 1,000 there is nothing to group; skipping number_format halves the chart's cost.
    return str(value) if -1000 < value < 1000 else number_format(value, force_grouping=True)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


@dataclass
class UnitFigures:
    """One lead unit's line on a dashboard."""

    unit: Unit
    counts: dict[str, int]
    total: int = 0
    on_time_rate: float | None = None
    chart: str = ""
    status_cells: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rate_percent(self) -> float | None:
        return _percent(self.on_time_rate)


def unit_figures(tasks: QuerySet[Task], today: date, *, chart_width: int = 220) -> tuple[list[UnitFigures], dict[str, int]]:
    """Per lead unit figures with a stacked bar each (bars share one scale), and the totals."""
    by_unit = counts_by_lead_unit(tasks, today)
    units = Unit.objects.in_bulk(list(by_unit)) if by_unit else {}
    totals = {status.value: 0 for status in TaskStatus}
    rows = []
    for unit_id, counts in by_unit.items():
        for status, n in counts.items():
            totals[status] += n
        rows.append(
            UnitFigures(
                unit=units[unit_id],
                counts=counts,
                total=sum(counts.values()),
                on_time_rate=selectors.on_time_rate(counts),
                status_cells=[(status.value, counts[status.value]) for status in STATUS_ORDER],
            )
        )
    scale = max((row.total for row in rows), default=0)
    segments = chart_segments()
    for row in rows:
        row.chart = charts.stacked_bar(
            row.counts, segments, title=row.unit.name, width=chart_width, scale_total=scale, number=_number,
            empty_label=_("No tasks"),
        )
    rows.sort(key=lambda row: (row.unit.sort_key, row.unit.pk))
    return rows, totals


def open_task_lists(tasks: QuerySet[Task], today: date) -> tuple[list[Task], list[Task]]:
    """(due within 14 days, oldest overdue), each at most LIST_LIMIT long.

    The conditions are office.status.task_status spelled out on indexed columns, so that the
    database can walk due_date instead of computing the status of every row.
    """
    open_tasks = tasks.filter(completed_on__isnull=True, due_date__isnull=False).select_related("lead_unit")
    due_soon = list(
        open_tasks.filter(due_date__gte=today, due_date__lte=today + timedelta(days=DUE_SOON_DAYS)).order_by(
            "due_date", "id"
        )[:LIST_LIMIT]
    )
    overdue = list(open_tasks.filter(due_date__lt=today).order_by("due_date", "id")[:LIST_LIMIT])
    for task in due_soon:
        task.days_left = (task.due_date - today).days
    for task in overdue:
        task.days_late = (today - task.due_date).days
    return due_soon, overdue


def status_summary(totals: dict[str, int], *, year: int, extra: dict | None = None) -> list[dict]:
    """One badge per status with its count and a link to the task list filtered by it."""
    task_list = reverse("office:task_list")
    return [
        {
            "status": status.value,
            "label": status.label,
            "count": totals.get(status.value, 0),
            "url": f"{task_list}?{urlencode({'status': status.value, 'year': year, **(extra or {})})}",
        }
        for status in STATUS_ORDER
    ]


def plan_years(current: int) -> list[int]:
    years = set(WorkPlan.objects.order_by().values_list("year", flat=True).distinct())
    years.add(current)
    return sorted(years, reverse=True)


def _selected_year(request, today: date) -> int:
    return parse_int(request.GET.get("year"), minimum=1990, maximum=2100) or today.year


def _may_view_ministry(user) -> bool:
    # The rule itself, not user.has_perm: a refusal there would also ask ModelBackend (2 queries).
    return rules.has_perm("office.view_ministry_dashboard", user)


def own_units_condition(scope: Scope) -> Q | None:
    """Tasks led by the user's own unit (staff) or by a unit they lead or one below it."""
    if not scope.staff_unit_ids and not scope.leader_paths:
        return None
    condition = Q(lead_unit_id__in=sorted(scope.staff_unit_ids))
    for path in scope.leader_paths:
        condition |= Q(lead_unit__path__startswith=path)
    return condition


def _common_context(*, today: date, year: int, rows, totals) -> dict:
    return {
        "today": today,
        "year": year,
        "years": plan_years(today.year),
        "rows": rows,
        "totals": totals,
        "total": sum(totals.values()),
        "summary": status_summary(totals, year=year),
        "on_time_rate": _percent(selectors.on_time_rate(totals)),
        "legend": [(segment, charts.swatch(segment)) for segment in chart_segments()],
        "due_soon_days": DUE_SOON_DAYS,
        "list_limit": LIST_LIMIT,
    }


class UnitDashboardView(LoginRequiredMixin, TemplateView):
    """Bảng theo dõi của đơn vị: the tasks led by the user's unit(s) in a plan year."""

    template_name = "office/dashboard/unit.html"

    def get(self, request, *args, **kwargs):
        scope = scope_of(request.user)
        if own_units_condition(scope) is None and _may_view_ministry(request.user):
            target = reverse("office:ministry_dashboard")
            year = parse_int(request.GET.get("year"), minimum=1990, maximum=2100)
            return redirect(f"{target}?year={year}" if year else target)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_of(user)
        today = timezone.localdate()
        year = _selected_year(self.request, today)
        condition = own_units_condition(scope)
        tasks = Task.objects.filter(condition, plan__year=year) if condition is not None else Task.objects.none()
        rows, totals = unit_figures(tasks, today)
        due_soon, overdue = open_task_lists(tasks, today)
        decides_adjustments = bool(scope.leader_paths) or can_decide_all_adjustments(user)
        own_units = [unit for unit in scope.units if unit.pk in scope.staff_unit_ids | scope.leader_unit_ids]
        # With one unit, the links to the task list keep to it (and its sub-units).
        unit_id = own_units[0].pk if len(own_units) == 1 else None
        context.update(
            _common_context(today=today, year=year, rows=rows, totals=totals),
            summary=status_summary(totals, year=year, extra={"unit": unit_id} if unit_id else None),
            has_unit=condition is not None,
            own_units=own_units,
            unit_id=unit_id,
            due_soon=due_soon,
            overdue=overdue,
            pending_adjustments=selectors.pending_adjustments_for(user=user).count() if decides_adjustments else None,
            can_view_ministry=_may_view_ministry(user),
            overall_chart=charts.stacked_bar(
                totals, chart_segments(), title=_("All tasks of my units"), width=600, height=28, number=_number,
                empty_label=_("No tasks"),
            ),
        )
        return context


class MinistryDashboardView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Bảng theo dõi toàn Bộ: every lead unit's figures for the Office (Văn phòng Bộ)."""

    template_name = "office/dashboard/ministry.html"
    permission_required = "office.view_ministry_dashboard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        year = _selected_year(self.request, today)
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in UnitKind.values else ""
        sort = self.request.GET.get("sort", "")
        sort = sort if sort in MINISTRY_SORTS else "name"
        tasks = Task.objects.filter(plan__year=year)
        if kind:
            tasks = tasks.filter(lead_unit__kind=kind)
        rows, totals = unit_figures(tasks, today)
        due_soon, overdue = open_task_lists(tasks, today)
        context.update(
            _common_context(today=today, year=year, rows=sort_rows(rows, sort), totals=totals),
            kind=kind,
            kinds=UnitKind.choices,
            sort=sort,
            due_soon=due_soon,
            overdue=overdue,
        )
        return context


def sort_rows(rows: list[UnitFigures], sort: str) -> list[UnitFigures]:
    """Rows sorted by unit name (Vietnamese order), on-time rate, total or overdue count.

    Units without a known rate go last whichever way the rate is sorted.
    """
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    by_name = sorted(rows, key=lambda row: (row.unit.sort_key, row.unit.pk), reverse=descending and key == "name")
    if key == "rate":
        known = [row for row in by_name if row.on_time_rate is not None]
        unknown = [row for row in by_name if row.on_time_rate is None]
        return sorted(known, key=lambda row: row.on_time_rate, reverse=descending) + unknown
    if key == "total":
        return sorted(by_name, key=lambda row: row.total, reverse=descending)
    if key == "overdue":
        return sorted(by_name, key=lambda row: row.counts[TaskStatus.OVERDUE.value], reverse=descending)
    return by_name
