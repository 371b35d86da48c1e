"""Scorecard pages (phiếu chấm điểm): the whole table as printed with the unit's self-scores, saved
live line by line (htmx) or as a whole form, evidence per line, the leader's submission, and the
offline round-trip through Excel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from emulation import explain, selectors, services
from emulation.enums import GROUP_KINDS, SHOWN_APPRAISAL_STATES, NodeKind, Side
from emulation.forms import (
    YES_NO_CHOICES,
    EvidenceForm,
    LineForm,
    ScorecardImportForm,
    decimal_text,
    entry_fields,
    line_form,
    line_initial,
)
from emulation.models import Evidence, ScoreLine
from emulation.schemes import ROOT_KEY, frozen_engine_scheme, scheme_cache_key
from emulation.views.campaigns import require, run_service
from portal.params import parse_int

_VERSION_FIELD = re.compile(r"^l([0-9]{1,9})-version$")


def visible_scorecard(request, pk):
    """The scorecard if the user may see it (own unit, or a ministry-wide role), else 404."""
    return get_object_or_404(
        selectors.scorecards_visible_to(request.user).select_related("campaign__scheme", "unit"), pk=pk
    )


# --- What a row shows ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """A node's computed score and why, for one side (self or appraised)."""

    score: Decimal | None
    max_points: Decimal | None
    sentences: list[str]
    error: bool = False

    # Scores stay below a thousand: decimal_text (no grouping) is several times cheaper than
    # explain.number, which counts on a 300-line page.
    @property
    def score_text(self) -> str:
        return decimal_text(self.score) if self.score is not None else ""

    @property
    def max_text(self) -> str:
        return decimal_text(self.max_points) if self.max_points is not None else ""


def outcome_of(result, node) -> Outcome:
    node_result = result.nodes.get(node.key) if result is not None else None
    if node_result is None:
        return Outcome(score=None, max_points=node.max_points, sentences=[])
    steps = node_result.trace
    if node.kind in GROUP_KINDS:
        # A section explains itself only when a cap or a floor changed its sum.
        steps = [step for step in steps if step.code in ("capped", "floored", "deduction", "out_of_range")]
    return Outcome(
        score=node_result.score,
        max_points=node_result.max_points,
        sentences=explain.trace_sentences(steps),
        error=node_result.error,
    )


@dataclass
class InputView:
    html_name: str
    label: str
    value: str
    kind: str  # "decimal" | "select"
    choices: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class RowView:
    row: selectors.TableRow
    outcome: Outcome
    appraised: Outcome | None = None
    inputs: list[InputView] = field(default_factory=list)
    note: str = ""
    version: str = ""
    errors: list[str] = field(default_factory=list)
    conflict: dict | None = None
    entry_text: str = ""
    param_names: str = ""
    rule: str = ""
    metric_text: str = ""
    evidence_url: str = ""
    aria_label: str = ""

    @property
    def max_text(self) -> str:
        return decimal_text(self.node.max_points) if self.node.max_points is not None else ""

    @property
    def has_feedback(self) -> bool:
        return bool(self.errors or self.conflict or any(item.errors for item in self.inputs))

    @property
    def labelled(self) -> bool:
        """Inputs get a visible label when the line has several or one measured value."""
        return len(self.inputs) > 1 or self.node.kind in (NodeKind.TIERED, NodeKind.LATENESS)

    @property
    def indent(self) -> int:
        """Bootstrap's padding classes go up to ps-5."""
        return min(self.row.depth + 1, 5)

    @property
    def node(self):
        return self.row.node

    @property
    def line(self):
        return self.row.line

    @cached_property
    def evidence(self) -> list:
        return list(self.line.evidence.all()) if self.line is not None else []

    @cached_property
    def needs_evidence(self) -> bool:
        return self.line is not None and (self.node.requires_evidence or self.node.gate == "evidence")

    @cached_property
    def missing_evidence(self) -> bool:
        return self.needs_evidence and not self.evidence

    @cached_property
    def blocks_submission(self) -> bool:
        """The line requires evidence and has none (an evidence gate only withholds points)."""
        return self.line is not None and self.node.requires_evidence and not self.evidence


