"""The eligibility engine: every rule type at its boundaries, every award of the default catalogue with
a passing and a failing history, versions by effective date, and the shape of the explanation."""

import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from commendations import eligibility as e
from commendations.eligibility import (
    AD_HOC,
    BKBT,
    BKTTG,
    CAMPAIGN,
    COLLECTIVE,
    COTDBO,
    COTDCP,
    CSTDBO,
    CSTDCS,
    CSTDTQ,
    DISCIPLINE,
    GK,
    HTNV,
    HTTNV,
    HTXSNV,
    KHTNV,
    LDTT,
    MERIT,
    MINISTRY_LEVEL,
    NATIONAL_LEVEL,
    PERSON,
    TTLDTT,
    TTLDXS,
    UNIT_LEVEL,
    All,
    AllMembersRatedAtLeast,
    Any,
    AtLeastOneMemberWithTitle,
    AwardRecord,
    AwardRule,
    ElectedByCluster,
    HasAward,
    HasInitiative,
    Hold,
    HoldsTitle,
    HoldsTitleTimes,
    Initiative,
    LeadsCluster,
    MemberSummary,
    NotOnHold,
    PersonHistory,
    RatedAtLeast,
    Rating,
    ShareOfMembersWithTitle,
    TitleCountInWindow,
    UnitHistory,
    UnitRatedAtLeast,
    default_legal_bases,
    default_rule_set,
    evaluate,
    evaluate_in_force,
    evaluate_many,
    no_rule_verdict,
    rule_from_data,
    rule_problems,
    rule_to_data,
    rules_in_force,
)

Y = 2024
ON = date(2024, 12, 20)
ART = "Điều 99 Luật thử"
RULES = default_rule_set()


# --- helpers ---------------------------------------------------------------------------------------


def awards(code, *years, kind=MERIT):
    return tuple(AwardRecord(code, y, kind, f"{y}{code}/QĐ-BTP", date(y, 12, 15)) for y in years)


def rated(grade, *years, **extra):
    return tuple(Rating(y, grade, **extra) for y in years)


def person(awards=(), ratings=(), initiatives=(), holds=()):
    return PersonHistory(tuple(awards), tuple(ratings), tuple(initiatives), tuple(holds))


def unit(members=(), ratings=(), awards=(), cluster_lead=None, elected=None, holds=()):
    return UnitHistory(tuple(awards), tuple(ratings), tuple(members), cluster_lead, elected, tuple(holds))


def members(n_with, n_without, title=LDTT, rating=HTTNV):
    with_title = [MemberSummary(f"m{i}", rating, frozenset({title})) for i in range(n_with)]
    without = [MemberSummary(f"n{i}", rating, frozenset()) for i in range(n_without)]
    return tuple(with_title + without)


def judge(rule, history, year=Y, on=ON):
    """The Check of a bare rule (wrapped in an AwardRule for the history's kind)."""
    subject = COLLECTIVE if isinstance(history, UnitHistory) else PERSON
    award_rule = AwardRule("X", "X", subject, rule, "TEST", date(2000, 1, 1))
    verdict = evaluate(award_rule, history, year, on)
    return verdict.checks


def verdict_for(award, history, year=Y, on=ON):
    return evaluate_in_force(RULES, award, history, year, on)


def failed_codes(verdict):
    """The codes of the failed leaf conditions that made the verdict fail (not inside a passed Any)."""

    def failures(check):
        if check.passed:
            return []
        if not check.children:
            return [check.message_code]
        return [code for child in check.children for code in failures(child)]

    return sorted(failures(verdict.checks))


# --- HoldsTitle ------------------------------------------------------------------------------------


def test_holds_title_streak_ending_at_year_passes_with_decisions_as_evidence():
    check = judge(HoldsTitle(CSTDCS, 3, article=ART), person(awards(CSTDCS, 2022, 2023, 2024)))
    assert (check.passed, check.message_code) == (True, "title_streak_met")
    assert check.params == {"title": CSTDCS, "years": 3, "from_year": 2022, "to_year": 2024}
    assert check.article == ART
    assert check.evidence == (
        "CSTDCS 2022 (2022CSTDCS/QĐ-BTP, 15/12/2022)",
        "CSTDCS 2023 (2023CSTDCS/QĐ-BTP, 15/12/2023)",
        "CSTDCS 2024 (2024CSTDCS/QĐ-BTP, 15/12/2024)",
    )


def test_holds_title_streak_ending_at_previous_year_passes_only_with_ending_previous():
    history = person(awards(CSTDCS, 2021, 2022, 2023))
    assert judge(HoldsTitle(CSTDCS, 3, ending="previous"), history).passed is True
    check = judge(HoldsTitle(CSTDCS, 3, ending="year"), history)
    assert check.passed is False
    assert check.message_code == "title_streak_short"
    assert check.params["missing"] == [2024]
    assert check.params["found"] == 0


def test_holds_title_ending_previous_ignores_the_proposal_year():
    check = judge(HoldsTitle(CSTDCS, 3, ending="previous"), person(awards(CSTDCS, 2022, 2023, 2024)))
    assert check.passed is False
    assert (check.params["from_year"], check.params["to_year"], check.params["missing"]) == (2021, 2023, [2021])
    assert check.params["found"] == 2


