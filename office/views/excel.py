"""Excel pages: the import template, the import of a plan's tasks, and the export of a task list."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from office import selectors
from office.excel import (
    MAX_ROWS,
    WorkbookError,
    export_workbook,
    iter_export_tasks,
    tasks_import,
    template_workbook,
)
from office.filters import TaskFilter
from office.services import OfficeError
from office.views.common import require, visible_or_404
from portal import spreadsheets
from portal.access import scope_of
from portal.models import Unit
from portal.uploads import validate_upload

# The error table shows this many rows; the page states the total when there are more.
ERRORS_SHOWN = 1_000


def validate_xlsx(upload) -> None:
    """An .xlsx name first (one clear message), then the shared size and content checks."""
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError(
            _("Only Excel workbooks (.xlsx) can be imported. Save the file as “Excel Workbook (*.xlsx)” first."),
            code="not_xlsx",
        )
    validate_upload(upload)


class TaskImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        validators=[validate_xlsx],
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


_workbook_response = spreadsheets.workbook_response


class ImportTemplateView(LoginRequiredMixin, View):
    """Mẫu nhập nhiệm vụ (.xlsx): header, two example rows, drop-down lists, instructions."""

    def get(self, request):
        units = list(Unit.objects.filter(is_active=True).only("pk", "code", "name", "path").order_by("path"))
        own = [unit for unit in scope_of(request.user).units if unit.is_active]
        lead = own[0] if own else (units[0] if units else None)
        cooperating = next((unit for unit in units if lead is None or unit.pk != lead.pk), None)
        workbook = template_workbook(
            units=units,
            lead_code=lead.code if lead else "",
            cooperating_code=cooperating.code if cooperating else "",
            year=timezone.localdate().year,
        )
        return _workbook_response(workbook, "mau-nhap-nhiem-vu.xlsx")


class PlanImportView(LoginRequiredMixin, View):
    """Nhập nhiệm vụ từ Excel into one plan: all rows or none, every mistake listed.

    Guarded by office.add_task, the rule of the plan's "New task" button: importing is adding
    tasks, many at once, so whoever may add one by hand may add them from a file, under the same
    plan states. office.change_workplan would be a second rule for the same act, and would
    refuse the tasks that arise during the year once the plan is issued.
    """

    template_name = "office/excel/import.html"

    def _plan(self, request, pk):
        plan = visible_or_404(selectors.plans_visible_to(request.user).select_related("unit"), pk)
        require(request.user, "office.add_task", plan)
        return plan

    def _render(self, request, plan, form, *, errors=(), status=200):
        errors = list(errors)
        return render(
            request,
            self.template_name,
            {
                "plan": plan,
                "form": form,
                "errors": errors[:ERRORS_SHOWN],
                "error_count": len(errors),
                "errors_hidden": max(len(errors) - ERRORS_SHOWN, 0),
                "max_rows": MAX_ROWS,
            },
            status=status,
        )

    def get(self, request, pk):
        plan = self._plan(request, pk)
        return self._render(request, plan, TaskImportForm())

    def post(self, request, pk):
        plan = self._plan(request, pk)
        form = TaskImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, plan, form, status=400)
        try:
            result = tasks_import(actor=request.user, plan_id=plan.pk, upload=form.cleaned_data["file"])
        except (WorkbookError, OfficeError) as error:
            form.add_error("file", str(error))
            return self._render(request, plan, form, status=400)
        if result.errors:
            return self._render(request, plan, form, errors=result.errors, status=400)
        messages.success(
            request,
            ngettext(
                "%(count)d task was imported into the plan.", "%(count)d tasks were imported into the plan.", result.created
            )
            % {"count": result.created},
        )
        return redirect("office:plan_detail", pk=plan.pk)


class TaskExportView(LoginRequiredMixin, View):
    """The task list as .xlsx, with the same filters as the list page (its query string)."""

    def get(self, request):
        task_filter = TaskFilter(
            request.GET or None, queryset=selectors.task_list_queryset(user=request.user), user=request.user
        )
        tasks = task_filter.qs if task_filter.is_bound else task_filter.queryset
        year = task_filter.form.cleaned_data.get("year") if task_filter.is_bound and task_filter.is_valid() else None
        filename = f"nhiem-vu-{int(year)}.xlsx" if year else f"nhiem-vu-{timezone.localdate():%d-%m-%Y}.xlsx"
        return _workbook_response(export_workbook(iter_export_tasks(tasks)), filename)
