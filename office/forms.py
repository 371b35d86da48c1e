"""Forms of the work-plan app."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from office.enums import DeadlineKind, Priority, TaskSource
from office.models import Task
from portal.forms import VietnameseDateField
from portal.models import Person, Unit
from portal.uploads import validate_upload


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlanForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=300)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].initial = timezone.localdate().year


class PlanIssueForm(VersionedForm):
    issue_number = forms.CharField(label=_("Document number"), max_length=60, help_text=_("For example 123/KH-STP"))
    issued_on = VietnameseDateField(label=_("Issue date"))
    signer = forms.CharField(label=_("Signed by"), max_length=200, required=False)


class PlanReturnForm(VersionedForm):
    reason = forms.CharField(label=_("Reason for return"), widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(VersionedForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units"), queryset=Unit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    assignees = forms.ModelMultipleChoiceField(
        label=_("Assignees"), queryset=Person.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    source = forms.ChoiceField(label=_("Source"), choices=TaskSource.choices, initial=TaskSource.OWN_PLAN)
    deadline_kind = forms.ChoiceField(label=_("Deadline kind"), choices=DeadlineKind.choices, initial=DeadlineKind.DATE)
    deadline = VietnameseDateField(
        label=_("Deadline"), required=False, help_text=_("For a month or a quarter deadline, any day in it.")
    )
    output = forms.CharField(label=_("Expected output"), max_length=300, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    parent = forms.ModelChoiceField(label=_("Parent task"), queryset=Task.objects.none(), required=False)

    def __init__(self, *args, plan, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True).order_by("path")
        self.fields["lead_unit"].queryset = units
        self.fields["cooperating_units"].queryset = units
        self.fields["assignees"].queryset = Person.objects.filter(
            is_active=True, unit__path__startswith=plan.unit.path
        ).select_related("unit").order_by("sort_key")
        parents = plan.tasks.filter(parent__isnull=True)
        if task is not None:
            parents = parents.exclude(pk=task.pk)
        self.fields["parent"].queryset = parents.order_by("code")
        if task is None:
            self.fields["version"].required = False
            self.fields["lead_unit"].initial = plan.unit

    def clean(self):
        cleaned = super().clean()
        kind, deadline = cleaned.get("deadline_kind"), cleaned.get("deadline")
        if kind and kind != DeadlineKind.NONE and deadline is None and "deadline" not in self.errors:
            self.add_error("deadline", _("Give the deadline, or choose “No deadline”."))
        if kind == DeadlineKind.NONE:
            cleaned["deadline"] = None
        lead, cooperating = cleaned.get("lead_unit"), cleaned.get("cooperating_units") or []
        if lead is not None and lead in cooperating:
            self.add_error("cooperating_units", _("The lead unit cannot also be a cooperating unit."))
        return cleaned


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Attachment"), required=False, validators=[validate_upload])


class CompleteForm(forms.Form):
    completed_on = VietnameseDateField(label=_("Completed on"))
    output_document = forms.CharField(
        label=_("Output document"), max_length=300, help_text=_("Number and title, e.g. Quyết định số 12/QĐ-BTP")
    )
    output_file = forms.FileField(label=_("Output file"), required=False, validators=[validate_upload])

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The completion date cannot be in the future."))
        return value


class AdjustmentForm(forms.Form):
    new_kind = forms.ChoiceField(label=_("New deadline kind"), choices=DeadlineKind.choices, initial=DeadlineKind.DATE)
    new_deadline = VietnameseDateField(label=_("New deadline"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        missing = cleaned.get("new_kind") not in (None, DeadlineKind.NONE) and cleaned.get("new_deadline") is None
        if missing and "new_deadline" not in self.errors:
            self.add_error("new_deadline", _("Give the new deadline."))
        return cleaned


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Required when rejecting.")
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Give the reason for rejecting the request."))
        return cleaned
