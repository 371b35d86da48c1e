"""The scoring engine (bộ máy chấm điểm thi đua): a scoring table and one unit's entries in; every
line's score, the total, the grade (xếp loại) and a machine-readable explanation out; plus the ranking
of a cluster (cụm/khối thi đua) with its tie-breaks and the validation of a table.

Plain Python on purpose: no Django, no settings, no gettext. The Django side turns rows into these
frozen dataclasses and renders the trace codes below in Vietnamese or English. Every number is a
``decimal.Decimal``; every node's score is quantized to 0.01 with ROUND_HALF_UP. ``score()`` never
raises for well-typed inputs: a bad entry or formula gives that line 0 points, ``error=True`` and a
trace step that names the problem. docs/scoring-engine.md explains the rules with a worked example.
``score(..., explain=False)`` gives the same scores, errors, total and grade but leaves every trace
(and the grade trace) empty: the fast path for pages and rankings that show no explanation.

Rules that are choices rather than arithmetic
---------------------------------------------
* A group's score is the sum of its children (a deduction child counts negatively), capped at the
  group's ``max_points``, then clamped at 0: deductions can empty a section but never make it (or
  the total) negative. Put a deduction group at the root if it must come off a capped section.
* Leaf lines are clamped into [0, max_points] (the entered value of a manual line may not be
  negative: that is an input error instead).
* Gates (evidence, conditions) only withhold points. A line below a deduction group is never gated
  out (step ``gate_ignored``): withholding evidence must never spare a unit a deduction, so adding
  evidence can never lower any score.
* Inputs (points, values, formula inputs, metrics) must be finite and within ±10^12
  (``MAX_ABS``); a computed result beyond that after capping is an ``out_of_range`` error.
* ``round()`` in formulas rounds half up, like the rest of the engine.
* In a ranking, a unit that shares its place (decided by vote) shows "vote" even when a tie-breaker
  separated it from the unit above: its place is still open. ``rank()`` refuses a unit listed twice.

Trace codes (``TraceStep.code`` and its ``params``; decimals are plain strings: "18", "1.75")
------------------------------------------------------------------------------------------------
Leaf lines:
  missing_entry    {}                                  the unit entered nothing for the line (0, not an error)
  missing_value    {"field": "points"|"flag"|"value"}  the entry lacks the field the kind needs (0)
  gated_out        {"gate": str, "kind": "evidence"|"condition", "value": bool|None}
                   the gate is not met, so the line scores 0 (value: the evidence flag or condition)
  gate_ignored     {"gate": str, "reason": "under_deduction"}
  invalid_number   {"field": "points"|"value"|"metric", "value": str}   not finite or beyond MAX_ABS (error)
  negative         {"points": str}                     a manual entry below 0 (error)
  not_a_step       {"points": str, "step": str}        a manual entry not a multiple of step (error)
  manual           {"points": str}                     the points entered
  yes_no           {"flag": bool|None, "points": str}
  tier_matched     {"index": int, "value", "lower", "upper": str|None, "lower_inclusive",
                    "upper_inclusive": bool, "points": str}
  no_tier_matched  {"value": str, "tiers": int}        no tier contains the value: 0 points
  metric           {"measure": str, "value": str}      the portal figure an auto line used
  missing_metric   {"measure": str}                    (error)
  formula          {"expression": str, "values": {name: str}, "result": str}
  formula_error    {"expression": str, "error": code, "detail": str}  (error), code one of
                   "division_by_zero", "missing_input", "syntax", "not_allowed", "too_long",
                   "invalid_input" (an input is not a finite number within MAX_ABS),
                   "arithmetic" (any other decimal failure)
  unknown_kind     {"kind": str}                       (error)
Any node:
  capped           {"raw": str, "max": str}            the raw score was above max_points
  floored          {"raw": str, "min": "0"}            the raw score was below 0
  out_of_range     {"raw": str, "limit": str}          (error)
Groups:
  sum              {"children": int, "raw": str, "max": str|None}
  deduction        {"points": str, "score": str}       points deducted, and the (negative) score
Grade (``ScoreResult.grade_trace``):
  grade_checked    {"grade", "min_total", "total": str, "threshold_met": bool,
                    "zero_lines": [keys] (only for no_zero_lines grades), "eligible": bool}
  grade_capped     {"flag", "max_grade": str, "from": str|None, "to": str|None}
  grade_cap_unknown {"flag", "max_grade": str}         a cap names no grade of the scheme: ignored
  grade            {"grade": str|None, "label": str|None, "total": str}

Ranking (``RankRow.decided_by``): None, "node:<key>", "input:<node key>:<input name>",
"metric:<name>" (the tie-breaker that separated the unit from the one above) or "vote".
An "input" tie-breaker reads ``entry.inputs[name]``, falling back to ``entry.points`` /
``entry.value`` for the names "points" and "value".

Validation (``Problem.code``; ``Problem.key`` is the node key, grade key, cap flag or tie-breaker ref)
  errors:   root_not_group {kind} · duplicate_key {count} · empty_key · unknown_kind {kind} ·
            negative_max {max} · missing_cap {kind} (bonus/deduction without max_points) ·
            missing_max {kind} (yes_no) · leaf_has_children {kind, children} · invalid_step {step} ·
            missing_tiers {kind} · missing_measure · missing_formula · invalid_input_name {name} ·
            formula_syntax / formula_not_allowed {error, detail, expression} ·
            formula_unknown_name {name, declared, expression} · negative_points {tier, points} ·
            tier_points_exceed_max {tier, points, max} · tier_empty {tier, lower, upper} ·
            duplicate_grade {grade} · grades_not_descending {grade, min_total, previous,
            previous_min_total} · cap_unknown_grade {flag, max_grade} ·
            tie_breaker_unknown_kind / tie_breaker_unknown_node / tie_breaker_bad_ref {kind, ref}
  warnings: children_exceed_parent {children_max, max} (the parent's cap trims them) ·
            parent_unreachable {children_max, max} · empty_group · nested_deduction ·
            gate_on_group {gate} · gate_under_deduction {gate} · step_unused {kind} ·
            max_not_a_step {max, step} · formula_unused {reason} · tiers_unused {kind} ·
            tier_overlap {tiers: [i, j]} (the first tier wins) · tier_gap {lower, upper} ·
            tie_breaker_unknown_input {kind, ref}
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from types import MappingProxyType
from typing import Any, NamedTuple

__all__ = [
    "FUNCTIONS",
    "GROUP_KINDS",
    "KINDS",
    "LEAF_KINDS",
    "MAX_ABS",
    "MAX_FORMULA_LENGTH",
    "Entry",
    "FormulaError",
    "Grade",
    "GradeCap",
    "Node",
    "NodeResult",
    "Problem",
    "RankRow",
    "Scheme",
    "ScoreResult",
    "Tier",
    "TieBreaker",
    "TraceStep",
    "UnitInputs",
    "compile_formula",
    "evaluate_formula",
    "iter_nodes",
    "missing_evidence",
    "rank",
    "score",
    "validate",
]

GROUP, BONUS, DEDUCTION = "group", "bonus", "deduction"
MANUAL, YES_NO, TIERED, LATENESS, FORMULA, AUTO = "manual", "yes_no", "tiered", "lateness", "formula", "auto"
GROUP_KINDS = frozenset({GROUP, BONUS, DEDUCTION})
LEAF_KINDS = frozenset({MANUAL, YES_NO, TIERED, LATENESS, FORMULA, AUTO})
KINDS = GROUP_KINDS | LEAF_KINDS
GATE_EVIDENCE = "evidence"
TIE_BREAK_KINDS = frozenset({"node", "input", "metric"})

ZERO = Decimal(0)
CENT = Decimal("0.01")
ZERO_CENTS = Decimal("0.00")
MAX_ABS = Decimal(10) ** 12
MAX_FORMULA_LENGTH = 500
FUNCTIONS = frozenset({"min", "max", "abs", "round"})
# Our own arithmetic context, whatever the caller's thread has set.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])


def _decimal(value: Any, what: str) -> Decimal:
    """A scheme number as a Decimal (int, str and float accepted: floats through str)."""
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, (int, float, str)):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{what}: {value!r} is not a number") from None
    else:
        raise TypeError(f"{what}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{what}: {value!r} is not a finite number")
    return result


def _optional_decimal(value: Any, what: str) -> Decimal | None:
    return None if value is None else _decimal(value, what)


def _entry_number(value: Any) -> Decimal | None:
    """An entered number as a Decimal, or None when it is not a usable number (never raises)."""
    if type(value) is Decimal and value.is_finite() and -MAX_ABS <= value <= MAX_ABS:
        return value  # the usual case, first
    if isinstance(value, bool):
        return None
    if not isinstance(value, Decimal):
        if not isinstance(value, (int, float, str)):
            return None
        try:
            value = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    if not value.is_finite() or abs(value) > MAX_ABS:
        return None
    return value


def _num(value: Decimal) -> str:
    """A decimal for a trace: plain notation, no trailing zeros ("18", "1.75", "0")."""
    return "0" if not value else format(value.normalize(), "f")


def _s(value: Decimal | None) -> str | None:
    return None if value is None else _num(value)


# --- Data in ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tier:
    """One band of a tiered line (mức điểm): `points` when lower <= value < upper by default."""

    points: Decimal
    lower: Decimal | None = None
    upper: Decimal | None = None
    lower_inclusive: bool = True
    upper_inclusive: bool = False
    _described: dict = field(init=False, repr=False, compare=False, hash=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", _decimal(self.points, "Tier.points"))
        object.__setattr__(self, "lower", _optional_decimal(self.lower, "Tier.lower"))
        object.__setattr__(self, "upper", _optional_decimal(self.upper, "Tier.upper"))
        # the constant part of its "tier_matched" step, built once rather than per unit scored
        described = {
            "lower": _s(self.lower),
            "upper": _s(self.upper),
            "lower_inclusive": self.lower_inclusive,
            "upper_inclusive": self.upper_inclusive,
            "points": _num(self.points),
        }
        object.__setattr__(self, "_described", described)

    def matches(self, value: Decimal) -> bool:
        lower, upper = self.lower, self.upper
        return (lower is None or value > lower or (self.lower_inclusive and value == lower)) and (
            upper is None or value < upper or (self.upper_inclusive and value == upper)
        )


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the scoring table (tiêu chí): a section, criterion or scored line.

    `max_points` is the điểm chuẩn (None = no cap); `inputs` names the values a formula may use.
    """

    key: str
    kind: str
    title: str = ""
    max_points: Decimal | None = None
    children: tuple[Node, ...] = ()
    step: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    formula: str = ""
    measure: str = ""
    gate: str = ""
    requires_evidence: bool = False
    inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_points", _optional_decimal(self.max_points, f"{self.key}.max_points"))
        object.__setattr__(self, "step", _optional_decimal(self.step, f"{self.key}.step"))
        object.__setattr__(self, "children", tuple(self.children))
        object.__setattr__(self, "tiers", tuple(self.tiers))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "formula", self.formula or "")
        object.__setattr__(self, "measure", self.measure or "")
        object.__setattr__(self, "gate", self.gate or "")

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS


