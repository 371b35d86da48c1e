"""Scheme editor pages (bảng tiêu chí): the list, create, the editor with its lines, the line form
with live validation, grades/caps/tie-breakers, clone, new version, and JSON/Excel import and export.

Every page is for emulation.manage_schemes (emulation officers, system administrators): 302 to the
login page when anonymous, 403 otherwise. A frozen scheme is shown read-only.
"""

from __future__ import annotations

import json
import math
import re
import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from emulation import schemes as services
from emulation.enums import GROUP_KINDS
from emulation.explain import number, problem_sentence, rule_summary
from emulation.forms_schemes import (
    CloneForm,
    EditVersionForm,
    GradeCapFormSet,
    GradeFormSet,
    NodeEditor,
    NodeMoveForm,
    SchemeEditForm,
    SchemeForm,
    SchemeImportForm,
    TieBreakerFormSet,
)
from emulation.models import Campaign, Scheme, SchemeNode
from emulation.scheme_excel import XLSX_CONTENT_TYPE, SchemeWorkbookError, read_workbook, scheme_workbook
from portal.audit import describe, history_for
from portal.params import parse_int
from portal.services import StaleVersionError

PAGE_SIZE = 30
PERMISSION = "emulation.manage_schemes"


def _conflict_message() -> str:
    return _(
        "Someone else changed this scheme while you were working on it. Your input is kept below: check the "
        "scheme as it is now (open it in another tab) and save again."
    )


