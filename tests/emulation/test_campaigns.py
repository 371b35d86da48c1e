"""Campaign pages: the list with its filters, create and edit while a draft, the detail with its
participants and transitions (confirmation for opening and publishing), registrations; the
permission matrix and constant query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from emulation.enums import CampaignState, ScorecardState
from emulation.models import Campaign, Registration, Scorecard
from portal.models import AuditLog
from tests.factories import ClusterFactory, ClusterMembershipFactory, UnitFactory
from tests.factories.emulation import CampaignFactory, build_scheme, open_scorecard

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]


@pytest.fixture
def scheme(db):
    return build_scheme(lines=4, sections=2)


@pytest.fixture
def draft(scheme, org):
    """A draft campaign with home and other taking part (named, outside any cluster)."""
    campaign = CampaignFactory(scheme=scheme, name="Thi đua năm 2026 của các Sở Tư pháp")
    campaign.units.set([org.home, org.other])
    return campaign


@pytest.fixture
def opened(scheme, org):
    campaign = CampaignFactory(scheme=scheme, state=CampaignState.OPEN, name="Phong trào đã mở")
    campaign.units.set([org.home, org.other])
    open_scorecard(scheme=scheme, unit=org.home, campaign=campaign)
    open_scorecard(scheme=scheme, unit=org.other, campaign=campaign)
    return campaign


def campaign_form(scheme, **changes):
    data = {
        "name": "Phong trào thi đua chuyên đề 2026", "kind": "thematic", "year": "2026",
        "starts_on": "01/03/2026", "ends_on": "30/11/2026", "self_scoring_deadline": "15/11/2026",
        "response_days": "5", "scheme": str(scheme.pk),
    }
    data.update(changes)
    return data


# --- List -------------------------------------------------------------------------------------


def test_list_filters_by_year_and_state(client, users, scheme):
    CampaignFactory(scheme=scheme, name="Năm 2025", year=2025, state=CampaignState.PUBLISHED)
    CampaignFactory(scheme=scheme, name="Năm 2026 nháp", year=2026)
    CampaignFactory(scheme=scheme, name="Năm 2026 mở", year=2026, state=CampaignState.OPEN)
    client.force_login(users.staff)
    names = lambda response: [c.name for c in response.context["page_obj"]]  # noqa: E731
    assert names(client.get(reverse("emulation:home"), {"year": "2026"})) == ["Năm 2026 mở", "Năm 2026 nháp"]
    assert names(client.get(reverse("emulation:home"), {"state": "published"})) == ["Năm 2025"]
    assert names(client.get(reverse("emulation:home"), {"year": "2026", "state": "open"})) == ["Năm 2026 mở"]
    assert client.get(reverse("emulation:home")).context["years"] == [2026, 2025]


def test_list_with_hostile_parameters_answers_200(client, users, draft):
    client.force_login(users.staff)
    for params in ({"year": "²"}, {"state": "x"}, {"page": "9" * 30}, {"year": "-1"}):
        response = client.get(reverse("emulation:home"), params)
        assert response.status_code == 200
        assert response.context["page_obj"].object_list


def test_list_links_the_users_own_scorecard(client, users, opened):
    client.force_login(users.staff)
    response = client.get(reverse("emulation:home"))
    row = next(c for c in response.context["page_obj"] if c.pk == opened.pk)
    assert [card.unit.code for card in row.own_scorecards] == ["STP-HN"]
    client.force_login(users.officer)
    response = client.get(reverse("emulation:home"))
    assert next(c for c in response.context["page_obj"] if c.pk == opened.pk).own_scorecards == []


def test_user_without_a_role_sees_an_empty_list(client, users, draft):
    client.force_login(users.no_role)
    response = client.get(reverse("emulation:home"))
    assert response.status_code == 200 and list(response.context["page_obj"]) == []


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_does_not_grow_with_rows(client, users, scheme, org, count, django_assert_num_queries):
    for index in range(count):
        campaign = CampaignFactory(scheme=scheme, name=f"Phong trào {index:02d}", state=CampaignState.OPEN)
        open_scorecard(scheme=scheme, unit=org.home, campaign=campaign)
    client.force_login(users.staff)
    with django_assert_num_queries(10):
        response = client.get(reverse("emulation:home"))
    assert response.context["page_obj"].paginator.count == count
    assert len(response.context["page_obj"]) == min(count, 25)


# --- Create and edit -------------------------------------------------------------------------------


def test_officer_creates_a_draft_campaign_with_clusters_and_units(client, users, scheme, org):
    cluster = ClusterFactory()
    client.force_login(users.officer)
    response = client.post(
        reverse("emulation:campaign_create"), {**campaign_form(scheme), "clusters": [cluster.pk], "units": [org.other.pk]}
    )
    campaign = Campaign.objects.get(name="Phong trào thi đua chuyên đề 2026")
    assert response.status_code == 302 and response["Location"] == reverse("emulation:campaign_detail", args=[campaign.pk])
    assert (campaign.state, campaign.kind, campaign.starts_on, campaign.self_scoring_deadline) == (
        CampaignState.DRAFT, "thematic", date(2026, 3, 1), date(2026, 11, 15)
    )
    assert list(campaign.clusters.all()) == [cluster] and list(campaign.units.all()) == [org.other]
    assert AuditLog.objects.filter(action="emulation.campaign.created", object_id=str(campaign.pk)).exists()


def test_a_campaign_that_ends_before_it_starts_is_refused_and_keeps_the_input(client, users, scheme):
    client.force_login(users.officer)
    response = client.post(reverse("emulation:campaign_create"), campaign_form(scheme, ends_on="01/01/2026"))
    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"]
    assert 'value="Phong trào thi đua chuyên đề 2026"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_edit_changes_a_draft_and_records_what_changed(client, users, draft, org):
    client.force_login(users.officer)
    url = reverse("emulation:campaign_edit", args=[draft.pk])
    assert client.get(url).context["form"].initial["name"] == draft.name
    response = client.post(url, {**campaign_form(draft.scheme, name="Tên mới"), "units": [org.home.pk], "version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.version, list(draft.units.all())) == ("Tên mới", 2, [org.home])
    entry = AuditLog.objects.get(action="emulation.campaign.changed")
    assert entry.data["changes"]["name"] == ["Thi đua năm 2026 của các Sở Tư pháp", "Tên mới"]


def test_edit_with_a_stale_version_changes_nothing(client, users, draft):
    client.force_login(users.officer)
    url = reverse("emulation:campaign_edit", args=[draft.pk])
    response = client.post(url, {**campaign_form(draft.scheme, name="Tên mới"), "version": draft.version - 1 or 99})
    assert response.status_code == 400
    assert Campaign.objects.get(pk=draft.pk).name == draft.name
    assert 'value="Tên mới"' in response.content.decode()


def test_an_open_campaign_cannot_be_edited(client, users, opened):
    client.force_login(users.officer)
    url = reverse("emulation:campaign_edit", args=[opened.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {**campaign_form(opened.scheme, name="Đổi tên"), "version": opened.version})
    assert response.status_code == 403 and Campaign.objects.get(pk=opened.pk).name == "Phong trào đã mở"


# --- Detail and transitions -------------------------------------------------------------------------


def test_detail_shows_participants_with_their_scorecards_within_scope(client, users, opened, org):
    Scorecard.objects.filter(campaign=opened, unit=org.home).update(self_total=Decimal("87.5"), state=ScorecardState.SUBMITTED)
    Scorecard.objects.filter(campaign=opened, unit=org.other).update(self_total=Decimal("91"))
    client.force_login(users.staff)
    response = client.get(reverse("emulation:campaign_detail", args=[opened.pk]))
    rows = {row.unit.code: row for row in response.context["participants"]}
    assert rows["STP-HN"].scorecard.state == ScorecardState.SUBMITTED and rows["STP-HN"].self_total_text == "87,5"
    assert rows["STP-HP"].self_total_text == "—"  # another unit's total stays hidden from home's staff
    assert response.context["transitions"] == []
    client.force_login(users.officer)
    response = client.get(reverse("emulation:campaign_detail", args=[opened.pk]))
    rows = {row.unit.code: row for row in response.context["participants"]}
    assert rows["STP-HP"].self_total_text == "91"
    assert [t["action"] for t in response.context["transitions"]] == ["start_appraisal"]


def test_opening_asks_for_confirmation_then_freezes_the_scheme_and_creates_scorecards(client, users, draft, org):
    seated = UnitFactory(code="STP-DN", name="Sở Tư pháp Đà Nẵng")
    cluster = ClusterFactory()
    ClusterMembershipFactory(cluster=cluster, unit=seated, year=draft.year)
    draft.clusters.set([cluster])
    client.force_login(users.officer)
    detail = client.get(reverse("emulation:campaign_detail", args=[draft.pk])).content.decode()
    confirm_url = reverse("emulation:campaign_transition", args=[draft.pk, "open"])
    assert f'href="{confirm_url}"' in detail  # a link to the confirmation, not a direct POST
    page = client.get(confirm_url)
    assert page.status_code == 200 and len(page.context["participants"]) == 3
    assert Campaign.objects.get(pk=draft.pk).state == CampaignState.DRAFT
    response = client.post(confirm_url, {"version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == CampaignState.OPEN and draft.scheme.frozen_at is not None
    cards = Scorecard.objects.filter(campaign=draft)
    assert sorted(cards.values_list("unit__code", flat=True)) == ["STP-DN", "STP-HN", "STP-HP"]
    assert all(card.lines.count() == 4 for card in cards)
    assert AuditLog.objects.filter(action="emulation.campaign.transition").count() == 1


def test_a_refused_transition_says_why(client, users, opened):
    client.force_login(users.officer)
    response = client.post(
        reverse("emulation:campaign_transition", args=[opened.pk, "publish"]), {"version": opened.version}, follow=True
    )
    assert Campaign.objects.get(pk=opened.pk).state == CampaignState.OPEN
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    response = client.post(reverse("emulation:campaign_transition", args=[opened.pk, "start_appraisal"]), {"version": 99})
    assert Campaign.objects.get(pk=opened.pk).state == CampaignState.OPEN
    response = client.post(reverse("emulation:campaign_transition", args=[opened.pk, "start_appraisal"]), {"version": opened.version})
    assert Campaign.objects.get(pk=opened.pk).state == CampaignState.APPRAISAL


def test_an_unknown_transition_is_404(client, users, draft):
    client.force_login(users.officer)
    assert client.post(reverse("emulation:campaign_transition", args=[draft.pk, "delete"]), {"version": 1}).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_detail_query_count_does_not_grow_with_participants(client, users, scheme, count, django_assert_num_queries):
    campaign = CampaignFactory(scheme=scheme, state=CampaignState.OPEN)
    for _index in range(count):
        unit = UnitFactory()
        open_scorecard(scheme=scheme, unit=unit, campaign=campaign)
        Registration.objects.create(campaign=campaign, unit=unit, target="Cờ thi đua", registered_by=users.officer)
    client.force_login(users.officer)
    with django_assert_num_queries(10):
        response = client.get(reverse("emulation:campaign_detail", args=[campaign.pk]))
    assert len(response.context["participants"]) == count


@pytest.mark.parametrize("count", [1, 30])
def test_draft_detail_query_count_does_not_grow_with_participants(client, users, scheme, count, django_assert_num_queries):
    campaign = CampaignFactory(scheme=scheme)
    cluster = ClusterFactory()
    for _index in range(count):
        ClusterMembershipFactory(cluster=cluster, unit=UnitFactory(), year=campaign.year)
    campaign.clusters.set([cluster])
    client.force_login(users.staff)
    with django_assert_num_queries(13):
        response = client.get(reverse("emulation:campaign_detail", args=[campaign.pk]))
    assert len(response.context["participants"]) == count


# --- Registration --------------------------------------------------------------------------------


def test_staff_registers_their_unit_while_the_campaign_is_a_draft(client, users, draft, org):
    client.force_login(users.staff)
    detail = client.get(reverse("emulation:campaign_detail", args=[draft.pk]))
    assert list(detail.context["register_form"].fields["unit"].queryset) == [org.home]
    response = client.post(
        reverse("emulation:campaign_register", args=[draft.pk]),
        {"unit": org.home.pk, "target": "Cờ thi đua của Bộ Tư pháp", "commitments": "Hoàn thành 100% nhiệm vụ"},
    )
    assert response.status_code == 302
    registration = Registration.objects.get(campaign=draft, unit=org.home)
    assert (registration.target, registration.registered_by) == ("Cờ thi đua của Bộ Tư pháp", users.staff)
    # registering again replaces the target
    client.post(reverse("emulation:campaign_register", args=[draft.pk]), {"unit": org.home.pk, "target": "Bằng khen"})
    assert Registration.objects.get(campaign=draft, unit=org.home).target == "Bằng khen"


def test_registering_another_unit_is_refused(client, users, draft, org):
    client.force_login(users.staff)
    response = client.post(reverse("emulation:campaign_register", args=[draft.pk]), {"unit": org.other.pk, "target": "Cờ"})
    assert response.status_code == 400 and response.context["form"].errors["unit"]
    assert not Registration.objects.exists()


def test_registration_closes_when_the_campaign_opens(client, users, opened, org):
    client.force_login(users.staff)
    response = client.post(reverse("emulation:campaign_register", args=[opened.pk]), {"unit": org.home.pk, "target": "Cờ"})
    assert response.status_code == 403 and not Registration.objects.exists()
    assert client.get(reverse("emulation:campaign_detail", args=[opened.pk])).context["register_form"] is None


# --- Permissions ---------------------------------------------------------------------------------


@pytest.fixture
def objects(draft, opened):
    return {"draft": draft, "opened": opened}


GET_MATRIX = {
    ("emulation:home", None): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("emulation:campaign_create", None): dict(anonymous=302, no_role=403, staff=403, leader=403, officer=200, council=403, admin=200, outsider=403),
    ("emulation:campaign_detail", "draft"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("emulation:campaign_detail", "opened"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200),
    ("emulation:campaign_edit", "draft"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=200, council=403, admin=200, outsider=403),
    ("emulation:campaign_edit", "opened"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=403, council=403, admin=403, outsider=403),
    ("emulation:campaign_transition", "draft"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=200, council=403, admin=200, outsider=403),
    ("emulation:campaign_register", "draft"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=403, outsider=200),
    ("emulation:campaign_register", "opened"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=403, council=403, admin=403, outsider=403),
}


def login(client, users, role):
    if role != "anonymous":
        client.force_login(getattr(users, role))


def url_for(name, obj):
    if name == "emulation:campaign_transition":
        return reverse(name, args=[obj.pk, "open"])
    return reverse(name, args=[obj.pk] if obj is not None else [])


def get_cases():
    for (name, kind), expected in GET_MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(get_cases()))
def test_campaign_get_matrix(client, users, objects, url_name, kind, role, expected):
    login(client, users, role)
    response = client.get(url_for(url_name, objects.get(kind)))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


# POSTs: 302 after the action (checked in the database), 404 outside scope, 403 not allowed.
POST_MATRIX = {
    "create": dict(anonymous=302, no_role=403, staff=403, leader=403, officer=302, council=403, admin=302, outsider=403),
    "edit": dict(anonymous=302, no_role=404, staff=403, leader=403, officer=302, council=403, admin=302, outsider=403),
    "open": dict(anonymous=302, no_role=404, staff=403, leader=403, officer=302, council=403, admin=302, outsider=403),
    "register-home": dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=403, outsider=400),
}


def post_action(case, objects, org):
    draft = objects["draft"]
    if case == "create":
        return reverse("emulation:campaign_create"), campaign_form(draft.scheme, name="Mới tạo"), lambda: Campaign.objects.filter(name="Mới tạo").exists()
    if case == "edit":
        data = {**campaign_form(draft.scheme, name="Đã sửa"), "version": draft.version, "units": [org.home.pk, org.other.pk]}
        return reverse("emulation:campaign_edit", args=[draft.pk]), data, lambda: Campaign.objects.filter(name="Đã sửa").exists()
    if case == "open":
        return (
            reverse("emulation:campaign_transition", args=[draft.pk, "open"]), {"version": draft.version},
            lambda: Campaign.objects.get(pk=draft.pk).state == CampaignState.OPEN,
        )
    return (
        reverse("emulation:campaign_register", args=[draft.pk]), {"unit": org.home.pk, "target": "Cờ thi đua"},
        lambda: Registration.objects.filter(campaign=draft, unit=org.home).exists(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(POST_MATRIX))
def test_campaign_post_matrix(client, users, objects, org, role, case):
    url, data, done = post_action(case, objects, org)
    login(client, users, role)
    response = client.post(url, data)
    expected = POST_MATRIX[case][role]
    assert response.status_code == expected
    assert done() is (expected == 302 and role != "anonymous")


def urls_served_by(module: str) -> set[str]:
    """Names of the emulation URLs whose view lives in `module`."""
    from django.urls import get_resolver

    resolver = get_resolver().namespace_dict["emulation"][1]
    return {
        f"emulation:{pattern.name}"
        for pattern in resolver.url_patterns
        if getattr(getattr(pattern.callback, "view_class", None), "__module__", None) == module
    }


def test_every_campaign_url_is_in_the_permission_matrix():
    served = urls_served_by("emulation.views.campaigns")
    assert "emulation:home" in served
    assert served - {name for name, _kind in GET_MATRIX} == set()
