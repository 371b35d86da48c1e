"""Appraisal (thẩm định): line by line with reasons, conflicts between two officers, sending to the
unit, the unit's response within its window, the final appraisal; permissions and query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from emulation import services
from emulation.enums import CampaignState, NodeKind, ScorecardState
from emulation.models import Evidence, Scorecard, ScoreLine
from emulation.selectors_results import appraisal_changes, line_changes
from portal.enums import Role
from portal.models import AuditLog
from tests.factories import ClusterMembershipFactory, user_with_role
from tests.factories.emulation import CampaignFactory, SchemeFactory, SchemeNodeFactory


@pytest.fixture(autouse=True)
def _pages_in_english(client, settings):
    """These tests compare messages with their English msgids, so the pages are asked for in English
    (the Vietnamese catalogue is checked separately by manage.py check_translations)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


D = Decimal
LEAF_KINDS = {NodeKind.MANUAL, NodeKind.YES_NO, NodeKind.TIERED, NodeKind.LATENESS, NodeKind.FORMULA, NodeKind.AUTO}


def make_scorecard(campaign, unit, entries=None, *, state=ScorecardState.SUBMITTED, **fields) -> Scorecard:
    """A scorecard with a line for every scored node; `entries` gives the unit's entry by node key
    ({"points": ..., "flag": ..., "value": ..., "inputs": {...}, "note": ...})."""
    card = Scorecard.objects.create(campaign=campaign, unit=unit, state=state, **fields)
    entries = entries or {}
    ScoreLine.objects.bulk_create(
        [
            ScoreLine(
                scorecard=card,
                node=node,
                self_points=entries.get(node.key, {}).get("points"),
                self_flag=entries.get(node.key, {}).get("flag"),
                self_value=entries.get(node.key, {}).get("value"),
                self_inputs=entries.get(node.key, {}).get("inputs", {}),
                self_note=entries.get(node.key, {}).get("note", ""),
            )
            for node in campaign.scheme.nodes.filter(kind__in=LEAF_KINDS)
        ]
    )
    return card


def line_of(card, key) -> ScoreLine:
    return ScoreLine.objects.select_related("node").get(scorecard=card, node__key=key)


def build_scheme(**scheme_fields):
    """A small table: A (max 20) = 1 manual (10, step 0,25) + 2 yes/no (5) + 3 tiered (5);
    B (max 10) = 1 formula b / a * 10. Excellent ≥ 25, good ≥ 15; ties broken by line A.1."""
    scheme = SchemeFactory(**scheme_fields)
    a = SchemeNodeFactory(scheme=scheme, key="A", code="A", title="Công tác chỉ đạo", kind=NodeKind.GROUP, max_points=D("20"), position=0)
    SchemeNodeFactory(scheme=scheme, parent=a, key="a1", code="1", title="Ban hành kế hoạch", max_points=D("10"), step=D("0.25"), position=0)
    SchemeNodeFactory(scheme=scheme, parent=a, key="a2", code="2", title="Tổ chức phát động", kind=NodeKind.YES_NO, max_points=D("5"), position=1)
    SchemeNodeFactory(
        scheme=scheme, parent=a, key="a3", code="3", title="Tỷ lệ hoàn thành đúng hạn", kind=NodeKind.TIERED, max_points=D("5"), position=2,
        tiers=[
            {"points": "5", "lower": "100", "upper": None, "lower_inclusive": True, "upper_inclusive": False},
            {"points": "3", "lower": "90", "upper": "100", "lower_inclusive": True, "upper_inclusive": False},
            {"points": "0", "lower": None, "upper": "90", "lower_inclusive": True, "upper_inclusive": False},
        ],
    )
    b = SchemeNodeFactory(scheme=scheme, key="B", code="B", title="Kết quả thực hiện", kind=NodeKind.GROUP, max_points=D("10"), position=1)
    SchemeNodeFactory(
        scheme=scheme, parent=b, key="b1", code="1", title="Tỷ lệ báo cáo đúng hạn", kind=NodeKind.FORMULA, max_points=D("10"), position=0,
        formula="b / a * 10", inputs=["a", "b"],
    )
    scheme.grades.create(key="excellent", label="Xuất sắc", min_total=D("25"), position=0)
    scheme.grades.create(key="good", label="Tốt", min_total=D("15"), position=1)
    scheme.tie_breakers.create(kind="node", ref="a1", position=0)
    return scheme


