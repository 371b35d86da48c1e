"""Registration of target titles (đăng ký thi đua): the services (who may register what, for whom,
for which year, idempotent, audited), registered_targets for the year-end dossier, and the pages
(URL × role matrix, bulk add, removal with confirmation, Excel, constant queries)."""

from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from commendations.models import TitleRegistration
from commendations.registrations import (
    registered_targets,
    registration_delete,
    registration_save,
    registration_years,
)
from commendations.services import CommendationsError
from portal.models import AuditLog
from tests.factories import PersonFactory
from tests.factories.commendations import award

THIS_YEAR = timezone.localdate().year


def register(user, unit, code="LDTT", *, people=(), for_unit=False, year=THIS_YEAR):
    return registration_save(
        actor=user, unit_id=unit.pk, year=year, award_id=award(code).pk, person_ids=[p.pk for p in people],
        for_unit=for_unit,
    )


def targets(unit, year=THIS_YEAR):
    return sorted(
        (reg.person.full_name if reg.person else "-", reg.award.code)
        for reg in TitleRegistration.objects.filter(unit=unit, year=year).select_related("person", "award")
    )


# --- Services ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_registers_people_and_the_unit_itself(org, users):
    first = PersonFactory(unit=org.home, full_name="Trần Văn An")
    second = PersonFactory(unit=org.home, full_name="Lý Thị Bình")

    created = register(users.staff, org.home, "LDTT", people=[first, second])
    created += register(users.staff, org.home, "TTLDXS", for_unit=True)

    assert len(created) == 3
    assert targets(org.home) == [("-", "TTLDXS"), ("Lý Thị Bình", "LDTT"), ("Trần Văn An", "LDTT")]
    assert all(reg.created_by == users.staff for reg in TitleRegistration.objects.all())
    entry = AuditLog.objects.filter(action="commendations.registration.added").order_by("pk").first()
    assert entry.data == {"award": award("LDTT").name, "year": THIS_YEAR, "count": 2,
                          "targets": "Trần Văn An, Lý Thị Bình"}  # Vietnamese order: by given name


@pytest.mark.django_db
def test_registering_twice_changes_nothing(org, users):
    person = PersonFactory(unit=org.home)
    register(users.staff, org.home, "LDTT", people=[person])

    again = register(users.staff, org.home, "LDTT", people=[person, person])

    assert again == []
    assert TitleRegistration.objects.count() == 1
    assert AuditLog.objects.filter(action="commendations.registration.added").count() == 1


@pytest.mark.django_db
def test_a_both_kind_award_can_be_registered_for_unit_and_people_at_once(org, users):
    person = PersonFactory(unit=org.home_child)
    both = award("BKBT")
    assert both.subject == "both"

    register(users.leader, org.home, "BKBT", people=[person], for_unit=True)

    assert targets(org.home) == [("-", "BKBT"), (person.full_name, "BKBT")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "kwargs", "message"),
    [
        ("LDTT", {"for_unit": True}, "individuals only"),
        ("TTLDXS", {"people": True}, "collectives only"),
        ("LDTT", {}, "Choose the people to register, or the unit itself."),
    ],
)
def test_the_subject_must_fit_the_award(org, users, code, kwargs, message):
    people = [PersonFactory(unit=org.home)] if kwargs.pop("people", False) else []
    with translation.override("en"), pytest.raises(CommendationsError, match=message):
        register(users.staff, org.home, code, people=people, **kwargs)
    assert TitleRegistration.objects.count() == 0


@pytest.mark.django_db
def test_an_inactive_award_cannot_be_registered(org, users):
    target = award("LDTT")
    target.is_active = False
    target.save()
    with translation.override("en"), pytest.raises(CommendationsError, match="still awarded"):
        register(users.staff, org.home, "LDTT", people=[PersonFactory(unit=org.home)])


