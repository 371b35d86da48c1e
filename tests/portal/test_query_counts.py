"""Every list page runs the same number of queries for 1 row as for 30."""

import pytest
from django.urls import reverse

from portal.audit import audit_log
from portal.models import Notification, Person
from tests.factories import ClusterFactory, ClusterMembershipFactory, PersonFactory, UnitFactory


@pytest.fixture(autouse=True)
def _one_page_holds_every_row(settings):
    settings.PORTAL_PAGE_SIZE = 50


@pytest.fixture
def admin_client(client, users):
    client.force_login(users.admin)
    return client


@pytest.mark.parametrize("rows", [1, 30])
def test_person_list_query_count(admin_client, org, rows, django_assert_num_queries):
    PersonFactory.create_batch(rows, unit=org.other)
    # session, user, scope, unread count, page count, page rows
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("portal:person_list"), {"q": "nguoi"})
    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_person_list_query_count_for_a_leader_of_two_units(client, users, org, rows, django_assert_num_queries):
    from portal.enums import Role
    from portal.models import RoleGrant

    RoleGrant.objects.create(user=users.leader, role=Role.UNIT_LEADER, unit=org.other)
    for n in range(rows):
        PersonFactory(unit=(org.home_child, org.other)[n % 2])
    client.force_login(users.leader)
    # session, user, scope, unread count, page count, page rows
    with django_assert_num_queries(6):
        response = client.get(reverse("portal:person_list"), {"q": "nguoi"})
    people = response.context["page_obj"].object_list
    assert len(people) == rows
    assert {person.unit for person in people} == ({org.home_child} if rows == 1 else {org.home_child, org.other})


@pytest.mark.parametrize("rows", [1, 30])
def test_unit_list_query_count(admin_client, org, rows, django_assert_num_queries):
    for _ in range(rows):
        PersonFactory(unit=UnitFactory(parent=org.other))
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("portal:unit_list"), {"q": "thu nghiem"})
    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_cluster_list_query_count(admin_client, rows, django_assert_num_queries):
    for _ in range(rows):
        ClusterMembershipFactory(cluster=ClusterFactory(), year=2026)
    with django_assert_num_queries(5):
        response = admin_client.get(reverse("portal:cluster_list"), {"year": 2026})
    assert len(response.context["clusters"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_cluster_detail_query_count(admin_client, rows, django_assert_num_queries):
    cluster = ClusterFactory()
    for _ in range(rows):
        ClusterMembershipFactory(cluster=cluster, year=2026)
    with django_assert_num_queries(7):
        response = admin_client.get(reverse("portal:cluster_detail", args=[cluster.pk]), {"year": 2026})
    assert len(response.context["members"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_unit_detail_query_count(admin_client, org, rows, django_assert_num_queries):
    PersonFactory.create_batch(rows, unit=org.other)
    for _ in range(rows):
        UnitFactory(parent=org.other)
    # session, user, scope, unit, headcount, sub-units, clusters, people count, people page, history, unread
    with django_assert_num_queries(11):
        response = admin_client.get(reverse("portal:unit_detail", args=[org.other.pk]))
    assert len(response.context["sub_units"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_notification_list_query_count(admin_client, users, rows, django_assert_num_queries):
    Notification.objects.bulk_create(
        [Notification(recipient=users.admin, kind="portal.person.updated", params={"actor": "X"}) for _ in range(rows)]
    )
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("portal:notifications"))
    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_audit_log_query_count(admin_client, users, org, rows, django_assert_num_queries):
    person = PersonFactory(unit=org.home)
    for _ in range(rows):
        audit_log(actor=users.leader, obj=person, action="portal.person.updated")
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("portal:audit_log"))
    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_person_detail_history_query_count(admin_client, users, org, rows, django_assert_num_queries):
    person = PersonFactory(unit=org.home)
    for _ in range(rows):
        audit_log(actor=users.leader, obj=person, action="portal.person.updated")
    with django_assert_num_queries(7):
        response = admin_client.get(reverse("portal:person_detail", args=[person.pk]))
    assert len(response.context["history"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_dashboard_query_count_for_every_role(client, users, org, rows, django_assert_num_queries):
    """A user holding every role sees every panel; the count does not grow with the data."""
    from portal.enums import Role
    from portal.models import RoleGrant

    for role in (Role.STAFF, Role.UNIT_LEADER, Role.EMULATION_OFFICER, Role.COUNCIL_MEMBER):
        RoleGrant.objects.get_or_create(user=users.admin, role=role, unit=org.home if role in (Role.STAFF, Role.UNIT_LEADER) else None)
    Person.objects.filter(user=users.admin).update(unit=org.home)
    for _ in range(rows):
        ClusterMembershipFactory(cluster=ClusterFactory(), year=2026, unit=UnitFactory(parent=org.home))
    client.force_login(users.admin)
    with django_assert_num_queries(17):
        response = client.get(reverse("portal:dashboard"))
    assert len(response.context["led_units"][0]["sub_units"]) == rows + 1