@dataclass(frozen=True, slots=True)
class Grade:
    """A grade (mức xếp loại), e.g. excellent >= 95 with no line at zero."""

    key: str
    label: str
    min_total: Decimal
    no_zero_lines: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_total", _decimal(self.min_total, f"grade {self.key}.min_total"))


@dataclass(frozen=True, slots=True)
class GradeCap:
    """When the unit carries `flag` (e.g. its leader was disciplined), the grade is at best `max_grade`."""

    flag: str
    max_grade: str


@dataclass(frozen=True, slots=True)
class TieBreaker:
    """A secondary measure for equal totals: kind "node" | "input" | "metric" (see rank())."""

    kind: str
    ref: str
    descending: bool = True

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.ref}"


@dataclass(frozen=True, slots=True)
class Scheme:
    """A scoring table (bảng tiêu chí chấm điểm): the tree, its grades, grade caps and tie-breakers."""

    root: Node
    grades: tuple[Grade, ...] = ()
    caps: tuple[GradeCap, ...] = ()
    tie_breakers: tuple[TieBreaker, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "grades", tuple(self.grades))
        object.__setattr__(self, "caps", tuple(self.caps))
        object.__setattr__(self, "tie_breakers", tuple(self.tie_breakers))


@dataclass(frozen=True, slots=True)
class Entry:
    """What was entered for one line (điểm tự chấm or điểm thẩm định), with its evidence flag."""

    points: Decimal | None = None
    flag: bool | None = None
    value: Decimal | None = None
    inputs: Mapping[str, Decimal] = field(default_factory=dict)
    evidence: bool = False
    conditions: Mapping[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", MappingProxyType(dict(self.inputs or {})))
        object.__setattr__(self, "conditions", MappingProxyType(dict(self.conditions or {})))


@dataclass(frozen=True, slots=True)
class UnitInputs:
    """One unit's entries by node key, the portal's figures for it (metrics) and its flags."""

    entries: Mapping[str, Entry] = field(default_factory=dict)
    metrics: Mapping[str, Decimal] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries or {})))
        object.__setattr__(self, "metrics", MappingProxyType(dict(self.metrics or {})))
        object.__setattr__(self, "flags", frozenset(self.flags or ()))


