"""The scorecard table's rows as HTML, written in Python.

A ministry's scheme has 300 lines: the scorecard page renders 300 rows and every save sends back the
outcome of every node (their totals change). Through Django's template engine the rows were the
larger part of the page's time (about 100 of 170 ms at scale, docs/performance.md); here they cost
a fraction of that. The markup and the words (msgids) are the ones the templates had; the templates
call these through emulation/templatetags/scorecard_tags.py.
"""

from __future__ import annotations

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def _e(value) -> str:
    return conditional_escape("" if value is None else value)


def outcome_html(view) -> SafeString:
    """The score of a node, its maximum, a warning and the explanation (the outcome cell)."""
    outcome = view.outcome
    parts = []
    if outcome.score is not None:
        parts.append(format_html('<span class="fw-semibold" data-score>{}</span>', outcome.score_text))
        if outcome.max_points is not None:
            parts.append(format_html('<span class="text-body-secondary"> / {}</span>', outcome.max_text))
    if outcome.error:
        parts.append(format_html(' <span class="badge text-bg-danger">{}</span>', _("check the entry")))
    parts.append(format_html_join("", '<div class="text-body-secondary">{}</div>', ((s,) for s in outcome.sentences)))
    return mark_safe("".join(parts))


def feedback_html(view) -> SafeString:
    """The mistakes and the conflict under a line's inputs."""
    parts = []
    several = len(view.inputs) > 1
    for item in view.inputs:
        for error in item.errors:
            label = format_html("{}: ", item.label) if several else ""
            parts.append(format_html('<div class="invalid-feedback d-block" data-line-error>{}{}</div>', label, error))
    parts.extend(format_html('<div class="invalid-feedback d-block" data-line-error>{}</div>', error)
                 for error in view.errors)
    if view.conflict:
        text = _("Someone else saved this line meanwhile: %(theirs)s. Your value %(yours)s is kept here but not "
                 "saved; save again to replace theirs.") % {"theirs": view.conflict.get("theirs") or "—",
                                                           "yours": view.conflict.get("yours") or "—"}
        parts.append(format_html(
            '<div class="alert alert-warning small py-1 px-2 mt-1 mb-0" role="alert" data-line-conflict>{}</div>', text))
    return mark_safe("".join(parts))


def appraised_html(view) -> SafeString:
    """The appraised score of a line or node, with the reason and the unit's explanation."""
    if not view.appraised:
        return mark_safe("")
    parts = ['<div class="small">']
    if view.appraised.score is not None:
        parts.append(format_html('<span class="fw-semibold">{}</span>', view.appraised.score_text))
    line = view.line
    if line is not None and line.appraised:
        parts.append(format_html(' <span class="badge text-bg-warning">{}</span>', _("changed")))
        if line.appraisal_reason:
            parts.append(format_html('<div><span class="text-body-secondary">{}</span> {}</div>',
                                     _("Reason:"), line.appraisal_reason))
        if line.response:
            parts.append(format_html('<div><span class="text-body-secondary">{}</span> {}</div>',
                                     _("Unit's explanation:"), line.response))
    parts.append("</div>")
    return mark_safe("".join(parts))


