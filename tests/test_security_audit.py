"""The audit log cannot be altered through any page of the portal or through the Django admin.

The model refuses save()/delete() of an existing row and queryset update()/delete(), and
PostgreSQL refuses raw UPDATE/DELETE (tests/portal/test_audit_and_services.py). Here: no URL
changes or removes an existing entry, whoever posts to it, and the admin is read-only even for a
superuser, also indirectly (deleting the actor of an entry is refused).
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from portal.audit import audit_log
from portal.models import AuditLog
from tests.factories import UserFactory
from tests.test_url_matrix import PAGES, World, url_for


def snapshot():
    return list(AuditLog.objects.order_by("pk").values_list("pk", "action", "object_id", "actor_id", "data", "created_at"))


@pytest.fixture
def entries(org, users):
    """A few entries of the kinds pages display (unit, person, role), written before the requests."""
    audit_log(actor=users.admin, obj=org.home, action="portal.admin.changed", data={"model": "portal.unit"})
    audit_log(actor=users.leader, obj=users.staff.person, action="portal.person.updated")
    return snapshot()


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_page_alters_existing_audit_entries(client, users, org, entries, name):
    """POST to every URL of the portal as the system administrator, with the ids of audit entries
    where a page would take them: the entries written before are all still there, unchanged."""
    client.force_login(users.admin)
    url = url_for(name, PAGES[name], World(org, users), org.home)
    first = entries[0][0]
    client.post(url, {"pk": first, "id": first, "action": "delete", "_selected_action": [e[0] for e in entries]})
    assert snapshot()[: len(entries)] == entries


@pytest.mark.django_db
def test_admin_audit_log_is_read_only_even_for_a_superuser(client, users, org, superuser):
    entry = audit_log(actor=users.admin, obj=org.home, action="portal.admin.changed", data={"model": "portal.unit"})
    before = snapshot()
    model_admin = admin.site._registry[AuditLog]
    request = RequestFactory().get("/")
    request.user = superuser
    assert (model_admin.has_add_permission(request), model_admin.has_change_permission(request, entry),
            model_admin.has_delete_permission(request, entry)) == (False, False, False)
    assert "delete_selected" not in model_admin.get_actions(request)

    client.force_login(superuser)
    assert client.get(reverse("admin:portal_auditlog_changelist")).status_code == 200
    change = client.get(reverse("admin:portal_auditlog_change", args=[entry.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    posted = client.post(reverse("admin:portal_auditlog_change", args=[entry.pk]), {"action": "forged", "object_repr": "x"})
    assert posted.status_code == 403
    bulk = client.post(reverse("admin:portal_auditlog_changelist"),
                       {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert bulk.status_code in (200, 302)
    assert snapshot() == before


@pytest.mark.django_db
def test_deleting_the_actor_of_an_entry_in_the_admin_is_refused(client, users, org, superuser):
    """Entries protect their actor: the admin explains it and deletes nothing (no cascade)."""
    audit_log(actor=users.officer, obj=org.home, action="portal.admin.changed", data={"model": "portal.unit"})
    before = snapshot()
    client.force_login(superuser)
    response = client.post(reverse("admin:auth_user_delete", args=[users.officer.pk]), {"post": "yes"})
    assert response.status_code == 200  # the "cannot delete: protected objects" page
    assert type(users.officer).objects.filter(pk=users.officer.pk).exists()
    assert snapshot() == before