def _input_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def entry_text(line: ScoreLine, side: str = Side.SELF) -> str:
    """The entry of a line as the unit typed it (or the appraisal changed it), for reading."""
    prefix = "appr" if side == Side.APPRAISED and line.appraised else "self"
    kind = line.node.kind
    points, flag, value = (getattr(line, f"{prefix}_{name}") for name in ("points", "flag", "value"))
    inputs = getattr(line, f"{prefix}_inputs") or {}
    if kind == NodeKind.MANUAL:
        return decimal_text(points)
    if kind == NodeKind.YES_NO:
        return {None: "", True: _("Yes"), False: _("No")}[flag]
    if kind == NodeKind.TIERED:
        return decimal_text(value)
    if kind == NodeKind.LATENESS:
        return "" if value is None else _("%(days)s days late") % {"days": decimal_text(value)}
    if kind == NodeKind.FORMULA:
        return "; ".join(
            f"{name} = {decimal_text(Decimal(str(inputs[name])))}" for name in line.node.inputs or [] if name in inputs
        )
    return ""


def _saved_row(view: RowView) -> None:
    """Inputs showing what is saved: the page's usual case, without building 300 forms."""
    line = view.line
    prefix = f"l{line.pk}"
    initial = line_initial(line)
    for name, label in entry_fields(line.node):
        is_select = name == "flag"
        view.inputs.append(
            InputView(
                html_name=f"{prefix}-{name}",
                label=str(label),
                value=initial.get(name) or "" if is_select else _input_value(initial.get(name)),
                kind="select" if is_select else "decimal",
                choices=_yes_no_choices() if is_select else [],
            )
        )
    view.note = line.self_note
    view.version = str(line.version)
    names = [item.html_name for item in view.inputs] + [f"{prefix}-note", f"{prefix}-version"]
    view.param_names = ",".join(["csrfmiddlewaretoken", *names])


def _yes_no_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in YES_NO_CHOICES]


def _editable_row(view: RowView, form: LineForm) -> None:
    line = view.line
    names = []
    for name in form.entry_field_names:
        bound = form[name]
        field_ = form.fields[name]
        is_select = name == "flag"
        view.inputs.append(
            InputView(
                html_name=bound.html_name,
                label=str(field_.label),
                value=_input_value(bound.value()) if not is_select else (bound.value() or ""),
                kind="select" if is_select else "decimal",
                choices=_yes_no_choices() if is_select else [],
                errors=list(form.errors.get(name, [])) if form.is_bound else [],
            )
        )
        names.append(bound.html_name)
    view.note = form["note"].value() or ""
    view.version = str(form["version"].value() or line.version)
    if form.is_bound:
        view.errors += list(form.errors.get("note", [])) + list(form.errors.get("version", []))
    names += [form["note"].html_name, form["version"].html_name]
    view.param_names = ",".join(["csrfmiddlewaretoken", *names])


def rule_summaries(scorecard, rows) -> dict[int, str]:
    """node id → its rule in words, for the lines of the table; kept in the shared cache per frozen
    scheme and language (the words of 300 lines are the same on every page of the campaign)."""
    key = scheme_cache_key(scorecard.campaign.scheme)
    cache_key = f"emulation.rule_summaries:{key}:{get_language()}" if key else None
    found = cache.get(cache_key) if cache_key else None
    if found is None:
        found = {row.node.pk: explain.rule_summary(row.node) for row in rows if row.line is not None}
        if cache_key:
            cache.set(cache_key, found, 24 * 3600)
    return found


def build_rows(
    scorecard, rows, result, *, appraised=None, editable=False, data=None, posted=(), conflicts=None, metrics=None
) -> list[RowView]:
    """The rows of the page: outcomes for every node, inputs for every line when editable
    (bound to `data` for the posted lines, so typed values and errors come back)."""
    conflicts = conflicts or {}
    views = []
    # One reverse() for the whole table: a 300-line page would otherwise spend real time on it.
    evidence_url = reverse("emulation:line_evidence", args=[999_999_999]).replace("999999999", "{}")
    line_word = _("Line")
    rules = rule_summaries(scorecard, rows)
    for row in rows:
        view = RowView(row=row, outcome=outcome_of(result, row.node))
        if row.node.kind == NodeKind.AUTO:
            value = (metrics or {}).get(row.node.measure)
            view.metric_text = f"{explain.metric_label(row.node.measure)}: {explain.number(value)}"
        if appraised is not None:
            view.appraised = outcome_of(appraised, row.node)
        if row.line is not None:
            view.rule = rules[row.node.pk] if row.node.pk in rules else explain.rule_summary(row.node)
            view.evidence_url = evidence_url.format(row.line.pk)
            view.aria_label = f"{line_word} {row.label}"
            view.entry_text = entry_text(row.line)
            if not view.entry_text and row.node.kind != NodeKind.AUTO:
                view.outcome.error = False  # nothing entered yet is not a mistake
            if editable and row.line.pk in posted:
                _editable_row(view, line_form(row.line, data))
            elif editable:
                _saved_row(view)
            view.conflict = conflicts.get(row.line.pk)
        views.append(view)
    return views


