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


def test_describe_falls_back_when_the_entry_lacks_a_parameter_of_the_sentence(users):
    person = Person.objects.get(user=users.staff)
    entry = audit_log(actor=users.admin, obj=person, action="portal.role.granted", data={})  # no "role"
    assert describe(entry) == "Đỗ Văn Quản: portal.role.granted Lê Văn Cán"


def test_describe_falls_back_when_a_translation_is_malformed(users, monkeypatch):
    from portal import audit

    person = Person.objects.get(user=users.staff)
    entry = audit_log(actor=users.leader, obj=person, action="portal.person.updated")
    monkeypatch.setitem(audit._SENTENCES, "portal.person.updated", "%(actor)s đã sửa 100% hồ sơ %(object)s")
    assert describe(entry) == "Phạm Thị Lãnh: portal.person.updated Lê Văn Cán"


def test_person_page_survives_an_entry_its_sentence_cannot_describe(client, users):
    from django.urls import reverse

    person = Person.objects.get(user=users.staff)
    audit_log(actor=users.admin, obj=person, action="portal.role.granted", data={"unit": "STP-HN"})
    client.force_login(users.admin)
    response = client.get(reverse("portal:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert "Đỗ Văn Quản: portal.role.granted Lê Văn Cán" in response.content.decode()


def test_person_update_refuses_an_actor_who_may_not_change_the_person(users, people):
    from django.core.exceptions import PermissionDenied

    home_person = Person.objects.get(user=users.staff)
    for actor, person in [(users.staff, home_person), (users.leader, people.other), (users.officer, home_person)]:
        with pytest.raises(PermissionDenied):
            services.person_update(actor=actor, person_id=person.pk, version=person.version, data={"position": "Vụ trưởng"})
    assert set(Person.objects.filter(position="Vụ trưởng")) == set()
    assert AuditLog.objects.count() == 0


def test_person_email_change_moves_the_login_address_and_the_mail_follows(users, django_capture_on_commit_callbacks):
    from django.urls import reverse

    person = Person.objects.get(user=users.staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.person_update(actor=users.leader, person_id=person.pk, version=person.version, data={"email": "can.moi@moj.gov.vn"})
    users.staff.refresh_from_db()
    assert users.staff.email == "can.moi@moj.gov.vn"
    assert [message.to for message in mail.outbox] == [["can.moi@moj.gov.vn"]]
    notification = Notification.objects.get(recipient=users.staff)
    assert notification.url == reverse("portal:person_detail", args=[person.pk])
    assert notification.url in mail.outbox[0].body


def test_person_update_leaves_the_login_address_alone_when_the_email_is_unchanged(users):
    person = Person.objects.get(user=users.staff)
    address = users.staff.email
    services.person_update(actor=users.leader, person_id=person.pk, version=person.version, data={"position": "Trưởng phòng"})
    users.staff.refresh_from_db()
    assert users.staff.email == address


def test_describe_changes_speaks_the_readers_language(users):
    from django.utils import translation

    from portal.audit import describe_changes

    person = Person.objects.get(user=users.staff)
    changes = {
        "gender": ["male", "female"],
        "is_active": [True, False],
        "date_of_birth": [None, "1985-12-15"],
        "position": ["", "Trưởng phòng"],
        "shoe_size": ["41", "42"],
    }
    entry = audit_log(actor=users.leader, obj=person, action="portal.person.updated", data={"changes": changes})
    with translation.override("en"):
        assert describe_changes(entry) == [
            ("Gender", "Male", "Female"),
            ("Active", "Yes", "No"),
            ("Date of birth", "—", "15/12/1985"),
            ("Position", "—", "Trưởng phòng"),
            ("shoe_size", "41", "42"),
        ]
    with translation.override("vi"):
        assert describe_changes(entry)[:3] == [
            ("Giới tính", "Nam", "Nữ"),
            ("Đang hoạt động", "Có", "Không"),
            ("Ngày sinh", "—", "15/12/1985"),
        ]


def test_describe_changes_is_empty_without_field_changes(users, org):
    from portal.audit import describe_changes

    entry = audit_log(actor=users.admin, obj=org.home, action="portal.admin.changed", data={"model": "portal.unit", "fields": ["name"]})
    assert describe_changes(entry) == []


def test_person_page_history_shows_labels_and_values_not_raw_data(client, users):
    from datetime import date

    from django.urls import reverse

    person = Person.objects.get(user=users.staff)
    services.person_update(
        actor=users.leader, person_id=person.pk, version=person.version,
        data={"gender": "female", "is_active": False, "date_of_birth": date(1985, 12, 15)},
    )
    client.force_login(users.admin)
    content = client.get(reverse("portal:person_detail", args=[person.pk])).content.decode()
    assert "Giới tính: Nam → Nữ" in content
    assert "Đang hoạt động: Có → Không" in content
    assert "Ngày sinh: — → 15/12/1985" in content
    assert "<code>gender</code>" not in content
