"""What-if runs: the pure comparison (no database) and the page that gathers last year's scorecards."""

from decimal import Decimal

import pytest
from django.urls import reverse

from emulation import engine
from emulation.enums import NodeKind, ScorecardState
from emulation.whatif import Case, compare

D = Decimal


def _scheme(max_a: str, max_b: str, *, extra: engine.Node | None = None) -> engine.Scheme:
    children = [
        engine.Node(key="a", kind="manual", max_points=D(max_a)),
        engine.Node(key="b", kind="manual", max_points=D(max_b)),
    ]
    if extra is not None:
        children.append(extra)
    return engine.Scheme(
        root=engine.Node(key="root", kind="group", children=tuple(children)),
        grades=(engine.Grade("excellent", "Xuất sắc", D("14")), engine.Grade("good", "Tốt", D("8"))),
    )


def _case(unit: str, a: str, b: str, cluster="c1") -> Case:
    return Case(
        unit=unit,
        cluster=cluster,
        inputs=engine.UnitInputs(entries={"a": engine.Entry(points=D(a)), "b": engine.Entry(points=D(b))}),
    )


def test_compare_shows_a_rank_change_when_the_draft_changes_a_line_max_points():
    # Old scheme: both lines worth 10. X: 10 + 4 = 14 (1st), Y: 6 + 7 = 13 (2nd).
    # The draft lowers line "a" to 5 points: X: 5 + 4 = 9, Y: 5 + 7 = 12 — Y overtakes X.
    old, new = _scheme("10", "10"), _scheme("5", "10")
    [cluster] = compare(old, new, [_case("X", "10", "4"), _case("Y", "6", "7")])
    rows = {row.unit: row for row in cluster.rows}
    assert [row.unit for row in cluster.rows] == ["Y", "X"]
    assert (rows["X"].old.position, rows["X"].new.position, rows["X"].direction, rows["X"].places_up) == (1, 2, "down", -1)
    assert (rows["Y"].old.position, rows["Y"].new.position, rows["Y"].direction, rows["Y"].places_up) == (2, 1, "up", 1)
    assert rows["X"].old.total == D("14") and rows["X"].new.total == D("9")
    assert rows["X"].total_change == D("-5")
    assert (rows["X"].old.grade_label, rows["X"].new.grade_label, rows["X"].grade_changed) == ("Xuất sắc", "Tốt", True)
    assert rows["Y"].grade_changed is False and rows["Y"].new.grade == "good"
    assert cluster.rank_changes == 2


def test_compare_same_scheme_changes_nothing():
    scheme = _scheme("10", "10")
    [cluster] = compare(scheme, scheme, [_case("X", "10", "4"), _case("Y", "6", "7")])
    assert [row.changed for row in cluster.rows] == [False, False]
    assert [row.direction for row in cluster.rows] == ["same", "same"]


def test_compare_counts_a_line_the_old_cards_lack_as_empty():
    # The draft adds a yes/no line "c" that nobody entered last year: it scores 0 for everyone.
    extra = engine.Node(key="c", kind="yes_no", max_points=D("5"))
    [cluster] = compare(_scheme("10", "10"), _scheme("10", "10", extra=extra), [_case("X", "10", "4")])
    [row] = cluster.rows
    assert row.new.total == row.old.total == D("14")
    assert row.direction == "same"


def test_compare_ranks_each_cluster_on_its_own():
    old, new = _scheme("10", "10"), _scheme("5", "10")
    cases = [_case("X", "10", "4", "north"), _case("Y", "6", "7", "south"), _case("Z", "1", "1", "south")]
    clusters = compare(old, new, cases)
    assert [cluster.cluster for cluster in clusters] == ["north", "south"]
    assert [(row.unit, row.old.position, row.new.position) for row in clusters[0].rows] == [("X", 1, 1)]
    assert [(row.unit, row.new.position) for row in clusters[1].rows] == [("Y", 1), ("Z", 2)]


# --- The page --------------------------------------------------------------------------------


@pytest.fixture
def last_year(org):
    """Last year's published campaign: two units of one cluster with final scorecards.

    Line 1 (max 10) and line 2 (max 10): home 10 + 4 = 14 (1st), other 6 + 7 = 13 (2nd).
    """
    from emulation.enums import CampaignState
    from tests.emulation.test_appraisal import make_scorecard
    from tests.factories import ClusterMembershipFactory
    from tests.factories.emulation import CampaignFactory, SchemeFactory, SchemeNodeFactory

    scheme = SchemeFactory(name="Bảng tiêu chí 2025", year=2025)
    SchemeNodeFactory(scheme=scheme, key="l1", code="1", max_points=D("10"), position=0)
    SchemeNodeFactory(scheme=scheme, key="l2", code="2", max_points=D("10"), position=1)
    campaign = CampaignFactory(name="Thi đua năm 2025", year=2025, scheme=scheme, state=CampaignState.PUBLISHED)
    membership = ClusterMembershipFactory(unit=org.home, year=2025)
    ClusterMembershipFactory(unit=org.other, year=2025, cluster=membership.cluster)
    make_scorecard(campaign, org.home, {"l1": {"points": D("10")}, "l2": {"points": D("4")}}, state=ScorecardState.FINAL)
    make_scorecard(campaign, org.other, {"l1": {"points": D("6")}, "l2": {"points": D("7")}}, state=ScorecardState.FINAL)
    return campaign


