"""The scoring engine (emulation/engine.py): every kind, cap, gate, grade rule, tie-break and
validation problem, at its boundaries. Pure Python: no database, no Django."""

import ast
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from emulation import engine
from emulation.engine import (
    Entry,
    FormulaError,
    Grade,
    GradeCap,
    Node,
    Scheme,
    TieBreaker,
    Tier,
    UnitInputs,
    evaluate_formula,
    missing_evidence,
    rank,
    score,
    validate,
)

D = Decimal
ENGINE_PATH = Path(engine.__file__)

# MoJ table for provincial Justice Departments: "100% = 2; 95–<100% = 1.75; 80–<95% = 1.5;
# 70–<80% = 1; 60–<70% = 0.5; <60% = 0".
RATE_TIERS = (
    Tier(D("2"), D("100"), D("100"), lower_inclusive=True, upper_inclusive=True),
    Tier(D("1.75"), D("95"), D("100")),
    Tier(D("1.5"), D("80"), D("95")),
    Tier(D("1"), D("70"), D("80")),
    Tier(D("0.5"), D("60"), D("70")),
    Tier(D("0"), None, D("60")),
)
# "on time 2; 1–2 days late 1.5; 3–5 days 1; 6–10 days 0.5; >10 days 0", written half-open so
# that there is no gap between 2 and 3 days.
LATE_TIERS = (
    Tier(D("2"), None, D("0"), upper_inclusive=True),
    Tier(D("1.5"), D("0"), D("2"), lower_inclusive=False, upper_inclusive=True),
    Tier(D("1"), D("2"), D("5"), lower_inclusive=False, upper_inclusive=True),
    Tier(D("0.5"), D("5"), D("10"), lower_inclusive=False, upper_inclusive=True),
    Tier(D("0"), D("10"), None, lower_inclusive=False),
)


def line(key, kind="manual", max_points="2", **fields):
    return Node(key, kind, max_points=None if max_points is None else D(max_points), **fields)


def table(*children, max_points=None, grades=(), caps=(), tie_breakers=()):
    root = Node("T", "group", max_points=None if max_points is None else D(max_points), children=children)
    return Scheme(root=root, grades=grades, caps=caps, tie_breakers=tie_breakers)


def run(scheme, entries=None, metrics=None, flags=()):
    return score(scheme, UnitInputs(entries=entries or {}, metrics=metrics or {}, flags=frozenset(flags)))


def codes(result, key):
    return [step.code for step in result.nodes[key].trace]


def params(result, key, code):
    return next(step.params for step in result.nodes[key].trace if step.code == code)


def single(node, entry=None, metrics=None):
    """Score one line alone; returns its NodeResult."""
    result = run(table(node), {node.key: entry} if entry is not None else {}, metrics)
    return result.nodes[node.key]


# --- The module stays pure ----------------------------------------------------------------------


def test_engine_imports_no_django():
    tree = ast.parse(ENGINE_PATH.read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] == "django"]
    code = "import sys, emulation.engine; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ENGINE_PATH.parents[1])
    assert output.stdout.strip() == "[]"


def test_engine_never_calls_eval_exec_or_compile():
    tree = ast.parse(ENGINE_PATH.read_text(encoding="utf-8"))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__"}


# --- Tiered lines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "points"),
    [
        ("100", "2"),
        ("99.99", "1.75"),
        ("95", "1.75"),
        ("94.99", "1.5"),
        ("80", "1.5"),
        ("79.99", "1"),
        ("70", "1"),
        ("69.99", "0.5"),
        ("60", "0.5"),
        ("59.99", "0"),
        ("0", "0"),
    ],
)
def test_tiered_moj_on_time_rate_at_every_bound(rate, points):
    result = single(line("A.1", "tiered", tiers=RATE_TIERS), Entry(value=D(rate)))
    assert result.score == D(points)
    assert [step.code for step in result.trace] == ["tier_matched"]
    assert result.error is False


def test_tiered_trace_names_the_matched_tier():
    result = single(line("A.1", "tiered", tiers=RATE_TIERS), Entry(value=D("97.3")))
    assert result.trace[0].params == {
        "index": 1,
        "value": "97.3",
        "lower": "95",
        "upper": "100",
        "lower_inclusive": True,
        "upper_inclusive": False,
        "points": "1.75",
    }


@pytest.mark.parametrize(
    ("lower_inclusive", "upper_inclusive", "value", "matches"),
    [
        (True, False, "10", True),
        (True, False, "20", False),
        (False, True, "10", False),
        (False, True, "20", True),
        (True, True, "10", True),
        (True, True, "20", True),
        (False, False, "10", False),
        (False, False, "20", False),
        (False, False, "15", True),
        (False, False, "9.99", False),
        (False, False, "20.01", False),
    ],
)
def test_tier_bounds_inclusive_or_exclusive_on_both_sides(lower_inclusive, upper_inclusive, value, matches):
    tier = Tier(D("1"), D("10"), D("20"), lower_inclusive=lower_inclusive, upper_inclusive=upper_inclusive)
    assert tier.matches(D(value)) is matches
    result = single(line("L", "tiered", tiers=(tier,)), Entry(value=D(value)))
    assert result.score == (D("1") if matches else D("0"))


def test_tiered_value_in_no_tier_scores_zero_and_says_so():
    result = single(line("A.1", "tiered", tiers=RATE_TIERS), Entry(value=D("100.01")))
    assert result.score == 0
    assert result.trace[0].code == "no_tier_matched"
    assert result.trace[0].params == {"value": "100.01", "tiers": 6}
    assert result.error is False


def test_tiered_first_matching_tier_wins_when_tiers_overlap():
    tiers = (Tier(D("1"), D("0"), D("10")), Tier(D("2"), D("5"), D("20")))
    assert single(line("L", "tiered", tiers=tiers), Entry(value=D("7"))).score == D("1")
    assert single(line("L", "tiered", tiers=tiers), Entry(value=D("12"))).score == D("2")


def test_tiered_points_above_the_line_max_are_capped():
    result = single(line("L", "tiered", max_points="1", tiers=(Tier(D("3"), None, None),)), Entry(value=D("1")))
    assert result.score == D("1")
    assert params_of(result, "capped") == {"raw": "3", "max": "1"}


def params_of(node_result, code):
    return next(step.params for step in node_result.trace if step.code == code)


@pytest.mark.parametrize(
    ("days", "points"),
    [("-3", "2"), ("0", "2"), ("1", "1.5"), ("2", "1.5"), ("3", "1"), ("5", "1"), ("6", "0.5"), ("10", "0.5"), ("11", "0"), ("40", "0")],
)
def test_lateness_tiers_for_days_late(days, points):
    result = single(line("B.2", "lateness", tiers=LATE_TIERS), Entry(value=D(days)))
    assert result.score == D(points)


def test_tiered_without_entry_scores_zero_without_error():
    result = single(line("L", "tiered", tiers=RATE_TIERS))
    assert (result.score, result.error, [s.code for s in result.trace]) == (D("0"), False, ["missing_entry"])
    result = single(line("L", "lateness", tiers=LATE_TIERS), Entry(points=D("1")))
    assert [(s.code, s.params) for s in result.trace] == [("missing_value", {"field": "value"})]


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), D("1e13"), "abc", True])
def test_tiered_unusable_value_is_an_input_error(value):
    result = single(line("L", "tiered", tiers=RATE_TIERS), Entry(value=value))
    assert (result.score, result.error) == (D("0"), True)
    assert result.trace[0].code == "invalid_number"


