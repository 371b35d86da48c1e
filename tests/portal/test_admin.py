"""The Django admin leaves the same audit trail as the portal's own pages."""

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.audit import describe
from portal.enums import HolidayKind, Role
from portal.models import (
    AuditLog,
    ClusterMembership,
    Notification,
    Person,
    PublicHoliday,
    RoleGrant,
    UnitMembership,
)
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    PublicHolidayFactory,
    UnitFactory,
    UserFactory,
)

User = get_user_model()


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_inline_cluster_memberships_are_audited_one_row_per_object(admin_client, superuser):
    cluster = ClusterFactory(code="CUM-1", name="Cụm thi đua số 1")
    kept = ClusterMembershipFactory(cluster=cluster, year=2026)
    dropped = ClusterMembershipFactory(cluster=cluster, year=2026)
    newcomer = UnitFactory()
    response = admin_client.post(
        reverse("admin:portal_emulationcluster_change", args=[cluster.pk]),
        {
            "code": "CUM-1", "name": "Cụm thi đua số 1", "kind": "cluster", "description": "", "is_active": "on",
            **management("memberships", 3, 2),
            "memberships-0-id": kept.pk, "memberships-0-cluster": cluster.pk, "memberships-0-unit": kept.unit_id,
            "memberships-0-year": "2026", "memberships-0-is_head": "on",
            "memberships-1-id": dropped.pk, "memberships-1-cluster": cluster.pk,
            "memberships-1-unit": dropped.unit_id, "memberships-1-year": "2026", "memberships-1-DELETE": "on",
            "memberships-2-cluster": cluster.pk, "memberships-2-unit": newcomer.pk, "memberships-2-year": "2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = ClusterMembership.objects.get(unit=newcomer)
    rows = {
        (entry.action, entry.object_id): entry
        for entry in AuditLog.objects.filter(data__model="portal.clustermembership")
    }
    assert set(rows) == {
        ("portal.admin.changed", str(kept.pk)),
        ("portal.admin.deleted", str(dropped.pk)),
        ("portal.admin.added", str(added.pk)),
    }
    assert rows["portal.admin.changed", str(kept.pk)].data == {"model": "portal.clustermembership", "fields": ["is_head"]}
    assert rows["portal.admin.added", str(added.pk)].data["fields"] == ["unit", "year"]
    assert all(entry.actor == superuser for entry in rows.values())
    assert not ClusterMembership.objects.filter(pk=dropped.pk).exists()


def test_inline_unit_membership_added_on_a_person_is_audited(admin_client, users, org):
    person = Person.objects.get(user=users.staff)
    response = admin_client.post(
        reverse("admin:portal_person_change", args=[person.pk]),
        {
            "full_name": person.full_name, "gender": "male", "date_of_birth": "", "position": person.position,
            "unit": org.home.pk, "user": users.staff.pk, "email": "", "is_active": "on",
            **management("memberships", 1, 0),
            "memberships-0-person": person.pk, "memberships-0-unit": org.home.pk,
            "memberships-0-position": "Chuyên viên", "memberships-0-start_date": "01/01/2020",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = UnitMembership.objects.get(person=person)
    entry = AuditLog.objects.get(action="portal.admin.added", object_id=str(membership.pk))
    assert entry.content_object == membership
    assert entry.data == {"model": "portal.unitmembership", "fields": ["position", "start_date", "unit"]}


def user_change_form(user, **changes) -> dict:
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": user.email,
        "is_active": "on", "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00",
        "last_login_0": "", "last_login_1": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_making_a_user_superuser_in_the_admin_is_audited(admin_client, superuser, users):
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[users.staff.pk]),
        user_change_form(users.staff, is_staff="on", is_superuser="on"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    users.staff.refresh_from_db()
    assert (users.staff.is_staff, users.staff.is_superuser) == (True, True)
    entry = AuditLog.objects.get(action="portal.admin.changed", data__model="auth.user")
    assert entry.actor == superuser
    assert entry.object_id == str(users.staff.pk)
    assert {"is_staff", "is_superuser"} <= set(entry.data["fields"])


def test_disabling_a_login_in_the_admin_is_audited(admin_client, users):
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[users.staff.pk]), user_change_form(users.staff, is_active=None)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    users.staff.refresh_from_db()
    assert users.staff.is_active is False
    assert "is_active" in AuditLog.objects.get(data__model="auth.user").data["fields"]


def test_password_reset_in_the_admin_is_audited_without_the_hash(admin_client, superuser, users):
    old_hash = User.objects.get(pk=users.staff.pk).password
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[users.staff.pk]),
        {"password1": "Mật-khẩu-mới-2026", "password2": "Mật-khẩu-mới-2026", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    new_hash = User.objects.get(pk=users.staff.pk).password
    assert new_hash != old_hash
    entry = AuditLog.objects.get(action="portal.admin.changed", data__model="auth.user")
    assert (entry.actor, entry.object_id) == (superuser, str(users.staff.pk))
    assert entry.data == {"model": "auth.user", "fields": ["password"]}
    assert new_hash not in json.dumps(entry.data) and "Mật-khẩu" not in json.dumps(entry.data)


def test_user_added_in_the_admin_is_audited_with_field_names_only(admin_client):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {"username": "moi", "password1": "Mật-khẩu-mới-2026", "password2": "Mật-khẩu-mới-2026", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="moi")
    entry = AuditLog.objects.get(action="portal.admin.added", data__model="auth.user")
    assert entry.object_id == str(user.pk)
    assert entry.data["fields"] == ["password", "username"]


def test_role_granted_in_the_admin_goes_through_the_service(admin_client, superuser, users, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_rolegrant_add"), {"user": users.staff.pk, "role": Role.UNIT_LEADER, "unit": org.home.pk}
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    grant = RoleGrant.objects.get(user=users.staff, role=Role.UNIT_LEADER)
    assert grant.unit == org.home
    entry = AuditLog.objects.get(action="portal.role.granted")
    assert (entry.actor, entry.content_object, entry.data) == (superuser, users.staff.person, {"role": "unit_leader"})
    assert not AuditLog.objects.filter(action="portal.admin.added").exists()
    assert Notification.objects.filter(recipient=users.staff, kind="portal.role.granted").count() == 1


def test_ministry_wide_role_granted_twice_in_the_admin_stays_one_grant(admin_client, users):
    for _ in range(2):
        response = admin_client.post(reverse("admin:portal_rolegrant_add"), {"user": users.staff.pk, "role": Role.COUNCIL_MEMBER})
        assert response.status_code == 302, response.content.decode()[:3000]
    assert RoleGrant.objects.filter(user=users.staff, role=Role.COUNCIL_MEMBER).count() == 1
    assert AuditLog.objects.filter(action="portal.role.granted").count() == 1


def test_role_edited_in_the_admin_is_audited_as_an_admin_change(admin_client, users, org):
    grant = RoleGrant.objects.get(user=users.staff)
    response = admin_client.post(
        reverse("admin:portal_rolegrant_change", args=[grant.pk]), {"user": users.staff.pk, "role": Role.STAFF, "unit": org.other.pk}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditLog.objects.get(action="portal.admin.changed")
    assert (entry.object_id, entry.data) == (str(grant.pk), {"model": "portal.rolegrant", "fields": ["unit"]})


def test_role_deleted_in_the_admin_is_revoked_and_audited(admin_client, superuser, users):
    grant = RoleGrant.objects.get(user=users.leader)
    response = admin_client.post(reverse("admin:portal_rolegrant_delete", args=[grant.pk]), {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    entry = AuditLog.objects.get(action="portal.role.revoked")
    assert (entry.actor, entry.content_object) == (superuser, users.leader.person)
    assert entry.data == {"role": "unit_leader", "unit": "STP-HN"}
    assert not AuditLog.objects.filter(action="portal.admin.deleted").exists()


def test_roles_deleted_from_the_admin_list_are_each_revoked(admin_client, users):
    grants = list(RoleGrant.objects.filter(user__in=[users.staff, users.officer]))
    response = admin_client.post(
        reverse("admin:portal_rolegrant_changelist"),
        {"action": "delete_selected", "_selected_action": [grant.pk for grant in grants], "post": "yes"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not RoleGrant.objects.filter(pk__in=[grant.pk for grant in grants]).exists()
    revoked = AuditLog.objects.filter(action="portal.role.revoked")
    assert sorted(entry.data["role"] for entry in revoked) == ["emulation_officer", "staff"]


def test_revoked_role_is_described_in_the_readers_language(users):
    from django.utils import translation

    from portal import services

    services.role_revoke(actor=users.admin, grant=RoleGrant.objects.get(user=users.staff))
    entry = AuditLog.objects.get(action="portal.role.revoked")
    with translation.override("en"):
        assert describe(entry) == "Đỗ Văn Quản revoked the role Unit staff from Lê Văn Cán"
    assert not RoleGrant.objects.filter(user=users.staff).exists()


def test_public_holiday_added_in_the_admin_is_audited(admin_client):
    response = admin_client.post(
        reverse("admin:portal_publicholiday_add"),
        {"date": "16/02/2026", "name": "Tết Nguyên đán", "kind": "holiday", "basis": "Thông báo của Chính phủ"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    holiday = PublicHoliday.objects.get()
    assert (holiday.date, holiday.kind) == (date(2026, 2, 16), HolidayKind.HOLIDAY)
    entry = AuditLog.objects.get(action="portal.admin.added", data__model="portal.publicholiday")
    assert (entry.object_id, entry.data["fields"]) == (str(holiday.pk), ["basis", "date", "name"])


def test_the_admin_refuses_a_compensatory_working_day_on_a_weekday(admin_client):
    response = admin_client.post(
        reverse("admin:portal_publicholiday_add"),
        {"date": "18/02/2026", "name": "Làm bù", "kind": "working_day", "basis": ""},
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["kind"]
    assert not PublicHoliday.objects.exists()


def test_public_holidays_are_listed_by_year(admin_client):
    PublicHolidayFactory(date=date(2025, 9, 2), name="Quốc khánh")
    PublicHolidayFactory(date=date(2026, 1, 1), name="Tết Dương lịch")
    PublicHolidayFactory(date=date(2026, 4, 30), name="Ngày Chiến thắng")
    url = reverse("admin:portal_publicholiday_changelist")

    shown = lambda query: [h.name for h in admin_client.get(url, query).context["cl"].result_list]  # noqa: E731

    assert shown({"year": "2026"}) == ["Ngày Chiến thắng", "Tết Dương lịch"]
    assert shown({"q": "Quốc khánh"}) == ["Quốc khánh"]
    assert shown({"year": "99999"}) == []
    assert len(shown({"year": "abc"})) == 3
