"""Commendation pages: the permission matrix of every URL × role, the eligibility page's verdicts
and explanations, the catalogue's edit with its audit, timelines, and constant query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import get_resolver, reverse

from commendations.enums import AwardKind, HoldKind, InitiativeLevel, RatingGrade
from commendations.models import Award, Rating
from commendations.services import award_fingerprint
from portal.models import AuditLog
from tests.commendations.test_import import workbook_upload
from tests.factories import PersonFactory, UnitFactory
from tests.factories.commendations import (
    AwardFactory,
    AwardRuleFactory,
    HoldFactory,
    InitiativeFactory,
    award,
    cstdbo_history,
    give_ratings,
    give_titles,
)

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]
Y = 2025


def login(client, users, role, *, english=False):
    if role != "anonymous":
        client.force_login(getattr(users, role))
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _all(value, **changes):
    return {**dict.fromkeys(ROLES, value), "anonymous": 302, **changes}


# GET pages × role on objects of `home` (own), `home_child` (below it) and `other`.
# 302 to the login page, 404 outside the user's scope, 403 a page the role may not use.
MINISTRY = {"officer": 200, "council": 200, "admin": 200}
GET_MATRIX = {
    ("commendations:home", None): _all(200),
    ("commendations:award_detail", "award"): _all(200),
    ("commendations:award_edit", "award"): _all(403, officer=200, admin=200),
    ("commendations:person_history", "person_own"): _all(404, staff=200, leader=200, **MINISTRY),
    ("commendations:person_history", "person_child"): _all(404, leader=200, **MINISTRY),
    ("commendations:person_history", "person_other"): _all(404, outsider=200, **MINISTRY),
    ("commendations:person_history", "self"): _all(404, no_role=200, staff=200, leader=200, **MINISTRY),
    ("commendations:unit_history", "unit_home"): _all(404, staff=200, leader=200, **MINISTRY),
    ("commendations:unit_history", "unit_other"): _all(404, outsider=200, **MINISTRY),
    ("commendations:eligibility", None): _all(200),
    ("commendations:history_import", None): _all(403, officer=200, admin=200),
    ("commendations:history_import_template", "table"): _all(403, officer=200, admin=200),
}


@pytest.fixture
def objects(org, users, people):
    return {
        "award": Award.objects.get(code="CSTDBO").pk,
        "person_own": PersonFactory(unit=org.home).pk,
        "person_child": people.own.pk,
        "person_other": people.other.pk,
        "self": users.no_role.person.pk,
        "unit_home": org.home.pk,
        "unit_other": org.other.pk,
        "table": "ratings",
    }


def get_cases():
    for (name, kind), expected in GET_MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(get_cases()))
def test_commendations_get_matrix(client, users, objects, url_name, kind, role, expected):
    login(client, users, role)
    url = reverse(url_name, args=[objects[kind]] if kind else [])
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


# POST actions × role: 302 after a done action (or to the login page), 403 not allowed;
# `done` checks the database, so only the roles answered 302 (other than anonymous) changed anything.
POST_MATRIX = {
    "award_edit": _all(403, officer=302, admin=302),
    "history_import": _all(403, officer=302, admin=302),
}


def post_action(case, people):
    if case == "award_edit":
        target = Award.objects.get(code="CSTDBO")
        data = {"fingerprint": award_fingerprint(target), "name": "Chiến sĩ thi đua ngành Tư pháp", "category": "title",
                "subject": "person", "level": "ministry", "decided_by": "Bộ trưởng Bộ Tư pháp",
                "reward_multiple": "3,5", "pass_mark_percent": "90", "secret_ballot": "on", "is_active": "on"}
        return (reverse("commendations:award_edit", args=[target.pk]), data,
                lambda: Award.objects.get(pk=target.pk).reward_multiple == Decimal("3.5"))
    upload = workbook_upload("ratings", [[people.other.email or "", people.other.full_name, "", "", Y, "HTTNV", "", "",
                                          ""]])
    return (reverse("commendations:history_import"), {"table": "ratings", "file": upload},
            lambda: Rating.objects.filter(person=people.other).exists())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(POST_MATRIX))
def test_commendations_post_matrix(client, users, people, role, case):
    people.other.email = "dao@moj.gov.vn"
    people.other.save()
    url, data, done = post_action(case, people)
    login(client, users, role)
    response = client.post(url, data)
    expected = POST_MATRIX[case][role]
    assert response.status_code == expected
    assert done() is (expected == 302 and role != "anonymous")


def test_every_commendations_url_has_permission_tests():
    """Every URL of the area is in a permission matrix: this module's, or the COVERED_URLS a topic's
    test module declares next to its own matrix (dossiers, council, registrations…)."""
    import importlib
    import pkgutil

    import tests.commendations as package

    resolver = get_resolver().namespace_dict["commendations"][1]
    names = {f"commendations:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    covered = {name for name, _kind in GET_MATRIX} | {f"commendations:{case}" for case in POST_MATRIX}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"tests.commendations.{info.name}")
        covered |= set(getattr(module, "COVERED_URLS", ()))
    assert names - covered == set()


# --- The eligibility page ---------------------------------------------------------------------------


def eligibility_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('commendations:eligibility')}?{query}"


@pytest.mark.django_db
def test_eligibility_page_lists_who_qualifies_and_who_fails_a_streak_citing_the_article(client, users, org):
    qualifies = PersonFactory(unit=org.home, full_name="Trần Văn Đủ")
    cstdbo_history(qualifies, year=Y)
    broken = PersonFactory(unit=org.home, full_name="Lê Thị Đứt")
    cstdbo_history(broken, year=Y, cstdcs_years=[Y - 2, Y])
    login(client, users, "leader", english=True)

    response = client.get(eligibility_url(award="CSTDBO", unit=org.home.pk, year=Y, on="15/12/2025"))

    assert response.status_code == 200
    rows = {row.nominee.obj.full_name: row for row in response.context["page_obj"]}
    assert rows["Trần Văn Đủ"].nominee.eligible is True
    assert rows["Lê Thị Đứt"].nominee.eligible is False
    assert rows["Lê Thị Đứt"].reasons == [
        "Chiến sĩ thi đua cơ sở in 3 consecutive years ending 2025: found 2023, 2025 — 2024 missing "
        "(Điều 22 Luật Thi đua, khen thưởng 2022)"
    ]
    content = response.content.decode()
    assert f'data-nominee="{qualifies.pk}" data-eligible="yes"' in content
    assert f'data-nominee="{broken.pk}" data-eligible="no"' in content
    assert "found 2023, 2025 — 2024 missing" in content
    assert "Điều 22 Luật Thi đua, khen thưởng 2022" in content
    assert "judged under 06/2022/QH15, in force on 15/12/2025" in content
    # every condition is listed, with its evidence
    assert "Chiến sĩ thi đua cơ sở in 3 consecutive years ending 2025: held in 2023, 2024, 2025" in content
    assert f"SK-{qualifies.initiatives.get().pk} 2024 (ministry)" in content
    # the filter keeps the ineligible only
    response = client.get(eligibility_url(award="CSTDBO", unit=org.home.pk, year=Y, on="15/12/2025",
                                          show="not_eligible"))
    shown = [row.nominee.obj for row in response.context["page_obj"]]
    assert broken in shown
    assert qualifies not in shown


@pytest.mark.django_db
def test_eligibility_page_never_shows_another_units_people(client, users, org, people):
    cstdbo_history(people.other, year=Y)
    login(client, users, "staff")

    response = client.get(eligibility_url(award="CSTDBO", unit=org.other.pk, year=Y))

    assert response.status_code == 200
    assert response.context["report"] is None
    assert "unit" in response.context["form"].errors
    assert people.other.full_name not in response.content.decode()


@pytest.mark.django_db
def test_eligibility_page_offers_no_unit_to_a_user_without_a_role(client, users, org):
    cstdbo_history(PersonFactory(unit=org.home, full_name="Võ Văn Kín"), year=Y)
    login(client, users, "no_role")

    response = client.get(eligibility_url(award="CSTDBO", unit=org.home.pk, year=Y))

    assert list(response.context["form"].fields["unit"].queryset) == []
    assert response.context["report"] is None
    assert "Võ Văn Kín" not in response.content.decode()


@pytest.mark.django_db
def test_eligibility_page_judges_the_same_history_under_two_rule_versions(client, users, org):
    unit = UnitFactory(parent=org.home, name="Phòng Hộ tịch")
    give_ratings(unit, {Y: RatingGrade.HTTNV})
    for index in range(4):
        member = PersonFactory(unit=unit)
        if index < 2:
            give_titles(member, "LDTT", [Y])
    login(client, users, "officer", english=True)

    def verdict(on):
        response = client.get(eligibility_url(award="TTLDTT", unit=unit.pk, year=Y, on=on))
        (row,) = response.context["page_obj"]
        return row, response.content.decode()

    (spring, spring_page), (winter, winter_page) = verdict("01/03/2025"), verdict("15/12/2025")
    assert spring.nominee.eligible is True
    assert "judged under 98/2023/NĐ-CP" in spring_page
    assert winter.nominee.eligible is False
    assert "judged under 152/2025/NĐ-CP" in winter_page
    assert winter.reasons == ["Only 2 of 4 members (50%) hold Lao động tiên tiến; more than 50% required "
                              "(Điều 28 Luật Thi đua, khen thưởng 2022)"]


@pytest.mark.django_db
def test_eligibility_page_without_a_choice_shows_the_form_with_last_year(client, users, org):
    login(client, users, "staff")

    response = client.get(reverse("commendations:eligibility"))

    assert response.context["report"] is None
    form = response.context["form"]
    assert form["year"].value() == date.today().year - 1
    assert form["unit"].value() == org.home.pk
    assert [a.code for a in form.fields["award"].queryset][:3] == ["LDTT", "CSTDCS", "CSTDBO"]


# --- The catalogue ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_catalogue_lists_every_award_with_its_rule_versions(client, users):
    login(client, users, "staff", english=True)

    response = client.get(reverse("commendations:home"))

    awards = response.context["awards"]
    assert [a.code for a in awards] == ["LDTT", "CSTDCS", "CSTDBO", "CSTDTQ", "TTLDTT", "TTLDXS", "COTDBO", "COTDCP",
                                        "GK", "BKBT", "BKTTG"]
    content = response.content.decode()
    assert "98/2023/NĐ-CP</abbr>, 01/01/2024 – 30/06/2025" in content
    assert "152/2025/NĐ-CP</abbr>, 01/07/2025 – now" in content


@pytest.mark.django_db
def test_award_detail_renders_each_rule_version_as_conditions(client, users):
    login(client, users, "staff", english=True)

    response = client.get(reverse("commendations:award_detail", args=[award("TTLDTT").pk]))

    versions = response.context["versions"]
    assert [rule.legal_basis.code for rule, _rows in versions] == ["152/2025/NĐ-CP", "98/2023/NĐ-CP"]
    texts = [[row.text for row in rows] for _rule, rows in versions]
    assert "More than 50% of the members hold Lao động tiên tiến" in texts[0]
    assert "At least 50% of the members hold Lao động tiên tiến" in texts[1]
    assert "Điều 28 Luật Thi đua, khen thưởng 2022" in response.content.decode()


@pytest.mark.django_db
def test_officer_edits_an_award_and_the_change_is_audited(client, users):
    target = award("CSTDCS")
    login(client, users, "officer")
    data = {"fingerprint": award_fingerprint(target), "name": target.name, "category": "title", "subject": "person",
            "level": "unit", "decided_by": "Thủ trưởng đơn vị", "reward_multiple": "1,5", "pass_mark_percent": "80",
            "secret_ballot": "on", "is_active": "on",
            "required_documents": ["achievement_report", "initiative_certificate"]}

    response = client.post(reverse("commendations:award_edit", args=[target.pk]), data)

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.reward_multiple == Decimal("1.5")
    assert target.required_documents == ["achievement_report", "initiative_certificate"]
    entry = AuditLog.objects.get(action="commendations.award.updated")
    assert (entry.actor, entry.object_id, entry.data) == (users.officer, str(target.pk), {"changes": {
        "reward_multiple": ["1.00", "1.5"],
        "required_documents": [["achievement_report"], ["achievement_report", "initiative_certificate"]],
    }})


@pytest.mark.django_db
def test_a_stale_award_edit_is_refused_with_a_message_and_the_input_kept(client, users):
    target = award("CSTDCS")
    stale = award_fingerprint(target)
    Award.objects.filter(pk=target.pk).update(decided_by="Giám đốc Sở")  # someone else was faster
    login(client, users, "admin", english=True)
    data = {"fingerprint": stale, "name": "Chiến sĩ thi đua cơ sở (sửa)", "category": "title", "subject": "person",
            "level": "unit", "decided_by": "Thủ trưởng đơn vị", "reward_multiple": "1", "pass_mark_percent": "",
            "is_active": "on"}

    response = client.post(reverse("commendations:award_edit", args=[target.pk]), data)

    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert "Chiến sĩ thi đua cơ sở (sửa)" in response.content.decode()
    target.refresh_from_db()
    assert (target.name, target.decided_by) == ("Chiến sĩ thi đua cơ sở", "Giám đốc Sở")
    assert not AuditLog.objects.filter(action="commendations.award.updated").exists()


@pytest.mark.django_db
def test_award_edit_refuses_a_pass_mark_over_100_and_keeps_the_input(client, users):
    target = award("CSTDCS")
    login(client, users, "officer", english=True)
    data = {"fingerprint": award_fingerprint(target), "name": target.name, "category": "title", "subject": "person",
            "level": "unit", "decided_by": "X", "reward_multiple": "abc", "pass_mark_percent": "120"}

    response = client.post(reverse("commendations:award_edit", args=[target.pk]), data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"reward_multiple", "pass_mark_percent"}
    assert Award.objects.get(pk=target.pk).pass_mark_percent == Decimal("80")


# --- Timelines --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_timeline_shows_awards_by_kind_ratings_initiatives_and_holds(client, users, org):
    person = PersonFactory(unit=org.home, full_name="Đinh Thị Mốc")
    give_ratings(person, {2023: RatingGrade.HTXSNV, 2024: RatingGrade.HTTNV})
    (cstdcs,) = give_titles(person, "CSTDCS", [2023])
    give_titles(person, "GK", [2024], kind=AwardKind.CAMPAIGN)
    InitiativeFactory(title="Sổ tay hộ tịch", year=2023, level=InitiativeLevel.UNIT, authors=[person], consumed_by=cstdcs)
    InitiativeFactory(title="Bản đồ trợ giúp pháp lý", year=2024, authors=[person, PersonFactory(unit=org.home,
                                                                                                  full_name="Hồ Văn Cùng")])
    HoldFactory(person=person, kind=HoldKind.COMPLAINT, start=date(2024, 2, 1), end=date(2024, 3, 1))
    login(client, users, "leader", english=True)

    response = client.get(reverse("commendations:person_history", args=[person.pk]))

    timeline = response.context["timeline"]
    assert [row.year for row in timeline.years] == [2024, 2023]
    assert [r.award.code for r in timeline.years[1].merit] == ["CSTDCS"]
    assert [r.award.code for r in timeline.years[0].other] == ["GK"]
    content = response.content.decode()
    assert "Campaign or thematic</span> Giấy khen" in content
    assert "for Chiến sĩ thi đua cơ sở 2023" in content
    assert "Hồ Văn Cùng" in content
    assert "Under complaint" in content and "ended" in content


@pytest.mark.django_db
def test_unit_timeline_counts_its_members_titles(client, users, org):
    for person in (PersonFactory(unit=org.home), PersonFactory(unit=org.home_child)):
        give_titles(person, "LDTT", [2024])
    give_titles(org.home, "TTLDXS", [2024])
    login(client, users, "leader", english=True)

    response = client.get(reverse("commendations:unit_history", args=[org.home.pk]))

    (year,) = response.context["timeline"].years
    assert [r.award.code for r in year.merit] == ["TTLDXS"]
    assert [(row["award__code"], row["count"]) for row in year.member_titles] == [("LDTT", 2)]


# --- Query counts: constant for 1 and 30 rows -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 30])
def test_catalogue_query_count(client, users, rows, django_assert_num_queries):
    for _ in range(rows):
        AwardRuleFactory(award=AwardFactory())
    login(client, users, "staff")
    with django_assert_num_queries(6):
        response = client.get(reverse("commendations:home"))
    assert len(response.context["awards"]) == 11 + rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 30])
def test_award_detail_query_count(client, users, rows, django_assert_num_queries):
    target = AwardFactory()
    for day in range(rows):
        AwardRuleFactory(award=target, effective_from=date(2024, 1, 1 + day))
    login(client, users, "staff")
    with django_assert_num_queries(8):
        response = client.get(reverse("commendations:award_detail", args=[target.pk]))
    assert len(response.context["versions"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 30])
def test_person_timeline_query_count(client, users, org, rows, django_assert_num_queries):
    person = PersonFactory(unit=org.home)
    years = range(2000, 2000 + rows)
    give_ratings(person, dict.fromkeys(years, RatingGrade.HTTNV))
    give_titles(person, "LDTT", years)
    for year in years:
        InitiativeFactory(year=year, authors=[person])
        HoldFactory(person=person, start=date(year, 1, 1), end=date(year, 2, 1))
    login(client, users, "leader")
    with django_assert_num_queries(12):
        response = client.get(reverse("commendations:person_history", args=[person.pk]))
    assert response.context["timeline"].record_count == 4 * rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 30])
def test_unit_timeline_query_count(client, users, org, rows, django_assert_num_queries):
    years = range(2000, 2000 + rows)
    give_ratings(org.home, dict.fromkeys(years, RatingGrade.HTTNV))
    give_titles(org.home, "TTLDTT", years)
    give_titles(PersonFactory(unit=org.home_child), "LDTT", years)
    login(client, users, "leader")
    with django_assert_num_queries(9):
        response = client.get(reverse("commendations:unit_history", args=[org.home.pk]))
    assert len(response.context["timeline"].years) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 30])
def test_eligibility_query_count(client, users, org, rows, django_assert_num_queries):
    for _ in range(rows):
        cstdbo_history(PersonFactory(unit=org.home_child), year=Y)
    login(client, users, "leader")
    with django_assert_num_queries(16):
        response = client.get(eligibility_url(award="CSTDBO", unit=org.home.pk, year=Y, on="15/12/2025"))
    assert response.context["report"].eligible_count == rows
