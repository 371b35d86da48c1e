"""Đăng ký thi đua pages: a unit's registered target titles for a year (its own and its people's),
adding them in bulk, removing one after confirmation, and the list as an Excel file.

A unit's people (staff of the unit, leaders of it or of a unit above) see and change their units'
registrations; the standing body and the council see every unit's; anyone else gets 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from commendations.enums import Subject
from commendations.forms import EARLIEST_YEAR
from commendations.models import Award, TitleRegistration
from commendations.registrations import (
    may_register,
    registration_delete,
    registration_save,
    registration_years,
    registrations_of,
)
from commendations.services import CommendationsError
from commendations.views.common import run_service
from portal.access import scope_of
from portal.idempotency import SubmitOnceMixin
from portal.models import Person, Unit
from portal.params import parse_int
from portal.selectors import units_visible_to
from portal.spreadsheets import workbook_response
from portal.text import search_terms

PAGE_SIZE = 50


def registration_units(user) -> QuerySet[Unit]:
    """The units whose registrations the user may open (outside them: 404)."""
    if user.has_perm("commendations.view_all_registrations"):
        return Unit.objects.all()
    return units_visible_to(user)


def _unit_or_404(user, unit_id: int) -> Unit:
    return get_object_or_404(registration_units(user).select_related("parent"), pk=unit_id)


def _year_or_404(year: int) -> int:
    if not EARLIEST_YEAR <= year <= registration_years()[1]:
        raise Http404("year")
    return year


def _year_choices() -> list[int]:
    first, last = registration_years()
    return list(range(last, first - 5, -1))


class RegistrationHomeView(LoginRequiredMixin, View):
    """The unit and year picker: goes to the chosen (or the user's own) unit's page."""

    def get(self, request):
        units = registration_units(request.user)
        year = parse_int(request.GET.get("year"), minimum=EARLIEST_YEAR) or registration_years()[0]
        unit_id = parse_int(request.GET.get("unit"), minimum=1)
        if unit_id is None:
            own = [unit for unit in scope_of(request.user).units if unit.is_active]
            unit_id = own[0].pk if own else None
        if unit_id is not None:
            unit = _unit_or_404(request.user, unit_id)
            return redirect("commendations:registration_list", unit_id=unit.pk, year=_year_or_404(year))
        return render(
            request,
            "commendations/registration/list.html",
            {"unit": None, "year": year, "years": _year_choices(), "units": units.filter(is_active=True).order_by("path")},
        )


class RegistrationListView(LoginRequiredMixin, View):
    def get(self, request, unit_id: int, year: int):
        user = request.user
        unit = _unit_or_404(user, unit_id)
        year = _year_or_404(year)
        query = request.GET.get("q", "")
        rows = registrations_of(unit=unit, year=year)
        own_targets = list(rows.filter(person__isnull=True))
        people_rows = rows.filter(person__isnull=False)
        for term in search_terms(query):
            people_rows = people_rows.filter(
                Q(person__search_text__startswith=term) | Q(person__search_text__contains=f" {term}")
            )
        page = Paginator(people_rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), minimum=1))
        open_years = registration_years()
        return render(
            request,
            "commendations/registration/list.html",
            {
                "unit": unit,
                "year": year,
                "years": _year_choices(),
                "units": registration_units(user).filter(is_active=True).order_by("path"),
                "own_targets": own_targets,
                "page_obj": page,
                "query": query,
                "year_is_open": open_years[0] <= year <= open_years[1],
                "can_register": may_register(user, unit),
            },
        )


class RegistrationForm(forms.Form):
    """One target title for the unit itself and/or for some of its people."""

    award = forms.ModelChoiceField(label=gettext_lazy("Target title"), queryset=Award.objects.none())
    for_unit = forms.BooleanField(
        label=gettext_lazy("The unit itself (collective titles)"), required=False,
    )
    people = forms.ModelMultipleChoiceField(
        label=gettext_lazy("People (individual titles)"), queryset=Person.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = Award.objects.filter(is_active=True).order_by("position", "code")
        self.fields["award"].label_from_instance = lambda award: f"{award.name} ({award.get_subject_display()})"
        self.fields["award"].widget.attrs["class"] = "form-select"
        self.fields["people"].queryset = (
            Person.objects.filter(unit__path__startswith=unit.path, is_active=True)
            .select_related("unit")
            .order_by("sort_key", "pk")
        )
        self.fields["people"].label_from_instance = lambda person: (
            f"{person.full_name} — {person.unit.name}" if person.unit_id != unit.pk else person.full_name
        )

    def clean(self):
        data = super().clean()
        award = data.get("award")
        if not data.get("for_unit") and not data.get("people"):
            # Said on the people list, where the choice is made (a rejection names its field).
            self.add_error("people", _("Choose the people to register, or the unit itself."))
        if award is not None and data.get("for_unit") and award.subject == Subject.PERSON:
            self.add_error("for_unit", _("This title is awarded to individuals only."))
        if award is not None and data.get("people") and award.subject == Subject.COLLECTIVE:
            self.add_error("people", _("This title is awarded to collectives only."))
        return data


class _RegisterMixin(LoginRequiredMixin):
    def get_unit(self, request, unit_id: int, year: int) -> tuple[Unit, int]:
        unit = _unit_or_404(request.user, unit_id)
        if not may_register(request.user, unit):
            raise PermissionDenied("commendations.register_titles")
        return unit, _year_or_404(year)


class RegistrationAddView(_RegisterMixin, SubmitOnceMixin, View):
    template_name = "commendations/registration/add.html"

    def get(self, request, unit_id: int, year: int):
        unit, year = self.get_unit(request, unit_id, year)
        return self.render_form(request, unit, year, RegistrationForm(unit=unit))

    def post(self, request, unit_id: int, year: int):
        unit, year = self.get_unit(request, unit_id, year)
        form = RegistrationForm(request.POST, unit=unit)
        if form.is_valid():
            try:
                created = registration_save(
                    actor=request.user, unit_id=unit.pk, year=year, award_id=form.cleaned_data["award"].pk,
                    person_ids=[person.pk for person in form.cleaned_data["people"]],
                    for_unit=form.cleaned_data["for_unit"],
                )
            except CommendationsError as error:
                messages.error(request, str(error))
            else:
                if created:
                    messages.success(
                        request,
                        ngettext("%(count)s target was registered.", "%(count)s targets were registered.", len(created))
                        % {"count": len(created)},
                    )
                else:
                    messages.info(request, _("These targets were already registered; nothing changed."))
                return redirect("commendations:registration_list", unit_id=unit.pk, year=year)
        return self.render_form(request, unit, year, form)

    def render_form(self, request, unit, year, form):
        first, last = registration_years()
        context = {"unit": unit, "year": year, "form": form, "year_is_open": first <= year <= last}
        return render(request, self.template_name, context)


class RegistrationDeleteView(LoginRequiredMixin, View):
    template_name = "commendations/registration/delete.html"

    def get_registration(self, request, pk: int) -> TitleRegistration:
        registration = get_object_or_404(
            TitleRegistration.objects.select_related("unit", "person__unit", "award").filter(
                unit__in=registration_units(request.user)
            ),
            pk=pk,
        )
        if not may_register(request.user, registration.unit):
            raise PermissionDenied("commendations.register_titles")
        return registration

    def get(self, request, pk: int):
        return render(request, self.template_name, {"registration": self.get_registration(request, pk)})

    def post(self, request, pk: int):
        registration = self.get_registration(request, pk)
        run_service(
            request,
            lambda: registration_delete(actor=request.user, registration_id=registration.pk),
            success=_("The target was removed."),
        )
        return redirect("commendations:registration_list", unit_id=registration.unit_id, year=registration.year)


def _text(sheet, value: str):
    """Text exactly as typed: never a live formula in the file."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def registrations_workbook(*, unit: Unit, year: int, rows) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Registrations"))
    header = [_("No."), _("Registered for"), _("Unit"), _("Target title"), _("Registered on")]
    title = WriteOnlyCell(sheet, value=_("Registration of target titles %(year)s — %(unit)s") % {"year": year, "unit": unit.name})
    title.font = Font(bold=True)
    sheet.append([title])
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    for number, registration in enumerate(rows, start=1):
        person = registration.person
        sheet.append(
            [
                number,
                _text(sheet, person.full_name if person else _("%(unit)s (the unit itself)") % {"unit": unit.name}),
                _text(sheet, person.unit.name if person else unit.name),
                _text(sheet, registration.award.name),
                timezone.localtime(registration.created_at).strftime("%d/%m/%Y"),
            ]
        )
    return workbook


class RegistrationExportView(LoginRequiredMixin, View):
    def get(self, request, unit_id: int, year: int):
        unit = _unit_or_404(request.user, unit_id)
        year = _year_or_404(year)
        workbook = registrations_workbook(unit=unit, year=year, rows=registrations_of(unit=unit, year=year).iterator())
        return workbook_response(workbook, f"dang-ky-thi-dua-{unit.code.lower()}-{year}.xlsx")


urlpatterns = [
    path("registrations/", RegistrationHomeView.as_view(), name="registrations"),
    path("registrations/<int:unit_id>/<int:year>/", RegistrationListView.as_view(), name="registration_list"),
    path("registrations/<int:unit_id>/<int:year>/add/", RegistrationAddView.as_view(), name="registration_add"),
    path(
        "registrations/<int:unit_id>/<int:year>/export/", RegistrationExportView.as_view(), name="registration_export"
    ),
    path("registrations/entry/<int:pk>/delete/", RegistrationDeleteView.as_view(), name="registration_delete"),
]