# --- Manual, yes/no -----------------------------------------------------------------------------


def test_manual_points_within_max():
    result = single(line("L", "manual", max_points="10", step=D("0.25")), Entry(points=D("7.75")))
    assert (result.score, result.error) == (D("7.75"), False)
    assert [(s.code, s.params) for s in result.trace] == [("manual", {"points": "7.75"})]


def test_manual_above_max_is_capped_with_a_step():
    result = single(line("L", "manual", max_points="10"), Entry(points=D("12")))
    assert result.score == D("10")
    assert params_of(result, "capped") == {"raw": "12", "max": "10"}
    assert result.error is False


def test_manual_negative_is_an_input_error():
    result = single(line("L", "manual", max_points="10"), Entry(points=D("-1")))
    assert (result.score, result.error) == (D("0"), True)
    assert [(s.code, s.params) for s in result.trace] == [("negative", {"points": "-1"})]


@pytest.mark.parametrize(("points", "ok"), [("0", True), ("0.25", True), ("1.75", True), ("0.3", False), ("1.1", False), ("2.125", False)])
def test_manual_step(points, ok):
    result = single(line("L", "manual", max_points="2", step=D("0.25")), Entry(points=D(points)))
    if ok:
        assert (result.score, result.error) == (D(points), False)
    else:
        assert (result.score, result.error) == (D("0"), True)
        assert [(s.code, s.params) for s in result.trace] == [("not_a_step", {"points": points, "step": "0.25"})]


def test_manual_step_is_checked_before_the_cap():
    result = single(line("L", "manual", max_points="2", step=D("0.5")), Entry(points=D("3")))
    assert [s.code for s in result.trace] == ["manual", "capped"]
    assert result.score == D("2")


def test_manual_without_max_is_not_capped_and_ints_are_accepted():
    assert single(line("L", "manual", max_points=None), Entry(points=250)).score == D("250")


def test_manual_missing_entry_and_missing_points():
    assert [s.code for s in single(line("L")).trace] == ["missing_entry"]
    result = single(line("L"), Entry(flag=True))
    assert [(s.code, s.params) for s in result.trace] == [("missing_value", {"field": "points"})]
    assert result.error is False


@pytest.mark.parametrize(("flag", "points", "steps"), [(True, "3", ["yes_no"]), (False, "0", ["yes_no"]), (None, "0", ["missing_value"])])
def test_yes_no(flag, points, steps):
    result = single(line("L", "yes_no", max_points="3"), Entry(flag=flag))
    assert result.score == D(points)
    assert [s.code for s in result.trace] == steps
    if flag is not None:
        assert result.trace[0].params == {"flag": flag, "points": points}


# --- Formulas -----------------------------------------------------------------------------------


def formula_line(formula="b / a * 20", inputs=("a", "b"), max_points="20"):
    return line("F", "formula", max_points=max_points, formula=formula, inputs=inputs)


def test_formula_rate_times_max():
    result = single(formula_line(), Entry(inputs={"a": D("10"), "b": D("9")}))
    assert (result.score, result.error) == (D("18"), False)
    assert result.trace[0].code == "formula"
    assert result.trace[0].params == {"expression": "b / a * 20", "values": {"a": "10", "b": "9"}, "result": "18"}


def test_formula_result_is_clamped_into_zero_and_max():
    above = single(formula_line(), Entry(inputs={"a": D("10"), "b": D("12")}))
    assert above.score == D("20")
    assert params_of(above, "capped") == {"raw": "24", "max": "20"}
    below = single(formula_line("b - a"), Entry(inputs={"a": D("10"), "b": D("4")}))
    assert below.score == D("0")
    assert params_of(below, "floored") == {"raw": "-6", "min": "0"}
    assert (above.error, below.error) == (False, False)


@pytest.mark.parametrize(
    ("formula", "inputs", "error"),
    [
        ("b / a * 20", {"a": "0", "b": "9"}, "division_by_zero"),
        ("b / a * 20", {"a": "0", "b": "0"}, "division_by_zero"),
        ("b / (a - a)", {"a": "3", "b": "1"}, "division_by_zero"),
        ("b / a * 20", {"b": "9"}, "missing_input"),
        ("b / a *", {"a": "1", "b": "1"}, "syntax"),
        ("(b / a", {"a": "1", "b": "1"}, "syntax"),
        ("", {}, "syntax"),
        ("a.__class__", {"a": "1"}, "not_allowed"),
        ("a.real + b", {"a": "1", "b": "1"}, "not_allowed"),
        ("__import__('os').system('true')", {}, "not_allowed"),
        ("open('/etc/passwd')", {}, "not_allowed"),
        ("pow(a, 2)", {"a": "1"}, "not_allowed"),
        ("a ** 2", {"a": "1"}, "not_allowed"),
        ("a // b", {"a": "1", "b": "1"}, "not_allowed"),
        ("a % b", {"a": "1", "b": "1"}, "not_allowed"),
        ("'text'", {}, "not_allowed"),
        ("b'bytes'", {}, "not_allowed"),
        ("True", {}, "not_allowed"),
        ("1j", {}, "not_allowed"),
        ("lambda: 1", {}, "not_allowed"),
        ("a[0]", {"a": "1"}, "not_allowed"),
        ("[a, b]", {"a": "1", "b": "1"}, "not_allowed"),
        ("a if b else 1", {"a": "1", "b": "1"}, "not_allowed"),
        ("a < b", {"a": "1", "b": "1"}, "not_allowed"),
        ("not a", {"a": "1"}, "not_allowed"),
        ("~a", {"a": "1"}, "not_allowed"),
        ("min(a, b, key=abs)", {"a": "1", "b": "1"}, "not_allowed"),
        ("max(*a)", {"a": "1"}, "not_allowed"),
        ("abs(a, b)", {"a": "1", "b": "1"}, "not_allowed"),
        ("min", {}, "not_allowed"),
        ("(a := 1)", {"a": "1"}, "not_allowed"),
        ("c + a", {"a": "1", "c": "1"}, "not_allowed"),  # c is not a declared input
        ("1e999", {}, "not_allowed"),
        ("round(a, 0.5)", {"a": "1"}, "not_allowed"),
        ("a" + " + a" * 200, {"a": "1"}, "too_long"),
    ],
)
def test_formula_errors_score_zero_with_a_named_error(formula, inputs, error):
    result = single(formula_line(formula), Entry(inputs={k: D(v) for k, v in inputs.items()}))
    assert (result.score, result.error) == (D("0"), True)
    assert [s.code for s in result.trace] == ["formula_error"]
    assert result.trace[0].params["error"] == error
    assert result.trace[0].params["expression"] == formula
    json.dumps(result.trace[0].params)


def test_formula_missing_input_names_it():
    result = single(formula_line(), Entry(inputs={"b": D("1")}))
    assert result.trace[0].params["detail"] == "a"


def test_formula_non_numeric_input_is_an_input_error():
    result = single(formula_line(), Entry(inputs={"a": D("NaN"), "b": D("1")}))
    assert (result.trace[0].params["error"], result.error) == ("invalid_input", True)


