"""Task pages: the filtered list, detail with progress and adjustments, and the task's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from office import selectors, services
from office.filters import TaskFilter
from office.forms import AdjustmentForm, CompleteForm, DecideForm, ProgressForm, TaskForm
from office.models import DeadlineAdjustment, Task
from office.views.common import require, run_service, visible_or_404
from portal.audit import history_for, history_rows
from portal.idempotency import SubmitOnceMixin


class TaskListView(LoginRequiredMixin, TemplateView):
    """Danh sách nhiệm vụ: filters, search without diacritics, sortable columns, pagination."""

    template_name = "office/task/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task_filter = TaskFilter(
            self.request.GET or None,
            queryset=selectors.task_list_queryset(user=self.request.user),
            user=self.request.user,
        )
        tasks = task_filter.qs if task_filter.is_bound else task_filter.queryset
        context.update(
            filter=task_filter,
            sort=self.request.GET.get("sort", ""),
            page_obj=Paginator(tasks, 50).get_page(self.request.GET.get("page")),
        )
        return context


def _task_form_data(form: TaskForm) -> services.TaskData:
    data = form.cleaned_data
    return services.TaskData(
        code=data["code"],
        content=data["content"],
        lead_unit=data["lead_unit"],
        deadline_kind=data["deadline_kind"],
        deadline=data["deadline"],
        source=data["source"],
        output=data["output"],
        priority=data["priority"],
        parent=data["parent"],
        cooperating_units=list(data["cooperating_units"]),
        assignees=list(data["assignees"]),
    )


class TaskCreateView(LoginRequiredMixin, SubmitOnceMixin, View):
    template_name = "office/task/form.html"

    def _plan(self, request, pk):
        plan = visible_or_404(selectors.plans_visible_to(request.user).select_related("unit"), pk)
        require(request.user, "office.add_task", plan)
        return plan

    def get(self, request, pk):
        plan = self._plan(request, pk)
        return render(request, self.template_name, {"form": TaskForm(plan=plan), "plan": plan})

    def post(self, request, pk):
        plan = self._plan(request, pk)
        form = TaskForm(request.POST, plan=plan)
        if form.is_valid():
            created = {}

            def create():
                created["task"] = services.task_create(actor=request.user, plan=plan, data=_task_form_data(form))

            if run_service(request, create, success=_("The task was created.")):
                return redirect("office:task_detail", pk=created["task"].pk)
        return render(request, self.template_name, {"form": form, "plan": plan}, status=400)


class TaskDetailView(LoginRequiredMixin, TemplateView):
    template_name = "office/task/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = visible_or_404(
            selectors.task_detail_queryset(user=self.request.user).prefetch_related(
                "cooperating_units", "assignees__unit", "subtasks"
            ),
            self.kwargs["pk"],
        )
        context.update(
            task=task,
            progress=list(selectors.task_progress(task=task)[:50]),
            adjustments=list(selectors.task_adjustments(task=task)),
            progress_form=ProgressForm(initial={"percent": task.progress_percent}),
            complete_form=CompleteForm(),
            adjustment_form=AdjustmentForm(),
            decide_form=DecideForm(),
            history=history_rows(history_for(task)[:50]),
        )
        return context


class _TaskActionView(LoginRequiredMixin, View):
    """Fetch the visible task (404 outside scope) and check the action's rule (403)."""

    permission = ""

    def get_task(self, request, pk) -> Task:
        task = visible_or_404(
            selectors.task_detail_queryset(user=request.user).prefetch_related("assignees"), pk
        )
        require(request.user, self.permission, task)
        return task

    def render_detail(self, request, task, status=400, **forms):
        view = TaskDetailView()
        view.setup(request, pk=task.pk)
        context = view.get_context_data(pk=task.pk)
        context.update(forms)
        return render(request, TaskDetailView.template_name, context, status=status)


