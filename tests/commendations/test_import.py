"""History import from Excel: templates, every mistake reported by row and column with nothing
imported, and correct files imported whole with one audit entry."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commendations.enums import AwardKind, HoldKind, InitiativeLevel, RatingGrade
from commendations.excel import HELP_SHEET, LIST_SHEET, TABLES, read_workbook
from commendations.models import AwardRecord, Hold, Initiative, Rating
from portal.models import AuditLog
from tests.factories import PersonFactory
from tests.factories.commendations import InitiativeFactory, give_ratings, give_titles

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_upload(table: str, rows, *, headers=None, name: str | None = None) -> SimpleUploadedFile:
    """An .xlsx upload of the table's template columns (or ``headers``) with ``rows`` under them."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = TABLES[table].sheet
    sheet.append(headers or [column.header for column in TABLES[table].columns])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name or f"{table}.xlsx", buffer.getvalue(), content_type=XLSX)


@pytest.fixture
def officer_client(client, users):
    client.force_login(users.officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def staff(org):
    """Two people of home, one named by e-mail and one by name, date of birth and unit."""
    return (
        PersonFactory(unit=org.home, full_name="Nguyễn Thị Lan", email="lannt@moj.gov.vn"),
        PersonFactory(unit=org.home, full_name="Trần Văn Bình", date_of_birth=date(1985, 3, 15)),
    )


def post(client, table, upload):
    return client.post(reverse("commendations:history_import"), {"table": table, "file": upload})


def error_cells(response) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.header) for error in response.context["errors"]]


# --- Templates --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("table", list(TABLES))
def test_template_has_the_columns_lists_and_instructions(officer_client, table):
    response = officer_client.get(reverse("commendations:history_import_template", args=[table]))

    assert response["Content-Type"] == XLSX
    assert TABLES[table].filename in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [TABLES[table].sheet, HELP_SHEET, LIST_SHEET]
    sheet = workbook[TABLES[table].sheet]
    assert [cell.value for cell in sheet[1]] == [column.header for column in TABLES[table].columns]
    assert sheet.max_row == 3  # the header and two examples
    listed = {cell.value for row in workbook[LIST_SHEET].iter_rows() for cell in row}
    assert {"CSTDCS", "BKBT", "TTLDXS"} <= listed
    # the template reads back as a file of this table
    upload = io.BytesIO(b"")
    workbook.save(upload)
    assert len(read_workbook(upload, TABLES[table]).rows) == 2


@pytest.mark.django_db
def test_template_of_an_unknown_table_is_404(officer_client):
    assert officer_client.get(reverse("commendations:history_import_template", args=["nothing"])).status_code == 404


# --- Mistakes: every one listed, nothing imported ---------------------------------------------------


@pytest.mark.django_db
def test_award_file_with_mistakes_lists_every_error_by_row_and_column_and_imports_nothing(officer_client, staff, org):
    lan, binh = staff
    rows = [
        ["khongco@moj.gov.vn", "", "", "", "CSTDCS", 2024, "công trạng", "1/QĐ", "20/12/2024", ""],   # 2 unknown person
        ["lannt@moj.gov.vn", "", "", "", "XYZ", 2024, "", "", "", ""],                                 # 3 unknown award
        ["LANNT@moj.gov.vn", "", "", "", "LDTT", "20x5", "", "", "", ""],                              # 4 bad year
        ["lannt@moj.gov.vn", "", "", "", "LDTT", 2023, "", "", "", ""],                                # 5 correct
        ["", "Trần Văn Bình", "", "STP-HN", "LDTT", 2024, "", "", "", ""],                             # 6 no birth date
        ["", "", "", "STP-HN", "CSTDCS", 2024, "", "", "", ""],                                        # 7 not for units
        ["", "Trần Văn Bình", "15/03/1985", "STP-HN", "LDTT", 2099, "thi đua", "", "31/02/2024", ""],  # 8 three
        ["", "Trần Văn Bình", "15/03/1985", "STP-XX", "LDTT", 2024, "", "", "", ""],                   # 9 unknown unit
    ]
    before = AwardRecord.objects.count()

    response = post(officer_client, "awards", workbook_upload("awards", rows))

    assert response.status_code == 400
    assert error_cells(response) == [
        (2, "A", "E-mail"),
        (3, "E", "Mã khen thưởng"),
        (4, "F", "Năm"),
        (6, "C", "Ngày sinh"),
        (7, "E", "Mã khen thưởng"),
        (8, "F", "Năm"),
        (8, "G", "Loại hình"),
        (8, "I", "Ngày quyết định"),
        (9, "D", "Mã đơn vị"),
    ]
    messages = [error.message for error in response.context["errors"]]
    assert messages[0] == "No person has the e-mail khongco@moj.gov.vn."
    assert messages[1] == "No award in the catalogue has the code XYZ."
    assert messages[2].startswith("“20x5” is not a year; enter it as four digits")
    assert messages[4] == "Chiến sĩ thi đua cơ sở is not given to a collective; name a person."
    assert messages[5] == f"The year must be between 2000 and {date.today().year}."
    assert "Nothing was imported" in response.content.decode()
    assert AwardRecord.objects.count() == before
    assert not AuditLog.objects.filter(action="commendations.history.imported").exists()


