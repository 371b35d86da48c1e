"""Nhập lịch sử khen thưởng từ Excel: a template per table, and the import (all rows or none,
every mistake listed by row and column). For emulation officers and administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views import View

from commendations.excel import (
    MAX_ROWS,
    TABLES,
    WorkbookError,
    history_import,
    template_workbook,
    workbook_response,
)
from commendations.forms import HistoryImportForm
from commendations.models import Award
from commendations.services import CommendationsError
from commendations.views.common import require
from portal.access import scope_of

# The error table shows this many rows; the page states the total when there are more.
ERRORS_SHOWN = 1_000


class HistoryTemplateView(LoginRequiredMixin, View):
    """Mẫu nhập (.xlsx) of one table: header, two example rows, lists, instructions."""

    def get(self, request, table):
        require(request.user, "commendations.import_history")
        if table not in TABLES:
            raise Http404
        own = [unit for unit in scope_of(request.user).units if unit.is_active]
        workbook = template_workbook(
            table=TABLES[table], awards=Award.objects.order_by("position", "code"),
            unit_code=own[0].code if own else "BTP", year=timezone.localdate().year,
        )
        return workbook_response(workbook, TABLES[table].filename)


class HistoryImportView(LoginRequiredMixin, View):
    template_name = "commendations/import/history.html"

    def _render(self, request, form, *, errors=(), status=200):
        errors = list(errors)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "tables": TABLES.values(),
                "errors": errors[:ERRORS_SHOWN],
                "error_count": len(errors),
                "errors_hidden": max(len(errors) - ERRORS_SHOWN, 0),
                "max_rows": MAX_ROWS,
            },
            status=status,
        )

    def get(self, request):
        require(request.user, "commendations.import_history")
        table = request.GET.get("table")
        return self._render(request, HistoryImportForm(initial={"table": table} if table in TABLES else None))

    def post(self, request):
        require(request.user, "commendations.import_history")
        form = HistoryImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        table = form.cleaned_data["table"]
        try:
            result = history_import(actor=request.user, table_key=table, upload=form.cleaned_data["file"])
        except (WorkbookError, CommendationsError) as error:
            form.add_error("file", str(error))
            return self._render(request, form, status=400)
        if result.errors:
            return self._render(request, form, errors=result.errors, status=400)
        messages.success(
            request,
            ngettext("%(count)d row of %(table)s was imported.", "%(count)d rows of %(table)s were imported.",
                     result.created) % {"count": result.created, "table": str(TABLES[table].label).lower()},
        )
        return redirect(f"{request.path}?table={table}")
