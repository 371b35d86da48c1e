"""commendations.histories: database rows → the engine's histories (equal to hand-built ones, in a
constant number of queries), the catalogue's rules as engine rules, and "who is eligible" per unit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commendations import eligibility
from commendations.enums import AwardKind, HoldKind, InitiativeLevel, RatingGrade, Subject
from commendations.histories import (
    eligibility_for_unit,
    eligible_people,
    initiative_key,
    initiative_pk,
    person_histories,
    rule_set,
    unit_histories,
)
from commendations.models import AwardRule
from portal.enums import Gender
from portal.models import Person
from tests.factories import PersonFactory, UnitFactory
from tests.factories.commendations import (
    AwardRecordFactory,
    HoldFactory,
    InitiativeFactory,
    RatingFactory,
    award,
    cstdbo_history,
    give_ratings,
    give_titles,
)

Y = 2025
ON = date(2025, 12, 15)


def test_initiative_keys_round_trip():
    assert initiative_key(17) == "SK-17"
    assert initiative_pk("SK-17") == 17
    assert initiative_pk("17") is None
    assert initiative_pk("SK-x") is None


@pytest.mark.django_db
def test_person_history_from_the_database_equals_the_hand_built_one(org):
    person = PersonFactory(unit=org.home, gender=Gender.FEMALE)
    colleague = PersonFactory(unit=org.home)
    bkbt = AwardRecordFactory(person=person, award=award("BKBT"), year=2022, decision_number="22/QĐ-BTP",
                              decided_on=date(2022, 12, 28))
    AwardRecordFactory(person=person, award=award("CSTDCS"), year=2023, decision_number="123/QĐ-STP",
                       decided_on=date(2023, 12, 20))
    AwardRecordFactory(person=person, award=award("GK"), year=2023, kind=AwardKind.CAMPAIGN, decision_number="",
                       decided_on=None)
    RatingFactory(person=person, year=2022, grade=RatingGrade.HTTNV, score=Decimal("88.5"))
    RatingFactory(person=person, year=2023, grade=RatingGrade.HTXSNV, months_worked=3, maternity_months=6)
    used = InitiativeFactory(title="Số hoá hồ sơ", year=2022, level=InitiativeLevel.UNIT, authors=[person],
                             consumed_by=bkbt)
    shared = InitiativeFactory(title="Cơ sở dữ liệu hoà giải", year=2023, level=InitiativeLevel.MINISTRY,
                               authors=[person, colleague])
    HoldFactory(person=person, kind=HoldKind.DISCIPLINE, start=date(2021, 3, 1), end=date(2022, 2, 28))
    HoldFactory(person=colleague, kind=HoldKind.INVESTIGATION, start=date(2025, 10, 10))

    histories = person_histories([person, colleague])

    assert histories[person.pk] == eligibility.PersonHistory(
        awards=(
            eligibility.AwardRecord("BKBT", 2022, "merit", "22/QĐ-BTP", date(2022, 12, 28), "ministry"),
            eligibility.AwardRecord("CSTDCS", 2023, "merit", "123/QĐ-STP", date(2023, 12, 20), "unit"),
            eligibility.AwardRecord("GK", 2023, "campaign", "", None, "unit"),
        ),
        ratings=(
            eligibility.Rating(2022, "HTTNV", Decimal("88.50"), 12, 0),
            eligibility.Rating(2023, "HTXSNV", None, 3, 6),
        ),
        initiatives=(
            eligibility.Initiative(f"SK-{used.pk}", "Số hoá hồ sơ", 2022, "unit", str(bkbt.pk)),
            eligibility.Initiative(f"SK-{shared.pk}", "Cơ sở dữ liệu hoà giải", 2023, "ministry", None),
        ),
        holds=(eligibility.Hold("discipline", date(2021, 3, 1), date(2022, 2, 28)),),
        gender="female",
    )
    assert histories[colleague.pk] == eligibility.PersonHistory(
        initiatives=(eligibility.Initiative(f"SK-{shared.pk}", "Cơ sở dữ liệu hoà giải", 2023, "ministry", None),),
        holds=(eligibility.Hold("investigation", date(2025, 10, 10), None),),
        gender="male",
    )


@pytest.mark.django_db
def test_person_histories_leave_out_later_years_but_keep_every_hold(org):
    person = PersonFactory(unit=org.home)
    give_titles(person, "LDTT", [2024, 2025, 2026])
    RatingFactory(person=person, year=2026)
    HoldFactory(person=person, start=date(2026, 5, 1))

    history = person_histories([person], up_to_year=2025)[person.pk]

    assert [record.year for record in history.awards] == [2024, 2025]
    assert history.ratings == ()
    assert history.holds == (eligibility.Hold("discipline", date(2026, 5, 1), None),)


@pytest.mark.django_db
@pytest.mark.parametrize("people", [1, 30])
def test_person_histories_read_four_queries_whatever_the_number_of_people(org, people, django_assert_num_queries):
    nominees = [PersonFactory(unit=org.home) for _ in range(people)]
    for person in nominees:
        cstdbo_history(person, year=Y)
        HoldFactory(person=person, start=date(2020, 1, 1), end=date(2020, 6, 1))

    with django_assert_num_queries(4):
        histories = person_histories(nominees)

    assert len(histories) == people
    assert all(len(history.awards) == 6 and len(history.initiatives) == 1 for history in histories.values())


@pytest.mark.django_db
@pytest.mark.parametrize("people", [1, 30])
def test_person_histories_of_a_queryset_filter_each_table_by_a_subquery(org, people, django_assert_num_queries):
    for _ in range(people):
        cstdbo_history(PersonFactory(unit=org.home), year=Y)
    PersonFactory(unit=org.other)
    nominees = Person.objects.filter(unit=org.home).order_by("pk")

    with django_assert_num_queries(5):
        histories = person_histories(nominees)

    assert histories == person_histories(list(nominees))
    with CaptureQueriesContext(connection) as queries:
        person_histories(list(nominees), among=nominees)
    assert all(len(query["sql"]) < 2_000 for query in queries.captured_queries)


@pytest.mark.django_db
def test_unit_history_counts_the_people_of_the_unit_and_its_sub_units(org):
    inside = PersonFactory(unit=org.home, gender=Gender.FEMALE)
    below = PersonFactory(unit=org.home_child)
    part_time = PersonFactory(unit=org.home_child)
    PersonFactory(unit=org.other)  # not a member
    PersonFactory(unit=org.home, is_active=False)  # left: not a member
    give_ratings(inside, {Y: RatingGrade.HTXSNV, Y - 1: RatingGrade.HTNV})
    give_ratings(below, {Y: RatingGrade.HTNV})
    RatingFactory(person=part_time, year=Y, grade=RatingGrade.HTXSNV, months_worked=4)
    give_titles(inside, "LDTT", [Y])
    give_titles(inside, "CSTDCS", [Y])
    give_titles(below, "LDTT", [Y - 1])
    give_titles(below, "GK", [Y], kind=AwardKind.CAMPAIGN)
    give_ratings(org.home, {Y: RatingGrade.HTXSNV})
    give_titles(org.home, "TTLDXS", [Y - 1])
    HoldFactory(person=None, unit=org.home, kind=HoldKind.COMPLAINT, start=date(Y, 2, 1), end=date(Y, 3, 1))
    names = {}

    histories = unit_histories([org.home, org.home_child], year=Y, cluster_results={org.home.pk: (True, None)},
                               member_names=names)

    members = {
        str(inside.pk): eligibility.MemberSummary(str(inside.pk), "HTXSNV", frozenset({"LDTT", "CSTDCS"}), "female"),
        str(below.pk): eligibility.MemberSummary(str(below.pk), "HTNV", frozenset(), "male"),
        str(part_time.pk): eligibility.MemberSummary(str(part_time.pk), None, frozenset(), "male"),
    }
    home = histories[org.home.pk]
    assert home.awards == (eligibility.AwardRecord("TTLDXS", Y - 1, "merit", home.awards[0].decision,
                                                   date(Y - 1, 12, 15), "ministry"),)
    assert home.ratings == (eligibility.Rating(Y, "HTXSNV"),)
    assert sorted(home.members, key=lambda m: m.person_id) == sorted(members.values(), key=lambda m: m.person_id)
    assert (home.cluster_lead, home.elected) == (True, None)
    assert home.holds == (eligibility.Hold("complaint", date(Y, 2, 1), date(Y, 3, 1)),)
    child = histories[org.home_child.pk]
    assert sorted(m.person_id for m in child.members) == sorted([str(below.pk), str(part_time.pk)])
    assert (child.awards, child.ratings, child.cluster_lead) == ((), (), None)
    assert names[str(inside.pk)] == inside.full_name


@pytest.mark.django_db
@pytest.mark.parametrize("units", [1, 30])
def test_unit_histories_read_six_queries_whatever_the_number_of_units(org, units, django_assert_num_queries):
    collectives = [UnitFactory(parent=org.home) for _ in range(units)]
    for unit in collectives:
        person = PersonFactory(unit=unit)
        give_ratings(person, {Y: RatingGrade.HTTNV})
        give_titles(person, "LDTT", [Y])
        give_ratings(unit, {Y: RatingGrade.HTTNV})

    with django_assert_num_queries(6):
        histories = unit_histories(collectives, year=Y)

    assert [len(histories[unit.pk].members) for unit in collectives] == [1] * units


@pytest.mark.django_db
def test_the_catalogue_in_the_database_is_the_engines_default_catalogue():
    stored = {(rule.award, rule.subject, rule.effective_from): rule for rule in rule_set()}
    default = {(rule.award, rule.subject, rule.effective_from): rule for rule in eligibility.default_rule_set()}

    assert stored.keys() == default.keys()
    for key, rule in stored.items():
        assert (rule.rule, rule.legal_basis, rule.effective_to) == (
            default[key].rule, default[key].legal_basis, default[key].effective_to), key


@pytest.mark.django_db
def test_rule_set_on_a_date_holds_only_the_versions_in_force():
    before, after = rule_set(date(2025, 3, 1)), rule_set(date(2025, 12, 15))

    assert [r.legal_basis for r in before if r.award == "TTLDTT"] == ["98/2023/NĐ-CP"]
    assert [r.legal_basis for r in after if r.award == "TTLDTT"] == ["152/2025/NĐ-CP"]
    assert rule_set(date(2023, 6, 1)) == ()


@pytest.mark.django_db
def test_an_unreadable_stored_rule_gives_an_invalid_rule_verdict_not_an_error(org, users):
    AwardRule.objects.filter(award__code="LDTT").update(rule={"type": "NoSuchRule"})
    person = PersonFactory(unit=org.home)

    report = eligibility_for_unit(user=users.leader, unit=org.home, award_code="LDTT", year=Y, on=ON)

    verdict = next(n.verdict for n in report.nominees if n.obj == person)
    assert (verdict.eligible, verdict.checks.message_code) == (False, "invalid_rule")
    assert verdict.checks.params["problems"] == [{"path": "root", "field": "type", "code": "unknown_rule"}]


# --- Who is eligible --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_eligible_people_are_those_the_engine_passes_within_the_users_scope(org, users):
    qualifies = PersonFactory(unit=org.home, full_name="Trần Đủ Điều")
    cstdbo_history(qualifies, year=Y)
    broken = PersonFactory(unit=org.home_child, full_name="Lê Đứt Chuỗi")
    cstdbo_history(broken, year=Y, cstdcs_years=[Y - 2, Y])
    elsewhere = PersonFactory(unit=org.other, full_name="Phạm Ở Xa")
    cstdbo_history(elsewhere, year=Y)

    assert eligible_people(user=users.leader, unit=org.home, award_code="CSTDBO", year=Y, on=ON) == [qualifies]
    report = eligibility_for_unit(user=users.leader, unit=org.home, award_code="CSTDBO", year=Y, on=ON)
    verdicts = {nominee.obj.full_name: nominee.verdict for nominee in report.nominees}
    assert verdicts["Lê Đứt Chuỗi"].eligible is False
    streak = next(c for c in verdicts["Lê Đứt Chuỗi"].checks.walk() if c.rule == "HoldsTitle")
    assert (streak.message_code, streak.params["missing"]) == ("title_streak_short", [Y - 1])
    assert "Phạm Ở Xa" not in verdicts
    assert report.rule.legal_basis == "06/2022/QH15"
    # staff of home see their own unit only: the sub-unit's people are not theirs
    staff_report = eligibility_for_unit(user=users.staff, unit=org.home, award_code="CSTDBO", year=Y, on=ON)
    assert "Lê Đứt Chuỗi" not in {n.obj.full_name for n in staff_report.nominees}


@pytest.mark.django_db
def test_eligibility_refuses_a_unit_outside_the_users_scope(org, users):
    with pytest.raises(PermissionDenied):
        eligibility_for_unit(user=users.staff, unit=org.other, award_code="CSTDBO", year=Y, on=ON)


@pytest.mark.django_db
def test_the_same_history_judged_under_two_rule_versions_through_the_database(org, users):
    """TTLĐTT: ≥ 50 % of members LĐTT under NĐ 98/2023, more than 50 % under NĐ 152/2025."""
    unit = UnitFactory(parent=org.home, name="Phòng Hành chính tư pháp")
    give_ratings(unit, {Y: RatingGrade.HTTNV})
    for index in range(4):
        member = PersonFactory(unit=unit)
        give_ratings(member, {Y: RatingGrade.HTTNV})
        if index < 2:
            give_titles(member, "LDTT", [Y])

    def verdict(on):
        report = eligibility_for_unit(user=users.officer, unit=unit, award_code="TTLDTT", year=Y, on=on)
        assert report.subject == Subject.COLLECTIVE
        return report.nominees[0].verdict

    spring, winter = verdict(date(2025, 3, 1)), verdict(date(2025, 12, 15))
    assert (spring.eligible, spring.rule_version) == (True, "98/2023/NĐ-CP")
    assert (winter.eligible, winter.rule_version) == (False, "152/2025/NĐ-CP")
    share = next(c for c in winter.checks.walk() if c.rule == "ShareOfMembersWithTitle")
    assert (share.message_code, share.params["percent"], share.params["inclusive"]) == ("member_share_short", "50.00", False)


@pytest.mark.django_db
def test_an_award_for_both_is_judged_for_people_unless_collectives_are_asked(org, users):
    person = PersonFactory(unit=org.home)

    people = eligibility_for_unit(user=users.leader, unit=org.home, award_code="GK", year=Y, on=ON)
    units = eligibility_for_unit(user=users.leader, unit=org.home, award_code="GK", year=Y, on=ON,
                                 subject=Subject.COLLECTIVE)

    assert person in [n.obj for n in people.nominees]
    assert [n.obj for n in units.nominees] == [org.home, org.home_child]
    assert all(n.eligible for n in units.nominees)


@pytest.mark.django_db
def test_no_rule_in_force_judges_nobody_eligible(org, users):
    PersonFactory(unit=org.home)

    report = eligibility_for_unit(user=users.leader, unit=org.home, award_code="CSTDBO", year=2022, on=date(2022, 12, 1))

    assert report.rule is None
    assert {n.verdict.checks.message_code for n in report.nominees} == {"no_rule_in_force"}
