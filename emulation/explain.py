"""Sentences for people: the engine's trace steps and validation problems, and a scheme line's rule
in words ("100 = 2; 95–<100 = 1,75; …"), in the active language with Vietnamese number formats.

The engine (emulation/engine.py) speaks in codes with JSON parameters; every code it documents has a
sentence here (tests/emulation/test_explain.py checks that against the engine's source). A code this
module does not know yet still gives a readable fallback instead of an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from emulation.metrics import METRICS

EMPTY = "—"


# --- Numbers and bands ---------------------------------------------------------------------------


def number(value: Any) -> str:
    """A decimal as people read it: 1,75 in Vietnamese, 1.75 in English; no trailing zeros."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return str(value)
    try:
        decimal = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return str(value)
    if not decimal.is_finite():
        return str(value)
    decimal = decimal.normalize()
    if decimal == 0:
        decimal = Decimal(0)
    return formats.number_format(decimal, use_l10n=True, force_grouping=True)


def _get(item: Any, name: str, default: Any = None) -> Any:
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def tier_band(tier: Any) -> str:
    """The range of a tier as printed in the ministry's tables: "95–<100", "≥ 95", "< 60", "= 100"."""
    lower, upper = _get(tier, "lower"), _get(tier, "upper")
    lower_inclusive = bool(_get(tier, "lower_inclusive", True))
    upper_inclusive = bool(_get(tier, "upper_inclusive", False))
    if lower is not None and upper is not None:
        if Decimal(str(lower)) == Decimal(str(upper)):
            return f"= {number(lower)}"
        left = number(lower) if lower_inclusive else f">{number(lower)}"
        right = number(upper) if upper_inclusive else f"<{number(upper)}"
        return f"{left}–{right}"
    if lower is not None:
        return f"{'≥' if lower_inclusive else '>'} {number(lower)}"
    if upper is not None:
        return f"{'≤' if upper_inclusive else '<'} {number(upper)}"
    return _("any value")


def _lateness_band(tier: Any) -> str:
    lower, upper = _get(tier, "lower"), _get(tier, "upper")
    if lower is not None and upper is not None and Decimal(str(lower)) == Decimal(str(upper)) == 0:
        return _("on time")
    if lower is None and upper is not None and Decimal(str(upper)) in (0, 1) and not (
        Decimal(str(upper)) == 1 and _get(tier, "upper_inclusive", False)
    ):
        return _("on time")
    return _("%(band)s days late") % {"band": tier_band(tier)}


def tiers_text(tiers: Any, *, lateness: bool = False) -> str:
    """All tiers of a line: "100 = 2; 95–<100 = 1,75; < 60 = 0"."""
    band = _lateness_band if lateness else tier_band
    return "; ".join(f"{band(tier)} = {number(_get(tier, 'points'))}" for tier in tiers or ())


def metric_label(name: str) -> str:
    label = METRICS.get(name)
    return str(label) if label is not None else name


def rule_summary(node: Any) -> str:
    """How a line is scored, in words (Cách chấm): a SchemeNode, an engine Node or a node dict."""
    kind = _get(node, "kind")
    maximum = _get(node, "max_points")
    formula = _get(node, "formula") or ""
    inputs = list(_get(node, "inputs") or ())
    tiers = list(_get(node, "tiers") or ())
    parts: list[str] = []
    if kind == "group":
        parts.append(_("Sum of the lines, at most %(max)s") % {"max": number(maximum)} if maximum is not None
                     else _("Sum of the lines"))
    elif kind == "bonus":
        parts.append(_("Bonus points, at most %(max)s in all") % {"max": number(maximum)})
    elif kind == "deduction":
        parts.append(_("Deduction points, at most %(max)s in all") % {"max": number(maximum)})
    elif kind == "manual":
        parts.append(_("0 to %(max)s points") % {"max": number(maximum)} if maximum is not None
                     else _("Points as entered"))
        if _get(node, "step") is not None:
            parts.append(_("in steps of %(step)s") % {"step": number(_get(node, "step"))})
    elif kind == "yes_no":
        parts.append(_("Yes = %(max)s; no = 0") % {"max": number(maximum)})
    elif kind == "tiered":
        parts.append(tiers_text(tiers))
    elif kind == "lateness":
        parts.append(tiers_text(tiers, lateness=True))
    elif kind == "formula":
        parts.append(_("= %(formula)s (entered: %(inputs)s)") % {"formula": formula, "inputs": ", ".join(inputs) or EMPTY})
    elif kind == "auto":
        parts.append(_("From the portal: %(figure)s") % {"figure": metric_label(_get(node, "measure") or "")})
        if tiers:
            parts.append(tiers_text(tiers))
        elif formula:
            parts.append(f"= {formula}")
    else:
        parts.append(str(kind))
    gate = _get(node, "gate") or ""
    if gate == "evidence":
        parts.append(_("zero without evidence"))
    elif gate:
        parts.append(_("zero unless “%(condition)s”") % {"condition": gate})
    return " — ".join(part for part in parts if part)


