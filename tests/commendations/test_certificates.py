"""The certificate calibration page: who may open it, editing the positions of a blank type (saved
with an audit entry; a stale version or a mistake keeps what was typed), creating one, the test page
(sample texts over a millimetre grid, as a PDF) of the saved or of the typed positions, and the
checks of CertificateLayout itself."""

import re
import subprocess
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from commendations.certificates import complete_fields
from commendations.models import CERTIFICATE_FIELDS, CertificateLayout, CertificateLayoutAward
from portal.models import AuditLog
from tests.factories.commendations import award

COVERED_URLS = {  # the matrix below (tests/commendations/test_views.py checks)
    "commendations:certificate_layouts",
    "commendations:certificate_layout_create",
    "commendations:certificate_layout_edit",
    "commendations:certificate_layout_test",
}
ROLES = [("anonymous", 302), ("no_role", 403), ("staff", 403), ("leader", 403), ("outsider", 403),
         ("council", 403), ("officer", 200), ("admin", 200)]


@pytest.fixture
def layout(db):
    """The seeded Giấy khen blank (A4 landscape, 297 × 210 mm)."""
    return CertificateLayout.objects.get(name="Giấy khen")


def urls(layout) -> dict[str, str]:
    return {
        "commendations:certificate_layouts": reverse("commendations:certificate_layouts"),
        "commendations:certificate_layout_create": reverse("commendations:certificate_layout_create"),
        "commendations:certificate_layout_edit": reverse("commendations:certificate_layout_edit", args=[layout.pk]),
        "commendations:certificate_layout_test": reverse("commendations:certificate_layout_test", args=[layout.pk]),
    }


def login(client, users, role, *, english=True):
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if role != "anonymous":
        client.force_login(getattr(users, role))


def form_data(layout, **changes) -> dict:
    """What the edit page posts for this layout, with `changes` (field keys: "recipient__x"…)."""
    data = {
        "version": layout.version, "name": layout.name, "paper": layout.paper, "orientation": layout.orientation,
        "offset_x": str(layout.offset_x), "offset_y": str(layout.offset_y), "place": layout.place,
        "achievement_text": layout.achievement_text,
        "awards": [str(pk) for pk in layout.award_links.values_list("award_id", flat=True)],
        "f-TOTAL_FORMS": str(len(CERTIFICATE_FIELDS)), "f-INITIAL_FORMS": str(len(CERTIFICATE_FIELDS)),
        "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "1000",
    }
    if layout.is_active:
        data["is_active"] = "on"
    for index, field in enumerate(complete_fields(layout.fields)):
        data[f"f-{index}-key"] = field["key"]
        for name in ("x", "y", "width", "font_size", "align"):
            data[f"f-{index}-{name}"] = str(field[name])
        for flag in ("bold", "italic", "enabled"):
            if field[flag]:
                data[f"f-{index}-{flag}"] = "on"
    for name, value in changes.items():
        if "__" in name:
            key, attribute = name.split("__")
            index = list(CERTIFICATE_FIELDS).index(key)
            name = f"f-{index}-{attribute}"
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def pdf_info(pdf: bytes) -> str:
    return subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


# --- Who may open what ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COVERED_URLS))
@pytest.mark.parametrize(("role", "status"), ROLES)
def test_who_may_open_the_calibration_pages(client, users, layout, name, role, status):
    login(client, users, role)
    response = client.get(urls(layout)[name])
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["commendations:certificate_layout_edit", "commendations:certificate_layout_test"])
def test_a_blank_type_that_does_not_exist_is_404(client, users, name):
    login(client, users, "officer")
    assert client.get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["staff", "leader", "council"])
