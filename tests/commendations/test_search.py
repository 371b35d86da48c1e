"""Search of nominees, dossiers and award history: names typed with or without diacritics, the
unit / year / award filters, never anything outside the user's scope (another unit's draft,
people of another unit), and a constant number of queries."""

import pytest
from django.urls import reverse

from commendations.enums import AwardKind, DossierState
from commendations.models import Dossier, Nominee
from portal.text import fold
from tests.factories import PersonFactory
from tests.factories.commendations import award, give_titles

Y = 2025
URL = "commendations:search"
COVERED_URLS = {URL}  # test_search_matrix below (tests/commendations/test_views.py checks)
ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]


def dossier(unit, *, title=None, year=Y, state=DossierState.DRAFT) -> Dossier:
    return Dossier.objects.create(unit=unit, year=year, state=state, title=title or f"Hồ sơ {unit.code} {year}")


def nominate(target: Dossier, code: str, *, person=None, unit=None) -> Nominee:
    name = person.full_name if person else unit.name
    return Nominee.objects.create(dossier=target, person=person, unit=unit, award=award(code), search_text=fold(name))


def results(client, **params):
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    return response, list(response.context["page_obj"].object_list)


@pytest.fixture
def world(org, people):
    """Nominees named Nguyễn in home's draft, another unit's draft and another unit's dossier under
    appraisal; award records of people and units on both sides."""
    home_draft = dossier(org.home, title="Hồ sơ đề nghị khen thưởng năm 2025 của Sở Tư pháp Hà Nội")
    own = nominate(home_draft, "CSTDCS", person=people.own)  # Nguyễn Anh Tuấn, in home_child
    other_draft = dossier(org.other, title="Hồ sơ nháp Hải Phòng")
    other_person = PersonFactory(unit=org.other, full_name="Nguyễn Thị Hải")
    hidden = nominate(other_draft, "CSTDCS", person=other_person)
    other_sent = dossier(org.other, title="Hồ sơ thẩm định Hải Phòng", state=DossierState.APPRAISAL)
    sent = nominate(other_sent, "LDTT", person=other_person)
    (own_record,) = give_titles(people.own, "LDTT", [2024])
    (other_record,) = give_titles(other_person, "LDTT", [2024])
    (unit_record,) = give_titles(org.home, "TTLDXS", [2024])
    return {
        "home_draft": home_draft, "own": own, "other_draft": other_draft, "hidden": hidden,
        "other_sent": other_sent, "sent": sent, "own_record": own_record, "other_record": other_record,
        "unit_record": unit_record,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Nguyễn", "nguyen", "NGUYEN tuan", "tuấn", "Tuan Anh", "ng"])
def test_nominees_are_found_with_or_without_diacritics(client, users, world, query):
    client.force_login(users.leader)
    _, found = results(client, q=query)
    assert found == [world["own"]]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["nguyen van", "uan", "xyz"])
def test_nominee_search_matches_word_starts_only(client, users, world, query):
    client.force_login(users.leader)
    _, found = results(client, q=query)
    assert found == []


@pytest.mark.django_db
def test_search_never_finds_another_units_draft(client, users, world):
    client.force_login(users.staff)
    _, found = results(client, q="nguyen")
    assert found == [world["own"]]  # home's own draft, not Hải Phòng's
    _, found = results(client, q="hai phong", kind="dossiers")
    assert found == []

    client.force_login(users.outsider)
    _, found = results(client, q="nguyen")
    assert set(found) == {world["hidden"], world["sent"]}  # their own unit's, in any state

    client.force_login(users.officer)
    _, found = results(client, q="nguyen")
    assert found == [world["sent"]]  # the standing body never sees a unit's draft
    _, found = results(client, q="ho so", kind="dossiers")
    assert found == [world["other_sent"]]


@pytest.mark.django_db
def test_council_members_find_only_dossiers_sent_to_the_council(client, users, world):
    client.force_login(users.council)
    _, found = results(client, q="nguyen")
    assert found == []
    world["other_sent"].state = DossierState.COUNCIL
    world["other_sent"].save()
    _, found = results(client, q="nguyen")
    assert found == [world["sent"]]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["ho so de nghi", "Hồ sơ đề nghị", "KHEN thuong 2025", "ha noi"])
def test_dossiers_are_found_by_title_with_or_without_diacritics(client, users, world, query):
    client.force_login(users.staff)
    _, found = results(client, q=query, kind="dossiers")
    assert found == [world["home_draft"]]


