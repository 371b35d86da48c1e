"""Commendation timelines (quá trình khen thưởng): everything a person or a unit received, year by
year, with ratings, initiatives (and the award that used each) and holds."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from commendations import selectors
from commendations.views.common import require
from portal.selectors import people_visible_to, units_visible_to


class PersonHistoryView(LoginRequiredMixin, TemplateView):
    template_name = "commendations/history/person.html"

    def get_context_data(self, **kwargs):
        person = get_object_or_404(people_visible_to(self.request.user).select_related("unit"), pk=self.kwargs["person_id"])
        require(self.request.user, "commendations.view_person_history", person)
        context = super().get_context_data(**kwargs)
        context.update(person=person, timeline=selectors.person_timeline(person), today=timezone.localdate())
        return context


class UnitHistoryView(LoginRequiredMixin, TemplateView):
    template_name = "commendations/history/unit.html"

    def get_context_data(self, **kwargs):
        unit = get_object_or_404(units_visible_to(self.request.user).select_related("parent"), pk=self.kwargs["unit_id"])
        require(self.request.user, "commendations.view_unit_history", unit)
        context = super().get_context_data(**kwargs)
        context.update(unit=unit, timeline=selectors.unit_timeline(unit), today=timezone.localdate())
        return context
