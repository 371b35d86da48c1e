"""commendations.explain: a sentence for every message code of the engine (checked against the
engine's docstring), with the evidence and the article cited, and rule trees in words."""

import re
from datetime import date

import pytest
from django.utils import translation

from commendations import eligibility, explain

NAMES = {
    "CSTDCS": "Chiến sĩ thi đua cơ sở",
    "CSTDBO": "Chiến sĩ thi đua cấp Bộ",
    "BKBT": "Bằng khen của Bộ trưởng",
    "LDTT": "Lao động tiên tiến",
    "TTLDTT": "Tập thể lao động tiên tiến",
}
ART = "Điều 22 Luật Thi đua, khen thưởng 2022"
FAIL = {"not_merit": [], "counted_from": None}

# (code, params, the English sentence without the article)
EXAMPLES = [
    ("title_streak_met", {"title": "CSTDCS", "years": 3, "from_year": 2024, "to_year": 2026},
     "Chiến sĩ thi đua cơ sở in 3 consecutive years ending 2026: held in 2024, 2025, 2026"),
    ("title_streak_short", {"title": "CSTDCS", "years": 3, "from_year": 2024, "to_year": 2026, "found": 0,
                            "missing": [2026], **FAIL},
     "Chiến sĩ thi đua cơ sở in 3 consecutive years ending 2026: found 2024, 2025 — 2026 missing"),
    ("title_streak_short", {"title": "LDTT", "years": 1, "from_year": 2026, "to_year": 2026, "found": 0,
                            "missing": [2026], "not_merit": [2026], "counted_from": None},
     "Lao động tiên tiến in 2026: not held; 2026: only a campaign or ad-hoc award, which does not count"),
    ("title_streak_short", {"title": "CSTDCS", "years": 3, "from_year": 2023, "to_year": 2025, "found": 2,
                            "missing": [2023], "not_merit": [], "counted_from": 2024},
     "Chiến sĩ thi đua cơ sở in 3 consecutive years ending 2025: found 2024, 2025 — 2023 missing; achievements count "
     "only from 2024, after a discipline ended"),
    ("title_times_met", {"title": "CSTDBO", "times": 2, "period": 3, "consecutive": True, "to_year": 2025,
                         "years": [2022, 2025]},
     "Chiến sĩ thi đua cấp Bộ 2 times, each within 3 years of the previous one, the latest in 2025: 2022, 2025"),
    ("title_times_met", {"title": "CSTDBO", "times": 2, "period": 3, "consecutive": False, "to_year": 2025,
                         "years": [2019, 2025]},
     "Chiến sĩ thi đua cấp Bộ at least 2 times up to 2025: 2019, 2025"),
    ("title_times_too_few", {"title": "CSTDBO", "times": 2, "period": 3, "consecutive": True, "to_year": 2025,
                             "years": [2025], **FAIL},
     "Chiến sĩ thi đua cấp Bộ 2 times, each within 3 years of the previous one, the latest in 2025: found 1 (2025)"),
    ("title_times_gap", {"title": "CSTDBO", "times": 2, "period": 3, "consecutive": True, "to_year": 2025,
                         "years": [2020, 2025], "gap_after": 2020, **FAIL},
     "Chiến sĩ thi đua cấp Bộ 2 times, each within 3 years of the previous one, the latest in 2025: 2020, 2025 — "
     "more than 3 years after 2020"),
    ("title_times_not_recent", {"title": "CSTDBO", "times": 2, "period": 3, "consecutive": True, "to_year": 2025,
                                "years": [2021, 2023], "latest": 2023, **FAIL},
     "Chiến sĩ thi đua cấp Bộ 2 times, each within 3 years of the previous one, the latest in 2025: 2021, 2023 — "
     "the latest is 2023"),
    ("rating_streak_met", {"grade": "HTTNV", "years": 5, "from_year": 2020, "to_year": 2024, "since_award": "BKBT",
                           "since_year": 2019},
     "Rated Good (HTTNV) or better in 5 consecutive years ending 2024, all after the Bằng khen của Bộ trưởng of 2019"),
    ("rating_streak_met", {"grade": "HTS", "years": 1, "from_year": 2024, "to_year": 2024, "since_award": None,
                           "since_year": None},
     "Rated HTS or better in 2024"),
    ("rating_streak_short", {"grade": "HTXSNV", "years": 3, "from_year": 2022, "to_year": 2024, "since_award": None,
                             "since_year": None, "found": 0, "missing": [2022], "not_rated": [2023], "below": [2024],
                             "excluded": [], "counted_from": None},
     "Rated Excellent (HTXSNV) or better in 3 consecutive years ending 2024: not met; no rating for 2022; under 6 "
     "months worked in 2023, so not rated; rated lower in 2024"),
    ("rating_streak_short", {"grade": "HTT", "years": 5, "from_year": 2020, "to_year": 2024, "since_award": "BKBT",
                             "since_year": 2021, "found": 3, "missing": [], "not_rated": [], "below": [],
                             "excluded": [2020, 2021], "counted_from": None},
     "Rated Good (HTTNV) or better in 5 consecutive years ending 2024, all after the Bằng khen của Bộ trưởng of 2021: "
     "not met; 2020, 2021: not after the Bằng khen của Bộ trưởng of 2021"),
    ("since_award_missing", {"award": "BKBT", "to_year": 2024, "not_merit": [2022], "counted_from": None},
     "No Bằng khen của Bộ trưởng up to 2024, which the years are counted from; 2022: only a campaign or ad-hoc award, "
     "which does not count"),
    ("award_held", {"award": "BKBT", "year": 2019}, "Bằng khen của Bộ trưởng held (2019)"),
    ("award_missing", {"award": "BKBT", **FAIL}, "No Bằng khen của Bộ trưởng recorded"),
    ("title_count_met", {"title": "CSTDCS", "count": 3, "found": 3, "from_year": 2020, "to_year": 2024,
                         "since_award": "BKBT", "since_year": 2019, "years": [2020, 2022, 2024], **FAIL},
     "At least 3 Chiến sĩ thi đua cơ sở since the Bằng khen của Bộ trưởng of 2019, up to 2024: found 3 "
     "(2020, 2022, 2024)"),
    ("title_count_short", {"title": "CSTDCS", "count": 3, "found": 2, "from_year": 2020, "to_year": 2024,
                           "since_award": "BKBT", "since_year": 2019, "years": [2021, 2023], **FAIL},
     "At least 3 Chiến sĩ thi đua cơ sở since the Bằng khen của Bộ trưởng of 2019, up to 2024 are required: found "
     "only 2 (2021, 2023)"),
    ("title_count_short", {"title": "CSTDCS", "count": 2, "found": 0, "from_year": None, "to_year": 2024,
                           "since_award": None, "since_year": None, "years": [], **FAIL},
     "At least 2 Chiến sĩ thi đua cơ sở up to 2024 are required: found only 0 (none)"),
    ("initiative_available", {"min_level": "ministry", "count": 1, "found": 2, "from_year": 2022, "to_year": 2024,
                              "ids": ["SK-17"]},
     "1 unused initiative recognised at ministry level or higher, from 2022 to 2024: SK-17"),
    ("initiative_missing", {"min_level": "unit", "count": 2, "found": 1, "from_year": None, "to_year": 2024,
                            "ids": ["SK-3"], "consumed": ["SK-17"], "reserved": ["SK-9"], "counted_from": None},
     "2 unused initiatives recognised at unit level or higher, up to 2024: found 1 usable; already used for an "
     "award: SK-17; taken by another condition of this award: SK-9"),
    ("no_active_hold", {"on": "2024-12-20"}, "No discipline, investigation or complaint in progress on 20/12/2024"),
    ("on_hold", {"on": "2024-12-20", "holds": [{"kind": "investigation", "start": "2024-10-10", "end": None},
                                               {"kind": "discipline", "start": "2024-01-02", "end": "2025-01-01"}]},
     "On hold on 20/12/2024: under investigation from 10/10/2024, not ended; discipline from 02/01/2024 to "
     "01/01/2025"),
    ("member_share_met", {"title": "LDTT", "count": 7, "total": 10, "percent": "70.00", "min_percent": "70",
                          "inclusive": True},
     "7 of 10 members (70%) hold Lao động tiên tiến; at least 70% required"),
    ("member_share_short", {"title": "LDTT", "count": 2, "total": 4, "percent": "50.00", "min_percent": "50",
                            "inclusive": False},
     "Only 2 of 4 members (50%) hold Lao động tiên tiến; more than 50% required"),
    ("no_members", {"title": "LDTT"}, "The collective has no members to count Lao động tiên tiến among"),
    ("all_members_rated_met", {"grade": "HTNV", "rated": 9, "not_rated": 1},
     "All 9 members rated this year are rated Complete (HTNV) or better (1 not rated)"),
    ("members_below_grade", {"grade": "HTNV", "rated": 9, "not_rated": 0, "below": ["5", "6"]},
     "2 of 9 rated members are rated below Complete (HTNV): Lê Văn Năm, 6"),
    ("no_rated_members", {"grade": "HTNV", "total": 3}, "None of the 3 members was rated this year"),
    ("member_with_title", {"title": "CSTDCS", "count": 1}, "1 member holds Chiến sĩ thi đua cơ sở"),
    ("member_with_title", {"title": "CSTDCS", "count": 2}, "2 members hold Chiến sĩ thi đua cơ sở"),
    ("no_member_with_title", {"title": "CSTDCS"}, "No member holds Chiến sĩ thi đua cơ sở"),
    ("cluster_lead", {}, "Leads its emulation cluster"),
    ("not_cluster_lead", {}, "Does not lead its emulation cluster"),
    ("no_campaign_result", {}, "No campaign result says yet whether it leads its emulation cluster"),
    ("cluster_elected", {}, "Elected (suy tôn) by its emulation cluster"),
    ("not_cluster_elected", {}, "Not elected by its emulation cluster"),
    ("no_election_result", {}, "Its emulation cluster has not voted yet"),
    ("not_a_collective", {}, "This condition applies to collectives, not to a person"),
    ("all_met", {"passed": 3, "total": 3}, "All 3 conditions are met"),
    ("not_all_met", {"passed": 2, "total": 3}, "2 of 3 conditions are met; all are required"),
    ("any_met", {"passed": 1, "total": 2}, "1 of 2 alternatives are met; one is enough"),
    ("none_met", {"passed": 0, "total": 2}, "None of the 2 alternatives is met; one is required"),
    ("no_rule_in_force", {"award": "CSTDBO", "on": "2023-06-01"},
     "No rule for Chiến sĩ thi đua cấp Bộ is in force on 01/06/2023"),
    ("wrong_subject", {"expected": "collective", "got": "person"}, "This rule is for a collective, not for an individual"),
    ("invalid_rule", {"problems": [{"path": "rules[1]", "field": "years", "code": "not_positive"}]},
     "The conditions of this award are faulty (rules[1].years: not_positive); an administrator must correct them"),
]


