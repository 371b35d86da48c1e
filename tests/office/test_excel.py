"""Excel: the import template, importing a plan's tasks (every mistake by row and column, all or
nothing), exporting a filtered task list, the round trip between the two, and permissions."""

import io
import zipfile
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from office import excel
from office.enums import DeadlineKind, PlanState, Priority, TaskSource
from office.models import Task
from portal.models import AuditLog
from tests.factories import UnitFactory
from tests.factories.office import TaskFactory, WorkPlanFactory

HEADERS = [column.header for column in excel.COLUMNS]


@pytest.fixture(autouse=True)
def _english(client):
    """Messages compared below are the English msgids; the portal defaults to Vietnamese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def workbook_file(rows, *, headers=HEADERS, name="ke-hoach.xlsx"):
    """An uploaded .xlsx with the header row and `rows` (lists in column order; None = empty row)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = excel.TASK_SHEET
    sheet.append(headers)
    for row in rows:
        sheet.append(row or [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=excel.XLSX_CONTENT_TYPE)


def row(code, content="Xây dựng báo cáo", lead="STP-HN", *, number=None, parent="", cooperating="", source="",
        kind="", deadline="", output="Báo cáo", priority="", completed="", document=""):
    return [number, code, parent, content, lead, cooperating, source, kind, deadline, output, priority, completed, document]


def errors_of(response):
    return [(error.row, error.column, error.header, error.message) for error in response.context["errors"]]


def read_export(response):
    content = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return workbook[excel.TASK_SHEET]


# --- Import: mistakes ------------------------------------------------------------------------------


def test_import_with_mistakes_lists_every_error_and_imports_nothing(client, users, org, draft_plan):
    TaskFactory(plan=draft_plan, lead_unit=org.home, code="NV01")
    before = Task.objects.count()
    year = timezone.localdate().year
    upload = workbook_file(
        [
            row("NV10", number=1),                                         # 2: correct
            row("NV11", lead="XYZ"),                                       # 3: unknown unit code
            row("NV12", kind="ngày", deadline="15.03.2026"),               # 4: date in the wrong format
            row("NV13", content=""),                                       # 5: empty required cell
            row("NV10"),                                                   # 6: duplicated code
            None,                                                          # 7: empty, skipped
            row("NV14", parent="NV99"),                                    # 8: parent code missing
            row("NV15", completed="10/01/2026"),                           # 9: completed, no output document
            row("NV01"),                                                   # 10: code already in the plan
        ]
    )
    client.force_login(users.staff)
    response = client.post(reverse("office:plan_import", args=[draft_plan.pk]), {"file": upload})

    assert response.status_code == 400
    assert errors_of(response) == [
        (3, "E", "Đơn vị chủ trì", "No unit has the code XYZ."),
        (4, "I", "Thời hạn", f"Enter the deadline as dd/mm/yyyy, for example 15/12/{year}."),
        (5, "D", "Nội dung", "Enter the content of the task."),
        (6, "B", "Mã nhiệm vụ", "The code NV10 is already used in row 2 of this file."),
        (8, "C", "Mã nhiệm vụ cha", "No task has the code NV99, in this file or in the plan."),
        (9, "M", "Văn bản kết quả", "Name the output document (number and title) that completes the task."),
        (10, "B", "Mã nhiệm vụ", "The code NV01 is already used in this plan."),
    ]
    assert Task.objects.count() == before
    assert AuditLog.objects.filter(action="office.import.completed").count() == 0
    assert "The file has 7 mistakes. Nothing was imported; the plan is unchanged." in response.content.decode()


def test_import_reports_several_mistakes_in_one_row_and_other_rules(client, users, org, draft_plan):
    inactive = UnitFactory(code="CU", is_active=False)
    upload = workbook_file(
        [
            row("", content="", lead=""),                                  # 2: three required cells
            row("A1", lead="STP-HN", cooperating="STP-HN; CU", source="Ai đó", priority="rất cao"),  # 3
            row("A2", kind="không", deadline="01/2026"),                   # 4
            row("A3", kind="tháng", deadline="13/2026"),                   # 5
            row("A4", kind="quý", deadline="V/2026"),                      # 6
            row("A5", parent="A5"),                                        # 7
            row("A6", parent="A7"),                                        # 8: A7 is a sub-task
            row("A7", parent="A1"),                                        # 9
            row("A8", document="Quyết định 1/QĐ"),                         # 10: document without date
            row("A9", completed=(timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y"), document="QĐ 2"),
            row("A10", kind="ngày"),                                       # 12: no deadline given
        ]
    )
    client.force_login(users.staff)
    response = client.post(reverse("office:plan_import", args=[draft_plan.pk]), {"file": upload})

    assert inactive.code == "CU"
    assert errors_of(response) == [
        (2, "B", "Mã nhiệm vụ", "Enter the task code."),
        (2, "D", "Nội dung", "Enter the content of the task."),
        (2, "E", "Đơn vị chủ trì", "Enter the code of the lead unit."),
        (3, "F", "Đơn vị phối hợp", "The lead unit cannot also be a cooperating unit."),
        (3, "F", "Đơn vị phối hợp", "The unit CU is no longer active."),
        (3, "G", "Nguồn", "“Ai đó” is not allowed here; use one of: "
         "Chính phủ/Thủ tướng Chính phủ giao; Bộ trưởng giao; Kế hoạch của đơn vị; Kiến nghị cử tri."),
        (3, "K", "Ưu tiên", "“rất cao” is not allowed here; use one of: Bình thường; Cao; Khẩn."),
        (4, "I", "Thời hạn", "Loại thời hạn is “không” (no deadline): leave this cell empty."),
        (5, "I", "Thời hạn", "13 is not a month."),
        (6, "I", "Thời hạn", f"Enter a quarter deadline as I/{timezone.localdate().year} to IV/{timezone.localdate().year}, "
         f"or Q1/{timezone.localdate().year} to Q4/{timezone.localdate().year}."),
        (7, "C", "Mã nhiệm vụ cha", "A task cannot be its own parent."),
        (8, "C", "Mã nhiệm vụ cha", "The task A7 is itself a sub-task; a sub-task cannot have sub-tasks."),
        (10, "L", "Hoàn thành ngày", "Enter the completion date, or leave Văn bản kết quả empty."),
        (11, "L", "Hoàn thành ngày", "The completion date cannot be in the future."),
        (12, "I", "Thời hạn", "Give the deadline, or choose “không” (no deadline) in Loại thời hạn."),
    ]
    assert Task.objects.count() == 0


# --- Import: a correct file -------------------------------------------------------------------------


def test_correct_file_imports_every_row_parents_first(client, users, org, draft_plan):
    year = draft_plan.year
    upload = workbook_file(
        [
            # The sub-task comes first in the file; its parent is created before it.
            row("1.1", parent="1", content="Tổ chức hội nghị sơ kết", kind="quý", deadline=f"II/{year}",
                source="minister", priority="Cao"),
            row("1", content="Xây dựng  Kế hoạch\u00a0phổ biến pháp luật", cooperating="stp-hn-vp, STP-HP",
                source="Chính phủ/Thủ tướng Chính phủ giao", kind="tháng", deadline=f"03/{year}", priority="khan"),
            row("2", content="Rà soát văn bản", deadline=datetime(year, 5, 15), output="Danh mục văn bản"),
            row("3", content="Nhiệm vụ thường xuyên", kind="không"),
            row("4", content="Đã xong", kind="ngày", deadline=f"20/01/{year}", completed="18/01/2026",
                document="Báo cáo số 5/BC-STP"),
            row("5", content="Theo quý viết Q", deadline=f"Q4/{year}"),
        ]
    )
    client.force_login(users.staff)
    response = client.post(reverse("office:plan_import", args=[draft_plan.pk]), {"file": upload})

    assert response.status_code == 302
    assert response.url == reverse("office:plan_detail", args=[draft_plan.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["6 tasks were imported into the plan."]
    tasks = {task.code: task for task in draft_plan.tasks.select_related("parent", "lead_unit")}
    assert sorted(tasks) == ["1", "1.1", "2", "3", "4", "5"]
    first, sub = tasks["1"], tasks["1.1"]
    assert first.content == "Xây dựng Kế hoạch phổ biến pháp luật"
    assert sorted(unit.code for unit in first.cooperating_units.all()) == ["STP-HN-VP", "STP-HP"]
    assert (first.source, first.priority, first.deadline_kind, first.due_date) == (
        TaskSource.GOVERNMENT, Priority.URGENT, DeadlineKind.MONTH, date(year, 3, 31)
    )
    assert first.original_due_date == date(year, 3, 31)
    assert (sub.parent, sub.source, sub.priority, sub.deadline_kind, sub.due_date) == (
        first, TaskSource.MINISTER, Priority.HIGH, DeadlineKind.QUARTER, date(year, 6, 30)
    )
    assert (tasks["2"].deadline_kind, tasks["2"].due_date, tasks["2"].output) == (
        DeadlineKind.DATE, date(year, 5, 15), "Danh mục văn bản"
    )
    assert (tasks["3"].deadline_kind, tasks["3"].due_date, tasks["3"].source) == (DeadlineKind.NONE, None, TaskSource.OWN_PLAN)
    assert (tasks["4"].completed_on, tasks["4"].output_document, tasks["4"].progress_percent) == (
        date(2026, 1, 18), "Báo cáo số 5/BC-STP", 100
    )
    assert (tasks["5"].deadline_kind, tasks["5"].due_date) == (DeadlineKind.QUARTER, date(year, 12, 31))
    entries = list(AuditLog.objects.filter(action="office.import.completed"))
    assert [(entry.object_id, entry.data, entry.actor_id) for entry in entries] == [
        (str(draft_plan.pk), {"count": 6}, users.staff.pk)
    ]


def test_import_accepts_a_parent_already_in_the_plan_and_skips_empty_rows(client, users, org, draft_plan):
    TaskFactory(plan=draft_plan, lead_unit=org.home, code="NV01")
    upload = workbook_file([None, row("NV01.1", parent="NV01"), None, None, [None] * 13])
    client.force_login(users.staff)
    response = client.post(reverse("office:plan_import", args=[draft_plan.pk]), {"file": upload})
    assert response.status_code == 302
    assert draft_plan.tasks.get(code="NV01.1").parent.code == "NV01"


def test_import_of_the_downloaded_template_creates_its_two_examples(client, users, draft_plan):
    client.force_login(users.staff)
    template = b"".join(client.get(reverse("office:import_template")).streaming_content)
    upload = SimpleUploadedFile("mau.xlsx", template)
    response = client.post(reverse("office:plan_import", args=[draft_plan.pk]), {"file": upload})
    assert response.status_code == 302
    tasks = list(draft_plan.tasks.order_by("code").values_list("code", "parent__code", "lead_unit__code"))
    assert tasks == [("VD-01", None, "STP-HN"), ("VD-01.1", "VD-01", "STP-HN")]


# --- Import: files that are not task lists ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 200, "Only Excel workbooks (.xlsx) can be imported."),
        ("ke-hoach.xlsx", b"MZ\x90\x00\x03" + b"\x00" * 200, "The content of ke-hoach.xlsx does not match its .xlsx name."),
        ("ke-hoach.xlsx", b"PK\x03\x04 this is not really a zip archive", "This file is not an Excel workbook (.xlsx)"),
        ("ke-hoach.xlsx", b"", "The submitted file is empty."),
    ],
)
def test_import_refuses_files_that_are_not_workbooks(client, users, draft_plan, name, content, message):
    client.force_login(users.staff)
    response = client.post(
        reverse("office:plan_import", args=[draft_plan.pk]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    with translation.override("en"):  # the messages are compared in English, their msgid
        assert any(str(error).startswith(message) for error in response.context["form"].errors["file"])
    assert Task.objects.count() == 0


def test_import_refuses_a_zip_that_is_not_a_workbook(client, users, draft_plan):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a spreadsheet")
    client.force_login(users.staff)
    response = client.post(
        reverse("office:plan_import", args=[draft_plan.pk]), {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())}
    )
    assert response.context["form"].errors["file"] == [
        "This file is not an Excel workbook (.xlsx), or it is damaged. Open it in Excel, save it as "
        "“Excel Workbook (*.xlsx)” and upload it again."
    ]


def test_import_refuses_a_sheet_without_the_template_headers(client, users, draft_plan):
    upload = workbook_file([["1", "Nội dung"]], headers=["Mã nhiệm vụ", "Nội dung", "Ghi chú"])
    client.force_login(users.staff)
    response = client.post(reverse("office:plan_import", args=[draft_plan.pk]), {"file": upload})
    assert response.context["form"].errors["file"] == [
        "The first row must hold the column headers of the template; missing: Mã nhiệm vụ cha, Đơn vị chủ trì, "
        "Đơn vị phối hợp, Nguồn, Loại thời hạn, Thời hạn, Sản phẩm, Ưu tiên, Hoàn thành ngày, Văn bản kết quả. "
        "Download the template and copy your rows into it."
    ]


def test_import_refuses_more_than_the_row_limit(client, users, draft_plan, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 3)
    upload = workbook_file([row(f"N{n}") for n in range(4)])
    client.force_login(users.staff)
    response = client.post(reverse("office:plan_import", args=[draft_plan.pk]), {"file": upload})
    assert response.context["form"].errors["file"] == ["The file has more than 3 tasks; split it into several files."]
    assert Task.objects.count() == 0


def test_import_limit_is_five_thousand_rows():
    assert excel.MAX_ROWS == 5000


def test_import_refuses_a_file_with_only_the_header(client, users, draft_plan):
    client.force_login(users.staff)
    response = client.post(reverse("office:plan_import", args=[draft_plan.pk]), {"file": workbook_file([None, None])})
    assert response.context["form"].errors["file"] == ["The file has no task rows under the header row."]


# --- Template ---------------------------------------------------------------------------------------


def test_template_has_headers_examples_lists_and_instructions(client, users, org):
    client.force_login(users.staff)
    response = client.get(reverse("office:import_template"))
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="mau-nhap-nhiem-vu.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Nhiệm vụ", "Hướng dẫn", "Danh mục"]
    sheet = workbook["Nhiệm vụ"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert [r[1] for r in rows[1:]] == ["VD-01", "VD-01.1"]
    assert sheet.column_dimensions["D"].width == 60
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations == {
        "H2:H5001": "='Danh mục'!$A$2:$A$5",
        "G2:G5001": "='Danh mục'!$B$2:$B$5",
        "K2:K5001": "='Danh mục'!$C$2:$C$4",
    }
    lists = list(workbook["Danh mục"].iter_rows(values_only=True))
    assert [r[0] for r in lists[1:5]] == ["ngày", "tháng", "quý", "không"]
    assert {r[4] for r in lists[1:]} >= {"BTP", "STP-HN", "STP-HN-VP", "STP-HP"}
    help_headers = [r[1] for r in workbook["Hướng dẫn"].iter_rows(values_only=True) if r[1]]
    assert help_headers[-15:] == ["Header", *HEADERS, "Tình trạng"]


def test_template_needs_login(client):
    response = client.get(reverse("office:import_template"))
    assert response.status_code == 302


# --- Export and the round trip ----------------------------------------------------------------------


def test_export_writes_the_filtered_list_with_status(client, coordinator, org, draft_plan):
    today = timezone.localdate()
    overdue = TaskFactory(plan=draft_plan, lead_unit=org.home, code="B", content="=HYPERLINK(\"http://x\")",
                          due_date=today - timedelta(days=3))
    TaskFactory(plan=draft_plan, lead_unit=org.home, code="A", due_date=today + timedelta(days=30))
    client.force_login(coordinator)
    response = client.get(reverse("office:task_export"), {"year": draft_plan.year, "status": "overdue", "page": "3"})

    assert response["Content-Disposition"] == f'attachment; filename="nhiem-vu-{draft_plan.year}.xlsx"'
    sheet = read_export(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS, "Tình trạng"]
    assert [(r[0], r[1], r[3], r[-1]) for r in rows[1:]] == [(1, overdue.code, overdue.content, "Not done, overdue")]
    assert sheet["D2"].data_type == "s"  # text that looks like a formula stays text


def test_export_without_year_names_the_file_by_date(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("office:task_export"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="nhiem-vu-{timezone.localdate():%d-%m-%Y}.xlsx"'
    )


def test_export_is_scoped_to_the_user(client, users, task, other_task):
    client.force_login(users.staff)
    rows = list(read_export(client.get(reverse("office:task_export"))).iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [task.code]


def test_export_then_import_into_another_plan_round_trips(client, coordinator, org, draft_plan):
    year = draft_plan.year
    parent = TaskFactory(plan=draft_plan, lead_unit=org.home, code="NV01", content="Nhiệm vụ chính",
                         source=TaskSource.GOVERNMENT, deadline_kind=DeadlineKind.QUARTER, due_date=date(year, 9, 30),
                         priority=Priority.URGENT, output="Đề án")
    parent.cooperating_units.set([org.other, org.home_child])
    TaskFactory(plan=draft_plan, lead_unit=org.home_child, code="NV01.1", parent=parent, content="Nhiệm vụ con",
                source=TaskSource.MINISTER, deadline_kind=DeadlineKind.MONTH, due_date=date(year, 2, 28 if year % 4 else 29))
    TaskFactory(plan=draft_plan, lead_unit=org.home, code="NV02", content="Không thời hạn",
                source=TaskSource.PETITION, deadline_kind=DeadlineKind.NONE, due_date=None, output="")
    TaskFactory(plan=draft_plan, lead_unit=org.other, code="NV03", content="Đã hoàn thành",
                deadline_kind=DeadlineKind.DATE, due_date=date(year, 1, 15), completed_on=date(2026, 1, 10),
                output_document="Công văn số 9/CV-STP", priority=Priority.HIGH)
    target = WorkPlanFactory(unit=org.other, year=year)
    client.force_login(coordinator)

    exported = b"".join(client.get(reverse("office:task_export"), {"year": year}).streaming_content)
    response = client.post(
        reverse("office:plan_import", args=[target.pk]), {"file": SimpleUploadedFile("nhiem-vu.xlsx", exported)}
    )

    assert response.status_code == 302

    def snapshot(plan):
        return sorted(
            (
                task.code, task.parent.code if task.parent else None, task.content, task.lead_unit.code,
                sorted(unit.code for unit in task.cooperating_units.all()), task.source, task.deadline_kind,
                task.due_date, task.output, task.priority, task.completed_on, task.output_document,
            )
            for task in plan.tasks.select_related("parent", "lead_unit").prefetch_related("cooperating_units")
        )

    assert snapshot(target) == snapshot(draft_plan)
    assert len(snapshot(target)) == 4


@pytest.mark.parametrize("rows", [1, 30])
def test_export_query_count(client, coordinator, org, draft_plan, rows, django_assert_num_queries):
    parent = TaskFactory(plan=draft_plan, lead_unit=org.home, code="P")
    parent.cooperating_units.set([org.other])
    for number in range(rows - 1):
        child = TaskFactory(plan=draft_plan, lead_unit=org.home_child, parent=parent, code=f"C{number:02d}")
        child.cooperating_units.set([org.other, org.home])
    client.force_login(coordinator)
    # session, user, scope, tasks (with parent code), cooperating units
    with django_assert_num_queries(5):
        response = client.get(reverse("office:task_export"), {"year": draft_plan.year})
        content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content))[excel.TASK_SHEET]
    assert sheet.max_row == rows + 1


# --- Permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "plan_name", "expected"),
    [
        ("anonymous", "draft_plan", 302),
        ("outsider", "draft_plan", 404),
        ("no_role", "draft_plan", 404),
        ("officer", "draft_plan", 403),
        ("council", "draft_plan", 403),
        ("staff", "draft_plan", 200),
        ("staff", "plan", 200),  # tasks arise all year: an issued plan takes new ones too
        ("staff", "submitted_plan", 403),  # while it awaits approval, nobody adds tasks
        ("coordinator", "submitted_plan", 403),
        ("leader", "plan", 200),
        ("coordinator", "plan", 200),
        ("admin", "draft_plan", 200),
    ],
)
def test_import_page_permissions(client, users, coordinator, org, plan, draft_plan, role, plan_name, expected):
    actor = coordinator if role == "coordinator" else getattr(users, role, None)
    if actor is not None:
        client.force_login(actor)
    targets = {"plan": plan, "draft_plan": draft_plan}
    if plan_name == "submitted_plan":
        targets[plan_name] = WorkPlanFactory(unit=org.home, year=draft_plan.year + 1, state=PlanState.SUBMITTED)
    target = targets[plan_name]
    url = reverse("office:plan_import", args=[target.pk])
    assert client.get(url).status_code == expected
    assert client.post(url, {"file": workbook_file([row("X1")])}).status_code == (expected if expected != 200 else 302)
    assert target.tasks.filter(code="X1").exists() == (expected == 200)


def test_import_form_page_links_the_template(client, users, draft_plan):
    client.force_login(users.staff)
    response = client.get(reverse("office:plan_import", args=[draft_plan.pk]))
    assert reverse("office:import_template") in response.content.decode()


# --- Reading deadlines (pure) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (None, "", (DeadlineKind.NONE, None)),
        ("none", None, (DeadlineKind.NONE, None)),
        (None, "5/3/2027", (DeadlineKind.DATE, date(2027, 3, 5))),
        ("date", datetime(2027, 3, 5), (DeadlineKind.DATE, date(2027, 3, 5))),
        (None, "2/2028", (DeadlineKind.MONTH, date(2028, 2, 29))),
        ("month", datetime(2027, 6, 1), (DeadlineKind.MONTH, date(2027, 6, 30))),  # Excel turned 06/2027 into a date
        (None, "iii/2027", (DeadlineKind.QUARTER, date(2027, 9, 30))),
        ("quarter", "Q1/2027", (DeadlineKind.QUARTER, date(2027, 3, 31))),
        ("quarter", "15/11/2027", (DeadlineKind.QUARTER, date(2027, 12, 31))),
    ],
)
def test_parse_deadline_reads_every_accepted_form(kind, value, expected):
    assert excel._parse_deadline(kind, value) == expected


@pytest.mark.parametrize(("kind", "value"), [("date", "31/02/2027"), ("date", "15/03/1999"), ("month", "0/2027"), (None, "soon")])
def test_parse_deadline_refuses_impossible_values(kind, value):
    with pytest.raises(excel._Invalid):
        excel._parse_deadline(kind, value)
