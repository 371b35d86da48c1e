"""Appraisal pages (thẩm định): the officer's line-by-line table, sending it to the unit, the unit's
response (giải trình) and the final appraisal. Lines save one at a time (htmx when available)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from emulation import services
from emulation.enums import NodeKind, ScorecardState
from emulation.forms import VietnameseDecimalField, decimal_text
from emulation.models import Scorecard, ScoreLine
from emulation.selectors import scorecards_visible_to
from emulation.selectors_results import (
    appraisal_changes,
    entry_text,
    scorecard_row,
    scored_table,
)
from portal.audit import actor_name
from portal.services import StaleVersionError

ACCEPT, CHANGE = "accept", "change"


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _visible_scorecard(request, pk) -> Scorecard:
    return get_object_or_404(scorecards_visible_to(request.user).select_related("campaign__scheme", "unit"), pk=pk)


def _visible_line(request, pk) -> ScoreLine:
    return get_object_or_404(
        ScoreLine.objects.filter(scorecard__in=scorecards_visible_to(request.user)).select_related(
            "node", "scorecard__campaign__scheme", "scorecard__unit"
        ),
        pk=pk,
    )


# --- Forms -----------------------------------------------------------------------------------------


class AppraisalLineForm(forms.Form):
    """One line's appraisal: accept the unit's entry, or an entry of the line's kind and a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[(ACCEPT, gettext_lazy("Accept")), (CHANGE, gettext_lazy("Change"))])
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), required=False, max_length=2000)

    def __init__(self, *args, line: ScoreLine, **kwargs):
        kwargs.setdefault("prefix", f"l{line.pk}")
        super().__init__(*args, **kwargs)
        self.line = line
        node = line.node
        kind = node.kind
        if kind == NodeKind.MANUAL:
            self.fields["points"] = VietnameseDecimalField(
                label=gettext_lazy("Points"), required=False, max_digits=8, decimal_places=2, min_value=0
            )
        elif kind == NodeKind.YES_NO:
            self.fields["flag"] = forms.TypedChoiceField(
                label=gettext_lazy("Met"),
                required=False,
                choices=[("", "—"), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
                coerce=lambda value: value == "yes",
                empty_value=None,
            )
        elif kind in (NodeKind.TIERED, NodeKind.LATENESS):
            label = gettext_lazy("Days late") if kind == NodeKind.LATENESS else gettext_lazy("Measured value")
            self.fields["value"] = VietnameseDecimalField(label=label, required=False, max_digits=14, decimal_places=4)
        elif kind == NodeKind.FORMULA:
            for name in node.inputs or []:
                self.fields[f"input_{name}"] = VietnameseDecimalField(label=name, required=False, max_digits=14, decimal_places=4)
        self.entry_fields = [name for name in self.fields if name not in ("version", "decision", "reason")]

    @property
    def entry_bound_fields(self):
        return [self[name] for name in self.entry_fields]

    @classmethod
    def for_line(cls, line: ScoreLine) -> AppraisalLineForm:
        """The unbound form, showing the appraised entry (the unit's while the line is unchanged)."""
        appraised = line.appraised
        points, flag, value, inputs = (
            (line.appr_points, line.appr_flag, line.appr_value, line.appr_inputs)
            if appraised
            else (line.self_points, line.self_flag, line.self_value, line.self_inputs)
        )
        initial = {
            "version": line.version,
            "reason": line.appraisal_reason,
            "points": decimal_text(points),
            "flag": "" if flag is None else ("yes" if flag else "no"),
            "value": decimal_text(value),
        }
        for name, raw in (inputs or {}).items():
            initial[f"input_{name}"] = "" if raw in (None, "") else decimal_text(Decimal(str(raw)))
        return cls(line=line, initial=initial)

    def clean_points(self):
        points, node = self.cleaned_data.get("points"), self.line.node
        if points is None:
            return None
        if node.max_points is not None and points > node.max_points:
            raise forms.ValidationError(_("At most %(max)s points on this line.") % {"max": decimal_text(node.max_points)})
        if node.step and points % node.step != 0:
            raise forms.ValidationError(
                _("Points go in steps of %(step)s on this line; %(value)s is not one.")
                % {"step": decimal_text(node.step), "value": decimal_text(points)}
            )
        return points

    def clean(self):
        data = super().clean()
        if data.get("decision") == ACCEPT:
            for name in self.entry_fields:  # what is typed in the entry does not matter when accepting
                self._errors.pop(name, None)
        if data.get("decision") == CHANGE:
            for name in self.entry_fields:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Enter the appraised entry, or accept the unit's entry."))
        return data

    def line_input(self) -> services.LineInput:
        """What the service saves: the unit's own entry when accepting, else the typed entry."""
        line, data = self.line, self.cleaned_data
        if data["decision"] == ACCEPT:
            return services.LineInput(
                version=data["version"], points=line.self_points, flag=line.self_flag, value=line.self_value,
                inputs=dict(line.self_inputs or {}),
            )
        inputs = {
            name[len("input_"):]: decimal_text(data[name], localize=False)
            for name in self.entry_fields
            if name.startswith("input_") and data.get(name) is not None
        }
        return services.LineInput(
            version=data["version"],
            points=data.get("points"),
            flag=data.get("flag"),
            value=data.get("value"),
            inputs=inputs or None,
        )

    def reason_text(self) -> str:
        return "" if self.cleaned_data["decision"] == ACCEPT else self.cleaned_data.get("reason", "")


class ResponseForm(forms.Form):
    response = forms.CharField(label=gettext_lazy("Your explanation"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


# --- The officer's page -------------------------------------------------------------------------


def _appraise_context(request, scorecard: Scorecard, *, bound: dict | None = None) -> dict:
    """The table with a form per line; `bound` replaces the forms of some lines (typed input kept)."""
    table = scored_table(scorecard)
    bound = bound or {}
    for row in table.lines:
        row.form, row.conflict = bound.get(row.line.pk, (None, None))
        if row.form is None:
            row.form = AppraisalLineForm.for_line(row.line)
        row.action_url = reverse("emulation:line_appraise", args=[row.line.pk])
    return {
        "scorecard": scorecard,
        "campaign": scorecard.campaign,
        "table": table,
        "can_appraise": request.user.has_perm("emulation.appraise_scorecard", scorecard),
        "can_send": scorecard.state == ScorecardState.SUBMITTED,
        "can_finalise": request.user.has_perm("emulation.finalise_scorecard", scorecard),
    }


class ScorecardAppraiseView(LoginRequiredMixin, View):
    """Thẩm định: every line with the unit's entry, self score, evidence and note, and the officer's
    accept-or-change form; totals and grade as appraised so far."""

    template_name = "emulation/appraisal/appraise.html"

    def get(self, request, pk):
        scorecard = _visible_scorecard(request, pk)
        _require(request.user, "emulation.appraise_scorecard", scorecard)
        return render(request, self.template_name, _appraise_context(request, scorecard))


class Conflict:
    """Someone saved the line first: their entry as saved now, and what this officer typed."""

    def __init__(self, current: ScoreLine, form: AppraisalLineForm):
        node = current.node
        self.by = actor_name(current.appraised_by) if current.appraised_by_id else ""
        self.at = current.appraised_at
        if current.appraised:
            self.theirs = entry_text(node, current.appr_points, current.appr_flag, current.appr_value, current.appr_inputs)
        else:
            self.theirs = entry_text(node, current.self_points, current.self_flag, current.self_value, current.self_inputs)
        self.accepted = current.appraised_at is not None and not current.appraised
        self.their_reason = current.appraisal_reason
        data = form.cleaned_data  # the form that was valid when the service refused the stale version
        if data["decision"] == ACCEPT:
            self.yours, self.your_reason = _("accept the unit's entry"), ""
        else:
            typed = form.line_input()
            self.yours = entry_text(node, typed.points, typed.flag, typed.value, typed.inputs)
            self.your_reason = data.get("reason", "")


class LineAppraiseView(LoginRequiredMixin, View):
    """Save one line's appraisal (POST). htmx gets the row back; a plain form gets the page."""

    def post(self, request, pk):
        line = _visible_line(request, pk)
        scorecard = line.scorecard
        _require(request.user, "emulation.appraise_scorecard", scorecard)
        form = AppraisalLineForm(request.POST, line=line)
        conflict = None
        status = 400
        if form.is_valid():
            try:
                services.appraisal_save_line(
                    actor=request.user, line_id=line.pk, version=form.cleaned_data["version"],
                    entry=form.line_input(), reason=form.reason_text(),
                )
            except StaleVersionError:
                current = ScoreLine.objects.select_related("node", "appraised_by__person").get(pk=line.pk)
                conflict = Conflict(current, form)
                data = request.POST.copy()
                data[form.add_prefix("version")] = current.version
                form = AppraisalLineForm(data, line=current)
                form.is_valid()
                status = 409
            except services.EmulationError as error:
                reason_missing = form.cleaned_data["decision"] == CHANGE and not form.cleaned_data.get("reason", "").strip()
                form.add_error("reason" if reason_missing else None, str(error))
            else:
                code = line.node.code or line.node.key
                if form.cleaned_data["decision"] == ACCEPT:
                    text = _("Line %(line)s: the unit's entry was accepted.") % {"line": code}
                else:
                    text = _("Line %(line)s was saved.") % {"line": code}
                if _is_htmx(request):
                    return self._row(request, scorecard, line.pk, notice=text)
                messages.success(request, text)
                return redirect(f"{reverse('emulation:scorecard_appraise', args=[scorecard.pk])}#line-{line.pk}")
        if _is_htmx(request):
            # htmx swaps only 2xx answers: the row comes back with its errors or the conflict.
            return self._row(request, scorecard, line.pk, form=form, conflict=conflict)
        messages.error(
            request,
            _("Someone else saved line %(line)s while you were working on it; both values are shown below.")
            % {"line": line.node.code or line.node.key}
            if conflict
            else _("Line %(line)s was not saved: see the message on the line.") % {"line": line.node.code or line.node.key},
        )
        context = _appraise_context(request, scorecard, bound={line.pk: (form, conflict)})
        return render(request, ScorecardAppraiseView.template_name, context, status=status)

    def _row(self, request, scorecard, line_id, *, form=None, conflict=None, notice=""):
        table, row = scorecard_row(scorecard, line_id)
        row.form = form or AppraisalLineForm.for_line(row.line)
        row.action_url = reverse("emulation:line_appraise", args=[line_id])
        row.conflict = conflict
        context = {
            "scorecard": scorecard,
            "table": table,
            "row": row,
            "can_appraise": True,
            "notice": notice,
            "oob_totals": True,
        }
        return render(request, "emulation/partials/appraisal_line.html", context)


class ScorecardSendAppraisalView(LoginRequiredMixin, View):
    """Send the appraisal to the unit, which may then respond until the deadline."""

    def post(self, request, pk):
        scorecard = _visible_scorecard(request, pk)
        _require(request.user, "emulation.appraise_scorecard", scorecard)
        try:
            services.scorecard_send_appraisal(
                actor=request.user, scorecard_id=scorecard.pk, version=_posted_version(request)
            )
        except StaleVersionError:
            messages.error(request, _("The scorecard changed while you were working on it. Check it and send it again."))
        except services.EmulationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The appraisal was sent to %(unit)s.") % {"unit": scorecard.unit.name})
        return redirect("emulation:scorecard_appraise", pk=scorecard.pk)


def _posted_version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


class ScorecardFinaliseView(LoginRequiredMixin, View):
    """Chốt kết quả thẩm định: a confirmation page with the totals and the unit's responses, then
    the final appraisal (appraised total and grade are stored)."""

    template_name = "emulation/appraisal/finalise.html"

    def _scorecard(self, request, pk):
        scorecard = _visible_scorecard(request, pk)
        _require(request.user, "emulation.finalise_scorecard", scorecard)
        return scorecard

    def get(self, request, pk):
        scorecard = self._scorecard(request, pk)
        return render(request, self.template_name, {"scorecard": scorecard, "table": scored_table(scorecard)})

    def post(self, request, pk):
        scorecard = self._scorecard(request, pk)
        try:
            services.scorecard_finalise(actor=request.user, scorecard_id=scorecard.pk, version=_posted_version(request))
        except StaleVersionError:
            messages.error(request, _("The scorecard changed while you were looking at it (a line or a response). Check it and confirm again."))
            return redirect("emulation:scorecard_finalise", pk=scorecard.pk)
        except services.EmulationError as error:
            messages.error(request, str(error))
            return redirect("emulation:scorecard_finalise", pk=scorecard.pk)
        messages.success(request, _("The appraisal of %(unit)s is final.") % {"unit": scorecard.unit.name})
        return redirect("emulation:result_detail", pk=scorecard.pk)


# --- The unit's response ----------------------------------------------------------------------------


class ScorecardRespondView(LoginRequiredMixin, View):
    """Giải trình: the unit reads the changed lines with their reasons and explains itself, line by
    line (each line posts to emulation:line_respond), until the response deadline."""

    template_name = "emulation/appraisal/respond.html"

    def get(self, request, pk):
        scorecard = _visible_scorecard(request, pk)
        _require(request.user, "emulation.respond_scorecard", scorecard)
        return render_respond_page(request, scorecard)


def render_respond_page(request, scorecard, *, line_id=None, error="", typed="", status=200):
    changes = appraisal_changes(scorecard=scorecard, user=request.user)
    if changes is not None and line_id is not None:
        for row in changes.rows:
            if row.line.pk == line_id:
                row.error, row.typed = error, typed
    return render(request, ScorecardRespondView.template_name, {"scorecard": scorecard, "changes": changes}, status=status)


class LineRespondView(LoginRequiredMixin, View):
    """The unit's explanation of one changed line (POST). htmx gets the line back; a plain form goes
    back to where it came from (`next`: the scorecard page or the response page)."""

    def post(self, request, pk):
        line = _visible_line(request, pk)
        scorecard = line.scorecard
        _require(request.user, "emulation.respond_scorecard", scorecard)
        form = ResponseForm(request.POST, prefix=f"r{line.pk}")
        typed = request.POST.get(form.add_prefix("response"), "")
        error = ""
        if form.is_valid():
            try:
                services.scorecard_respond(actor=request.user, line_id=line.pk, response=form.cleaned_data["response"])
            except services.EmulationError as refused:
                error = str(refused)
        else:
            error = "; ".join(form.errors.get("response", [])) or _("Write the explanation.")
        if _is_htmx(request):
            changes = appraisal_changes(scorecard=scorecard, user=request.user)
            row = next((row for row in changes.rows if row.line.pk == line.pk), None) if changes else None
            if row is not None:
                row.error, row.typed = error, typed if error else ""
                row.notice = "" if error else _("Your explanation was sent.")
            return render(request, "emulation/partials/appraisal_change.html", {"changes": changes, "row": row, "next_url": request.POST.get("next", "")})
        if error:
            messages.error(request, error)
            return render_respond_page(request, scorecard, line_id=line.pk, error=error, typed=typed, status=400)
        messages.success(request, _("Your explanation was sent."))
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return redirect(target)
        return redirect("emulation:scorecard_respond", pk=scorecard.pk)
