"""Cờ thi đua: the eligibility of a collective reads whether it leads its cluster in the year's
published annual campaign and whether its cluster elected it (ClusterElection)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commendations.histories import cluster_results, eligibility_for_unit, rule_reads_clusters, rule_set
from commendations.models import ClusterElection
from emulation.enums import CampaignKind, CampaignState
from emulation.models import Campaign
from portal.models import ClusterMembership
from tests.emulation.test_results import publish, results_campaign  # noqa: F401  (fixture)

YEAR = 2026
ON = date(2026, 12, 15)


def test_cluster_rules_are_recognised(db):
    rules = {rule.award: rule for rule in rule_set(ON)}
    assert rule_reads_clusters(rules["COTDBO"]) is True
    assert rule_reads_clusters(rules["COTDCP"]) is True
    assert rule_reads_clusters(rules["CSTDCS"]) is False


def test_no_published_campaign_leaves_the_cluster_unknown(db, results_campaign):  # noqa: F811
    assert cluster_results(YEAR) == {}


def test_the_first_of_each_cluster_leads_once_published(db, org, results_campaign):  # noqa: F811
    publish(results_campaign)
    found = cluster_results(YEAR)
    assert found[org.other.pk] == (True, None)
    assert found[org.home.pk] == (False, None)
    # South: two identical cards share the first place until the cluster votes → unknown, not leading;
    # the third (lowered at appraisal) is not first
    south = [lead for unit, (lead, _) in found.items() if unit not in (org.home.pk, org.other.pk)]
    assert sorted(south, key=str) == [False, None, None]
    # another year, or a thematic campaign of the same year, says nothing
    assert cluster_results(YEAR - 1) == {}
    Campaign.objects.filter(pk=results_campaign.pk).update(kind=CampaignKind.THEMATIC)
    assert cluster_results(YEAR) == {}


def test_the_election_marks_the_chosen_unit_and_its_cluster_mates(db, org, results_campaign):  # noqa: F811
    north = ClusterMembership.objects.get(unit=org.home, year=YEAR).cluster
    ClusterElection.objects.create(year=YEAR, cluster=north, unit=org.other)
    found = cluster_results(YEAR)
    assert found[org.other.pk] == (None, True)
    assert found[org.home.pk] == (None, False)


def test_cotdbo_verdict_follows_the_campaign_and_the_election(db, org, users, results_campaign):  # noqa: F811
    publish(results_campaign)
    north = ClusterMembership.objects.get(unit=org.home, year=YEAR).cluster
    ClusterElection.objects.create(year=YEAR, cluster=north, unit=org.other)

    def verdict(unit):
        report = eligibility_for_unit(user=users.officer, unit=unit, award_code="COTDBO", year=YEAR, on=ON)
        return next(n.verdict for n in report.nominees if n.obj.pk == unit.pk)

    leader = verdict(org.other)
    assert leader.eligible is True
    home = verdict(org.home)
    assert home.eligible is False
    failed = {check.message_code for check in home.checks.walk() if not check.passed and not check.children}
    assert failed == {"not_cluster_lead", "not_cluster_elected"}


@pytest.mark.parametrize("state", [CampaignState.COUNCIL, CampaignState.APPRAISAL])
def test_unpublished_results_do_not_count(db, org, results_campaign, state):  # noqa: F811
    Campaign.objects.filter(pk=results_campaign.pk).update(state=state)
    assert org.other.pk not in cluster_results(YEAR)


def test_eligibility_page_shows_the_cluster_lead(client, org, users, results_campaign):  # noqa: F811
    publish(results_campaign)
    client.force_login(users.officer)
    response = client.get(
        reverse("commendations:eligibility"),
        {"award": "COTDBO", "unit": org.other.pk, "year": YEAR, "on": "15/12/2026"},
    )
    assert response.status_code == 200
    nominee = next(n for n in response.context["report"].nominees if n.obj.pk == org.other.pk)
    codes = {check.message_code for check in nominee.verdict.checks.walk() if not check.children}
    # leads its cluster; no election recorded yet, which the verdict says
    assert {"cluster_lead", "no_election_result"} <= codes
    assert nominee.eligible is False


def test_campaign_leaders_are_scored_once_per_campaign_version(db, org, results_campaign, django_assert_max_num_queries):  # noqa: F811
    publish(results_campaign)
    first = cluster_results(YEAR)
    with django_assert_max_num_queries(4):  # the campaigns, the elections: no scoring again
        assert cluster_results(YEAR) == first
    # a new version of the campaign (it changed) is scored again
    Campaign.objects.filter(pk=results_campaign.pk).update(version=results_campaign.version + 1)
    with CaptureQueriesContext(connection) as queries:
        assert cluster_results(YEAR) == first
    assert len(queries) > 4
