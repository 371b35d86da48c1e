"""Properties of the scoring engine over generated tables (depth <= 4, every kind mixed, broken
formulas and unusable numbers included) and generated entries: bounds and caps always hold, evidence
never lowers a score, ranking is a total order independent of the input order, and score() never
raises, and score(explain=False) gives the same result without traces. Pure Python: no database."""

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from emulation.engine import (
    GROUP_KINDS,
    Entry,
    Grade,
    GradeCap,
    Node,
    Scheme,
    TieBreaker,
    Tier,
    UnitInputs,
    iter_nodes,
    rank,
    score,
)

D = Decimal
PROPERTY = settings(max_examples=200, deadline=None, database=None)

# Few distinct values, so that equal totals (and ties) are common.
NUMBERS = [D(x) for x in ("0", "0.25", "0.5", "1", "1.75", "2", "3", "5", "10", "59.99", "60", "95", "100", "-1", "-3")]
UNUSABLE = [D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity"), D("1e20"), D("-1e13")]
MAXIMA = [D("2"), None, D("1"), D("5"), D("10"), D("0.5"), D("0")]
GROUP_MAXIMA = [None, D("10"), D("5"), D("2"), D("1"), None]
FORMULAS = [
    "b / a * 2", "a + b", "b - a", "min(a, b) * 3", "max(a, b) / 2", "abs(a - b)", "round(b / a * 100, 1)",
    "a / 0", "a / (b - b)", "a +", "a.__class__", "a ** 2", "'text'", "lambda: a", "a[0]", "c + a", "open(a)",
    "1e999", "round(a, b)", "", "a * a * a * a * a * a * a * a",
]
MEASURES = ["tasks.on_time_rate", "petitions.rate", "absent"]
LEAF_KINDS = ["manual", "yes_no", "tiered", "lateness", "formula", "auto", "mystery"]

numbers = st.sampled_from(NUMBERS)
any_number = st.one_of(numbers, numbers, numbers, st.sampled_from(UNUSABLE))


@st.composite
def tiers(draw):
    result = []
    for _ in range(draw(st.integers(0, 4))):
        lower, upper = draw(st.one_of(st.none(), numbers)), draw(st.one_of(st.none(), numbers))
        result.append(Tier(draw(st.sampled_from([D("0"), D("0.5"), D("1"), D("2"), D("3")])), lower, upper, draw(st.booleans()), draw(st.booleans())))
    return tuple(result)


@st.composite
def nodes(draw, key, depth):
    branching = {0: 3, 1: 3, 2: 2, 3: 2}.get(depth, 0)
    if branching and draw(st.integers(0, 9)) < 5:
        kind = draw(st.sampled_from(["group", "group", "bonus", "deduction"]))
        count = draw(st.sampled_from([0, *range(1, branching + 1), branching]))
        children = tuple(draw(nodes(f"{key}.{i}", depth + 1)) for i in range(count))
        maximum = draw(st.sampled_from(GROUP_MAXIMA if kind == "group" else [D("1"), D("2"), D("5"), None]))
        return Node(key, kind, max_points=maximum, children=children, gate=draw(st.sampled_from(["", "", "evidence"])))
    kind = draw(st.sampled_from(LEAF_KINDS))
    return Node(
        key,
        kind,
        max_points=draw(st.sampled_from(MAXIMA)),
        step=draw(st.sampled_from([None, None, D("0.25"), D("0.5")])),
        tiers=draw(tiers()) if kind in ("tiered", "lateness", "auto") else (),
        formula=draw(st.sampled_from(FORMULAS)) if kind in ("formula", "auto") and draw(st.booleans()) else "",
        inputs=("a", "b"),
        measure=draw(st.sampled_from(MEASURES)),
        gate=draw(st.sampled_from(["", "", "evidence", "plan_issued"])),
        requires_evidence=draw(st.booleans()),
    )


@st.composite
def schemes(draw):
    count = draw(st.integers(1, 4))
    root = Node("R", "group", max_points=draw(st.sampled_from(GROUP_MAXIMA)), children=tuple(draw(nodes(f"R.{i}", 1)) for i in range(count)))
    return Scheme(root=root)


def leaves(scheme):
    return [node for node in iter_nodes(scheme.root) if node.kind not in GROUP_KINDS]


@st.composite
def unit_inputs(draw, scheme, unusable=False):
    value = any_number if unusable else numbers
    entries = {}
    for node in leaves(scheme):
        if draw(st.integers(0, 9)) == 0:
            continue  # nothing entered for this line
        inputs = {name: draw(value) for name in ("a", "b") if draw(st.integers(0, 5))}
        entries[node.key] = Entry(
            points=draw(st.one_of(st.none(), value, value, value)),
            flag=draw(st.sampled_from([None, True, True, False])),
            value=draw(st.one_of(st.none(), value, value, value)),
            inputs=inputs,
            evidence=draw(st.sampled_from([True, True, False])),
            conditions=draw(st.sampled_from([{}, {"plan_issued": True}, {"plan_issued": True}, {"plan_issued": False}])),
        )
    metrics = {name: draw(value) for name in MEASURES[:2] if draw(st.integers(0, 4))}
    return UnitInputs(entries=entries, metrics=metrics, flags=frozenset())


# Ready-made entries: cheaper to draw than field by field, for the ranking of many units.
ENTRY_POOL = [
    Entry(points=points, flag=flag, value=value, inputs={"a": value, "b": points}, evidence=evidence, conditions={"plan_issued": flag})
    for points, value in ((D("0"), D("100")), (D("1"), D("95")), (D("2"), D("60")), (D("0.5"), D("3")), (D("5"), D("0")))
    for flag in (True, False)
    for evidence in (True, False)
]


@st.composite
def ranked_inputs(draw, scheme):
    entries = {node.key: draw(st.sampled_from(ENTRY_POOL)) for node in leaves(scheme) if draw(st.integers(0, 9))}
    metrics = {name: draw(numbers) for name in [*MEASURES[:2], "staff.women_share"] if draw(st.integers(0, 4))}
    return UnitInputs(entries=entries, metrics=metrics)


@st.composite
def scheme_and_inputs(draw, unusable=False):
    scheme = draw(schemes())
    return scheme, draw(unit_inputs(scheme, unusable))


def check_bounds_and_caps(scheme, result):
    """(1) and (2): every node within its bounds, and every group exactly its capped, clamped sum."""
    for node in iter_nodes(scheme.root):
        got = result.nodes[node.key].score
        maximum = node.max_points
        if node.kind == "deduction":
            assert got <= 0
            if maximum is not None:
                assert got >= -maximum
        else:
            assert got >= 0
            if maximum is not None:
                assert got <= max(maximum, D(0))
        if node.kind in GROUP_KINDS:
            raw = sum((result.nodes[child.key].score for child in node.children), D(0))
            capped = raw if maximum is None else min(raw, maximum)
            capped = max(capped, D(0))
            assert got == (-capped if node.kind == "deduction" else capped)
    assert result.total == result.nodes[scheme.root.key].score >= 0


@PROPERTY
@given(scheme_and_inputs())
def test_no_score_leaves_its_bounds(case):
    scheme, inputs = case
    check_bounds_and_caps(scheme, score(scheme, inputs))


@PROPERTY
@given(scheme_and_inputs(unusable=True))
def test_every_cap_holds_whatever_is_entered(case):
    scheme, inputs = case
    result = score(scheme, inputs)
    check_bounds_and_caps(scheme, result)
    for node in leaves(scheme):
        node_result = result.nodes[node.key]
        assert node_result.score == node_result.score.quantize(D("0.01"))
        if node_result.error:
            assert node_result.score == 0


@PROPERTY
@given(st.data())
def test_adding_evidence_never_lowers_a_score(data):
    scheme, inputs = data.draw(scheme_and_inputs())
    before = score(scheme, inputs)
    without = sorted(key for key, entry in inputs.entries.items() if not entry.evidence)
    some = data.draw(st.sets(st.sampled_from(without)) if without else st.just(set()))
    for flipped in (some, set(without)):
        entries = {key: dataclasses.replace(entry, evidence=True) if key in flipped else entry for key, entry in inputs.entries.items()}
        after = score(scheme, dataclasses.replace(inputs, entries=entries))
        for key, node in before.nodes.items():
            assert after.nodes[key].score >= node.score, key
        assert after.total >= before.total


@st.composite
def tie_breakers(draw, scheme):
    keys = [node.key for node in iter_nodes(scheme.root)]
    choices = st.one_of(
        st.builds(TieBreaker, st.just("node"), st.sampled_from([*keys, "nowhere"]), st.booleans()),
        st.builds(TieBreaker, st.just("input"), st.sampled_from([f"{k}:{n}" for k in keys for n in ("a", "b", "value", "points")]), st.booleans()),
        st.builds(TieBreaker, st.just("metric"), st.sampled_from([*MEASURES, "staff.women_share"]), st.booleans()),
    )
    return tuple(draw(st.lists(choices, max_size=3)))


def tie_value(breaker, result, inputs):
    """What the tie-breaker compares, read independently of the engine (generated values are usable)."""
    if breaker.kind == "node":
        node = result.nodes.get(breaker.ref)
        return None if node is None else node.score
    if breaker.kind == "metric":
        return inputs.metrics.get(breaker.ref)
    key, _, name = breaker.ref.partition(":")
    entry = inputs.entries.get(key)
    if entry is None:
        return None
    if name in entry.inputs:
        return entry.inputs[name]
    return getattr(entry, name) if name in ("points", "value") else None


@PROPERTY
@given(st.data())
def test_rank_is_a_total_order_independent_of_row_order(data):
    scheme = data.draw(schemes())
    count = data.draw(st.integers(1, 6))
    inputs = [data.draw(ranked_inputs(scheme)) for _ in range(count)]
    breakers = data.draw(tie_breakers(scheme))
    rows = [(f"u{index}", score(scheme, unit), unit) for index, unit in enumerate(inputs)]
    ranking = rank(rows, breakers)

    assert sorted(row.unit for row in ranking) == sorted(unit for unit, _, _ in rows)
    totals = {unit: result.total for unit, result, _ in rows}
    assert [row.total for row in ranking] == [totals[row.unit] for row in ranking]
    values = {unit: tuple(tie_value(breaker, result, unit_inputs) for breaker in breakers) for unit, result, unit_inputs in rows}
    for above, below in zip(ranking, ranking[1:], strict=False):
        assert above.position <= below.position
        assert above.total >= below.total
        if above.total != below.total:
            assert above.position < below.position
        elif above.position == below.position:
            assert values[above.unit] == values[below.unit]
        else:  # separated by the first tie-breaker that differs, in its direction, missing values last
            index = next(i for i, (a, b) in enumerate(zip(values[above.unit], values[below.unit], strict=True)) if a != b)
            mine, theirs, breaker = values[above.unit][index], values[below.unit][index], breakers[index]
            assert below.decided_by == ("vote" if below.tied_with else breaker.name)  # a shared place goes to a vote
            assert mine is not None
            assert theirs is None or (mine > theirs if breaker.descending else mine < theirs)
    for index, row in enumerate(ranking):
        sharing = [other.unit for other in ranking if other.position == row.position and other.unit != row.unit]
        assert tuple(sharing) == row.tied_with
        assert row.position == 1 + sum(1 for other in ranking[:index] if other.position != row.position)
        if sharing:
            assert row.decided_by == "vote"
            assert all(totals[unit] == row.total for unit in sharing)
        elif index and ranking[index - 1].total == row.total:
            assert row.decided_by in {breaker.name for breaker in breakers}
        else:
            assert row.decided_by is None

    shuffled = data.draw(st.permutations(rows))
    assert rank(shuffled, breakers) == ranking


@PROPERTY
@given(scheme_and_inputs(unusable=True), st.text(alphabet="ab0123456789+-*/()., _[]'\"=<>:%~", max_size=40))
def test_score_never_raises(case, formula):
    scheme, inputs = case
    extra = Node("X", "formula", max_points=D("5"), formula=formula, inputs=("a", "b"))
    scheme = Scheme(root=dataclasses.replace(scheme.root, children=(*scheme.root.children, extra)))
    entries = {**inputs.entries, "X": Entry(inputs={"a": D("2"), "b": D("3")})}
    result = score(scheme, dataclasses.replace(inputs, entries=entries))
    assert set(result.nodes) == {node.key for node in iter_nodes(scheme.root)}
    assert D(0) <= result.nodes["X"].score <= D("5")


@st.composite
def graded_scheme_and_inputs(draw):
    """A generated table with grades (some "no zero lines") and grade caps, and a unit with flags."""
    scheme, inputs = draw(scheme_and_inputs(unusable=draw(st.booleans())))
    thresholds = sorted(draw(st.lists(st.sampled_from(NUMBERS[:13]), max_size=4)), reverse=True)
    grades = tuple(Grade(f"g{index}", f"Grade {index}", threshold, draw(st.booleans())) for index, threshold in enumerate(thresholds))
    keys = [grade.key for grade in grades] + ["unknown"]
    caps = tuple(GradeCap(flag, draw(st.sampled_from(keys))) for flag in draw(st.lists(st.sampled_from(["f1", "f2", "f3"]), max_size=3)))
    flags = draw(st.frozensets(st.sampled_from(["f1", "f2", "f3", "other"])))
    return dataclasses.replace(scheme, grades=grades, caps=caps), dataclasses.replace(inputs, flags=flags)


@PROPERTY
@given(graded_scheme_and_inputs())
def test_score_without_explanation_is_the_same_score_without_traces(case):
    scheme, inputs = case
    explained, fast = score(scheme, inputs), score(scheme, inputs, explain=False)
    assert list(fast.nodes) == list(explained.nodes)  # every node, in the same (table) order
    for key, node in explained.nodes.items():
        quick = fast.nodes[key]
        assert (quick.key, quick.score, quick.max_points, quick.error) == (node.key, node.score, node.max_points, node.error), key
        assert str(quick.score) == str(node.score), key  # the same Decimal, down to its exponent
        assert quick.trace == ()
    assert (fast.total, str(fast.total), fast.grade) == (explained.total, str(explained.total), explained.grade)
    assert fast.grade_trace == ()
    assert explained.grade_trace  # the explained result always ends with a "grade" step