def test_holds_title_broken_streak_fails_naming_the_missing_year():
    check = judge(HoldsTitle(CSTDCS, 3), person(awards(CSTDCS, 2021, 2022, 2024)))
    assert check.passed is False
    assert check.params["missing"] == [2023]
    assert check.params["found"] == 1


@pytest.mark.parametrize("kind", [CAMPAIGN, AD_HOC, "long_service", "foreign"])
def test_holds_title_non_merit_awards_do_not_count(kind):
    history = person(awards(CSTDCS, 2022, 2024) + awards(CSTDCS, 2023, kind=kind))
    check = judge(HoldsTitle(CSTDCS, 3), history)
    assert check.passed is False
    assert check.params["missing"] == [2023]
    assert check.params["not_merit"] == [2023]


def test_holds_title_records_after_the_proposal_year_are_ignored():
    history = person(awards(CSTDCS, 2022, 2023, 2024, 2025))
    assert judge(HoldsTitle(CSTDCS, 3), history, year=2023).passed is False
    assert judge(HoldsTitle(CSTDCS, 3), history, year=2025).passed is True


def test_holds_title_counts_only_from_the_end_year_of_a_discipline():
    history = person(
        awards(CSTDCS, 2021, 2022, 2023, 2024),
        holds=[Hold(DISCIPLINE, date(2021, 3, 1), date(2022, 2, 28))],
    )
    assert judge(HoldsTitle(CSTDCS, 3), history).passed is True  # 2022, 2023, 2024
    check = judge(HoldsTitle(CSTDCS, 4), history)
    assert check.passed is False
    assert check.params["missing"] == [2021]
    assert check.params["counted_from"] == 2022


def test_holds_title_running_discipline_counts_nothing():
    history = person(awards(CSTDCS, 2022, 2023, 2024), holds=[Hold(DISCIPLINE, date(2024, 6, 1))])
    check = judge(HoldsTitle(CSTDCS, 1), history)
    assert check.passed is False
    assert check.params["counted_from"] == 2025


def test_holds_title_discipline_starting_after_the_reference_date_is_ignored():
    history = person(awards(CSTDCS, 2022, 2023, 2024), holds=[Hold(DISCIPLINE, date(2025, 2, 1), date(2025, 6, 1))])
    assert judge(HoldsTitle(CSTDCS, 3), history, on=date(2025, 1, 15)).passed is True


# --- HoldsTitleTimes -------------------------------------------------------------------------------


def test_holds_title_times_two_consecutive_awards_ending_previous_year_pass():
    check = judge(HoldsTitleTimes(CSTDBO, 2, ending="previous", period=3), person(awards(CSTDBO, 2020, 2023)))
    assert (check.passed, check.message_code) == (True, "title_times_met")
    assert check.params["years"] == [2020, 2023]
    assert len(check.evidence) == 2


def test_holds_title_times_gap_longer_than_period_fails():
    check = judge(HoldsTitleTimes(CSTDBO, 2, ending="previous", period=3), person(awards(CSTDBO, 2019, 2023)))
    assert (check.passed, check.message_code) == (False, "title_times_gap")
    assert check.params["gap_after"] == 2019


def test_holds_title_times_only_the_last_awards_must_be_consecutive():
    history = person(awards(CSTDBO, 2012, 2020, 2023))
    assert judge(HoldsTitleTimes(CSTDBO, 2, ending="previous"), history).passed is True
    assert judge(HoldsTitleTimes(CSTDBO, 3, ending="previous"), history).message_code == "title_times_gap"


def test_holds_title_times_latest_award_not_in_end_year_fails():
    check = judge(HoldsTitleTimes(CSTDBO, 2, ending="previous"), person(awards(CSTDBO, 2019, 2022)))
    assert (check.passed, check.message_code) == (False, "title_times_not_recent")
    assert check.params["latest"] == 2022


def test_holds_title_times_too_few_and_campaign_awards_not_counted():
    history = person(awards(CSTDBO, 2023) + awards(CSTDBO, 2020, kind=CAMPAIGN))
    check = judge(HoldsTitleTimes(CSTDBO, 2, ending="previous"), history)
    assert (check.passed, check.message_code) == (False, "title_times_too_few")
    assert check.params["not_merit"] == [2020]


def test_holds_title_times_not_consecutive_counts_all_awards_up_to_end():
    history = person(awards(CSTDBO, 2010, 2018))
    assert judge(HoldsTitleTimes(CSTDBO, 2, consecutive=False), history).passed is True
    assert judge(HoldsTitleTimes(CSTDBO, 3, consecutive=False), history).passed is False


# --- RatedAtLeast ----------------------------------------------------------------------------------


def test_rated_at_least_grade_order():
    history = person(ratings=rated(HTXSNV, 2023) + rated(HTTNV, 2024))
    assert judge(RatedAtLeast(HTTNV, 2), history).passed is True
    check = judge(RatedAtLeast(HTXSNV, 2), history)
    assert check.passed is False
    assert check.params["below"] == [2024]
    assert judge(RatedAtLeast(HTNV, 1), person(ratings=rated(KHTNV, 2024))).passed is False