def test_formula_without_any_entry_is_just_missing():
    result = single(formula_line())
    assert (result.score, result.error, [s.code for s in result.trace]) == (D("0"), False, ["missing_entry"])


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("min(a, b) + max(a, b, 1)", "13"),
        ("abs(b - a)", "7"),
        ("round(2.5)", "3"),
        ("round(-2.5)", "-3"),
        ("round(a / 3, 2)", "3.33"),
        ("round(0.125, 2)", "0.13"),
        ("-a + +b", "-7"),
        ("(a + b) * 2 / 4", "6.5"),
        ("a / 4", "2.5"),
        ("0.1 + 0.2", "0.3"),
        ("1_000 / a", "100"),
    ],
)
def test_evaluate_formula_in_decimal(formula, expected):
    assert evaluate_formula(formula, {"a": D("10"), "b": D("3")}) == D(expected)


def test_evaluate_formula_raises_only_formula_error():
    with pytest.raises(FormulaError) as caught:
        evaluate_formula("a / b", {"a": D("1"), "b": D("0")})
    assert caught.value.code == "division_by_zero"
    with pytest.raises(FormulaError) as caught:
        evaluate_formula("a + c", {"a": D("1")}, declared=("a", "c"))
    assert caught.value.code == "missing_input"
    with pytest.raises(FormulaError) as caught:
        evaluate_formula("a + c", {"a": D("1"), "c": D("1")}, declared=("a",))
    assert caught.value.code == "not_allowed"


def test_formula_with_a_huge_result_and_no_max_is_out_of_range():
    node = line("F", "formula", max_points=None, formula="a * a * a", inputs=("a",))
    result = single(node, Entry(inputs={"a": D("1e6")}))
    assert (result.score, result.error, result.trace[-1].code) == (D("0"), True, "out_of_range")


# --- Auto lines ---------------------------------------------------------------------------------


def test_auto_value_itself_capped_at_max():
    node = line("X", "auto", max_points="5", measure="petitions.answered")
    assert single(node, metrics={"petitions.answered": D("3.5")}).score == D("3.5")
    result = single(node, metrics={"petitions.answered": D("9")})
    assert result.score == D("5")
    assert [s.code for s in result.trace] == ["metric", "capped"]
    assert result.trace[0].params == {"measure": "petitions.answered", "value": "9"}


def test_auto_with_tiers():
    node = line("X", "auto", measure="tasks.on_time_rate", tiers=RATE_TIERS)
    result = single(node, metrics={"tasks.on_time_rate": D("96.4")})
    assert result.score == D("1.75")
    assert [s.code for s in result.trace] == ["metric", "tier_matched"]


def test_auto_with_formula_sees_the_metric_with_underscores():
    node = line("X", "auto", max_points="3", measure="tasks.on_time_rate", formula="tasks_on_time_rate / 100 * 3")
    result = single(node, metrics={"tasks.on_time_rate": D("90")})
    assert result.score == D("2.7")
    assert params_of(result, "formula")["values"] == {"tasks_on_time_rate": "90"}


def test_auto_missing_metric_is_an_error_step():
    result = single(line("X", "auto", measure="tasks.on_time_rate"), metrics={"other": D("1")})
    assert (result.score, result.error) == (D("0"), True)
    assert [(s.code, s.params) for s in result.trace] == [("missing_metric", {"measure": "tasks.on_time_rate"})]


def test_auto_unusable_metric_is_an_error_step():
    result = single(line("X", "auto", measure="m"), metrics={"m": D("NaN")})
    assert (result.error, result.trace[0].code) == (True, "invalid_number")


# --- Gates --------------------------------------------------------------------------------------


def test_evidence_gate():
    node = line("G", "yes_no", max_points="2", gate="evidence")
    without = single(node, Entry(flag=True, evidence=False))
    assert (without.score, without.error) == (D("0"), False)
    assert [(s.code, s.params) for s in without.trace] == [("gated_out", {"gate": "evidence", "kind": "evidence", "value": False})]
    assert single(node, Entry(flag=True, evidence=True)).score == D("2")
    assert [s.code for s in single(node).trace] == ["gated_out"]


@pytest.mark.parametrize(("conditions", "points", "value"), [({"plan_issued": True}, "2", None), ({"plan_issued": False}, "0", False), ({}, "0", None)])
def test_condition_gate(conditions, points, value):
    node = line("G", "manual", max_points="2", gate="plan_issued")
    result = single(node, Entry(points=D("2"), conditions=conditions))
    assert result.score == D(points)
    if points == "0":
        assert [(s.code, s.params) for s in result.trace] == [
            ("gated_out", {"gate": "plan_issued", "kind": "condition", "value": value})
        ]


def test_condition_gate_needs_exactly_true():
    node = line("G", "manual", max_points="2", gate="ok")
    assert single(node, Entry(points=D("2"), conditions={"ok": 1})).score == D("0")


def test_gate_is_ignored_below_a_deduction():
    scheme = table(line("A", max_points="10"), Node("E", "deduction", max_points=D("5"), children=(line("E.1", max_points="5", gate="evidence"),)))
    result = run(scheme, {"A": Entry(points=D("8")), "E.1": Entry(points=D("2"), evidence=False)})
    assert result.nodes["E.1"].score == D("2")
    assert result.nodes["E.1"].trace[0].params == {"gate": "evidence", "reason": "under_deduction"}
    assert result.total == D("6")


# --- Groups, bonus, deduction, caps -------------------------------------------------------------


def test_group_sum_and_cap():
    scheme = table(Node("A", "group", max_points=D("5"), children=(line("A.1", max_points="4"), line("A.2", max_points="4"))))
    result = run(scheme, {"A.1": Entry(points=D("3")), "A.2": Entry(points=D("3.5"))})
    assert result.nodes["A"].score == D("5")
    assert [(s.code, s.params) for s in result.nodes["A"].trace] == [
        ("sum", {"children": 2, "raw": "6.5", "max": "5"}),
        ("capped", {"raw": "6.5", "max": "5"}),
    ]
    assert result.total == D("5")


def test_group_without_max_is_not_capped():
    scheme = table(Node("A", "group", children=(line("A.1", max_points="40"), line("A.2", max_points="40"))))
    result = run(scheme, {"A.1": Entry(points=D("30")), "A.2": Entry(points=D("35"))})
    assert (result.nodes["A"].score, result.total) == (D("65"), D("65"))


def test_bonus_is_capped_and_counts_positively():
    bonus = Node("D", "bonus", max_points=D("3"), children=(line("D.1", max_points="2"), line("D.2", max_points="2")))
    result = run(table(line("A", max_points="10"), bonus), {"A": Entry(points=D("7")), "D.1": Entry(points=D("2")), "D.2": Entry(points=D("2"))})
    assert result.nodes["D"].score == D("3")
    assert result.total == D("10")


def test_deduction_is_capped_and_counts_negatively():
    deduction = Node("E", "deduction", max_points=D("3"), children=(line("E.1", max_points="2"), line("E.2", max_points="2")))
    result = run(table(line("A", max_points="10"), deduction), {"A": Entry(points=D("7")), "E.1": Entry(points=D("2")), "E.2": Entry(points=D("2"))})
    assert result.nodes["E.1"].score == D("2")  # lines are entered as positive points
    assert result.nodes["E"].score == D("-3")
    assert [s.code for s in result.nodes["E"].trace] == ["sum", "capped", "deduction"]
    assert params(result, "E", "deduction") == {"points": "3", "score": "-3"}
    assert result.total == D("4")


