"""The task list's filters (django-filter), shared by the list page and its Excel export."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from office.enums import Priority, TaskSource, TaskStatus
from office.models import Task
from portal.selectors import units_visible_to
from portal.text import SEARCH_MAX_LENGTH, search_terms

DUE_WINDOWS = [("7", _("next 7 days")), ("14", _("next 14 days")), ("30", _("next 30 days"))]
SORTS = {
    "code": ("plan__year", "code"),
    "-code": ("-plan__year", "-code"),
    "due": ("due_date", "code"),
    "-due": ("-due_date", "code"),
    "unit": ("lead_unit__sort_key", "code"),
    "-unit": ("-lead_unit__sort_key", "code"),
}


class TaskFilter(django_filters.FilterSet):
    """Filters over an already scoped and status-annotated queryset (office.selectors.task_search)."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_query", widget=forms.TextInput(attrs={"maxlength": SEARCH_MAX_LENGTH})
    )
    year = django_filters.NumberFilter(field_name="plan__year", label=_("Year"), min_value=1990, max_value=2100)
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=None, method="filter_unit")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=TaskStatus.choices, method="filter_status", widget=forms.CheckboxSelectMultiple
    )
    source = django_filters.MultipleChoiceFilter(label=_("Source"), choices=TaskSource.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    due = django_filters.ChoiceFilter(label=_("Due"), choices=DUE_WINDOWS, method="filter_due")
    assignee = django_filters.CharFilter(
        label=_("Assignee"), method="filter_assignee", widget=forms.TextInput(attrs={"maxlength": SEARCH_MAX_LENGTH})
    )
    mine = django_filters.BooleanFilter(label=_("Only tasks assigned to me"), method="filter_mine", widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=[(key, key) for key in SORTS], method="filter_sort", widget=forms.HiddenInput
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["unit"].queryset = units_visible_to(user).filter(is_active=True).order_by("path")

    def filter_query(self, queryset, name, value):
        for term in search_terms(value):
            queryset = queryset.filter(search_text__contains=term)
        return queryset

    def filter_unit(self, queryset, name, unit):
        cooperating = Task.cooperating_units.through.objects.filter(
            task_id=OuterRef("pk"), unit__path__startswith=unit.path
        )
        return queryset.filter(Q(lead_unit__path__startswith=unit.path) | Exists(cooperating))

    def filter_status(self, queryset, name, values):
        return queryset.filter(status__in=values) if values else queryset

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(
            completed_on__isnull=True, due_date__gte=today, due_date__lte=today + timedelta(days=int(value))
        )

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Task.assignees.through.objects.filter(task_id=OuterRef("pk"), person__user=self.user)))

    def filter_assignee(self, queryset, name, value):
        """Tasks with an assignee whose name matches, with or without diacritics."""
        people = Task.assignees.through.objects.filter(task_id=OuterRef("pk"))
        for term in search_terms(value):
            people = people.filter(Q(person__search_text__startswith=term) | Q(person__search_text__contains=f" {term}"))
        return queryset.filter(Exists(people)) if search_terms(value) else queryset

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])
