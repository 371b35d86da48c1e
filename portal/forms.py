"""Forms of the organisation app, and field types every app shares (Vietnamese dates)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Person

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class VietnameseDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (ISO also accepted), shown back the same way."""

    widget = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
    default_error_messages = {"invalid": _("Enter a date as dd/mm/yyyy, for example 15/12/2025.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)


class PersonForm(forms.ModelForm):
    """Edit a person's record; `version` detects that someone else saved in between."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    date_of_birth = VietnameseDateField(label=_("date of birth"), required=False)

    class Meta:
        model = Person
        fields = ["full_name", "gender", "date_of_birth", "position", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name.split(" ")) < 2:
            raise forms.ValidationError(_("Enter the full name: family name, (middle name) and given name."))
        return name