def test_deduction_never_takes_a_parent_below_zero():
    section = Node("A", "group", max_points=D("10"), children=(
        line("A.1", max_points="10"),
        Node("A.E", "deduction", max_points=D("5"), children=(line("A.E.1", max_points="5"),)),
    ))
    result = run(table(section), {"A.1": Entry(points=D("1")), "A.E.1": Entry(points=D("4"))})
    assert result.nodes["A.E"].score == D("-4")
    assert result.nodes["A"].score == D("0")
    assert params(result, "A", "floored") == {"raw": "-3", "min": "0"}
    assert result.total == D("0")


def test_group_caps_the_net_sum_of_its_children():
    # 12 points of lines and a 2-point deduction inside a 10-point section: 12 - 2 = 10, within the cap.
    section = Node("A", "group", max_points=D("10"), children=(
        line("A.1", max_points="6"), line("A.2", max_points="6"),
        Node("A.E", "deduction", max_points=D("5"), children=(line("A.E.1", max_points="5"),)),
    ))
    entries = {"A.1": Entry(points=D("6")), "A.2": Entry(points=D("6")), "A.E.1": Entry(points=D("2"))}
    assert run(table(section), entries).nodes["A"].score == D("10")
    # At the root, the same deduction comes off the capped section.
    scheme = table(
        Node("A", "group", max_points=D("10"), children=(line("A.1", max_points="6"), line("A.2", max_points="6"))),
        Node("E", "deduction", max_points=D("5"), children=(line("A.E.1", max_points="5"),)),
    )
    assert run(scheme, entries).total == D("8")


def test_scores_are_quantized_half_up_at_each_node():
    thirds = tuple(line(f"F.{n}", "formula", max_points="1", formula="a / 3", inputs=("a",)) for n in range(3))
    result = run(table(Node("F", "group", children=thirds)), {f"F.{n}": Entry(inputs={"a": D("1")}) for n in range(3)})
    assert [result.nodes[f"F.{n}"].score for n in range(3)] == [D("0.33")] * 3
    assert result.nodes["F"].score == D("0.99")
    assert single(line("L", max_points=None), Entry(points=D("0.125"))).score == D("0.13")
    assert single(line("L", max_points=None), Entry(points=D("0.135"))).score == D("0.14")
    assert str(single(line("L"), Entry(points=D("1"))).score) == "1.00"


def test_no_score_is_ever_negative_zero():
    result = single(formula_line("-a"), Entry(inputs={"a": D("0")}))
    assert str(result.score) == "0.00"
    deduction = run(table(Node("E", "deduction", max_points=D("2"), children=(line("E.1"),))), {"E.1": Entry(points=D("0"))})
    assert (str(deduction.nodes["E"].score), str(deduction.total)) == ("0.00", "0.00")


def test_unknown_kind_scores_zero_with_an_error():
    result = single(Node("Z", "percentage", max_points=D("2")), Entry(points=D("1")))
    assert (result.score, result.error) == (D("0"), True)
    assert [(s.code, s.params) for s in result.trace] == [("unknown_kind", {"kind": "percentage"})]


def test_every_node_is_in_the_result_in_table_order():
    scheme = table(
        Node("A", "group", children=(line("A.1"), Node("A.2", "group", children=(line("A.2.a"), line("A.2.b"))))),
        Node("D", "bonus", max_points=D("1"), children=(line("D.1"),)),
    )
    result = run(scheme)
    assert list(result.nodes) == ["A.1", "A.2.a", "A.2.b", "A.2", "A", "D.1", "D", "T"]
    assert result.nodes["A.1"].max_points == D("2")
    assert result.nodes["T"].score == result.total == D("0")


def test_node_constructor_accepts_lists_and_plain_numbers():
    node = Node("L", "tiered", max_points=2, tiers=[Tier(1, "95", 100.0)], inputs=["a"])
    assert (node.max_points, node.tiers[0].lower, node.tiers[0].upper, node.inputs) == (D("2"), D("95"), D("100.0"), ("a",))
    with pytest.raises(ValueError):
        Tier(D("NaN"))
    with pytest.raises(TypeError):
        Node("L", "manual", max_points=True)


def test_trace_params_are_json_serialisable():
    scheme = moj_extract()
    result = run(scheme, moj_entries(), metrics={"petitions.answered_rate": D("92.5")}, flags={"leader_disciplined"})
    payload = {key: [[s.code, s.params] for s in node.trace] for key, node in result.nodes.items()}
    payload["grade"] = [[s.code, s.params] for s in result.grade_trace]
    assert json.loads(json.dumps(payload)) == payload


# --- A small MoJ-shaped table, used for grades and the docs example -----------------------------


DISCIPLINE_CAP = (GradeCap("leader_disciplined", "good"),)


def moj_extract(caps=DISCIPLINE_CAP):
    section_a = Node("A", "group", title="Công tác xây dựng, thẩm định văn bản", max_points=D("10"), children=(
        line("A.1", "tiered", max_points="2", title="Tỷ lệ văn bản ban hành đúng hạn", tiers=RATE_TIERS),
        line("A.2", "lateness", max_points="2", title="Báo cáo công tác đúng hạn", tiers=LATE_TIERS),
        line("A.3", "yes_no", max_points="2", title="Ban hành kế hoạch", gate="evidence", requires_evidence=True),
        line("A.4", "formula", max_points="2", title="Tỷ lệ kiến nghị được xử lý", formula="b / a * 2", inputs=("a", "b")),
        line("A.5", "auto", max_points="2", title="Trả lời kiến nghị cử tri đúng hạn", measure="petitions.answered_rate", tiers=RATE_TIERS),
    ))
    bonus = Node("D", "bonus", max_points=D("2"), title="Điểm thưởng", children=(
        line("D.1", "manual", max_points="2", step=D("0.5"), gate="evidence", title="Sáng kiến được công nhận"),
    ))
    deduction = Node("E", "deduction", max_points=D("3"), title="Điểm trừ", children=(
        line("E.1", "manual", max_points="3", step=D("0.5"), title="Vi phạm kỷ luật"),
    ))
    root = Node("T", "group", max_points=D("12"), children=(section_a, bonus, deduction))
    return Scheme(
        root=root,
        grades=(
            Grade("excellent", "Hoàn thành xuất sắc", D("9.5"), no_zero_lines=True),
            Grade("good", "Hoàn thành tốt", D("8.5")),
            Grade("complete", "Hoàn thành", D("7.5")),
        ),
        caps=caps,
        tie_breakers=(TieBreaker("node", "A"), TieBreaker("input", "A.4:b"), TieBreaker("metric", "petitions.answered_rate")),
    )


def moj_entries(**changes):
    entries = {
        "A.1": Entry(value=D("100")),
        "A.2": Entry(value=D("0")),
        "A.3": Entry(flag=True, evidence=True),
        "A.4": Entry(inputs={"a": D("20"), "b": D("19")}),
        "D.1": Entry(points=D("1"), evidence=True),
        "E.1": Entry(points=D("0")),
    }
    entries.update(changes)
    return entries


def test_moj_extract_is_valid():
    assert validate(moj_extract()) == []


def test_moj_extract_worked_example():
    result = run(moj_extract(), moj_entries(), metrics={"petitions.answered_rate": D("96")})
    scores = {key: node.score for key, node in result.nodes.items()}
    assert scores == {
        "A.1": D("2"), "A.2": D("2"), "A.3": D("2"), "A.4": D("1.9"), "A.5": D("1.75"), "A": D("9.65"),
        "D.1": D("1"), "D": D("1"), "E.1": D("0"), "E": D("0"), "T": D("10.65"),
    }
    assert (result.total, result.grade) == (D("10.65"), "excellent")


