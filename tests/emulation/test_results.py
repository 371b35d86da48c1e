"""Results (kết quả thi đua): ranking per cluster with tie-breaks and votes, publication, one unit's
detail with who changed what, the Excel export; permissions and query counts."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import get_resolver, reverse

from emulation import services
from emulation.enums import CampaignState, ScorecardState
from emulation.models import Campaign, ScoreLine
from tests.emulation.test_appraisal import HOME_ENTRIES, build_scheme, line_of, make_scorecard
from tests.emulation.test_appraisal import MATRIX as APPRAISAL_MATRIX
from tests.factories import ClusterFactory, ClusterMembershipFactory, UnitFactory
from tests.factories.emulation import CampaignFactory


@pytest.fixture(autouse=True)
def _pages_in_english(client, settings):
    """These tests compare messages with their English msgids, so the pages are asked for in English
    (the Vietnamese catalogue is checked separately by manage.py check_translations)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


D = Decimal
# Total 25 like home's card, but with 10 points on line A.1 (home has 8): wins the tie-break.
TEN_ON_A1 = {
    "a1": {"points": D("10")},
    "a2": {"flag": True},
    "a3": {"value": D("80")},
    "b1": {"inputs": {"a": "10", "b": "10"}},
}
LOW = {"a1": {"points": D("4")}, "a2": {"flag": False}, "a3": {"value": D("50")}, "b1": {"inputs": {"a": "10", "b": "5"}}}


@pytest.fixture
def results_campaign(org, users):
    """Before the council: cluster North = other (25, A.1 = 10), home (25, A.1 = 8);
    cluster South = two identical units (vote) and a third whose A.1 the appraisal lowered."""
    scheme = build_scheme(name="Bảng tiêu chí kết quả", year=2026)
    campaign = CampaignFactory(name="Thi đua 2026", scheme=scheme, state=CampaignState.COUNCIL)
    north, south = ClusterFactory(name="Cụm phía Bắc", code="N"), ClusterFactory(name="Cụm phía Nam", code="S")
    south_units = [UnitFactory(name=name) for name in ("Sở Tư pháp Cần Thơ", "Sở Tư pháp Cà Mau", "Sở Tư pháp An Giang")]
    for unit in (org.home, org.other):
        ClusterMembershipFactory(cluster=north, unit=unit, year=2026)
    for unit in south_units:
        ClusterMembershipFactory(cluster=south, unit=unit, year=2026)
    cards = {
        "home": make_scorecard(campaign, org.home, HOME_ENTRIES, state=ScorecardState.FINAL),
        "other": make_scorecard(campaign, org.other, TEN_ON_A1, state=ScorecardState.FINAL),
        "can_tho": make_scorecard(campaign, south_units[0], HOME_ENTRIES, state=ScorecardState.FINAL),
        "ca_mau": make_scorecard(campaign, south_units[1], HOME_ENTRIES, state=ScorecardState.FINAL),
        "an_giang": make_scorecard(campaign, south_units[2], HOME_ENTRIES, state=ScorecardState.FINAL),
    }
    # the appraisal lowered An Giang's line A.1 from 8 to 6, with a reason, and the unit explained itself
    line = line_of(cards["an_giang"], "a1")
    ScoreLine.objects.filter(pk=line.pk).update(
        appraised=True, appr_points=D("6"), appraisal_reason="Kế hoạch ban hành muộn", response="Do thay đổi lãnh đạo"
    )
    campaign.cards = cards
    return campaign


def publish(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.PUBLISHED)