# --- Data out --------------------------------------------------------------------------------------


# The two records built for every node of every unit are named tuples: as immutable as the frozen
# dataclasses, and about twice as cheap to create (a 300-line table for 200 units makes 130,000).


class TraceStep(NamedTuple):
    """One step of an explanation: a code and JSON-serialisable params (see the module docstring)."""

    code: str
    params: dict


class NodeResult(NamedTuple):
    """One node's score (a deduction group's is negative), its max and how it was reached."""

    key: str
    score: Decimal
    max_points: Decimal | None
    trace: tuple[TraceStep, ...]
    error: bool


@dataclass(frozen=True, slots=True)
class ScoreResult:
    nodes: dict[str, NodeResult]
    total: Decimal
    grade: str | None
    grade_trace: tuple[TraceStep, ...]


@dataclass(frozen=True, slots=True)
class RankRow:
    unit: str
    position: int
    total: Decimal
    decided_by: str | None
    tied_with: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    level: str  # "error" | "warning"
    key: str
    code: str
    params: dict = field(default_factory=dict)


# --- Safe formulas ---------------------------------------------------------------------------------


class FormulaError(Exception):
    """A formula that cannot be compiled or evaluated; `code` is one of the formula_error codes."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


_Evaluator = Callable[[Mapping[str, Decimal]], Decimal]
_BINARY_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


@dataclass(frozen=True, slots=True)
class _Compiled:
    expression: str
    names: frozenset[str]
    evaluate: _Evaluator | None
    error: FormulaError | None


def _round_half_up(value: Decimal, places: Decimal | None = None) -> Decimal:
    if places is None:
        return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if places != places.to_integral_value() or not 0 <= places <= 10:
        raise FormulaError("not_allowed", "round() takes a whole number of decimal places between 0 and 10")
    return value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


def _build(node: ast.AST, names: set[str]) -> _Evaluator:
    """Turn an allowed ast node into a closure over Decimals; anything else is "not_allowed"."""
    if isinstance(node, ast.Expression):
        return _build(node.body, names)
    if isinstance(node, ast.BinOp):
        symbol = _BINARY_OPS.get(type(node.op))
        if symbol is None:
            raise FormulaError("not_allowed", f"operator {type(node.op).__name__} is not allowed")
        left, right = _build(node.left, names), _build(node.right, names)
        if symbol == "+":
            return lambda env: left(env) + right(env)
        if symbol == "-":
            return lambda env: left(env) - right(env)
        if symbol == "*":
            return lambda env: left(env) * right(env)

        def divide(env: Mapping[str, Decimal]) -> Decimal:
            divisor = right(env)
            if not divisor:  # also 0 / 0, which decimal reports as an invalid operation
                raise FormulaError("division_by_zero", "division by zero")
            return left(env) / divisor

        return divide
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand, names)
        if isinstance(node.op, ast.USub):
            return lambda env: -operand(env)
        if isinstance(node.op, ast.UAdd):
            return lambda env: +operand(env)
        raise FormulaError("not_allowed", f"operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError("not_allowed", f"constant {value!r} is not a number")
        number = Decimal(str(value))
        if not number.is_finite():
            raise FormulaError("not_allowed", f"constant {value!r} is not a finite number")
        return lambda env: number
    if isinstance(node, ast.Name):
        name = node.id
        if name in FUNCTIONS:
            raise FormulaError("not_allowed", f"{name} can only be called")
        names.add(name)
        return lambda env: env[name]
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise FormulaError("not_allowed", "only min(), max(), abs() and round() may be called")
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise FormulaError("not_allowed", f"{node.func.id}() takes positional arguments only")
        function, args = node.func.id, [_build(arg, names) for arg in node.args]
        if function == "abs":
            if len(args) != 1:
                raise FormulaError("not_allowed", "abs() takes exactly 1 argument")
            (only,) = args
            return lambda env: abs(only(env))
        if function == "round":
            if len(args) not in (1, 2):
                raise FormulaError("not_allowed", "round() takes 1 or 2 arguments")
            if len(args) == 1:
                (only,) = args
                return lambda env: _round_half_up(only(env))
            value, places = args
            return lambda env: _round_half_up(value(env), places(env))
        if len(args) < 2:
            raise FormulaError("not_allowed", f"{function}() takes at least 2 arguments")
        pick = min if function == "min" else max
        return lambda env: pick(arg(env) for arg in args)
    raise FormulaError("not_allowed", f"{type(node).__name__} is not allowed")


@functools.lru_cache(maxsize=4096)
def compile_formula(expression: str) -> _Compiled:
    """Parse and check a formula once (cached); never raises, the error is kept on the result."""
    names: set[str] = set()
    try:
        if not isinstance(expression, str):
            raise FormulaError("syntax", "the formula is not text")
        if len(expression) > MAX_FORMULA_LENGTH:
            raise FormulaError("too_long", f"longer than {MAX_FORMULA_LENGTH} characters")
        if not expression.strip():
            raise FormulaError("syntax", "the formula is empty")
        try:
            tree = ast.parse(expression.strip(), mode="eval")
        except (SyntaxError, ValueError) as exc:
            raise FormulaError("syntax", getattr(exc, "msg", None) or str(exc)) from None
        evaluate = _build(tree, names)
    except FormulaError as exc:
        return _Compiled(expression, frozenset(names), None, exc)
    except (RecursionError, MemoryError):
        return _Compiled(expression, frozenset(names), None, FormulaError("too_long", "nested too deeply"))
    return _Compiled(expression, frozenset(names), evaluate, None)


@functools.lru_cache(maxsize=4096)
def _formula_for(expression: str, declared: tuple[str, ...]) -> _Compiled:
    """The compiled formula, or an error if it uses a name that is not one of `declared`."""
    compiled = compile_formula(expression)
    if compiled.error is None:
        unknown = sorted(compiled.names - set(declared))
        if unknown:
            detail = f"not declared inputs: {', '.join(unknown)}"
            return _Compiled(expression, compiled.names, None, FormulaError("not_allowed", detail))
    return compiled


def evaluate_formula(expression: str, values: Mapping[str, Any], declared: Sequence[str] | None = None) -> Decimal:
    """Evaluate a formula over `values` in Decimal; raises FormulaError (never anything else).

    `declared` restricts the names the formula may use (default: the keys of `values`).
    """
    declared_names = tuple(sorted(values if declared is None else declared))
    compiled = _formula_for(expression, declared_names)
    if compiled.error is not None:
        raise compiled.error
    with localcontext(_CONTEXT):
        return _run(compiled, values)


def _run(compiled: _Compiled, values: Mapping[str, Any]) -> Decimal:
    missing = sorted(name for name in compiled.names if values.get(name) is None)
    if missing:
        raise FormulaError("missing_input", ", ".join(missing))
    env = {}
    for name in compiled.names:
        number = _entry_number(values[name])
        if number is None:
            raise FormulaError("invalid_input", f"{name} = {values[name]!s}")
        env[name] = number
    assert compiled.evaluate is not None
    try:
        result = compiled.evaluate(env)
    except ZeroDivisionError:
        raise FormulaError("division_by_zero", "division by zero") from None
    except FormulaError:
        raise
    except (DecimalException, ArithmeticError) as exc:
        raise FormulaError("arithmetic", type(exc).__name__) from None
    except RecursionError:
        raise FormulaError("too_long", "nested too deeply") from None
    if not result.is_finite():
        raise FormulaError("arithmetic", "the result is not a finite number")
    return result


# --- Scoring ---------------------------------------------------------------------------------------


class _Failed:
    """What a line scorer returns after recording an input error: the line scores 0, error=True."""

    __slots__ = ()


_FAILED = _Failed()


# The scorers below take `steps`: the list the node's trace is collected in, or None when the caller
# asked for no explanation (score(explain=False)); every trace step is built only `if steps is not None`.
_Steps = list[TraceStep] | None


def _fail(steps: _Steps, code: str, params: dict) -> _Failed:
    """An input error (rare): the params are built by the caller even without a trace."""
    if steps is not None:
        steps.append(TraceStep(code, params))
    return _FAILED


def _tiers(node: Node, value: Decimal, steps: _Steps) -> Decimal | _Failed:
    for index, tier in enumerate(node.tiers):
        if tier.matches(value):
            if steps is not None:
                steps.append(TraceStep("tier_matched", {"index": index, "value": _num(value), **tier._described}))
            return tier.points
    if steps is not None:
        steps.append(TraceStep("no_tier_matched", {"value": _num(value), "tiers": len(node.tiers)}))
    return ZERO


def _formula(node: Node, compiled: _Compiled, values: Mapping[str, Any], steps: _Steps) -> Decimal | _Failed:
    if compiled.error is not None:
        error = compiled.error
        return _fail(steps, "formula_error", {"expression": node.formula, "error": error.code, "detail": error.detail})
    try:
        result = _run(compiled, values)
    except FormulaError as error:
        return _fail(steps, "formula_error", {"expression": node.formula, "error": error.code, "detail": error.detail})
    if steps is not None:
        shown = {name: _num(_entry_number(values[name])) for name in sorted(compiled.names)}  # numbers, checked by _run
        steps.append(TraceStep("formula", {"expression": node.formula, "values": shown, "result": _num(result)}))
    return result


def _score_manual(node: Node, entry: Entry | None, metrics: Mapping[str, Any], steps: _Steps) -> Decimal | _Failed | None:
    if entry is None:
        if steps is not None:
            steps.append(TraceStep("missing_entry", {}))
        return None
    if entry.points is None:
        if steps is not None:
            steps.append(TraceStep("missing_value", {"field": "points"}))
        return None
    points = _entry_number(entry.points)
    if points is None:
        return _fail(steps, "invalid_number", {"field": "points", "value": str(entry.points)})
    if points < 0:
        return _fail(steps, "negative", {"points": _num(points)})
    step = node.step
    if step is not None and step > 0:
        try:
            off_step = points % step != 0
        except ArithmeticError:
            off_step = True
        if off_step:
            return _fail(steps, "not_a_step", {"points": _num(points), "step": _num(step)})
    if steps is not None:
        steps.append(TraceStep("manual", {"points": _num(points)}))
    return points


def _score_yes_no(node: Node, entry: Entry | None, metrics: Mapping[str, Any], steps: _Steps) -> Decimal | _Failed | None:
    if entry is None:
        if steps is not None:
            steps.append(TraceStep("missing_entry", {}))
        return None
    if entry.flag is None:
        if steps is not None:
            steps.append(TraceStep("missing_value", {"field": "flag"}))
        return None
    points = (node.max_points or ZERO) if entry.flag is True else ZERO
    if steps is not None:
        steps.append(TraceStep("yes_no", {"flag": entry.flag is True, "points": _num(points)}))
    return points


def _score_tiered(node: Node, entry: Entry | None, metrics: Mapping[str, Any], steps: _Steps) -> Decimal | _Failed | None:
    if entry is None:
        if steps is not None:
            steps.append(TraceStep("missing_entry", {}))
        return None
    if entry.value is None:
        if steps is not None:
            steps.append(TraceStep("missing_value", {"field": "value"}))
        return None
    value = _entry_number(entry.value)
    if value is None:
        return _fail(steps, "invalid_number", {"field": "value", "value": str(entry.value)})
    return _tiers(node, value, steps)


def _score_formula(node: Node, entry: Entry | None, metrics: Mapping[str, Any], steps: _Steps) -> Decimal | _Failed | None:
    compiled = _formula_for(node.formula, node.inputs)
    if entry is None and compiled.names and compiled.error is None:
        if steps is not None:
            steps.append(TraceStep("missing_entry", {}))
        return None
    return _formula(node, compiled, entry.inputs if entry is not None else {}, steps)


def _score_auto(node: Node, entry: Entry | None, metrics: Mapping[str, Any], steps: _Steps) -> Decimal | _Failed | None:
    measure = node.measure
    if metrics.get(measure) is None:
        return _fail(steps, "missing_metric", {"measure": measure})
    value = _entry_number(metrics[measure])
    if value is None:
        return _fail(steps, "invalid_number", {"field": "metric", "value": str(metrics[measure])})
    if steps is not None:
        steps.append(TraceStep("metric", {"measure": measure, "value": _num(value)}))
    if node.tiers:
        return _tiers(node, value, steps)
    if node.formula:
        variable = measure.replace(".", "_")
        return _formula(node, _formula_for(node.formula, (variable,)), {variable: value}, steps)
    return value


_LEAF_SCORERS: dict[str, Callable[[Node, Entry | None, Mapping[str, Any], _Steps], Decimal | _Failed | None]] = {
    MANUAL: _score_manual,
    YES_NO: _score_yes_no,
    TIERED: _score_tiered,
    LATENESS: _score_tiered,
    FORMULA: _score_formula,
    AUTO: _score_auto,
}


def _bound(raw: Decimal, maximum: Decimal | None, steps: _Steps) -> Decimal:
    """Cap at `maximum` then clamp at 0, recording each adjustment."""
    value = raw
    if maximum is not None and value > maximum:
        if steps is not None:
            steps.append(TraceStep("capped", {"raw": _num(value), "max": _num(maximum)}))
        value = maximum
    if value < 0:
        if steps is not None:
            steps.append(TraceStep("floored", {"raw": _num(value), "min": "0"}))
        value = ZERO
    return value


class _Scorer:
    __slots__ = ("entries", "explain", "metrics", "nodes", "zero_lines")

    def __init__(self, inputs: UnitInputs, explain: bool = True):
        self.entries = dict(inputs.entries)  # a plain dict: faster to read than the read-only view
        self.explain = explain  # False: no trace steps are built (every trace stays empty)
        self.metrics = inputs.metrics
        self.nodes: dict[str, NodeResult] = {}
        self.zero_lines: list[str] = []  # leaf lines at 0 outside bonus/deduction groups

    def node(self, node: Node, under_deduction: bool, counted: bool) -> Decimal:
        if node.kind in GROUP_KINDS:
            return self.group(node, under_deduction, counted)
        return self.leaf(node, under_deduction, counted)

    def leaf(self, node: Node, under_deduction: bool, counted: bool) -> Decimal:
        key = node.key
        steps: _Steps = [] if self.explain else None
        for child in node.children:  # a leaf's children (an invalid table) are listed, never summed
            self.node(child, under_deduction, False)
        scorer = _LEAF_SCORERS.get(node.kind)
        entry = self.entries.get(key)
        if scorer is None:
            raw = _fail(steps, "unknown_kind", {"kind": str(node.kind)})
        elif node.gate and self.gated_out(node, entry, under_deduction, steps):
            raw = None
        else:
            raw = scorer(node, entry, self.metrics, steps)
        error = raw is _FAILED
        if raw is None or error:
            value = ZERO_CENTS
        else:
            value = _bound(raw, node.max_points, steps)
            if value > MAX_ABS:
                _fail(steps, "out_of_range", {"raw": _num(value), "limit": _num(MAX_ABS)})
                value, error = ZERO_CENTS, True
            value = value.quantize(CENT, rounding=ROUND_HALF_UP) if value else ZERO_CENTS  # never "-0.00"
        self.nodes[key] = NodeResult(key, value, node.max_points, () if steps is None else tuple(steps), error)
        if counted and not value:
            self.zero_lines.append(key)
        return value

    def gated_out(self, node: Node, entry: Entry | None, under_deduction: bool, steps: _Steps) -> bool:
        """Whether the line's gate withholds its points (recording why, or why the gate is ignored)."""
        gate = node.gate
        if under_deduction:
            if steps is not None:
                steps.append(TraceStep("gate_ignored", {"gate": gate, "reason": "under_deduction"}))
            return False
        if gate == GATE_EVIDENCE:
            value = bool(entry.evidence) if entry is not None else False
            if value:
                return False
            if steps is not None:
                steps.append(TraceStep("gated_out", {"gate": gate, "kind": "evidence", "value": value}))
            return True
        condition = entry.conditions.get(gate) if entry is not None else None
        if condition is True:
            return False
        if steps is not None:
            shown = condition if isinstance(condition, bool) else None
            steps.append(TraceStep("gated_out", {"gate": gate, "kind": "condition", "value": shown}))
        return True

    def group(self, node: Node, under_deduction: bool, counted: bool) -> Decimal:
        kind = node.kind
        is_deduction = kind == DEDUCTION
        child_deduction = under_deduction or is_deduction
        child_counted = counted and kind == GROUP
        raw = ZERO
        for child in node.children:
            raw += self.node(child, child_deduction, child_counted)
        steps: _Steps = None
        if self.explain:
            steps = [TraceStep("sum", {"children": len(node.children), "raw": _num(raw), "max": _s(node.max_points)})]
        value = _bound(raw, node.max_points, steps)
        if is_deduction:
            value = -value
            if steps is not None:
                steps.append(TraceStep("deduction", {"points": _num(-value), "score": _num(value)}))
        value = value.quantize(CENT, rounding=ROUND_HALF_UP) if value else ZERO_CENTS  # never "-0.00"
        self.nodes[node.key] = NodeResult(node.key, value, node.max_points, () if steps is None else tuple(steps), False)
        return value