@pytest.mark.django_db
def test_people_outside_the_units_sub_tree_or_inactive_are_refused(org, users, people):
    leaving = PersonFactory(unit=org.home, is_active=False)
    for outsider in (people.other, leaving):
        with translation.override("en"), pytest.raises(CommendationsError, match="Only active people of"):
            register(users.staff, org.home, "LDTT", people=[PersonFactory(unit=org.home), outsider])
    assert TitleRegistration.objects.count() == 0


@pytest.mark.django_db
def test_past_years_are_closed_with_a_clear_message(org, users):
    first, last = registration_years()
    assert (first, last) == (THIS_YEAR, THIS_YEAR + 1)
    person = PersonFactory(unit=org.home)
    with translation.override("en"), pytest.raises(CommendationsError) as error:
        register(users.staff, org.home, people=[person], year=THIS_YEAR - 1)
    assert str(error.value) == (
        f"Registrations for {THIS_YEAR - 1} are closed: targets are registered for the current year "
        f"({THIS_YEAR}) or the next one ({THIS_YEAR + 1})."
    )
    with translation.override("en"), pytest.raises(CommendationsError, match="not open yet"):
        register(users.staff, org.home, people=[person], year=THIS_YEAR + 2)
    assert register(users.staff, org.home, people=[person], year=THIS_YEAR + 1)
    assert TitleRegistration.objects.get().year == THIS_YEAR + 1


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "unit", "allowed"), [
    ("staff", "home", True),
    ("leader", "home", True),
    ("leader", "home_child", True),  # a leader also registers for the units below
    ("staff", "home_child", False),  # staff only for their own unit
    ("outsider", "home", False),
    ("officer", "home", False),
    ("council", "home", False),
    ("no_role", "home", False),
])
def test_who_may_register_for_a_unit(org, users, role, unit, allowed):
    target = getattr(org, unit)
    person = PersonFactory(unit=target)
    if allowed:
        assert len(register(getattr(users, role), target, people=[person])) == 1
    else:
        with pytest.raises(PermissionDenied):
            register(getattr(users, role), target, people=[person])
        assert TitleRegistration.objects.count() == 0


@pytest.mark.django_db
def test_registration_delete_is_audited_and_refused_to_others(org, users):
    person = PersonFactory(unit=org.home, full_name="Trần Văn An")
    (registration,) = register(users.staff, org.home, people=[person])

    with pytest.raises(PermissionDenied):
        registration_delete(actor=users.outsider, registration_id=registration.pk)
    registration_delete(actor=users.leader, registration_id=registration.pk)

    assert TitleRegistration.objects.count() == 0
    entry = AuditLog.objects.get(action="commendations.registration.deleted")
    assert entry.data == {"award": award("LDTT").name, "year": THIS_YEAR, "target": "Trần Văn An"}
    assert entry.actor == users.leader


@pytest.mark.django_db
def test_a_past_years_registration_stays(org, users):
    past = TitleRegistration.objects.create(year=THIS_YEAR - 1, unit=org.home, award=award("TTLDXS"))
    with translation.override("en"), pytest.raises(CommendationsError, match="are closed"):
        registration_delete(actor=users.staff, registration_id=past.pk)
    assert TitleRegistration.objects.filter(pk=past.pk).exists()


@pytest.mark.django_db
def test_registered_targets_for_the_year_end_dossier(org, users, django_assert_num_queries):
    an = PersonFactory(unit=org.home, full_name="Trần Văn An")
    binh = PersonFactory(unit=org.home_child, full_name="Lý Thị Bình")
    gone = PersonFactory(unit=org.home, full_name="Đỗ Văn Cũ")
    register(users.leader, org.home, "LDTT", people=[an, binh, gone])
    register(users.leader, org.home, "CSTDCS", people=[an])
    register(users.leader, org.home, "TTLDXS", for_unit=True)
    register(users.leader, org.home_child, "TTLDTT", for_unit=True)  # the sub-unit's own target
    register(users.leader, org.home, "LDTT", people=[an], year=THIS_YEAR + 1)
    gone.is_active = False
    gone.save()

    with django_assert_num_queries(1):
        result = registered_targets(unit=org.home, year=THIS_YEAR)

    assert [(person.full_name if person else None, target.code) for person, target in result] == [
        (None, "TTLDXS"),
        ("Trần Văn An", "LDTT"),
        ("Trần Văn An", "CSTDCS"),
        ("Lý Thị Bình", "LDTT"),
    ]