@pytest.mark.django_db
def test_rating_file_with_duplicates_and_bad_values_imports_nothing(officer_client, staff):
    lan, binh = staff
    give_ratings(lan, {2023: RatingGrade.HTTNV})
    rows = [
        ["lannt@moj.gov.vn", "", "", "", 2024, "HTXSNV", 95, 12, 0],      # 2 correct
        ["lannt@moj.gov.vn", "", "", "", 2024, "HTTNV", 88, 12, 0],       # 3 same year again in the file
        ["lannt@moj.gov.vn", "", "", "", 2023, "HTTNV", "", "", ""],      # 4 already in the portal
        ["", "trần  văn bình", "15/03/1985", "stp-hn", 2024, "Giỏi", 101, 10, 6],  # 5 grade, score, months
    ]

    response = post(officer_client, "ratings", workbook_upload("ratings", rows))

    assert response.status_code == 400
    assert error_cells(response) == [
        (3, "E", "Năm"),
        (4, "E", "Năm"),
        (5, "F", "Xếp loại"),
        (5, "G", "Điểm"),
        (5, "I", "Số tháng nghỉ thai sản"),
    ]
    messages = [error.message for error in response.context["errors"]]
    assert messages[0] == "Nguyễn Thị Lan already has a rating for 2024 in row 2 of this file."
    assert messages[1] == "Nguyễn Thị Lan already has a rating for 2023 in the portal."
    assert Rating.objects.filter(year=2024).count() == 0


@pytest.mark.django_db
def test_a_file_that_is_not_a_workbook_or_lacks_headers_is_refused_as_a_whole(officer_client, staff):
    fake = SimpleUploadedFile("lich-su.xlsx", b"MZ\x90\x00 not a workbook", content_type=XLSX)
    response = post(officer_client, "ratings", fake)
    assert response.status_code == 400
    assert response.context["form"].errors["file"]

    wrong = workbook_upload("ratings", [["a"]], headers=["E-mail", "Năm"])
    response = post(officer_client, "ratings", wrong)
    assert response.status_code == 400
    (message,) = response.context["form"].errors["file"]
    assert message.startswith("The first row must hold the column headers of the template “Annual ratings”; missing: "
                              "Họ và tên, Ngày sinh, Mã đơn vị, Xếp loại")


# --- Correct files: every row imported, one audit entry ---------------------------------------------


@pytest.mark.django_db
def test_a_correct_award_file_imports_every_row_with_one_audit_entry(officer_client, users, staff, org):
    lan, binh = staff
    rows = [
        ["lannt@moj.gov.vn", "", "", "", "CSTDCS", 2024, "công trạng", "123/QĐ-STP", date(2024, 12, 20), "Giám đốc Sở"],
        ["", "Trần Văn Bình", "15/03/1985", "STP-HN", "GK", 2024, "đột xuất", "7/QĐ-STP", "05/06/2024", ""],
        ["", "", "", "STP-HN", "TTLDXS", 2024, "", "45/QĐ-BTP", "", "Bộ trưởng"],
    ]

    response = post(officer_client, "awards", workbook_upload("awards", rows))

    assert response.status_code == 302
    records = AwardRecord.objects.order_by("pk")
    assert [(r.person, r.unit, r.award.code, r.year, r.kind, r.decision_number, r.decided_on, r.signer)
            for r in records] == [
        (lan, None, "CSTDCS", 2024, AwardKind.MERIT, "123/QĐ-STP", date(2024, 12, 20), "Giám đốc Sở"),
        (binh, None, "GK", 2024, AwardKind.AD_HOC, "7/QĐ-STP", date(2024, 6, 5), ""),
        (None, org.home, "TTLDXS", 2024, AwardKind.MERIT, "45/QĐ-BTP", None, "Bộ trưởng"),
    ]
    entry = AuditLog.objects.get(action="commendations.history.imported")
    assert (entry.actor, entry.data) == (users.officer, {"table": "awards", "count": 3})
    page = officer_client.get(response.url)
    assert "3 rows of awards were imported." in page.content.decode()


