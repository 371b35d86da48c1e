"""Forms of the dossier pages: the list's filters, a new dossier, its nominees and papers, and the
transitions (with a reason where one is needed), the appraisal of a nominee and the return form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from commendations.dossiers import EARLIEST_YEAR, LATEST_YEAR
from commendations.enums import (
    DOSSIER_DOCUMENTS,
    NOMINEE_DOCUMENTS,
    AwardKind,
    DocumentKind,
    DossierState,
    Subject,
)
from commendations.forms import default_proposal_year
from commendations.models import Award, CouncilMeeting, Nominee
from portal.models import Person, Unit
from portal.uploads import validate_upload

UPLOAD_ACCEPT = ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"


class VersionedForm(forms.Form):
    """Carries the dossier's version, to tell that someone else saved it in between."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DossierFilterForm(forms.Form):
    # No max_length: a longer query is cut by portal.text.search_terms (and the page says so).
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "")] + list(DossierState.choices))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    unit = forms.ModelChoiceField(label=_("Unit (with its sub-units)"), required=False, queryset=Unit.objects.none())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class DossierCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Proposing unit"), queryset=Unit.objects.none())
    year = forms.IntegerField(
        label=_("Year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR,
        help_text=_("The year whose achievements are proposed for commendation."),
    )
    kind = forms.ChoiceField(label=_("Kind of commendation"), choices=AwardKind.choices, initial=AwardKind.MERIT)
    title = forms.CharField(
        label=pgettext_lazy("dossier", "Title"), max_length=300, required=False,
        help_text=_("Leave empty for “Proposal for commendation [year] – [unit]”."),
    )
    from_registrations = forms.BooleanField(
        label=_("Start from the titles the unit registered for that year"), required=False,
        help_text=_("One nominee per registered target; you can remove or add nominees afterwards."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].initial = default_proposal_year()
        only = list(units[:2])
        if len(only) == 1:
            self.fields["unit"].initial = only[0]


class DossierEditForm(VersionedForm):
    title = forms.CharField(label=pgettext_lazy("dossier", "Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of commendation"), choices=AwardKind.choices)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} — {person.unit.name}"


def _report_file_field():
    return forms.FileField(
        label=_("Achievement report as a file"), required=False, validators=[validate_upload],
        help_text=_("PDF, DOCX, XLSX, PNG or JPEG. Optional when the report is typed above."),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )


class NomineeForm(VersionedForm):
    """Propose a person of the unit (or the unit, or a sub-unit, as a collective) for an award."""

    subject = forms.ChoiceField(
        label=_("Nominee"), widget=forms.RadioSelect, initial=Subject.PERSON,
        choices=[(Subject.PERSON, _("An individual")), (Subject.COLLECTIVE, _("A collective"))],
    )
    person = PersonChoiceField(label=_("Person"), required=False, queryset=Person.objects.none())
    collective = forms.ModelChoiceField(label=_("Collective"), required=False, queryset=Unit.objects.none())
    award = forms.ModelChoiceField(label=_("Award"), queryset=Award.objects.none())
    achievements = forms.CharField(
        label=_("Achievement report"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Type the report here, or attach it as a file below."),
    )
    report_file = _report_file_field()

    def __init__(self, *args, people, collectives, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["collective"].queryset = collectives
        self.fields["award"].queryset = awards

    def clean(self):
        data = super().clean()
        if data.get("subject") == Subject.PERSON and not data.get("person"):
            self.add_error("person", _("Choose the person."))
        if data.get("subject") == Subject.COLLECTIVE and not data.get("collective"):
            self.add_error("collective", _("Choose the collective."))
        return data


class NomineeEditForm(VersionedForm):
    award = forms.ModelChoiceField(label=_("Award"), queryset=Award.objects.none())
    achievements = forms.CharField(
        label=_("Achievement report"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Type the report here, or attach it as a file below."),
    )
    report_file = _report_file_field()

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = awards


class NomineeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, nominee: Nominee) -> str:
        return f"{nominee.name} — {nominee.award.name}"


class DocumentForm(VersionedForm):
    """A paper of the dossier, or of one nominee; checked by content and size."""

    nominee = NomineeChoiceField(
        label=_("For"), required=False, queryset=Nominee.objects.none(), empty_label=_("The whole dossier"),
    )
    kind = forms.ChoiceField(label=_("Kind of paper"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"), validators=[validate_upload],
        help_text=_("PDF, DOCX, XLSX, PNG or JPEG, checked by its content."),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )

    def __init__(self, *args, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = nominees

    def clean(self):
        data = super().clean()
        kind, nominee = data.get("kind"), data.get("nominee")
        if kind and nominee is not None and kind not in NOMINEE_DOCUMENTS:
            self.add_error("kind", _("This paper belongs to the whole dossier; choose “The whole dossier” above."))
        if kind and nominee is None and kind not in (*DOSSIER_DOCUMENTS, DocumentKind.OTHER):
            self.add_error("kind", _("This paper belongs to one nominee; choose the nominee above."))
        return data


class TransitionForm(VersionedForm):
    """The confirmation of a transition; a reason for sending back or rejecting, a meeting for the council."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    meeting = forms.ModelChoiceField(label=_("Council meeting"), required=False, queryset=CouncilMeeting.objects.none())

    def __init__(self, *args, action: str, needs_reason: bool, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]
        if meetings is not None:
            self.fields["meeting"].queryset = meetings
            self.fields["meeting"].required = True
        else:
            del self.fields["meeting"]


class AppraiseForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Appraisal"), widget=forms.RadioSelect,
        choices=[("accept", _("Accept: goes to the council")), ("exclude", _("Exclude: not proposed to the council"))],
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to exclude, or to accept a nominee the check found not eligible."),
    )


class ReturnForm(VersionedForm):
    """Return the whole dossier, or chosen nominees, each with its reason."""

    whole = forms.BooleanField(label=_("Return the whole dossier"), required=False)
    reason = forms.CharField(
        label=_("Reason (for the whole dossier)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the whole dossier is returned."),
    )

    def __init__(self, *args, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.nominees = list(nominees)
        for nominee in self.nominees:
            self.fields[f"return_{nominee.pk}"] = forms.BooleanField(label=nominee.name, required=False)
            self.fields[f"reason_{nominee.pk}"] = forms.CharField(
                label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rows(self):
        """(nominee, its checkbox, its reason) for the template."""
        return [(n, self[f"return_{n.pk}"], self[f"reason_{n.pk}"]) for n in self.nominees]

    def clean(self):
        data = super().clean()
        chosen = self.returns()
        if data.get("whole"):
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Give the reason for returning the dossier."))
            return data
        if not chosen:
            raise ValidationError(_("Choose the nominees to return, or return the whole dossier."))
        for pk, text in chosen.items():
            if not text.strip():
                self.add_error(f"reason_{pk}", _("Give the reason for returning this nominee."))
        return data

    def returns(self) -> dict[int, str]:
        data = self.cleaned_data
        chosen = {}
        for nominee in self.nominees:
            if data.get(f"return_{nominee.pk}"):
                chosen[nominee.pk] = data.get(f"reason_{nominee.pk}") or ""
            elif data.get("whole") and (data.get(f"reason_{nominee.pk}") or "").strip():
                chosen[nominee.pk] = data[f"reason_{nominee.pk}"]
        return chosen


class ConfirmForm(VersionedForm):
    """A deletion's confirmation."""
