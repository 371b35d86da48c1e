"""Forms of the scheme editor (bảng tiêu chí): the scheme's head, a line with its tiers, the grades,
grade caps and tie-breakers, cloning and importing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from emulation import engine
from emulation.enums import GROUP_KINDS, NodeKind, TieBreakKind
from emulation.explain import problem_sentence
from emulation.forms import VietnameseDecimalField
from emulation.metrics import METRICS
from emulation.models import Scheme
from emulation.schemes import KEY_PATTERN, NodeData, key_message, tier_dict
from portal.text import nfc
from portal.uploads import validate_upload

POINTS = {"max_digits": 8, "decimal_places": 2}
BOUND = {"max_digits": 14, "decimal_places": 4}


class EditVersionForm(forms.Form):
    """The Scheme.edit_version the editor page was built from (optimistic locking)."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class SchemeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=300,
                           help_text=gettext_lazy("For example: Bảng tiêu chí chấm điểm thi đua đối với Sở Tư pháp"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1990, max_value=2100)
    legal_basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=300, required=False,
                                  help_text=gettext_lazy("For example: Quyết định số 536/QĐ-BTP ngày 15/3/2024"))
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean_name(self) -> str:
        return nfc(" ".join(self.cleaned_data["name"].split()))


class SchemeEditForm(EditVersionForm, SchemeForm):
    pass


# --- A line of the table -------------------------------------------------------------------------

GATE_NONE, GATE_EVIDENCE, GATE_CONDITION = "", "evidence", "condition"
TIER_KINDS = frozenset({NodeKind.TIERED, NodeKind.LATENESS, NodeKind.AUTO})
# Which fields each kind uses; the form shows only those (static/js would hide the others; the
# template does it with a few lines of script) and clears the rest on save.
KIND_FIELDS = {
    "max_points": set(NodeKind.values),
    "step": {NodeKind.MANUAL},
    "tiers": set(TIER_KINDS),
    "formula": {NodeKind.FORMULA, NodeKind.AUTO},
    "inputs": {NodeKind.FORMULA},
    "metric": {NodeKind.AUTO},
    "measure": {NodeKind.TIERED, NodeKind.LATENESS},
    "gate_kind": set(NodeKind.values) - GROUP_KINDS,
    "condition": set(NodeKind.values) - GROUP_KINDS,
    "requires_evidence": set(NodeKind.values) - GROUP_KINDS,
}
MAX_REQUIRED = {NodeKind.MANUAL, NodeKind.YES_NO, NodeKind.BONUS, NodeKind.DEDUCTION}

# engine.validate() codes about one line, and the field of the form they belong to.
PROBLEM_FIELDS = {
    "negative_max": "max_points",
    "missing_cap": "max_points",
    "missing_max": "max_points",
    "invalid_step": "step",
    "max_not_a_step": "step",
    "missing_tiers": "tiers",
    "negative_points": "tiers",
    "tier_points_exceed_max": "tiers",
    "tier_empty": "tiers",
    "missing_measure": "metric",
    "missing_formula": "formula",
    "invalid_input_name": "inputs",
    "formula_syntax": "formula",
    "formula_not_allowed": "formula",
    "formula_unknown_name": "formula",
}


def _metric_choices(current: str = ""):
    choices = [("", "—")] + [(name, str(label)) for name, label in METRICS.items()]
    if current and current not in METRICS:
        choices.append((current, current))
    return choices