@pytest.mark.django_db
def test_history_of_people_and_units_in_scope(client, users, world, people):
    client.force_login(users.leader)
    _, found = results(client, q="nguyen", kind="history")
    assert found == [world["own_record"]]  # never Nguyễn Thị Hải of Hải Phòng
    _, found = results(client, q="so tu phap ha noi", kind="history")
    assert found == [world["unit_record"]]

    client.force_login(users.staff)  # staff see their own unit only: not the person of home_child
    _, found = results(client, q="nguyen", kind="history")
    assert found == []

    client.force_login(users.admin)
    _, found = results(client, q="nguyen", kind="history")
    assert set(found) == {world["own_record"], world["other_record"]}


@pytest.mark.django_db
def test_results_link_to_the_person_and_unit_timelines(client, users, world, people, org):
    client.force_login(users.leader)
    response, _ = results(client, q="nguyen", kind="history")
    assert reverse("commendations:person_history", args=[people.own.pk]) in response.content.decode()
    response, _ = results(client, q="so tu phap", kind="history")
    assert reverse("commendations:unit_history", args=[org.home.pk]) in response.content.decode()
    response, _ = results(client, q="tuan")
    html = response.content.decode()
    assert reverse("commendations:person_history", args=[people.own.pk]) in html
    assert reverse("commendations:dossier_detail", args=[world["home_draft"].pk]) in html
    response, _ = results(client, q="ha noi", kind="dossiers")
    assert reverse("commendations:dossier_detail", args=[world["home_draft"].pk]) in response.content.decode()


@pytest.mark.django_db
def test_filters_by_year_unit_and_award(client, users, world, org, people):
    later = dossier(org.home_child, year=Y + 1, title="Hồ sơ năm sau")
    later_nominee = nominate(later, "LDTT", person=people.own)
    (later_record,) = give_titles(people.own, "CSTDCS", [2023])
    client.force_login(users.leader)

    assert results(client, q="nguyen", year=Y + 1)[1] == [later_nominee]
    assert results(client, q="nguyen", award="CSTDCS")[1] == [world["own"]]
    assert results(client, q="nguyen", unit=org.home_child.pk)[1] == [later_nominee]
    assert set(results(client, q="nguyen", unit=org.home.pk)[1]) == {world["own"], later_nominee}
    assert results(client, kind="dossiers", year=Y + 1)[1] == [later]
    assert results(client, kind="dossiers", award="LDTT")[1] == [later]
    assert results(client, kind="history", q="tuan", award="CSTDCS")[1] == [later_record]
    assert results(client, kind="history", year=2023)[1] == [later_record]
    assert results(client, kind="history", unit=org.home_child.pk, award="LDTT")[1] == [world["own_record"]]


@pytest.mark.django_db
def test_a_unit_outside_scope_is_refused_not_applied(client, users, world, org):
    client.force_login(users.staff)
    response, found = results(client, q="nguyen", unit=org.other.pk)
    assert response.context["form"].errors["unit"]
    assert found == [world["own"]]  # the other filters still apply, the scope never widens


@pytest.mark.django_db
def test_tabs_count_each_kind(client, users, world):
    client.force_login(users.leader)
    response, _ = results(client, q="nguyen")
    assert [(key, count) for key, _label, count in response.context["tabs"]] == [
        ("nominees", 1), ("dossiers", 0), ("history", 1),
    ]


@pytest.mark.django_db
def test_nothing_in_scope_for_a_user_without_a_role(client, users, world):
    client.force_login(users.no_role)
    for kind in ("nominees", "dossiers", "history"):
        assert results(client, kind=kind)[1] == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_search_matrix(client, users, world, role):
    """Open to every signed-in user; what it finds is scoped (the tests above)."""
    if role != "anonymous":
        client.force_login(getattr(users, role))
    response = client.get(reverse(URL), {"q": "nguyen"})
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 200
        visible = {"staff": 1, "leader": 1, "outsider": 2, "officer": 1, "admin": 1}
        assert response.context["page_obj"].paginator.count == visible.get(role, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["nominees", "dossiers", "history"])
@pytest.mark.parametrize("rows", [1, 3])
def test_search_query_count(client, users, org, kind, rows, django_assert_num_queries):
    for index in range(rows):
        person = PersonFactory(unit=org.home_child, full_name=f"Nguyễn Văn Số{index}")
        target = dossier(org.home_child if index % 2 else org.home, title=f"Hồ sơ Nguyễn {index}")
        nominate(target, "LDTT", person=person)
        nominate(target, "TTLDXS", unit=org.home_child)
        give_titles(person, "LDTT", [2024])
        give_titles(person, "CSTDCS", [2024], kind=AwardKind.CAMPAIGN)
    client.force_login(users.leader)
    with django_assert_num_queries(12):
        response = client.get(reverse(URL), {"q": "nguyen", "kind": kind, "year": "", "award": ""})
    expected = {"nominees": rows, "dossiers": rows, "history": 2 * rows}[kind]
    assert len(response.context["page_obj"].object_list) == expected