def _totals(result) -> dict:
    root = result.nodes.get(ROOT_KEY)
    maximum = root.max_points if root else None
    return {
        "total": result.total,
        "total_text": explain.number(result.total),
        "max": maximum,
        "max_text": explain.number(maximum) if maximum is not None else "",
        "grade": result.grade,
    }


def scorecard_context(request, scorecard, *, rows=None, data=None, posted=(), conflicts=None) -> dict:
    user = request.user
    rows = rows if rows is not None else selectors.scorecard_table(scorecard)
    metrics = selectors.unit_metrics(scorecard, rows)
    scheme = frozen_engine_scheme(scorecard.campaign.scheme)
    result = selectors.scorecard_result(scorecard, rows, Side.SELF, scheme=scheme, metrics=metrics)
    show_appraisal = scorecard.state in SHOWN_APPRAISAL_STATES
    appraised = (
        selectors.scorecard_result(scorecard, rows, Side.APPRAISED, scheme=scheme, metrics=metrics)
        if show_appraisal
        else None
    )
    can_edit = user.has_perm("emulation.edit_scorecard", scorecard)
    views = build_rows(
        scorecard, rows, result, appraised=appraised, editable=can_edit, data=data, posted=posted,
        conflicts=conflicts, metrics=metrics,
    )
    grade_labels = {grade.key: grade.label for grade in scheme.grades}
    return {
        "scorecard": scorecard,
        "campaign": scorecard.campaign,
        "rows": views,
        "totals": _totals(result),
        "appraised_totals": _totals(appraised) if appraised is not None else None,
        "grade_label": grade_labels.get(result.grade or "", ""),
        "metrics": metrics,
        "can_edit": can_edit,
        "can_submit": user.has_perm("emulation.submit_scorecard", scorecard),
        "can_appraise": user.has_perm("emulation.appraise_scorecard", scorecard),
        "can_respond": user.has_perm("emulation.respond_scorecard", scorecard),
        "save_url": reverse("emulation:scorecard_save", args=[scorecard.pk]),
        "show_appraisal": show_appraisal,
        "missing": [view for view in views if view.blocks_submission],
    }


class ScorecardDetailView(LoginRequiredMixin, View):
    """Bảng tự chấm điểm: the table as printed, editable by the unit while self-scoring is open."""

    template_name = "emulation/scorecard/detail.html"

    def get(self, request, pk):
        scorecard = visible_scorecard(request, pk)
        return render(request, self.template_name, scorecard_context(request, scorecard))


# --- Saving ------------------------------------------------------------------------------------


def posted_line_ids(data, lines: dict[int, ScoreLine]) -> list[int]:
    """Lines of this scorecard the request carries (by their version field)."""
    ids = []
    for key in data:
        match = _VERSION_FIELD.match(key)
        if match and int(match.group(1)) in lines:
            ids.append(int(match.group(1)))
    return ids


def _conflict_message(conflicts: dict[int, dict]) -> str:
    parts = [
        _("%(line)s (saved: %(theirs)s; yours: %(yours)s)")
        % {"line": item["code"], "theirs": item["theirs"] or "—", "yours": item["yours"] or "—"}
        for item in conflicts.values()
    ]
    return _(
        "Someone else saved these lines while you were typing: %(lines)s. Your values are kept in the "
        "fields but were not saved; save again to replace the saved ones."
    ) % {"lines": "; ".join(parts)}


def _typed_text(form: LineForm) -> str:
    """What the user typed on a line, as a reader sees it (for the conflict message)."""
    entry = form.line_input()
    stand_in = ScoreLine(
        node=form.node,
        self_points=entry.points,
        self_flag=entry.flag,
        self_value=entry.value,
        self_inputs=entry.inputs,
    )
    return entry_text(stand_in)