def test_rated_at_least_missing_year_breaks_the_streak():
    check = judge(RatedAtLeast(HTTNV, 3), person(ratings=rated(HTTNV, 2022, 2024)))
    assert check.passed is False
    assert (check.params["missing"], check.params["found"]) == ([2023], 1)


def test_rated_at_least_ending_previous_boundary():
    history = person(ratings=rated(HTXSNV, 2022, 2023) + rated(HTNV, 2024))
    assert judge(RatedAtLeast(HTXSNV, 2, ending="previous"), history).passed is True
    assert judge(RatedAtLeast(HTXSNV, 2, ending="year"), history).passed is False


def test_rated_maternity_leave_counts_as_worked():
    history = person(ratings=rated(HTXSNV, 2023) + rated(HTXSNV, 2024, months_worked=2, maternity_months=6))
    check = judge(RatedAtLeast(HTXSNV, 2), history)
    assert check.passed is True
    assert "HTXSNV 2024" in check.evidence


def test_rated_fewer_than_six_months_is_not_rated_and_breaks_the_streak():
    history = person(ratings=rated(HTXSNV, 2023) + rated(HTXSNV, 2024, months_worked=5))
    check = judge(RatedAtLeast(HTXSNV, 2), history)
    assert check.passed is False
    assert check.params["not_rated"] == [2024]
    assert check.params["missing"] == []


def test_rated_two_ratings_for_a_year_the_lower_counts():
    history = person(ratings=rated(HTXSNV, 2024) + rated(HTNV, 2024))
    assert judge(RatedAtLeast(HTTNV, 1), history).passed is False


def test_rated_since_award_counts_only_years_after_it():
    history = person(awards(BKBT, 2019), rated(HTTNV, *range(2015, 2025)))
    check = judge(RatedAtLeast(HTTNV, 5, since_award=BKBT), history)
    assert (check.passed, check.params["since_year"]) == (True, 2019)
    assert check.evidence[0] == "BKBT 2019 (2019BKBT/QĐ-BTP, 15/12/2019)"
    late = judge(RatedAtLeast(HTTNV, 5, since_award=BKBT), person(awards(BKBT, 2020), rated(HTTNV, *range(2015, 2025))))
    assert late.passed is False
    assert late.params["excluded"] == [2020]


def test_rated_since_award_uses_the_latest_award():
    history = person(awards(BKBT, 2016, 2021), rated(HTTNV, *range(2012, 2025)))
    check = judge(RatedAtLeast(HTTNV, 5, since_award=BKBT), history)
    assert check.passed is False
    assert check.params["since_year"] == 2021


def test_rated_since_award_missing_or_only_campaign():
    history = person(awards(BKBT, 2018, kind=CAMPAIGN), rated(HTTNV, *range(2015, 2025)))
    check = judge(RatedAtLeast(HTTNV, 5, since_award=BKBT), history)
    assert (check.passed, check.message_code) == (False, "since_award_missing")
    assert check.params["not_merit"] == [2018]


def test_rated_counts_only_from_the_end_of_a_discipline():
    history = person(ratings=rated(HTTNV, *range(2018, 2025)), holds=[Hold(DISCIPLINE, date(2020, 1, 1), date(2021, 5, 1))])
    assert judge(RatedAtLeast(HTTNV, 4), history).passed is True  # 2021-2024
    check = judge(RatedAtLeast(HTTNV, 5), history)
    assert check.passed is False
    assert (check.params["excluded"], check.params["counted_from"]) == ([2020], 2021)


# --- HasAward, TitleCountInWindow ------------------------------------------------------------------


def test_has_award_merit_only_and_not_after_the_year():
    assert judge(HasAward(BKBT), person(awards(BKBT, 2010))).params == {"award": BKBT, "year": 2010}
    assert judge(HasAward(BKBT), person(awards(BKBT, 2010, kind=AD_HOC))).message_code == "award_missing"
    assert judge(HasAward(BKBT), person(awards(BKBT, 2025))).passed is False


def test_title_count_in_window_since_award():
    history = person(awards(BKBT, 2019) + awards(CSTDCS, 2019, 2020, 2022, 2024))
    check = judge(TitleCountInWindow(CSTDCS, 3, window_from_award=BKBT), history)
    assert (check.passed, check.params["years"], check.params["from_year"]) == (True, [2020, 2022, 2024], 2020)
    fewer = person(awards(BKBT, 2019) + awards(CSTDCS, 2019, 2020, 2022))
    check = judge(TitleCountInWindow(CSTDCS, 3, window_from_award=BKBT), fewer)
    assert (check.passed, check.message_code, check.params["found"]) == (False, "title_count_short", 2)


def test_title_count_in_last_years_and_missing_anchor():
    history = person(awards(CSTDCS, 2019, 2021, 2024))
    assert judge(TitleCountInWindow(CSTDCS, 2, years=3), history).passed is False  # 2022-2024: one
    assert judge(TitleCountInWindow(CSTDCS, 2, years=4), history).passed is True
    assert judge(TitleCountInWindow(CSTDCS, 1, window_from_award=BKBT), history).message_code == "since_award_missing"


# --- HasInitiative ---------------------------------------------------------------------------------