# --- Pages ------------------------------------------------------------------------------------------

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]
# The matrices below (tests/commendations/test_views.py checks every URL of the area is covered).
COVERED_URLS = {
    "commendations:registrations", "commendations:registration_list", "commendations:registration_add",
    "commendations:registration_delete", "commendations:registration_export",
}


def login(client, users, role):
    if role != "anonymous":
        client.force_login(getattr(users, role))


def _all(value, **changes):
    return {**dict.fromkeys(ROLES, value), "anonymous": 302, **changes}


VIEWERS = {"staff": 200, "leader": 200, "officer": 200, "council": 200, "admin": 200}
GET_MATRIX = {
    ("registration_list", "home"): _all(404, **VIEWERS),
    ("registration_list", "child"): _all(404, leader=200, officer=200, council=200, admin=200),
    ("registration_list", "other"): _all(404, outsider=200, officer=200, council=200, admin=200),
    ("registration_export", "home"): _all(404, **VIEWERS),
    ("registration_add", "home"): _all(404, staff=200, leader=200, officer=403, council=403, admin=403),
    ("registration_add", "other"): _all(404, outsider=200, officer=403, council=403, admin=403),
    ("registration_delete", "entry_home"): _all(404, staff=200, leader=200, officer=403, council=403, admin=403),
    ("registration_delete", "entry_other"): _all(404, outsider=200, officer=403, council=403, admin=403),
}


@pytest.fixture
def objects(org):
    home_entry = TitleRegistration.objects.create(year=THIS_YEAR, unit=org.home, award=award("TTLDXS"))
    other_entry = TitleRegistration.objects.create(year=THIS_YEAR, unit=org.other, award=award("TTLDXS"))
    return {
        "home": [org.home.pk, THIS_YEAR],
        "child": [org.home_child.pk, THIS_YEAR],
        "other": [org.other.pk, THIS_YEAR],
        "entry_home": [home_entry.pk],
        "entry_other": [other_entry.pk],
    }


def get_cases():
    for (name, kind), expected in GET_MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(get_cases()))
