"""Suy tôn: the standing body records which unit each cluster elected; the page shows who leads the
published results; council members read it; units cannot reach it."""

import pytest
from django.conf import settings
from django.urls import reverse

from commendations.models import ClusterElection
from portal.models import AuditLog
from tests.factories import ClusterFactory, ClusterMembershipFactory, UnitFactory

YEAR = 2025
URL = reverse("commendations:elections")
COVERED_URLS = {"commendations:elections"}  # the matrix below (tests/commendations/test_views.py checks)


@pytest.fixture
def cluster(org):
    cluster = ClusterFactory(name="Cụm thi đua số 1", code="C1")
    for unit in (org.home, org.other):
        ClusterMembershipFactory(cluster=cluster, unit=unit, year=YEAR)
    return cluster


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("no_role", 403), ("staff", 403), ("leader", 403), ("outsider", 403),
     ("council", 200), ("officer", 200), ("admin", 200)],
)
def test_who_may_open_the_page(client, users, cluster, role, status):
    if role != "anonymous":
        client.force_login(getattr(users, role))
    assert client.get(URL, {"year": YEAR}).status_code == status


def test_officer_records_the_election_audited(client, users, org, cluster):
    client.force_login(users.officer)
    response = client.post(
        URL, {"year": YEAR, "cluster": cluster.pk, f"c{cluster.pk}-unit": org.other.pk,
              f"c{cluster.pk}-held_on": "10/12/2025", f"c{cluster.pk}-note": "9/10 phiếu"},
    )
    assert response.status_code == 302
    election = ClusterElection.objects.get(cluster=cluster, year=YEAR)
    assert (election.unit, str(election.held_on), election.note) == (org.other, "2025-12-10", "9/10 phiếu")
    entry = AuditLog.objects.get(action="commendations.election.recorded")
    assert entry.data == {"year": YEAR, "unit": org.other.name, "previous": ""}
    # cleared with the empty choice
    client.post(URL, {"year": YEAR, "cluster": cluster.pk, f"c{cluster.pk}-unit": ""})
    assert not ClusterElection.objects.exists()


def test_a_unit_outside_the_cluster_is_refused_and_the_form_kept(client, users, org, cluster):
    stranger = UnitFactory(name="Sở Tư pháp Đà Nẵng")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users.officer)
    response = client.post(
        URL, {"year": YEAR, "cluster": cluster.pk, f"c{cluster.pk}-unit": stranger.pk, f"c{cluster.pk}-note": "giữ lại"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "giữ lại" in response.content.decode()
    assert not ClusterElection.objects.exists()


def test_council_members_read_but_cannot_record(client, users, org, cluster):
    ClusterElection.objects.create(cluster=cluster, year=YEAR, unit=org.home)
    client.force_login(users.council)
    response = client.get(URL, {"year": YEAR})
    assert response.status_code == 200
    assert response.context["rows"][0].election.unit == org.home
    assert client.post(URL, {"year": YEAR, "cluster": cluster.pk, f"c{cluster.pk}-unit": org.other.pk}).status_code == 403
    assert ClusterElection.objects.get().unit == org.home


@pytest.mark.parametrize("clusters", [1, 3])
def test_page_reads_a_constant_number_of_queries(client, users, org, clusters, django_assert_num_queries):
    for index in range(clusters):
        cluster = ClusterFactory(code=f"K{index}")
        for _ in range(2):
            ClusterMembershipFactory(cluster=cluster, unit=UnitFactory(), year=YEAR)
    client.force_login(users.officer)
    with django_assert_num_queries(8):
        client.get(URL, {"year": YEAR})