def test_initiative_unused_of_level_or_higher_counts():
    history = person(initiatives=[Initiative("SK1", "Số hoá", 2024, NATIONAL_LEVEL)])
    check = judge(HasInitiative(MINISTRY_LEVEL), history)
    assert (check.passed, check.params["ids"]) == (True, ["SK1"])
    assert check.evidence == ("SK1 2024 (national): Số hoá",)
    assert judge(HasInitiative(NATIONAL_LEVEL), person(initiatives=[Initiative("SK2", "t", 2024, UNIT_LEVEL)])).passed is False


def test_initiative_consumed_does_not_count():
    history = person(initiatives=[Initiative("SK1", "t", 2024, MINISTRY_LEVEL, consumed_by="QĐ-1")])
    check = judge(HasInitiative(MINISTRY_LEVEL), history)
    assert (check.passed, check.message_code, check.params["consumed"]) == (False, "initiative_missing", ["SK1"])


def test_initiative_within_years_window():
    history = person(initiatives=[Initiative("SK1", "t", 2021, MINISTRY_LEVEL)])
    assert judge(HasInitiative(MINISTRY_LEVEL, within_years=3), history).passed is False
    assert judge(HasInitiative(MINISTRY_LEVEL, within_years=4), history).passed is True
    assert judge(HasInitiative(MINISTRY_LEVEL, within_years=4), history, year=2020).passed is False  # future


def test_initiative_one_condition_cannot_reuse_another_conditions_pick():
    one = person(initiatives=[Initiative("SK1", "t", 2024, UNIT_LEVEL)])
    check = judge(All((HasInitiative(UNIT_LEVEL), HasInitiative(UNIT_LEVEL))), one)
    assert [c.passed for c in check.children] == [True, False]
    assert check.children[1].params["reserved"] == ["SK1"]
    two = person(initiatives=[Initiative("SK1", "t", 2024, UNIT_LEVEL), Initiative("SK2", "t", 2023, UNIT_LEVEL)])
    rule = AwardRule("X", "X", PERSON, All((HasInitiative(UNIT_LEVEL), HasInitiative(UNIT_LEVEL))), "T", date(2000, 1, 1))
    verdict = evaluate(rule, two, Y, ON)
    assert verdict.eligible is True
    assert verdict.consumed_initiatives == ("SK2", "SK1")  # the older first


def test_initiative_picks_the_lowest_level_first_to_keep_higher_ones():
    history = person(initiatives=[Initiative("HI", "t", 2024, NATIONAL_LEVEL), Initiative("LO", "t", 2024, UNIT_LEVEL)])
    rule = AwardRule("X", "X", PERSON, All((HasInitiative(UNIT_LEVEL), HasInitiative(NATIONAL_LEVEL))), "T",
                     date(2000, 1, 1))
    assert evaluate(rule, history, Y, ON).consumed_initiatives == ("LO", "HI")


def test_initiative_two_awards_cannot_consume_the_same_one():
    initiative = Initiative("SK1", "t", 2024, MINISTRY_LEVEL)
    history = person(awards(CSTDCS, 2022, 2023, 2024), rated(HTXSNV, 2022, 2023, 2024), [initiative])
    first = verdict_for(CSTDBO, history)
    assert (first.eligible, first.consumed_initiatives) == (True, ("SK1",))
    granted = replace(history, initiatives=(replace(initiative, consumed_by="QĐ 1/QĐ-BTP"),))
    second = verdict_for(CSTDBO, granted)
    assert second.eligible is False
    assert failed_codes(second) == ["initiative_missing"]


def test_initiative_any_keeps_only_the_chosen_branch_picks():
    history = person(ratings=rated(HTXSNV, 2024), initiatives=[Initiative("SK1", "t", 2024, UNIT_LEVEL)])
    rule = AwardRule("X", "X", PERSON, Any((RatedAtLeast(HTXSNV, 1), HasInitiative(UNIT_LEVEL))), "T",
                     date(2000, 1, 1))
    verdict = evaluate(rule, history, Y, ON)
    assert verdict.eligible is True
    assert verdict.checks.children[1].passed is True  # explained, yet not consumed
    assert verdict.consumed_initiatives == ()


def test_initiative_ineligible_verdict_consumes_nothing():
    history = person(initiatives=[Initiative("SK1", "t", 2024, MINISTRY_LEVEL)])
    verdict = verdict_for(CSTDBO, history)
    assert verdict.eligible is False
    assert verdict.consumed_initiatives == ()


# --- NotOnHold -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hold", "blocked"),
    [
        pytest.param(Hold("investigation", date(2024, 11, 1)), True, id="investigation-running"),
        pytest.param(Hold("complaint", date(2024, 1, 1), date(2024, 12, 20)), True, id="ends-on-the-date"),
        pytest.param(Hold("complaint", date(2024, 1, 1), date(2024, 12, 19)), False, id="ended-the-day-before"),
        pytest.param(Hold("investigation", date(2024, 12, 21)), False, id="starts-the-day-after"),
        pytest.param(Hold(DISCIPLINE, date(2024, 12, 20), date(2025, 3, 1)), True, id="discipline-starts-that-day"),
    ],
)
def test_not_on_hold_active_at_the_reference_date(hold, blocked):
    check = judge(NotOnHold(article=ART), person(holds=[hold]))
    assert check.passed is not blocked
    assert check.message_code == ("on_hold" if blocked else "no_active_hold")
    if blocked:
        assert check.params["holds"] == [{"kind": hold.kind, "start": hold.start.isoformat(),
                                          "end": hold.end.isoformat() if hold.end else None}]


