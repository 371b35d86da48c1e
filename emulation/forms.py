"""Forms of the emulation app: campaigns, registrations (đăng ký thi đua) and the lines of a
scorecard, with the decimal field every score input uses (typed "1,75" or "1.75")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from emulation.enums import CampaignKind, NodeKind
from emulation.models import Campaign, Scheme, SchemeNode
from portal.forms import (  # noqa: F401  (re-exported: emulation code imports them from here)
    DecimalTextInput,
    VietnameseDateField,
    VietnameseDecimalField,
    decimal_text,
    normalise_decimal_text,
    trim_decimal,
)
from portal.models import EmulationCluster, Unit

# --- Campaigns and registrations --------------------------------------------------------------


class CampaignForm(forms.Form):
    """Create or edit a campaign (only while it is a draft; emulation.services checks it)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices, initial=CampaignKind.ANNUAL)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    starts_on = VietnameseDateField(label=_("Starts on"))
    ends_on = VietnameseDateField(label=_("Ends on"))
    self_scoring_deadline = VietnameseDateField(label=_("Self-scoring deadline"), required=False)
    response_days = forms.IntegerField(
        label=_("Days for the unit's response to the appraisal"), min_value=1, max_value=60, initial=5
    )
    scheme = forms.ModelChoiceField(label=_("Scoring scheme"), queryset=Scheme.objects.none())
    clusters = forms.ModelMultipleChoiceField(
        label=_("Participating clusters"),
        queryset=EmulationCluster.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every unit seated in these clusters in the campaign's year takes part."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Other participating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Units outside the clusters that also take part."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.order_by("-year", "name", "-version")
        self.fields["clusters"].queryset = EmulationCluster.objects.filter(is_active=True).order_by("code")
        self.fields["units"].queryset = Unit.objects.filter(is_active=True).order_by("path")

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        deadline = cleaned.get("self_scoring_deadline")
        if deadline and starts and deadline < starts:
            self.add_error("self_scoring_deadline", _("The self-scoring deadline cannot be before the start."))
        return cleaned

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict:
        return {
            "version": campaign.version,
            "name": campaign.name,
            "kind": campaign.kind,
            "year": campaign.year,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "self_scoring_deadline": campaign.self_scoring_deadline,
            "response_days": campaign.response_days,
            "scheme": campaign.scheme,
            "clusters": list(campaign.clusters.all()),
            "units": list(campaign.units.all()),
        }


class RegistrationForm(forms.Form):
    """Đăng ký thi đua: the title a unit aims for, and what it commits to."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    target = forms.CharField(
        label=_("Target title"), max_length=300, help_text=_("For example “Cờ thi đua của Bộ Tư pháp”.")
    )
    commitments = forms.CharField(
        label=_("Commitments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(units)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[unit.pk for unit in units]).order_by("sort_key")
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk


# --- Scorecard lines -----------------------------------------------------------------------


YES_NO_CHOICES = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
FLAG_VALUES = {"": None, "yes": True, "no": False}


def flag_choice(flag: bool | None) -> str:
    return {None: "", True: "yes", False: "no"}[flag]


def input_field_name(name: str) -> str:
    return f"in_{name}"


def entry_fields(node) -> list[tuple[str, str]]:
    """(form field name, label) of what the unit enters on a line of this kind, in order."""
    kind = node.kind
    if kind == NodeKind.MANUAL:
        return [("points", _("Points"))]
    if kind == NodeKind.YES_NO:
        return [("flag", _("Done"))]
    if kind == NodeKind.LATENESS:
        return [("value", _("Days late"))]
    if kind == NodeKind.TIERED:
        return [("value", _("Measured value"))]
    if kind == NodeKind.FORMULA:
        return [(input_field_name(name), name) for name in node.inputs or []]
    return []


class LineForm(forms.Form):
    """The unit's entry on one line, with the fields of the line's kind.

    The prefix is ``l<line id>``, so a page (or an Excel import) carries many lines at once and
    the live save sends only the changed one. Errors say what is wrong with the value typed:
    above the maximum, not a multiple of the step, not a number.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, node: SchemeNode, **kwargs):
        super().__init__(*args, **kwargs)
        self.node = node
        for name, label in entry_fields(node):
            if name == "points":
                field = VietnameseDecimalField(label=label, required=False, min_value=0, max_digits=8, decimal_places=2)
            elif name == "flag":
                field = forms.ChoiceField(label=label, required=False, choices=YES_NO_CHOICES)
            elif name == "value":
                field = VietnameseDecimalField(label=label, required=False, min_value=0, max_digits=14, decimal_places=4)
            else:  # a formula input: any sign
                field = VietnameseDecimalField(label=label, required=False, max_digits=14, decimal_places=4)
            self.fields[name] = field

    @property
    def entry_field_names(self) -> list[str]:
        return [name for name in self.fields if name not in ("version", "note")]

    def clean_points(self):
        points = self.cleaned_data.get("points")
        if points is None:
            return None
        node = self.node
        if node.max_points is not None and points > node.max_points:
            raise forms.ValidationError(
                _("At most %(max)s points on this line."), code="above_max", params={"max": decimal_text(node.max_points)}
            )
        if node.step and points % node.step != 0:
            raise forms.ValidationError(
                _("Points go in steps of %(step)s on this line (for example %(example)s); %(value)s is not one."),
                code="not_a_step",
                params={
                    "step": decimal_text(node.step),
                    "example": decimal_text(node.step * 3),
                    "value": decimal_text(points),
                },
            )
        return points

    def clean_flag(self):
        return FLAG_VALUES.get(self.cleaned_data.get("flag") or "")

    def clean_note(self):
        return (self.cleaned_data.get("note") or "").strip()

    def line_input(self):
        """The cleaned entry as emulation.services.LineInput (formula inputs as decimal text)."""
        from emulation.services import LineInput

        data = self.cleaned_data
        inputs = {
            name: decimal_text(data[input_field_name(name)], localize=False)
            for name in self.node.inputs or []
            if data.get(input_field_name(name)) is not None
        }
        return LineInput(
            version=data["version"],
            points=data.get("points"),
            flag=data.get("flag"),
            value=data.get("value"),
            inputs=inputs,
            note=data.get("note", ""),
        )


def line_initial(line) -> dict:
    """What a line's form shows for the unit's saved entry."""
    initial = {
        "version": line.version,
        "note": line.self_note,
        "points": line.self_points,
        "flag": flag_choice(line.self_flag),
        "value": line.self_value,
    }
    for name, value in (line.self_inputs or {}).items():
        try:
            initial[input_field_name(name)] = Decimal(str(value))
        except (InvalidOperation, ValueError):
            initial[input_field_name(name)] = value
    return initial


def line_form(line, data=None) -> LineForm:
    return LineForm(data, node=line.node, prefix=f"l{line.pk}", initial=line_initial(line))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def clean_file(self):
        from portal.uploads import validate_upload

        upload = self.cleaned_data["file"]
        validate_upload(upload)
        return upload


class ScorecardImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        from office.views.excel import validate_xlsx

        upload = self.cleaned_data["file"]
        validate_xlsx(upload)
        return upload
