"""The scorecard's offline round-trip: export the blank or filled card to Excel, import it back
with every cell checked (row, column, message), all entries saved or none."""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from emulation import services
from emulation.models import ScoreLine
from emulation.scorecard_excel import COLUMNS, scorecard_import, scorecard_workbook
from tests.factories.emulation import build_scheme, open_scorecard

D = Decimal
ENTRY, NOTE, KEY = (next(i for i, c in enumerate(COLUMNS) if c.key == k) for k in ("entry", "note", "key"))


@pytest.fixture
def scheme(db):
    return build_scheme(lines=6, sections=2)  # L1 manual, L2 yes/no, L3 tiered, L4 lateness, L5 formula, L6 manual


@pytest.fixture
def card(scheme, org):
    return open_scorecard(scheme=scheme, unit=org.home)


@pytest.fixture
def other_card(card, org):
    return open_scorecard(scheme=card.campaign.scheme, unit=org.other, campaign=card.campaign)


def line_of(card, key) -> ScoreLine:
    return ScoreLine.objects.select_related("node").get(scorecard=card, node__key=key)


def fill(card, user):
    """The unit's entries on every kind of line, saved the way the page saves them."""
    lines = {key: line_of(card, key) for key in ("L1", "L2", "L3", "L4", "L5", "L6")}
    entries = {
        lines["L1"].pk: services.LineInput(version=1, points=D("1.75"), note="Kế hoạch số 12/KH-STP"),
        lines["L2"].pk: services.LineInput(version=1, flag=True),
        lines["L3"].pk: services.LineInput(version=1, value=D("97.3")),
        lines["L4"].pk: services.LineInput(version=1, value=D("2")),
        lines["L5"].pk: services.LineInput(version=1, inputs={"a": "10", "b": "9"}, note="Số liệu quý IV"),
        lines["L6"].pk: services.LineInput(version=1, points=D("0.5")),
    }
    services.scorecard_save_self(actor=user, scorecard_id=card.pk, entries=entries)


def entries_of(card) -> dict:
    return {
        line.node.key: (line.self_points, line.self_flag, line.self_value, line.self_inputs, line.self_note)
        for line in ScoreLine.objects.filter(scorecard=card).select_related("node")
    }


def as_upload(workbook, name="phieu-cham-diem.xlsx") -> SimpleUploadedFile:
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def rows_by_key(sheet) -> dict:
    return {row[KEY].value: row for row in sheet.iter_rows() if row[KEY].value}


def test_export_filled_then_import_into_another_units_blank_card_reproduces_the_entries(users, card, other_card):
    fill(card, users.staff)
    workbook = openpyxl.load_workbook(as_upload(scorecard_workbook(card)))
    outsider = users.outsider  # staff of `other`
    result = scorecard_import(actor=outsider, scorecard=other_card, upload=as_upload(workbook))
    assert result.errors == [] and result.changed == 6
    assert entries_of(other_card) == entries_of(card)
    other_card.refresh_from_db()
    card.refresh_from_db()
    assert other_card.self_total == card.self_total == D("1.75") + D("2") + D("1.75") + D("1.5") + D("1.8") + D("0.5")


def test_the_export_is_the_table_as_printed(users, card):
    fill(card, users.staff)
    sheet = scorecard_workbook(card).active
    header = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "STT")
    assert list(header) == ["STT", "Tiêu chí", "Điểm chuẩn", "Cách chấm", "Tự chấm", "Điểm", "Ghi chú", "Mã dòng"]
    rows = {key: [cell.value for cell in row] for key, row in rows_by_key(sheet).items() if key != "Mã dòng"}
    assert list(rows) == ["S1", "L1", "L2", "L3", "S2", "L4", "L5", "L5:a", "L5:b", "L6"]
    assert rows["S1"][:3] == ["A", "Phần A", 6]
    assert rows["L1"][ENTRY] == D("1.75") and rows["L1"][NOTE] == "Kế hoạch số 12/KH-STP"
    assert rows["L2"][ENTRY] == "Có" and rows["L5:b"][ENTRY] == 9
    assert rows["L3"][5] == D("1.75")  # the computed score, for reading
    assert sheet.column_dimensions["H"].hidden is True


