"""Xét điều kiện: who of a unit is eligible for an award in a year, every condition explained with
its evidence and the article of law it comes from."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from commendations import explain, selectors
from commendations.forms import EligibilityForm, default_proposal_year
from commendations.histories import Nominee, eligibility_for_unit
from commendations.views.common import require
from portal.access import scope_of
from portal.params import parse_int
from portal.selectors import units_visible_to

PAGE_SIZE = 50
SHOW = ("all", "eligible", "not_eligible")


@dataclass
class NomineeRow:
    nominee: Nominee
    rows: list[explain.CheckRow]
    reasons: list[str]


class EligibilityView(LoginRequiredMixin, TemplateView):
    template_name = "commendations/eligibility/check.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        require(user, "commendations.check_eligibility")
        context = super().get_context_data(**kwargs)
        units = units_visible_to(user).filter(is_active=True).order_by("path")
        awards = selectors.eligibility_awards()
        own_units = [unit for unit in scope_of(user).units if unit.is_active]
        initial = {"year": default_proposal_year(), "unit": own_units[0] if own_units else None}
        bound = "award" in self.request.GET
        form = EligibilityForm(self.request.GET if bound else None, initial=initial, awards=awards, units=units)
        context.update(form=form, report=None)
        if not (bound and form.is_valid()):
            return context
        data = form.cleaned_data
        on = data["on"] or timezone.localdate()
        report = eligibility_for_unit(
            user=user, unit=data["unit"], award_code=data["award"].code, year=data["year"], on=on,
            subject=data["subject"] or None,
        )
        show = self.request.GET.get("show", "all")
        show = show if show in SHOW else "all"
        nominees = report.nominees
        if show != "all":
            nominees = [n for n in nominees if n.eligible == (show == "eligible")]
        page = Paginator(nominees, PAGE_SIZE).get_page(parse_int(self.request.GET.get("page"), minimum=1))
        names = selectors.award_names()
        page.object_list = [
            NomineeRow(
                nominee,
                explain.check_rows(nominee.verdict, names=names, people=report.member_names),
                explain.failure_summary(nominee.verdict, names=names, people=report.member_names),
            )
            for nominee in page.object_list
        ]
        context.update(report=report, page_obj=page, show=show, on=on, names=names,
                       rule_version=report.rule.legal_basis if report.rule else "")
        return context