def test_posting_without_the_right_changes_nothing(client, users, layout, role):
    login(client, users, role)
    before = (layout.version, layout.fields)
    edit = client.post(urls(layout)["commendations:certificate_layout_edit"], form_data(layout, recipient__x="50"))
    create = client.post(urls(layout)["commendations:certificate_layout_create"], form_data(layout, name="Phôi lạ"))
    assert (edit.status_code, create.status_code) == (403, 403)
    layout.refresh_from_db()
    assert (layout.version, layout.fields) == before
    assert not CertificateLayout.objects.filter(name="Phôi lạ").exists()


# --- The list ----------------------------------------------------------------------------------------------


def test_list_shows_each_blank_with_its_awards_and_the_awards_without_one(client, users):
    login(client, users, "officer")
    response = client.get(reverse("commendations:certificate_layouts"))
    content = response.content.decode()
    names = [layout.name for layout in response.context["page_obj"]]
    assert names == ["Bằng khen của Bộ trưởng", "Giấy chứng nhận danh hiệu thi đua", "Giấy khen"]
    assert {award.code for award in response.context["without_blank"]} == {"CSTDTQ", "COTDCP", "BKTTG"}
    assert 'id="awardsWithoutBlank"' in content and "Chiến sĩ thi đua toàn quốc" in content


@pytest.mark.parametrize("extra", [0, 2])
def test_list_reads_a_constant_number_of_queries(client, users, extra, django_assert_num_queries):
    for index in range(extra):
        other = CertificateLayout.objects.create(name=f"Phôi thêm {index}", fields=[])
        CertificateLayoutAward.objects.filter(award__code=("CSTDTQ", "BKTTG")[index]).delete()
        CertificateLayoutAward.objects.create(layout=other, award=award(("CSTDTQ", "BKTTG")[index]))
    login(client, users, "officer")
    with django_assert_num_queries(8):
        response = client.get(reverse("commendations:certificate_layouts"))
    assert len(response.context["page_obj"]) == 3 + extra


# --- Editing -----------------------------------------------------------------------------------------------


def test_officer_moves_a_field_and_the_change_is_audited(client, users, layout):
    login(client, users, "officer")
    url = urls(layout)["commendations:certificate_layout_edit"]
    response = client.post(url, form_data(layout, recipient__x="40,5", recipient__font_size="24", offset_y="-1,5",
                                          decision__enabled=None))
    assert response.status_code == 302 and response["Location"] == url
    layout.refresh_from_db()
    fields = layout.field_map()
    assert (fields["recipient"]["x"], fields["recipient"]["font_size"]) == (40.5, 24.0)
    assert fields["decision"]["enabled"] is False
    assert (layout.version, layout.offset_y, layout.updated_by) == (2, Decimal("-1.5"), users.officer)
    entry = AuditLog.objects.get(action="commendations.certificate_layout.updated")
    changes = entry.data["changes"]
    assert changes["offset_y"] == ["0.0", "-1.5"]
    assert changes["fields"][0].startswith("recipient 35×90 mm, 227 mm, 22 pt center B; decision")
    assert changes["fields"][1].startswith("recipient 40.5×90.0 mm, 227.0 mm, 24.0 pt center B; decision")
    assert changes["fields"][1].endswith("(off)")
    # the page shows it back, with the history
    page = client.get(url).content.decode()
    assert 'value="40.5"' in page and "changed the positions on the certificate blank type Giấy khen" in page


def test_a_stale_version_is_refused_and_what_was_typed_is_kept(client, users, layout):
    login(client, users, "officer")
    url = urls(layout)["commendations:certificate_layout_edit"]
    stale = form_data(layout, recipient__x="61,5")
    assert client.post(url, form_data(layout, recipient__x="50")).status_code == 302  # someone else, first
    response = client.post(url, stale)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else changed this blank type while you were working on it" in content
    assert 'value="61,5"' in content
    layout.refresh_from_db()
    assert (layout.version, layout.field_map()["recipient"]["x"]) == (2, 50.0)