@pytest.mark.django_db
def test_a_correct_rating_file_imports_people_and_units(officer_client, staff, org):
    lan, binh = staff
    rows = [
        ["lannt@moj.gov.vn", "", "", "", 2024, "Hoàn thành xuất sắc nhiệm vụ", "92,5", "", ""],
        ["", "Trần Văn Bình", "15/03/1985", "STP-HN", 2024, "htt", 85, 4, 6],
        ["", "", "", "STP-HN", 2024, "HTXS", "", "", ""],
    ]

    response = post(officer_client, "ratings", workbook_upload("ratings", rows))

    assert response.status_code == 302
    assert [(r.person, r.unit, r.grade, r.score, r.months_worked, r.maternity_months)
            for r in Rating.objects.order_by("pk")] == [
        (lan, None, RatingGrade.HTXSNV, Decimal("92.50"), 12, 0),
        (binh, None, RatingGrade.HTTNV, Decimal("85.00"), 4, 6),
        (None, org.home, RatingGrade.HTXSNV, None, 12, 0),
    ]


@pytest.mark.django_db
def test_initiatives_group_their_authors_and_record_the_award_that_used_them(officer_client, staff):
    lan, binh = staff
    (used_for,) = give_titles(lan, "CSTDCS", [2024])
    rows = [
        ["lannt@moj.gov.vn", "", "", "", "Số hoá hồ sơ lý lịch tư pháp", 2024, "cơ sở", "45/QĐ-STP", "CSTDCS", 2024],
        ["", "Trần Văn Bình", "15/03/1985", "STP-HN", "Số hoá hồ sơ lý lịch tư pháp", 2024, "cơ sở", "45/QĐ-STP", "",
         ""],
        ["", "Trần Văn Bình", "15/03/1985", "STP-HN", "Sổ tay trợ giúp pháp lý", 2023, "cấp Bộ", "", "", ""],
    ]

    response = post(officer_client, "initiatives", workbook_upload("initiatives", rows))

    assert response.status_code == 302
    first, second = Initiative.objects.order_by("pk")
    assert (first.title, first.level, first.consumed_by) == ("Số hoá hồ sơ lý lịch tư pháp", InitiativeLevel.UNIT,
                                                             used_for)
    assert set(first.authors.all()) == {lan, binh}
    assert (second.level, list(second.authors.all()), second.consumed_by) == (InitiativeLevel.MINISTRY, [binh], None)


@pytest.mark.django_db
def test_an_award_may_use_several_initiatives_but_it_must_exist(officer_client, staff):
    lan, binh = staff
    (award_2024,) = give_titles(lan, "CSTDCS", [2024])
    InitiativeFactory(title="Đã dùng trước đó", authors=[lan], consumed_by=award_2024)
    give_titles(binh, "CSTDCS", [2024])
    rows = [
        ["lannt@moj.gov.vn", "", "", "", "Sáng kiến mới", 2024, "cơ sở", "", "CSTDCS", 2024],       # 2 second one: fine
        ["", "Trần Văn Bình", "15/03/1985", "STP-HN", "Chung", 2024, "cơ sở", "", "CSTDCS", 2024],  # 3 fine
        ["lannt@moj.gov.vn", "", "", "", "Chung", 2024, "cơ sở", "", "CSTDCS", 2023],              # 4 no such award
        ["lannt@moj.gov.vn", "", "", "", "Đã dùng trước đó", 2024, "cơ sở", "", "", ""],            # 5 known
    ]

    response = post(officer_client, "initiatives", workbook_upload("initiatives", rows))

    assert response.status_code == 400
    assert error_cells(response) == [(4, "I", "Đã dùng cho (mã khen thưởng)"), (5, "E", "Tên sáng kiến")]
    messages = [error.message for error in response.context["errors"]]
    assert messages[0] == "Nguyễn Thị Lan has no CSTDCS of 2023 in the portal; import the awards first."
    assert Initiative.objects.count() == 1


@pytest.mark.django_db
def test_a_correct_hold_file_imports_every_row(officer_client, staff, org):
    lan, binh = staff
    rows = [
        ["lannt@moj.gov.vn", "", "", "", "kỷ luật", "01/03/2023", "28/02/2024", "Khiển trách"],
        ["", "Trần Văn Bình", "15/03/1985", "STP-HN", "điều tra", date(2025, 10, 10), "", ""],
    ]

    response = post(officer_client, "holds", workbook_upload("holds", rows))

    assert response.status_code == 302
    assert [(h.person, h.kind, h.start, h.end, h.note) for h in Hold.objects.order_by("pk")] == [
        (lan, HoldKind.DISCIPLINE, date(2023, 3, 1), date(2024, 2, 28), "Khiển trách"),
        (binh, HoldKind.INVESTIGATION, date(2025, 10, 10), None, ""),
    ]


@pytest.mark.django_db
def test_a_hold_that_ends_before_it_starts_is_refused(officer_client, staff):
    rows = [["lannt@moj.gov.vn", "", "", "", "khiếu nại", "01/03/2024", "28/02/2024", ""]]

    response = post(officer_client, "holds", workbook_upload("holds", rows))

    assert error_cells(response) == [(2, "G", "Đến ngày")]
    assert not Hold.objects.exists()