def docstring_codes() -> set[str]:
    """Every message code the engine's module docstring documents."""
    section = eligibility.__doc__[eligibility.__doc__.index("Message codes"):]
    codes = set(re.findall(r"^ {2}([a-z_]+) {2,}\S", section, re.MULTILINE))
    combinators = re.search(r"^ {2}(all_met, [a-z_, ]+?) {2,}", section, re.MULTILINE)
    codes |= {code.strip() for code in combinators.group(1).split(",")}
    return codes


def test_every_code_of_the_engine_has_a_sentence():
    codes = docstring_codes()
    assert len(codes) >= 39
    assert codes == explain.MESSAGE_CODES


def test_the_examples_cover_every_code():
    assert {code for code, _params, _text in EXAMPLES} == explain.MESSAGE_CODES


@pytest.mark.parametrize(("code", "params", "text"), EXAMPLES, ids=[f"{c}-{i}" for i, (c, _p, _t) in enumerate(EXAMPLES)])
def test_sentence_in_english_cites_the_article(code, params, text):
    check = {"message_code": code, "params": params, "article": ART}
    with translation.override("en"):
        assert explain.sentence(check, names=NAMES, people={"5": "Lê Văn Năm"}) == f"{text} ({ART})"
        assert explain.sentence(check, names=NAMES, people={"5": "Lê Văn Năm"}, with_article=False) == text


