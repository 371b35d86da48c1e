"""Documents of the work-plan app: a unit's report on its annual work plan (Báo cáo kết quả thực
hiện Kế hoạch công tác năm), and the ministry-wide completion figures the year-end summary prints.

The data functions read plain values (no model instances, a fixed number of queries whatever the
number of tasks or units) from the same selectors and dashboard code as the pages, so a printed
figure is the figure on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from openpyxl.workbook import Workbook

from office import selectors
from office.enums import COMPLETED_STATUSES, PetitionClass, PlanState, TaskStatus
from office.excel import _text_cell, export_workbook, iter_export_tasks
from office.models import Petition, PlanYear, Task, WorkPlan, deadline_label
from office.selectors import STATUS_ORDER, counts_by_lead_unit
from office.selectors_petitions import classification_counts
from office.status import days_late
from portal.access import scope_of
from portal.documents import Document, DocumentError, register_document
from portal.documents.forms import ReportParamsForm
from portal.models import Unit
from portal.text import fold

ANSWERED_CLASSES = tuple(value for value in PetitionClass.values if value != PetitionClass.UNANSWERED)


class NoWorkPlan(LookupError):
    """The unit has no work plan for the year: there is nothing to report on."""


def _percent(part: int, whole: int) -> float | None:
    """A share in per cent with one decimal, None when there is nothing to divide by."""
    return None if not whole else round(part * 100 / whole, 1)


def _rate_percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


# --- Shared shapes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusFigure:
    """One status (in the dashboards' order) with its count and share of all tasks."""

    status: str
    label: str  # in the language active when the figures were read (documents: Vietnamese)
    count: int
    percent: float | None


@dataclass(frozen=True)
class TaskFigures:
    """Task counts by status and the two rates the portal states everywhere.

    completion_percent: completed (on time or late) / all tasks; on_time_percent: the dashboards'
    rate, completed on time / tasks whose outcome is known (office.selectors.on_time_rate).
    """

    counts: dict[str, int]
    statuses: tuple[StatusFigure, ...]  # in STATUS_ORDER
    total: int
    completed: int
    completion_percent: float | None
    on_time_percent: float | None

    @property
    def overdue(self) -> int:
        return self.counts[TaskStatus.OVERDUE.value]


def task_figures(counts: dict[str, int]) -> TaskFigures:
    counts = {status.value: int(counts.get(status.value, 0)) for status in TaskStatus}
    total = sum(counts.values())
    completed = sum(counts[status.value] for status in COMPLETED_STATUSES)
    return TaskFigures(
        counts=counts,
        statuses=tuple(
            StatusFigure(status.value, str(status.label), counts[status.value], _percent(counts[status.value], total))
            for status in STATUS_ORDER
        ),
        total=total,
        completed=completed,
        completion_percent=_percent(completed, total),
        on_time_percent=_rate_percent(selectors.on_time_rate(counts)),
    )


def status_headers() -> list[str]:
    """Column headers of the status counts, in STATUS_ORDER, in the active language."""
    return [str(status.label) for status in STATUS_ORDER]


@dataclass(frozen=True)
class PetitionFigures:
    """Voters' petitions led by a unit (or all of them), from the batches received in the year."""

    total: int
    answered: int
    answered_on_time: int
    answered_late: int
    unanswered: int
    overdue: int | None  # unanswered past the deadline, or answered late (None: not counted)
    by_class: tuple[tuple[str, int], ...] = ()  # (classification in the active language, count)

    @property
    def answered_percent(self) -> float | None:
        return _percent(self.answered, self.total)

    @property
    def on_time_percent(self) -> float | None:
        return _percent(self.answered_on_time, self.total)


def petition_figures(counts: dict[str, int]) -> PetitionFigures:
    """From office.selectors_petitions.classification_counts."""
    answered = sum(counts[value] for value in ANSWERED_CLASSES)
    return PetitionFigures(
        total=counts["total"],
        answered=answered,
        answered_on_time=answered - counts["answered_late"],
        answered_late=counts["answered_late"],
        unanswered=counts[PetitionClass.UNANSWERED.value],
        overdue=counts["overdue"],
        by_class=tuple((str(choice.label), counts[choice.value]) for choice in PetitionClass),
    )


# --- A unit's work-plan report -----------------------------------------------------------------------


@dataclass(frozen=True)
class LeadUnitLine:
    """One lead unit's line (a plan's tasks may be led by sub-units or, for the ministry's
    programme, by departments)."""

    unit_id: int
    code: str
    name: str
    figures: TaskFigures


@dataclass(frozen=True)
class OverdueTask:
    """A task not done by its deadline: Nhiệm vụ quá hạn."""

    code: str
    content: str
    lead_unit: str
    deadline: str  # as the plan states it: "30/06/2026", "tháng 6/2026", "quý II/2026"
    due_date: date
    days_late: int
    progress_percent: int


@dataclass(frozen=True)
class WorkPlanReport:
    year: int
    as_of: date
    unit_id: int
    unit_code: str
    unit_name: str
    parent_name: str  # the body above the unit ("Bộ Tư pháp"), empty for the ministry itself
    plan_id: int
    plan_title: str
    plan_state: str
    plan_state_label: str
    plan_issue_number: str
    plan_issued_on: date | None
    plan_issued_on_time: bool | None  # against PlanYear.plan_issue_deadline; None if unknown
    figures: TaskFigures
    lead_units: tuple[LeadUnitLine, ...]
    overdue: tuple[OverdueTask, ...]
    petitions: PetitionFigures

    @property
    def statuses(self) -> tuple[StatusFigure, ...]:
        return self.figures.statuses


def work_plan_report(*, unit_id: int, year: int, today: date | None = None) -> WorkPlanReport:
    """The report on unit's work plan of `year`, with task statuses as of `today`.

    Tasks are those of the unit's plan (whichever unit leads each, as on the plan page); petitions
    are those the unit itself leads, from the batches received in the year (as the emulation
    figures count them). Six queries whatever the size of the plan. Raises NoWorkPlan.
    """
    today = today or timezone.localdate()
    plan = (
        WorkPlan.objects.filter(unit_id=unit_id, year=year)
        .select_related("unit__parent")
        .only(
            "pk", "year", "title", "state", "issue_number", "issued_on",
            "unit__code", "unit__name", "unit__parent__name",
        )
        .first()
    )
    if plan is None:
        raise NoWorkPlan(unit_id, year)
    deadline = PlanYear.objects.filter(year=year).values_list("plan_issue_deadline", flat=True).first()
    tasks = Task.objects.filter(plan_id=plan.pk)
    by_unit = counts_by_lead_unit(tasks, today)
    units = {
        unit["pk"]: unit
        for unit in Unit.objects.filter(pk__in=list(by_unit)).values("pk", "code", "name", "sort_key")
    }
    lead_units = sorted(
        (
            LeadUnitLine(unit_id=pk, code=units[pk]["code"], name=units[pk]["name"], figures=task_figures(counts))
            for pk, counts in by_unit.items()
        ),
        key=lambda line: (line.unit_id != plan.unit_id, units[line.unit_id]["sort_key"], line.unit_id),
    )
    totals: dict[str, int] = {status.value: 0 for status in TaskStatus}
    for counts in by_unit.values():
        for status, n in counts.items():
            totals[status] += n
    overdue_rows = (
        selectors.with_status(tasks, today)
        .filter(status=TaskStatus.OVERDUE)
        .values_list("code", "content", "lead_unit__name", "deadline_kind", "due_date", "progress_percent")
        .order_by("due_date", "code", "pk")
    )
    overdue = tuple(
        OverdueTask(
            code=code,
            content=content,
            lead_unit=lead_unit,
            deadline=str(deadline_label(kind, due)),
            due_date=due,
            days_late=days_late(due=due, completed_on=None, today=today),
            progress_percent=progress,
        )
        for code, content, lead_unit, kind, due, progress in overdue_rows
    )
    petitions = petition_figures(
        classification_counts(Petition.objects.filter(lead_unit_id=unit_id, batch__received_on__year=year), today)
    )
    return WorkPlanReport(
        year=year,
        as_of=today,
        unit_id=unit_id,
        unit_code=plan.unit.code,
        unit_name=plan.unit.name,
        parent_name=plan.unit.parent.name if plan.unit.parent_id else "",
        plan_id=plan.pk,
        plan_title=plan.title,
        plan_state=plan.state,
        plan_state_label=str(PlanState(plan.state).label),
        plan_issue_number=plan.issue_number,
        plan_issued_on=plan.issued_on,
        plan_issued_on_time=(plan.issued_on <= deadline) if deadline and plan.issued_on else None,
        figures=task_figures(totals),
        lead_units=tuple(lead_units),
        overdue=overdue,
        petitions=petitions,
    )


# --- The ministry-wide figures (for the year-end summary) ------------------------------------------


@dataclass(frozen=True)
class UnitWorkPlanLine:
    """One lead unit's tasks of the year (every plan) and the petitions it led."""

    unit_id: int
    code: str
    name: str
    figures: TaskFigures
    petitions: PetitionFigures


@dataclass(frozen=True)
class PlanFigures:
    """How many units have a plan for the year, issued or not, and issued by the deadline."""

    plans: int
    issued: int
    issued_on_time: int | None  # None when the year's issue deadline is not set


@dataclass(frozen=True)
class MinistryWorkPlanFigures:
    year: int
    as_of: date
    units: tuple[UnitWorkPlanLine, ...]
    totals: TaskFigures
    petitions: PetitionFigures
    plans: PlanFigures

    @property
    def unit_count(self) -> int:
        return len(self.units)


def ministry_work_plan_figures(*, year: int, today: date | None = None) -> MinistryWorkPlanFigures:
    """Per lead unit, every task of the year's plans by status with its rates, and the petitions
    it led (office.selectors.unit_year_metrics, the figures emulation criteria are scored from);
    the ministry's totals; the plans issued. Six queries whatever the number of units.

    Not scoped to a user: the document's permission decides who may print it.
    """
    today = today or timezone.localdate()
    metrics = selectors.unit_year_metrics(year=year, today=today)
    units = {
        unit["pk"]: unit for unit in Unit.objects.filter(pk__in=list(metrics)).values("pk", "code", "name", "sort_key")
    }
    lines = []
    task_totals: dict[str, int] = {status.value: 0 for status in TaskStatus}
    for unit_id, figures in metrics.items():
        for status, n in figures["tasks"].items():
            task_totals[status] += n
        petitions = figures["petitions"]
        lines.append(
            UnitWorkPlanLine(
                unit_id=unit_id,
                code=units[unit_id]["code"],
                name=units[unit_id]["name"],
                figures=task_figures(figures["tasks"]),
                petitions=PetitionFigures(
                    total=petitions["total"],
                    answered=petitions["answered"],
                    answered_on_time=petitions["answered_on_time"],
                    answered_late=petitions["answered"] - petitions["answered_on_time"],
                    unanswered=petitions["total"] - petitions["answered"],
                    overdue=None,  # unit_year_metrics does not count it; the ministry total has it
                ),
            )
        )
    lines.sort(key=lambda line: (units[line.unit_id]["sort_key"], line.unit_id))
    petitions = petition_figures(classification_counts(Petition.objects.filter(batch__received_on__year=year), today))
    deadline = PlanYear.objects.filter(year=year).values_list("plan_issue_deadline", flat=True).first()
    aggregates = {"plans": Count("pk"), "issued": Count("pk", filter=Q(state=PlanState.ISSUED))}
    if deadline:
        aggregates["on_time"] = Count("pk", filter=Q(state=PlanState.ISSUED, issued_on__lte=deadline))
    plan_counts = WorkPlan.objects.filter(year=year).aggregate(**aggregates)
    return MinistryWorkPlanFigures(
        year=year,
        as_of=today,
        units=tuple(lines),
        totals=task_figures(task_totals),
        petitions=petitions,
        plans=PlanFigures(
            plans=plan_counts["plans"], issued=plan_counts["issued"], issued_on_time=plan_counts.get("on_time")
        ),
    )


# --- The printed document: permission, parameters, build, Excel --------------------------------------

WORK_PLAN_REPORT = "office.work_plan_report"


def _int_param(params: dict | None, name: str) -> int | None:
    try:
        return int((params or {})[name])
    except (KeyError, TypeError, ValueError):
        return None


def may_print_work_plan_report(user, params: dict | None) -> bool:
    """Whoever may open the unit's plan page (office.selectors.plans_visible_to) may print its report."""
    if params is None:
        return bool(scope_of(user).roles)
    unit_id, year = _int_param(params, "unit"), _int_param(params, "year")
    if unit_id is None or year is None:
        return False
    return selectors.plans_visible_to(user).filter(unit_id=unit_id, year=year).exists()


class WorkPlanReportForm(ReportParamsForm):
    """Năm và đơn vị: the units whose plans the user sees."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), coerce=int)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        rows = (
            selectors.plans_visible_to(user)
            .order_by("unit__path")
            .values_list("unit_id", "unit__name", "unit__path")
            .distinct()
        )
        self.fields["unit"].choices = [(pk, name) for pk, name, _path in rows]
        if len(self.fields["unit"].choices) == 1:
            self.fields["unit"].initial = self.fields["unit"].choices[0][0]

    def clean(self):
        cleaned = super().clean()
        year, unit = cleaned.get("year"), cleaned.get("unit")
        if year and unit and not may_print_work_plan_report(self.user, {"unit": unit, "year": year}):
            self.add_error("year", forms.ValidationError(
                gettext("This unit has no work plan for %(year)s.") % {"year": year}, code="no_plan"
            ))
        return cleaned

    def describe(self) -> str:
        names = dict(self.fields["unit"].choices)
        return f"{names.get(self.cleaned_data.get('unit'), '')} · {self.cleaned_data.get('year')}"


def _issuer(unit_name: str, parent_name: str) -> dict:
    """The issuing body as NĐ 30 prints it: the body above (Bộ Tư pháp) over the unit; the
    ministry itself alone."""
    if not parent_name:
        return {"issuer_parent": unit_name, "issuer": ""}
    return {"issuer_parent": parent_name, "issuer": unit_name}


def _report_for(params: dict) -> WorkPlanReport:
    unit_id, year = _int_param(params, "unit"), _int_param(params, "year")
    try:
        # Official papers are Vietnamese whatever the reader's language (see templates/documents/base.html).
        with translation.override("vi"):
            return work_plan_report(unit_id=unit_id, year=year)
    except NoWorkPlan:
        raise DocumentError(gettext("This unit has no work plan for %(year)s.") % {"year": year}) from None


def build_work_plan_report(params: dict, user, progress) -> Document:
    report = _report_for(params)
    progress(100)
    number = "\u00a0" * 8 + f"/BC-{report.unit_code}"
    return Document(
        template_name="documents/office/work_plan_report.html",
        context={
            "report": report,
            **_issuer(report.unit_name, report.parent_name),
            "number": number,
            "title": "Báo cáo",
            "subtitle": f"Kết quả thực hiện Kế hoạch công tác năm {report.year}",
            "signer_position": "Thủ trưởng đơn vị",
            "recipients": ["Văn phòng Bộ (để tổng hợp);", "Lãnh đạo đơn vị;", "Lưu: VT."],
        },
        title=f"Báo cáo kết quả thực hiện Kế hoạch công tác năm {report.year} – {report.unit_name}",
        filename=f"bao-cao-ke-hoach-cong-tac-{report.year}-{slugify(fold(report.unit_code))}",
    )


def work_plan_report_workbook(params: dict, user) -> Workbook:
    """The report's Excel twin: the plan's tasks in the task export's columns (with Tình trạng),
    then a summary sheet (status counts) and the overdue tasks."""
    report = _report_for(params)
    with translation.override("vi"):
        tasks = selectors.with_status(Task.objects.filter(plan_id=report.plan_id), report.as_of).order_by("code", "pk")
        workbook = export_workbook(iter_export_tasks(tasks))
        summary = workbook.create_sheet("Tổng hợp")
        summary.append([_text_cell(summary, f"Kết quả thực hiện Kế hoạch công tác năm {report.year} – {report.unit_name}")])
        summary.append([f"Số liệu tính đến ngày {report.as_of:%d/%m/%Y}"])
        summary.append([])
        summary.append(["Tình trạng", "Số nhiệm vụ", "Tỷ lệ (%)"])
        for status in report.statuses:
            summary.append([status.label, status.count, status.percent])
        summary.append(["Tổng số", report.figures.total, 100 if report.figures.total else None])
        summary.append(["Tỷ lệ hoàn thành (%)", report.figures.completion_percent])
        summary.append(["Tỷ lệ hoàn thành đúng hạn (%)", report.figures.on_time_percent])
        overdue = workbook.create_sheet("Quá hạn")
        overdue.append(["STT", "Mã nhiệm vụ", "Nội dung", "Đơn vị chủ trì", "Thời hạn", "Số ngày quá hạn", "Tiến độ (%)"])
        for number, task in enumerate(report.overdue, start=1):
            overdue.append(
                [number, _text_cell(overdue, task.code), _text_cell(overdue, task.content),
                 _text_cell(overdue, task.lead_unit), task.deadline, task.days_late, task.progress_percent]
            )
    return workbook


register_document(
    WORK_PLAN_REPORT,
    label=gettext_lazy("Work plan report of a unit"),
    description=gettext_lazy("Task statuses, completion rates, overdue tasks and petitions answered in a plan year."),
    permission=may_print_work_plan_report,
    build=build_work_plan_report,
    excel=work_plan_report_workbook,
    params_form=WorkPlanReportForm,
)