# --- Trace steps ----------------------------------------------------------------------------------

_VALUE_FIELDS = {
    "points": lambda: _("points"),
    "flag": lambda: _("yes / no answer"),
    "value": lambda: _("measured value"),
    "metric": lambda: _("portal figure"),
}

_FORMULA_ERRORS = {
    "division_by_zero": lambda: _("division by zero"),
    "missing_input": lambda: _("a value is missing (%(detail)s)"),
    "syntax": lambda: _("the formula cannot be read (%(detail)s)"),
    "not_allowed": lambda: _("the formula uses something not allowed (%(detail)s)"),
    "too_long": lambda: _("the formula is too long or nested too deeply"),
    "invalid_input": lambda: _("a value is not a usable number (%(detail)s)"),
    "arithmetic": lambda: _("the calculation failed (%(detail)s)"),
}


def _formula_error(params: Mapping[str, Any]) -> str:
    reason = _FORMULA_ERRORS.get(params.get("error"))
    text = reason() if reason else _("error %(error)s (%(detail)s)")
    return text % {"detail": params.get("detail", ""), "error": params.get("error", "")}


def _grade_name(key: Any, labels: Mapping[str, str] | None) -> str:
    if key is None:
        return EMPTY
    return str((labels or {}).get(key, key))


def _trace_missing_value(p, labels):
    field = _VALUE_FIELDS.get(p.get("field"))
    return _("No %(field)s entered: 0 points.") % {"field": field() if field else p.get("field")}


def _trace_gated_out(p, labels):
    if p.get("kind") == "evidence":
        return _("No evidence attached: the line scores 0.")
    return _("The condition “%(condition)s” is not met: the line scores 0.") % {"condition": p.get("gate")}


def _trace_invalid_number(p, labels):
    field = _VALUE_FIELDS.get(p.get("field"))
    return _("The %(field)s “%(value)s” is not a usable number: 0 points.") % {
        "field": field() if field else p.get("field"), "value": p.get("value"),
    }


def _trace_yes_no(p, labels):
    if p.get("flag"):
        return _("Yes → %(points)s.") % {"points": number(p.get("points"))}
    return _("No → 0.")


def _trace_tier_matched(p, labels):
    return _("Tier %(band)s matched %(value)s → %(points)s.") % {
        "band": tier_band(p), "value": number(p.get("value")), "points": number(p.get("points")),
    }


def _trace_no_tier_matched(p, labels):
    return ngettext(
        "%(value)s is in none of the %(count)d tier: 0 points.",
        "%(value)s is in none of the %(count)d tiers: 0 points.",
        int(p.get("tiers") or 0),
    ) % {"value": number(p.get("value")), "count": int(p.get("tiers") or 0)}


def _trace_formula(p, labels):
    values = p.get("values") or {}
    shown = ", ".join(f"{name} = {number(value)}" for name, value in values.items())
    if shown:
        return _("%(expression)s with %(values)s = %(result)s.") % {
            "expression": p.get("expression"), "values": shown, "result": number(p.get("result")),
        }
    return _("%(expression)s = %(result)s.") % {"expression": p.get("expression"), "result": number(p.get("result"))}


def _trace_sum(p, labels):
    count = int(p.get("children") or 0)
    if p.get("max") is None:
        return ngettext("Sum of %(count)d line: %(raw)s.", "Sum of %(count)d lines: %(raw)s.", count) % {
            "count": count, "raw": number(p.get("raw")),
        }
    return ngettext(
        "Sum of %(count)d line: %(raw)s (at most %(max)s).", "Sum of %(count)d lines: %(raw)s (at most %(max)s).", count
    ) % {"count": count, "raw": number(p.get("raw")), "max": number(p.get("max"))}