def test_active_hold_blocks_an_otherwise_eligible_nominee():
    history = person(awards(LDTT, 2024), rated(HTXSNV, 2024), holds=[Hold("complaint", date(2024, 12, 1))])
    verdict = verdict_for(CSTDCS, history)
    assert verdict.eligible is False
    assert failed_codes(verdict) == ["on_hold"]


# --- Collectives -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("with_title", "without", "passed", "percent"),
    [
        pytest.param(7, 3, True, "70.00", id="exactly-70"),
        pytest.param(699, 301, False, "69.90", id="69.9"),
        pytest.param(2, 1, True, "66.66", id="two-thirds-rounded-down-for-display"),
    ],
)
def test_member_share_boundaries(with_title, without, passed, percent):
    minimum = Decimal("70") if with_title != 2 else Decimal("66.66")
    check = judge(ShareOfMembersWithTitle(LDTT, minimum), unit(members(with_title, without)))
    assert check.passed is passed
    assert check.params["percent"] == percent
    assert check.params["count"] == with_title


def test_member_share_not_inclusive_excludes_the_boundary():
    history = unit(members(5, 5))
    assert judge(ShareOfMembersWithTitle(LDTT, Decimal(50)), history).passed is True
    assert judge(ShareOfMembersWithTitle(LDTT, Decimal(50), inclusive=False), history).passed is False
    assert judge(ShareOfMembersWithTitle(LDTT, Decimal(50), inclusive=False), unit(members(6, 5))).passed is True


def test_member_share_without_members_fails():
    assert judge(ShareOfMembersWithTitle(LDTT, Decimal(70)), unit()).message_code == "no_members"


def test_all_members_rated_ignores_members_not_rated():
    team = (MemberSummary("a", HTTNV), MemberSummary("b", HTNV), MemberSummary("c", None))
    check = judge(AllMembersRatedAtLeast(HTNV), unit(team))
    assert (check.passed, check.params) == (True, {"grade": HTNV, "rated": 2, "not_rated": 1})
    check = judge(AllMembersRatedAtLeast(HTNV), unit((*team, MemberSummary("d", KHTNV))))
    assert (check.passed, check.message_code, check.params["below"]) == (False, "members_below_grade", ["d"])
    assert judge(AllMembersRatedAtLeast(HTNV), unit((MemberSummary("c", None),))).message_code == "no_rated_members"


def test_at_least_one_member_with_title():
    team = (MemberSummary("a", HTXSNV, frozenset({LDTT, CSTDCS})), MemberSummary("b", HTTNV, frozenset({LDTT})))
    check = judge(AtLeastOneMemberWithTitle(CSTDCS), unit(team))
    assert (check.passed, check.evidence) == (True, ("a: CSTDCS",))
    assert judge(AtLeastOneMemberWithTitle(CSTDCS), unit(team[1:])).message_code == "no_member_with_title"


def test_unit_rated_at_least_accepts_the_short_grade_names():
    history = unit(ratings=rated("HTXS", 2023, 2024))
    assert judge(UnitRatedAtLeast(HTXSNV, 2), history).passed is True
    assert judge(UnitRatedAtLeast(HTXSNV, 3), history).params["missing"] == [2022]


@pytest.mark.parametrize(
    ("value", "code"), [(True, "cluster_lead"), (False, "not_cluster_lead"), (None, "no_campaign_result")]
)
def test_leads_cluster(value, code):
    check = judge(LeadsCluster(), unit(cluster_lead=value))
    assert (check.passed, check.message_code) == (value is True, code)


@pytest.mark.parametrize(
    ("value", "code"), [(True, "cluster_elected"), (False, "not_cluster_elected"), (None, "no_election_result")]
)
def test_elected_by_cluster(value, code):
    check = judge(ElectedByCluster(), unit(elected=value))
    assert (check.passed, check.message_code) == (value is True, code)


@pytest.mark.parametrize(
    "rule",
    [ShareOfMembersWithTitle(LDTT, Decimal(70)), AllMembersRatedAtLeast(HTNV), AtLeastOneMemberWithTitle(LDTT),
     UnitRatedAtLeast(HTXSNV), LeadsCluster(), ElectedByCluster()],
)
def test_collective_rules_fail_on_a_person(rule):
    check = judge(rule, person(ratings=rated(HTXSNV, 2024)))
    assert (check.passed, check.message_code) == (False, "not_a_collective")


# --- The default catalogue: every award with a passing and a failing history -----------------------

GOOD_TEAM = (
    MemberSummary("a", HTXSNV, frozenset({LDTT, CSTDCS})),
    *(MemberSummary(f"b{i}", HTTNV, frozenset({LDTT})) for i in range(6)),
    *(MemberSummary(f"c{i}", HTNV, frozenset()) for i in range(3)),
)  # 7 of 10 LĐTT, one CSTĐCS, everyone at least HTNV