# --- Grades -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a1_rate", "bonus", "grade"),
    [("100", "0", "excellent"), ("95", "0", "good"), ("95", "0.5", "excellent"), ("80", "0", "good"), ("60", "0", "complete"), ("0", "0", "complete")],
)
def test_grade_follows_the_total(a1_rate, bonus, grade):
    # A = tier(A.1) + 2 + 2 + 1.9 + 1.75 (A.5 at 96 %): 9.65, 9.4, 9.15, 8.15, 7.65 (+ bonus)
    result = run(moj_extract(), moj_entries(**{"A.1": Entry(value=D(a1_rate)), "D.1": Entry(points=D(bonus), evidence=True)}),
                 metrics={"petitions.answered_rate": D("96")})
    assert result.grade == grade


def test_grade_on_the_exact_threshold_and_a_cent_below():
    grades = (Grade("good", "Tốt", D("8.5")), Grade("complete", "Hoàn thành", D("7.5")))
    scheme = Scheme(root=Node("T", "group", children=(line("A", max_points="10"),)), grades=grades)
    assert run(scheme, {"A": Entry(points=D("8.5"))}).grade == "good"
    assert run(scheme, {"A": Entry(points=D("8.49"))}).grade == "complete"
    assert run(scheme, {"A": Entry(points=D("7.5"))}).grade == "complete"
    below = run(scheme, {"A": Entry(points=D("7.49"))})
    assert below.grade is None
    assert below.grade_trace[-1].params == {"grade": None, "label": None, "total": "7.49"}


def test_no_zero_lines_blocks_the_top_grade():
    entries = moj_entries(**{"A.3": Entry(flag=False, evidence=True), "D.1": Entry(points=D("2"), evidence=True)})
    result = run(moj_extract(), entries, metrics={"petitions.answered_rate": D("100")})
    assert result.total == D("9.9")
    assert result.grade == "good"
    excellent = result.grade_trace[0].params
    assert excellent == {"grade": "excellent", "min_total": "9.5", "total": "9.9", "threshold_met": True, "zero_lines": ["A.3"], "eligible": False}


def test_a_gated_out_line_counts_as_a_zero_line():
    entries = moj_entries(**{"A.3": Entry(flag=True, evidence=False), "D.1": Entry(points=D("2"), evidence=True)})
    result = run(moj_extract(), entries, metrics={"petitions.answered_rate": D("100")})
    assert result.grade == "good"
    assert result.grade_trace[0].params["zero_lines"] == ["A.3"]


def test_zero_lines_in_bonus_and_deduction_groups_do_not_block_the_grade():
    entries = moj_entries(**{"D.1": Entry(points=D("0"), evidence=True), "E.1": Entry(points=D("0"))})
    result = run(moj_extract(), entries, metrics={"petitions.answered_rate": D("100")})
    assert result.nodes["D.1"].score == result.nodes["E.1"].score == D("0")
    assert (result.total, result.grade) == (D("9.9"), "excellent")


def test_grade_cap_by_flag():
    metrics = {"petitions.answered_rate": D("96")}
    assert run(moj_extract(), moj_entries(), metrics).grade == "excellent"
    capped = run(moj_extract(), moj_entries(), metrics, flags={"leader_disciplined"})
    assert capped.grade == "good"
    step = next(s for s in capped.grade_trace if s.code == "grade_capped")
    assert step.params == {"flag": "leader_disciplined", "max_grade": "good", "from": "excellent", "to": "good"}
    assert [s.code for s in capped.grade_trace] == ["grade_checked"] * 3 + ["grade_capped", "grade"]


def test_grade_cap_above_the_grade_reached_changes_nothing():
    entries = moj_entries(**{"A.1": Entry(value=D("60")), "D.1": Entry(points=D("0"))})
    result = run(moj_extract(), entries, {"petitions.answered_rate": D("96")}, flags={"leader_disciplined"})
    assert result.grade == "complete"
    assert "grade_capped" not in [s.code for s in result.grade_trace]


def test_the_strictest_grade_cap_wins_and_unknown_caps_are_ignored():
    caps = (GradeCap("warned", "good"), GradeCap("disciplined", "complete"), GradeCap("odd", "platinum"))
    metrics = {"petitions.answered_rate": D("96")}
    result = run(moj_extract(caps), moj_entries(), metrics, flags={"warned", "disciplined", "odd"})
    assert result.grade == "complete"
    assert ("grade_cap_unknown", {"flag": "odd", "max_grade": "platinum"}) in [(s.code, s.params) for s in result.grade_trace]
    assert run(moj_extract(caps), moj_entries(), metrics, flags={"warned"}).grade == "good"


def test_grade_cap_picks_the_best_eligible_grade_below_the_cap():
    grades = (Grade("a", "A", D("9")), Grade("b", "B", D("8"), no_zero_lines=True), Grade("c", "C", D("5")))
    scheme = Scheme(root=Node("T", "group", children=(line("X", max_points="10"), line("Y"))), grades=grades, caps=(GradeCap("f", "b"),))
    result = run(scheme, {"X": Entry(points=D("10"))}, flags={"f"})  # Y is at zero: "b" is not allowed
    assert result.grade == "c"


def test_no_grades_means_no_grade():
    result = run(table(line("A")), {"A": Entry(points=D("2"))})
    assert result.grade is None
    assert [s.code for s in result.grade_trace] == ["grade"]


# --- Without explanation (score(explain=False)) --------------------------------------------------


def fast_and_explained(scheme, entries, metrics=None, flags=()):
    inputs = UnitInputs(entries=entries, metrics=metrics or {}, flags=frozenset(flags))
    return score(scheme, inputs, explain=False), score(scheme, inputs)


def same_but_untraced(fast, explained):
    assert fast.nodes.keys() == explained.nodes.keys()
    for key, node in explained.nodes.items():
        assert fast.nodes[key] == node._replace(trace=()), key
    assert (fast.total, fast.grade, fast.grade_trace) == (explained.total, explained.grade, ())


def test_explain_false_on_the_worked_example_with_a_grade_cap():
    metrics = {"petitions.answered_rate": D("96")}
    fast, explained = fast_and_explained(moj_extract(), moj_entries(), metrics, flags={"leader_disciplined"})
    same_but_untraced(fast, explained)
    assert (fast.total, fast.grade) == (D("10.65"), "good")
    assert any(node.trace for node in explained.nodes.values())  # the default still explains


def test_explain_false_keeps_errors_gates_deductions_and_zero_lines():
    caps = (GradeCap("odd", "platinum"),)
    entries = moj_entries(**{
        "A.1": Entry(value=D("NaN")),  # invalid_number: an error
        "A.3": Entry(flag=True, evidence=False),  # gated out: a zero line that blocks "excellent"
        "A.4": Entry(inputs={"a": D("0"), "b": D("1")}),  # division by zero: an error
        "D.1": Entry(points=D("2"), evidence=True),
        "E.1": Entry(points=D("5")),  # capped deduction
    })
    fast, explained = fast_and_explained(moj_extract(caps), entries, flags={"odd"})  # A.5: no metric, an error
    same_but_untraced(fast, explained)
    assert [key for key, node in fast.nodes.items() if node.error] == ["A.1", "A.4", "A.5"]
    assert (fast.nodes["A.3"].score, fast.nodes["E"].score) == (D("0"), D("-3"))