# Self total 8 + 5 + 3 + 9 = 25 (excellent).
HOME_ENTRIES = {
    "a1": {"points": D("8"), "note": "Kế hoạch số 12/KH-STP"},
    "a2": {"flag": True},
    "a3": {"value": D("95")},
    "b1": {"inputs": {"a": "10", "b": "9"}},
}


@pytest.fixture
def scheme(db):
    return build_scheme(name="Bảng tiêu chí Sở Tư pháp", year=2026)


@pytest.fixture
def campaign(scheme, org):
    campaign = CampaignFactory(name="Thi đua năm 2026", scheme=scheme, state=CampaignState.APPRAISAL)
    seat = ClusterMembershipFactory(unit=org.home, year=campaign.year)
    ClusterMembershipFactory(unit=org.other, year=campaign.year, cluster=seat.cluster)
    campaign.clusters.add(seat.cluster)
    return campaign


@pytest.fixture
def card(campaign, org):
    """Home's submitted scorecard."""
    return make_scorecard(campaign, org.home, HOME_ENTRIES)


@pytest.fixture
def appraised_card(campaign, org, users):
    """Home's scorecard after the appraisal changed line A.1 from 8 to 6 and was sent to the unit."""
    card = make_scorecard(campaign, org.home, HOME_ENTRIES)
    line = line_of(card, "a1")
    services.appraisal_save_line(
        actor=users.officer, line_id=line.pk, version=line.version,
        entry=services.LineInput(version=line.version, points=D("6")), reason="Kế hoạch ban hành muộn",
    )
    card.refresh_from_db()
    services.scorecard_send_appraisal(actor=users.officer, scorecard_id=card.pk, version=card.version)
    card.refresh_from_db()
    return card


@pytest.fixture
def second_officer(org):
    return user_with_role(Role.EMULATION_OFFICER, org.ministry, name="Trịnh Văn Định")


def appraise_post(line, **values):
    """The line form's POST data (prefix l<pk>)."""
    data = {"version": line.version, "decision": "change", "reason": ""}
    data.update(values)
    return {f"l{line.pk}-{name}": value for name, value in data.items()}


# --- Accepting and changing lines ---------------------------------------------------------------


def test_change_without_a_reason_is_refused_and_keeps_the_typed_value(client, users, card):
    line = line_of(card, "a1")
    client.force_login(users.officer)
    response = client.post(reverse("emulation:line_appraise", args=[line.pk]), appraise_post(line, points="6,5"))
    assert response.status_code == 400
    assert "Give the reason for changing the unit&#x27;s score." in response.content.decode()
    assert f'name="l{line.pk}-points" id="id_l{line.pk}-points" value="6,5"' in response.content.decode()
    line.refresh_from_db()
    assert (line.appraised, line.appr_points, line.appraised_at) == (False, None, None)


def test_accepting_needs_no_reason(client, users, card):
    line = line_of(card, "a1")
    client.force_login(users.officer)
    response = client.post(reverse("emulation:line_appraise", args=[line.pk]), appraise_post(line, decision="accept"))
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.appraised is False
    assert line.appraised_by == users.officer and line.appraised_at is not None
    assert line.appraisal_reason == ""


def test_typing_the_unit_entry_again_counts_as_accepting(client, users, card):
    line = line_of(card, "b1")
    client.force_login(users.officer)
    response = client.post(reverse("emulation:line_appraise", args=[line.pk]), appraise_post(line, input_a="10,0", input_b="9"))
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.appraised is False and line.appraised_at is not None


def test_change_with_a_reason_is_saved_and_audited(client, users, card):
    line = line_of(card, "a1")
    client.force_login(users.officer)
    response = client.post(
        reverse("emulation:line_appraise", args=[line.pk]), appraise_post(line, points="6,5", reason="Thiếu minh chứng")
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.appraised, line.appr_points, line.appraisal_reason) == (True, D("6.5"), "Thiếu minh chứng")
    entry = AuditLog.objects.get(action="emulation.scorecard.line_appraised")
    assert entry.actor == users.officer
    assert entry.data == {"line": "1", "key": "a1", "old": "8.00", "new": "6.5", "reason": "Thiếu minh chứng"}
    [change] = line_changes(card, codes={"a1": "A.1"})
    assert (change.actor, change.line, change.old, change.new, change.reason) == (
        "Hoàng Văn Thi", "A.1", "8", "6,5", "Thiếu minh chứng",
    )


