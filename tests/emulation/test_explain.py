"""Sentences for the engine's trace steps and validation problems, and rules in words: every code the
engine documents or emits has its own sentence, numbers read 1,75 in Vietnamese and 1.75 in English."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from emulation import engine, explain
from emulation.engine import Problem, TraceStep

ENGINE_SOURCE = Path(engine.__file__).read_text(encoding="utf-8")


def engine_trace_codes() -> set[str]:
    """Every TraceStep code the engine emits (its source) or documents (its docstring)."""
    emitted = set(re.findall(r'TraceStep\(\s*"(\w+)"', ENGINE_SOURCE))
    emitted |= set(re.findall(r'line\.fail\(\s*"(\w+)"', ENGINE_SOURCE))
    docstring = engine.__doc__.split("Trace codes", 1)[1].split("Ranking", 1)[0]
    documented = set(re.findall(r"^ {2}(\w+)\s+[{]", docstring, flags=re.MULTILINE))
    return emitted | documented


def engine_problem_codes() -> set[str]:
    """Every validate() code: add("error"|"warning", key, "code", ...), whatever the line breaks."""
    codes = set(re.findall(r'add\(\s*"(?:error|warning)",\s*[\w.]+,\s*(?:"(\w+)"|code)', ENGINE_SOURCE))
    codes.discard("")
    # formula problems pick their code at run time from these two
    codes |= {"formula_syntax", "formula_not_allowed"}
    section = engine.__doc__.split("Validation", 1)[1]
    section = re.sub(r"\{[^}]*\}|\([^)]*\)", "", section)
    codes |= set(re.findall(r"\b([a-z]+(?:_[a-z]+)+)\b", section))
    return codes


def test_the_scan_of_the_engine_finds_its_codes():
    assert {"tier_matched", "capped", "grade", "formula_error", "sum", "deduction"} <= engine_trace_codes()
    assert {"children_exceed_parent", "missing_cap", "formula_unknown_name", "tie_breaker_unknown_node"} <= engine_problem_codes()


def test_every_engine_trace_code_has_a_sentence():
    assert engine_trace_codes() - explain.TRACE_CODES == set()


def test_every_engine_problem_code_has_a_sentence():
    assert engine_problem_codes() - explain.PROBLEM_CODES == set()


# One example step per code with the sentence expected in English and in Vietnamese-style numbers.
TRACE_EXAMPLES = [
    (TraceStep("missing_entry", {}), "Nothing entered: 0 points."),
    (TraceStep("missing_value", {"field": "points"}), "No points entered: 0 points."),
    (TraceStep("missing_value", {"field": "flag"}), "No yes / no answer entered: 0 points."),
    (TraceStep("missing_value", {"field": "value"}), "No measured value entered: 0 points."),
    (TraceStep("gated_out", {"gate": "evidence", "kind": "evidence", "value": False}), "No evidence attached: the line scores 0."),
    (TraceStep("gated_out", {"gate": "no_violation", "kind": "condition", "value": None}),
     "The condition “no_violation” is not met: the line scores 0."),
    (TraceStep("gate_ignored", {"gate": "evidence", "reason": "under_deduction"}),
     "The condition “evidence” does not apply to deduction lines."),
    (TraceStep("invalid_number", {"field": "value", "value": "NaN"}), "The measured value “NaN” is not a usable number: 0 points."),
    (TraceStep("negative", {"points": "-1"}), "Negative points (-1) are not allowed: 0 points."),
    (TraceStep("not_a_step", {"points": "1.3", "step": "0.25"}), "1.3 is not a multiple of 0.25: 0 points."),
    (TraceStep("manual", {"points": "1.75"}), "Points entered: 1.75."),
    (TraceStep("yes_no", {"flag": True, "points": "2"}), "Yes → 2."),
    (TraceStep("yes_no", {"flag": False, "points": "0"}), "No → 0."),
    (TraceStep("tier_matched", {"index": 1, "value": "97.3", "lower": "95", "upper": "100", "lower_inclusive": True,
                                "upper_inclusive": False, "points": "1.75"}), "Tier 95–<100 matched 97.3 → 1.75."),
    (TraceStep("no_tier_matched", {"value": "12", "tiers": 3}), "12 is in none of the 3 tiers: 0 points."),
    (TraceStep("metric", {"measure": "office.on_time_rate", "value": "97.50"}),
     "Portal figure “Work plan: tasks completed on time (%)”: 97.5."),
    (TraceStep("missing_metric", {"measure": "office.unknown"}), "The portal has no figure “office.unknown” for this unit: 0 points."),
    (TraceStep("formula", {"expression": "b / a * 20", "values": {"a": "10", "b": "9"}, "result": "18.0"}),
     "b / a * 20 with a = 10, b = 9 = 18."),
    (TraceStep("formula_error", {"expression": "b / a", "error": "division_by_zero", "detail": "division by zero"}),
     "Formula b / a: division by zero, so 0 points."),
    (TraceStep("formula_error", {"expression": "b / a", "error": "missing_input", "detail": "a"}),
     "Formula b / a: a value is missing (a), so 0 points."),
    (TraceStep("unknown_kind", {"kind": "magic"}), "Unknown scoring kind “magic”: 0 points."),
    (TraceStep("capped", {"raw": "12", "max": "10"}), "12 is above the maximum: capped at 10."),
    (TraceStep("floored", {"raw": "-3", "min": "0"}), "-3 is below zero: counted as 0."),
    (TraceStep("out_of_range", {"raw": "1E+13", "limit": "1E+12"}), "10,000,000,000,000 is out of the allowed range: 0 points."),
    (TraceStep("sum", {"children": 3, "raw": "12.5", "max": "10"}), "Sum of 3 lines: 12.5 (at most 10)."),
    (TraceStep("sum", {"children": 1, "raw": "4", "max": None}), "Sum of 1 line: 4."),
    (TraceStep("deduction", {"points": "1.5", "score": "-1.5"}), "1.5 points deducted."),
    (TraceStep("grade_checked", {"grade": "excellent", "min_total": "95", "total": "90", "threshold_met": False, "eligible": False}),
     "Excellent needs at least 95; the total is 90: not reached."),
    (TraceStep("grade_checked", {"grade": "excellent", "min_total": "95", "total": "97", "threshold_met": True,
                                 "zero_lines": ["A.1"], "eligible": False}),
     "Excellent (at least 95, no line at zero): the total 97 is enough, but these lines are at zero: A.1."),
    (TraceStep("grade_checked", {"grade": "good", "min_total": "85", "total": "90", "threshold_met": True, "eligible": True}),
     "good (at least 85): the total 90 is enough."),
    (TraceStep("grade_capped", {"flag": "disciplined", "max_grade": "good", "from": "excellent", "to": "good"}),
     "The unit is flagged “disciplined”: its grade can be at best good, so Excellent becomes good."),
    (TraceStep("grade_cap_unknown", {"flag": "x", "max_grade": "best"}),
     "The cap for “x” names a grade the scheme does not have (best): ignored."),
    (TraceStep("grade", {"grade": "excellent", "label": "Xuất sắc", "total": "97.25"}), "Grade: Xuất sắc (total 97.25)."),
    (TraceStep("grade", {"grade": None, "label": None, "total": "40"}), "No grade reached (total 40)."),
]


@pytest.mark.parametrize(("step", "sentence"), TRACE_EXAMPLES, ids=[f"{s.code}-{i}" for i, (s, _) in enumerate(TRACE_EXAMPLES)])
def test_trace_sentence_in_english(step, sentence):
    with translation.override("en"):
        assert explain.trace_sentence(step, grade_labels={"excellent": "Excellent"}) == sentence


def test_trace_examples_cover_every_code():
    assert {step.code for step, _ in TRACE_EXAMPLES} == explain.TRACE_CODES


def test_every_formula_error_reason_has_words():
    with translation.override("en"):
        for code in ("division_by_zero", "missing_input", "syntax", "not_allowed", "too_long", "invalid_input", "arithmetic"):
            sentence = explain.trace_sentence(TraceStep("formula_error", {"expression": "a", "error": code, "detail": "d"}))
            assert code not in sentence


def test_tier_sentence_uses_vietnamese_numbers():
    step = TraceStep("tier_matched", {"index": 1, "value": "97.3", "lower": "95", "upper": "100",
                                      "lower_inclusive": True, "upper_inclusive": False, "points": "1.75"})
    with translation.override("vi"):
        sentence = explain.trace_sentence(step)
    assert "95–<100" in sentence
    assert "97,3" in sentence
    assert "1,75" in sentence


def test_trace_sentence_accepts_a_stored_dict_and_survives_unknown_codes():
    with translation.override("en"):
        assert explain.trace_sentence({"code": "manual", "params": {"points": "2"}}) == "Points entered: 2."
        assert explain.trace_sentence({"code": "brand_new", "params": {"a": 1}}) == "brand_new: {'a': 1}"
        # a step with malformed params does not break the page
        assert explain.trace_sentence(TraceStep("no_tier_matched", {"value": "1", "tiers": "many"})).startswith("no_tier_matched")


def test_trace_sentences_of_a_real_score():
    node = engine.Node(key="r", kind="tiered", max_points=Decimal(2), tiers=(
        engine.Tier(points=Decimal(2), lower=Decimal(100)),
        engine.Tier(points=Decimal("1.75"), lower=Decimal(95), upper=Decimal(100)),
    ))
    scheme = engine.Scheme(root=engine.Node(key="__total__", kind="group", children=(node,)))
    result = engine.score(scheme, engine.UnitInputs(entries={"r": engine.Entry(value=Decimal("97.3"))}))
    with translation.override("vi"):
        assert explain.trace_sentences(result.nodes["r"].trace) == [explain.trace_sentence(result.nodes["r"].trace[0])]
        assert "97,3" in explain.trace_sentences(result.nodes["r"].trace)[0]


PROBLEM_EXAMPLES = {
    "root_not_group": ({"kind": "manual"}, "The top of the table must be a section, not a points line."),
    "duplicate_key": ({"count": 2}, "The key is used by 2 lines; each line needs its own key."),
    "empty_key": ({}, "A line has no key."),
    "unknown_kind": ({"kind": "magic"}, "“magic” is not a scoring kind."),
    "negative_max": ({"max": "-1"}, "The maximum points (-1) cannot be negative."),
    "missing_cap": ({"kind": "bonus"}, "A bonus group needs a maximum (its cap)."),
    "nested_deduction": ({}, "A deduction group inside another deduction group deducts twice."),
    "gate_on_group": ({"gate": "evidence"}, "Conditions apply to lines, not to sections; the condition “evidence” is ignored."),
    "empty_group": ({}, "This section has no lines yet."),
    "children_exceed_parent": ({"children_max": "12.5", "max": "10"},
                               "The lines below add up to 12.5, more than this section's maximum of 10; the section is capped at 10."),
    "parent_unreachable": ({"children_max": "8", "max": "10"},
                           "The lines below add up to only 8, so this section's maximum of 10 cannot be reached."),
    "leaf_has_children": ({"kind": "yes_no", "children": 2}, "A yes/no line cannot have lines under it; make it a section."),
    "missing_max": ({"kind": "yes_no"}, "A yes/no line needs its maximum points."),
    "gate_under_deduction": ({"gate": "evidence"}, "The condition “evidence” is ignored on deduction lines."),
    "invalid_step": ({"step": "0"}, "The step (0) must be above zero."),
    "step_unused": ({"kind": "tiered"}, "A step only applies to points lines; it is ignored on a tiered line."),
    "max_not_a_step": ({"max": "2", "step": "0.3"}, "The maximum 2 is not a multiple of the step 0.3, so it cannot be entered."),
    "missing_tiers": ({"kind": "lateness"}, "A lateness line needs at least one tier."),
    "missing_measure": ({}, "Choose the portal figure this automatic line uses."),
    "missing_formula": ({}, "A formula line needs its formula."),
    "invalid_input_name": ({"name": "1a"}, "“1a” cannot name a value: use letters, digits and _ (not starting with a digit), and not min, max, abs or round."),
    "formula_syntax": ({"error": "syntax", "detail": "invalid syntax", "expression": "a +"},
                       "The formula “a +” cannot be used: the formula cannot be read (invalid syntax)."),
    "formula_not_allowed": ({"error": "not_allowed", "detail": "Attribute is not allowed", "expression": "a.b"},
                            "The formula “a.b” cannot be used: the formula uses something not allowed (Attribute is not allowed)."),
    "formula_unknown_name": ({"name": "c", "declared": ["a", "b"], "expression": "a + c"},
                             "The formula uses “c”, which is not one of its declared values (a, b)."),
    "formula_unused": ({"reason": "tiers"}, "The formula is ignored: this line is scored by its tiers."),
    "tiers_unused": ({"kind": "manual"}, "The tiers are ignored on a points line."),
    "negative_points": ({"tier": 0, "points": "-1"}, "Tier 1 gives negative points (-1)."),
    "tier_points_exceed_max": ({"tier": 1, "points": "3", "max": "2"}, "Tier 2 gives 3 points, more than the line's maximum of 2."),
    "tier_empty": ({"tier": 0, "lower": "5", "upper": "3"}, "Tier 1 contains no value (from 5 to 3)."),
    "tier_overlap": ({"tiers": [0, 2]}, "Tiers 1 and 3 overlap; the first one that matches wins."),
    "tier_gap": ({"lower": "60", "upper": "70"}, "No tier contains the values between 60 and 70: they would score 0."),
    "tie_breaker_unknown_input": ({"kind": "input", "ref": "A.1:z"},
                                  "The tie-breaker “A.1:z” names a value this line does not have (use points, value or one of its declared values)."),
    "duplicate_grade": ({"grade": "good"}, "The grade key “good” is used twice."),
    "grades_not_descending": ({"grade": "good", "min_total": "90", "previous": "excellent", "previous_min_total": "85"},
                              "Grades go from best to worst: “good” (from 90) cannot need more than “excellent” (from 85)."),
    "cap_unknown_grade": ({"flag": "disciplined", "max_grade": "best"},
                          "The grade cap for “disciplined” names the grade “best”, which the scheme does not have."),
    "tie_breaker_unknown_kind": ({"kind": "luck", "ref": "x"}, "“luck” is not a kind of tie-breaker."),
    "tie_breaker_unknown_node": ({"kind": "node", "ref": "Z.9"}, "The tie-breaker “Z.9” names a line that is not in the table."),
    "tie_breaker_bad_ref": ({"kind": "input", "ref": "A.1"},
                            "The tie-breaker “A.1” is incomplete: a value on a line is written as line key:value name, a portal figure by its name."),
}


@pytest.mark.parametrize("code", sorted(PROBLEM_EXAMPLES))
def test_problem_sentence_in_english(code):
    params, sentence = PROBLEM_EXAMPLES[code]
    with translation.override("en"):
        assert explain.problem_sentence(Problem("error", "k", code, params)) == sentence


def test_problem_examples_cover_every_code():
    assert set(PROBLEM_EXAMPLES) == explain.PROBLEM_CODES


def test_tier_gap_sentence_for_a_single_value():
    with translation.override("vi"):
        sentence = explain.problem_sentence(Problem("warning", "k", "tier_gap", {"lower": "97.5", "upper": "97.5"}))
    assert "97,5" in sentence
    assert "between" not in sentence


def test_problem_sentence_uses_vietnamese_numbers():
    problem = Problem("warning", "A", "children_exceed_parent", {"children_max": "12.5", "max": "10"})
    with translation.override("vi"):
        assert "12,5" in explain.problem_sentence(problem)


def test_problem_sentences_of_a_real_validation():
    scheme = engine.Scheme(root=engine.Node(key="__total__", kind="group", children=(
        engine.Node(key="B", kind="bonus", children=(engine.Node(key="b1", kind="manual", max_points=Decimal(1)),)),
        engine.Node(key="f", kind="formula", max_points=Decimal(2), formula="a / c", inputs=("a",)),
    )))
    with translation.override("en"):
        sentences = {p.code: explain.problem_sentence(p) for p in engine.validate(scheme)}
    assert sentences["missing_cap"] == "A bonus group needs a maximum (its cap)."
    assert sentences["formula_unknown_name"] == "The formula uses “c”, which is not one of its declared values (a)."


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [("1.75", "1,75", "1.75"), ("97.30", "97,3", "97.3"), ("100.00", "100", "100"), ("1234.5", "1.234,5", "1,234.5"),
     ("0.00", "0", "0"), (None, "—", "—"), ("abc", "abc", "abc"), (Decimal("2"), "2", "2")],
)
def test_number_formats(value, vi, en):
    with translation.override("vi"):
        assert explain.number(value) == vi
    with translation.override("en"):
        assert explain.number(value) == en


@pytest.mark.parametrize(
    ("tier", "band"),
    [
        ({"lower": "95", "upper": "100", "lower_inclusive": True, "upper_inclusive": False}, "95–<100"),
        ({"lower": "95", "upper": "100", "lower_inclusive": False, "upper_inclusive": True}, ">95–100"),
        ({"lower": "100", "upper": None, "lower_inclusive": True}, "≥ 100"),
        ({"lower": "10", "upper": None, "lower_inclusive": False}, "> 10"),
        ({"lower": None, "upper": "60", "upper_inclusive": False}, "< 60"),
        ({"lower": None, "upper": "0", "upper_inclusive": True}, "≤ 0"),
        ({"lower": "100", "upper": "100", "lower_inclusive": True, "upper_inclusive": True}, "= 100"),
        ({"lower": None, "upper": None}, "any value"),
    ],
)
def test_tier_band(tier, band):
    with translation.override("en"):
        assert explain.tier_band(tier) == band


def test_rule_summary_of_each_kind():
    moj = [
        {"points": "2", "lower": "100", "upper": None, "lower_inclusive": True, "upper_inclusive": False},
        {"points": "1.75", "lower": "95", "upper": "100", "lower_inclusive": True, "upper_inclusive": False},
        {"points": "0", "lower": None, "upper": "60", "lower_inclusive": True, "upper_inclusive": False},
    ]
    lateness = [
        {"points": "2", "lower": None, "upper": "0", "lower_inclusive": True, "upper_inclusive": True},
        {"points": "1.5", "lower": "1", "upper": "2", "lower_inclusive": True, "upper_inclusive": True},
        {"points": "0", "lower": "10", "upper": None, "lower_inclusive": False, "upper_inclusive": False},
    ]
    with translation.override("vi"):
        assert explain.rule_summary({"kind": "tiered", "tiers": moj}) == "≥ 100 = 2; 95–<100 = 1,75; < 60 = 0"
    with translation.override("en"):
        assert explain.rule_summary({"kind": "lateness", "tiers": lateness}) == "on time = 2; 1–2 days late = 1.5; > 10 days late = 0"
        assert explain.rule_summary({"kind": "group", "max_points": Decimal(150)}) == "Sum of the lines, at most 150"
        assert explain.rule_summary({"kind": "group"}) == "Sum of the lines"
        assert explain.rule_summary({"kind": "bonus", "max_points": "5"}) == "Bonus points, at most 5 in all"
        assert explain.rule_summary({"kind": "deduction", "max_points": "10"}) == "Deduction points, at most 10 in all"
        assert explain.rule_summary({"kind": "manual", "max_points": "2", "step": "0.25", "gate": "evidence"}) == (
            "0 to 2 points — in steps of 0.25 — zero without evidence"
        )
        assert explain.rule_summary({"kind": "yes_no", "max_points": "2", "gate": "no_violation"}) == (
            "Yes = 2; no = 0 — zero unless “no_violation”"
        )
        assert explain.rule_summary({"kind": "formula", "formula": "b / a * 2", "inputs": ["a", "b"]}) == "= b / a * 2 (entered: a, b)"
        assert explain.rule_summary({"kind": "auto", "measure": "office.on_time_rate", "tiers": moj[:1]}) == (
            "From the portal: Work plan: tasks completed on time (%) — ≥ 100 = 2"
        )
        assert explain.rule_summary({"kind": "auto", "measure": "x.y", "formula": "x_y / 10"}) == "From the portal: x.y — = x_y / 10"
