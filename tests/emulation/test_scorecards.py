"""The self-scoring page (phiếu tự chấm điểm): the whole table, live saves with recomputed totals,
decimal commas, step and maximum errors, conflicts between two sessions, evidence, the leader's
submission; permissions per role and unit; constant query counts at 10 and 300 lines."""

from decimal import Decimal
from io import BytesIO

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emulation.enums import CampaignState, NodeKind, ScorecardState
from emulation.models import Evidence, Scorecard, ScoreLine
from emulation.scorecard_excel import scorecard_workbook
from portal.models import AuditLog
from tests.factories.emulation import CampaignFactory, build_scheme, open_scorecard

D = Decimal
PDF = b"%PDF-1.4 minh chung\n"
HX = {"HTTP_HX_REQUEST": "true"}
ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scheme(db):
    # L1 manual, L2 yes/no, L3 tiered, L4 lateness, L5 formula (needs evidence), L6 manual … L10.
    return build_scheme(lines=10, sections=2, evidence_every=5)


@pytest.fixture
def card(scheme, org):
    return open_scorecard(scheme=scheme, unit=org.home)


@pytest.fixture
def other_card(card, org):
    return open_scorecard(scheme=card.campaign.scheme, unit=org.other, campaign=card.campaign)


def line_of(card, key) -> ScoreLine:
    return ScoreLine.objects.select_related("node").get(scorecard=card, node__key=key)


def fields(line, **values) -> dict:
    """POST data for one line: its version plus the given fields (points=..., note=...)."""
    data = {f"l{line.pk}-version": str(line.version)}
    data.update({f"l{line.pk}-{name}": value for name, value in values.items()})
    return data


def save(client, card, data, *, htmx=True):
    return client.post(reverse("emulation:scorecard_save", args=[card.pk]), data, **(HX if htmx else {}))


