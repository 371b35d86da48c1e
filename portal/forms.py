"""Forms of the organisation app, and field types every app shares (Vietnamese dates)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.formats import get_format
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


def normalise_decimal_text(text: str) -> str:
    """A number as typed by a Vietnamese or an English user, in Python's notation.

    "1,75" and "1.75" are both 1.75; with both separators the last one is the decimal mark
    ("1.234,5" and "1,234.5" are 1234.5); several dots alone group thousands ("1.234.567").
    Spaces (also non-breaking) are ignored. Anything else is left for Decimal() to refuse.
    """
    text = "".join(text.split()).replace("\u00a0", "")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text
    elif text.count(".") > 1:
        text = text.replace(".", "")
    return text


def trim_decimal(value: Decimal) -> Decimal:
    """1.50 -> 1.5 and 100.00 -> 100 (never 1E+2)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def decimal_text(value: Decimal | None, *, localize: bool = True) -> str:
    """A decimal for people: no trailing zeros, the language's decimal mark ("1,75" in Vietnamese)."""
    if value is None:
        return ""
    text = format(trim_decimal(Decimal(value)), "f")
    return text.replace(".", get_format("DECIMAL_SEPARATOR")) if localize else text


class DecimalTextInput(forms.TextInput):
    """A text box (type=number refuses the decimal comma in most browsers) for decimals."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return decimal_text(value)
        return super().format_value(value)


class VietnameseDecimalField(forms.DecimalField):
    """A decimal typed with a comma or a point: "1,75" and "1.75" are the same 1.75.

    Trailing zeros do not count against `decimal_places` ("1,50" is 1.5).
    """

    widget = DecimalTextInput
    default_error_messages = {"invalid": _("Enter a number, for example 1,75 or 1.75.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = normalise_decimal_text(value)
            if value == "":
                return None
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError) as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error
        # Scores and counts are far below 10^15; larger (1e30) would overflow the rounding below.
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return trim_decimal(number)


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