class ScorecardSaveView(LoginRequiredMixin, View):
    """POST the changed line(s) (htmx: one row; without JS: the whole form).

    Valid lines are saved through emulation.services.scorecard_save_self; a line with a mistake
    is not saved and says why; a line someone else saved in between is a conflict showing both
    values. htmx gets the recomputed scores of every node (out-of-band swaps) and never loses
    what was typed; the full form comes back with the typed values on any problem.
    """

    def post(self, request, pk):
        scorecard = visible_scorecard(request, pk)
        require(request.user, "emulation.edit_scorecard", scorecard)
        rows = selectors.scorecard_table(scorecard)
        lines = {row.line.pk: row.line for row in rows if row.line is not None}
        posted = posted_line_ids(request.POST, lines)
        forms = {line_id: line_form(lines[line_id], request.POST) for line_id in posted}
        entries = {line_id: form.line_input() for line_id, form in forms.items() if form.is_valid()}
        invalid = [line_id for line_id, form in forms.items() if not form.is_valid()]
        conflicted = []
        if entries:
            _card, conflicted = services.scorecard_save_self(
                actor=request.user, scorecard_id=scorecard.pk, entries=entries
            )
        scorecard.refresh_from_db(fields=["self_total", "version", "state"])
        table = selectors.scorecard_table(scorecard)
        fresh_rows = [row for row in table if row.line is not None]
        fresh = {row.line.pk: row.line for row in fresh_rows}
        labels = {row.line.pk: row.label for row in fresh_rows}
        conflicts = {
            line.pk: {
                "code": labels[line.pk],
                "theirs": entry_text(fresh[line.pk]),
                "yours": _typed_text(forms[line.pk]),
            }
            for line in conflicted
        }
        # Saved and conflicting lines carry the version now stored; lines with mistakes keep theirs.
        data = request.POST.copy()
        for line_id in posted:
            if line_id not in invalid:
                data[f"l{line_id}-version"] = str(fresh[line_id].version)
        saved = [line_id for line_id in entries if line_id not in conflicts]
        if request.headers.get("HX-Request"):
            return self.partial(request, scorecard, table, data, posted, conflicts, invalid, saved)
        if invalid or conflicts:
            if conflicts:
                messages.error(request, _conflict_message(conflicts))
            if invalid:
                codes = ", ".join(labels[line_id] for line_id in invalid)
                messages.error(
                    request, _("These lines have mistakes and were not saved: %(lines)s.") % {"lines": codes}
                )
            context = scorecard_context(
                request, scorecard, rows=table, data=data, posted=set(posted), conflicts=conflicts
            )
            return render(request, ScorecardDetailView.template_name, context, status=400)
        messages.success(
            request,
            _("The scores were saved. Self-scored total: %(total)s.") % {"total": explain.number(scorecard.self_total)},
        )
        return redirect("emulation:scorecard_detail", pk=scorecard.pk)

    def partial(self, request, scorecard, table, data, posted, conflicts, invalid, saved):
        context = scorecard_context(request, scorecard, rows=table, data=data, posted=set(posted), conflicts=conflicts)
        posted_set = set(posted)
        context.update(
            posted_rows=[view for view in context["rows"] if view.line is not None and view.line.pk in posted_set],
            conflict_message=_conflict_message(conflicts) if conflicts else "",
            invalid_count=len(invalid),
            saved_count=len(saved),
        )
        return render(request, "emulation/partials/scorecard_saved.html", context)


# --- Evidence ----------------------------------------------------------------------------------


def visible_line(request, pk) -> ScoreLine:
    return get_object_or_404(
        ScoreLine.objects.filter(scorecard__in=selectors.scorecards_visible_to(request.user)).select_related(
            "node", "scorecard__campaign__scheme", "scorecard__unit"
        ),
        pk=pk,
    )