def score(scheme: Scheme, inputs: UnitInputs, *, explain: bool = True) -> ScoreResult:
    """Score one unit: every node (pre-order), the total (never below 0) and the grade with its trace.

    With ``explain=False`` the scores, max_points, error flags, total and grade are the same, but
    every node's ``trace`` and the ``grade_trace`` are empty: no trace step is built, which makes
    scoring several times faster (for totals and rankings that show no explanation).
    """
    scorer = _Scorer(inputs, explain)
    with localcontext(_CONTEXT):
        total = scorer.node(scheme.root, False, True)
        if total < 0:  # only when the root itself is a deduction (validate() reports it)
            total = ZERO_CENTS
        grade, grade_trace = _grade(scheme, inputs.flags, total, scorer.zero_lines, explain)
    return ScoreResult(scorer.nodes, total, grade, grade_trace)


def _grade(
    scheme: Scheme, flags: frozenset[str], total: Decimal, zero_lines: list[str], explain: bool = True
) -> tuple[str | None, tuple]:
    grades = scheme.grades
    steps: _Steps = [] if explain else None
    eligible: list[bool] = []
    for grade in grades:
        met = total >= grade.min_total
        ok = met and not (grade.no_zero_lines and zero_lines)
        if steps is not None:
            params: dict[str, Any] = {"grade": grade.key, "min_total": _num(grade.min_total), "total": _num(total), "threshold_met": met}
            if grade.no_zero_lines:
                params["zero_lines"] = list(zero_lines)
            params["eligible"] = ok
            steps.append(TraceStep("grade_checked", params))
        eligible.append(ok)
    best = next((index for index, ok in enumerate(eligible) if ok), None)
    index_of = {grade.key: index for index, grade in reversed(list(enumerate(grades)))}
    floor, cause = 0, None  # the best grade index the caps allow, and the strictest cap
    for cap in scheme.caps:
        if cap.flag not in flags:
            continue
        if cap.max_grade not in index_of:
            if steps is not None:
                steps.append(TraceStep("grade_cap_unknown", {"flag": cap.flag, "max_grade": cap.max_grade}))
        elif cause is None or index_of[cap.max_grade] > floor:
            floor, cause = index_of[cap.max_grade], cap
    chosen = next((index for index in range(floor, len(grades)) if eligible[index]), None)
    key = None if chosen is None else grades[chosen].key
    if steps is None:
        return key, ()
    if cause is not None and chosen != best:
        steps.append(
            TraceStep(
                "grade_capped",
                {
                    "flag": cause.flag,
                    "max_grade": cause.max_grade,
                    "from": None if best is None else grades[best].key,
                    "to": None if chosen is None else grades[chosen].key,
                },
            )
        )
    label = None if chosen is None else grades[chosen].label
    steps.append(TraceStep("grade", {"grade": key, "label": label, "total": _num(total)}))
    return key, tuple(steps)