def test_explain_false_with_an_unknown_kind_and_an_out_of_range_result():
    scheme = table(line("X", "mystery"), line("Y", "formula", max_points=None, formula="a * a", inputs=("a",)), line("Z", "yes_no"))
    fast, explained = fast_and_explained(scheme, {"Y": Entry(inputs={"a": D("1e7")})})
    same_but_untraced(fast, explained)
    assert (fast.nodes["X"].error, fast.nodes["Y"].error, fast.nodes["Z"].error) == (True, True, False)
    assert fast.total == D("0.00") and fast.grade is None


def test_explain_is_keyword_only():
    with pytest.raises(TypeError):
        score(moj_extract(), UnitInputs(), False)


# --- Ranking ------------------------------------------------------------------------------------


def unit_row(unit, scheme, metrics=None, flags=(), **entries):
    inputs = UnitInputs(entries=moj_entries(**entries), metrics=metrics or {"petitions.answered_rate": D("96")}, flags=frozenset(flags))
    return (unit, score(scheme, inputs), inputs)


def summary(ranking):
    return [(row.unit, row.position, row.decided_by, row.tied_with) for row in ranking]


def test_rank_by_total():
    scheme = moj_extract()
    rows = [
        unit_row("hp", scheme, **{"A.1": Entry(value=D("80"))}),
        unit_row("hn", scheme),
        unit_row("dn", scheme, **{"A.1": Entry(value=D("60"))}),
    ]
    ranking = rank(rows, ())
    assert summary(ranking) == [("hn", 1, None, ()), ("hp", 2, None, ()), ("dn", 3, None, ())]
    assert [row.total for row in ranking] == [D("10.65"), D("10.15"), D("9.15")]


def test_rank_tie_broken_by_a_node_score():
    scheme = moj_extract()
    # same total 10.65: "b" has more in section A, "a" (a report a day late) made it up with a bonus
    rows = [
        unit_row("a", scheme, **{"A.2": Entry(value=D("1")), "D.1": Entry(points=D("1.5"), evidence=True)}),
        unit_row("b", scheme),
    ]
    ranking = rank(rows, (TieBreaker("node", "A"),))
    assert summary(ranking) == [("b", 1, None, ()), ("a", 2, "node:A", ())]
    ascending = rank(rows, (TieBreaker("node", "A", descending=False),))
    assert summary(ascending) == [("a", 1, None, ()), ("b", 2, "node:A", ())]


def test_rank_tie_broken_by_an_entry_input_then_a_metric():
    scheme = moj_extract()
    breakers = (TieBreaker("input", "A.4:b"), TieBreaker("metric", "petitions.answered_rate"))
    # all score 10.65; A.4 = b / a * 2 = 1.9 with different a and b
    rows = [
        unit_row("x", scheme, **{"A.4": Entry(inputs={"a": D("40"), "b": D("38")})}),
        unit_row("y", scheme, metrics={"petitions.answered_rate": D("97")}),
        unit_row("z", scheme, metrics={"petitions.answered_rate": D("98")}),
    ]
    ranking = rank(rows, breakers)
    assert summary(ranking) == [("x", 1, None, ()), ("z", 2, "input:A.4:b", ()), ("y", 3, "metric:petitions.answered_rate", ())]
    assert summary(rank(rows, (TieBreaker("input", "A.4:b", descending=False),) + breakers[1:])) == [
        ("z", 1, None, ()), ("y", 2, "metric:petitions.answered_rate", ()), ("x", 3, "input:A.4:b", ()),
    ]


def test_rank_input_tie_breaker_reads_entry_value_and_points():
    scheme = moj_extract()
    rows = [unit_row("p", scheme), unit_row("q", scheme, **{"A.2": Entry(value=D("-2"))})]  # q reported 2 days early
    ranking = rank(rows, (TieBreaker("input", "A.2:value", descending=False),))
    assert summary(ranking) == [("q", 1, None, ()), ("p", 2, "input:A.2:value", ())]


@pytest.mark.parametrize("descending", [True, False])
def test_rank_missing_metric_sorts_last_whatever_the_direction(descending):
    # "ties prefer collectives with more women": a figure no line scores, only the tie-break reads
    scheme = moj_extract()
    base = {"petitions.answered_rate": D("96")}
    rows = [
        unit_row("none", scheme, metrics=base),
        unit_row("low", scheme, metrics={**base, "staff.women_share": D("40")}),
        unit_row("high", scheme, metrics={**base, "staff.women_share": D("75")}),
    ]
    ranking = rank(rows, (TieBreaker("metric", "staff.women_share", descending=descending),))
    expected = ["high", "low", "none"] if descending else ["low", "high", "none"]
    assert [row.unit for row in ranking] == expected
    assert [row.position for row in ranking] == [1, 2, 3]
    assert [row.decided_by for row in ranking] == [None, "metric:staff.women_share", "metric:staff.women_share"]


def test_rank_missing_value_sorts_last_among_equal_totals():
    scheme = moj_extract()
    rows = [unit_row("missing", scheme), unit_row("present", scheme)]
    for descending in (True, False):
        ranking = rank(rows, (TieBreaker("input", "A.4:c", descending=descending), TieBreaker("input", "A.4:zzz")))
        assert summary(ranking) == [("missing", 1, "vote", ("present",)), ("present", 1, "vote", ("missing",))]
    entries = {"A.4": Entry(inputs={"a": D("20"), "b": D("19"), "c": D("1")})}
    rows = [unit_row("missing", scheme), ("present", *unit_row("present", scheme, **entries)[1:])]
    for descending in (True, False):
        ranking = rank(rows, (TieBreaker("input", "A.4:c", descending=descending),))
        assert summary(ranking) == [("present", 1, None, ()), ("missing", 2, "input:A.4:c", ())]


def test_rank_vote_shares_the_position_competition_style():
    scheme = moj_extract()
    rows = [
        unit_row("d", scheme, **{"A.1": Entry(value=D("60"))}),
        unit_row("c", scheme),
        unit_row("b", scheme),
        unit_row("a", scheme, **{"A.1": Entry(value=D("100")), "D.1": Entry(points=D("2"), evidence=True)}),
    ]
    ranking = rank(rows, (TieBreaker("node", "A"),))
    assert summary(ranking) == [
        ("a", 1, None, ()),
        ("b", 2, "vote", ("c",)),
        ("c", 2, "vote", ("b",)),
        ("d", 4, None, ()),
    ]


def test_rank_three_way_vote_and_then_a_separated_unit():
    scheme = moj_extract()
    rows = [unit_row(u, scheme) for u in ("u3", "u1", "u2")]
    rows.append(unit_row("u4", scheme, metrics={"petitions.answered_rate": D("95")}))  # same total, lower metric
    ranking = rank(rows, (TieBreaker("metric", "petitions.answered_rate"),))
    assert summary(ranking) == [
        ("u1", 1, "vote", ("u2", "u3")),
        ("u2", 1, "vote", ("u1", "u3")),
        ("u3", 1, "vote", ("u1", "u2")),
        ("u4", 4, "metric:petitions.answered_rate", ()),
    ]


def test_rank_without_tie_breakers_ties_go_to_a_vote():
    scheme = moj_extract()
    ranking = rank([unit_row("b", scheme), unit_row("a", scheme)], ())
    assert summary(ranking) == [("a", 1, "vote", ("b",)), ("b", 1, "vote", ("a",))]