@pytest.mark.parametrize(
    ("changes", "row_message"),
    [
        ({"recipient__x": "abc"}, "Enter a number"),
        ({"recipient__x": "200", "recipient__width": "120"}, "The box ends 23 mm beyond the right edge; at most 97 mm here."),
        ({"signer_name__y": "215"}, "The sheet is only 210 mm high."),
        ({"position__font_size": "99"}, "less than or equal to 72"),
    ],
)
def test_an_invalid_row_is_named_and_the_input_kept(client, users, layout, changes, row_message):
    login(client, users, "officer")
    before = (layout.version, layout.fields)
    response = client.post(urls(layout)["commendations:certificate_layout_edit"], form_data(layout, **changes))
    assert response.status_code == 400
    content = response.content.decode()
    assert row_message in content
    for value in changes.values():
        assert f'value="{value}"' in content
    key = next(iter(changes)).split("__")[0]
    assert re.search(rf'<tr data-key="{key}" class="table-danger">', content)
    layout.refresh_from_db()
    assert (layout.version, layout.fields) == before


def test_an_unknown_placeholder_in_the_achievement_line_is_refused(client, users, layout):
    login(client, users, "officer")
    response = client.post(urls(layout)["commendations:certificate_layout_edit"],
                           form_data(layout, achievement_text="Thành tích năm {nam}"))
    assert response.status_code == 400
    assert "Unknown placeholder {nam}: use {award} or {year}." in response.content.decode()
    assert 'value="Thành tích năm {nam}"' in response.content.decode()


def test_an_award_is_printed_on_one_blank_only(client, users, layout):
    login(client, users, "officer")
    bkbt = award("BKBT")
    data = form_data(layout)
    data["awards"] = [*data["awards"], str(bkbt.pk)]
    response = client.post(urls(layout)["commendations:certificate_layout_edit"], data)
    assert response.status_code == 400
    assert "Bằng khen của Bộ trưởng is printed on “Bằng khen của Bộ trưởng”" in response.content.decode()
    assert CertificateLayoutAward.objects.get(award=bkbt).layout.name == "Bằng khen của Bộ trưởng"
    layout.refresh_from_db()
    assert layout.version == 1


def test_an_award_moves_once_removed_from_its_blank(client, users, layout):
    login(client, users, "admin")
    old = CertificateLayout.objects.get(name="Bằng khen của Bộ trưởng")
    data = form_data(old)
    data["awards"] = []
    assert client.post(urls(old)["commendations:certificate_layout_edit"], data).status_code == 302
    data = form_data(layout)
    data["awards"] = [*data["awards"], str(award("BKBT").pk)]
    assert client.post(urls(layout)["commendations:certificate_layout_edit"], data).status_code == 302
    assert CertificateLayoutAward.objects.get(award__code="BKBT").layout == layout


def test_officer_creates_a_blank_type(client, users, layout):
    login(client, users, "officer")
    url = reverse("commendations:certificate_layout_create")
    page = client.get(url)
    assert page.status_code == 200 and page.context["rows"].initial[0]["key"] == "recipient"
    national = award("CSTDTQ")
    data = form_data(layout, name="Bằng chứng nhận CSTĐ toàn quốc", paper="A3", orientation="portrait",
                     version="", awards=[str(national.pk)], recipient__x="30", recipient__width="237")
    response = client.post(url, data)
    created = CertificateLayout.objects.get(name="Bằng chứng nhận CSTĐ toàn quốc")
    assert response.status_code == 302 and response["Location"] == urls(created)["commendations:certificate_layout_edit"]
    assert (created.page_mm, created.version, created.field_map()["recipient"]["x"]) == ((297, 420), 1, 30.0)
    assert list(created.awards.all()) == [national]
    assert AuditLog.objects.get(action="commendations.certificate_layout.created").data == {
        "awards": "Chiến sĩ thi đua toàn quốc"}