def test_the_audit_says_who_changed_what_over_two_changes(users, card, second_officer):
    line = line_of(card, "a2")
    services.appraisal_save_line(
        actor=users.officer, line_id=line.pk, version=line.version,
        entry=services.LineInput(version=line.version, flag=False), reason="Chưa tổ chức phát động",
    )
    line.refresh_from_db()
    services.appraisal_save_line(
        actor=second_officer, line_id=line.pk, version=line.version,
        entry=services.LineInput(version=line.version, flag=True), reason="",
    )
    changes = line_changes(card)
    # the second officer accepted the unit's entry again: listed, since it changed the appraisal
    yes, no = gettext("Yes"), gettext("No")
    assert [(c.actor, c.line, c.old, c.new) for c in changes] == [
        ("Trịnh Văn Định", "2", no, yes),
        ("Hoàng Văn Thi", "2", yes, no),
    ]


def test_points_above_the_line_max_are_refused(client, users, card):
    line = line_of(card, "a1")
    client.force_login(users.officer)
    response = client.post(reverse("emulation:line_appraise", args=[line.pk]), appraise_post(line, points="12", reason="x"))
    assert response.status_code == 400
    assert "At most 10 points on this line." in response.content.decode()


def test_htmx_save_returns_the_row_and_the_new_totals(client, users, card):
    line = line_of(card, "a1")
    client.force_login(users.officer)
    response = client.post(
        reverse("emulation:line_appraise", args=[line.pk]),
        appraise_post(line, points="6", reason="Thiếu minh chứng"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith(f'<tr id="line-{line.pk}"')
    assert 'id="appraisedTotal" hx-swap-oob="true">23<' in page
    assert 'id="appraisedGrade" hx-swap-oob="true">Tốt<' in page


# --- Two officers on one line --------------------------------------------------------------------


def test_second_officer_gets_a_conflict_with_both_values_and_keeps_the_input(client, users, card, second_officer, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"  # this test reads Vietnamese number formatting
    line = line_of(card, "a1")
    stale_version = line.version
    services.appraisal_save_line(
        actor=second_officer, line_id=line.pk, version=stale_version,
        entry=services.LineInput(version=stale_version, points=D("7")), reason="Chỉ đạt một phần",
    )
    client.force_login(users.officer)
    response = client.post(
        reverse("emulation:line_appraise", args=[line.pk]),
        appraise_post(line, version=stale_version, points="5,5", reason="Không có minh chứng"),
    )
    assert response.status_code == 409
    [row] = [row for row in response.context["table"].lines if row.line.pk == line.pk]
    assert (row.conflict.by, row.conflict.theirs, row.conflict.their_reason) == ("Trịnh Văn Định", "7", "Chỉ đạt một phần")
    assert (row.conflict.yours, row.conflict.your_reason) == ("5,5", "Không có minh chứng")
    page = response.content.decode()
    assert 'data-testid="theirs">7<' in page and 'data-testid="yours">5,5<' in page
    assert 'value="5,5"' in page and ">Không có minh chứng</textarea>" in page
    # the form now carries the version saved by the other officer: saving again replaces it
    assert f'name="l{line.pk}-version" value="{stale_version + 1}"' in page
    line.refresh_from_db()
    assert (line.appr_points, line.appraised_by) == (D("7"), second_officer)


def test_conflict_over_htmx_comes_back_in_the_row(client, users, card, second_officer):
    line = line_of(card, "a1")
    stale_version = line.version
    services.appraisal_save_line(
        actor=second_officer, line_id=line.pk, version=stale_version,
        entry=services.LineInput(version=stale_version, points=line.self_points), reason="",
    )
    client.force_login(users.officer)
    response = client.post(
        reverse("emulation:line_appraise", args=[line.pk]),
        appraise_post(line, version=stale_version, points="6", reason="Thiếu"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="conflict"' in page and "the unit's entry accepted" in page
    assert 'data-testid="yours">6<' in page


# --- Sending, responding, finalising ---------------------------------------------------------


def test_send_appraisal_opens_the_response_window_and_the_unit_sees_the_changes(client, users, card, campaign):
    line = line_of(card, "a1")
    services.appraisal_save_line(
        actor=users.officer, line_id=line.pk, version=line.version,
        entry=services.LineInput(version=line.version, points=D("6")), reason="Kế hoạch ban hành muộn",
    )
    card.refresh_from_db()
    # before sending, the unit does not see the work in progress
    assert appraisal_changes(scorecard=card, user=users.staff) is None
    client.force_login(users.officer)
    response = client.post(reverse("emulation:scorecard_send_appraisal", args=[card.pk]), {"version": card.version})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.state == ScorecardState.APPRAISED
    assert card.response_deadline == timezone.localdate() + timedelta(days=campaign.response_days)
    assert (card.appraised_total, card.grade) == (D("23"), "good")
    changes = appraisal_changes(scorecard=card, user=users.staff)
    assert [row.node.key for row in changes.rows] == ["a1"]
    assert (changes.self_total, changes.appraised_total, changes.can_respond) == (D("25"), D("23"), True)
    client.force_login(users.staff)
    page = client.get(reverse("emulation:scorecard_respond", args=[card.pk])).content.decode()
    assert "Kế hoạch ban hành muộn" in page and 'class="table-warning"' in page
    assert f'name="r{line.pk}-response"' in page


def test_unit_responds_within_the_window(client, users, appraised_card):
    line = line_of(appraised_card, "a1")
    client.force_login(users.staff)
    response = client.post(
        reverse("emulation:line_respond", args=[line.pk]), {f"r{line.pk}-response": "Đã ban hành đúng hạn, xem Kế hoạch 12"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.response == "Đã ban hành đúng hạn, xem Kế hoạch 12" and line.responded_at is not None


def test_respond_after_the_deadline_is_refused(client, users, appraised_card):
    Scorecard.objects.filter(pk=appraised_card.pk).update(response_deadline=timezone.localdate() - timedelta(days=1))
    line = line_of(appraised_card, "a1")
    client.force_login(users.staff)
    response = client.post(reverse("emulation:line_respond", args=[line.pk]), {f"r{line.pk}-response": "Muộn rồi"})
    assert response.status_code == 400
    assert "The time for responding ended on" in response.content.decode()
    line.refresh_from_db()
    assert line.response == ""
    # and the page no longer offers the form
    page = client.get(reverse("emulation:scorecard_respond", args=[appraised_card.pk])).content.decode()
    assert f'name="r{line.pk}-response"' not in page
    assert 'data-testid="response-window"' in page


def test_finalise_computes_the_appraised_total_and_grade(client, users, appraised_card):
    Scorecard.objects.filter(pk=appraised_card.pk).update(appraised_total=None, grade="")
    appraised_card.refresh_from_db()
    client.force_login(users.officer)
    confirm = client.get(reverse("emulation:scorecard_finalise", args=[appraised_card.pk]))
    assert confirm.status_code == 200 and confirm.context["table"].appraised_result.total == D("23")
    response = client.post(reverse("emulation:scorecard_finalise", args=[appraised_card.pk]), {"version": appraised_card.version})
    assert response.status_code == 302
    assert response.url == reverse("emulation:result_detail", args=[appraised_card.pk])
    appraised_card.refresh_from_db()
    assert (appraised_card.state, appraised_card.appraised_total, appraised_card.grade) == (ScorecardState.FINAL, D("23"), "good")
    assert appraised_card.finalised_at is not None


def test_finalise_with_a_stale_version_changes_nothing(client, users, appraised_card):
    client.force_login(users.officer)
    response = client.post(reverse("emulation:scorecard_finalise", args=[appraised_card.pk]), {"version": appraised_card.version - 1})
    assert response.status_code == 302
    appraised_card.refresh_from_db()
    assert appraised_card.state == ScorecardState.APPRAISED


# --- Permissions --------------------------------------------------------------------------------

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]

# (url name, object) -> expected status per role. 302 = login page (anonymous) or done; 404 outside
# scope; 403 not allowed. Objects: home's submitted card, other's submitted card (the outsider's
# own unit), home's appraised card and one of its lines.
MATRIX = {
    ("emulation:scorecard_appraise", "card", "get"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=200, council=403, admin=200, outsider=404),
    ("emulation:scorecard_appraise", "other_card", "get"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=200, council=403, admin=200, outsider=403),
    ("emulation:line_appraise", "card_line", "post"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=302, council=403, admin=302, outsider=404),
    ("emulation:scorecard_send_appraisal", "card", "post"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=302, council=403, admin=302, outsider=404),
    ("emulation:scorecard_respond", "appraised_card", "get"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=403, outsider=404),
    ("emulation:line_respond", "appraised_line", "post"): dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=403, outsider=404),
    ("emulation:scorecard_finalise", "appraised_card", "get"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=200, council=403, admin=200, outsider=404),
    ("emulation:scorecard_finalise", "appraised_card", "post"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=302, council=403, admin=302, outsider=404),
    # a submitted card cannot be finalised yet, nor responded to
    ("emulation:scorecard_finalise", "card", "get"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=403, council=403, admin=403, outsider=404),
    ("emulation:scorecard_respond", "card", "get"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=403, council=403, admin=403, outsider=404),
}


@pytest.fixture
def actors(users):
    return vars(users)


@pytest.fixture
def matrix_objects(scheme, org, users):
    open_campaign = CampaignFactory(name="Đang thẩm định", scheme=scheme, state=CampaignState.APPRAISAL)
    card = make_scorecard(open_campaign, org.home, HOME_ENTRIES)
    other_card = make_scorecard(open_campaign, org.other, HOME_ENTRIES)
    responding = CampaignFactory(name="Chờ giải trình", scheme=scheme, state=CampaignState.APPRAISAL)
    appraised = make_scorecard(
        responding, org.home, HOME_ENTRIES, state=ScorecardState.APPRAISED,
        response_deadline=timezone.localdate() + timedelta(days=3),
    )
    appraised_line = line_of(appraised, "a1")
    ScoreLine.objects.filter(pk=appraised_line.pk).update(appraised=True, appr_points=D("6"), appraisal_reason="Thiếu")
    return {
        "card": card,
        "other_card": other_card,
        "card_line": line_of(card, "a1"),
        "appraised_card": appraised,
        "appraised_line": appraised_line,
    }


POST_DATA = {
    "emulation:line_appraise": lambda obj: appraise_post(obj, decision="accept"),
    "emulation:scorecard_send_appraisal": lambda obj: {"version": obj.version},
    "emulation:line_respond": lambda obj: {f"r{obj.pk}-response": "Giải trình"},
    "emulation:scorecard_finalise": lambda obj: {"version": obj.version},
}


def matrix_cases():
    for (name, kind, method), expected in MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, method, role, expected[role], id=f"{name}-{kind}-{method}-{role}")


@pytest.mark.parametrize(("url_name", "kind", "method", "role", "expected"), list(matrix_cases()))
def test_appraisal_permission_matrix(client, actors, matrix_objects, url_name, kind, method, role, expected):
    if role != "anonymous":
        client.force_login(actors[role])
    obj = matrix_objects[kind]
    url = reverse(url_name, args=[obj.pk])
    response = client.get(url) if method == "get" else client.post(url, POST_DATA[url_name](obj))
    assert response.status_code == expected
    if method == "post" and role == "anonymous":
        assert response.url.startswith(reverse("login"))
    if method == "post" and expected != 302:
        obj.refresh_from_db()
        assert obj.version == matrix_objects[kind].version  # nothing changed


# --- Query counts -----------------------------------------------------------------------------------


def _big_card(org, uploader, campaign_name: str, lines: int):
    scheme = SchemeFactory(name=f"Bảng {lines} dòng")
    section = SchemeNodeFactory(scheme=scheme, key="S", code="A", kind=NodeKind.GROUP, max_points=None, position=0)
    for index in range(lines):
        SchemeNodeFactory(scheme=scheme, parent=section, key=f"k{index}", code=str(index + 1), position=index, max_points=D("2"))
    scheme.grades.create(key="good", label="Tốt", min_total=D("1"), position=0)
    campaign = CampaignFactory(name=campaign_name, scheme=scheme, state=CampaignState.APPRAISAL)
    card = make_scorecard(campaign, org.home, {f"k{index}": {"points": D("1.5")} for index in range(lines)})
    for line in card.lines.all()[:3]:
        Evidence.objects.create(line=line, file="emulation/evidence/2026/minh-chung.pdf", uploaded_by=uploader)
    return card


@pytest.mark.parametrize("lines", [10, 300])
def test_appraisal_page_query_count_is_constant(client, users, org, django_assert_num_queries, lines):
    card = _big_card(org, users.staff, f"Thi đua {lines}", lines)
    client.force_login(users.officer)
    with django_assert_num_queries(12):
        response = client.get(reverse("emulation:scorecard_appraise", args=[card.pk]))
    assert response.status_code == 200
    assert len(response.context["table"].lines) == lines


def test_a_unit_cannot_explain_a_line_the_appraisal_did_not_change(users, card):
    from emulation.enums import ScorecardState
    from emulation.models import Scorecard

    Scorecard.objects.filter(pk=card.pk).update(state=ScorecardState.APPRAISED)
    unchanged = card.lines.filter(appraised=False).first()
    with pytest.raises(services.EmulationError):
        services.scorecard_respond(actor=users.staff, line_id=unchanged.pk, response="Giải trình thêm")
    unchanged.refresh_from_db()
    assert unchanged.response == ""
