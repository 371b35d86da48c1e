"""Forms of the commendation app: editing an award, choosing what to check, uploading history."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commendations.enums import NOMINEE_DOCUMENTS, AwardCategory, AwardLevel, Subject
from commendations.models import Award
from portal.forms import VietnameseDateField, VietnameseDecimalField
from portal.uploads import validate_upload

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class AwardForm(forms.Form):
    """The catalogue entry of an award; ``fingerprint`` tells that someone else saved in between."""

    fingerprint = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=300)
    category = forms.ChoiceField(label=_("Category"), choices=AwardCategory.choices)
    subject = forms.ChoiceField(label=_("For"), choices=Subject.choices)
    level = forms.ChoiceField(label=_("Level"), choices=AwardLevel.choices)
    decided_by = forms.CharField(label=_("Decided by"), max_length=200)
    reward_multiple = VietnameseDecimalField(
        label=_("Reward (multiple of the base salary)"), min_value=0, max_value=Decimal("999.99"), max_digits=5,
        decimal_places=2, help_text=_("For example 1,5 for one and a half times the base salary."),
    )
    pass_mark_percent = VietnameseDecimalField(
        label=_("Council pass mark, as a percentage of all members"), required=False, min_value=Decimal("0.01"), max_value=100,
        max_digits=5, decimal_places=2, help_text=_("Leave empty when the award needs no council vote."),
    )
    secret_ballot = forms.BooleanField(label=_("Secret ballot"), required=False)
    required_documents = forms.MultipleChoiceField(
        label=_("Papers each nominee must carry"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(kind.value, kind.label) for kind in NOMINEE_DOCUMENTS],
        help_text=_("Checked when the unit submits its dossier; the achievement report may be typed instead of uploaded."),
    )
    is_active = forms.BooleanField(label=_("Active (offered for new nominations)"), required=False)

    @classmethod
    def initial_for(cls, award: Award, fingerprint: str) -> dict:
        initial = {name: getattr(award, name) for name in cls.base_fields if name != "fingerprint"}
        initial["fingerprint"] = fingerprint
        return initial


class EligibilityForm(forms.Form):
    """What the eligibility page checks: an award, a unit in the user's scope, a year, a date."""

    award = forms.ModelChoiceField(label=_("Award"), queryset=Award.objects.none(), to_field_name="code")
    subject = forms.ChoiceField(
        label=_("For"), required=False,
        choices=[("", _("As the award says")), (Subject.PERSON, _("Individuals")), (Subject.COLLECTIVE, _("Collectives"))],
        help_text=_("Only for awards given to both individuals and collectives."),
    )
    unit = forms.ModelChoiceField(label=_("Unit (with its sub-units)"), queryset=None)
    year = forms.IntegerField(
        label=_("Proposal year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR,
        help_text=_("The year whose achievements are judged."),
    )
    on = VietnameseDateField(
        label=_("Reference date"), required=False,
        help_text=_("The date of the proposal: it chooses the rules in force and the holds. Empty: today."),
    )

    def __init__(self, *args, awards, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = awards
        self.fields["unit"].queryset = units
        self.fields["year"].initial = default_proposal_year()
        for field in self.fields.values():
            small = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs["class"] = small


def default_proposal_year() -> int:
    """The last full year: its ratings and titles are what a year-end proposal is judged on until
    the new year's are recorded."""
    return timezone.localdate().year - 1


def validate_xlsx(upload) -> None:
    """An .xlsx name first (one clear message), then the shared size and content checks."""
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError(
            _("Only Excel workbooks (.xlsx) can be imported. Save the file as “Excel Workbook (*.xlsx)” first."),
            code="not_xlsx",
        )
    validate_upload(upload)


class HistoryImportForm(forms.Form):
    table = forms.ChoiceField(label=_("What the file holds"), choices=())
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        validators=[validate_xlsx],
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, **kwargs):
        from commendations.excel import TABLES

        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [(key, table.label) for key, table in TABLES.items()]