def evidence_file(name="bien-ban.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- The page -----------------------------------------------------------------------------------


def test_page_shows_the_whole_table_in_printed_order(client, users, card):
    client.force_login(users.staff)
    response = client.get(reverse("emulation:scorecard_detail", args=[card.pk]))
    assert response.status_code == 200
    keys = [view.node.key for view in response.context["rows"]]
    assert keys == ["S1", "L1", "L2", "L3", "L4", "L5", "S2", "L6", "L7", "L8", "L9", "L10"]
    content = response.content.decode()
    # one input per entered value: manual points, yes/no select, measured value, days late, formula a and b
    l1, l2, l3, l4, l5 = (line_of(card, key) for key in ("L1", "L2", "L3", "L4", "L5"))
    for name in (f"l{l1.pk}-points", f"l{l2.pk}-flag", f"l{l3.pk}-value", f"l{l4.pk}-value", f"l{l5.pk}-in_a", f"l{l5.pk}-in_b"):
        assert f'name="{name}"' in content
    assert 'data-evidence-badge="missing"' in content  # L5 and L10 need evidence
    assert "hx-post" in content and "htmx.min.js" in content and "js/scorecard.js" in content
    assert "<script>" not in content  # no inline scripts: behaviour hangs on data attributes


def test_live_save_returns_the_recomputed_scores_and_totals(client, users, card):
    l1, l3 = line_of(card, "L1"), line_of(card, "L3")
    client.force_login(users.staff)
    response = save(client, card, {**fields(l1, points="1,75", note="Kế hoạch 12/KH"), **fields(l3, value="97,3")})
    assert response.status_code == 200
    content = response.content.decode()
    # 1,75 (manual) + 1,75 (tier 95–<100) = 3,5 for the card and for section A
    assert '<span id="scorecard-total" hx-swap-oob="true">3,5</span>' in content
    section = response.context["rows"][0]
    assert (section.node.key, section.outcome.score) == ("S1", D("3.5"))
    assert f'id="outcome-{l3.node.pk}"' in content and "97,3" in content  # the tier explanation
    assert f'id="version-{l1.pk}" value="2"' in content
    stored = line_of(card, "L1")
    assert (stored.self_points, stored.self_note, stored.version) == (D("1.75"), "Kế hoạch 12/KH", 2)
    assert line_of(card, "L3").self_value == D("97.3")
    assert Scorecard.objects.get(pk=card.pk).self_total == D("3.5")
    assert AuditLog.objects.filter(action="emulation.scorecard.saved").count() == 1


def test_decimal_comma_and_point_are_the_same_number(client, users, card):
    l1, l6 = line_of(card, "L1"), line_of(card, "L6")
    client.force_login(users.staff)
    save(client, card, {**fields(l1, points="1,75"), **fields(l6, points="1.75")})
    assert line_of(card, "L1").self_points == line_of(card, "L6").self_points == D("1.75")


def test_every_kind_of_entry_is_saved_and_scored(client, users, card):
    lines = {key: line_of(card, key) for key in ("L1", "L2", "L3", "L4", "L5")}
    data = {
        **fields(lines["L1"], points="2"),
        **fields(lines["L2"], flag="yes"),
        **fields(lines["L3"], value="100"),
        **fields(lines["L4"], value="2"),  # 1–2 days late: 1,5
        **fields(lines["L5"], in_a="10", in_b="9"),  # 9 / 10 * 2 = 1,8
    }
    client.force_login(users.staff)
    response = save(client, card, data)
    assert response.context["totals"]["total"] == D("2") + D("2") + D("2") + D("1.5") + D("1.8")
    stored = {key: line_of(card, key) for key in lines}
    assert stored["L2"].self_flag is True
    assert stored["L4"].self_value == D("2")
    assert stored["L5"].self_inputs == {"a": "10", "b": "9"}


def test_a_step_violation_is_explained_and_that_line_alone_is_not_saved(client, users, card):
    l1, l6 = line_of(card, "L1"), line_of(card, "L6")
    client.force_login(users.staff)
    response = save(client, card, {**fields(l1, points="1,3"), **fields(l6, points="1,5")})
    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="feedback-{l1.pk}"' in content and "0,25" in content and "1,3" in content
    assert "data-line-error" in content
    assert line_of(card, "L1").self_points is None
    assert line_of(card, "L1").version == 1
    assert line_of(card, "L6").self_points == D("1.5")


@pytest.mark.parametrize(("typed", "saved"), [("2,5", None), ("-1", None), ("abc", None), ("1.234,5", None), ("", None)])
def test_points_outside_zero_to_max_or_not_numbers_are_refused(client, users, card, typed, saved):
    l1 = line_of(card, "L1")
    client.force_login(users.staff)
    response = save(client, card, fields(l1, points=typed))
    assert line_of(card, "L1").self_points == saved
    if typed:
        assert "data-line-error" in response.content.decode()


def test_full_form_post_without_javascript_saves_and_redirects(client, users, card):
    lines = list(ScoreLine.objects.filter(scorecard=card).select_related("node"))
    data = {}
    for line in lines:
        data.update(fields(line, note=""))
    l1 = line_of(card, "L1")
    data[f"l{l1.pk}-points"] = "0,5"
    client.force_login(users.leader)
    response = save(client, card, data, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("emulation:scorecard_detail", args=[card.pk])
    assert line_of(card, "L1").self_points == D("0.5")
    assert ScoreLine.objects.filter(scorecard=card, version=2).count() == 1  # unchanged lines untouched


def test_full_form_with_a_mistake_comes_back_with_what_was_typed(client, users, card):
    l1, l6 = line_of(card, "L1"), line_of(card, "L6")
    client.force_login(users.staff)
    response = save(client, card, {**fields(l1, points="7"), **fields(l6, points="1,25")}, htmx=False)
    assert response.status_code == 400
    content = response.content.decode()
    assert f'name="l{l1.pk}-points" id="id_l{l1.pk}-points" value="7"' in content
    assert f'id="version-{l6.pk}" value="2"' in content  # the saved line carries its new version
    assert line_of(card, "L6").self_points == D("1.25")


def test_a_conflict_shows_both_values_and_keeps_what_the_second_user_typed(client, users, card):
    l1 = line_of(card, "L1")  # both sessions opened the page at version 1
    client.force_login(users.leader)
    save(client, card, fields(l1, points="1,5"))
    client.force_login(users.staff)
    response = save(client, card, fields(l1, points="1,75"))
    content = response.content.decode()
    assert "data-conflict" in content and "data-line-conflict" in content
    assert "1,5" in content and "1,75" in content
    assert line_of(card, "L1").self_points == D("1.5")
    # the version now stored comes back, so saving again deliberately replaces the other value
    assert f'id="version-{l1.pk}" value="2"' in content
    response = save(client, card, fields(line_of(card, "L1"), points="1,75"), htmx=False)
    assert response.status_code == 302
    assert line_of(card, "L1").self_points == D("1.75")


def test_a_conflict_in_the_full_form_keeps_the_typed_value_in_the_field(client, users, card):
    l1 = line_of(card, "L1")
    client.force_login(users.leader)
    save(client, card, fields(l1, points="1,5"))
    client.force_login(users.staff)
    response = save(client, card, fields(l1, points="1,75"), htmx=False)
    assert response.status_code == 400
    content = response.content.decode()
    assert f'id="id_l{l1.pk}-points" value="1,75"' in content
    messages = [str(m) for m in response.context["messages"]]
    assert any("1,5" in m and "1,75" in m and "A.1" in m for m in messages)


def test_the_page_of_another_unit_is_404_and_its_lines_cannot_be_posted(client, users, card, other_card):
    other_line = line_of(other_card, "L1")
    client.force_login(users.staff)
    assert client.get(reverse("emulation:scorecard_detail", args=[other_card.pk])).status_code == 404
    response = save(client, card, fields(other_line, points="2"))  # another card's line on our card
    assert response.status_code == 200
    assert line_of(other_card, "L1").self_points is None


# --- Evidence and submission ----------------------------------------------------------------------


def test_evidence_upload_and_delete_with_confirmation(client, users, card):
    l5 = line_of(card, "L5")
    client.force_login(users.staff)
    url = reverse("emulation:line_evidence", args=[l5.pk])
    response = client.post(url, {"file": evidence_file("gia-mao.pdf", b"MZ\x90\x00"), "description": "x"})
    assert response.status_code == 400 and not Evidence.objects.exists()
    response = client.post(url, {"file": evidence_file(), "description": "Biên bản"})
    assert response.status_code == 302
    evidence = Evidence.objects.get(line=l5)
    page = client.get(reverse("emulation:scorecard_detail", args=[card.pk])).content.decode()
    assert "Biên bản" in page
    delete_url = reverse("emulation:evidence_delete", args=[evidence.pk])
    assert 'id="confirmDelete"' in client.get(delete_url).content.decode()
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert client.post(delete_url).status_code == 302
    assert not Evidence.objects.exists()


def test_missing_evidence_blocks_submission_with_the_lines_listed(client, users, card):
    client.force_login(users.leader)
    url = reverse("emulation:scorecard_submit", args=[card.pk])
    page = client.get(url)
    assert [view.node.key for view in page.context["missing"]] == ["L5", "L10"]
    response = client.post(url, {"version": card.version}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("A.5, B.5" in m for m in messages)
    assert Scorecard.objects.get(pk=card.pk).state == ScorecardState.DRAFT
    for key in ("L5", "L10"):
        client.post(reverse("emulation:line_evidence", args=[line_of(card, key).pk]), {"file": evidence_file()})
    card.refresh_from_db()
    response = client.post(url, {"version": card.version})
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.state, card.submitted_by) == (ScorecardState.SUBMITTED, users.leader)


def test_staff_cannot_submit_but_the_leader_can(client, users, scheme, org):
    card = open_scorecard(scheme=build_scheme(lines=3), unit=org.home)
    url = reverse("emulation:scorecard_submit", args=[card.pk])
    client.force_login(users.staff)
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": card.version}).status_code == 403
    assert Scorecard.objects.get(pk=card.pk).state == ScorecardState.DRAFT
    client.force_login(users.leader)
    assert client.post(url, {"version": card.version}).status_code == 302
    assert Scorecard.objects.get(pk=card.pk).state == ScorecardState.SUBMITTED


def test_a_submitted_scorecard_is_read_only(client, users, card):
    l1 = line_of(card, "L1")
    ScoreLine.objects.filter(pk=l1.pk).update(self_points=D("1.5"))
    Scorecard.objects.filter(pk=card.pk).update(state=ScorecardState.SUBMITTED)
    client.force_login(users.staff)
    response = client.get(reverse("emulation:scorecard_detail", args=[card.pk]))
    content = response.content.decode()
    assert "data-score-cell" not in content and "hx-post" not in content and "htmx.min.js" not in content
    assert response.context["totals"]["total"] == D("1.5")
    assert save(client, card, fields(l1, points="2")).status_code == 403
    assert line_of(card, "L1").self_points == D("1.5")


def test_auto_lines_are_read_only_and_explain_a_missing_figure(client, users, org):
    scheme = build_scheme(lines=2, sections=1)
    scheme.nodes.filter(key="L2").update(kind=NodeKind.AUTO, measure="office.on_time_rate", step=None)
    card = open_scorecard(scheme=scheme, unit=org.home)
    client.force_login(users.staff)
    response = client.get(reverse("emulation:scorecard_detail", args=[card.pk]))
    auto = next(view for view in response.context["rows"] if view.node.key == "L2")
    assert auto.inputs == [] and auto.outcome.error is True and auto.outcome.sentences


# --- Permissions ----------------------------------------------------------------------------------


@pytest.fixture
def objects(card, other_card, users):
    evidence = Evidence.objects.create(line=line_of(card, "L5"), file=evidence_file(), uploaded_by=users.staff)
    return {
        "card": card,
        "other_card": other_card,
        "line": line_of(card, "L5"),
        "other_line": line_of(other_card, "L5"),
        "evidence": evidence,
    }


GET_MATRIX = {
    ("emulation:scorecard_detail", "card"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404),
    ("emulation:scorecard_detail", "other_card"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=200, council=200, admin=200, outsider=200),
    ("emulation:scorecard_submit", "card"): dict(anonymous=302, no_role=404, staff=403, leader=200, officer=403, council=403, admin=403, outsider=404),
    ("emulation:scorecard_export", "card"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404),
    ("emulation:scorecard_export", "other_card"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=200, council=200, admin=200, outsider=200),
    ("emulation:scorecard_import", "card"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=403, outsider=404),
    ("emulation:line_evidence", "line"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404),
    ("emulation:line_evidence", "other_line"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=200, council=200, admin=200, outsider=200),
    ("emulation:evidence_delete", "evidence"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=403, outsider=404),
}


def login(client, users, role):
    if role != "anonymous":
        client.force_login(getattr(users, role))


def get_cases():
    for (name, kind), expected in GET_MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(get_cases()))
def test_scorecard_get_matrix(client, users, objects, url_name, kind, role, expected):
    login(client, users, role)
    response = client.get(reverse(url_name, args=[objects[kind].pk]))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


# POSTs: 200/302 = done (checked in the database), 404 outside scope, 403 not allowed.
POST_MATRIX = {
    "save-own": dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=403, outsider=404),
    "save-other": dict(anonymous=302, no_role=404, staff=404, leader=404, officer=403, council=403, admin=403, outsider=200),
    "upload-own": dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=403, outsider=404),
    "delete-own": dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=403, outsider=404),
    "submit-own": dict(anonymous=302, no_role=404, staff=403, leader=302, officer=403, council=403, admin=403, outsider=404),
    "import-own": dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=403, outsider=404),
}