def _trace_grade_checked(p, labels):
    params = {"grade": _grade_name(p.get("grade"), labels), "min": number(p.get("min_total")), "total": number(p.get("total"))}
    if not p.get("threshold_met"):
        return _("%(grade)s needs at least %(min)s; the total is %(total)s: not reached.") % params
    zero_lines = p.get("zero_lines") or []
    if zero_lines:
        params["lines"] = ", ".join(str(key) for key in zero_lines[:10]) + ("…" if len(zero_lines) > 10 else "")
        return _("%(grade)s (at least %(min)s, no line at zero): the total %(total)s is enough, but these lines are at zero: %(lines)s.") % params
    return _("%(grade)s (at least %(min)s): the total %(total)s is enough.") % params


def _trace_grade_capped(p, labels):
    return _("The unit is flagged “%(flag)s”: its grade can be at best %(max_grade)s, so %(from)s becomes %(to)s.") % {
        "flag": p.get("flag"),
        "max_grade": _grade_name(p.get("max_grade"), labels),
        "from": _grade_name(p.get("from"), labels),
        "to": _grade_name(p.get("to"), labels) if p.get("to") is not None else _("no grade"),
    }


def _trace_grade(p, labels):
    if p.get("grade") is None:
        return _("No grade reached (total %(total)s).") % {"total": number(p.get("total"))}
    label = p.get("label") or _grade_name(p.get("grade"), labels)
    return _("Grade: %(grade)s (total %(total)s).") % {"grade": label, "total": number(p.get("total"))}


_TRACE = {
    "missing_entry": lambda p, labels: _("Nothing entered: 0 points."),
    "missing_value": _trace_missing_value,
    "gated_out": _trace_gated_out,
    "gate_ignored": lambda p, labels: _("The condition “%(condition)s” does not apply to deduction lines.")
    % {"condition": p.get("gate")},
    "invalid_number": _trace_invalid_number,
    "negative": lambda p, labels: _("Negative points (%(points)s) are not allowed: 0 points.")
    % {"points": number(p.get("points"))},
    "not_a_step": lambda p, labels: _("%(points)s is not a multiple of %(step)s: 0 points.")
    % {"points": number(p.get("points")), "step": number(p.get("step"))},
    "manual": lambda p, labels: _("Points entered: %(points)s.") % {"points": number(p.get("points"))},
    "yes_no": _trace_yes_no,
    "tier_matched": _trace_tier_matched,
    "no_tier_matched": _trace_no_tier_matched,
    "metric": lambda p, labels: _("Portal figure “%(figure)s”: %(value)s.")
    % {"figure": metric_label(p.get("measure", "")), "value": number(p.get("value"))},
    "missing_metric": lambda p, labels: _("The portal has no figure “%(figure)s” for this unit: 0 points.")
    % {"figure": metric_label(p.get("measure", ""))},
    "formula": _trace_formula,
    "formula_error": lambda p, labels: _("Formula %(expression)s: %(reason)s, so 0 points.")
    % {"expression": p.get("expression", ""), "reason": _formula_error(p)},
    "unknown_kind": lambda p, labels: _("Unknown scoring kind “%(kind)s”: 0 points.") % {"kind": p.get("kind")},
    "capped": lambda p, labels: _("%(raw)s is above the maximum: capped at %(max)s.")
    % {"raw": number(p.get("raw")), "max": number(p.get("max"))},
    "floored": lambda p, labels: _("%(raw)s is below zero: counted as 0.") % {"raw": number(p.get("raw"))},
    "out_of_range": lambda p, labels: _("%(raw)s is out of the allowed range: 0 points.") % {"raw": number(p.get("raw"))},
    "sum": _trace_sum,
    "deduction": lambda p, labels: _("%(points)s points deducted.") % {"points": number(p.get("points"))},
    "grade_checked": _trace_grade_checked,
    "grade_capped": _trace_grade_capped,
    "grade_cap_unknown": lambda p, labels: _("The cap for “%(flag)s” names a grade the scheme does not have (%(grade)s): ignored.")
    % {"flag": p.get("flag"), "grade": p.get("max_grade")},
    "grade": _trace_grade,
}
TRACE_CODES = frozenset(_TRACE)