def iter_nodes(node: Node):
    """The node and all its descendants, pre-order."""
    yield node
    for child in node.children:
        yield from iter_nodes(child)


def missing_evidence(scheme: Scheme, inputs: UnitInputs) -> list[str]:
    """Keys of the leaf lines that require evidence (minh chứng) and have none, in table order."""
    missing = []
    for node in iter_nodes(scheme.root):
        if node.is_group or not node.requires_evidence:
            continue
        entry = inputs.entries.get(node.key)
        if entry is None or not entry.evidence:
            missing.append(node.key)
    return missing


# --- Ranking ---------------------------------------------------------------------------------------


def _tie_value(breaker: TieBreaker, result: ScoreResult, inputs: UnitInputs) -> Decimal | None:
    if breaker.kind == "node":
        node = result.nodes.get(breaker.ref)
        return None if node is None else node.score
    if breaker.kind == "input":
        node_key, _, name = breaker.ref.partition(":")
        entry = inputs.entries.get(node_key)
        if entry is None or not name:
            return None
        raw = entry.inputs.get(name)
        if raw is None and name in ("points", "value"):
            raw = getattr(entry, name)
        return None if raw is None else _entry_number(raw)
    if breaker.kind == "metric":
        raw = inputs.metrics.get(breaker.ref)
        return None if raw is None else _entry_number(raw)
    return None


