"""Scheme editor pages: permissions per role for every URL, the editor and its line form with live
validation, moves and deletions, grades/caps/tie-breakers, clone and new version, JSON and Excel
import/export through the pages, frozen schemes read-only, constant query counts."""

import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from django.utils import timezone, translation

from emulation import schemes
from emulation.enums import CampaignState, NodeKind
from emulation.models import Scheme, SchemeNode
from emulation.scheme_excel import TABLE_SHEET, scheme_workbook
from portal.models import AuditLog
from tests.factories.emulation import CampaignFactory, SchemeFactory, SchemeNodeFactory, build_scheme


@pytest.fixture(autouse=True)
def _pages_in_english(client, settings):
    """These tests compare messages with their English msgids, so the pages are asked for in English
    (the Vietnamese catalogue is checked separately by manage.py check_translations)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


D = Decimal
ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]
MANAGERS = {"officer", "admin"}


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English, so that the assertions hold whatever the Vietnamese catalogue says.

    The locale middleware activates the cookie's language for the rest of the thread; put the
    default back so that later tests (in any module) start in Vietnamese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield
    translation.activate(settings.LANGUAGE_CODE)


def login(client, users, role):
    if role != "anonymous":
        client.force_login(getattr(users, role))


@pytest.fixture
def scheme(db):
    scheme = SchemeFactory(name="Bảng tiêu chí 2026", year=2026)
    section = SchemeNodeFactory(scheme=scheme, key="A", code="A", title="Phần A", kind=NodeKind.GROUP,
                                max_points=D("10"), position=0)
    SchemeNodeFactory(scheme=scheme, parent=section, key="A.1", code="1", title="Dòng một", max_points=D("2"), position=0)
    SchemeNodeFactory(scheme=scheme, parent=section, key="A.2", code="2", title="Dòng hai", max_points=D("2"), position=1)
    return scheme


def node(scheme, key) -> SchemeNode:
    return scheme.nodes.get(key=key)


# --- Permission matrix ---------------------------------------------------------------------------------

# (url name, object) → expected GET status for managers; everyone else: 403, anonymous: 302.
GET_PAGES = {
    ("emulation:scheme_list", None): 200,
    ("emulation:scheme_create", None): 200,
    ("emulation:scheme_import", None): 200,
    ("emulation:scheme_clone", None): 200,
    ("emulation:scheme_detail", "scheme"): 200,
    ("emulation:scheme_edit", "scheme"): 200,
    ("emulation:scheme_rules", "scheme"): 200,
    ("emulation:scheme_validate", "scheme"): 200,
    ("emulation:scheme_export_json", "scheme"): 200,
    ("emulation:scheme_export_excel", "scheme"): 200,
    ("emulation:node_create", "scheme"): 200,
    ("emulation:node_edit", "line"): 200,
    ("emulation:node_delete", "line"): 200,
}
# POST actions: managers are redirected after acting (302) and the change is made.
POST_ACTIONS = ("emulation:node_move", "emulation:node_delete", "emulation:scheme_new_version", "emulation:scheme_validate")


def url_for(name, kind, scheme):
    if kind is None:
        return reverse(name)
    target = scheme if kind == "scheme" else node(scheme, "A.2")
    return reverse(name, args=[target.pk])


def get_cases():
    for (name, kind), status in GET_PAGES.items():
        for role in ROLES:
            expected = 302 if role == "anonymous" else (status if role in MANAGERS else 403)
            yield pytest.param(name, kind, role, expected, id=f"{name}-{role}")


@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(get_cases()))
def test_scheme_get_matrix(client, users, scheme, url_name, kind, role, expected):
    login(client, users, role)
    response = client.get(url_for(url_name, kind, scheme))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def post_case(name, scheme):
    """(url, data, done()) for one POST action on the fixture scheme."""
    line = node(scheme, "A.2")
    if name == "emulation:node_move":
        return (reverse(name, args=[line.pk]), {"direction": "up", "edit_version": 1},
                lambda: node(scheme, "A.2").position == 0)
    if name == "emulation:node_delete":
        return reverse(name, args=[line.pk]), {"edit_version": 1}, lambda: not scheme.nodes.filter(key="A.2").exists()
    if name == "emulation:scheme_new_version":
        return reverse(name, args=[scheme.pk]), {}, lambda: Scheme.objects.filter(name=scheme.name, version=2).exists()
    return reverse(name, args=[scheme.pk]), {"node": line.pk, "title": "x", "kind": "manual"}, lambda: True


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", POST_ACTIONS)
def test_scheme_post_matrix(client, users, scheme, url_name, role):
    url, data, done = post_case(url_name, scheme)
    login(client, users, role)
    response = client.post(url, data)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in MANAGERS:
        assert response.status_code == (200 if url_name == "emulation:scheme_validate" else 302)
        assert done()
    else:
        assert response.status_code == 403
    if role not in MANAGERS:
        assert scheme.nodes.count() == 3
        assert Scheme.objects.count() == 1


# Pages whose POST is tested below by name (forms with their own data).
POSTED_BY_TESTS = {
    "emulation:scheme_create": "test_create_a_blank_scheme",
    "emulation:scheme_edit": "test_edit_the_scheme_details",
    "emulation:scheme_rules": "test_rules_page_saves_grades_caps_and_tie_breakers",
    "emulation:scheme_clone": "test_clone_last_years_scheme_for_a_year",
    "emulation:scheme_import": "test_import_json_through_the_page",
    "emulation:node_create": "test_add_a_tiered_line_through_the_form",
    "emulation:node_edit": "test_edit_a_line_through_the_form",
}


@pytest.mark.parametrize("role", ["staff", "leader", "council", "outsider", "no_role"])
@pytest.mark.parametrize("url_name", sorted(POSTED_BY_TESTS))
def test_form_posts_are_refused_to_other_roles(client, users, scheme, url_name, role):
    kind = {"emulation:scheme_edit": "scheme", "emulation:scheme_rules": "scheme", "emulation:node_create": "scheme",
            "emulation:node_edit": "line"}.get(url_name)
    login(client, users, role)
    before = (Scheme.objects.count(), SchemeNode.objects.count(), AuditLog.objects.count())
    assert client.post(url_for(url_name, kind, scheme), {"name": "X", "year": 2026, "title": "x"}).status_code == 403
    assert (Scheme.objects.count(), SchemeNode.objects.count(), AuditLog.objects.count()) == before


def scheme_url_names() -> set[str]:
    """Every emulation URL served by emulation/views/schemes.py."""
    resolver = get_resolver().namespace_dict["emulation"][1]
    names = set()
    for pattern in resolver.url_patterns:
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is not None and view_class.__module__ == "emulation.views.schemes":
            names.add(f"emulation:{pattern.name}")
    return names


def test_every_scheme_url_is_in_the_permission_matrix():
    covered = {name for name, _ in GET_PAGES} | set(POST_ACTIONS)
    assert scheme_url_names() - covered == set()
    assert set(POSTED_BY_TESTS) <= scheme_url_names()
    assert len(scheme_url_names()) == 15


# --- List and editor ---------------------------------------------------------------------------------


def test_list_shows_version_state_and_campaigns(client, users, scheme):
    frozen = SchemeFactory(name="Bảng cũ", year=2025, frozen_at=timezone.now())
    CampaignFactory(scheme=frozen, name="Phong trào 2025", state=CampaignState.OPEN, year=2025)
    client.force_login(users.officer)
    page = client.get(reverse("emulation:scheme_list")).content.decode()
    assert "Bảng tiêu chí 2026" in page and "Bảng cũ" in page and "Phong trào 2025" in page
    assert page.count('data-testid="scheme-state"') == 2
    only_2025 = client.get(reverse("emulation:scheme_list"), {"year": "2025"}).content.decode()
    assert "Bảng cũ" in only_2025 and "Bảng tiêu chí 2026" not in only_2025


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_is_constant(client, users, django_assert_num_queries, count):
    for index in range(count):
        scheme = build_scheme(lines=3, sections=1, name=f"Bảng {index}")
        CampaignFactory(scheme=scheme)
    client.force_login(users.officer)
    with django_assert_num_queries(8):
        response = client.get(reverse("emulation:scheme_list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == count


@pytest.mark.parametrize("lines", [10, 300])
def test_editor_query_count_is_constant(client, users, django_assert_num_queries, lines):
    scheme = build_scheme(lines=lines, sections=3)
    client.force_login(users.officer)
    with django_assert_num_queries(11):
        response = client.get(reverse("emulation:scheme_detail", args=[scheme.pk]))
    assert response.status_code == 200
    assert len(response.context["rows"]) == lines + 3
    assert response.content.decode().count('id="node-') == lines + 3


def test_editor_shows_the_printed_table_with_actions_and_checks(client, users, scheme):
    SchemeNodeFactory(scheme=scheme, key="B", code="B", title="Điểm thưởng", kind=NodeKind.BONUS, max_points=None, position=1)
    client.force_login(users.officer)
    response = client.get(reverse("emulation:scheme_detail", args=[scheme.pk]))
    page = response.content.decode()
    rows = [(row["node"].key, row["depth"]) for row in response.context["rows"]]
    assert rows == [("A", 0), ("A.1", 1), ("A.2", 1), ("B", 0)]
    assert reverse("emulation:node_edit", args=[node(scheme, "A.1").pk]) in page
    assert f'{reverse("emulation:node_create", args=[scheme.pk])}?parent={node(scheme, "A").pk}' in page
    assert reverse("emulation:node_delete", args=[node(scheme, "A.2").pk]) in page
    assert response.context["error_count"] == 1
    first = response.context["problems"][0]
    assert (first["level"], first["sentence"], first["where"]) == ("error", "A bonus group needs a maximum (its cap).", "B Điểm thưởng")
    assert first["url"] == reverse("emulation:node_edit", args=[node(scheme, "B").pk])
    assert "A bonus group needs a maximum (its cap)." in page
    assert 'hx-get="' + reverse("emulation:scheme_validate", args=[scheme.pk]) in page


def test_frozen_scheme_is_read_only_and_offers_a_new_version(client, users, scheme):
    Scheme.objects.filter(pk=scheme.pk).update(frozen_at=timezone.now())
    CampaignFactory(scheme=scheme, name="Phong trào đang mở", state=CampaignState.OPEN)
    client.force_login(users.officer)
    page = client.get(reverse("emulation:scheme_detail", args=[scheme.pk])).content.decode()
    assert 'id="frozenNotice"' in page and 'id="newVersion"' in page and "Phong trào đang mở" in page
    assert reverse("emulation:node_edit", args=[node(scheme, "A.1").pk]) not in page
    assert 'id="moveForm"' not in page
    for name, target in (("emulation:node_create", scheme), ("emulation:node_edit", node(scheme, "A.1")),
                         ("emulation:scheme_rules", scheme), ("emulation:scheme_edit", scheme),
                         ("emulation:node_delete", node(scheme, "A.1"))):
        response = client.get(reverse(name, args=[target.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("emulation:scheme_detail", args=[scheme.pk])
    response = client.post(reverse("emulation:node_delete", args=[node(scheme, "A.1").pk]), {"edit_version": 1}, follow=True)
    assert scheme.nodes.filter(key="A.1").exists()
    assert "create a new version" in response.content.decode()
    response = client.post(reverse("emulation:scheme_new_version", args=[scheme.pk]))
    copy = Scheme.objects.get(name=scheme.name, version=2)
    assert response["Location"] == reverse("emulation:scheme_detail", args=[copy.pk])
    assert copy.frozen_at is None and copy.nodes.count() == 3


# --- Create, details, lines ---------------------------------------------------------------------------


def test_create_a_blank_scheme(client, users):
    client.force_login(users.officer)
    response = client.post(reverse("emulation:scheme_create"),
                           {"name": "  Bảng   tiêu chí mới ", "year": "2027", "legal_basis": "QĐ số 1/QĐ-BTP"})
    scheme = Scheme.objects.get()
    assert response["Location"] == reverse("emulation:scheme_detail", args=[scheme.pk])
    assert (scheme.name, scheme.year, scheme.version, scheme.legal_basis) == ("Bảng tiêu chí mới", 2027, 1, "QĐ số 1/QĐ-BTP")
    response = client.post(reverse("emulation:scheme_create"), {"name": "", "year": "20"})
    assert response.status_code == 400
    assert Scheme.objects.count() == 1


def test_edit_the_scheme_details(client, users, scheme):
    client.force_login(users.officer)
    response = client.post(reverse("emulation:scheme_edit", args=[scheme.pk]),
                           {"edit_version": 1, "name": "Tên mới", "year": 2026, "legal_basis": "QĐ 2", "description": ""})
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.name, scheme.legal_basis, scheme.edit_version) == ("Tên mới", "QĐ 2", 2)
    stale = client.post(reverse("emulation:scheme_edit", args=[scheme.pk]),
                        {"edit_version": 1, "name": "Tên cũ", "year": 2026})
    assert stale.status_code == 400
    assert "Someone else changed this scheme" in stale.content.decode()
    assert 'value="Tên cũ"' in stale.content.decode()


def line_form(**fields) -> dict:
    data = {
        "edit_version": 1, "code": "3", "title": "Tỷ lệ văn bản đúng hạn", "key": "", "kind": "tiered",
        "max_points": "2", "step": "", "formula": "", "inputs": "", "metric": "", "measure": "%", "gate_kind": "",
        "condition": "", "guidance": "",
        "tiers-TOTAL_FORMS": "3", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0", "tiers-MAX_NUM_FORMS": "30",
        "tiers-0-lower": "100", "tiers-0-lower_inclusive": "on", "tiers-0-upper": "", "tiers-0-points": "2",
        "tiers-1-lower": "95", "tiers-1-lower_inclusive": "on", "tiers-1-upper": "100", "tiers-1-points": "1,75",
        "tiers-2-lower": "", "tiers-2-upper": "95", "tiers-2-points": "0",
    }
    data.update(fields)
    return data


def test_add_a_tiered_line_through_the_form(client, users, scheme):
    section = node(scheme, "A")
    client.force_login(users.officer)
    url = reverse("emulation:node_create", args=[scheme.pk]) + f"?parent={section.pk}"
    page = client.get(url)
    assert page.status_code == 200 and "hx-post" in page.content.decode()
    response = client.post(url, line_form(step="0,25", formula="a + b", inputs="a, b", requires_evidence="on",
                                          gate_kind="evidence"))
    line = scheme.nodes.get(key="A.3")
    assert response["Location"] == reverse("emulation:scheme_detail", args=[scheme.pk]) + f"#node-{line.pk}"
    assert (line.parent_id, line.position, line.kind, line.max_points) == (section.pk, 2, "tiered", D("2"))
    assert line.tiers == [
        {"points": "2", "lower": "100", "upper": None, "lower_inclusive": True, "upper_inclusive": False},
        {"points": "1.75", "lower": "95", "upper": "100", "lower_inclusive": True, "upper_inclusive": False},
        {"points": "0", "lower": None, "upper": "95", "lower_inclusive": False, "upper_inclusive": False},
    ]
    # fields a tiered line does not use are cleared
    assert (line.step, line.formula, line.inputs, line.measure) == (None, "", [], "%")
    assert (line.gate, line.requires_evidence) == ("evidence", True)
    assert Scheme.objects.get(pk=scheme.pk).edit_version == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"tiers-0-points": "3"}, "tiers", "Tier 1 gives 3 points, more than the line's maximum of 2."),
        ({"kind": "formula", "formula": "b / a * 2", "inputs": "a"}, "formula",
         "The formula uses “b”, which is not one of its declared values (a)."),
        ({"kind": "formula", "formula": "a.__class__", "inputs": "a"}, "formula", "cannot be used"),
        ({"kind": "manual", "max_points": ""}, "max_points", "Enter the maximum points of this line."),
        ({"kind": "auto"}, "metric", "Choose the portal figure this line is scored from."),
        ({"key": "A.1"}, "key", "Another line of this scheme already has the key “A.1”."),
        ({"key": "có dấu cách"}, "key", "use letters, digits"),
        ({"max_points": "hai"}, "max_points", "1,75 or 1.75"),
        ({"kind": "manual", "gate_kind": "condition"}, "condition", "Name the condition"),
        ({"kind": "manual", "step": "10000"}, "step", "no more than 4 digits before the decimal point"),  # the column
    ],
)
def test_a_wrong_line_is_not_saved_and_keeps_what_was_typed(client, users, scheme, fields, field, message):
    client.force_login(users.officer)
    response = client.post(reverse("emulation:node_create", args=[scheme.pk]), line_form(title="Giữ nguyên", **fields))
    assert response.status_code == 400
    form = response.context["form"]
    errors = response.context["tiers"].non_form_errors() if field == "tiers" else form.errors.get(field, [])
    with translation.override("en"):  # error messages are rendered when read: compare them in English
        assert any(message in str(error) for error in errors), form.errors
    assert "Giữ nguyên" in response.content.decode()
    assert scheme.nodes.count() == 3


def test_edit_a_line_through_the_form(client, users, scheme):
    line = node(scheme, "A.1")
    client.force_login(users.officer)
    page = client.get(reverse("emulation:node_edit", args=[line.pk]))
    assert page.context["form"].initial["title"] == "Dòng một"
    assert page.context["move_form"] is not None
    response = client.post(reverse("emulation:node_edit", args=[line.pk]),
                           line_form(key="A.1", code="1", kind="yes_no", title="Có ban hành kế hoạch"))
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.kind, line.title, line.tiers, line.measure) == ("yes_no", "Có ban hành kế hoạch", [], "")
    entry = AuditLog.objects.get(action="emulation.scheme.changed")
    assert entry.data["changes"]["kind"] == ["manual", "yes_no"]
    detail = client.get(reverse("emulation:scheme_detail", args=[scheme.pk])).content.decode()
    assert "Changed the line 1 Có ban hành kế hoạch." in detail


def test_a_stale_line_form_shows_a_conflict_and_keeps_the_input(client, users, scheme):
    line = node(scheme, "A.1")
    schemes.node_update(actor=users.admin, node_id=line.pk, edit_version=1,
                        data=schemes.NodeData(key="A.1", code="1", title="Sửa bởi người khác", kind="manual", max_points=D(2)))
    client.force_login(users.officer)
    response = client.post(reverse("emulation:node_edit", args=[line.pk]),
                           line_form(key="A.1", kind="manual", title="Bản của tôi", edit_version=1))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this scheme" in page
    assert "Bản của tôi" in page
    line.refresh_from_db()
    assert line.title == "Sửa bởi người khác"


def test_live_validation_of_a_line_as_typed(client, users, scheme):
    client.force_login(users.officer)
    url = reverse("emulation:scheme_validate", args=[scheme.pk])
    response = client.post(url, line_form(parent=node(scheme, "A").pk, kind="formula", formula="b / a", inputs="a",
                                          max_points="20"), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The formula uses “b”, which is not one of its declared values (a)." in page
    assert "needs its formula" not in page
    assert page.count("which is not one of its declared values") == 1
    assert "The lines below add up to 24, more than this section&#x27;s maximum of 10" in page
    assert "<html" not in page
    edited = client.post(url, line_form(node=node(scheme, "A.1").pk, key="A.1", kind="manual", max_points="8"))
    assert "With this line as typed, the scheme has no problems." in edited.content.decode()
    invalid = client.post(url, line_form(parent=node(scheme, "A").pk, max_points="hai"))
    assert "This line cannot be saved yet:" in invalid.content.decode()
    assert "Maximum points (điểm chuẩn): Enter a number" in invalid.content.decode()
    stored = client.get(url)
    assert 'data-errors="0" data-warnings="1"' in stored.content.decode()
    assert "add up to only 4, so this section&#x27;s maximum of 10 cannot be reached." in stored.content.decode()


# --- Moves and deletion ---------------------------------------------------------------------------------


def test_move_buttons_and_move_form(client, users, scheme):
    SchemeNodeFactory(scheme=scheme, key="B", code="B", title="Phần B", kind=NodeKind.GROUP, max_points=D("5"), position=1)
    client.force_login(users.officer)
    a2 = node(scheme, "A.2")
    client.post(reverse("emulation:node_move", args=[a2.pk]), {"direction": "up", "edit_version": 1})
    assert [n.key for n in node(scheme, "A").children.order_by("position")] == ["A.2", "A.1"]
    client.post(reverse("emulation:node_move", args=[a2.pk]), {"parent": node(scheme, "B").pk, "position": "", "edit_version": 2})
    assert node(scheme, "A.2").parent.key == "B"
    stale = client.post(reverse("emulation:node_move", args=[a2.pk]), {"direction": "outdent", "edit_version": 1}, follow=True)
    assert "Nothing was moved" in stale.content.decode()
    assert node(scheme, "A.2").parent.key == "B"
    refused = client.post(reverse("emulation:node_move", args=[node(scheme, "A.1").pk]),
                          {"direction": "up", "edit_version": 3}, follow=True)
    assert "already the first of its section" in refused.content.decode()
    assert client.post(reverse("emulation:node_move", args=[a2.pk]), {"direction": "sideways", "edit_version": 3}).status_code == 302
    assert Scheme.objects.get(pk=scheme.pk).edit_version == 3


def test_delete_asks_for_confirmation_then_deletes_the_section_with_its_lines(client, users, scheme):
    client.force_login(users.officer)
    section = node(scheme, "A")
    page = client.get(reverse("emulation:node_delete", args=[section.pk])).content.decode()
    assert "Dòng một" in page and "Dòng hai" in page and 'id="confirmDelete"' in page
    assert scheme.nodes.count() == 3
    response = client.post(reverse("emulation:node_delete", args=[section.pk]), {"edit_version": 1})
    assert response["Location"] == reverse("emulation:scheme_detail", args=[scheme.pk])
    assert scheme.nodes.count() == 0


# --- Grades, clone, import and export ---------------------------------------------------------------------


def formset(prefix, rows, fields) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "20"}
    for index, row in enumerate(rows):
        for name, value in zip(fields, row, strict=True):
            if value is not None:
                data[f"{prefix}-{index}-{name}"] = value
    return data


def test_rules_page_saves_grades_caps_and_tie_breakers(client, users, scheme):
    client.force_login(users.officer)
    url = reverse("emulation:scheme_rules", args=[scheme.pk])
    assert client.get(url).status_code == 200
    data = {"edit_version": 1,
            **formset("grades", [("excellent", "Xuất sắc", "9,5", "on"), ("good", "Tốt", "8", None), ("", "", "", None)],
                      ("key", "label", "min_total", "no_zero_lines")),
            **formset("caps", [("disciplined", "Lãnh đạo bị kỷ luật", "good")], ("flag", "label", "max_grade")),
            **formset("ties", [("metric", "office.on_time_rate", None, "2"), ("node", "A", "on", "1")],
                      ("kind", "ref", "descending", "ORDER"))}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["problems"]
    document = schemes.scheme_to_dict(scheme)
    assert document["grades"] == [{"key": "excellent", "label": "Xuất sắc", "min_total": "9.5", "no_zero_lines": True},
                                  {"key": "good", "label": "Tốt", "min_total": "8", "no_zero_lines": False}]
    assert document["grade_caps"] == [{"flag": "disciplined", "label": "Lãnh đạo bị kỷ luật", "max_grade": "good"}]
    assert document["tie_breakers"] == [{"kind": "node", "ref": "A", "descending": True},
                                        {"kind": "metric", "ref": "office.on_time_rate", "descending": False}]
    data["edit_version"] = 2
    data["caps-0-max_grade"] = "best"
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Grade caps, row 1: The grade cap for “disciplined” names the grade “best”" in refused.content.decode()
    assert scheme.grade_caps.get().max_grade == "good"


def test_clone_last_years_scheme_for_a_year(client, users, scheme):
    client.force_login(users.officer)
    page = client.get(reverse("emulation:scheme_clone"), {"source": scheme.pk})
    assert page.context["form"].initial["year"] == 2027
    response = client.post(reverse("emulation:scheme_clone"), {"source": scheme.pk, "year": 2027, "name": ""})
    copy = Scheme.objects.get(year=2027)
    assert response["Location"] == reverse("emulation:scheme_detail", args=[copy.pk])
    assert (copy.name, copy.version, copy.cloned_from_id) == (scheme.name, 1, scheme.pk)
    assert [n.key for n in copy.nodes.order_by("key")] == ["A", "A.1", "A.2"]


def test_export_json_is_a_download_of_the_format(client, users, scheme):
    client.force_login(users.officer)
    response = client.get(reverse("emulation:scheme_export_json", args=[scheme.pk]))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert json.loads(response.content) == schemes.scheme_to_dict(scheme)


def test_import_json_through_the_page(client, users, scheme):
    client.force_login(users.officer)
    exported = client.get(reverse("emulation:scheme_export_json", args=[scheme.pk])).content
    response = client.post(reverse("emulation:scheme_import"),
                           {"file": SimpleUploadedFile("bang.json", exported, "application/json"), "year": "2027"})
    copy = Scheme.objects.get(year=2027)
    assert response["Location"] == reverse("emulation:scheme_detail", args=[copy.pk])
    assert schemes.scheme_to_dict(copy)["nodes"] == schemes.scheme_to_dict(scheme)["nodes"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bang.json", b"{not json", "The file is not valid JSON"),
        ("bang.json", json.dumps({"format": "x", "version": 1}).encode(), "must be “tdkt-portal/scheme”"),
        ("bang.json", b"\xff\xfe\x00", "The file is not UTF-8 text."),
        ("bang.txt", b"{}", "Upload a scheme exported as JSON (.json) or Excel (.xlsx)."),
        ("bang.json", b"[" * 100_000, "The file is nested too deeply to be a scheme."),
        ("bang.json", b"", "The submitted file is empty."),
        ("bang.xlsx", b"PK\x03\x04 not really", "This file is not an Excel workbook"),
    ],
)
def test_an_invalid_file_is_rejected_with_its_problems_and_nothing_is_created(client, users, name, content, message):
    client.force_login(users.officer)
    response = client.post(reverse("emulation:scheme_import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Scheme.objects.count() == 0
    assert not AuditLog.objects.filter(action="emulation.scheme.imported").exists()


VALID_DOCUMENT = {
    "format": "tdkt-portal/scheme", "version": 1, "scheme": {"name": "Bảng nhập", "year": 2026},
    "nodes": [{"key": "A", "title": "Phần A", "kind": "group", "max_points": "10", "children": [
        {"key": "A.1", "title": "Dòng 1", "kind": "manual", "max_points": "2"}]}],
    "grades": [{"key": "good", "label": "Tốt", "min_total": "1"}],
}


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        # Found by tests/test_hostile_input.py; each was a 500.
        (json.dumps(VALID_DOCUMENT).replace('"year": 2026', '"year": ' + "9" * 5000), "scheme.year",
         "must be a year between 1990 and 2100"),  # a number Python refuses to convert (over 4,300 digits)
        (json.dumps(VALID_DOCUMENT, ensure_ascii=False).replace("Bảng nhập", "\\ud800"), "scheme.name",
         "a character that cannot be stored"),
        (json.dumps(VALID_DOCUMENT, ensure_ascii=False).replace('"label": "Tốt"', '"label": "T\\u0000t"'), "grades[0].label",
         "a character that cannot be stored"),  # PostgreSQL stores no NUL
        (json.dumps(VALID_DOCUMENT).replace('"kind": "manual"', '"kind": ' + "[" * 900 + "]" * 900),
         "nodes[0].children[0].kind", "The file is nested too deeply to be a scheme."),
    ],
    ids=["huge integer", "half a surrogate pair", "NUL", "deep value"],
)
def test_an_import_names_where_the_file_holds_what_no_scheme_can(client, users, text, path, message):
    client.force_login(users.officer)
    response = client.post(reverse("emulation:scheme_import"), {"file": SimpleUploadedFile("bang.json", text.encode())})
    assert response.status_code == 400
    assert any(where.startswith(path) and message in str(problem) for where, problem in response.context["problems"])
    assert Scheme.objects.count() == 0


def test_import_lists_every_problem_with_its_path(client, users):
    document = {"format": "tdkt-portal/scheme", "version": 1, "scheme": {"name": "X", "year": 2026},
                "nodes": [{"key": "A", "title": "A", "kind": "magic"}, {"key": "A", "title": "B", "kind": "manual",
                                                                          "max_points": "x"}]}
    client.force_login(users.officer)
    response = client.post(reverse("emulation:scheme_import"),
                           {"file": SimpleUploadedFile("bang.json", json.dumps(document).encode())})
    page = response.content.decode()
    assert "The file has 3 problems. Nothing was imported." in page
    for path in ("nodes[0].kind", "nodes[1].key", "nodes[1].max_points"):
        assert f"<code>{path}</code>" in page
    assert Scheme.objects.count() == 0


def test_excel_export_and_import_through_the_pages(client, users, scheme):
    client.force_login(users.officer)
    response = client.get(reverse("emulation:scheme_export_excel", args=[scheme.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = b"".join(response.streaming_content)
    upload = SimpleUploadedFile("bang.xlsx", content)
    imported = client.post(reverse("emulation:scheme_import"), {"file": upload})
    copy = Scheme.objects.exclude(pk=scheme.pk).get()
    assert imported["Location"] == reverse("emulation:scheme_detail", args=[copy.pk])
    assert schemes.scheme_to_dict(copy)["nodes"] == schemes.scheme_to_dict(scheme)["nodes"]


def test_excel_mistakes_are_listed_by_row_and_column_on_the_page(client, users, scheme):
    workbook = scheme_workbook(scheme)
    workbook[TABLE_SHEET]["C3"] = "hai"
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(users.officer)
    response = client.post(reverse("emulation:scheme_import"), {"file": SimpleUploadedFile("bang.xlsx", buffer.getvalue())})
    assert response.status_code == 400
    errors = response.context["cell_errors"]
    assert [(e.sheet, e.row, e.column, e.header) for e in errors] == [(TABLE_SHEET, 3, "C", "Điểm chuẩn")]
    assert Scheme.objects.count() == 1


def test_history_on_the_editor_names_the_line_and_the_change(client, users, scheme):
    line = node(scheme, "A.1")
    schemes.node_update(actor=users.officer, node_id=line.pk, edit_version=1,
                        data=schemes.NodeData(key="A.1", code="1", title="Dòng một", kind="manual", max_points=D("1.5")))
    client.force_login(users.officer)
    history = client.get(reverse("emulation:scheme_detail", args=[scheme.pk])).context["history"]
    entry, sentence, detail, changes = history[0]
    assert sentence.endswith(f"changed the scoring scheme {scheme}")
    assert detail.startswith("Changed the line 1 Dòng một")
    assert changes[0][1:] == ("2", "1.5")