class SchemeView(LoginRequiredMixin, View):
    """Login first (302), then emulation.manage_schemes (403)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(PERMISSION):
            raise PermissionDenied(PERMISSION)
        return super().dispatch(request, *args, **kwargs)

    def frozen_redirect(self, request, scheme: Scheme):
        """A page that changes a scheme, opened on a frozen one: back to the read-only table."""
        messages.warning(request, services._frozen_message(scheme))
        return redirect("emulation:scheme_detail", pk=scheme.pk)


# --- Building the table ---------------------------------------------------------------------------


def _url_maker(name: str, *args):
    """reverse() once, then fill in the id: the editor builds five links for each of 300 lines."""
    from django.urls import reverse

    prefix, _sep, suffix = reverse(name, args=[*args, 999999999]).rpartition("999999999")
    return lambda pk: f"{prefix}{pk}{suffix}"


def tree_rows(nodes: list[SchemeNode]) -> list[dict]:
    """The nodes in printed order (pre-order) with their depth, links and what each may do."""
    edit_url, move_url, delete_url = (_url_maker(name) for name in ("emulation:node_edit", "emulation:node_move",
                                                                    "emulation:node_delete"))
    children: dict[int | None, list[SchemeNode]] = {}
    for node in sorted(nodes, key=lambda n: (n.position, n.pk)):
        children.setdefault(node.parent_id, []).append(node)
    rows: list[dict] = []

    def walk(parent_id: int | None, depth: int) -> None:
        siblings = children.get(parent_id, [])
        for index, node in enumerate(siblings):
            previous = siblings[index - 1] if index else None
            rows.append(
                {
                    "node": node,
                    "depth": depth,
                    "indent": depth * 1.25,
                    "is_group": node.kind in GROUP_KINDS,
                    "rule": rule_summary(node),
                    "first": index == 0,
                    "last": index == len(siblings) - 1,
                    "can_indent": previous is not None and previous.kind in GROUP_KINDS,
                    "can_outdent": parent_id is not None,
                    "child_count": len(children.get(node.pk, [])),
                    "edit_url": edit_url(node.pk),
                    "move_url": move_url(node.pk),
                    "delete_url": delete_url(node.pk),
                }
            )
            walk(node.pk, depth + 1)

    walk(None, 0)
    return rows


def problem_rows(scheme: Scheme, problems, nodes_by_key: dict[str, SchemeNode], *, draft_key: str | None = None,
                 draft_id: int | None = None) -> dict:
    """Problems as the validation panel shows them: sentence, level, and the line (or page) concerned.
    `draft_key` is the key of the line being typed (its problems are "this line")."""
    from django.urls import reverse

    rows = []
    for problem in problems:
        node = nodes_by_key.get(problem.key)
        rule = problem.code in services.RULE_PROBLEMS
        this_line = draft_key is not None and problem.key == draft_key and not rule
        if this_line and (node is None or node.pk == draft_id):
            node = None
        rows.append(
            {
                "level": problem.level,
                "sentence": problem_sentence(problem),
                "node": node if not rule else None,
                "where": (
                    _("Grades and tie-breakers") if rule
                    else _("This line") if this_line and node is None
                    else (f"{node.code} {node.title[:60]}".strip() if node else _("Whole table"))
                ),
                "url": (
                    "" if scheme.is_frozen
                    else reverse("emulation:scheme_rules", args=[scheme.pk]) if rule
                    else reverse("emulation:node_edit", args=[node.pk]) if node is not None else ""
                ),
            }
        )
    return {
        "problems": rows,
        "error_count": sum(1 for row in rows if row["level"] == "error"),
        "warning_count": sum(1 for row in rows if row["level"] == "warning"),
    }


OPERATIONS = {
    "line_added": lambda d: _("Added the line %(line)s.") % d,
    "line_changed": lambda d: _("Changed the line %(line)s.") % d,
    "line_moved": lambda d: _("Moved the line %(line)s.") % d,
    "line_deleted": lambda d: _("Deleted the line %(line)s (%(count)s lines in all).") % d,
    "rules_changed": lambda d: _("Changed the grades, grade caps or tie-breakers."),
    "scheme_updated": lambda d: _("Changed the scheme's details."),
}


def _field_label(name: str) -> str:
    for model in (SchemeNode, Scheme):
        try:
            return capfirst(str(model._meta.get_field(name).verbose_name))
        except Exception:  # noqa: BLE001, S112 - not a field of this model: try the next one
            continue
    return {"grades": _("Grades"), "grade_caps": _("Grade caps"), "tie_breakers": _("Tie-breakers"),
            "parent": _("Section")}.get(name, name)


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            from emulation.explain import tiers_text

            return tiers_text(value)
        return ", ".join(str(item) for item in value)
    return str(value)


def scheme_history(scheme: Scheme, limit: int = 30) -> list[tuple]:
    """(entry, sentence, detail, [(label, old, new)]) for the scheme's audit entries, newest first."""
    rows = []
    for entry in history_for(scheme)[:limit]:
        data = entry.data if isinstance(entry.data, dict) else {}
        operation = OPERATIONS.get(data.get("operation"))
        try:
            detail = operation({"line": data.get("line", ""), "count": data.get("count", 1)}) if operation else ""
        except (KeyError, TypeError, ValueError):
            detail = ""
        changes = data.get("changes") if isinstance(data.get("changes"), dict) else {}
        rows.append(
            (
                entry,
                describe(entry),
                detail,
                [(_field_label(name), _shown(values[0]), _shown(values[1]))
                 for name, values in changes.items() if isinstance(values, list) and len(values) == 2],
            )
        )
    return rows


# --- List and create ----------------------------------------------------------------------------------


class SchemeListView(SchemeView):
    template_name = "emulation/scheme/list.html"

    def get(self, request):
        year = parse_int(request.GET.get("year"), minimum=1990, maximum=2100)
        schemes = Scheme.objects.annotate(node_count=Count("nodes")).prefetch_related(
            Prefetch("campaigns", queryset=Campaign.objects.order_by("-year", "name").only("pk", "name", "scheme_id", "state"))
        ).order_by("-year", "name", "-version")
        if year:
            schemes = schemes.filter(year=year)
        years = Scheme.objects.order_by("-year").values_list("year", flat=True).distinct()
        page = Paginator(schemes, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, self.template_name, {"page_obj": page, "year": year, "years": list(years)})


class SchemeCreateView(SchemeView):
    template_name = "emulation/scheme/create.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SchemeForm()})

    def post(self, request):
        form = SchemeForm(request.POST)
        if form.is_valid():
            scheme = services.scheme_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("The scheme was created. Add its sections and lines."))
            return redirect("emulation:scheme_detail", pk=scheme.pk)
        return render(request, self.template_name, {"form": form}, status=400)


# --- The editor ---------------------------------------------------------------------------------------