def _cases():
    good_person = person(awards(LDTT, 2024), rated(HTXSNV, 2024))
    return [
        (LDTT, person(ratings=rated(HTTNV, 2024)), person(ratings=rated(HTNV, 2024)), ["rating_streak_short"]),
        (CSTDCS, good_person, person(awards(LDTT, 2024), rated(HTTNV, 2024)),
         ["initiative_missing", "rating_streak_short"]),
        (CSTDCS, person(awards(LDTT, 2024), rated(HTTNV, 2024), [Initiative("S", "t", 2024, UNIT_LEVEL)]),
         person(ratings=rated(HTXSNV, 2024)), ["title_streak_short"]),
        (CSTDBO, person(awards(CSTDCS, 2022, 2023, 2024), initiatives=[Initiative("S", "t", 2022, MINISTRY_LEVEL)]),
         person(awards(CSTDCS, 2022, 2023, 2024), initiatives=[Initiative("S", "t", 2021, MINISTRY_LEVEL)]),
         ["initiative_missing"]),
        (CSTDTQ, person(awards(CSTDBO, 2020, 2023), initiatives=[Initiative("S", "t", 2019, NATIONAL_LEVEL)]),
         person(awards(CSTDBO, 2020, 2023), initiatives=[Initiative("S", "t", 2019, MINISTRY_LEVEL)]),
         ["initiative_missing"]),
        (TTLDTT, unit(members(6, 4), rated(HTTNV, 2024)), unit(members(6, 4), rated(HTNV, 2024)),
         ["rating_streak_short"]),
        (TTLDXS, unit(GOOD_TEAM, rated(HTXSNV, 2024)),
         unit(GOOD_TEAM[:-1] + (MemberSummary("z", KHTNV),), rated(HTXSNV, 2024)), ["members_below_grade"]),
        (TTLDXS, unit(GOOD_TEAM, rated(HTXSNV, 2024)), unit(GOOD_TEAM[1:], rated(HTTNV, 2024)),
         ["member_share_short", "no_member_with_title", "rating_streak_short"]),
        (COTDBO, unit(cluster_lead=True, elected=True), unit(cluster_lead=True, elected=False),
         ["not_cluster_elected"]),
        (COTDCP, unit(cluster_lead=True), unit(), ["no_campaign_result"]),
        (GK, person(), person(holds=[Hold("investigation", date(2024, 10, 1))]), ["on_hold"]),
        (GK, unit(), unit(holds=[Hold("investigation", date(2024, 10, 1))]), ["on_hold"]),
        (BKBT, person(awards(CSTDCS, 2023, 2024)), person(awards(CSTDCS, 2022, 2024)),
         ["initiative_missing", "rating_streak_short", "title_streak_short"]),
        (BKBT, person(ratings=rated(HTXSNV, 2023, 2024),
                      initiatives=[Initiative("A", "t", 2023, UNIT_LEVEL), Initiative("B", "t", 2024, UNIT_LEVEL)]),
         person(ratings=rated(HTXSNV, 2023, 2024), initiatives=[Initiative("A", "t", 2023, UNIT_LEVEL)]),
         ["initiative_missing", "title_streak_short"]),
        (BKBT, unit(ratings=rated("HTXS", 2023, 2024)), unit(ratings=rated("HTXS", 2022, 2024)),
         ["rating_streak_short", "title_streak_short"]),
        (BKBT, unit(awards=awards(TTLDXS, 2023, 2024)), unit(awards=awards(TTLDXS, 2023, 2024, kind=CAMPAIGN)),
         ["rating_streak_short", "title_streak_short"]),
        (BKTTG, person(awards(BKBT, 2019) + awards(CSTDCS, 2020, 2022, 2024), rated(HTTNV, *range(2020, 2025))),
         person(awards(BKBT, 2019) + awards(CSTDCS, 2020, 2022), rated(HTTNV, *range(2020, 2025))),
         ["title_count_short"]),
        (BKTTG, person(awards(BKBT, 2019) + awards(CSTDCS, 2020, 2022, 2024), rated(HTTNV, *range(2020, 2025))),
         person(awards(BKBT, 2019) + awards(CSTDCS, 2020, 2022, 2024),
                rated(HTTNV, 2020, 2021, 2023, 2024) + rated(HTNV, 2022)),
         ["rating_streak_short"]),
        (BKTTG, person(awards(BKBT, 2019) + awards(CSTDCS, 2020, 2022, 2024), rated(HTTNV, *range(2020, 2025))),
         person(awards(CSTDCS, 2020, 2022, 2024), rated(HTTNV, *range(2020, 2025))),
         ["award_missing", "since_award_missing", "since_award_missing"]),
    ]