def test_ranking_per_cluster_with_a_tie_breaker_and_a_vote(client, users, org, results_campaign):
    client.force_login(users.officer)
    response = client.get(reverse("emulation:campaign_results", args=[results_campaign.pk]))
    assert response.status_code == 200
    north, south = response.context["results"].clusters
    assert north.cluster.name == "Cụm phía Bắc"
    assert [(r.position, r.scorecard.unit.name, r.total, r.grade_label, r.decided_by) for r in north.rows] == [
        (1, "Sở Tư pháp Hải Phòng", D("25"), "Xuất sắc", ""),
        (2, "Sở Tư pháp Hà Nội", D("25"), "Xuất sắc", "tie broken by line A.1"),
    ]
    assert [(r.position, r.scorecard.unit.name, r.decided_by) for r in south.rows] == [
        (1, "Sở Tư pháp Cà Mau", "decided by vote"),
        (1, "Sở Tư pháp Cần Thơ", "decided by vote"),
        (3, "Sở Tư pháp An Giang", ""),
    ]
    an_giang = south.rows[2]
    assert (an_giang.total, an_giang.self_total, an_giang.difference, an_giang.grade_label) == (D("23"), D("25"), D("-2"), "Tốt")
    # the breakdown per top-level section: A and B
    assert [section.code for section in response.context["results"].sections] == ["A", "B"]
    assert an_giang.sections == [D("14"), D("9")]
    page = response.content.decode()
    assert "tie broken by line A.1" in page and "decided by vote" in page
    assert reverse("emulation:result_detail", args=[an_giang.scorecard.pk]) in page


def test_results_are_hidden_from_units_before_publication_and_visible_after(client, users, results_campaign):
    url = reverse("emulation:campaign_results", args=[results_campaign.pk])
    for user in (users.staff, users.leader, users.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(users.council)
    assert client.get(url).status_code == 200
    publish(results_campaign)
    for user in (users.staff, users.leader, users.outsider):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["results"].clusters) == 2
        assert response.context["published"] is True


def test_result_detail_shows_lines_reasons_responses_and_who_changed_what(client, users, org, results_campaign):
    card = results_campaign.cards["home"]
    Campaign.objects.filter(pk=results_campaign.pk).update(state=CampaignState.APPRAISAL)
    card.state = ScorecardState.SUBMITTED
    card.save(update_fields=["state"])
    line = line_of(card, "a3")
    services.appraisal_save_line(
        actor=users.officer, line_id=line.pk, version=line.version,
        entry=services.LineInput(version=line.version, value=D("85")), reason="Số liệu chưa khớp báo cáo",
    )
    ScoreLine.objects.filter(pk=line.pk).update(response="Đã gửi bổ sung số liệu")
    publish(results_campaign)
    client.force_login(users.outsider)  # results are public once published
    response = client.get(reverse("emulation:result_detail", args=[card.pk]))
    assert response.status_code == 200
    [row] = [row for row in response.context["table"].lines if row.node.key == "a3"]
    assert (row.self_entry, row.appraised_entry, row.self_result.score, row.appraised_result.score) == ("95", "85", D("3"), D("0"))
    assert row.explanation  # how the score was reached, in words
    [change] = response.context["changes"]
    assert (change.actor, change.line, change.old, change.new, change.reason) == (
        "Hoàng Văn Thi", "A.3", "95", "85", "Số liệu chưa khớp báo cáo",
    )
    page = response.content.decode()
    assert "Số liệu chưa khớp báo cáo" in page and "Đã gửi bổ sung số liệu" in page
    assert "<td>A.3</td><td>95 → 85</td>" in page


