"""Forms of the council, the public comment period and the award decisions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commendations import council
from commendations.enums import Attendance
from portal.forms import VietnameseDateField

NOT_A_MEMBER = ""


class VersionForm(forms.Form):
    """A confirmation: only the version of the record the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MeetingForm(forms.Form):
    """A council meeting with one attendance choice per council member (empty: not seated)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Meeting title"), max_length=300)
    held_on = VietnameseDateField(label=_("Date of the meeting"))
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    chair = forms.CharField(label=_("Chaired by"), max_length=200, required=False)
    secretary = forms.CharField(label=_("Secretary"), max_length=200, required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        choices = [(NOT_A_MEMBER, _("Not a member of this meeting")), *Attendance.choices]
        for user in self.candidates:
            self.fields[self.member_field(user.pk)] = forms.ChoiceField(
                label=self.member_label(user), choices=choices, required=False
            )

    @staticmethod
    def member_field(user_id: int) -> str:
        return f"member_{user_id}"

    @staticmethod
    def member_label(user) -> str:
        person = getattr(user, "person", None)
        if person is not None:
            return f"{person.full_name} ({person.position})" if person.position else person.full_name
        return user.get_full_name() or user.get_username()

    @classmethod
    def initial_for(cls, meeting) -> dict:
        initial = {name: getattr(meeting, name) for name in council.MEETING_FIELDS}
        initial["version"] = meeting.version
        for member in meeting.members.all():
            initial[cls.member_field(member.user_id)] = member.attendance
        return initial

    def member_rows(self):
        return [self[self.member_field(user.pk)] for user in self.candidates]

    def clean(self):
        cleaned = super().clean()
        if not self.members():
            raise ValidationError(_("Choose the council members of the meeting: mark each as present, voted in "
                                    "writing or absent."))
        return cleaned

    def members(self) -> dict[int, str]:
        return {
            user.pk: self.cleaned_data.get(self.member_field(user.pk))
            for user in self.candidates
            if self.cleaned_data.get(self.member_field(user.pk))
        }

    def meeting_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in council.MEETING_FIELDS}


class BallotForm(forms.Form):
    """The tally of one nominee: votes in the room and written votes of absent members."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    in_favour = forms.IntegerField(label=_("In favour"), min_value=0, max_value=999)
    against = forms.IntegerField(label=_("Against"), min_value=0, max_value=999)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0, max_value=999)
    written_in_favour = forms.IntegerField(label=_("In favour, in writing"), min_value=0, max_value=999, initial=0)
    written_against = forms.IntegerField(label=_("Against, in writing"), min_value=0, max_value=999, initial=0)
    written_abstain = forms.IntegerField(label=_("Abstain, in writing"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args, present: int, written: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.present, self.written = present, written
        for name in council.TALLY_FIELDS:
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "form-control form-control-sm"})
        if not written:
            for name in ("written_in_favour", "written_against", "written_abstain"):
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in ("written_in_favour", "written_against", "written_abstain"):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0
        room = [cleaned.get(name) for name in ("in_favour", "against", "abstain")]
        if None not in room and sum(room) > self.present:
            raise ValidationError(
                _("%(room)s votes in the room, but only %(present)s members are present."),
                params={"room": sum(room), "present": self.present},
            )
        written = [cleaned.get(name) for name in ("written_in_favour", "written_against", "written_abstain")]
        if None not in written and sum(written) > self.written:
            raise ValidationError(
                _("%(count)s written votes, but only %(written)s absent members voted in writing."),
                params={"count": sum(written), "written": self.written},
            )
        return cleaned

    def numbers(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in council.TALLY_FIELDS}


class NomineeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, nominee):
        return f"{nominee.name} — {nominee.award.name} ({nominee.dossier.title})"


class DecisionForm(forms.Form):
    """The decision's number, date and signer, and the awardees chosen among the passed nominees."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.CharField(label=_("Decision number"), max_length=60, help_text=_("For example 123/QĐ-BTP."))
    signed_on = VietnameseDateField(
        label=_("Date signed"), help_text=_("Rewards use the base salary in force on this date.")
    )
    signer = forms.CharField(label=_("Signed by"), max_length=200)
    signer_title = forms.CharField(label=_("Signer's position"), max_length=200, required=False,
                                   help_text=_("For example Bộ trưởng, or KT. Bộ trưởng – Thứ trưởng."))
    nominees = NomineeChoiceField(
        label=_("Awardees"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one awardee.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominees"].queryset = candidates

    def decision_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in council.DECISION_FIELDS}


class PublicCommentForm(forms.Form):
    """Góp ý của nhân dân: who writes, how to reach them, the comment. ``website`` is a trap for
    robots (hidden from people; a filled one is refused)."""

    name = forms.CharField(label=_("Your name"), max_length=council.NAME_MAX)
    contact = forms.CharField(
        label=_("Phone or e-mail"), max_length=council.CONTACT_MAX,
        help_text=_("Only the emulation officers see it, to ask you about your comment if needed."),
    )
    body = forms.CharField(
        label=_("Your comment"), min_length=council.BODY_MIN, max_length=council.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": council.BODY_MAX}),
        error_messages={
            "min_length": _("Write at least %(limit_value)d characters (you wrote %(show_value)d)."),
            "max_length": _("Write at most %(limit_value)d characters (you wrote %(show_value)d)."),
        },
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("Leave this field empty."))
        return ""

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        digits = sum(ch.isdigit() for ch in contact)
        if "@" not in contact and digits < 8:
            raise ValidationError(_("Enter a phone number (at least 8 digits) or an e-mail address."))
        return contact