def trace_sentence(step: Any, *, grade_labels: Mapping[str, str] | None = None) -> str:
    """One engine TraceStep (or a {"code", "params"} dict) as a sentence, e.g.
    "Tier 95–<100 matched 97,3 → 1,75." `grade_labels` maps grade keys to their labels."""
    code, params = _get(step, "code"), _get(step, "params") or {}
    render = _TRACE.get(code)
    if render is None:
        return f"{code}: {params}"
    try:
        return render(params, grade_labels)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return f"{code}: {params}"


def trace_sentences(steps: Any, *, grade_labels: Mapping[str, str] | None = None) -> list[str]:
    return [trace_sentence(step, grade_labels=grade_labels) for step in steps or ()]


# --- Validation problems ---------------------------------------------------------------------------

_KIND_WORDS = {
    "group": lambda: _("section"),
    "bonus": lambda: _("bonus group"),
    "deduction": lambda: _("deduction group"),
    "manual": lambda: _("points line"),
    "yes_no": lambda: _("yes/no line"),
    "tiered": lambda: _("tiered line"),
    "lateness": lambda: _("lateness line"),
    "formula": lambda: _("formula line"),
    "auto": lambda: _("automatic line"),
}


def _kind(value: Any) -> str:
    word = _KIND_WORDS.get(value)
    return word() if word else str(value)


def _tier_number(index: Any) -> int:
    try:
        return int(index) + 1
    except (TypeError, ValueError):
        return 0


def _problem_formula(p) -> str:
    return _("The formula “%(expression)s” cannot be used: %(reason)s.") % {
        "expression": p.get("expression", ""), "reason": _formula_error(p),
    }


def _problem_tier_gap(p) -> str:
    if "value" in p:
        return _("No tier contains the value %(value)s: it would score 0.") % {"value": number(p.get("value"))}
    lower, upper = p.get("lower"), p.get("upper")
    if lower is not None and upper is not None and lower != upper:
        return _("No tier contains the values between %(lower)s and %(upper)s: they would score 0.") % {
            "lower": number(lower), "upper": number(upper),
        }
    return _("No tier contains the value %(value)s: it would score 0.") % {"value": number(lower if lower is not None else upper)}