def test_registration_get_matrix(client, users, objects, url_name, kind, role, expected):
    login(client, users, role)
    response = client.get(reverse(f"commendations:{url_name}", args=objects[kind]))
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_registration_add_post_matrix(client, org, users, role):
    person = PersonFactory(unit=org.home)
    login(client, users, role)
    response = client.post(
        reverse("commendations:registration_add", args=[org.home.pk, THIS_YEAR]),
        {"award": award("LDTT").pk, "people": [person.pk]},
    )
    expected = {"staff": 302, "leader": 302, "anonymous": 302, "officer": 403, "council": 403, "admin": 403}
    assert response.status_code == expected.get(role, 404)
    assert TitleRegistration.objects.filter(person=person).exists() == (role in ("staff", "leader"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_registration_delete_post_matrix(client, org, users, objects, role):
    login(client, users, role)
    response = client.post(reverse("commendations:registration_delete", args=objects["entry_home"]))
    expected = {"staff": 302, "leader": 302, "anonymous": 302, "officer": 403, "council": 403, "admin": 403}
    assert response.status_code == expected.get(role, 404)
    assert TitleRegistration.objects.filter(pk=objects["entry_home"][0]).exists() == (role not in ("staff", "leader"))


@pytest.mark.django_db
def test_outsider_cannot_register_for_another_unit_by_posting_its_people(client, org, users):
    person = PersonFactory(unit=org.home)
    client.force_login(users.outsider)
    response = client.post(
        reverse("commendations:registration_add", args=[org.other.pk, THIS_YEAR]),
        {"award": award("LDTT").pk, "people": [person.pk]},
    )
    # home's person is not a choice of other's form: the form refuses, nothing is saved
    assert response.status_code == 200
    assert response.context["form"].errors["people"]
    assert not TitleRegistration.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_registration_home_matrix(client, org, users, role):
    login(client, users, role)
    response = client.get(reverse("commendations:registrations"))
    own = {"staff": org.home, "leader": org.home, "outsider": org.other}
    if role == "anonymous":
        assert response.url.startswith(reverse("login"))
    elif role in own:
        assert response.url == reverse("commendations:registration_list", args=[own[role].pk, THIS_YEAR])
    else:
        assert response.status_code == 200  # the picker (empty for a user without a role)
        assert bool(response.context["units"]) == (role != "no_role")


@pytest.mark.django_db
def test_home_redirects_to_the_users_unit_and_the_current_year(client, org, users):
    client.force_login(users.staff)
    response = client.get(reverse("commendations:registrations"))
    assert response.url == reverse("commendations:registration_list", args=[org.home.pk, THIS_YEAR])
    client.force_login(users.officer)
    response = client.get(reverse("commendations:registrations"), {"unit": org.other.pk, "year": THIS_YEAR - 2})
    assert response.url == reverse("commendations:registration_list", args=[org.other.pk, THIS_YEAR - 2])
    client.force_login(users.staff)
    assert client.get(reverse("commendations:registrations"), {"unit": org.other.pk}).status_code == 404


@pytest.mark.django_db
def test_officer_without_a_unit_gets_the_picker(client, org, users):
    client.force_login(users.council)
    response = client.get(reverse("commendations:registrations"))
    assert response.status_code == 200
    assert response.context["unit"] is None
    assert {unit.pk for unit in response.context["units"]} >= {org.home.pk, org.other.pk}


@pytest.mark.django_db
def test_add_page_registers_in_bulk_and_says_so(client, org, users):
    people = [PersonFactory(unit=org.home_child) for _ in range(3)]
    client.force_login(users.leader)
    client.cookies["django_language"] = "en"
    url = reverse("commendations:registration_add", args=[org.home.pk, THIS_YEAR])

    page = client.get(url)
    assert {p.pk for p in page.context["form"].fields["people"].queryset} >= {p.pk for p in people}

    response = client.post(url, {"award": award("LDTT").pk, "people": [p.pk for p in people]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["3 targets were registered."]
    assert TitleRegistration.objects.filter(unit=org.home, award__code="LDTT").count() == 3

    response = client.post(url, {"award": award("LDTT").pk, "people": [people[0].pk]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["These targets were already registered; nothing changed."]


@pytest.mark.django_db
def test_add_page_keeps_the_choice_and_says_what_is_wrong(client, org, users):
    person = PersonFactory(unit=org.home)
    client.force_login(users.staff)
    client.cookies["django_language"] = "en"
    url = reverse("commendations:registration_add", args=[org.home.pk, THIS_YEAR])

    response = client.post(url, {"award": award("TTLDXS").pk, "people": [person.pk]})
    assert response.status_code == 200
    assert response.context["form"].errors["people"] == ["This title is awarded to collectives only."]
    assert f'value="{person.pk}" ' in response.content.decode() and "checked" in response.content.decode()

    response = client.post(url, {"award": award("LDTT").pk})
    assert response.context["form"].errors["people"] == ["Choose the people to register, or the unit itself."]
    assert not TitleRegistration.objects.exists()


@pytest.mark.django_db
def test_past_year_pages_offer_no_changes(client, org, users):
    TitleRegistration.objects.create(year=THIS_YEAR - 1, unit=org.home, award=award("TTLDXS"))
    client.force_login(users.staff)
    response = client.get(reverse("commendations:registration_list", args=[org.home.pk, THIS_YEAR - 1]))
    html = response.content.decode()
    assert response.context["year_is_open"] is False
    assert 'id="addRegistration"' not in html and "registration_delete" not in html and "/delete/" not in html
    response = client.post(
        reverse("commendations:registration_add", args=[org.home.pk, THIS_YEAR - 1]),
        {"award": award("TTLDXS").pk, "for_unit": "on"},
    )
    assert response.status_code == 200
    assert not TitleRegistration.objects.filter(year=THIS_YEAR - 1, award__code="TTLDXS").exclude(
        created_by=None
    ).exists()
    assert TitleRegistration.objects.count() == 1


@pytest.mark.django_db
def test_delete_asks_for_confirmation_then_removes(client, org, users):
    person = PersonFactory(unit=org.home, full_name="Trần Văn An")
    (registration,) = register(users.staff, org.home, people=[person])
    client.force_login(users.staff)
    url = reverse("commendations:registration_delete", args=[registration.pk])

    page = client.get(url)
    assert "Trần Văn An" in page.content.decode() and 'id="confirmDelete"' in page.content.decode()
    assert TitleRegistration.objects.filter(pk=registration.pk).exists()

    response = client.post(url)
    assert response.url == reverse("commendations:registration_list", args=[org.home.pk, THIS_YEAR])
    assert not TitleRegistration.objects.filter(pk=registration.pk).exists()


@pytest.mark.django_db
def test_list_shows_unit_and_people_targets_and_searches_without_diacritics(client, org, users):
    an = PersonFactory(unit=org.home, full_name="Nguyễn Văn An")
    binh = PersonFactory(unit=org.home_child, full_name="Lý Thị Bình")
    register(users.leader, org.home, "LDTT", people=[an, binh])
    register(users.leader, org.home, "TTLDXS", for_unit=True)
    TitleRegistration.objects.create(year=THIS_YEAR, unit=org.other, award=award("TTLDTT"))
    client.force_login(users.leader)
    url = reverse("commendations:registration_list", args=[org.home.pk, THIS_YEAR])

    response = client.get(url)
    assert [reg.award.code for reg in response.context["own_targets"]] == ["TTLDXS"]
    assert [reg.person.full_name for reg in response.context["page_obj"]] == ["Nguyễn Văn An", "Lý Thị Bình"]

    response = client.get(url, {"q": "nguyen"})
    assert [reg.person.full_name for reg in response.context["page_obj"]] == ["Nguyễn Văn An"]


@pytest.mark.django_db
def test_export_lists_the_registrations(client, org, users):
    an = PersonFactory(unit=org.home, full_name="Nguyễn Văn An")
    evil = PersonFactory(unit=org.home, full_name="=HYPERLINK(1)")
    register(users.staff, org.home, "LDTT", people=[an, evil])
    register(users.staff, org.home, "TTLDXS", for_unit=True)
    client.force_login(users.officer)

    response = client.get(reverse("commendations:registration_export", args=[org.home.pk, THIS_YEAR]))

    workbook = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [1, 2, 3]
    assert rows[0][1].startswith(org.home.name) and rows[0][3] == award("TTLDXS").name
    assert [(row[1], row[2], row[3]) for row in rows[1:]] == [
        ("Nguyễn Văn An", org.home.name, award("LDTT").name),
        ("=HYPERLINK(1)", org.home.name, award("LDTT").name),
    ]
    formula_cell = [cell for row in workbook.active.iter_rows(min_row=3) for cell in row if cell.value == "=HYPERLINK(1)"]
    assert formula_cell and formula_cell[0].data_type == "s"


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_registration_list_query_count(client, org, users, rows, django_assert_num_queries):
    people = [PersonFactory(unit=org.home_child) for _ in range(rows)]
    register(users.leader, org.home, "LDTT", people=people)
    register(users.leader, org.home, "CSTDCS", people=people)
    register(users.leader, org.home, "TTLDXS", for_unit=True)
    client.force_login(users.leader)
    url = reverse("commendations:registration_list", args=[org.home.pk, THIS_YEAR])
    with django_assert_num_queries(11):
        response = client.get(url, {"q": "nguyen"})
    assert len(response.context["page_obj"].object_list) == 2 * rows
