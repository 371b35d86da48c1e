"""The commendation demo (seed_demo): five years of consistent history for every demo person and
unit, and people of Sở Tư pháp Hà Nội who are, and are not, eligible for a visible reason."""

import io
from collections import defaultdict
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commendations.demo import SHOWCASES, DecisionNumbers, random_plan
from commendations.enums import AwardKind, HoldKind
from commendations.models import AwardRecord, Hold, Initiative, Rating
from portal.models import Person, Unit

THIS_YEAR = timezone.localdate().year
YEARS = list(range(THIS_YEAR - 5, THIS_YEAR))
PROPOSAL_YEAR = THIS_YEAR - 1


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_history_is_five_years_of_ratings_with_titles_that_follow_from_them():
    output = seed()

    people = Person.objects.count()
    ratings = defaultdict(dict)
    for person_id, year, grade, months, maternity in Rating.objects.filter(person__isnull=False).values_list(
        "person_id", "year", "grade", "months_worked", "maternity_months"
    ):
        ratings[person_id][year] = (grade, months + maternity >= 6)
    assert len(ratings) == people
    assert all(sorted(years) == YEARS for years in ratings.values())
    grades = [grade for years in ratings.values() for grade, _rated in years.values()]
    assert grades.count("HTTNV") + grades.count("HTXSNV") > 0.8 * len(grades)
    assert 0 < grades.count("KHTNV") < 0.05 * len(grades)

    merit = defaultdict(set)
    for person_id, code, year in AwardRecord.objects.filter(person__isnull=False, kind=AwardKind.MERIT).values_list(
        "person_id", "award__code", "year"
    ):
        merit[(person_id, year)].add(code)
    for (person_id, year), codes in merit.items():
        if year not in ratings[person_id]:
            continue  # a Bằng khen before the five years shown
        grade, rated = ratings[person_id][year]
        if "LDTT" in codes:
            assert rated and grade in ("HTXSNV", "HTTNV"), (person_id, year)
        if "CSTDCS" in codes:
            assert "LDTT" in codes, (person_id, year)
    assert AwardRecord.objects.filter(award__code="BKBT", kind=AwardKind.MERIT, year__lt=YEARS[0]).exists()
    assert AwardRecord.objects.exclude(kind=AwardKind.MERIT).exists()
    assert AwardRecord.objects.filter(unit__isnull=False, award__code__in=["TTLDTT", "TTLDXS"]).exists()
    assert Rating.objects.filter(unit__isnull=False).values("unit").distinct().count() >= 30

    levels = set(Initiative.objects.values_list("level", flat=True))
    assert levels == {"unit", "ministry", "national"}
    for initiative in Initiative.objects.filter(consumed_by__isnull=False).select_related("consumed_by"):
        assert initiative.consumed_by.person in initiative.authors.all()
    assert Initiative.objects.filter(consumed_by__isnull=False).count() >= 10

    today = timezone.localdate()
    ended = Hold.objects.filter(kind=HoldKind.DISCIPLINE, end__lt=today)
    active = Hold.objects.filter(kind=HoldKind.INVESTIGATION, start__lte=today, end__isnull=True)
    assert (ended.count(), active.count()) == (1, 1)
    assert f"Lịch sử khen thưởng {YEARS[0]}–{YEARS[-1]} (commendation history): xếp loại (ratings) mới " \
           f"{Rating.objects.count()}, khen thưởng (awards) mới {AwardRecord.objects.filter(nominee=None).count()}, " in output


@pytest.mark.django_db
def test_demo_leaders_unit_has_people_eligible_and_not_for_a_visible_reason():
    output = seed()
    client = Client()
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    unit = Unit.objects.get(code="STP-HN")

    def page(award):
        response = client.get(reverse("commendations:eligibility"),
                              {"award": award, "unit": unit.pk, "year": PROPOSAL_YEAR, "show": "all"})
        return {row.nominee.obj.full_name: row for row in response.context["page_obj"]}

    cstdbo, bkttg = page("CSTDBO"), page("BKTTG")
    expected_code = {
        "cstdbo_streak": "title_streak_short", "cstdbo_used": "initiative_missing", "cstdbo_hold": "on_hold",
        "cstdbo_discipline": "title_streak_short", "bkttg_short": "title_count_short",
    }
    named = {}
    for showcase, person in zip(SHOWCASES, _showcase_people(), strict=True):
        rows = cstdbo if showcase.award == "CSTDBO" else bkttg
        row = rows[person.full_name]
        assert row.nominee.eligible is showcase.eligible, showcase.key
        if not showcase.eligible:
            failed = [c.message_code for c in row.nominee.verdict.checks.walk() if not c.passed and not c.children]
            assert failed == [expected_code[showcase.key]], showcase.key
            assert row.reasons and "Luật Thi đua, khen thưởng 2022" in row.reasons[0]
        named[showcase.key] = person.full_name
    assert sum(row.nominee.eligible for row in cstdbo.values()) >= 1
    assert sum(not row.nominee.eligible for row in cstdbo.values()) >= 4
    used = cstdbo[named["cstdbo_used"]].nominee.verdict
    assert next(c for c in used.checks.walk() if c.rule == "HasInitiative").params["consumed"]
    # the seed output names them
    assert f"đủ điều kiện (eligible): {named['cstdbo_ok']};" in output
    assert f"{named['cstdbo_streak']} — chuỗi CSTĐCS bị gián đoạn (broken CSTĐCS streak)" in output
    assert f"Xét Bằng khen Thủ tướng {PROPOSAL_YEAR} tại STP-HN (eligibility demo): đủ điều kiện (eligible): " \
           f"{named['bkttg_ok']}; không đủ (not eligible): {named['bkttg_short']}" in output


def _showcase_people():
    candidates = Person.objects.filter(unit__code="STP-HN", user__isnull=True).exclude(full_name="Nguyễn Anh Tuấn")
    return list(candidates.order_by("email"))[: len(SHOWCASES)]


def test_a_persons_drawn_history_depends_only_on_them():
    person = Person(pk=1, email="thu@moj.gov.vn", gender="female", full_name="Lý Thị Thu")
    unit = Unit(code="STP-HN", name="Sở Tư pháp Hà Nội", short_name="STP Hà Nội", path="/BTP/STP-HN/")
    first = random_plan(person, unit, range(2021, 2026), DecisionNumbers())
    second = random_plan(person, unit, range(2021, 2026), DecisionNumbers())
    assert first == second
    assert [year for year, *_rest in first.ratings] == [2021, 2022, 2023, 2024, 2025]
    assert all(isinstance(hold[1], date) for hold in first.holds)