class LineEvidenceView(LoginRequiredMixin, View):
    """Tài liệu minh chứng of one line: the files (anyone who sees the scorecard) and the upload
    (those who may edit it)."""

    template_name = "emulation/scorecard/evidence.html"

    def _render(self, request, line, form=None, status=200):
        can_edit = request.user.has_perm("emulation.edit_scorecard", line.scorecard)
        return render(
            request,
            self.template_name,
            {
                "line": line,
                "scorecard": line.scorecard,
                "evidence": list(line.evidence.select_related("uploaded_by__person").order_by("uploaded_at", "id")),
                "form": form or (EvidenceForm() if can_edit else None),
                "can_edit": can_edit,
                "rule": explain.rule_summary(line.node),
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, visible_line(request, pk))

    def post(self, request, pk):
        line = visible_line(request, pk)
        require(request.user, "emulation.edit_scorecard", line.scorecard)
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid() and run_service(
            request,
            lambda: services.evidence_add(
                actor=request.user,
                line_id=line.pk,
                file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            ),
            success=_("The evidence file was attached."),
        ):
            if request.POST.get("next") == "scorecard":
                return redirect(f"{_scorecard_url(line.scorecard_id)}#line-{line.pk}")
            return redirect("emulation:line_evidence", pk=line.pk)
        return self._render(request, line, form, status=400)


def _scorecard_url(pk: int) -> str:
    return reverse("emulation:scorecard_detail", args=[pk])


class EvidenceDeleteView(LoginRequiredMixin, View):
    template_name = "emulation/scorecard/evidence_delete.html"

    def _evidence(self, request, pk) -> Evidence:
        evidence = get_object_or_404(
            Evidence.objects.filter(line__scorecard__in=selectors.scorecards_visible_to(request.user)).select_related(
                "line__node", "line__scorecard__campaign", "line__scorecard__unit"
            ),
            pk=pk,
        )
        require(request.user, "emulation.edit_scorecard", evidence.line.scorecard)
        return evidence

    def get(self, request, pk):
        evidence = self._evidence(request, pk)
        return render(request, self.template_name, {"evidence": evidence, "line": evidence.line})

    def post(self, request, pk):
        evidence = self._evidence(request, pk)
        line_id = evidence.line_id
        run_service(
            request,
            lambda: services.evidence_delete(actor=request.user, evidence_id=evidence.pk),
            success=_("The evidence file was deleted."),
        )
        return redirect("emulation:line_evidence", pk=line_id)


# --- Submission --------------------------------------------------------------------------------


class ScorecardSubmitView(LoginRequiredMixin, View):
    """The unit leader countersigns and submits (confirmation first); refused while a line that
    needs evidence has none."""

    template_name = "emulation/scorecard/submit.html"

    def _scorecard(self, request, pk):
        scorecard = visible_scorecard(request, pk)
        require(request.user, "emulation.submit_scorecard", scorecard)
        return scorecard

    def get(self, request, pk):
        scorecard = self._scorecard(request, pk)
        rows = selectors.scorecard_table(scorecard)
        result = selectors.scorecard_result(scorecard, rows, Side.SELF)
        views = build_rows(scorecard, rows, result)
        return render(
            request,
            self.template_name,
            {
                "scorecard": scorecard,
                "campaign": scorecard.campaign,
                "totals": _totals(result),
                "missing": [view for view in views if view.blocks_submission],
                "empty": [view for view in views if view.line is not None and view.node.kind != NodeKind.AUTO
                          and not view.entry_text],
            },
        )

    def post(self, request, pk):
        scorecard = self._scorecard(request, pk)
        version = parse_int(request.POST.get("version"), minimum=1) or 0
        run_service(
            request,
            lambda: services.scorecard_submit(actor=request.user, scorecard_id=scorecard.pk, version=version),
            success=_("The scorecard was submitted for appraisal."),
        )
        return redirect("emulation:scorecard_detail", pk=scorecard.pk)


# --- Excel -------------------------------------------------------------------------------------


class ScorecardExportView(LoginRequiredMixin, View):
    """The card as .xlsx: ?blank=1 for an empty card to fill offline, else with the entries."""

    def get(self, request, pk):
        from emulation.scorecard_excel import scorecard_workbook, workbook_response

        scorecard = visible_scorecard(request, pk)
        blank = request.GET.get("blank") == "1"
        workbook = scorecard_workbook(scorecard, blank=blank)
        kind = "trong" if blank else "da-cham"
        filename = f"phieu-cham-diem-{scorecard.unit.code}-{scorecard.campaign.year}-{kind}.xlsx"
        return workbook_response(workbook, filename)


class ScorecardImportView(LoginRequiredMixin, View):
    """Nhập phiếu chấm điểm từ Excel: every cell checked, all entries saved or none."""

    template_name = "emulation/scorecard/import.html"

    def _scorecard(self, request, pk):
        scorecard = visible_scorecard(request, pk)
        require(request.user, "emulation.edit_scorecard", scorecard)
        return scorecard

    def _render(self, request, scorecard, form, errors=(), status=200):
        return render(
            request,
            self.template_name,
            {"scorecard": scorecard, "campaign": scorecard.campaign, "form": form, "errors": list(errors)},
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, self._scorecard(request, pk), ScorecardImportForm())

    def post(self, request, pk):
        from emulation.scorecard_excel import WorkbookError, scorecard_import

        scorecard = self._scorecard(request, pk)
        form = ScorecardImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, scorecard, form, status=400)
        try:
            result = scorecard_import(actor=request.user, scorecard=scorecard, upload=form.cleaned_data["file"])
        except WorkbookError as error:
            form.add_error("file", str(error))
            return self._render(request, scorecard, form, status=400)
        except PermissionDenied:
            raise
        if result.errors:
            return self._render(request, scorecard, form, errors=result.errors, status=400)
        messages.success(
            request,
            _("The file was imported: %(count)d lines changed.") % {"count": result.changed},
        )
        return redirect("emulation:scorecard_detail", pk=scorecard.pk)

