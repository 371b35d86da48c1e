"""Every URL of the organisation app × every role (+ anonymous) × own-unit / other-unit object.

302 = sent to the login page, 404 = outside the user's scope, 403 = in scope but not allowed.
"""

import pytest
from django.urls import reverse

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]

# (url name, object kind) -> expected status per role. Object kinds: None, "own_person"
# (in home's sub-unit), "other_person", "own_unit" (home), "other_unit", "cluster".
MATRIX = {
    ("portal:dashboard", None): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("portal:person_list", None): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("portal:person_detail", "own_person"): dict(anonymous=302, no_role=404, staff=404, leader=200, officer=200, council=200, admin=200, outsider=404),
    ("portal:person_detail", "home_person"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404),
    ("portal:person_detail", "other_person"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=200, council=200, admin=200, outsider=200),
    ("portal:person_detail", "self"): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("portal:person_edit", "own_person"): dict(anonymous=302, no_role=404, staff=404, leader=200, officer=403, council=403, admin=200, outsider=404),
    ("portal:person_edit", "home_person"): dict(anonymous=302, no_role=404, staff=403, leader=200, officer=403, council=403, admin=200, outsider=404),
    ("portal:person_edit", "other_person"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=403, council=403, admin=200, outsider=403),
    ("portal:unit_list", None): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("portal:unit_detail", "own_unit"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404),
    ("portal:unit_detail", "own_sub_unit"): dict(anonymous=302, no_role=404, staff=404, leader=200, officer=200, council=200, admin=200, outsider=404),
    ("portal:unit_detail", "other_unit"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=200, council=200, admin=200, outsider=200),
    ("portal:cluster_list", None): dict(anonymous=302, no_role=403, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("portal:cluster_detail", "cluster"): dict(anonymous=302, no_role=403, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("portal:notifications", None): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("portal:audit_log", None): dict(anonymous=302, no_role=403, staff=403, leader=403, officer=403, council=403, admin=200, outsider=403),
}


@pytest.fixture
def objects(org, users, people):
    from tests.factories import ClusterMembershipFactory, PersonFactory

    cluster = ClusterMembershipFactory(unit=org.home).cluster
    return {
        "own_person": people.own,
        "home_person": PersonFactory(unit=org.home, full_name="Trịnh Văn Nhà"),
        "other_person": people.other,
        "own_unit": org.home,
        "own_sub_unit": org.home_child,
        "other_unit": org.other,
        "cluster": cluster,
    }


def case_ids():
    for (name, kind), expected in MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(case_ids()))
def test_permission_matrix(client, users, objects, url_name, kind, role, expected):
    if role != "anonymous":
        client.force_login(getattr(users, role))
    if kind is None:
        url = reverse(url_name)
    elif kind == "self":
        if role == "anonymous":
            url = reverse(url_name, args=[objects["own_person"].pk])
        else:
            url = reverse(url_name, args=[getattr(users, role).person.pk])
    else:
        url = reverse(url_name, args=[objects[kind].pk])
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


# POSTs to the edit page: refused the same way as the GETs above, and nothing is written.
POST_EDIT_CASES = [
    ("anonymous", "own_person", 302),
    ("leader", "other_person", 404),
    ("outsider", "own_person", 404),
    ("staff", "home_person", 403),
    ("officer", "own_person", 403),
    ("council", "other_person", 403),
]


@pytest.mark.parametrize(("role", "kind", "expected"), POST_EDIT_CASES)
def test_person_edit_post_is_refused_and_changes_nothing(client, users, objects, role, kind, expected):
    from portal.models import AuditLog, Person

    person = objects[kind]
    if role != "anonymous":
        client.force_login(getattr(users, role))
    response = client.post(
        reverse("portal:person_edit", args=[person.pk]),
        {"full_name": "Tên Bị Sửa", "gender": "female", "date_of_birth": "01/01/1990", "position": "Vụ trưởng",
         "email": "sua@example.vn", "is_active": "on", "version": person.version},
    )
    assert response.status_code == expected
    stored = Person.objects.get(pk=person.pk)
    assert (stored.full_name, stored.position, stored.email, stored.version) == (
        person.full_name, person.position, person.email, person.version
    )
    assert not AuditLog.objects.exists()


def test_matrix_covers_every_named_portal_url():
    """A page added to the URL conf without a row in the matrix fails here."""
    from django.urls import get_resolver

    covered = {name for name, _kind in MATRIX}
    post_only = {"portal:notifications_read_all", "portal:notification_read"}
    names = set()
    # office/, emulation/ and commendations/ keep their own matrices in tests/<app>/.
    for namespace in ("portal",):
        resolver = get_resolver().namespace_dict[namespace][1]
        names |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    assert names - covered - post_only == set()
