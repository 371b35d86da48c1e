"""Behaviour of the organisation pages: search, login, editing with conflicts, language, errors."""

import pytest
from django.urls import reverse

from portal.models import AuditLog, Notification, Person
from tests.factories import PASSWORD, PersonFactory


@pytest.fixture
def leader_client(client, users):
    client.force_login(users.leader)
    return client


def names_in(response) -> list[str]:
    return [person.full_name for person in response.context["page_obj"].object_list]


def test_search_without_diacritics_finds_the_person(leader_client, people):
    response = leader_client.get(reverse("portal:person_list"), {"q": "Nguyen Anh Tuan"})
    assert names_in(response) == ["Nguyễn Anh Tuấn"]


def test_search_d_matches_d_with_stroke(client, users, people):
    client.force_login(users.officer)
    response = client.get(reverse("portal:person_list"), {"q": "dang thi dao"})
    assert names_in(response) == ["Đặng Thị Đào"]


def test_search_matches_word_starts_not_inner_letters(leader_client, people):
    assert names_in(leader_client.get(reverse("portal:person_list"), {"q": "tuan"})) == ["Nguyễn Anh Tuấn"]
    assert names_in(leader_client.get(reverse("portal:person_list"), {"q": "uan"})) == []


def test_search_never_leaks_other_units(leader_client, people):
    response = leader_client.get(reverse("portal:person_list"), {"q": "Dao"})
    assert names_in(response) == []


@pytest.mark.parametrize(
    "query",
    ["%", "'", "\\", "_", "'; DROP TABLE portal_person; --", "x" * 5000, "Nguyễn عربي 中文 \u202e", "%%__"],
)
def test_search_with_odd_characters_answers_clearly(leader_client, people, query):
    response = leader_client.get(reverse("portal:person_list"), {"q": query})
    assert response.status_code == 200
    assert names_in(response) == []
    assert Person.objects.count() >= 2  # nothing was dropped


def test_control_characters_in_search_are_dropped(leader_client, people):
    response = leader_client.get(reverse("portal:person_list"), {"q": "Tu\x00an\x07"})
    assert response.status_code == 200
    assert names_in(response) == ["Nguyễn Anh Tuấn"]


def test_overlong_search_is_cut_and_says_so(leader_client, people):
    response = leader_client.get(reverse("portal:person_list"), {"q": "Tuan " + "x" * 300})
    assert response.context["too_long"] is True
    assert len(response.context["query"]) == 100


def test_people_are_listed_in_vietnamese_order(client, users, org):
    for name in ["Trần Văn Bình", "Lê Thị Ánh", "Nguyễn Văn An", "Đỗ Thị Ân"]:
        PersonFactory(unit=org.other, full_name=name)
    client.force_login(users.outsider)
    response = client.get(reverse("portal:person_list"))
    assert names_in(response) == ["Nguyễn Văn An", "Lê Thị Ánh", "Đỗ Thị Ân", "Trần Văn Bình", "Bùi Thị Ngoài"]


def test_people_sorted_by_unit_when_asked(client, users, org, people):
    client.force_login(users.officer)
    response = client.get(reverse("portal:person_list"), {"sort": "-unit", "q": "nguyen anh"})
    assert names_in(response) == ["Nguyễn Anh Tuấn"]
    assert response.context["sort"] == "-unit"


def test_unknown_sort_falls_back_to_name(leader_client):
    response = leader_client.get(reverse("portal:person_list"), {"sort": "password"})
    assert response.context["sort"] == "name"


