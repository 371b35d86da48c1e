"""Tra cứu: one page to find nominees, dossiers and award history by name, typed with or without
diacritics, filtered by unit, year and award — only within what the user may see (dossiers from
commendations.selectors.dossiers_visible_to, history of the people and units in their scope).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from commendations.forms import EARLIEST_YEAR, LATEST_YEAR
from commendations.models import Award, AwardRecord, Dossier, Nominee
from commendations.selectors import dossiers_visible_to
from portal.models import Unit
from portal.params import parse_int
from portal.selectors import people_visible_to, units_visible_to
from portal.text import SEARCH_MAX_LENGTH, search_terms

PAGE_SIZE = 25
KINDS = {"nominees": _("Nominees"), "dossiers": _("Dossiers"), "history": _("Award history")}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=SEARCH_MAX_LENGTH * 4)
    unit = forms.ModelChoiceField(label=_("Unit (with its sub-units)"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    award = forms.ModelChoiceField(
        label=_("Award"), queryset=Award.objects.order_by("position", "code"), required=False, to_field_name="code"
    )

    def __init__(self, *args, units: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "type": "search", "placeholder": _("Name, with or without diacritics")}
        )
        self.fields["year"].widget.attrs.update({"class": "form-control"})


def _words_match(field: str, terms: list[str]) -> Q:
    """Each folded term at the start of a word of the folded text in ``field``."""
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{field}__startswith": term}) | Q(**{f"{field}__contains": f" {term}"})
    return condition


@dataclass(frozen=True)
class Filters:
    terms: list[str]
    unit: Unit | None
    year: int | None
    award: Award | None


def nominee_results(user, f: Filters) -> QuerySet[Nominee]:
    rows = Nominee.objects.filter(dossier__in=dossiers_visible_to(user))
    if f.terms:
        rows = rows.filter(_words_match("search_text", f.terms))
    if f.unit is not None:
        rows = rows.filter(dossier__unit__path__startswith=f.unit.path)
    if f.year is not None:
        rows = rows.filter(dossier__year=f.year)
    if f.award is not None:
        rows = rows.filter(award=f.award)
    return rows.select_related("dossier__unit", "award", "person__unit", "unit").order_by(
        "-dossier__year", "search_text", "pk"
    )


def dossier_results(user, f: Filters) -> QuerySet[Dossier]:
    rows = dossiers_visible_to(user)
    if f.terms:
        rows = rows.filter(_words_match("search_text", f.terms))
    if f.unit is not None:
        rows = rows.filter(unit__path__startswith=f.unit.path)
    if f.year is not None:
        rows = rows.filter(year=f.year)
    if f.award is not None:
        rows = rows.filter(pk__in=Nominee.objects.filter(award=f.award).values("dossier_id"))
    return rows.select_related("unit").order_by("-year", "-pk")


def history_results(user, f: Filters) -> QuerySet[AwardRecord]:
    rows = AwardRecord.objects.filter(
        Q(person__in=people_visible_to(user)) | Q(unit__in=units_visible_to(user))
    )
    if f.terms:
        rows = rows.filter(_words_match("person__search_text", f.terms) | _words_match("unit__search_text", f.terms))
    if f.unit is not None:
        rows = rows.filter(Q(person__unit__path__startswith=f.unit.path) | Q(unit__path__startswith=f.unit.path))
    if f.year is not None:
        rows = rows.filter(year=f.year)
    if f.award is not None:
        rows = rows.filter(award=f.award)
    return rows.select_related("award", "person__unit", "unit").order_by("-year", "award__position", "pk")


class SearchView(LoginRequiredMixin, TemplateView):
    template_name = "commendations/search/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        params = self.request.GET
        form = SearchForm(params or None, units=units_visible_to(user).filter(is_active=True).order_by("path"))
        form.is_valid()  # a wrong field shows its error; the valid ones still filter
        data = getattr(form, "cleaned_data", {})
        query = data.get("q", "")
        filters = Filters(
            terms=search_terms(query), unit=data.get("unit"), year=data.get("year"), award=data.get("award")
        )
        kind = params.get("kind") if params.get("kind") in KINDS else "nominees"
        page_number = parse_int(params.get("page"), minimum=1)
        finders = {"nominees": nominee_results, "dossiers": dossier_results, "history": history_results}
        page = Paginator(finders[kind](user, filters), PAGE_SIZE).get_page(page_number)
        counts = {
            key: page.paginator.count if key == kind else finder(user, filters).count()
            for key, finder in finders.items()
        }
        context.update(
            form=form,
            kind=kind,
            tabs=[(key, label, counts[key]) for key, label in KINDS.items()],
            page_obj=page,
            query_truncated=len(query) > SEARCH_MAX_LENGTH,
        )
        return context


urlpatterns = [path("search/", SearchView.as_view(), name="search")]