def rank(rows: Sequence[tuple[str, ScoreResult, UnitInputs]], tie_breakers: Sequence[TieBreaker] = ()) -> list[RankRow]:
    """Rank units by total, then by each tie-breaker in order (missing values last), then a vote.

    Competition ranking (1, 2, 2, 4): units still equal after every tie-breaker share a position
    with decided_by="vote" and are listed by unit key. Otherwise decided_by names the tie-breaker
    that separated a unit from the one above it (None when the totals differ). Raises ValueError
    when a unit appears twice.
    """
    breakers = tuple(tie_breakers)
    seen: set[str] = set()
    keyed = []
    for unit, result, inputs in rows:
        if unit in seen:
            raise ValueError(f"unit {unit!r} appears twice in the ranking")
        seen.add(unit)
        values = tuple(_tie_value(breaker, result, inputs) for breaker in breakers)
        order = tuple(
            (1, ZERO) if value is None else (0, -value if breaker.descending else value)
            for breaker, value in zip(breakers, values, strict=True)
        )
        keyed.append(((-result.total, order), unit, result.total, values))
    keyed.sort(key=lambda item: (item[0], item[1]))

    ranked: list[RankRow] = []
    start = 0
    while start < len(keyed):
        end = start + 1
        while end < len(keyed) and keyed[end][0] == keyed[start][0]:
            end += 1
        group = keyed[start:end]
        units = [item[1] for item in group]
        if len(group) > 1:
            for _, unit, total, _ in group:
                others = tuple(other for other in units if other != unit)
                ranked.append(RankRow(unit, start + 1, total, "vote", others))
        else:
            _, unit, total, values = group[0]
            decided_by = None
            if start:
                _, _, above_total, above_values = keyed[start - 1]
                if above_total == total:
                    decided_by = next(
                        (
                            breaker.name
                            for breaker, mine, theirs in zip(breakers, values, above_values, strict=True)
                            if mine != theirs
                        ),
                        None,
                    )
            ranked.append(RankRow(unit, start + 1, total, decided_by, ()))
        start = end
    return ranked


