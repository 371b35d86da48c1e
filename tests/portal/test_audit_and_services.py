"""The audit log is write-once; services audit and notify what they change."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.utils import DatabaseError, InternalError

from portal import services
from portal.audit import audit_log, describe, history_for
from portal.enums import Role
from portal.models import AuditLog, Notification, Person, RoleGrant
from tests.factories import PersonFactory, UserFactory


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(users, org):
    entry = audit_log(actor=users.admin, obj=org.home, action="portal.admin.changed", data={"model": "portal.unit"})
    entry.action = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "portal.admin.changed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_raw_updates_of_the_audit_log(users, org):
    entry = audit_log(actor=users.admin, obj=org.home, action="portal.admin.changed", data={"model": "portal.unit"})
    with pytest.raises((DatabaseError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditlog SET action = 'forged' WHERE id = %s", [entry.pk])
    with pytest.raises((DatabaseError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditlog WHERE id = %s", [entry.pk])
    assert AuditLog.objects.get(pk=entry.pk).action == "portal.admin.changed"


def test_unregistered_audit_action_is_refused(users, org):
    with pytest.raises(KeyError):
        audit_log(actor=users.admin, obj=org.home, action="portal.unit.teleported")


def test_history_is_described_in_the_readers_language(users, org):
    from django.utils import translation

    person = PersonFactory(unit=org.home, full_name="Nguyễn Anh Tuấn")
    audit_log(actor=users.leader, obj=person, action="portal.person.updated")
    (entry,) = history_for(person)
    with translation.override("en"):
        assert describe(entry) == "Phạm Thị Lãnh updated the record of Nguyễn Anh Tuấn"
    with translation.override("vi"):
        assert describe(entry) == "Phạm Thị Lãnh đã cập nhật hồ sơ của Nguyễn Anh Tuấn"


def test_person_update_without_changes_writes_nothing(users):
    person = Person.objects.get(user=users.staff)
    services.person_update(actor=users.leader, person_id=person.pk, version=person.version, data={"position": person.position})
    person.refresh_from_db()
    assert person.version == 1
    assert AuditLog.objects.count() == 0


def test_person_update_normalises_names_to_nfc(users):
    import unicodedata

    person = Person.objects.get(user=users.staff)
    decomposed = unicodedata.normalize("NFD", "Lê  Văn   Cán Mới")
    services.person_update(actor=users.leader, person_id=person.pk, version=1, data={"full_name": decomposed})
    person.refresh_from_db()
    assert person.full_name == "Lê Văn Cán Mới"
    assert unicodedata.is_normalized("NFC", person.full_name)
    assert person.search_text == "le van can moi"


def test_role_grant_audits_and_emails_once(django_capture_on_commit_callbacks, org):
    user = UserFactory(email="moi@example.vn")
    PersonFactory(user=user, unit=org.home, full_name="Mai Văn Mới")
    with django_capture_on_commit_callbacks(execute=True):
        services.role_grant(actor=None, user=user, role=Role.STAFF, unit=org.home)
        services.role_grant(actor=None, user=user, role=Role.STAFF, unit=org.home)
    assert RoleGrant.objects.filter(user=user).count() == 1
    assert AuditLog.objects.filter(action="portal.role.granted").count() == 1
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["moi@example.vn"]
    assert "Cán bộ đơn vị" in mail.outbox[0].subject


def test_unit_move_carries_its_sub_tree(org):
    org.home.parent = org.other
    org.home.save()
    org.home_child.refresh_from_db()
    assert org.home_child.path == "/BTP/STP-HP/STP-HN/STP-HN-VP/"
    assert org.home_child.depth == 3


def test_unit_cannot_move_under_its_own_sub_unit(org):
    from django.core.exceptions import ValidationError

    org.home.parent = org.home_child
    with pytest.raises(ValidationError):
        org.home.save()


def test_changes_made_in_the_django_admin_are_audited_and_bump_the_version(client, org, users):
    from django.urls import reverse

    superuser = UserFactory(is_staff=True, is_superuser=True)
    person = Person.objects.get(user=users.staff)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:portal_person_change", args=[person.pk]),
        {
            "full_name": person.full_name, "gender": "male", "date_of_birth": "", "position": "Trưởng phòng",
            "unit": org.home.pk, "user": users.staff.pk, "email": "", "is_active": "on",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert (person.position, person.version) == ("Trưởng phòng", 2)
    entry = AuditLog.objects.get(action="portal.admin.changed")
    assert entry.actor == superuser
    assert entry.data == {"model": "portal.person", "fields": ["position"]}
    assert describe(entry).endswith("đã sửa cán bộ Lê Văn Cán trong trang quản trị")


def test_audit_log_cannot_be_changed_in_the_django_admin(client, org, users):
    from django.urls import reverse

    superuser = UserFactory(is_staff=True, is_superuser=True)
    entry = audit_log(actor=users.admin, obj=org.home, action="portal.admin.changed", data={"model": "portal.unit"})
    client.force_login(superuser)
    assert client.post(reverse("admin:portal_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:portal_auditlog_add")).status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()