def post_action(case, objects):
    """(url, data, done()) for one POST case."""
    card, other = objects["card"], objects["other_card"]
    if case in ("save-own", "save-other"):
        target = card if case == "save-own" else other
        line = line_of(target, "L1")
        return (
            reverse("emulation:scorecard_save", args=[target.pk]), fields(line, points="1"),
            lambda: line_of(target, "L1").self_points == D("1"),
        )
    if case == "upload-own":
        line = objects["line"]
        return (
            reverse("emulation:line_evidence", args=[line.pk]), {"file": evidence_file()},
            lambda: Evidence.objects.filter(line=line).count() == 2,
        )
    if case == "delete-own":
        evidence = objects["evidence"]
        return reverse("emulation:evidence_delete", args=[evidence.pk]), {}, lambda: not Evidence.objects.filter(pk=evidence.pk).exists()
    if case == "submit-own":
        # L5 has its file (fixture); L10 gets one, so that only the role decides
        Evidence.objects.create(line=line_of(card, "L10"), file=evidence_file(), uploaded_by=objects["evidence"].uploaded_by)
        return (
            reverse("emulation:scorecard_submit", args=[card.pk]), {"version": card.version},
            lambda: Scorecard.objects.get(pk=card.pk).state == ScorecardState.SUBMITTED,
        )
    workbook = scorecard_workbook(card, blank=True)
    sheet = workbook.active
    for row in sheet.iter_rows():
        if row[7].value == "L1":
            row[4].value = 1.25
    buffer = BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("phieu.xlsx", buffer.getvalue())
    return (
        reverse("emulation:scorecard_import", args=[card.pk]), {"file": upload},
        lambda: line_of(card, "L1").self_points == D("1.25"),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(POST_MATRIX))