def test_a_second_blank_with_the_same_name_is_refused(client, users, layout):
    login(client, users, "officer")
    response = client.post(reverse("commendations:certificate_layout_create"), form_data(layout, version="", awards=[]))
    assert response.status_code == 400
    assert "Certificate layout with this Blank type already exists." in response.content.decode()
    assert CertificateLayout.objects.filter(name="Giấy khen").count() == 1


# --- The test page ----------------------------------------------------------------------------------------


def test_the_test_page_is_a_one_page_pdf_of_sample_texts_over_a_grid(client, users, layout):
    login(client, users, "officer")
    response = client.get(urls(layout)["commendations:certificate_layout_test"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="in-thu-giay-khen.pdf"'
    info = pdf_info(response.content)
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert re.search(r"Page size:\s+841\.89 x 595\.2\d+ pts", info)  # A4 landscape
    text = pdf_text(response.content)
    assert "TRANG IN THỬ – Giấy khen – A4 ngang (297 × 210 mm)" in " ".join(text.split())
    assert "Ông Nguyễn Văn Mẫu" in text and "Đã có thành tích xuất sắc trong công tác năm" in text
    assert "recipient (35.0; 90.0)" in text  # the crosshair's label, in millimetres


def test_a_test_page_of_typed_values_is_printed_without_saving(client, users, layout):
    login(client, users, "officer")
    data = form_data(layout, recipient__x="100", recipient__width="150", recipient__align="left", action="test")
    response = client.post(urls(layout)["commendations:certificate_layout_edit"], data)
    assert response["Content-Type"] == "application/pdf", [m.message for m in response.context["messages"]]
    bbox = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=response.content, capture_output=True,
                          check=True).stdout.decode()
    x_min = float(re.search(r'<word xMin="([\d.]+)"[^>]*>Ông</word>', bbox).group(1))
    assert abs(x_min - 100 * 72 / 25.4) < 1.5  # 100 mm from the left edge
    layout.refresh_from_db()
    assert (layout.version, layout.field_map()["recipient"]["x"]) == (1, 35)


def test_a_test_print_of_invalid_values_shows_the_errors(client, users, layout):
    login(client, users, "officer")
    response = client.post(urls(layout)["commendations:certificate_layout_edit"],
                           form_data(layout, recipient__width="0", action="test"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- The model's own checks -----------------------------------------------------------------------------


def test_layout_clean_names_each_problem():
    layout = CertificateLayout(
        name="Phôi thử", paper="A4", orientation="landscape", achievement_text="Năm {year} {x}",
        fields=[
            {"key": "recipient", "x": 300, "y": 10, "width": 50, "font_size": 14, "align": "center"},
            {"key": "recipient", "x": 10, "y": 10, "width": 50, "font_size": 14},
            {"key": "position", "x": 250, "y": 10, "width": 60, "font_size": 5, "align": "justify"},
            {"key": "stamp", "x": 1, "y": 1, "width": 1, "font_size": 10},
            {"key": "decision", "x": "10", "y": 10, "width": 50, "font_size": 10},
        ],
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        layout.clean()
    errors = caught.value.message_dict
    assert errors["fields"] == [
        "Recipient (Ông/Bà … or the collective): the position 300.0 × 10.0 mm is outside the sheet (297 × 210 mm).",
        "Recipient (Ông/Bà … or the collective) appears twice.",
        "Position and unit: the width must be more than 0 and end inside the sheet (at most 47.0 mm here).",
        "Position and unit: the font size must be between 6 and 72 points.",
        "Position and unit: unknown alignment.",
        "Field 4 is not one of the certificate's fields.",
        "Decision number and date: the position, width and font size must be numbers.",
    ]
    assert errors["achievement_text"] == ["Unknown placeholder {x}: use {award} or {year}."]


def test_the_seeded_layouts_are_valid(db):
    for layout in CertificateLayout.objects.all():
        layout.clean()
        assert {field["key"] for field in layout.fields} == set(CERTIFICATE_FIELDS)