@pytest.mark.parametrize(("award", "good", "bad", "codes"), _cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_default_catalogue_passing_and_failing_history(award, good, bad, codes):
    passing = verdict_for(award, good)
    assert passing.eligible is True, failed_codes(passing)
    failing = verdict_for(award, bad)
    assert failing.eligible is False
    assert failed_codes(failing) == codes


def test_default_cstdcs_with_initiative_consumes_it_but_excellent_rating_does_not():
    excellent = person(awards(LDTT, 2024), rated(HTXSNV, 2024), [Initiative("S", "t", 2024, UNIT_LEVEL)])
    assert verdict_for(CSTDCS, excellent).consumed_initiatives == ()
    good = person(awards(LDTT, 2024), rated(HTTNV, 2024), [Initiative("S", "t", 2024, UNIT_LEVEL)])
    assert verdict_for(CSTDCS, good).consumed_initiatives == ("S",)


def test_default_bkbt_person_second_path_consumes_two_initiatives():
    history = person(ratings=rated(HTXSNV, 2023, 2024),
                     initiatives=[Initiative("A", "t", 2023, UNIT_LEVEL), Initiative("B", "t", 2024, UNIT_LEVEL)])
    assert verdict_for(BKBT, history).consumed_initiatives == ("A", "B")


def test_default_bkttg_window_is_after_the_latest_bkbt():
    history = person(awards(BKBT, 2019) + awards(CSTDCS, 2019, 2021, 2023), rated(HTTNV, *range(2018, 2025)))
    verdict = verdict_for(BKTTG, history)
    assert verdict.eligible is False  # the CSTĐCS of 2019 is in the Bằng khen's own year
    assert failed_codes(verdict) == ["title_count_short"]


def test_default_catalogue_after_a_discipline_counts_only_later_years():
    history = person(
        awards(CSTDCS, 2021, 2022, 2023, 2024),
        initiatives=[Initiative("S", "t", 2023, MINISTRY_LEVEL)],
        holds=[Hold(DISCIPLINE, date(2021, 6, 1), date(2022, 5, 31))],
    )
    assert verdict_for(CSTDBO, history).eligible is True  # 2022-2024 count
    later = replace(history, holds=(Hold(DISCIPLINE, date(2022, 6, 1), date(2023, 5, 31)),))
    verdict = verdict_for(CSTDBO, later)
    assert verdict.eligible is False
    streak = next(c for c in verdict.checks.walk() if c.rule == "HoldsTitle")
    assert (streak.params["missing"], streak.params["counted_from"]) == ([2022], 2023)


# --- Versions by effective date --------------------------------------------------------------------


def test_rules_in_force_picks_the_version_of_the_reference_date():
    before = rules_in_force(RULES, TTLDTT, date(2025, 6, 30))
    after = rules_in_force(RULES, TTLDTT, date(2025, 7, 1))
    assert (before.legal_basis, after.legal_basis) == ("98/2023/NĐ-CP", "152/2025/NĐ-CP")
    assert rules_in_force(RULES, TTLDTT, date(2023, 12, 31)) is None
    assert rules_in_force(RULES, BKBT, ON, COLLECTIVE).subject == COLLECTIVE
    assert rules_in_force(RULES, BKBT, ON, PERSON).subject == PERSON
    assert rules_in_force(RULES, "NOPE", ON) is None


def test_the_same_history_judged_under_two_legal_bases_differs():
    half = unit(members(5, 5), rated(HTTNV, 2025))  # exactly 50 % LĐTT
    under_98 = verdict_for(TTLDTT, half, year=2025, on=date(2025, 3, 1))
    under_152 = verdict_for(TTLDTT, half, year=2025, on=date(2025, 12, 15))
    assert (under_98.eligible, under_98.rule_version) == (True, "98/2023/NĐ-CP")
    assert (under_152.eligible, under_152.rule_version) == (False, "152/2025/NĐ-CP")
    assert failed_codes(under_152) == ["member_share_short"]


def test_rules_in_force_latest_start_wins_on_overlap():
    old = AwardRule("A", "a", PERSON, NotOnHold(), "OLD", date(2020, 1, 1))
    new = AwardRule("A", "a", PERSON, NotOnHold(), "NEW", date(2024, 1, 1))
    assert rules_in_force([new, old], "A", date(2024, 5, 1)).legal_basis == "NEW"
    assert rules_in_force([new, old], "A", date(2023, 5, 1)).legal_basis == "OLD"


def test_no_rule_in_force_gives_an_explained_verdict():
    verdict = evaluate_in_force(RULES, CSTDBO, person(), 2023, date(2023, 12, 15))
    assert verdict == no_rule_verdict(CSTDBO, 2023, date(2023, 12, 15))
    assert (verdict.eligible, verdict.rule_version, verdict.checks.message_code) == (False, "", "no_rule_in_force")
    assert verdict.checks.params == {"award": CSTDBO, "on": "2023-12-15"}


def test_wrong_subject_is_not_eligible():
    verdict = evaluate(rules_in_force(RULES, TTLDXS, ON), person(), Y, ON)
    assert (verdict.eligible, verdict.checks.message_code) == (False, "wrong_subject")
    assert verdict.checks.params == {"expected": COLLECTIVE, "got": PERSON}


def test_default_legal_bases_cover_every_rule():
    codes = {basis.code for basis in default_legal_bases()}
    assert {rule.legal_basis for rule in RULES} <= codes
    bases = {b.code: b for b in default_legal_bases()}
    for rule in RULES:
        basis = bases[rule.legal_basis]
        assert basis.effective_from <= rule.effective_from
        assert basis.effective_to is None or (rule.effective_to is not None and rule.effective_to <= basis.effective_to)


# --- The explanation -------------------------------------------------------------------------------

DOCUMENTED = set(re.findall(r"^\s+([a-z_]+)\s{2,}(?:[{(]|same params)", e.__doc__, flags=re.MULTILINE)) | {
    "all_met", "not_all_met", "any_met", "none_met"}


def _all_verdicts():
    for award, good, bad, _codes in _cases():
        yield verdict_for(award, good)
        yield verdict_for(award, bad)


def test_every_verdict_lists_each_condition_with_pass_fail_and_article():
    for verdict in _all_verdicts():
        rule = rules_in_force(RULES, verdict.award, ON,
                              COLLECTIVE if verdict.award in (TTLDTT, TTLDXS, COTDBO, COTDCP) else None)
        assert rule is not None
        for check in verdict.checks.walk():
            assert isinstance(check.passed, bool)
            assert check.article.startswith(("Điều", "Luật")), check
            assert check.message_code in DOCUMENTED, check.message_code
        # the tree of checks mirrors the rule tree, condition for condition
        assert verdict.checks.rule == type(rule.rule).__name__


def test_check_tree_mirrors_rule_tree():
    rule = rules_in_force(RULES, BKBT, ON, PERSON)
    verdict = evaluate(rule, person(), Y, ON)

    def shape(node):
        children = getattr(node, "rules", ())
        return (type(node).__name__, tuple(shape(child) for child in children))

    def check_shape(check):
        return (check.rule, tuple(check_shape(child) for child in check.children))

    assert check_shape(verdict.checks) == shape(rule.rule)


def test_verdict_is_json_serialisable_with_iso_dates():
    history = person(awards(BKBT, 2019), rated(HTTNV, 2024), holds=[Hold(DISCIPLINE, date(2024, 12, 1))])
    data = json.loads(json.dumps(verdict_for(BKTTG, history).as_dict()))
    hold = next(c for c in data["checks"]["children"] if c["rule"] == "NotOnHold")
    assert hold["params"]["holds"] == [{"kind": DISCIPLINE, "start": "2024-12-01", "end": None}]
    assert hold["evidence"] == ["discipline 01/12/2024–…"]


def test_every_documented_code_is_reachable_by_name_in_the_module():
    source = Path(e.__file__).read_text(encoding="utf-8").split('"""', 2)[2]
    for code in DOCUMENTED:
        assert f'"{code}"' in source, code


def test_child_without_article_inherits_its_parents():
    check = judge(All((HoldsTitle(LDTT, 1), HoldsTitle(LDTT, 1, article="own")), article=ART), person())
    assert [c.article for c in check.children] == [ART, "own"]


# --- Batches, validation, data ---------------------------------------------------------------------


def test_evaluate_many_equals_evaluate_one_by_one():
    histories = {f"p{i}": good for i, (award, good, _bad, _c) in enumerate(_cases()) if award == BKBT}
    rule = rules_in_force(RULES, BKBT, ON, PERSON)
    people = {k: h for k, h in histories.items() if isinstance(h, PersonHistory)}
    batch = evaluate_many(rule, people, Y, ON)
    assert batch == {key: evaluate(rule, history, Y, ON) for key, history in people.items()}
    assert evaluate_many(rule, list(people.items()), Y, ON) == batch


def test_invalid_rule_gives_an_explained_verdict_not_an_exception():
    bad = AwardRule("X", "X", PERSON, All((HoldsTitle(LDTT, 0), RatedAtLeast("EXCELLENT", 1), Any(()))), "T",
                    date(2000, 1, 1))
    verdict = evaluate(bad, person(), Y, ON)
    assert (verdict.eligible, verdict.checks.message_code) == (False, "invalid_rule")
    assert verdict.checks.params["problems"] == [
        {"path": "rules[0]", "field": "years", "code": "not_positive"},
        {"path": "rules[1]", "field": "grade", "code": "unknown_grade"},
        {"path": "rules[2]", "field": "rules", "code": "empty"},
    ]
    assert evaluate_many(bad, {"a": person()}, Y, ON)["a"] == verdict


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (HasInitiative("province"), "unknown_level"),
        (HoldsTitle(LDTT, 2, ending="next"), "unknown_ending"),
        (ShareOfMembersWithTitle(LDTT, Decimal(101)), "out_of_range"),
        (HasAward(""), "missing_code"),
        (TitleCountInWindow(LDTT, 1, years=0), "not_positive"),
        ("HoldsTitle", "unknown_rule"),
    ],
)
def test_rule_problems(rule, code):
    assert [p.code for p in rule_problems(rule)] == [code]


def test_default_rules_are_valid_and_round_trip_through_json():
    for award_rule in RULES:
        assert rule_problems(award_rule.rule) == ()
        data = json.loads(json.dumps(rule_to_data(award_rule.rule)))
        assert rule_from_data(data) == award_rule.rule


@pytest.mark.parametrize(
    "data",
    [{"type": "Nope"}, {"type": "HoldsTitle", "title": "X", "years": 1, "colour": "red"}, {"type": "HoldsTitle"},
     {"type": "ShareOfMembersWithTitle", "title": "X", "min_percent": "lots"}, ["HoldsTitle"]],
)
def test_rule_from_data_rejects_bad_data(data):
    with pytest.raises(ValueError):
        rule_from_data(data)


def test_engine_imports_no_django():
    root = Path(__file__).resolve().parents[2]
    code = "import sys, commendations.eligibility; print(sorted(m for m in sys.modules if m.startswith('django')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