# --- Validation ------------------------------------------------------------------------------------


def _tier_probes(tiers: tuple[Tier, ...]) -> list[tuple[Decimal, Decimal | None, Decimal | None]]:
    """Sample values that decide every overlap and gap question about `tiers`.

    Between two consecutive bounds no tier starts or ends, so whether a tier contains a value is
    the same for the whole open interval: each bound, each midpoint and one value beyond either end
    is enough. Each probe comes with the interval it stands for (None = unbounded).
    """
    bounds = sorted({value for tier in tiers for value in (tier.lower, tier.upper) if value is not None})
    if not bounds:
        return [(ZERO, None, None)]
    probes: list[tuple[Decimal, Decimal | None, Decimal | None]] = [(bounds[0] - 1, None, bounds[0])]
    for index, value in enumerate(bounds):
        probes.append((value, value, value))
        if index + 1 < len(bounds):
            probes.append(((value + bounds[index + 1]) / 2, value, bounds[index + 1]))
    probes.append((bounds[-1] + 1, bounds[-1], None))
    return probes


def _positive_max(child: Node) -> Decimal | None:
    """What a child can add to its parent: its max, 0 for deductions, None when unbounded."""
    if child.kind == DEDUCTION:
        return ZERO
    if child.kind == YES_NO:
        return child.max_points or ZERO
    if child.max_points is not None:
        return child.max_points
    if child.kind in (TIERED, LATENESS) and child.tiers:
        return max([tier.points for tier in child.tiers] + [ZERO])
    if child.kind in (GROUP, BONUS) and child.children:
        maxima = [_positive_max(grandchild) for grandchild in child.children]
        return None if any(m is None for m in maxima) else sum(maxima, ZERO)
    return None


def validate(scheme: Scheme) -> list[Problem]:
    """Every problem of a scoring table: errors make it unusable, warnings deserve a second look."""
    problems: list[Problem] = []

    def add(level: str, key: str, code: str, **params: Any) -> None:
        problems.append(Problem(level, key, code, params))

    root = scheme.root
    if root.kind != GROUP:
        add("error", root.key, "root_not_group", kind=root.kind)

    counts: dict[str, int] = {}
    by_key: dict[str, Node] = {}
    for node in iter_nodes(root):
        counts[node.key] = counts.get(node.key, 0) + 1
        by_key.setdefault(node.key, node)
    for key, count in counts.items():
        if count > 1:
            add("error", key, "duplicate_key", count=count)

    def walk(node: Node, under_deduction: bool) -> None:
        key, kind = node.key, node.kind
        if not key:
            add("error", key, "empty_key")
        if kind not in KINDS:
            add("error", key, "unknown_kind", kind=str(kind))
        if node.max_points is not None and node.max_points < 0:
            add("error", key, "negative_max", max=_num(node.max_points))
        if kind in GROUP_KINDS:
            _validate_group(node, under_deduction, add)
        elif kind in LEAF_KINDS:
            _validate_leaf(node, under_deduction, add)
        for child in node.children:
            walk(child, under_deduction or kind == DEDUCTION)

    walk(root, False)
    _validate_rules(scheme, by_key, add)
    return problems


def _validate_group(node: Node, under_deduction: bool, add) -> None:
    key, kind = node.key, node.kind
    if kind in (BONUS, DEDUCTION) and node.max_points is None:
        add("error", key, "missing_cap", kind=kind)
    if kind == DEDUCTION and under_deduction:
        add("warning", key, "nested_deduction")
    if node.gate:
        add("warning", key, "gate_on_group", gate=node.gate)
    if not node.children:
        add("warning", key, "empty_group")
    if node.max_points is not None and node.children:
        maxima = [_positive_max(child) for child in node.children]
        if all(m is not None for m in maxima):
            total = sum(maxima, ZERO)
            if total > node.max_points:
                add("warning", key, "children_exceed_parent", children_max=_num(total), max=_num(node.max_points))
            elif total < node.max_points and kind == GROUP:
                add("warning", key, "parent_unreachable", children_max=_num(total), max=_num(node.max_points))