class SchemeDetailView(SchemeView):
    """Bảng tiêu chí as printed, with each line's actions, the validation panel and the history."""

    template_name = "emulation/scheme/detail.html"

    def get(self, request, pk):
        scheme = get_object_or_404(Scheme.objects.select_related("cloned_from"), pk=pk)
        nodes = list(scheme.nodes.all())
        rows = tree_rows(nodes)
        nodes_by_key = {node.key: node for node in nodes}
        rules = (
            list(scheme.grades.order_by("position", "id")),
            list(scheme.grade_caps.order_by("flag")),
            list(scheme.tie_breakers.order_by("position", "id")),
        )
        context = {
            "scheme": scheme,
            "rows": rows,
            "total_max": sum((row["node"].max_points or 0) for row in rows if row["depth"] == 0),
            "campaigns": list(scheme.campaigns.order_by("-year", "name")),
            "grades": rules[0],
            "grade_caps": rules[1],
            "tie_breakers": rules[2],
            "history": scheme_history(scheme),
            **problem_rows(scheme, services.scheme_problems(scheme, nodes=nodes, rules=rules), nodes_by_key),
        }
        return render(request, self.template_name, context)


class SchemeValidateView(SchemeView):
    """The validation panel (htmx partial): GET for the stored scheme; POST with a line's form as
    typed (and `node` or `parent`) for the scheme as it would be with that line saved."""

    template_name = "emulation/partials/scheme_problems.html"

    def get(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        nodes = list(scheme.nodes.all())
        context = problem_rows(scheme, services.scheme_problems(scheme, nodes=nodes), {n.key: n for n in nodes})
        return render(request, self.template_name, {"scheme": scheme, **context})

    def post(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        node_id = parse_int(request.POST.get("node"), minimum=1)
        parent_id = parse_int(request.POST.get("parent"), minimum=1)
        node = scheme.nodes.filter(pk=node_id).first() if node_id else None
        parent = scheme.nodes.filter(pk=parent_id).first() if parent_id and node is None else None
        editor = NodeEditor(request.POST, current_measure=node.measure if node else "")
        editor.is_valid()
        key = editor.form.cleaned_data.get("key") or (
            node.key if node is not None else services.suggest_key(scheme, parent=parent, code=editor.form.cleaned_data.get("code", ""))
        )
        data = editor.node_data(key=key)
        problems = services.draft_problems(
            scheme, data=data, node_id=node.pk if node else None, parent_id=parent.pk if parent else None
        )
        nodes = list(scheme.nodes.all())
        context = problem_rows(scheme, problems, {n.key: n for n in nodes}, draft_key=data.key,
                               draft_id=node.pk if node else None)
        field_errors = [
            f"{editor.form.fields[name].label if name in editor.form.fields else _('Line')}: {error}"
            for name, errors in editor.form.errors.items() for error in errors if name != "__all__"
        ]
        field_errors += [str(error) for error in editor.form.non_field_errors()]
        field_errors += [str(error) for error in editor.tiers.non_form_errors()]
        # what the form already says about this line is not repeated in the scheme's list
        context["problems"] = [row for row in context["problems"]
                               if not (row["where"] == _("This line")
                                       and any(error.endswith(row["sentence"]) for error in field_errors))]
        context["error_count"] = sum(1 for row in context["problems"] if row["level"] == "error")
        context["warning_count"] = sum(1 for row in context["problems"] if row["level"] == "warning")
        return render(request, self.template_name, {"scheme": scheme, "field_errors": field_errors, "draft": True, **context})


class SchemeEditView(SchemeView):
    """The scheme's name, year, legal basis and description."""

    template_name = "emulation/scheme/edit.html"

    def get(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        if scheme.is_frozen:
            return self.frozen_redirect(request, scheme)
        form = SchemeEditForm(initial={
            "edit_version": scheme.edit_version, "name": scheme.name, "year": scheme.year,
            "legal_basis": scheme.legal_basis, "description": scheme.description,
        })
        return render(request, self.template_name, {"scheme": scheme, "form": form})

    def post(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        form = SchemeEditForm(request.POST)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.SCHEME_HEAD_FIELDS}
            try:
                services.scheme_update(
                    actor=request.user, scheme_id=scheme.pk, edit_version=form.cleaned_data["edit_version"], data=data
                )
            except StaleVersionError:
                form.add_error(None, _conflict_message())
            except services.SchemeFrozenError:
                return self.frozen_redirect(request, scheme)
            except services.SchemeError as error:
                for _path, message in error.problems:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The scheme's details were saved."))
                return redirect("emulation:scheme_detail", pk=scheme.pk)
        return render(request, self.template_name, {"scheme": scheme, "form": form}, status=400)


# --- Lines ----------------------------------------------------------------------------------------------


class _NodeFormView(SchemeView):
    template_name = "emulation/scheme/node_form.html"

    def move_form(self, node, data=None):
        rows = tree_rows(list(node.scheme.nodes.all()))
        excluded = {node.pk}
        for row in rows:  # a line cannot move under itself or its own lines
            if row["node"].parent_id in excluded:
                excluded.add(row["node"].pk)
        targets = [(row["node"], row["depth"]) for row in rows if row["is_group"] and row["node"].pk not in excluded]
        initial = {"edit_version": node.scheme.edit_version, "parent": node.parent_id, "position": node.position + 1}
        return NodeMoveForm(data, initial=initial, targets=targets)

    def render_form(self, request, *, scheme, editor, node=None, parent=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "scheme": scheme, "node": node, "parent": node.parent if node else parent, "form": editor.form,
                "tiers": editor.tiers, "move_form": self.move_form(node) if node else None,
            },
            status=status,
        )

    def save(self, request, *, scheme, editor, call):
        """Run the service; on a refusal, the form again with what was typed and why."""
        try:
            return call()
        except StaleVersionError:
            editor.form.add_error(None, _conflict_message())
        except services.SchemeFrozenError as error:
            editor.form.add_error(None, error.problems[0][1])
        except services.SchemeError as error:
            for path, message in error.problems:
                editor.form.add_error(path if path in editor.form.fields else None, message)
        return None


class NodeCreateView(_NodeFormView):
    """A new line at the end of a section (?parent=<id>) or of the table."""

    def _parent(self, scheme, request):
        parent_id = parse_int(request.GET.get("parent") or request.POST.get("parent"), minimum=1)
        return get_object_or_404(scheme.nodes, pk=parent_id) if parent_id else None

    def get(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        if scheme.is_frozen:
            return self.frozen_redirect(request, scheme)
        parent = self._parent(scheme, request)
        editor = NodeEditor(initial={"edit_version": scheme.edit_version})
        return self.render_form(request, scheme=scheme, editor=editor, parent=parent)

    def post(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        parent = self._parent(scheme, request)
        editor = NodeEditor(request.POST)
        if editor.is_valid():
            key = editor.form.cleaned_data["key"] or services.suggest_key(
                scheme, parent=parent, code=editor.form.cleaned_data["code"]
            )
            node = self.save(
                request, scheme=scheme, editor=editor,
                call=lambda: services.node_create(
                    actor=request.user, scheme_id=scheme.pk, edit_version=editor.form.cleaned_data["edit_version"],
                    data=editor.node_data(key=key), parent_id=parent.pk if parent else None,
                ),
            )
            if node is not None:
                messages.success(request, _("The line %(line)s was added.") % {"line": node.code or node.key})
                if "add_another" in request.POST:
                    url = f"{request.path}?parent={parent.pk}" if parent else request.path
                    return redirect(url)
                return redirect(f"{_detail_url(scheme)}#node-{node.pk}")
        return self.render_form(request, scheme=scheme, editor=editor, parent=parent, status=400)


def _detail_url(scheme: Scheme) -> str:
    from django.urls import reverse

    return reverse("emulation:scheme_detail", args=[scheme.pk])


class NodeEditView(_NodeFormView):
    def _node(self, pk):
        return get_object_or_404(SchemeNode.objects.select_related("scheme", "parent"), pk=pk)

    def get(self, request, pk):
        node = self._node(pk)
        if node.scheme.is_frozen:
            return self.frozen_redirect(request, node.scheme)
        return self.render_form(request, scheme=node.scheme, editor=NodeEditor(node=node), node=node)

    def post(self, request, pk):
        node = self._node(pk)
        editor = NodeEditor(request.POST, current_measure=node.measure)
        if editor.is_valid():
            saved = self.save(
                request, scheme=node.scheme, editor=editor,
                call=lambda: services.node_update(
                    actor=request.user, node_id=node.pk, edit_version=editor.form.cleaned_data["edit_version"],
                    data=editor.node_data(key=editor.form.cleaned_data["key"] or node.key),
                ),
            )
            if saved is not None:
                messages.success(request, _("The line %(line)s was saved.") % {"line": saved.code or saved.key})
                return redirect(f"{_detail_url(node.scheme)}#node-{node.pk}")
        return self.render_form(request, scheme=node.scheme, editor=editor, node=node, status=400)


class NodeMoveView(SchemeView):
    """POST: direction up/down/indent/outdent from the table, or parent + position from the line form."""

    def post(self, request, pk):
        node = get_object_or_404(SchemeNode.objects.select_related("scheme"), pk=pk)
        scheme = node.scheme
        direction = request.POST.get("direction") or None
        form = NodeMoveForm(request.POST, targets=[(n, 0) for n in scheme.nodes.filter(kind__in=GROUP_KINDS)])
        if direction is not None and direction not in services.MOVES:
            messages.error(request, _("Unknown move."))
            return redirect("emulation:scheme_detail", pk=scheme.pk)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("emulation:scheme_detail", pk=scheme.pk)
        position = form.cleaned_data.get("position")
        try:
            services.node_move(
                actor=request.user, node_id=node.pk, edit_version=form.cleaned_data["edit_version"],
                direction=direction, parent_id=form.cleaned_data.get("parent") if direction is None else None,
                position=position - 1 if position else None,
            )
        except StaleVersionError:
            messages.error(request, _("Someone else changed this scheme in the meantime; the table below is as it is "
                                      "now. Nothing was moved: try again."))
        except services.SchemeError as error:
            for _path, message in error.problems:
                messages.error(request, message)
        else:
            messages.success(request, _("The line %(line)s was moved.") % {"line": node.code or node.key})
        return redirect(f"{_detail_url(scheme)}#node-{node.pk}")


class NodeDeleteView(SchemeView):
    template_name = "emulation/scheme/node_delete.html"

    def _node(self, pk):
        return get_object_or_404(SchemeNode.objects.select_related("scheme"), pk=pk)

    def get(self, request, pk):
        node = self._node(pk)
        if node.scheme.is_frozen:
            return self.frozen_redirect(request, node.scheme)
        nodes = list(node.scheme.nodes.all())
        rows = tree_rows(nodes)
        below, inside = [], False
        for row in rows:
            if row["node"].pk == node.pk:
                inside, depth = True, row["depth"]
                continue
            if inside:
                if row["depth"] <= depth:
                    break
                below.append(row)
        return render(request, self.template_name, {
            "scheme": node.scheme, "node": node, "below": below,
            "form": EditVersionForm(initial={"edit_version": node.scheme.edit_version}),
        })

    def post(self, request, pk):
        node = self._node(pk)
        form = EditVersionForm(request.POST)
        edit_version = form.cleaned_data["edit_version"] if form.is_valid() else None
        try:
            services.node_delete(actor=request.user, node_id=node.pk, edit_version=edit_version)
        except StaleVersionError:
            messages.error(request, _("Someone else changed this scheme in the meantime. Nothing was deleted: "
                                      "check the table and try again."))
        except services.SchemeError as error:
            for _path, message in error.problems:
                messages.error(request, message)
        else:
            messages.success(request, _("The line %(line)s was deleted.") % {"line": node.code or node.key})
        return redirect("emulation:scheme_detail", pk=node.scheme_id)


# --- Grades, caps, tie-breakers ------------------------------------------------------------------------


class SchemeRulesView(SchemeView):
    template_name = "emulation/scheme/rules.html"

    def _formsets(self, scheme, data=None):
        grades = GradeFormSet(data, prefix="grades", initial=None if data else [
            {"key": g.key, "label": g.label, "min_total": g.min_total, "no_zero_lines": g.no_zero_lines}
            for g in scheme.grades.order_by("position", "id")
        ])
        caps = GradeCapFormSet(data, prefix="caps", initial=None if data else [
            {"flag": c.flag, "label": c.label, "max_grade": c.max_grade} for c in scheme.grade_caps.order_by("flag")
        ])
        ties = TieBreakerFormSet(data, prefix="ties", initial=None if data else [
            {"kind": t.kind, "ref": t.ref, "descending": t.descending, "ORDER": index}
            for index, t in enumerate(scheme.tie_breakers.order_by("position", "id"), start=1)
        ])
        return grades, caps, ties

    def _render(self, request, scheme, version_form, formsets, *, problems=(), status=200):
        grades, caps, ties = formsets
        keys = list(scheme.nodes.order_by("position", "id").values_list("key", "code", "title")[:2000])
        return render(request, self.template_name, {
            "scheme": scheme, "version_form": version_form, "grades": grades, "caps": caps, "ties": ties,
            "problems": problems, "node_keys": keys,
        }, status=status)

    def get(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        if scheme.is_frozen:
            return self.frozen_redirect(request, scheme)
        return self._render(request, scheme, EditVersionForm(initial={"edit_version": scheme.edit_version}),
                            self._formsets(scheme))

    def post(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        version_form = EditVersionForm(request.POST)
        formsets = self._formsets(scheme, request.POST)
        problems: list[str] = []
        if version_form.is_valid() and all(formset.is_valid() for formset in formsets):
            grades, caps, ties = formsets
            try:
                services.scheme_rules_update(
                    actor=request.user, scheme_id=scheme.pk, edit_version=version_form.cleaned_data["edit_version"],
                    grades=grades.rows(), caps=caps.rows(), tie_breakers=ties.rows(),
                )
            except StaleVersionError:
                problems.append(_conflict_message())
            except services.SchemeFrozenError:
                return self.frozen_redirect(request, scheme)
            except services.SchemeError as error:
                problems += [_rule_problem(path, message) for path, message in error.problems]
            else:
                messages.success(request, _("The grades, grade caps and tie-breakers were saved."))
                return redirect("emulation:scheme_detail", pk=scheme.pk)
        return self._render(request, scheme, version_form, formsets, problems=problems, status=400)


def _rule_problem(path: str, message: str) -> str:
    import re

    match = re.fullmatch(r"(grades|grade_caps|tie_breakers)\[([0-9]+)\].*", path or "")
    if not match:
        return message
    section = {"grades": _("Grades"), "grade_caps": _("Grade caps"), "tie_breakers": _("Tie-breakers")}[match.group(1)]
    return _("%(section)s, row %(row)d: %(message)s") % {"section": section, "row": int(match.group(2)) + 1, "message": message}


# --- Versions and copies ----------------------------------------------------------------------------------


class SchemeNewVersionView(SchemeView):
    """POST: copy a (frozen) scheme into version + 1 of the same name and year, to edit."""

    def post(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        copy = services.scheme_new_version(actor=request.user, scheme=scheme)
        messages.success(request, _("Version %(version)d was created from version %(old)d; it can be edited.")
                         % {"version": copy.version, "old": scheme.version})
        return redirect("emulation:scheme_detail", pk=copy.pk)


class SchemeCloneView(SchemeView):
    """Clone last year's scheme (or any) for a year, keeping every line, grade and tie-breaker."""

    template_name = "emulation/scheme/clone.html"

    def get(self, request):
        source_id = parse_int(request.GET.get("source"), minimum=1)
        initial = {}
        if source_id:
            initial["source"] = get_object_or_404(Scheme, pk=source_id)
            initial["year"] = initial["source"].year + 1
        else:
            form = CloneForm()
            last_year = Scheme.objects.filter(year=form.fields["year"].initial - 1).order_by("name", "-version").first()
            if last_year is not None:
                initial["source"] = last_year
        return render(request, self.template_name, {"form": CloneForm(initial=initial)})

    def post(self, request):
        form = CloneForm(request.POST)
        if form.is_valid():
            source = form.cleaned_data["source"]
            copy = services.scheme_clone(
                actor=request.user, scheme=source, year=form.cleaned_data["year"], name=form.cleaned_data["name"] or None
            )
            messages.success(request, _("The scheme was copied: %(scheme)s.") % {"scheme": copy})
            return redirect("emulation:scheme_detail", pk=copy.pk)
        return render(request, self.template_name, {"form": form}, status=400)


# --- Import and export --------------------------------------------------------------------------------------


def _filename(scheme: Scheme, extension: str) -> str:
    return f"bang-tieu-chi-{scheme.year}-v{scheme.version}-{scheme.pk}.{extension}"


class SchemeExportJsonView(SchemeView):
    def get(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        body = json.dumps(services.scheme_to_dict(scheme), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename(scheme, "json")}"'
        return response


class SchemeExportExcelView(SchemeView):
    def get(self, request, pk):
        scheme = get_object_or_404(Scheme, pk=pk)
        buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
        scheme_workbook(scheme).save(buffer)
        buffer.seek(0)
        return FileResponse(buffer, as_attachment=True, filename=_filename(scheme, "xlsx"), content_type=XLSX_CONTENT_TYPE)


# A scheme is at most 8 levels of lines: deeper JSON is no scheme (and would exhaust the stack).
MAX_JSON_DEPTH = 40
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable() -> str:
    return _("This text holds a character that cannot be stored (a NUL, or half of a surrogate pair such as \\ud800).")


def _json_int(text: str) -> int | float:
    """A JSON integer. One too long for Python to convert (over 4,300 digits) is beyond every range a
    scheme allows: it reads as infinity, which the checks then refuse with its path."""
    try:
        return int(text)
    except ValueError:
        return -math.inf if text.startswith("-") else math.inf


def _unreadable_place(document) -> tuple[str, str] | None:
    """(path, problem) of the first place of a JSON document that no scheme can hold: text with a NUL
    or half of a surrogate pair ("\\ud800" in the file), which the database cannot store nor the
    page show, or nesting deeper than a scheme goes. Iterative: the document may be deep."""
    pending = [("", document, 0)]
    while pending:
        path, value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return path, _("The file is nested too deeply to be a scheme.")
        if isinstance(value, str) and ("\x00" in value or _SURROGATE.search(value)):
            return path, _unstorable()
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in reversed(list(items)):
            if isinstance(key, str) and ("\x00" in key or _SURROGATE.search(key)):
                return f"{path}[{ascii(key)}]", _unstorable()
            name = f"[{key}]" if isinstance(key, int) else (f".{key}" if path else key)
            pending.append((f"{path}{name}", item, depth + 1))
    return None


class SchemeImportView(SchemeView):
    """Upload a .json or .xlsx scheme: a new scheme, or every problem listed and nothing created."""

    template_name = "emulation/scheme/import.html"

    def _render(self, request, form, *, problems=(), cell_errors=(), status=200):
        return render(request, self.template_name, {
            "form": form, "problems": list(problems), "cell_errors": list(cell_errors),
            "error_count": len(problems) + len(cell_errors),
        }, status=status)

    def get(self, request):
        return self._render(request, SchemeImportForm())

    def post(self, request):
        form = SchemeImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data["file"]
        if upload.name.lower().endswith(".xlsx"):
            try:
                document = read_workbook(upload)
            except SchemeWorkbookError as error:
                return self._render(request, form, cell_errors=error.errors, status=400)
        else:
            try:
                document = json.loads(upload.read().decode("utf-8-sig"), parse_int=_json_int)
            except UnicodeDecodeError:
                return self._render(request, form, problems=[("", _("The file is not UTF-8 text."))], status=400)
            except json.JSONDecodeError as error:
                return self._render(request, form, problems=[(
                    "", _("The file is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
                    % {"error": error.msg, "line": error.lineno, "column": error.colno},
                )], status=400)
            except RecursionError:
                return self._render(request, form, problems=[("", _("The file is nested too deeply to be a scheme."))],
                                    status=400)
            if unreadable := _unreadable_place(document):
                return self._render(request, form, problems=[unreadable], status=400)
        if isinstance(document, dict) and isinstance(document.get("scheme"), dict):
            if form.cleaned_data.get("name"):
                document["scheme"]["name"] = form.cleaned_data["name"]
            if form.cleaned_data.get("year"):
                document["scheme"]["year"] = form.cleaned_data["year"]
        try:
            scheme = services.scheme_create_from_dict(actor=request.user, data=document)
        except services.SchemeError as error:
            return self._render(request, form, problems=error.problems, status=400)
        messages.success(request, _("The scheme %(scheme)s was imported with %(count)s lines.")
                         % {"scheme": scheme, "count": number(scheme.nodes.count())})
        return redirect("emulation:scheme_detail", pk=scheme.pk)
