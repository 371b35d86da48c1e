"""Quotas computed live: the rounding arithmetic, which quota applies (unit over ministry-wide),
what is counted (never excluded, failed or rejected nominations), the populations, the sentence
with the numbers, the warning box, and a constant number of queries."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from commendations.enums import (
    AwardKind,
    DossierState,
    NomineeState,
    QuotaPopulation,
    Rounding,
)
from commendations.models import Dossier, Nominee, Quota, TitleRegistration
from commendations.quotas import (
    allowed_count,
    arithmetic_sentence,
    exact_share,
    is_exceeded,
    plain_decimal,
    quota_report,
    quota_reports,
)
from portal.text import fold
from tests.factories import PersonFactory
from tests.factories.commendations import award, give_titles

Y = 2025


def dossier(unit, *, year=Y, state=DossierState.DRAFT, kind=AwardKind.MERIT) -> Dossier:
    return Dossier.objects.create(unit=unit, year=year, state=state, kind=kind, title=f"Hồ sơ {unit.code} {year}")


def nominate(target: Dossier, code: str, *, person=None, unit=None, state=NomineeState.PENDING) -> Nominee:
    name = person.full_name if person else unit.name
    return Nominee.objects.create(
        dossier=target, person=person, unit=unit, award=award(code), state=state, search_text=fold(name)
    )


def quota(code: str, *, unit=None, year=Y, percent="15", population=QuotaPopulation.STAFF, rounding=Rounding.DOWN,
          population_code=None) -> Quota:
    return Quota.objects.create(
        year=year, unit=unit, award=award(code), population=population, max_percent=Decimal(percent),
        rounding=rounding, population_award=award(population_code) if population_code else None,
    )


def staff(unit, count: int) -> list:
    return [PersonFactory(unit=unit) for _ in range(count)]


def line_for(lines, code: str):
    (line,) = [line for line in lines if line.award.code == code]
    return line


# --- The arithmetic, without a database --------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "percent", "rounding", "allowed"),
    [
        (40, "15", "down", 6),  # 6.0 exactly: every mode gives 6
        (40, "15", "nearest", 6),
        (40, "15", "up", 6),
        (41, "15", "down", 6),  # 6.15
        (41, "15", "nearest", 6),
        (41, "15", "up", 7),
        (4, "12.5", "down", 0),  # 0.5: the half
        (4, "12.5", "nearest", 1),
        (4, "12.5", "up", 1),
        (43, "15", "nearest", 6),  # 6.45 stays below the half
        (7, "33.33", "up", 3),  # 2.3331
        (7, "33.33", "down", 2),
        (0, "15", "up", 0),
        (1, "100", "down", 1),
        (1, "0.01", "up", 1),  # 0.0001 rounded up is one place
    ],
)
def test_allowed_count_rounds_as_the_quota_says(population, percent, rounding, allowed):
    assert allowed_count(population, Decimal(percent), rounding) == allowed


def test_exact_share_is_exact_decimal():
    assert exact_share(41, Decimal("15")) == Decimal("6.15")
    assert exact_share(7, Decimal("33.33")) == Decimal("2.3331")


def test_allowed_count_refuses_an_unknown_rounding():
    with pytest.raises(ValueError, match="sideways"):
        allowed_count(10, Decimal("10"), "sideways")


@pytest.mark.parametrize(("nominated", "allowed", "exceeded"), [(5, 6, False), (6, 6, False), (7, 6, True), (1, 0, True), (0, 0, False)])
def test_reaching_the_quota_is_fine_going_over_is_exceeded(nominated, allowed, exceeded):
    assert is_exceeded(nominated, allowed) is exceeded


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [(Decimal("6"), 1, "6.0"), (Decimal("6.15"), 1, "6.15"), (Decimal("6.1500"), 0, "6.15"), (Decimal("100.00"), 0, "100"),
     (Decimal("1E+2"), 0, "100")],
)
def test_plain_decimal(value, places, text):
    assert plain_decimal(value, min_places=places) == text


def test_arithmetic_sentence_in_vietnamese_number_format():
    with translation.override("vi"):
        text = arithmetic_sentence(
            max_percent=Decimal("15.00"), population=40, population_label="LĐ", rounding="down", nominated=7
        )
        grouped = arithmetic_sentence(
            max_percent=Decimal("12.50"), population=1234, population_label="LĐ", rounding="nearest", nominated=3
        )
    assert text.startswith("15% × 40 (LĐ) = 6,0 → 6 (")
    assert "7" in text and "> 6" in text
    assert grouped.startswith("12,5% × 1.234 (LĐ) = 154,25 → 154 (")


def test_arithmetic_sentence_in_english():
    with translation.override("en"):
        over = arithmetic_sentence(
            max_percent=Decimal("15"), population=40, population_label="staff of the unit", rounding="down", nominated=7
        )
        within = arithmetic_sentence(
            max_percent=Decimal("15"), population=41, population_label="staff of the unit", rounding="up", nominated=7
        )
    assert over == "15% × 40 (staff of the unit) = 6.0 → 6 (rounded down); 7 nominated > 6 allowed"
    assert within == "15% × 41 (staff of the unit) = 6.15 → 7 (rounded up); 7 nominated ≤ 7 allowed"


# --- The report: which quota, what is counted ---------------------------------------------------------


@pytest.mark.django_db
def test_quota_report_counts_the_units_nominations_against_its_staff(org):
    people = staff(org.home, 15) + staff(org.home_child, 5)  # 20 active people in the sub-tree
    PersonFactory(unit=org.home, is_active=False)
    staff(org.other, 30)
    quota("CSTDCS")
    target = dossier(org.home)
    for person in people[:4]:
        nominate(target, "CSTDCS", person=person)

    with translation.override("en"):
        (line,) = quota_report(unit=org.home, year=Y)

    assert (line.population, line.exact, line.allowed, line.nominated) == (20, Decimal("3"), 3, 4)
    assert line.exceeded is True
    assert line.over == 1
    assert line.population_label == "staff of the unit"
    assert line.arithmetic == "15% × 20 (staff of the unit) = 3.0 → 3 (rounded down); 4 nominated > 3 allowed"


@pytest.mark.django_db
def test_quota_report_within_the_quota_is_not_exceeded(org):
    people = staff(org.home, 20)
    quota("CSTDCS")
    target = dossier(org.home)
    for person in people[:3]:
        nominate(target, "CSTDCS", person=person)

    (line,) = quota_report(unit=org.home, year=Y)

    assert (line.allowed, line.nominated, line.exceeded, line.over) == (3, 3, False, 0)


@pytest.mark.django_db
def test_quota_report_never_counts_rejected_excluded_failed_other_year_unit_or_kind(org):
    people = staff(org.home, 20)
    quota("CSTDCS")
    counted = dossier(org.home, state=DossierState.COUNCIL)
    nominate(counted, "CSTDCS", person=people[0], state=NomineeState.ACCEPTED)
    nominate(counted, "CSTDCS", person=people[1], state=NomineeState.EXCLUDED)
    nominate(counted, "CSTDCS", person=people[2], state=NomineeState.FAILED)
    nominate(counted, "CSTDCS", person=people[3], state=NomineeState.RETURNED)
    nominate(counted, "LDTT", person=people[4])  # another award
    nominate(dossier(org.home, state=DossierState.REJECTED), "CSTDCS", person=people[5])
    nominate(dossier(org.home, kind=AwardKind.AD_HOC), "CSTDCS", person=people[6])
    nominate(dossier(org.home, year=Y - 1), "CSTDCS", person=people[7])
    nominate(dossier(org.other), "CSTDCS", person=PersonFactory(unit=org.other))
    # a sub-unit's dossier counts for the unit above, and a person nominated twice takes one place
    child = dossier(org.home_child, state=DossierState.SUBMITTED)
    nominate(child, "CSTDCS", person=people[0])
    nominate(child, "CSTDCS", person=people[8], state=NomineeState.AWARDED)

    (line,) = quota_report(unit=org.home, year=Y)

    assert line.nominated == 3  # people 0, 3 and 8


@pytest.mark.django_db
def test_quota_report_adds_the_unsaved_extra_nominations(org):
    staff(org.home, 20)
    quota("CSTDCS")
    nominate(dossier(org.home), "CSTDCS", person=PersonFactory(unit=org.home))

    (line,) = quota_report(unit=org.home, year=Y, extra=["CSTDCS", award("CSTDCS"), "LDTT"])

    assert (line.population, line.nominated, line.exceeded) == (21, 3, False)
    (line,) = quota_report(unit=org.home, year=Y, extra=["CSTDCS"] * 3)
    assert (line.nominated, line.allowed, line.exceeded) == (4, 3, True)


@pytest.mark.django_db
def test_unit_quota_overrides_the_ministry_wide_one(org):
    staff(org.home, 20)
    staff(org.other, 20)
    quota("CSTDCS", percent="15")
    own = quota("CSTDCS", unit=org.home, percent="10")

    (home_line,) = quota_report(unit=org.home, year=Y)
    (other_line,) = quota_report(unit=org.other, year=Y)

    assert (home_line.quota, home_line.max_percent, home_line.allowed) == (own, Decimal("10"), 2)
    assert (other_line.quota.unit_id, other_line.max_percent, other_line.allowed) == (None, Decimal("15"), 3)


@pytest.mark.django_db
def test_ministry_wide_quota_applies_to_each_unit_on_its_own_staff(org):
    staff(org.home, 40)
    staff(org.other, 10)
    quota("CSTDCS", percent="15", rounding=Rounding.NEAREST)

    assert [line.allowed for line in quota_report(unit=org.home, year=Y)] == [6]
    assert [line.allowed for line in quota_report(unit=org.other, year=Y)] == [2]  # 1.5 → 2


@pytest.mark.django_db
def test_quota_of_another_year_or_unit_does_not_apply(org):
    staff(org.home, 20)
    quota("CSTDCS", year=Y - 1)
    quota("CSTDCS", unit=org.other)
    quota("CSTDCS", unit=org.home_child)

    assert quota_report(unit=org.home, year=Y) == []


@pytest.mark.django_db
def test_title_holder_population_is_the_holders_and_nominees_of_the_other_title(org):
    people = staff(org.home, 30)
    quota("CSTDCS", percent="15", population=QuotaPopulation.TITLE_HOLDERS, population_code="LDTT")
    target = dossier(org.home)
    for person in people[:10]:
        nominate(target, "LDTT", person=person)
    for person in people[5:15]:  # five already nominated, five more holding it by an imported decision
        give_titles(person, "LDTT", [Y])
    give_titles(people[20], "LDTT", [Y - 1])  # another year
    give_titles(people[21], "LDTT", [Y], kind=AwardKind.CAMPAIGN)  # not a merit title
    give_titles(PersonFactory(unit=org.other), "LDTT", [Y])  # another unit
    for person in people[:3]:
        nominate(target, "CSTDCS", person=person)

    with translation.override("en"):
        (line,) = quota_report(unit=org.home, year=Y, extra=["LDTT"] * 5)

    # 15 holders or nominees + 5 unsaved nominations = 20; 15% = 3.0
    assert (line.population, line.allowed, line.nominated, line.exceeded) == (20, 3, 3, False)
    assert line.population_label == f"holders of or nominees for {award('LDTT').name}"


@pytest.mark.django_db
def test_participant_population_is_the_registered_people_or_collectives(org):
    people = staff(org.home, 10)
    quota("CSTDCS", percent="50", population=QuotaPopulation.PARTICIPANTS)
    quota("TTLDXS", percent="50", population=QuotaPopulation.PARTICIPANTS, rounding=Rounding.UP)
    for person in people[:4]:
        TitleRegistration.objects.create(year=Y, unit=org.home, person=person, award=award("LDTT"))
        TitleRegistration.objects.create(year=Y, unit=org.home, person=person, award=award("CSTDCS"))
    TitleRegistration.objects.create(year=Y, unit=org.home_child, person=people[5], award=award("LDTT"))
    TitleRegistration.objects.create(year=Y, unit=org.home, award=award("TTLDXS"))
    TitleRegistration.objects.create(year=Y, unit=org.home_child, award=award("TTLDTT"))
    TitleRegistration.objects.create(year=Y - 1, unit=org.home, person=people[6], award=award("LDTT"))
    TitleRegistration.objects.create(year=Y, unit=org.other, person=PersonFactory(unit=org.other), award=award("LDTT"))

    lines = quota_report(unit=org.home, year=Y)

    assert (line_for(lines, "CSTDCS").population, line_for(lines, "CSTDCS").allowed) == (5, 2)
    assert (line_for(lines, "TTLDXS").population, line_for(lines, "TTLDXS").allowed) == (2, 1)


@pytest.mark.django_db
def test_collective_nominees_are_counted(org):
    quota("TTLDXS", percent="50", population=QuotaPopulation.PARTICIPANTS)
    TitleRegistration.objects.create(year=Y, unit=org.home, award=award("TTLDXS"))
    TitleRegistration.objects.create(year=Y, unit=org.home_child, award=award("TTLDXS"))
    target = dossier(org.home)
    nominate(target, "TTLDXS", unit=org.home)
    nominate(target, "TTLDXS", unit=org.home_child)

    (line,) = quota_report(unit=org.home, year=Y)

    assert (line.population, line.allowed, line.nominated, line.exceeded) == (2, 1, 2, True)


@pytest.mark.django_db
def test_quota_report_is_empty_without_quotas(org):
    nominate(dossier(org.home), "CSTDCS", person=PersonFactory(unit=org.home))
    assert quota_report(unit=org.home, year=Y) == []


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_quota_report_query_count_is_constant(org, rows, django_assert_num_queries):
    people = staff(org.home, 10) + staff(org.home_child, 10)
    quota("CSTDCS")
    quota("CSTDCS", unit=org.home, percent="20")
    quota("BKBT", population=QuotaPopulation.TITLE_HOLDERS, population_code="LDTT")
    quota("GK", population=QuotaPopulation.PARTICIPANTS)
    for index in range(rows):
        target = dossier(org.home if index % 2 else org.home_child)
        for code in ("CSTDCS", "BKBT", "GK", "LDTT"):
            nominate(target, code, person=people[index])
        give_titles(people[10 + index], "LDTT", [Y])
        TitleRegistration.objects.create(year=Y, unit=org.home, person=people[index], award=award("GK"))

    with django_assert_num_queries(5):
        lines = quota_report(unit=org.home, year=Y)

    assert [(line.award.code, line.nominated) for line in lines] == [("CSTDCS", rows), ("GK", rows), ("BKBT", rows)]
    assert [line.population for line in lines] == [20, rows, 2 * rows]


@pytest.mark.django_db
def test_quota_reports_of_several_units_equal_each_units_report_in_the_same_five_queries(org, django_assert_num_queries):
    """The meeting page asks for every dossier's quotas at once; nested units (a unit and its
    sub-unit) each count their own sub-tree."""
    home_people = staff(org.home, 12) + staff(org.home_child, 8)
    other_people = staff(org.other, 10)
    quota("CSTDCS", percent="20")
    quota("CSTDCS", unit=org.other, percent="10")
    quota("BKBT", population=QuotaPopulation.TITLE_HOLDERS, population_code="LDTT", percent="50")
    quota("GK", population=QuotaPopulation.PARTICIPANTS, percent="50")
    child_dossier, home_dossier, other_dossier = dossier(org.home_child), dossier(org.home), dossier(org.other)
    for person in home_people[12:16]:
        nominate(child_dossier, "CSTDCS", person=person)
        give_titles(person, "LDTT", [Y])
    for person in home_people[:3]:
        nominate(home_dossier, "BKBT", person=person)
        TitleRegistration.objects.create(year=Y, unit=org.home, person=person, award=award("GK"))
    for person in other_people[:2]:
        nominate(other_dossier, "CSTDCS", person=person)
        nominate(other_dossier, "LDTT", person=person)
    units = [org.home, org.home_child, org.other]

    def summary(lines):
        return [(line.award.code, line.quota.pk, line.population, line.allowed, line.nominated, line.exceeded)
                for line in lines]

    expected = {unit.pk: summary(quota_report(unit=unit, year=Y)) for unit in units}
    with django_assert_num_queries(5):
        found = quota_reports(units=units, year=Y)
    assert {pk: summary(lines) for pk, lines in found.items()} == expected
    # the sub-unit's nominations count for it and for its parent, never for the other unit
    assert line_for(found[org.home_child.pk], "CSTDCS").nominated == 4
    assert line_for(found[org.home.pk], "CSTDCS").nominated == 4
    assert (line_for(found[org.other.pk], "CSTDCS").nominated, line_for(found[org.other.pk], "CSTDCS").max_percent) == (
        2, Decimal("10"))
    # holders of LĐTT under home (4, in its sub-unit); nominees for LĐTT under the other unit (2)
    assert (line_for(found[org.home.pk], "BKBT").population, line_for(found[org.other.pk], "BKBT").population) == (4, 2)
    assert quota_reports(units=[], year=Y) == {}


# --- The box on the dossier and council pages -----------------------------------------------------


@pytest.mark.django_db
def test_quota_box_warns_with_the_arithmetic_when_exceeded(org):
    people = staff(org.home, 20)
    quota("CSTDCS")
    quota("LDTT", percent="100")
    target = dossier(org.home)
    for person in people[:4]:
        nominate(target, "CSTDCS", person=person)

    with translation.override("en"):
        html = render_to_string(
            "commendations/includes/quotas.html", {"quota_lines": quota_report(unit=org.home, year=Y)}
        )

    assert html.count('role="alert"') == 1
    alert = html[html.index("data-quota-exceeded"):html.index("</div>", html.index("data-quota-exceeded"))]
    assert "Quota exceeded." in alert
    assert award("CSTDCS").name in alert and award("LDTT").name not in alert
    assert "15% × 20 (staff of the unit) = 3.0 → 3 (rounded down); 4 nominated &gt; 3 allowed" in alert
    assert 'data-award="CSTDCS" data-exceeded="yes"' in html
    assert 'data-award="LDTT" data-exceeded="no"' in html
    assert "1 over the quota" in html and "Within the quota" in html


@pytest.mark.django_db
def test_quota_box_without_excess_has_no_warning(org):
    staff(org.home, 20)
    quota("CSTDCS")
    html = render_to_string("commendations/includes/quotas.html", {"quota_lines": quota_report(unit=org.home, year=Y)})
    assert "data-quota-table" in html
    assert "data-quota-exceeded" not in html


def test_quota_box_with_nothing_to_show():
    assert render_to_string("commendations/includes/quotas.html", {}).strip() == ""
    with translation.override("en"):
        html = render_to_string("commendations/includes/quotas.html", {"quota_lines": []})
    assert "No quota is set for this unit and year." in html
    assert "<table" not in html
