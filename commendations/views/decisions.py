"""Quyết định khen thưởng: the decisions list, a draft with its awardees chosen among the nominees
who passed the council, the amounts (multiple × the base salary in force on the signing date), and
issuing it, which writes the award records into the history.

Officers prepare and issue decisions; council members see them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commendations import council
from commendations.enums import DecisionState
from commendations.forms_council import DecisionForm, VersionForm
from commendations.models import Decision, Nominee
from commendations.views.common import require, run_service
from portal.audit import history_for, history_rows
from portal.idempotency import SubmitOnceMixin
from portal.text import nfc
from portal.views import paginate

STATES = {"draft": DecisionState.DRAFT, "issued": DecisionState.ISSUED}


class DecisionListView(LoginRequiredMixin, TemplateView):
    """Các quyết định khen thưởng, newest first; search by number or signer, filter by state."""

    template_name = "commendations/decision/list.html"

    def get_context_data(self, **kwargs):
        require(self.request.user, "commendations.view_decisions")
        context = super().get_context_data(**kwargs)
        query = nfc(self.request.GET.get("q", ""))[:100]
        state = self.request.GET.get("state", "")
        decisions = Decision.objects.annotate(line_count=Count("lines"), total=Sum("lines__amount")).order_by(
            "-signed_on", "-pk"
        )
        if query:
            decisions = decisions.filter(Q(number__icontains=query) | Q(signer__icontains=query))
        if state in STATES:
            decisions = decisions.filter(state=STATES[state])
        context.update(page_obj=paginate(self.request, decisions), query=query, state=state)
        return context


def _lines(decision: Decision) -> list:
    return list(
        decision.lines.select_related(
            "nominee__award", "nominee__person__unit", "nominee__unit", "nominee__dossier__unit",
            "nominee__award_record",
        ).order_by("position", "pk")
    )


def _form_context(form: DecisionForm, decision: Decision | None = None) -> dict:
    """The form, and the base salary its rewards will use (known once a valid date is typed)."""
    base = None
    if form.is_bound and form.is_valid():
        base = council.base_salary_on(form.cleaned_data["signed_on"])
    elif not form.is_bound and decision is not None:
        base = council.base_salary_on(decision.signed_on)
    selected = {str(value) for value in form["nominees"].value() or ()}
    return {"form": form, "decision": decision, "base": base, "selected": selected}


class DecisionCreateView(LoginRequiredMixin, SubmitOnceMixin, View):
    template_name = "commendations/decision/form.html"

    def get(self, request):
        require(request.user, "commendations.manage_decisions")
        form = DecisionForm(candidates=council.decision_candidates())
        return render(request, self.template_name, _form_context(form))

    def post(self, request):
        require(request.user, "commendations.manage_decisions")
        form = DecisionForm(request.POST, candidates=council.decision_candidates())
        if form.is_valid():
            created = {}

            def create():
                created["decision"] = council.decision_create(
                    actor=request.user, data=form.decision_data(),
                    nominee_ids=[nominee.pk for nominee in form.cleaned_data["nominees"]],
                )

            if run_service(request, create, success=_("The draft decision was saved. Check it, then issue it.")):
                return redirect("commendations:decision_detail", pk=created["decision"].pk)
        else:
            messages.error(request, _("Please correct the fields marked below."))
        return render(request, self.template_name, _form_context(form), status=400)


class DecisionDetailView(LoginRequiredMixin, View):
    template_name = "commendations/decision/detail.html"

    def get(self, request, pk):
        require(request.user, "commendations.view_decisions")
        decision = get_object_or_404(Decision.objects.select_related("issued_by__person", "created_by__person"), pk=pk)
        return render(request, self.template_name, _detail_context(request, decision))


def _detail_context(request, decision: Decision) -> dict:
    lines = _lines(decision)
    draft = decision.state == DecisionState.DRAFT
    return {
        "decision": decision,
        "lines": lines,
        "total": sum((line.amount for line in lines), 0),
        "base": council.base_salary_on(decision.signed_on) if draft else None,
        "can_manage": draft and request.user.has_perm("commendations.manage_decisions"),
        "can_print_certificates": not draft and request.user.has_perm("commendations.manage_certificates"),
        "form": VersionForm(initial={"version": decision.version}),
        "history": history_rows(history_for(decision)[:50]),
    }


def _draft(request, pk) -> Decision:
    require(request.user, "commendations.manage_decisions")
    decision = get_object_or_404(Decision, pk=pk)
    if decision.state != DecisionState.DRAFT:
        raise PermissionDenied("an issued decision is never changed")
    return decision


class DecisionEditView(LoginRequiredMixin, View):
    template_name = "commendations/decision/form.html"

    @staticmethod
    def _candidates(decision: Decision):
        ids = list(council.decision_candidates().values_list("pk", flat=True))
        return (
            Nominee.objects.filter(Q(pk__in=ids) | Q(decision_line__decision=decision))
            .select_related("award", "person", "unit", "dossier__unit")
            .order_by("dossier__unit__sort_key", "dossier_id", "position", "pk")
        )

    def get(self, request, pk):
        decision = _draft(request, pk)
        initial = {name: getattr(decision, name) for name in council.DECISION_FIELDS}
        initial.update(version=decision.version, nominees=[line.nominee_id for line in decision.lines.all()])
        form = DecisionForm(initial=initial, candidates=self._candidates(decision))
        return render(request, self.template_name, _form_context(form, decision))

    def post(self, request, pk):
        decision = _draft(request, pk)
        form = DecisionForm(request.POST, candidates=self._candidates(decision))
        if form.is_valid():
            if run_service(
                request,
                lambda: council.decision_update(
                    actor=request.user, decision_id=decision.pk, version=form.cleaned_data["version"] or 0,
                    data=form.decision_data(), nominee_ids=[nominee.pk for nominee in form.cleaned_data["nominees"]],
                ),
                success=_("The draft decision was saved."),
            ):
                return redirect("commendations:decision_detail", pk=decision.pk)
        else:
            messages.error(request, _("Please correct the fields marked below."))
        return render(request, self.template_name, _form_context(form, decision), status=400)


class DecisionActionView(LoginRequiredMixin, View):
    """Issue or delete a draft decision, each after a confirmation page."""

    action = "issue"

    @property
    def template_name(self) -> str:
        return f"commendations/decision/{self.action}.html"

    def get(self, request, pk):
        decision = _draft(request, pk)
        return render(request, self.template_name, _detail_context(request, decision))

    def post(self, request, pk):
        decision = _draft(request, pk)
        form = VersionForm(request.POST)
        version = form.cleaned_data["version"] if form.is_valid() else 0
        if self.action == "issue":
            if run_service(
                request,
                lambda: council.decision_issue(actor=request.user, decision_id=decision.pk, version=version),
                success=_("The decision %(number)s is issued; the awards are in the history.")
                % {"number": decision.number},
            ):
                return redirect("commendations:decision_detail", pk=decision.pk)
        elif run_service(
            request,
            lambda: council.decision_delete(actor=request.user, decision_id=decision.pk, version=version),
            success=_("The draft decision %(number)s was deleted.") % {"number": decision.number},
        ):
            return redirect("commendations:decision_list")
        decision.refresh_from_db()
        return render(request, self.template_name, _detail_context(request, decision), status=400)


urlpatterns = [
    path("decisions/", DecisionListView.as_view(), name="decision_list"),
    path("decisions/new/", DecisionCreateView.as_view(), name="decision_create"),
    path("decisions/<int:pk>/", DecisionDetailView.as_view(), name="decision_detail"),
    path("decisions/<int:pk>/edit/", DecisionEditView.as_view(), name="decision_edit"),
    path("decisions/<int:pk>/issue/", DecisionActionView.as_view(action="issue"), name="decision_issue"),
    path("decisions/<int:pk>/delete/", DecisionActionView.as_view(action="delete"), name="decision_delete"),
]