def test_rank_does_not_depend_on_row_order():
    scheme = moj_extract()
    rows = [unit_row(f"u{n}", scheme, **{"A.1": Entry(value=D(str(v)))}) for n, v in enumerate([100, 96, 96, 80, 100, 50])]
    expected = rank(rows, scheme.tie_breakers)
    assert rank(list(reversed(rows)), scheme.tie_breakers) == expected
    assert rank(rows[2:] + rows[:2], scheme.tie_breakers) == expected


def test_rank_refuses_a_unit_twice_and_accepts_nothing():
    scheme = moj_extract()
    with pytest.raises(ValueError, match="twice"):
        rank([unit_row("a", scheme), unit_row("a", scheme)], ())
    assert rank([], ()) == []


# --- missing_evidence ---------------------------------------------------------------------------


def test_missing_evidence_lists_lines_that_require_it():
    scheme = table(
        line("A", requires_evidence=True),
        line("B", requires_evidence=True),
        line("C"),
        Node("G", "group", children=(line("G.1", requires_evidence=True),)),
    )
    inputs = UnitInputs(entries={"A": Entry(points=D("1"), evidence=True), "B": Entry(points=D("1"))})
    assert missing_evidence(scheme, inputs) == ["B", "G.1"]


# --- Validation ---------------------------------------------------------------------------------


def problems(scheme):
    return {(p.level, p.key, p.code) for p in validate(scheme)}


def test_validate_reports_json_serialisable_params():
    scheme = table(line("A", "tiered", tiers=(Tier(D("3"), D("0"), D("10")), Tier(D("1"), D("5"), D("20")))))
    for problem in validate(scheme):
        json.dumps(problem.params)


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        pytest.param(Scheme(root=line("T")), ("error", "T", "root_not_group"), id="root-not-group"),
        pytest.param(table(line("A"), line("A")), ("error", "A", "duplicate_key"), id="duplicate-key"),
        pytest.param(table(line("")), ("error", "", "empty_key"), id="empty-key"),
        pytest.param(table(line("A", "percentage")), ("error", "A", "unknown_kind"), id="unknown-kind"),
        pytest.param(table(line("A", max_points="-1")), ("error", "A", "negative_max"), id="negative-max"),
        pytest.param(table(Node("B", "bonus", children=(line("B.1"),))), ("error", "B", "missing_cap"), id="bonus-cap"),
        pytest.param(table(Node("E", "deduction", children=(line("E.1"),))), ("error", "E", "missing_cap"), id="deduction-cap"),
        pytest.param(table(line("A", "yes_no", max_points=None)), ("error", "A", "missing_max"), id="yes-no-max"),
        pytest.param(table(Node("A", "manual", children=(line("A.1"),))), ("error", "A", "leaf_has_children"), id="leaf-children"),
        pytest.param(table(line("A", step=D("0"))), ("error", "A", "invalid_step"), id="step-zero"),
        pytest.param(table(line("A", "tiered")), ("error", "A", "missing_tiers"), id="no-tiers"),
        pytest.param(table(line("A", "auto")), ("error", "A", "missing_measure"), id="no-measure"),
        pytest.param(table(line("A", "formula", inputs=("a",))), ("error", "A", "missing_formula"), id="no-formula"),
        pytest.param(table(line("A", "formula", formula="a", inputs=("a", "min"))), ("error", "A", "invalid_input_name"), id="input-name"),
        pytest.param(table(line("A", "formula", formula="a +", inputs=("a",))), ("error", "A", "formula_syntax"), id="formula-syntax"),
        pytest.param(table(line("A", "formula", formula="a ** 2", inputs=("a",))), ("error", "A", "formula_not_allowed"), id="formula-pow"),
        pytest.param(table(line("A", "formula", formula="a.__class__", inputs=("a",))), ("error", "A", "formula_not_allowed"), id="formula-attr"),
        pytest.param(table(line("A", "formula", formula="a + b", inputs=("a",))), ("error", "A", "formula_unknown_name"), id="formula-undeclared"),
        pytest.param(table(line("A", "auto", measure="x.rate", formula="rate * 2")), ("error", "A", "formula_unknown_name"), id="auto-formula-name"),
        pytest.param(table(line("A", "tiered", tiers=(Tier(D("-1"), None, None),))), ("error", "A", "negative_points"), id="tier-negative"),
        pytest.param(table(line("A", "tiered", tiers=(Tier(D("3"), None, None),))), ("error", "A", "tier_points_exceed_max"), id="tier-above-max"),
        pytest.param(table(line("A", "tiered", tiers=(Tier(D("1"), D("5"), D("5")),))), ("error", "A", "tier_empty"), id="tier-empty"),
        pytest.param(table(line("A", "tiered", tiers=(Tier(D("1"), D("6"), D("5")),))), ("error", "A", "tier_empty"), id="tier-inverted"),
        pytest.param(
            Scheme(root=Node("T", "group", children=(line("A"),)), grades=(Grade("g", "G", D("5")), Grade("x", "X", D("8")))),
            ("error", "x", "grades_not_descending"), id="grades-order",
        ),
        pytest.param(
            Scheme(root=Node("T", "group", children=(line("A"),)), grades=(Grade("g", "G", D("5")), Grade("g", "G", D("1")))),
            ("error", "g", "duplicate_grade"), id="grades-duplicate",
        ),
        pytest.param(
            Scheme(root=Node("T", "group", children=(line("A"),)), grades=(Grade("g", "G", D("5")),), caps=(GradeCap("f", "nope"),)),
            ("error", "f", "cap_unknown_grade"), id="cap-unknown-grade",
        ),
        pytest.param(table(line("A"), tie_breakers=(TieBreaker("node", "B"),)), ("error", "B", "tie_breaker_unknown_node"), id="tb-node"),
        pytest.param(table(line("A"), tie_breakers=(TieBreaker("input", "B:x"),)), ("error", "B:x", "tie_breaker_unknown_node"), id="tb-input-node"),
        pytest.param(table(line("A"), tie_breakers=(TieBreaker("input", "A"),)), ("error", "A", "tie_breaker_bad_ref"), id="tb-input-ref"),
        pytest.param(table(line("A"), tie_breakers=(TieBreaker("random", "A"),)), ("error", "A", "tie_breaker_unknown_kind"), id="tb-kind"),
        pytest.param(table(line("A"), tie_breakers=(TieBreaker("input", "A:x"),)), ("warning", "A:x", "tie_breaker_unknown_input"), id="tb-input-name"),
        pytest.param(
            table(Node("A", "group", max_points=D("3"), children=(line("A.1"), line("A.2")))),
            ("warning", "A", "children_exceed_parent"), id="children-exceed",
        ),
        pytest.param(
            table(Node("A", "group", max_points=D("5"), children=(line("A.1"), line("A.2")))),
            ("warning", "A", "parent_unreachable"), id="parent-unreachable",
        ),
        pytest.param(table(Node("A", "group")), ("warning", "A", "empty_group"), id="empty-group"),
        pytest.param(
            table(Node("E", "deduction", max_points=D("2"), children=(Node("E.E", "deduction", max_points=D("2"), children=(line("x"),)),))),
            ("warning", "E.E", "nested_deduction"), id="nested-deduction",
        ),
        pytest.param(table(Node("A", "group", gate="evidence", children=(line("A.1"),))), ("warning", "A", "gate_on_group"), id="gate-group"),
        pytest.param(
            table(Node("E", "deduction", max_points=D("2"), children=(line("E.1", gate="evidence"),))),
            ("warning", "E.1", "gate_under_deduction"), id="gate-deduction",
        ),
        pytest.param(table(line("A", "yes_no", step=D("0.5"))), ("warning", "A", "step_unused"), id="step-unused"),
        pytest.param(table(line("A", max_points="2", step=D("0.75"))), ("warning", "A", "max_not_a_step"), id="max-step"),
        pytest.param(table(line("A", formula="a")), ("warning", "A", "formula_unused"), id="formula-unused"),
        pytest.param(table(line("A", tiers=RATE_TIERS)), ("warning", "A", "tiers_unused"), id="tiers-unused"),
        pytest.param(
            table(line("A", "tiered", tiers=(Tier(D("1"), D("0"), D("10")), Tier(D("2"), D("5"), D("20"))))),
            ("warning", "A", "tier_overlap"), id="tier-overlap",
        ),
        pytest.param(
            table(line("A", "tiered", tiers=(Tier(D("1"), D("0"), D("10"), upper_inclusive=True), Tier(D("2"), D("10"), D("20"))))),
            ("warning", "A", "tier_overlap"), id="tier-overlap-on-a-shared-bound",
        ),
        pytest.param(
            table(line("A", "tiered", tiers=(Tier(D("1"), D("0"), D("10")), Tier(D("2"), D("10"), D("20"), lower_inclusive=False)))),
            ("warning", "A", "tier_gap"), id="tier-gap-at-a-bound",
        ),
        pytest.param(
            table(line("A", "lateness", tiers=(Tier(D("2"), D("1"), D("2"), upper_inclusive=True), Tier(D("1"), D("3"), D("5"), upper_inclusive=True)))),
            ("warning", "A", "tier_gap"), id="tier-gap-between-whole-days",
        ),
    ],
)
def test_validate_reports(scheme, expected):
    assert expected in problems(scheme)