class TaskEditView(_TaskActionView):
    permission = "office.change_task"
    template_name = "office/task/form.html"

    def get(self, request, pk):
        task = self.get_task(request, pk)
        initial = {
            "version": task.version, "code": task.code, "content": task.content, "lead_unit": task.lead_unit,
            "cooperating_units": list(task.cooperating_units.all()), "assignees": list(task.assignees.all()),
            "source": task.source, "deadline_kind": task.deadline_kind, "deadline": task.due_date,
            "output": task.output, "priority": task.priority, "parent": task.parent,
        }
        form = TaskForm(initial=initial, plan=task.plan, task=task)
        return render(request, self.template_name, {"form": form, "plan": task.plan, "task": task})

    def post(self, request, pk):
        task = self.get_task(request, pk)
        form = TaskForm(request.POST, plan=task.plan, task=task)
        if form.is_valid() and run_service(
            request,
            lambda: services.task_update(
                actor=request.user, task_id=task.pk, version=form.cleaned_data["version"], data=_task_form_data(form)
            ),
            success=_("The task was saved."),
        ):
            return redirect("office:task_detail", pk=task.pk)
        return render(request, self.template_name, {"form": form, "plan": task.plan, "task": task}, status=400)


class TaskDeleteView(_TaskActionView):
    permission = "office.delete_task"

    def get(self, request, pk):
        task = self.get_task(request, pk)
        return render(request, "office/task/delete.html", {"task": task})

    def post(self, request, pk):
        task = self.get_task(request, pk)
        plan_id = task.plan_id
        if run_service(request, lambda: services.task_delete(actor=request.user, task_id=task.pk), success=_("The task was deleted.")):
            return redirect("office:plan_detail", pk=plan_id)
        return redirect("office:task_detail", pk=task.pk)


class ProgressCreateView(_TaskActionView):
    permission = "office.report_progress"

    def post(self, request, pk):
        task = self.get_task(request, pk)
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid() and run_service(
            request,
            lambda: services.progress_report_add(actor=request.user, task_id=task.pk, **form.cleaned_data),
            success=_("The progress report was saved."),
        ):
            return redirect("office:task_detail", pk=task.pk)
        return self.render_detail(request, task, progress_form=form)


class TaskCompleteView(_TaskActionView):
    permission = "office.complete_task"

    def post(self, request, pk):
        task = self.get_task(request, pk)
        form = CompleteForm(request.POST, request.FILES)
        if form.is_valid() and run_service(
            request,
            lambda: services.task_complete(actor=request.user, task_id=task.pk, **form.cleaned_data),
            success=_("The task was recorded as completed."),
        ):
            return redirect("office:task_detail", pk=task.pk)
        return self.render_detail(request, task, complete_form=form)


class AdjustmentRequestView(_TaskActionView):
    permission = "office.request_adjustment"

    def post(self, request, pk):
        task = self.get_task(request, pk)
        form = AdjustmentForm(request.POST)
        if form.is_valid() and run_service(
            request,
            lambda: services.adjustment_request(
                actor=request.user,
                task_id=task.pk,
                new_kind=form.cleaned_data["new_kind"],
                new_deadline=form.cleaned_data["new_deadline"],
                reason=form.cleaned_data["reason"],
            ),
            success=_("The deadline adjustment was requested; the unit's leader has been notified."),
        ):
            return redirect("office:task_detail", pk=task.pk)
        return self.render_detail(request, task, adjustment_form=form)


class AdjustmentListView(LoginRequiredMixin, TemplateView):
    """Requests awaiting the user's decision (leaders: their units; the Office: all)."""

    template_name = "office/adjustment/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pending = selectors.pending_adjustments_for(user=self.request.user).order_by("requested_at", "id")
        context["page_obj"] = Paginator(pending, 50).get_page(self.request.GET.get("page"))
        return context


class AdjustmentDecideView(LoginRequiredMixin, View):
    def post(self, request, pk):
        adjustment = visible_or_404(
            DeadlineAdjustment.objects.filter(task__in=selectors.tasks_visible_to(request.user)).select_related(
                "task__lead_unit", "task__plan"
            ),
            pk,
        )
        require(request.user, "office.decide_adjustment", adjustment.task)
        form = DecideForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            run_service(
                request,
                lambda: services.adjustment_decide(
                    actor=request.user, adjustment_id=adjustment.pk, approve=approve, note=form.cleaned_data["note"]
                ),
                success=_("The new deadline was approved.") if approve else _("The request was rejected."),
            )
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        if request.POST.get("next") == "list":
            return redirect("office:adjustment_list")
        return redirect("office:task_detail", pk=adjustment.task_id)
