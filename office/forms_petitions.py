"""Forms for voters' petitions: a batch, a petition, its answer, and the batch page's filters."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from office.enums import PetitionBody, PetitionClass
from office.forms import VersionedForm
from office.models import Petition
from office.services_petitions import DEFAULT_ANSWER_DAYS, MAX_ANSWER_DAYS
from portal.forms import VietnameseDateField
from portal.models import Unit
from portal.text import SEARCH_MAX_LENGTH, search_terms
from portal.uploads import validate_upload

ANSWER_CLASSES = [(value, label) for value, label in PetitionClass.choices if value != PetitionClass.UNANSWERED]


class PetitionBatchForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), choices=PetitionBody.choices, initial=PetitionBody.NATIONAL_ASSEMBLY)
    session = forms.CharField(
        label=_("Session"), max_length=200, help_text=_("For example “Kỳ họp thứ 10, Quốc hội khóa XV”.")
    )
    received_on = VietnameseDateField(label=_("Received on"))
    answer_days = forms.IntegerField(
        label=_("Days to answer"),
        min_value=1,
        max_value=MAX_ANSWER_DAYS,
        required=False,
    )
    next_session_on = VietnameseDateField(
        label=_("Next session opens on"),
        required=False,
        help_text=_("The consolidated report is due 20 working days before this date."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled in per request so the text follows the reader's language.
        self.fields["answer_days"].help_text = gettext(
            "Leave empty for the legal period: %(national)d days for the National Assembly, "
            "%(council)d for a People's Council."
        ) % {
            "national": DEFAULT_ANSWER_DAYS[PetitionBody.NATIONAL_ASSEMBLY],
            "council": DEFAULT_ANSWER_DAYS[PetitionBody.PEOPLES_COUNCIL],
        }

    def clean(self):
        cleaned = super().clean()
        received, next_session = cleaned.get("received_on"), cleaned.get("next_session_on")
        if received and next_session and next_session <= received:
            self.add_error("next_session_on", _("The next session must open after the petitions were received."))
        return cleaned


class PetitionForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}))
    constituency = forms.CharField(
        label=_("Voters of"), max_length=200, required=False, help_text=_("For example “Cử tri tỉnh Bắc Ninh”.")
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    received_on = VietnameseDateField(
        label=_("Received on"), required=False, help_text=_("Leave empty to use the batch's date.")
    )

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.fields["lead_unit"].queryset = Unit.objects.filter(is_active=True).order_by("path")

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value is not None and value < self.batch.received_on:
            raise forms.ValidationError(_("A petition cannot be received before its batch."))
        return value


class PetitionAnswerForm(VersionedForm):
    classification = forms.ChoiceField(label=_("Classification"), choices=ANSWER_CLASSES, widget=forms.RadioSelect)
    answer_text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))
    answered_on = VietnameseDateField(label=_("Answered on"))
    answer_file = forms.FileField(
        label=_("Answer document"),
        required=False,
        validators=[validate_upload],
        help_text=_("PDF, DOCX, XLSX, PNG or JPEG. Leave empty to keep the file already attached."),
    )
    roadmap = forms.CharField(
        label=_("Roadmap"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the petition is being resolved."),
    )
    roadmap_deadline = VietnameseDateField(label=_("Resolved by"), required=False)

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.petition = petition

    def clean_answered_on(self):
        value = self.cleaned_data["answered_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The answer date cannot be in the future."))
        if value < self.petition.received_on:
            raise forms.ValidationError(_("The answer date cannot be before the petition was received."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("classification") == PetitionClass.IN_PROGRESS:
            if not (cleaned.get("roadmap") or "").strip():
                self.add_error("roadmap", _("Describe the roadmap for resolving the petition."))
            deadline = cleaned.get("roadmap_deadline")
            if deadline is None and "roadmap_deadline" not in self.errors:
                self.add_error("roadmap_deadline", _("Give the date the petition will be resolved by."))
            answered_on = cleaned.get("answered_on")
            if deadline and answered_on and deadline < answered_on:
                self.add_error("roadmap_deadline", _("The roadmap cannot end before the answer date."))
        return cleaned


PETITION_SORTS = {
    "code": ("code", "id"),
    "-code": ("-code", "-id"),
    "deadline": ("answer_deadline", "code", "id"),
    "-deadline": ("-answer_deadline", "code", "id"),
    "unit": ("lead_unit__sort_key", "code", "id"),
    "-unit": ("-lead_unit__sort_key", "code", "id"),
}


class PetitionFilter(django_filters.FilterSet):
    """Filters over a batch's scoped, overdue-annotated petitions (selectors_petitions)."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_query", widget=forms.TextInput(attrs={"maxlength": SEARCH_MAX_LENGTH})
    )
    classification = django_filters.ChoiceFilter(label=_("Classification"), choices=PetitionClass.choices)
    unit = django_filters.ModelChoiceFilter(label=_("Lead unit"), queryset=Unit.objects.none(), method="filter_unit")
    overdue = django_filters.BooleanFilter(
        label=_("Overdue or answered late only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=[(key, key) for key in PETITION_SORTS], method="filter_sort", widget=forms.HiddenInput
    )

    class Meta:
        model = Petition
        fields: list[str] = []

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = units

    def filter_query(self, queryset, name, value):
        for term in search_terms(value):
            queryset = queryset.filter(search_text__contains=term)
        return queryset

    def filter_unit(self, queryset, name, unit):
        return queryset.filter(lead_unit__path__startswith=unit.path)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(is_overdue=True) if value else queryset

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*PETITION_SORTS[value])