def test_validate_tier_problems_name_the_tiers_and_the_gap():
    overlap = table(line("A", "tiered", tiers=(Tier(D("1"), D("0"), D("10")), Tier(D("2"), D("5"), None), Tier(D("0"), None, D("1")))))
    assert sorted(p.params["tiers"] for p in validate(overlap) if p.code == "tier_overlap") == [[0, 1], [0, 2]]
    gap = table(line("A", "lateness", tiers=(Tier(D("2"), D("1"), D("2"), upper_inclusive=True), Tier(D("1"), D("3"), D("5")))))
    assert [p.params for p in validate(gap) if p.code == "tier_gap"] == [{"lower": "2", "upper": "3"}]


def test_validate_accepts_the_moj_and_lateness_tiers_and_capped_bonus_lines():
    scheme = table(
        line("A", "tiered", tiers=RATE_TIERS),
        line("B", "lateness", tiers=LATE_TIERS),
        Node("D", "bonus", max_points=D("2"), children=(line("D.1"), line("D.2"))),
        max_points="6",
    )
    assert {(p.level, p.code) for p in validate(scheme)} == {("warning", "children_exceed_parent")}  # only the bonus
    assert [p.key for p in validate(scheme)] == ["D"]


# --- Size -----------------------------------------------------------------------------------------


def big_scheme(sections=10, criteria=6, lines=5):
    kinds = ("tiered", "lateness", "yes_no", "manual", "formula", "auto")
    children = []
    for s in range(sections):
        crits = []
        for c in range(criteria):
            leaves = []
            for n in range(lines):
                kind, key = kinds[(s + c + n) % len(kinds)], f"{s}.{c}.{n}"
                extra = {
                    "tiered": {"tiers": RATE_TIERS},
                    "lateness": {"tiers": LATE_TIERS},
                    "yes_no": {"gate": "evidence"},
                    "manual": {"step": D("0.25")},
                    "formula": {"formula": "b / a * 2", "inputs": ("a", "b")},
                    "auto": {"measure": "tasks.on_time_rate", "tiers": RATE_TIERS},
                }[kind]
                leaves.append(line(key, kind, **extra))
            crits.append(Node(f"{s}.{c}", "group", max_points=D(2 * lines), children=tuple(leaves)))
        children.append(Node(f"{s}", "group", max_points=D(2 * lines * criteria), children=tuple(crits)))
    return table(*children, max_points=str(2 * lines * criteria * sections))


def test_a_300_line_scheme_scores_every_line():
    scheme = big_scheme()
    assert validate(scheme) == []
    keys = [node.key for node in engine.iter_nodes(scheme.root) if not node.is_group]
    assert len(keys) == 300
    full = {
        "tiered": Entry(value=D("100")),
        "lateness": Entry(value=D("0")),
        "yes_no": Entry(flag=True, evidence=True),
        "manual": Entry(points=D("2")),
        "formula": Entry(inputs={"a": D("4"), "b": D("4")}),
    }
    kinds = {node.key: node.kind for node in engine.iter_nodes(scheme.root)}
    entries = {key: full[kinds[key]] for key in keys if kinds[key] in full}
    result = run(scheme, entries, metrics={"tasks.on_time_rate": D("100")})
    assert len(result.nodes) == 300 + 60 + 10 + 1
    assert result.total == D("600")
    assert not any(node.error for node in result.nodes.values())
    half = run(scheme, {key: entry for key, entry in entries.items() if kinds[key] != "manual"}, metrics={"tasks.on_time_rate": D("100")})
    assert half.total == D("600") - 2 * sum(1 for key in keys if kinds[key] == "manual")


def test_the_worked_example_of_the_docs():
    """docs/scoring-engine.md walks through exactly these units; keep the two in step."""
    scheme = moj_extract()
    common = {"A.1": Entry(value=D("97.3")), "A.2": Entry(value=D("3")), "D.1": Entry(points=D("1.5"), evidence=True), "E.1": Entry(points=D("0.5"))}
    metrics = {"petitions.answered_rate": D("100")}
    rows = [
        unit_row("STP-HN", scheme, metrics, {"leader_disciplined"}, **common),
        unit_row("STP-DN", scheme, metrics, **common),
        unit_row("STP-HP", scheme, metrics, **{**common, "A.2": Entry(value=D("1")), "D.1": Entry(points=D("1"), evidence=True)}),
        unit_row("STP-QN", scheme, metrics, **{**common, "A.4": Entry(inputs={"a": D("40"), "b": D("38")})}),
        unit_row("STP-CT", scheme, metrics, **{"A.1": Entry(value=D("100")), "A.2": Entry(value=D("0"))}),
    ]
    hanoi = rows[0][1]
    assert {key: str(node.score) for key, node in hanoi.nodes.items()} == {
        "A.1": "1.75", "A.2": "1.00", "A.3": "2.00", "A.4": "1.90", "A.5": "2.00", "A": "8.65",
        "D.1": "1.50", "D": "1.50", "E.1": "0.50", "E": "-0.50", "T": "9.65",
    }
    assert (hanoi.grade, rows[1][1].grade) == ("good", "excellent")
    assert [(row.unit, row.position, str(row.total), row.decided_by, row.tied_with) for row in rank(rows, scheme.tie_breakers)] == [
        ("STP-CT", 1, "10.90", None, ()),
        ("STP-HP", 2, "9.65", None, ()),
        ("STP-QN", 3, "9.65", "node:A", ()),
        ("STP-DN", 4, "9.65", "vote", ("STP-HN",)),
        ("STP-HN", 4, "9.65", "vote", ("STP-DN",)),
    ]