@pytest.fixture
def draft(org):
    """This year's draft: line 1 is now worth 5 points; a new line 3 nobody entered last year."""
    from tests.factories.emulation import SchemeFactory, SchemeNodeFactory

    scheme = SchemeFactory(name="Bảng tiêu chí 2026", year=2026)
    SchemeNodeFactory(scheme=scheme, key="l1", code="1", max_points=D("5"), position=0)
    SchemeNodeFactory(scheme=scheme, key="l2", code="2", max_points=D("10"), position=1)
    SchemeNodeFactory(scheme=scheme, key="l3", code="3", kind=NodeKind.YES_NO, max_points=D("5"), position=2)
    return scheme


def test_whatif_page_shows_the_rank_change(client, users, org, last_year, draft):
    client.force_login(users.officer)
    response = client.get(reverse("emulation:scheme_whatif"), {"scheme": draft.pk, "campaign": last_year.pk})
    assert response.status_code == 200
    [cluster] = response.context["run"].clusters
    moves = {item.unit.code: (item.change.old.position, item.change.new.position, item.change.direction) for item in cluster.rows}
    assert moves == {org.home.code: (1, 2, "down"), org.other.code: (2, 1, "up")}
    page = response.content.decode()
    assert "▲" in page and "▼" in page
    assert 'data-direction="up"' in page and 'data-direction="down"' in page
    assert response.context["run"].rank_changes == 2


def test_whatif_page_chooses_last_year_campaign_by_default(client, users, last_year, draft):
    client.force_login(users.officer)
    response = client.get(reverse("emulation:scheme_whatif"), {"scheme": draft.pk})
    assert response.status_code == 200
    assert response.context["campaign"] == last_year
    assert response.context["run"] is not None


def test_whatif_refuses_a_frozen_scheme(client, users, last_year):
    client.force_login(users.officer)
    frozen = last_year.scheme
    frozen.frozen_at = frozen.created_at
    frozen.save(update_fields=["frozen_at"])
    response = client.get(reverse("emulation:scheme_whatif"), {"scheme": frozen.pk, "campaign": last_year.pk})
    assert response.status_code == 400
    assert response.context["run"] is None


def test_whatif_ignores_draft_scorecards(client, users, org, last_year, draft):
    from tests.emulation.test_appraisal import make_scorecard
    from tests.factories import UnitFactory

    make_scorecard(last_year, UnitFactory(), {"l1": {"points": D("10")}}, state=ScorecardState.DRAFT)
    client.force_login(users.officer)
    response = client.get(reverse("emulation:scheme_whatif"), {"scheme": draft.pk, "campaign": last_year.pk})
    assert response.context["run"].unit_count == 2


@pytest.mark.parametrize("units", [1, 30])
def test_whatif_query_count_is_constant(client, users, django_assert_num_queries, units):
    from emulation.enums import CampaignState
    from tests.emulation.test_appraisal import make_scorecard
    from tests.factories import ClusterFactory, ClusterMembershipFactory, UnitFactory
    from tests.factories.emulation import CampaignFactory, SchemeFactory, SchemeNodeFactory

    old = SchemeFactory(name="Cũ", year=2025)
    new = SchemeFactory(name="Mới", year=2026)
    for scheme, top in ((old, "10"), (new, "5")):
        SchemeNodeFactory(scheme=scheme, key="l1", max_points=D(top), position=0)
    campaign = CampaignFactory(year=2025, scheme=old, state=CampaignState.PUBLISHED)
    cluster = ClusterFactory()
    for index in range(units):
        unit = UnitFactory()
        ClusterMembershipFactory(cluster=cluster, unit=unit, year=2025)
        make_scorecard(campaign, unit, {"l1": {"points": D(index % 10)}}, state=ScorecardState.FINAL)
    client.force_login(users.officer)
    with django_assert_num_queries(17):
        response = client.get(reverse("emulation:scheme_whatif"), {"scheme": new.pk, "campaign": campaign.pk})
    assert response.context["run"].unit_count == units