def _validate_leaf(node: Node, under_deduction: bool, add) -> None:
    key, kind, maximum = node.key, node.kind, node.max_points
    if node.children:
        add("error", key, "leaf_has_children", kind=kind, children=len(node.children))
    if kind == YES_NO and maximum is None:
        add("error", key, "missing_max", kind=kind)
    if node.gate and under_deduction:
        add("warning", key, "gate_under_deduction", gate=node.gate)
    if node.step is not None:
        if node.step <= 0:
            add("error", key, "invalid_step", step=_num(node.step))
        elif kind != MANUAL:
            add("warning", key, "step_unused", kind=kind)
        elif maximum is not None and maximum % node.step != 0:
            add("warning", key, "max_not_a_step", max=_num(maximum), step=_num(node.step))
    if kind in (TIERED, LATENESS) and not node.tiers:
        add("error", key, "missing_tiers", kind=kind)
    if kind == AUTO and not node.measure:
        add("error", key, "missing_measure")
    if kind == FORMULA and not node.formula:
        add("error", key, "missing_formula")
    for name in node.inputs:
        if not isinstance(name, str) or not name.isidentifier() or name in FUNCTIONS:
            add("error", key, "invalid_input_name", name=str(name))
    if node.formula and kind in (FORMULA, AUTO):
        declared = node.inputs if kind == FORMULA else (node.measure.replace(".", "_"),)
        compiled = compile_formula(node.formula)
        if compiled.error is not None:
            code = "formula_syntax" if compiled.error.code in ("syntax", "too_long") else "formula_not_allowed"
            add("error", key, code, error=compiled.error.code, detail=compiled.error.detail, expression=node.formula)
        else:
            for name in sorted(compiled.names - set(declared)):
                add("error", key, "formula_unknown_name", name=name, declared=list(declared), expression=node.formula)
        if kind == AUTO and node.tiers:
            add("warning", key, "formula_unused", reason="tiers")
    elif node.formula:
        add("warning", key, "formula_unused", reason=kind)
    if node.tiers:
        if kind not in (TIERED, LATENESS, AUTO):
            add("warning", key, "tiers_unused", kind=kind)
        _validate_tiers(node, add)


def _validate_tiers(node: Node, add) -> None:
    key, maximum, tiers = node.key, node.max_points, node.tiers
    for index, tier in enumerate(tiers):
        if tier.points < 0:
            add("error", key, "negative_points", tier=index, points=_num(tier.points))
        if maximum is not None and tier.points > maximum:
            add("error", key, "tier_points_exceed_max", tier=index, points=_num(tier.points), max=_num(maximum))
        lower, upper = tier.lower, tier.upper
        if lower is not None and upper is not None and (
            lower > upper or (lower == upper and not (tier.lower_inclusive and tier.upper_inclusive))
        ):
            add("error", key, "tier_empty", tier=index, lower=_num(lower), upper=_num(upper))
    probes = _tier_probes(tiers)
    matched = [[index for index, tier in enumerate(tiers) if tier.matches(value)] for value, _, _ in probes]
    overlaps = sorted({(a, b) for indexes in matched for a in indexes for b in indexes if a < b})
    for first, second in overlaps:
        add("warning", key, "tier_overlap", tiers=[first, second])
    covered = [position for position, indexes in enumerate(matched) if indexes]
    if covered:  # values below the lowest or above the highest tier are not gaps: they score 0
        for position in range(covered[0], covered[-1] + 1):
            if not matched[position]:
                _, lower, upper = probes[position]
                add("warning", key, "tier_gap", lower=_s(lower), upper=_s(upper))


def _validate_rules(scheme: Scheme, by_key: dict[str, Node], add) -> None:
    grade_keys: set[str] = set()
    previous: Grade | None = None
    for grade in scheme.grades:
        if grade.key in grade_keys:
            add("error", grade.key, "duplicate_grade", grade=grade.key)
        grade_keys.add(grade.key)
        if previous is not None and grade.min_total > previous.min_total:
            add(
                "error", grade.key, "grades_not_descending",
                grade=grade.key, min_total=_num(grade.min_total), previous=previous.key, previous_min_total=_num(previous.min_total),
            )
        previous = grade
    for cap in scheme.caps:
        if cap.max_grade not in grade_keys:
            add("error", cap.flag, "cap_unknown_grade", flag=cap.flag, max_grade=cap.max_grade)
    for breaker in scheme.tie_breakers:
        if breaker.kind not in TIE_BREAK_KINDS:
            add("error", breaker.ref, "tie_breaker_unknown_kind", kind=breaker.kind, ref=breaker.ref)
        elif breaker.kind == "node" and breaker.ref not in by_key:
            add("error", breaker.ref, "tie_breaker_unknown_node", kind=breaker.kind, ref=breaker.ref)
        elif breaker.kind == "input":
            node_key, _, name = breaker.ref.partition(":")
            if not name:
                add("error", breaker.ref, "tie_breaker_bad_ref", kind=breaker.kind, ref=breaker.ref)
            elif node_key not in by_key:
                add("error", breaker.ref, "tie_breaker_unknown_node", kind=breaker.kind, ref=breaker.ref)
            elif name not in by_key[node_key].inputs and name not in ("points", "value"):
                add("warning", breaker.ref, "tie_breaker_unknown_input", kind=breaker.kind, ref=breaker.ref)
        elif breaker.kind == "metric" and not breaker.ref:
            add("error", breaker.ref, "tie_breaker_bad_ref", kind=breaker.kind, ref=breaker.ref)