def test_sentences_use_vietnamese_dates_and_numbers():
    share = {"message_code": "member_share_short", "params": {"title": "LDTT", "count": 2, "total": 3,
                                                               "percent": "66.66", "min_percent": "70", "inclusive": True}}
    hold = {"message_code": "no_active_hold", "params": {"on": "2024-12-20"}}
    with translation.override("vi"):
        assert "66,66" in explain.sentence(share, names=NAMES)
        assert "20/12/2024" in explain.sentence(hold)
        streak = explain.sentence({"message_code": EXAMPLES[0][0], "params": EXAMPLES[0][1]}, names=NAMES)
    assert "2024, 2025, 2026" in streak  # years are never grouped like numbers ("2.024")


def test_an_unknown_code_or_bad_params_give_a_fallback_not_an_error():
    with translation.override("en"):
        assert explain.sentence({"message_code": "brand_new", "params": {"a": 1}}) == "brand_new: {'a': 1}"
        assert explain.sentence({"message_code": "title_streak_met", "params": {"years": 3}}) == \
            "title_streak_met: {'years': 3}"
        # an award code the catalogue does not know is shown as is
        assert explain.sentence({"message_code": "award_held", "params": {"award": "XYZ", "year": 2020}}) == \
            "XYZ held (2020)"


def _worked_example_2() -> eligibility.Verdict:
    """docs/eligibility.md, worked example 2: Bằng khen Thủ tướng, not eligible (2 CSTĐCS since the Bằng khen)."""
    history = eligibility.PersonHistory(
        awards=(
            eligibility.AwardRecord("BKBT", 2019, "merit", "119/QĐ-BTP", date(2019, 12, 15)),
            *(eligibility.AwardRecord("CSTDCS", y, "merit") for y in (2019, 2021, 2023)),
        ),
        ratings=tuple(eligibility.Rating(y, "HTTNV", months_worked=3 if y == 2022 else 12,
                                         maternity_months=6 if y == 2022 else 0) for y in range(2018, 2025)),
    )
    return eligibility.evaluate_in_force(eligibility.default_rule_set(), "BKTTG", history, 2024, date(2024, 12, 20))


