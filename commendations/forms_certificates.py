"""The calibration page's forms: the blank type (paper, printer shift, awards printed on it) and one
row per variable text (position, width, font size, alignment, weight) — checked together against
the sheet's size, so a mistake is named on the row that has it and nothing typed is lost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commendations.certificates import complete_fields
from commendations.models import (
    CERTIFICATE_FIELDS,
    FONT_SIZE_RANGE,
    PAPER_MM,
    Award,
    CertificateLayout,
    achievement_text_problem,
)
from portal.forms import VietnameseDecimalField, decimal_text

MM_LIMIT = Decimal(max(max(size) for size in PAPER_MM.values()))


def _decimal_mm(label, *, minimum=Decimal(0), maximum=MM_LIMIT) -> VietnameseDecimalField:
    return VietnameseDecimalField(
        label=label, min_value=minimum, max_value=maximum, max_digits=5, decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control form-control-sm"}),
    )


class LayoutForm(forms.Form):
    """Loại phôi: name, paper and orientation, the printer's shift, the awards printed on it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Blank type"), max_length=200)
    paper = forms.ChoiceField(label=_("Paper size"), choices=CertificateLayout.Paper.choices)
    orientation = forms.ChoiceField(label=_("Orientation"), choices=CertificateLayout.Orientation.choices)
    offset_x = VietnameseDecimalField(
        label=_("Shift everything to the right (mm)"), min_value=-50, max_value=50, max_digits=4, decimal_places=1,
        help_text=_("Negative to the left. Measure it on a test page held against a blank."),
    )
    offset_y = VietnameseDecimalField(
        label=_("Shift everything down (mm)"), min_value=-50, max_value=50, max_digits=4, decimal_places=1,
        help_text=_("Negative upwards."),
    )
    place = forms.CharField(label=_("Place before the date"), max_length=100)
    achievement_text = forms.CharField(
        label=_("Achievement line"), max_length=300,
        help_text=_("{award} is replaced by the award's name, {year} by the year of the achievements."),
    )
    awards = forms.ModelMultipleChoiceField(
        label=_("Printed for these awards"), required=False, queryset=Award.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Each award is printed on one blank type; certificates of an award without one cannot be printed."),
    )
    is_active = forms.BooleanField(
        label=_("In use"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["awards"].queryset = Award.objects.order_by("position", "code")
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            elif name not in ("awards", "is_active", "version"):
                field.widget.attrs["class"] = "form-control"

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_achievement_text(self) -> str:
        text = self.cleaned_data["achievement_text"].strip()
        problem = achievement_text_problem(text)
        if problem:
            raise forms.ValidationError(problem, code="placeholder")
        return text

    def page_mm(self) -> tuple[int, int] | None:
        paper, orientation = self.cleaned_data.get("paper"), self.cleaned_data.get("orientation")
        if paper not in PAPER_MM or orientation is None:
            return None
        return CertificateLayout(paper=paper, orientation=orientation).page_mm


class FieldRowForm(forms.Form):
    """One variable text: where its box starts (top-left, mm), how wide it is, its font."""

    key = forms.ChoiceField(choices=list(CERTIFICATE_FIELDS.items()), widget=forms.HiddenInput)
    enabled = forms.BooleanField(label=_("Print"), required=False)
    x = _decimal_mm(_("From the left (mm)"))
    y = _decimal_mm(_("From the top (mm)"))
    width = _decimal_mm(_("Width (mm)"), minimum=Decimal("1"))
    font_size = VietnameseDecimalField(
        label=_("Font size (pt)"), min_value=FONT_SIZE_RANGE[0], max_value=FONT_SIZE_RANGE[1], max_digits=4,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control form-control-sm"}),
    )
    align = forms.ChoiceField(
        label=_("Alignment"), choices=CertificateLayout.Align.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    bold = forms.BooleanField(label=_("Bold"), required=False)
    italic = forms.BooleanField(label=_("Italic"), required=False)

    @property
    def key_value(self) -> str:
        return self["key"].value() or ""

    @property
    def label(self) -> str:
        return str(CERTIFICATE_FIELDS.get(self.key_value, self.key_value))

    def field_value(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": data["key"], "x": float(data["x"]), "y": float(data["y"]), "width": float(data["width"]),
            "font_size": float(data["font_size"]), "align": data["align"], "bold": data["bold"],
            "italic": data["italic"], "enabled": data["enabled"],
        }


class BaseFieldRowFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        keys = [form.cleaned_data.get("key") for form in self.forms if hasattr(form, "cleaned_data")]
        if sorted(key for key in keys if key) != sorted(CERTIFICATE_FIELDS):
            raise forms.ValidationError(_("The list of fields is incomplete; reload the page."), code="fields")


FieldRowFormSet = forms.formset_factory(
    FieldRowForm, formset=BaseFieldRowFormSet, extra=0, min_num=len(CERTIFICATE_FIELDS), max_num=len(CERTIFICATE_FIELDS),
    validate_min=True, validate_max=True,
)
FIELDS_PREFIX = "f"


def _number(value) -> Decimal:
    return Decimal(str(value))


class LayoutEditor:
    """The layout form and its field rows, validated together: each row also against the sheet
    ("the box ends 12 mm beyond the right edge" is said on its row)."""

    def __init__(self, data=None, *, layout: CertificateLayout | None = None):
        self.layout = layout
        if data is None:
            source = layout or CertificateLayout(fields=[])
            initial = {
                "version": source.version if layout is not None else None,
                "name": source.name, "paper": source.paper, "orientation": source.orientation,
                "offset_x": _number(source.offset_x), "offset_y": _number(source.offset_y), "place": source.place,
                "achievement_text": source.achievement_text, "is_active": source.is_active,
                "awards": list(layout.award_links.values_list("award_id", flat=True)) if layout is not None else [],
            }
            fields = complete_fields(source.fields)
            self.form = LayoutForm(initial=initial)
            self.rows = FieldRowFormSet(
                prefix=FIELDS_PREFIX,
                initial=[{**field, **{name: _number(field[name]) for name in ("x", "y", "width", "font_size")}}
                         for field in fields],
            )
        else:
            self.form = LayoutForm(data)
            self.rows = FieldRowFormSet(data, prefix=FIELDS_PREFIX)

    def with_fields(self, fields) -> LayoutEditor:
        """Start the rows from these positions (a new blank type)."""
        self.rows = FieldRowFormSet(
            prefix=FIELDS_PREFIX,
            initial=[{**field, **{name: _number(field[name]) for name in ("x", "y", "width", "font_size")}}
                     for field in complete_fields(fields)],
        )
        return self

    def is_valid(self) -> bool:
        valid = self._is_valid()
        for form in (self.form, *self.rows.forms):
            for name in form.errors:
                if name in form.fields:
                    widget = form.fields[name].widget
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        return valid

    def _is_valid(self) -> bool:
        valid = self.form.is_valid()
        valid = self.rows.is_valid() and valid
        if not valid:
            return False
        width, height = self.form.page_mm()
        for row in self.rows.forms:
            data = row.cleaned_data
            if not data.get("enabled"):
                continue
            if data["x"] >= width:
                row.add_error("x", _("The sheet is only %(size)s mm wide.") % {"size": width})
            elif data["x"] + data["width"] > width:
                row.add_error("width", _("The box ends %(beyond)s mm beyond the right edge; at most %(most)s mm here.")
                              % {"beyond": decimal_text(data["x"] + data["width"] - width),
                                 "most": decimal_text(width - data["x"])})
            if data["y"] >= height:
                row.add_error("y", _("The sheet is only %(size)s mm high.") % {"size": height})
        return not any(row.errors for row in self.rows.forms)

    def fields_value(self) -> list[dict[str, Any]]:
        return [row.field_value() for row in self.rows.forms]

    def layout_data(self) -> dict[str, Any]:
        data = self.form.cleaned_data
        return {name: data[name] for name in ("name", "paper", "orientation", "offset_x", "offset_y", "place",
                                               "achievement_text", "is_active")}

    def award_ids(self) -> list[int]:
        return [award.pk for award in self.form.cleaned_data["awards"]]

    def unsaved_layout(self) -> CertificateLayout:
        """The typed values as a layout, for a test print before saving."""
        layout = CertificateLayout(pk=self.layout.pk if self.layout else None, **self.layout_data())
        layout.fields = self.fields_value()
        return layout

    @property
    def version(self) -> int | None:
        return self.form.cleaned_data.get("version") if hasattr(self.form, "cleaned_data") else None