def test_login_with_wrong_password_says_so_and_keeps_username(client, users):
    response = client.post(reverse("login"), {"username": users.staff.username, "password": "wrong"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "không đúng" in content
    assert f'value="{users.staff.username}"' in content


def test_login_then_dashboard_in_vietnamese(client, users):
    response = client.post(reverse("login"), {"username": users.leader.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert "Lãnh đạo đơn vị" in content  # the role badge, in Vietnamese


def test_english_browser_still_gets_vietnamese_until_the_user_switches(client, users):
    client.force_login(users.leader)
    response = client.get(reverse("portal:dashboard"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_language_switch_to_english(client, users):
    client.force_login(users.leader)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:dashboard")}, follow=True)
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Unit leader" in content


def test_leader_edits_person_and_it_is_audited_and_notified(leader_client, users, org):
    person = Person.objects.get(user=users.staff)
    response = leader_client.post(
        reverse("portal:person_edit", args=[person.pk]),
        {"full_name": "Lê Văn Cán", "gender": "male", "date_of_birth": "15/12/1985", "position": "Phó Giám đốc",
         "email": "", "is_active": "on", "version": person.version},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.position == "Phó Giám đốc"
    assert person.date_of_birth.isoformat() == "1985-12-15"
    assert person.version == 2
    entry = AuditLog.objects.get(action="portal.person.updated", object_id=str(person.pk))
    assert entry.actor == users.leader
    assert entry.data["changes"]["position"] == ["Chuyên viên", "Phó Giám đốc"]
    assert Notification.objects.filter(recipient=users.staff, kind="portal.person.updated").count() == 1


def test_edit_with_bad_date_keeps_typed_values(leader_client, users):
    person = Person.objects.get(user=users.staff)
    response = leader_client.post(
        reverse("portal:person_edit", args=[person.pk]),
        {"full_name": "Lê Văn Cán Mới", "gender": "male", "date_of_birth": "31/02/1985", "position": "Trưởng phòng",
         "email": "", "is_active": "on", "version": person.version},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "dd/mm/yyyy" in content
    assert 'value="Lê Văn Cán Mới"' in content
    assert 'value="Trưởng phòng"' in content
    person.refresh_from_db()
    assert person.full_name == "Lê Văn Cán"


def test_second_editor_gets_a_conflict_and_loses_nothing(client, users):
    person = Person.objects.get(user=users.staff)
    stale_version = person.version
    form = {"full_name": "Lê Văn Cán", "gender": "male", "date_of_birth": "", "email": "", "is_active": "on"}
    client.force_login(users.leader)
    first = client.post(reverse("portal:person_edit", args=[person.pk]), {**form, "position": "Trưởng phòng", "version": stale_version})
    assert first.status_code == 302
    client.force_login(users.admin)
    second = client.post(reverse("portal:person_edit", args=[person.pk]), {**form, "position": "Chánh Văn phòng", "version": stale_version})
    assert second.status_code == 409
    assert [(theirs, mine) for _label, theirs, mine in second.context["conflicts"]] == [("Trưởng phòng", "Chánh Văn phòng")]
    assert 'value="Chánh Văn phòng"' in second.content.decode()
    person.refresh_from_db()
    assert person.position == "Trưởng phòng"
    # Saving again from the conflict page (it carries the new version) now succeeds.
    third = client.post(reverse("portal:person_edit", args=[person.pk]), {**form, "position": "Chánh Văn phòng", "version": person.version})
    assert third.status_code == 302
    person.refresh_from_db()
    assert person.position == "Chánh Văn phòng"


def test_notifications_unread_count_and_mark_read(client, users):
    Notification.objects.create(recipient=users.staff, kind="portal.person.updated", params={"actor": "Phạm Thị Lãnh"}, url="/people/1/")
    Notification.objects.create(recipient=users.staff, kind="portal.person.updated", params={"actor": "Phạm Thị Lãnh"})
    client.force_login(users.staff)
    response = client.get(reverse("portal:notifications"))
    assert response.context["unread_notifications"] == 2
    assert "Phạm Thị Lãnh đã cập nhật" in response.content.decode()
    client.post(reverse("portal:notifications_read_all"))
    assert client.get(reverse("portal:notifications")).context["unread_notifications"] == 0


def test_notification_of_another_user_cannot_be_marked(client, users):
    notification = Notification.objects.create(recipient=users.leader, kind="portal.person.updated", params={"actor": "X"})
    client.force_login(users.staff)
    assert client.post(reverse("portal:notification_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_notification_link_to_another_site_is_not_followed(client, users):
    notification = Notification.objects.create(recipient=users.staff, kind="portal.person.updated", params={"actor": "X"}, url="https://evil.example/")
    client.force_login(users.staff)
    response = client.post(reverse("portal:notification_read", args=[notification.pk]))
    assert response["Location"] == reverse("portal:notifications")


def test_logout_needs_post_and_ends_session(client, users):
    client.force_login(users.staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_logout_by_get_is_refused_and_the_session_survives(client, users):
    client.force_login(users.staff)
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert client.session.get("_auth_user_id") == str(users.staff.pk)


def test_health_answers_ok(client, db):
    response = client.get(reverse("health"))
    assert response.json() == {"status": "ok"}


def test_unknown_page_is_a_vietnamese_404(client, users):
    client.force_login(users.staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert "Không tìm thấy trang" in content


HOSTILE_NUMBERS = ["²", "-1", "9" * 50, "%", "'", "\x00", "١٢", " 1", "1.0"]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_person_list_ignores_a_hostile_unit_filter(leader_client, people, value):
    response = leader_client.get(reverse("portal:person_list"), {"unit": value})
    assert response.status_code == 200
    assert response.context["unit"] is None
    assert names_in(response) == ["Lê Văn Cán", "Ngô Văn Chưa", "Phạm Thị Lãnh", "Nguyễn Anh Tuấn"]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize("url_name", ["portal:person_list", "portal:unit_list", "portal:notifications", "portal:audit_log"])
def test_list_pages_show_the_first_page_for_a_hostile_page_number(client, users, url_name, value):
    client.force_login(users.admin)
    response = client.get(reverse(url_name), {"page": value})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


@pytest.mark.parametrize("value", [*HOSTILE_NUMBERS, "name\x00", "-name'"])
def test_person_list_sorts_by_name_for_a_hostile_sort(leader_client, value):
    response = leader_client.get(reverse("portal:person_list"), {"sort": value})
    assert response.status_code == 200
    assert response.context["sort"] == "name"


@pytest.mark.parametrize("value", [*HOSTILE_NUMBERS, "³", "1989", "2101"])
def test_cluster_pages_fall_back_to_this_year_for_a_hostile_year(client, users, value):
    from django.utils import timezone

    from tests.factories import ClusterMembershipFactory

    cluster = ClusterMembershipFactory(year=2026).cluster
    client.force_login(users.officer)
    this_year = timezone.localdate().year
    listing = client.get(reverse("portal:cluster_list"), {"year": value})
    detail = client.get(reverse("portal:cluster_detail", args=[cluster.pk]), {"year": value})
    assert (listing.status_code, detail.status_code) == (200, 200)
    assert (listing.context["year"], detail.context["year"]) == (this_year, this_year)


def test_cluster_pages_read_a_plain_year(client, users):
    from tests.factories import ClusterMembershipFactory

    membership = ClusterMembershipFactory(year=2024)
    client.force_login(users.officer)
    response = client.get(reverse("portal:cluster_detail", args=[membership.cluster.pk]), {"year": "2024"})
    assert response.context["year"] == 2024
    assert [member.unit for member in response.context["members"]] == [membership.unit]