_PROBLEMS = {
    "root_not_group": lambda p: _("The top of the table must be a section, not a %(kind)s.") % {"kind": _kind(p.get("kind"))},
    "duplicate_key": lambda p: _("The key is used by %(count)s lines; each line needs its own key.") % {"count": p.get("count")},
    "empty_key": lambda p: _("A line has no key."),
    "unknown_kind": lambda p: _("“%(kind)s” is not a scoring kind.") % {"kind": p.get("kind")},
    "negative_max": lambda p: _("The maximum points (%(max)s) cannot be negative.") % {"max": number(p.get("max"))},
    "missing_cap": lambda p: _("A %(kind)s needs a maximum (its cap).") % {"kind": _kind(p.get("kind"))},
    "nested_deduction": lambda p: _("A deduction group inside another deduction group deducts twice."),
    "gate_on_group": lambda p: _("Conditions apply to lines, not to sections; the condition “%(gate)s” is ignored.")
    % {"gate": p.get("gate")},
    "empty_group": lambda p: _("This section has no lines yet."),
    "children_exceed_parent": lambda p: _(
        "The lines below add up to %(children)s, more than this section's maximum of %(max)s; the section is capped at %(max)s."
    ) % {"children": number(p.get("children_max")), "max": number(p.get("max"))},
    "parent_unreachable": lambda p: _(
        "The lines below add up to only %(children)s, so this section's maximum of %(max)s cannot be reached."
    ) % {"children": number(p.get("children_max")), "max": number(p.get("max"))},
    "leaf_has_children": lambda p: _("A %(kind)s cannot have lines under it; make it a section.") % {"kind": _kind(p.get("kind"))},
    "missing_max": lambda p: _("A %(kind)s needs its maximum points.") % {"kind": _kind(p.get("kind"))},
    "gate_under_deduction": lambda p: _("The condition “%(gate)s” is ignored on deduction lines.") % {"gate": p.get("gate")},
    "invalid_step": lambda p: _("The step (%(step)s) must be above zero.") % {"step": number(p.get("step"))},
    "step_unused": lambda p: _("A step only applies to points lines; it is ignored on a %(kind)s.") % {"kind": _kind(p.get("kind"))},
    "max_not_a_step": lambda p: _("The maximum %(max)s is not a multiple of the step %(step)s, so it cannot be entered.")
    % {"max": number(p.get("max")), "step": number(p.get("step"))},
    "missing_tiers": lambda p: _("A %(kind)s needs at least one tier.") % {"kind": _kind(p.get("kind"))},
    "missing_measure": lambda p: _("Choose the portal figure this automatic line uses."),
    "missing_formula": lambda p: _("A formula line needs its formula."),
    "invalid_input_name": lambda p: _(
        "“%(name)s” cannot name a value: use letters, digits and _ (not starting with a digit), and not min, max, abs or round."
    ) % {"name": p.get("name")},
    "formula_syntax": _problem_formula,
    "formula_not_allowed": _problem_formula,
    "formula_unknown_name": lambda p: _(
        "The formula uses “%(name)s”, which is not one of its declared values (%(declared)s)."
    ) % {"name": p.get("name"), "declared": ", ".join(p.get("declared") or ()) or EMPTY},
    "formula_unused": lambda p: _("The formula is ignored: this line is scored by its tiers.") if p.get("reason") == "tiers"
    else _("The formula is ignored on a %(kind)s.") % {"kind": _kind(p.get("reason"))},
    "tiers_unused": lambda p: _("The tiers are ignored on a %(kind)s.") % {"kind": _kind(p.get("kind"))},
    "negative_points": lambda p: _("Tier %(tier)d gives negative points (%(points)s).")
    % {"tier": _tier_number(p.get("tier")), "points": number(p.get("points"))},
    "tier_points_exceed_max": lambda p: _("Tier %(tier)d gives %(points)s points, more than the line's maximum of %(max)s.")
    % {"tier": _tier_number(p.get("tier")), "points": number(p.get("points")), "max": number(p.get("max"))},
    "tier_empty": lambda p: _("Tier %(tier)d contains no value (from %(lower)s to %(upper)s).")
    % {"tier": _tier_number(p.get("tier")), "lower": number(p.get("lower")), "upper": number(p.get("upper"))},
    "tier_overlap": lambda p: _("Tiers %(first)d and %(second)d overlap; the first one that matches wins.")
    % {"first": _tier_number((p.get("tiers") or [0, 0])[0]), "second": _tier_number((p.get("tiers") or [0, 0])[-1])},
    "tier_gap": _problem_tier_gap,
    "duplicate_grade": lambda p: _("The grade key “%(grade)s” is used twice.") % {"grade": p.get("grade")},
    "grades_not_descending": lambda p: _(
        "Grades go from best to worst: “%(grade)s” (from %(min)s) cannot need more than “%(previous)s” (from %(previous_min)s)."
    ) % {
        "grade": p.get("grade"), "min": number(p.get("min_total")),
        "previous": p.get("previous"), "previous_min": number(p.get("previous_min_total")),
    },
    "cap_unknown_grade": lambda p: _("The grade cap for “%(flag)s” names the grade “%(grade)s”, which the scheme does not have.")
    % {"flag": p.get("flag"), "grade": p.get("max_grade")},
    "tie_breaker_unknown_kind": lambda p: _("“%(kind)s” is not a kind of tie-breaker.") % {"kind": p.get("kind")},
    "tie_breaker_unknown_node": lambda p: _("The tie-breaker “%(ref)s” names a line that is not in the table.") % {"ref": p.get("ref")},
    "tie_breaker_unknown_input": lambda p: _(
        "The tie-breaker “%(ref)s” names a value this line does not have (use points, value or one of its declared values)."
    ) % {"ref": p.get("ref")},
    "tie_breaker_bad_ref": lambda p: _(
        "The tie-breaker “%(ref)s” is incomplete: a value on a line is written as line key:value name, a portal figure by its name."
    ) % {"ref": p.get("ref")},
}
PROBLEM_CODES = frozenset(_PROBLEMS)


def problem_sentence(problem: Any) -> str:
    """One engine validation Problem (or a {"code", "params"} dict) as a sentence for the editor."""
    code, params = _get(problem, "code"), _get(problem, "params") or {}
    render = _PROBLEMS.get(code)
    if render is None:
        return f"{code}: {params}"
    try:
        return render(params)
    except (KeyError, TypeError, ValueError, IndexError, InvalidOperation):
        return f"{code}: {params}"