def test_check_rows_list_every_condition_depth_first_with_evidence():
    with translation.override("en"):
        rows = explain.check_rows(_worked_example_2(), names=NAMES)

    assert [(row.depth, row.passed, row.is_group) for row in rows] == [
        (0, False, True), (1, True, False), (1, True, False), (1, True, False), (1, False, False)]
    assert rows[2].text == "Bằng khen của Bộ trưởng held (2019)"
    assert rows[2].evidence == ("BKBT 2019 (119/QĐ-BTP, 15/12/2019)",)
    assert rows[4].article == "Điều 73 Luật Thi đua, khen thưởng 2022"


def test_failure_summary_gives_the_reasons_with_their_articles():
    with translation.override("en"):
        reasons = explain.failure_summary(_worked_example_2(), names=NAMES)

    assert reasons == [
        "At least 3 Chiến sĩ thi đua cơ sở since the Bằng khen của Bộ trưởng of 2019, up to 2024 are required: found "
        "only 2 (2021, 2023) (Điều 73 Luật Thi đua, khen thưởng 2022)"
    ]


def test_every_rule_of_the_default_catalogue_reads_as_conditions():
    with translation.override("en"):
        for rule in eligibility.default_rule_set():
            rows = explain.rule_rows(rule.rule, names=NAMES)
            assert rows[0].text == "All of the following"
            assert rows[0].article.startswith("Điều "), rule.award
            assert all("cannot read" not in row.text for row in rows)


def test_rule_rows_of_chien_si_thi_dua_cap_bo():
    rule = eligibility.rules_in_force(eligibility.default_rule_set(), "CSTDBO", date(2025, 12, 1))
    with translation.override("en"):
        rows = explain.rule_rows(rule.rule, names=NAMES)

    assert [(row.depth, row.text) for row in rows] == [
        (0, "All of the following"),
        (1, "Not under discipline, investigation or complaint on the reference date"),
        (1, "Chiến sĩ thi đua cơ sở in 3 consecutive years ending in the proposal year"),
        (1, "1 unused initiative recognised at ministry level or higher, from the last 3 years"),
    ]


def test_rule_rows_of_every_rule_type():
    rules = eligibility.All((
        eligibility.HoldsTitleTimes("CSTDBO", 2, ending="previous"),
        eligibility.HoldsTitleTimes("CSTDBO", 2, consecutive=False),
        eligibility.RatedAtLeast("HTTNV", 5, since_award="BKBT"),
        eligibility.HasAward("BKBT"),
        eligibility.TitleCountInWindow("CSTDCS", 3, window_from_award="BKBT"),
        eligibility.TitleCountInWindow("CSTDCS", 2, years=4),
        eligibility.ShareOfMembersWithTitle("LDTT", 50, inclusive=False),
        eligibility.AllMembersRatedAtLeast("HTNV"),
        eligibility.AtLeastOneMemberWithTitle("CSTDCS"),
        eligibility.UnitRatedAtLeast("HTXS", 2),
        eligibility.Any((eligibility.LeadsCluster(), eligibility.ElectedByCluster())),
    ))
    with translation.override("en"):
        texts = [row.text for row in explain.rule_rows(rules, names=NAMES)]

    assert texts[1:] == [
        "Chiến sĩ thi đua cấp Bộ 2 times, each within 3 years of the previous one, the latest in the year before the "
        "proposal year",
        "Chiến sĩ thi đua cấp Bộ at least 2 times up to the proposal year",
        "Rated Good (HTTNV) or better in 5 consecutive years ending in the proposal year, all after the latest Bằng "
        "khen của Bộ trưởng",
        "Holds a Bằng khen của Bộ trưởng (for merit)",
        "At least 3 Chiến sĩ thi đua cơ sở after the latest Bằng khen của Bộ trưởng, up to the proposal year",
        "At least 2 Chiến sĩ thi đua cơ sở in the 4 years ending in the proposal year",
        "More than 50% of the members hold Lao động tiên tiến",
        "Every member rated that year is rated Complete (HTNV) or better",
        "At least one member holds Chiến sĩ thi đua cơ sở",
        "The collective is rated Excellent (HTXSNV) or better in 2 consecutive years ending in the proposal year",
        "One of the following",
        "Leads its emulation cluster in the year's campaign results",
        "Elected (suy tôn) by its emulation cluster",
    ]