def test_scorecard_post_matrix(client, users, objects, role, case):
    url, data, done = post_action(case, objects)
    login(client, users, role)
    response = client.post(url, data, **(HX if case.startswith("save") else {}))
    expected = POST_MATRIX[case][role]
    assert response.status_code == expected
    assert done() is (expected in (200, 302) and role != "anonymous")


def urls_served_by(module: str) -> set[str]:
    """Names of the emulation URLs whose view lives in `module`."""
    from django.urls import get_resolver

    resolver = get_resolver().namespace_dict["emulation"][1]
    return {
        f"emulation:{pattern.name}"
        for pattern in resolver.url_patterns
        if getattr(getattr(pattern.callback, "view_class", None), "__module__", None) == module
    }


def test_every_scorecard_url_is_in_the_permission_matrices():
    served = urls_served_by("emulation.views.scorecards")
    assert "emulation:scorecard_detail" in served
    covered = {name for name, _kind in GET_MATRIX} | {"emulation:scorecard_save"}  # POST only: POST_MATRIX
    assert served - covered == set()


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lines", [10, 300])
def test_scorecard_page_query_count_does_not_grow_with_lines(client, users, org, lines, django_assert_num_queries):
    card = open_scorecard(scheme=build_scheme(lines=lines, sections=3, evidence_every=7), unit=org.home)
    for line in ScoreLine.objects.filter(scorecard=card, node__requires_evidence=True)[:5]:
        Evidence.objects.create(line=line, file="emulation/evidence/x.pdf", uploaded_by=users.staff)
    ScoreLine.objects.filter(scorecard=card, node__kind=NodeKind.MANUAL).update(self_points=D("1.5"))
    client.force_login(users.staff)
    with django_assert_num_queries(12):
        response = client.get(reverse("emulation:scorecard_detail", args=[card.pk]))
    assert len(response.context["rows"]) == lines + 3


