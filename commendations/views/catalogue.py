"""The award catalogue (danh mục danh hiệu, hình thức khen thưởng): list, detail with the rule
versions in words, and editing an award's descriptive fields."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commendations import explain, selectors, services
from commendations.forms import AwardForm
from commendations.models import Award
from commendations.views.common import require, run_service
from portal.audit import history_for, history_rows


class AwardListView(LoginRequiredMixin, TemplateView):
    """Danh mục khen thưởng: every title and form with its rule versions and their legal bases."""

    template_name = "commendations/award/list.html"

    def get_context_data(self, **kwargs):
        require(self.request.user, "commendations.view_catalogue")
        context = super().get_context_data(**kwargs)
        context["awards"] = list(selectors.catalogue())
        return context


class AwardDetailView(LoginRequiredMixin, TemplateView):
    template_name = "commendations/award/detail.html"

    def get_context_data(self, **kwargs):
        require(self.request.user, "commendations.view_catalogue")
        context = super().get_context_data(**kwargs)
        award = get_object_or_404(Award, pk=self.kwargs["pk"])
        names = selectors.award_names()
        context.update(
            award=award,
            versions=[(row, explain.rule_rows(tree, names=names)) for row, tree in selectors.award_rules(award)],
            history=history_rows(history_for(award)[:30]),
        )
        return context


class AwardEditView(LoginRequiredMixin, View):
    """Sửa danh mục: name, level, who decides, reward multiple, pass mark… (not the rule JSON)."""

    template_name = "commendations/award/edit.html"

    def _award(self, request, pk) -> Award:
        award = get_object_or_404(Award, pk=pk)
        require(request.user, "commendations.change_award", award)
        return award

    def get(self, request, pk):
        award = self._award(request, pk)
        form = AwardForm(initial=AwardForm.initial_for(award, services.award_fingerprint(award)))
        return render(request, self.template_name, {"award": award, "form": form})

    def post(self, request, pk):
        award = self._award(request, pk)
        form = AwardForm(request.POST)
        if form.is_valid():
            data = {key: value for key, value in form.cleaned_data.items() if key != "fingerprint"}
            if run_service(
                request,
                lambda: services.award_update(
                    actor=request.user, award_id=award.pk, fingerprint=form.cleaned_data["fingerprint"], data=data
                ),
                success=_("The award was saved."),
            ):
                return redirect("commendations:award_detail", pk=award.pk)
        return render(request, self.template_name, {"award": award, "form": form}, status=400)