class NodeForm(EditVersionForm):
    code = forms.CharField(label=gettext_lazy("Number as printed (STT)"), max_length=20, required=False,
                           help_text=gettext_lazy("A, I, 1, 1.1, a…"))
    title = forms.CharField(label=gettext_lazy("Criterion"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    key = forms.CharField(
        label=gettext_lazy("Key"), max_length=60, required=False,
        help_text=gettext_lazy("The line's stable name, kept by clones and imports and used by tie-breakers. "
                               "Empty: made from the section's key and the number."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Scoring kind"), choices=NodeKind.choices, initial=NodeKind.MANUAL)
    max_points = VietnameseDecimalField(label=gettext_lazy("Maximum points (điểm chuẩn)"), required=False, min_value=0, **POINTS)
    # As stored (SchemeNode.step: 6 digits, 2 decimals): a larger step would overflow the column.
    step = VietnameseDecimalField(label=gettext_lazy("Step"), required=False, min_value=Decimal("0.01"),
                                  max_digits=6, decimal_places=2,
                                  help_text=gettext_lazy("Optional: points must be a multiple of it, e.g. 0,25."))
    formula = forms.CharField(label=gettext_lazy("Formula"), max_length=engine.MAX_FORMULA_LENGTH, required=False,
                              help_text=gettext_lazy("+ − * / ( ), min(), max(), abs(), round(); e.g. b / a * 20"))
    inputs = forms.CharField(label=gettext_lazy("Values entered by the unit"), max_length=500, required=False,
                             help_text=gettext_lazy("Names used in the formula, separated by commas: a, b"))
    metric = forms.ChoiceField(label=gettext_lazy("Portal figure"), required=False, choices=())
    measure = forms.CharField(label=gettext_lazy("What is measured"), max_length=100, required=False,
                              help_text=gettext_lazy("For example: documents answered on time (%) or days late"))
    gate_kind = forms.ChoiceField(
        label=gettext_lazy("Condition"), required=False,
        choices=[(GATE_NONE, gettext_lazy("None")), (GATE_EVIDENCE, gettext_lazy("Zero without evidence")),
                 (GATE_CONDITION, gettext_lazy("Zero unless a named condition is met"))],
    )
    condition = forms.CharField(label=gettext_lazy("Name of the condition"), max_length=60, required=False)
    requires_evidence = forms.BooleanField(label=gettext_lazy("Evidence required on submission"), required=False)
    guidance = forms.CharField(label=gettext_lazy("Guidance for scorers"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)

    def __init__(self, *args, current_measure: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = _metric_choices(current_measure)
        for name, field in self.fields.items():
            kinds = KIND_FIELDS.get(name)
            if kinds is not None:
                field.widget.attrs["data-kinds"] = " ".join(sorted(kinds))
        self.tiers: TierFormSet | None = None

    @staticmethod
    def initial_for(node) -> dict:
        gate = node.gate or ""
        return {
            "edit_version": node.scheme.edit_version,
            "code": node.code, "title": node.title, "key": node.key, "kind": node.kind,
            "max_points": node.max_points, "step": node.step, "formula": node.formula,
            "inputs": ", ".join(node.inputs or ()),
            "metric": node.measure if node.kind == NodeKind.AUTO else "",
            "measure": node.measure if node.kind != NodeKind.AUTO else "",
            "gate_kind": GATE_EVIDENCE if gate == GATE_EVIDENCE else (GATE_CONDITION if gate else GATE_NONE),
            "condition": gate if gate not in ("", GATE_EVIDENCE) else "",
            "requires_evidence": node.requires_evidence, "guidance": node.guidance,
        }

    def clean_title(self) -> str:
        return nfc(self.cleaned_data["title"].strip())

    def clean_code(self) -> str:
        return nfc(self.cleaned_data["code"].strip())

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if key and not KEY_PATTERN.fullmatch(key):
            raise ValidationError(_("The key: %(rule)s.") % {"rule": key_message()})
        return key

    def clean_inputs(self) -> list[str]:
        names = [name.strip() for name in self.cleaned_data["inputs"].replace(";", ",").split(",") if name.strip()]
        wrong = [name for name in names if not name.isidentifier() or name in engine.FUNCTIONS]
        if wrong:
            raise ValidationError(
                _("“%(name)s” cannot name a value: use letters, digits and _ (not starting with a digit).")
                % {"name": wrong[0]}
            )
        return list(dict.fromkeys(names))

    def clean_condition(self) -> str:
        condition = self.cleaned_data["condition"].strip()
        if condition and (not KEY_PATTERN.fullmatch(condition) or condition == GATE_EVIDENCE):
            raise ValidationError(_("Name the condition with letters, digits, “.”, “-” and “_”, e.g. no_violation."))
        return condition

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        if kind in MAX_REQUIRED and cleaned.get("max_points") is None and "max_points" not in self.errors:
            self.add_error("max_points", _("Enter the maximum points of this line."))
        if cleaned.get("gate_kind") == GATE_CONDITION and kind not in GROUP_KINDS and not cleaned.get("condition"):
            self.add_error("condition", _("Name the condition, or choose another option."))
        if kind == NodeKind.AUTO and not cleaned.get("metric") and "metric" not in self.errors:
            self.add_error("metric", _("Choose the portal figure this line is scored from."))
        return cleaned

    def gate(self) -> str:
        gate_kind = self.cleaned_data.get("gate_kind")
        if self.cleaned_data.get("kind") in GROUP_KINDS:
            return ""
        if gate_kind == GATE_EVIDENCE:
            return GATE_EVIDENCE
        if gate_kind == GATE_CONDITION:
            return self.cleaned_data.get("condition", "")
        return ""

    def node_data(self, *, tiers: list[dict], key: str | None = None) -> NodeData:
        """The line as the services take it, with the fields its kind does not use cleared."""
        data = self.cleaned_data
        kind = data.get("kind") or NodeKind.MANUAL

        def used(name, value, empty):
            return value if kind in KIND_FIELDS[name] and value is not None else empty

        measure = data.get("metric") if kind == NodeKind.AUTO else data.get("measure")
        return NodeData(
            key=key if key is not None else data.get("key", ""),
            code=data.get("code", ""),
            title=data.get("title", ""),
            kind=kind,
            guidance=data.get("guidance", ""),
            max_points=data.get("max_points"),
            step=used("step", data.get("step"), None),
            tiers=tiers if kind in KIND_FIELDS["tiers"] else [],
            formula=used("formula", (data.get("formula") or "").strip(), ""),
            inputs=used("inputs", data.get("inputs"), []),
            measure=(measure or "") if kind in (KIND_FIELDS["metric"] | KIND_FIELDS["measure"]) else "",
            gate=self.gate(),
            requires_evidence=bool(data.get("requires_evidence")) and kind not in GROUP_KINDS,
        )


def _small(**attrs):
    return forms.TextInput(attrs={"class": "form-control form-control-sm", "inputmode": "decimal", "autocomplete": "off",
                                  "style": "max-width: 8rem", **attrs})


def _check():
    return forms.CheckboxInput(attrs={"class": "form-check-input"})


class TierForm(forms.Form):
    """One band: `points` when the value is between `lower` and `upper` (either may be open)."""

    lower = VietnameseDecimalField(label=pgettext_lazy("tier bound", "From"), required=False, min_value=0,
                                   widget=_small(), **BOUND)
    lower_inclusive = forms.BooleanField(label=pgettext_lazy("tier bound", "including"), required=False, initial=True,
                                         widget=_check())
    upper = VietnameseDecimalField(label=pgettext_lazy("tier bound", "To"), required=False, min_value=0,
                                   widget=_small(), **BOUND)
    upper_inclusive = forms.BooleanField(label=pgettext_lazy("tier bound", "including"), required=False, initial=False,
                                         widget=_check())
    points = VietnameseDecimalField(label=gettext_lazy("Points"), required=False, min_value=0, widget=_small(), **POINTS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "DELETE" in self.fields:
            self.fields["DELETE"].widget = _check()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("DELETE"):
            return cleaned
        if cleaned.get("points") is None and (cleaned.get("lower") is not None or cleaned.get("upper") is not None):
            self.add_error("points", _("Enter the points of this tier."))
        return cleaned

    def tier(self) -> dict | None:
        data = self.cleaned_data
        if not data or data.get("DELETE") or data.get("points") is None:
            return None
        return tier_dict(
            points=data["points"], lower=data.get("lower"), upper=data.get("upper"),
            lower_inclusive=data.get("lower_inclusive", False), upper_inclusive=data.get("upper_inclusive", False),
        )


class BaseTierFormSet(forms.BaseFormSet):
    def tiers(self) -> list[dict]:
        return [tier for form in self.forms if (tier := form.tier()) is not None]


TierFormSet = forms.formset_factory(TierForm, formset=BaseTierFormSet, extra=2, can_delete=True, max_num=30,
                                    validate_max=True)


def tier_initial(tiers) -> list[dict]:
    return [
        {
            "lower": None if t.get("lower") is None else Decimal(t["lower"]),
            "upper": None if t.get("upper") is None else Decimal(t["upper"]),
            "lower_inclusive": t.get("lower_inclusive", True),
            "upper_inclusive": t.get("upper_inclusive", False),
            "points": Decimal(t["points"]),
        }
        for t in tiers or ()
    ]


class NodeEditor:
    """The line form and its tiers, checked together; the engine's own checks of the line
    (formula references, tiers above the maximum…) become errors on the right field."""

    def __init__(self, data=None, *, node=None, initial=None, current_measure: str = ""):
        if node is not None and data is None:
            initial = NodeForm.initial_for(node)
            current_measure = node.measure
        self.form = NodeForm(data, initial=initial, current_measure=current_measure)
        self.tiers = TierFormSet(data, prefix="tiers", initial=tier_initial(node.tiers) if node is not None and data is None else None)
        self.form.tiers = self.tiers
        self._checked: NodeData | None = None

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        tiers_valid = self.tiers.is_valid()
        if valid and tiers_valid:
            self._engine_checks()
        return not self.form.errors and tiers_valid and not self.tiers.non_form_errors()

    def node_data(self, *, key: str | None = None) -> NodeData:
        if self._checked is not None:  # as typed, before the engine's errors took fields out of cleaned_data
            return replace(self._checked, key=key) if key is not None else self._checked
        # the rows as typed, even when a rule about them (a tier above the maximum…) refuses the save
        tiers = self.tiers.tiers() if self.tiers.is_bound and not any(form.errors for form in self.tiers.forms) else []
        return self.form.node_data(tiers=tiers, key=key)

    def _engine_checks(self) -> None:
        self._checked = self.node_data()
        data = replace(self._checked, key=self._checked.key or "line")
        try:
            # The line alone: a group's own checks (its cap) do not depend on its lines.
            node = engine.Node(
                key=data.key, kind=data.kind, title=data.title, max_points=data.max_points,
                step=data.step, tiers=tuple(engine.Tier(**_engine_tier(t)) for t in data.tiers), formula=data.formula,
                inputs=tuple(data.inputs), measure=data.measure, gate=data.gate,
                requires_evidence=data.requires_evidence,
            )
        except (TypeError, ValueError):
            return
        problems = engine.validate(engine.Scheme(root=engine.Node(key="__total__", kind="group", children=(node,))))
        for problem in problems:
            if problem.level != "error" or problem.key != data.key:
                continue
            field = PROBLEM_FIELDS.get(problem.code)
            if field == "tiers":
                self.tiers._non_form_errors = self.tiers.error_class(
                    [*self.tiers.non_form_errors(), problem_sentence(problem)]
                )
            elif field is not None and field in self.form.fields:
                self.form.add_error(field, problem_sentence(problem))
            elif problem.code != "empty_group":
                self.form.add_error(None, problem_sentence(problem))


def _engine_tier(tier: dict) -> dict:
    return {
        "points": Decimal(tier["points"]),
        "lower": None if tier["lower"] is None else Decimal(tier["lower"]),
        "upper": None if tier["upper"] is None else Decimal(tier["upper"]),
        "lower_inclusive": tier["lower_inclusive"],
        "upper_inclusive": tier["upper_inclusive"],
    }


class NodeMoveForm(EditVersionForm):
    """Move a line under another section (or to the top level) at a position."""

    parent = forms.TypedChoiceField(label=gettext_lazy("Move under"), coerce=int, empty_value=None, required=False)
    position = forms.IntegerField(label=gettext_lazy("Position among its lines"), min_value=1, required=False,
                                  help_text=gettext_lazy("1 = first; empty = last"))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("— top level of the table —"))] + [
            (node.pk, f"{'  ' * depth}{node.code or node.key} {node.title[:70]}") for node, depth in targets
        ]


# --- Grades, grade caps, tie-breakers --------------------------------------------------------------


class GradeForm(forms.Form):
    key = forms.CharField(label=gettext_lazy("Key"), max_length=40, help_text=gettext_lazy("e.g. excellent"))
    label = forms.CharField(label=gettext_lazy("Grade"), max_length=200)
    min_total = VietnameseDecimalField(label=gettext_lazy("From (total)"), min_value=0, **POINTS)
    no_zero_lines = forms.BooleanField(label=gettext_lazy("No scored line at zero"), required=False)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not KEY_PATTERN.fullmatch(key):
            raise ValidationError(_("The key: %(rule)s.") % {"rule": key_message()})
        return key


class GradeCapForm(forms.Form):
    flag = forms.CharField(label=gettext_lazy("Flag"), max_length=60, help_text=gettext_lazy("e.g. leader_disciplined"))
    label = forms.CharField(label=gettext_lazy("Description"), max_length=300)
    max_grade = forms.CharField(label=gettext_lazy("Best grade allowed (key)"), max_length=40)

    def clean_flag(self) -> str:
        flag = self.cleaned_data["flag"].strip()
        if not KEY_PATTERN.fullmatch(flag):
            raise ValidationError(_("The flag: %(rule)s.") % {"rule": key_message()})
        return flag


class TieBreakerForm(forms.Form):
    # A blank first choice: an empty row left as the page shows it posts nothing and is skipped
    # (with "node" preselected it counted as typed in, and its missing reference blocked the save).
    kind = forms.ChoiceField(label=gettext_lazy("Measure"), choices=[("", "—"), *TieBreakKind.choices])
    ref = forms.CharField(
        label=gettext_lazy("Reference"), max_length=120,
        help_text=gettext_lazy("A line's key; a value on a line as key:name; or a portal figure's name."),
    )
    descending = forms.BooleanField(label=gettext_lazy("Higher is better"), required=False, initial=True)


def _style_row(form) -> None:
    """Bootstrap classes for a formset row rendered as table cells (no crispy layout there)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


class _RowsFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        _style_row(form)

    def rows(self) -> list[dict]:
        forms_in_order = self.ordered_forms if self.can_order else self.forms
        rows = []
        for form in forms_in_order:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            rows.append({name: value for name, value in data.items() if name not in ("DELETE", "ORDER")})
        return rows


GradeFormSet = forms.formset_factory(GradeForm, formset=_RowsFormSet, extra=1, can_delete=True, max_num=20, validate_max=True)
GradeCapFormSet = forms.formset_factory(GradeCapForm, formset=_RowsFormSet, extra=1, can_delete=True, max_num=20, validate_max=True)
TieBreakerFormSet = forms.formset_factory(
    TieBreakerForm, formset=_RowsFormSet, extra=1, can_delete=True, can_order=True, max_num=20, validate_max=True
)


# --- Clone and import ----------------------------------------------------------------------------


class CloneForm(forms.Form):
    source = forms.ModelChoiceField(label=gettext_lazy("Scheme to copy"), queryset=Scheme.objects.none())
    year = forms.IntegerField(label=gettext_lazy("For the year"), min_value=1990, max_value=2100)
    name = forms.CharField(label=gettext_lazy("Name of the copy"), max_length=300, required=False,
                           help_text=gettext_lazy("Empty: the same name."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Scheme.objects.order_by("-year", "name", "-version")
        self.fields["year"].initial = timezone.localdate().year

    def clean_name(self) -> str:
        return nfc(" ".join(self.cleaned_data["name"].split()))


MAX_JSON_BYTES = 5 * 1024 * 1024


def validate_scheme_file(upload) -> None:
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        validate_upload(upload)
        return
    if not name.endswith(".json"):
        raise ValidationError(_("Upload a scheme exported as JSON (.json) or Excel (.xlsx)."), code="bad_type")
    if upload.size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": upload.name}, code="empty")
    if upload.size > MAX_JSON_BYTES:
        raise ValidationError(_("A scheme file may be at most 5 MB."), code="too_large")


class SchemeImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Scheme file (.json or .xlsx)"), validators=[validate_scheme_file],
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.xlsx,application/json"}),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=300, required=False,
                           help_text=gettext_lazy("Empty: the name in the file."))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1990, max_value=2100, required=False,
                              help_text=gettext_lazy("Empty: the year in the file."))

    def clean_name(self) -> str:
        return nfc(" ".join(self.cleaned_data["name"].split()))
