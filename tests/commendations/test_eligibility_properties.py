"""Properties of the eligibility engine over random histories (hypothesis): it never raises, its output
is always JSON, consumption respects single use, and a streak rule is monotone in the awards."""

import json
from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from commendations.eligibility import (
    AWARD_KINDS,
    COLLECTIVE,
    ENDINGS,
    GRADES,
    HOLD_KINDS,
    INITIATIVE_LEVELS,
    MERIT,
    PERSON,
    All,
    Any,
    AwardRecord,
    AwardRule,
    HasAward,
    HasInitiative,
    Hold,
    HoldsTitle,
    HoldsTitleTimes,
    Initiative,
    MemberSummary,
    NotOnHold,
    PersonHistory,
    RatedAtLeast,
    Rating,
    TitleCountInWindow,
    UnitHistory,
    default_rule_set,
    evaluate,
    evaluate_many,
)

RULES = default_rule_set()
CODES = sorted({r.award for r in RULES} | {"OTHER"})
YEARS = st.integers(min_value=2012, max_value=2027)
DATES = st.dates(min_value=date(2012, 1, 1), max_value=date(2028, 12, 31))
GRADE_TEXT = st.sampled_from([*GRADES, "HTXS", "HTT", "HT", "KHT", "??"])

award_records = st.builds(
    AwardRecord,
    award=st.sampled_from(CODES),
    year=YEARS,
    kind=st.sampled_from(sorted(AWARD_KINDS)),
    decision=st.text(max_size=12),
    decided_on=st.none() | DATES,
)
ratings = st.builds(
    Rating,
    year=YEARS,
    grade=GRADE_TEXT,
    months_worked=st.integers(min_value=0, max_value=12),
    maternity_months=st.integers(min_value=0, max_value=12),
)
initiatives = st.builds(
    Initiative,
    id=st.sampled_from(["SK1", "SK2", "SK3", "SK4", "SK5"]),
    title=st.text(max_size=10),
    year=YEARS,
    level=st.sampled_from([*INITIATIVE_LEVELS, "province"]),
    consumed_by=st.none() | st.sampled_from(["", "QĐ-1"]),
)
holds = st.builds(Hold, kind=st.sampled_from(sorted(HOLD_KINDS)), start=DATES, end=st.none() | DATES)
people = st.builds(
    PersonHistory,
    awards=st.lists(award_records, max_size=25).map(tuple),
    ratings=st.lists(ratings, max_size=15).map(tuple),
    initiatives=st.lists(initiatives, max_size=6).map(tuple),
    holds=st.lists(holds, max_size=3).map(tuple),
)
members = st.builds(
    MemberSummary,
    person_id=st.text(min_size=1, max_size=4),
    rating=st.none() | GRADE_TEXT,
    titles=st.frozensets(st.sampled_from(CODES), max_size=3),
)
units = st.builds(
    UnitHistory,
    awards=st.lists(award_records, max_size=15).map(tuple),
    ratings=st.lists(ratings, max_size=10).map(tuple),
    members=st.lists(members, max_size=30).map(tuple),
    cluster_lead=st.none() | st.booleans(),
    elected=st.none() | st.booleans(),
    holds=st.lists(holds, max_size=2).map(tuple),
)
proposal_years = st.integers(min_value=2018, max_value=2027)

small = st.integers(min_value=1, max_value=6)
leaf_rules = st.one_of(
    st.builds(HoldsTitle, st.sampled_from(CODES), small, st.sampled_from(sorted(ENDINGS))),
    st.builds(HoldsTitleTimes, st.sampled_from(CODES), small, st.booleans(), st.sampled_from(sorted(ENDINGS)), small),
    st.builds(RatedAtLeast, st.sampled_from(GRADES), small, st.none() | st.sampled_from(CODES),
              st.sampled_from(sorted(ENDINGS))),
    st.builds(HasAward, st.sampled_from(CODES)),
    st.builds(TitleCountInWindow, st.sampled_from(CODES), small, st.none() | st.sampled_from(CODES),
              st.none() | small),
    st.builds(HasInitiative, st.sampled_from(INITIATIVE_LEVELS), small, st.none() | small),
    st.builds(NotOnHold),
)
rule_trees = st.recursive(
    leaf_rules,
    lambda children: st.one_of(
        st.builds(All, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(Any, st.lists(children, min_size=1, max_size=3).map(tuple)),
    ),
    max_leaves=6,
)


def _on(year):
    return date(year, 12, 15)


def _assert_well_formed(verdict):
    json.dumps(verdict.as_dict())
    for check in verdict.checks.walk():
        assert isinstance(check.passed, bool)
        assert isinstance(check.message_code, str) and check.message_code


@settings(max_examples=150, deadline=None)
@given(history=people, year=proposal_years, on_offset=st.integers(min_value=-200, max_value=200))
def test_evaluate_never_raises_on_random_person_histories(history, year, on_offset):
    on = date.fromordinal(_on(year).toordinal() + on_offset)
    for rule in RULES:
        if rule.subject == PERSON:
            _assert_well_formed(evaluate(rule, history, year, on))


@settings(max_examples=150, deadline=None)
@given(history=units, year=proposal_years)
def test_evaluate_never_raises_on_random_unit_histories(history, year):
    for rule in RULES:
        verdict = evaluate(rule, history, year, _on(year))
        _assert_well_formed(verdict)
        if rule.subject != COLLECTIVE:
            assert verdict.checks.message_code == "wrong_subject"


@settings(max_examples=150, deadline=None)
@given(history=people, tree=rule_trees, year=proposal_years)
def test_random_rule_trees_never_raise_and_consume_each_usable_initiative_once(history, tree, year):
    rule = AwardRule("X", "X", PERSON, tree, "T", date(2000, 1, 1))
    verdict = evaluate(rule, history, year, _on(year))
    _assert_well_formed(verdict)
    consumed = verdict.consumed_initiatives
    assert len(consumed) == len(set(consumed))
    usable = {i.id for i in history.initiatives if not i.consumed_by}
    assert set(consumed) <= usable
    if not verdict.eligible:
        assert consumed == ()
    assert evaluate_many(rule, {"k": history}, year, _on(year)) == {"k": verdict}


@settings(max_examples=200, deadline=None)
@given(
    history=people,
    title=st.sampled_from(CODES),
    years=st.integers(min_value=1, max_value=5),
    ending=st.sampled_from(sorted(ENDINGS)),
    year=proposal_years,
    added_year=YEARS,
)
def test_adding_a_merit_award_never_turns_holds_title_from_eligible_to_ineligible(
    history, title, years, ending, year, added_year
):
    rule = AwardRule("X", "X", PERSON, HoldsTitle(title, years, ending), "T", date(2000, 1, 1))
    before = evaluate(rule, history, year, _on(year))
    richer = replace(history, awards=(*history.awards, AwardRecord(title, added_year, MERIT)))
    after = evaluate(rule, richer, year, _on(year))
    if before.eligible:
        assert after.eligible


@settings(max_examples=150, deadline=None)
@given(history=people, title=st.sampled_from(CODES), years=st.integers(min_value=1, max_value=5),
       year=proposal_years)
def test_the_awards_that_fill_the_window_make_holds_title_pass_unless_a_discipline_cuts_it(history, title, years, year):
    filled = replace(history, awards=(
        *history.awards, *(AwardRecord(title, y, MERIT) for y in range(year - years + 1, year + 1))))
    check = evaluate(AwardRule("X", "X", PERSON, HoldsTitle(title, years), "T", date(2000, 1, 1)),
                     filled, year, _on(year)).checks
    assert check.passed or check.params["counted_from"] is not None