def test_export_has_the_ranking_with_the_page_columns(client, users, results_campaign):
    client.force_login(users.officer)
    response = client.get(reverse("emulation:campaign_results_export", args=[results_campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows[0]) == 10  # cluster, position, unit, appraised, grade, self, difference, A, B, tie
    assert rows[0][7].startswith("A ") and rows[0][8].startswith("B ")
    assert rows[1][:7] == ("Cụm phía Bắc", 1, "Sở Tư pháp Hải Phòng", 25, "Xuất sắc", 25, 0)
    assert rows[2][2] == "Sở Tư pháp Hà Nội" and rows[2][9] == "tie broken by line A.1"
    assert [row[1] for row in rows[3:]] == [1, 1, 3]
    assert rows[5][2:9] == ("Sở Tư pháp An Giang", 23, "Tốt", 25, -2, 14, 9)


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("units", [1, 30])
def test_results_query_count_is_constant(client, users, django_assert_num_queries, units):
    scheme = build_scheme(name=f"Bảng {units}", year=2026)
    campaign = CampaignFactory(name=f"Thi đua {units}", scheme=scheme, state=CampaignState.PUBLISHED)
    cluster = ClusterFactory()
    for _ in range(units):
        unit = UnitFactory()
        ClusterMembershipFactory(cluster=cluster, unit=unit, year=2026)
        make_scorecard(campaign, unit, HOME_ENTRIES, state=ScorecardState.FINAL)
    client.force_login(users.officer)
    with django_assert_num_queries(16):
        response = client.get(reverse("emulation:campaign_results", args=[campaign.pk]))
    assert response.context["results"].unit_count == units


# --- Permissions -----------------------------------------------------------------------------------

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]
BEFORE = dict(anonymous=302, no_role=404, staff=403, leader=403, officer=200, council=200, admin=200, outsider=403)
AFTER = dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200)
MATRIX = {
    ("emulation:campaign_results", "unpublished"): BEFORE,
    ("emulation:campaign_results", "published"): AFTER,
    ("emulation:campaign_results_export", "unpublished"): BEFORE,
    ("emulation:campaign_results_export", "published"): AFTER,
    # before publication another unit's scorecard does not exist for the outsider (404)
    ("emulation:result_detail", "unpublished_card"): {**BEFORE, "outsider": 404},
    ("emulation:result_detail", "published_card"): AFTER,
    ("emulation:scheme_whatif", None): dict(anonymous=302, no_role=403, staff=403, leader=403, officer=200, council=403, admin=200, outsider=403),
}


@pytest.fixture
def result_objects(org, results_campaign):
    scheme = results_campaign.scheme
    published = CampaignFactory(name="Đã công bố", scheme=scheme, state=CampaignState.PUBLISHED)
    return {
        "unpublished": results_campaign,
        "unpublished_card": results_campaign.cards["home"],
        "published": published,
        "published_card": make_scorecard(published, org.home, HOME_ENTRIES, state=ScorecardState.FINAL),
    }


def matrix_cases():
    for (name, kind), expected in MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(matrix_cases()))
def test_results_permission_matrix(client, users, result_objects, url_name, kind, role, expected):
    if role != "anonymous":
        client.force_login(getattr(users, role))
    response = client.get(reverse(url_name, args=[result_objects[kind].pk] if kind else []))
    assert response.status_code == expected


def test_every_appraisal_and_results_url_is_in_a_permission_matrix():
    """Each URL served by emulation/views/appraisal.py or results.py has its role × object answers
    tested above or in test_appraisal.py; a new page without them fails here."""
    resolver = get_resolver().namespace_dict["emulation"][1]
    ours = set()
    for pattern in resolver.url_patterns:
        view = getattr(pattern.callback, "view_class", pattern.callback)
        if view.__module__ in ("emulation.views.appraisal", "emulation.views.results"):
            ours.add(f"emulation:{pattern.name}")
    covered = {name for name, _kind in MATRIX} | {name for name, _kind, _method in APPRAISAL_MATRIX}
    assert len(ours) == 10
    assert ours - covered == set()


@pytest.mark.parametrize("lines", [10, 300])
def test_result_detail_query_count_is_constant(client, users, org, django_assert_num_queries, lines):
    from tests.emulation.test_appraisal import _big_card

    card = _big_card(org, users.staff, f"Thi đua {lines}", lines)
    Campaign.objects.filter(pk=card.campaign_id).update(state=CampaignState.PUBLISHED)
    client.force_login(users.staff)
    with django_assert_num_queries(13):
        response = client.get(reverse("emulation:result_detail", args=[card.pk]))
    assert len(response.context["table"].lines) == lines