class RowWriter:
    """Writes the rows of one page: the words and URLs every row shares are looked up once."""

    def __init__(self, *, can_edit: bool, save_url: str, show_appraisal: bool):
        self.can_edit, self.save_url, self.show_appraisal = can_edit, save_url, show_appraisal
        self.fold_label = _("Fold or unfold this section")
        self.guidance_label = _("Guidance")
        self.automatic_label = _("automatic")
        self.attach_label = _("Attach")
        self.details_label = _("details")
        self.note_label = _("note")
        self.evidence_file_url = reverse("emulation:evidence_file", args=[999_999_999]).replace("999999999", "{}")

    def rows(self, views) -> SafeString:
        return mark_safe("".join(self.row(view) for view in views))

    def row(self, view) -> str:
        return self._group(view) if view.row.is_group else self._line(view)

    def _appraised_cell(self, view) -> str:
        return format_html("<td>{}</td>", appraised_html(view)) if self.show_appraisal else ""

    def _group(self, view) -> str:
        node = view.node
        kind = (format_html(' <span class="badge text-bg-light border">{}</span>', node.get_kind_display())
                if node.kind != "group" else "")
        return format_html(
            '\n<tr id="node-{pk}" class="table-light fw-semibold" data-node="{pk}" data-ancestors="{ancestors}" '
            'data-depth="{depth}" data-group>\n'
            '  <td class="text-nowrap ps-{indent}"><button type="button" class="btn btn-link btn-sm p-0 me-1 text-body" '
            'data-fold="{pk}" aria-expanded="true" title="{fold}"><i class="bi bi-chevron-down" aria-hidden="true"></i>'
            '<span class="visually-hidden">{fold}</span></button>{code}</td>\n'
            '  <td>{title}{kind}</td>\n'
            '  <td class="text-end">{max}</td>\n'
            '  <td><div id="outcome-{pk}" class="small">{outcome}</div></td>\n'
            '  {appraised}\n'
            '  <td></td><td></td>\n</tr>',
            pk=node.pk, ancestors=view.row.ancestor_ids, depth=view.row.depth, indent=view.indent,
            fold=self.fold_label, code=node.code, title=node.title, kind=kind, max=view.max_text,
            outcome=outcome_html(view), appraised=self._appraised_cell(view),
        )

    def _line(self, view) -> str:
        node, line = view.node, view.line
        pk = line.pk
        htmx = (format_html(' hx-post="{}" hx-trigger="change" hx-params="{}"', self.save_url, view.param_names)
                if self.can_edit else "")
        guidance = (format_html('\n    <details class="small"><summary>{}</summary>{}</details>', self.guidance_label,
                                linebreaksbr(node.guidance)) if node.guidance else "")
        evidence_badge = ""
        if view.needs_evidence:
            if view.missing_evidence:
                words = _("Scores zero without evidence") if node.gate == "evidence" else _("Evidence required")
                evidence_badge = format_html(
                    '\n    <span class="badge text-bg-warning" data-evidence-badge="missing">{}</span>', words)
            else:
                evidence_badge = format_html(
                    '\n    <span class="badge text-bg-success" data-evidence-badge="ok">{}</span>', _("Evidence attached"))
        return format_html(
            '\n<tr id="line-{pk}" data-node="{node}" data-ancestors="{ancestors}"{htmx}>\n'
            '  <td class="text-nowrap ps-{indent}">{code}</td>\n'
            '  <td>{title}\n    <div class="small text-body-secondary">{rule}</div>{guidance}{evidence_badge}\n  </td>\n'
            '  <td class="text-end">{max}</td>\n'
            '  <td>{entry}\n    <div id="outcome-{node}" class="small">{outcome}</div>{feedback}\n  </td>\n'
            '  {appraised}\n'
            '  <td class="small">{evidence}</td>\n'
            '  <td>{note}</td>\n</tr>',
            pk=pk, node=node.pk, ancestors=view.row.ancestor_ids, htmx=htmx, indent=view.indent, code=node.code,
            title=node.title, rule=view.rule, guidance=guidance, evidence_badge=evidence_badge, max=view.max_text,
            entry=self._entry(view), outcome=outcome_html(view),
            feedback=(format_html('\n    <div id="feedback-{}" class="scorecard-feedback">{}</div>', pk,
                                  feedback_html(view) if view.has_feedback else "") if self.can_edit else ""),
            appraised=self._appraised_cell(view), evidence=self._evidence(view), note=self._note(view),
        )

    def _entry(self, view) -> str:
        pk = view.line.pk
        if not self.can_edit:
            metric = (format_html('<span class="badge text-bg-light border">{}</span> {}', self.automatic_label,
                                  view.metric_text) if view.metric_text else "")
            return format_html('\n    <span data-entry>{}</span>{}', view.entry_text, metric)
        parts = []
        for item in view.inputs:
            if view.labelled:
                parts.append(format_html('\n    <label class="form-label small mb-0" for="id_{}">{}</label>',
                                         item.html_name, item.label))
            invalid = " is-invalid" if item.errors else ""
            if item.kind == "select":
                options = format_html_join(
                    "", '<option value="{}"{}>{}</option>',
                    ((value, mark_safe(" selected") if value == item.value else "", label)
                     for value, label in item.choices),
                )
                parts.append(format_html(
                    '\n    <select class="form-select form-select-sm{}" name="{}" id="id_{}" data-score-cell '
                    'aria-label="{}: {}">{}</select>', invalid, item.html_name, item.html_name, view.aria_label,
                    item.label, options))
            else:
                parts.append(format_html(
                    '\n    <input type="text" inputmode="decimal" autocomplete="off" '
                    'class="form-control form-control-sm{}" name="{}" id="id_{}" value="{}" data-score-cell '
                    'aria-label="{}: {}">', invalid, item.html_name, item.html_name, _e(item.value), view.aria_label,
                    item.label))
        if not view.inputs and view.metric_text:
            parts.append(format_html('\n    <span class="badge text-bg-light border">{}</span> {}', self.automatic_label,
                                     view.metric_text))
        parts.append(format_html('\n    <input type="hidden" name="l{}-version" id="version-{}" value="{}">',
                                 pk, pk, view.version))
        return mark_safe("".join(parts))

    def _evidence(self, view) -> str:
        links = format_html_join(
            "", '<a class="d-block text-truncate" href="{}">{}</a>',
            ((self.evidence_file_url.format(item.pk),
              item.description or item.file.name.replace("emulation/evidence/", "")) for item in view.evidence),
        )
        if self.can_edit:
            return format_html('{}\n    <a class="btn btn-outline-secondary btn-sm mt-1" href="{}"><i class="bi bi-paperclip" '
                               'aria-hidden="true"></i> {}</a>', links, view.evidence_url, self.attach_label)
        if view.evidence:
            return format_html('{}<a class="small" href="{}">{}</a>', links, view.evidence_url, self.details_label)
        return links

    def _note(self, view) -> str:
        if self.can_edit:
            pk = view.line.pk
            return format_html(
                '<input type="text" class="form-control form-control-sm" name="l{}-note" id="id_l{}-note" value="{}" '
                'maxlength="2000" aria-label="{}: {}">', pk, pk, _e(view.note), view.aria_label, self.note_label)
        return format_html('<span class="small">{}</span>', view.line.self_note)