def test_the_blank_card_has_no_entries(users, card):
    fill(card, users.staff)
    rows = rows_by_key(scorecard_workbook(card, blank=True).active)
    assert all(row[ENTRY].value is None and row[NOTE].value is None for key, row in rows.items() if key != "Mã dòng")


def test_every_wrong_cell_is_reported_by_row_and_column_and_nothing_is_saved(users, card):
    workbook = scorecard_workbook(card, blank=True)
    rows = rows_by_key(workbook.active)
    rows["L6"][ENTRY].value = 0.75  # valid, but must not be saved because of the others
    rows["L1"][ENTRY].value = "1,3"  # not a multiple of 0,25
    rows["L2"][ENTRY].value = "Có lẽ"
    rows["L3"][ENTRY].value = "chín mươi"
    rows["L5:a"][ENTRY].value = "x"
    rows["S2"][ENTRY].value = 4  # a section total
    workbook.active.append([None, "Dòng lạ", None, None, 1, None, None, "ZZ9"])
    with translation.override("vi"):  # messages come in the user's language; Vietnamese here
        result = scorecard_import(actor=users.staff, scorecard=card, upload=as_upload(workbook))
    found = {(error.row, error.column) for error in result.errors}
    assert found == {
        (rows["L1"][ENTRY].row, "E"), (rows["L2"][ENTRY].row, "E"), (rows["L3"][ENTRY].row, "E"),
        (rows["L5:a"][ENTRY].row, "E"), (rows["S2"][ENTRY].row, "E"), (workbook.active.max_row, "H"),
    }
    l1_error = next(e for e in result.errors if e.row == rows["L1"][ENTRY].row)
    assert "0,25" in l1_error.message and l1_error.header == "Tự chấm"
    assert all(value == (None, None, None, {}, "") for value in entries_of(card).values())


def test_empty_cells_clear_what_was_saved(users, card):
    fill(card, users.staff)
    workbook = scorecard_workbook(card)
    rows = rows_by_key(workbook.active)
    rows["L1"][ENTRY].value = None
    rows["L5:b"][ENTRY].value = None
    result = scorecard_import(actor=users.staff, scorecard=card, upload=as_upload(workbook))
    assert result.errors == [] and result.changed == 2
    assert line_of(card, "L1").self_points is None
    assert line_of(card, "L5").self_inputs == {"a": "10"}


def test_a_file_that_is_not_a_workbook_is_refused_clearly(client, users, card):
    client.force_login(users.staff)
    url = reverse("emulation:scorecard_import", args=[card.pk])
    response = client.post(url, {"file": SimpleUploadedFile("phieu.xlsx", b"PK\x03\x04 rubbish")})
    assert response.status_code == 400 and response.context["form"].errors["file"]
    response = client.post(url, {"file": SimpleUploadedFile("phieu.csv", b"a,b")})
    assert response.status_code == 400 and response.context["form"].errors["file"]
    wrong = openpyxl.Workbook()
    wrong.active.append(["Tên", "Điểm"])
    response = client.post(url, {"file": as_upload(wrong)})
    assert response.status_code == 400 and "Mã dòng" in str(response.context["form"].errors["file"])


def test_import_page_lists_the_mistakes(client, users, card):
    workbook = scorecard_workbook(card, blank=True)
    rows_by_key(workbook.active)["L1"][ENTRY].value = 9
    client.force_login(users.staff)
    response = client.post(reverse("emulation:scorecard_import", args=[card.pk]), {"file": as_upload(workbook)})
    assert response.status_code == 400
    assert [(e.column, e.header) for e in response.context["errors"]] == [("E", "Tự chấm")]
    assert 'id="importErrorTable"' in response.content.decode()


def test_export_downloads_as_xlsx(client, users, card):
    client.force_login(users.staff)
    response = client.get(reverse("emulation:scorecard_export", args=[card.pk]), {"blank": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "STP-HN" in response["Content-Disposition"] and "trong" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Phiếu chấm điểm", "Hướng dẫn"]


def test_a_note_that_looks_like_a_formula_is_exported_as_text(card):
    from emulation.scorecard_excel import scorecard_workbook

    line = card.lines.first()
    line.self_note = '=HYPERLINK("http://example.invalid","x")'
    line.save(update_fields=["self_note"])
    workbook = scorecard_workbook(card)
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.data_type for cell in cells if cell.value == line.self_note] == ["s"]
    assert all(cell.data_type != "f" for cell in cells)
