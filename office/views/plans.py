"""Work plan pages: list, create, detail with its tasks, and the plan's transitions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from office import selectors, services
from office.forms import PlanForm, PlanIssueForm, PlanReturnForm
from office.models import PlanYear
from office.views.common import require, run_service, visible_or_404
from portal.params import parse_int
from portal.selectors import units_visible_to


class PlanListView(LoginRequiredMixin, TemplateView):
    template_name = "office/plan/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = parse_int(self.request.GET.get("year"), minimum=1990, maximum=2100) or timezone.localdate().year
        plans = (
            selectors.plans_visible_to(self.request.user)
            .filter(year=year)
            .select_related("unit")
            .annotate(task_count=Count("tasks"), open_count=Count("tasks", filter=Q(tasks__completed_on__isnull=True)))
            .order_by("unit__path")
        )
        context.update(
            year=year,
            page_obj=Paginator(plans, 50).get_page(self.request.GET.get("page")),
            plan_year=PlanYear.objects.filter(year=year).first(),
        )
        return context


class PlanCreateView(LoginRequiredMixin, View):
    template_name = "office/plan/create.html"

    def _units(self):
        return units_visible_to(self.request.user).filter(is_active=True).order_by("path")

    def get(self, request):
        require(request.user, "office.add_workplan", None)
        return render(request, self.template_name, {"form": PlanForm(units=self._units())})

    def post(self, request):
        require(request.user, "office.add_workplan", None)
        form = PlanForm(request.POST, units=self._units())
        if form.is_valid():
            created = {}

            def create():
                created["plan"] = services.plan_create(actor=request.user, **form.cleaned_data)

            if run_service(request, create, success=_("The work plan was created.")):
                return redirect("office:plan_detail", pk=created["plan"].pk)
        return render(request, self.template_name, {"form": form}, status=400)


class PlanDetailView(LoginRequiredMixin, TemplateView):
    template_name = "office/plan/detail.html"

    def get_context_data(self, **kwargs):
        from portal.audit import history_for, history_rows

        context = super().get_context_data(**kwargs)
        plan = visible_or_404(selectors.plans_visible_to(self.request.user).select_related("unit"), self.kwargs["pk"])
        tasks = selectors.with_status(plan.tasks.all()).select_related("lead_unit", "parent").order_by("code")
        page = Paginator(tasks, 50).get_page(self.request.GET.get("page"))
        plan_year = PlanYear.objects.filter(year=plan.year).first()
        context.update(
            plan=plan,
            page_obj=page,
            counts=selectors.status_counts(plan.tasks.all()),
            plan_year=plan_year,
            issued_on_time=(
                plan.issued_on <= plan_year.plan_issue_deadline if plan_year and plan.issued_on else None
            ),
            issue_form=PlanIssueForm(initial={"version": plan.version}),
            return_form=PlanReturnForm(initial={"version": plan.version}),
            history=history_rows(history_for(plan)[:30]),
        )
        return context


class PlanTransitionView(LoginRequiredMixin, View):
    """POST only: submit, return (with a reason) or issue (number, date, signer) a plan."""

    forms = {"submit": None, "return": PlanReturnForm, "issue": PlanIssueForm}
    successes = {
        "submit": gettext_lazy("The plan was submitted for approval."),
        "return": gettext_lazy("The plan was returned for revision."),
        "issue": gettext_lazy("The plan was approved and issued."),
    }

    def post(self, request, pk, action):
        if action not in services.PLAN_TRANSITIONS:
            raise Http404
        plan = visible_or_404(selectors.plans_visible_to(request.user).select_related("unit"), pk)
        require(request.user, services.PLAN_TRANSITIONS[action].permission, plan)
        form_class = self.forms[action]
        data = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect("office:plan_detail", pk=plan.pk)
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            version = form.cleaned_data["version"]
        else:
            version = parse_int(request.POST.get("version"), minimum=1, maximum=10**9) or 0
        run_service(
            request,
            lambda: services.plan_transition(actor=request.user, plan_id=plan.pk, action=action, version=version, **data),
            success=str(self.successes[action]),
        )
        return redirect("office:plan_detail", pk=plan.pk)