@pytest.mark.parametrize("lines", [10, 300])
def test_live_save_query_count_does_not_grow_with_lines(client, users, org, lines, django_assert_num_queries):
    card = open_scorecard(scheme=build_scheme(lines=lines, sections=3), unit=org.home)
    line = line_of(card, "L1")
    client.force_login(users.staff)
    with django_assert_num_queries(26):
        response = save(client, card, fields(line, points="1"))
    assert response.status_code == 200


def test_campaign_not_open_means_nothing_can_be_entered(client, users, org):
    campaign = CampaignFactory(scheme=build_scheme(lines=2), state=CampaignState.APPRAISAL)
    card = open_scorecard(scheme=campaign.scheme, unit=org.home, campaign=campaign)
    client.force_login(users.staff)
    response = client.get(reverse("emulation:scorecard_detail", args=[card.pk]))
    assert response.context["can_edit"] is False


def test_huge_numbers_are_refused_with_a_message_not_a_500(client, users, card):
    """1e30 would overflow the decimal rounding; it is an invalid number like any other typo."""
    from portal.forms import VietnameseDecimalField

    field = VietnameseDecimalField(required=False)
    with pytest.raises(forms.ValidationError):
        field.clean("1e30")
    assert field.clean("1,75") == Decimal("1.75")


HOSTILE = '"><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("role", ["staff", "officer"])
def test_the_table_escapes_what_people_typed(client, users, card, role):
    """The rows are written in Python (emulation/scorecard_html.py), not by the template engine:
    titles, guidance, notes and evidence names typed by people come out escaped, editable or not."""
    line = line_of(card, "L1")
    line.node.__class__.objects.filter(pk=line.node.pk).update(title=f"Tiêu chí {HOSTILE}", guidance=HOSTILE)
    line.node.parent.__class__.objects.filter(pk=line.node.parent_id).update(title=f"Phần {HOSTILE}")
    ScoreLine.objects.filter(pk=line.pk).update(self_note=HOSTILE)
    Evidence.objects.create(line=line, file="emulation/evidence/2026/a.pdf", description=HOSTILE,
                            uploaded_by=users.staff)
    client.force_login(getattr(users, role))
    content = client.get(reverse("emulation:scorecard_detail", args=[card.pk])).content.decode()
    assert "<img src=x" not in content
    assert content.count("&lt;img src=x onerror=alert(1)&gt;") >= 4  # section, line, guidance, evidence (+ note)
