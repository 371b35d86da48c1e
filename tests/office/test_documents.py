"""Documents of the work-plan app: a unit's work-plan report and the ministry-wide figures —
figures and order against the database, overdue days, constant query counts."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from office.documents import WORK_PLAN_REPORT, NoWorkPlan, ministry_work_plan_figures, work_plan_report
from office.enums import DeadlineKind, PetitionClass, PlanState, TaskStatus
from tests.factories import UnitFactory
from tests.factories.office import (
    IssuedPlanFactory,
    PetitionBatchFactory,
    PetitionFactory,
    PlanYearFactory,
    TaskFactory,
    WorkPlanFactory,
)

YEAR = 2025
TODAY = date(2025, 12, 15)


def day(month: int, dom: int) -> date:
    return date(YEAR, month, dom)


def task(plan, *, code, due=None, done=None, lead_unit=None, kind=DeadlineKind.DATE, progress=0, content=None):
    extra = {"content": content} if content else {}
    return TaskFactory(
        plan=plan,
        code=code,
        lead_unit=lead_unit or plan.unit,
        deadline_kind=kind if due else DeadlineKind.NONE,
        due_date=due,
        completed_on=done,
        progress_percent=progress,
        **extra,
    )


def answered(petition, *, on: date, classification=PetitionClass.RESOLVED):
    petition.classification = classification
    petition.answered_on = on
    petition.answer_text = "Đã trả lời"
    petition.save()
    return petition


@pytest.fixture
def report_data(org):
    """Home's issued 2025 plan: 2 on time, 1 late, 1 in progress, 3 overdue (one led by home's
    division, one a quarter deadline), 1 without deadline; and data that must not count."""
    PlanYearFactory(year=YEAR)  # issue deadline 31/01/2025
    plan = IssuedPlanFactory(unit=org.home, year=YEAR, issue_number="15/KH-STP", issued_on=day(1, 20))
    task(plan, code="NV01", due=day(3, 31), done=day(3, 30))
    task(plan, code="NV02", due=day(6, 30), done=day(6, 30))
    task(plan, code="NV03", due=day(5, 31), done=day(6, 10))
    task(plan, code="NV04", due=day(12, 31), progress=60)
    task(plan, code="NV05", due=day(11, 30), progress=40, content="Tổng kết 10 năm thi hành Luật Hộ tịch")
    task(plan, code="NV06", due=day(12, 10), lead_unit=org.home_child, progress=80)
    task(plan, code="NV07", due=day(9, 30), kind=DeadlineKind.QUARTER)  # quý III/2025
    task(plan, code="NV08")
    # another unit's plan, and home's plan of another year
    task(IssuedPlanFactory(unit=org.other, year=YEAR), code="HP01", due=day(2, 1))
    task(WorkPlanFactory(unit=org.home, year=YEAR - 1), code="OLD1", due=date(YEAR - 1, 3, 1))
    # petitions led by home, from a 2025 batch (deadline 06/03/2025 with 60 days)
    batch = PetitionBatchFactory(received_on=day(1, 5), answer_days=60)
    answered(PetitionFactory(batch=batch, lead_unit=org.home), on=day(2, 1))
    answered(PetitionFactory(batch=batch, lead_unit=org.home), on=day(3, 1), classification=PetitionClass.EXPLAINED)
    answered(PetitionFactory(batch=batch, lead_unit=org.home), on=day(4, 1))  # late
    PetitionFactory(batch=batch, lead_unit=org.home)  # unanswered, overdue
    PetitionFactory(batch=batch, lead_unit=org.other)
    PetitionFactory(batch=PetitionBatchFactory(received_on=date(YEAR - 1, 6, 1)), lead_unit=org.home)
    return plan


def test_work_plan_report_counts_the_plans_tasks_by_status(org, report_data):
    report = work_plan_report(unit_id=org.home.pk, year=YEAR, today=TODAY)

    assert (report.unit_name, report.parent_name, report.plan_title) == (
        "Sở Tư pháp Hà Nội", "Bộ Tư pháp", "Kế hoạch công tác năm 2025 của Sở Tư pháp Hà Nội",
    )
    assert (report.plan_state, report.plan_issue_number, report.plan_issued_on, report.plan_issued_on_time) == (
        PlanState.ISSUED, "15/KH-STP", day(1, 20), True,
    )
    assert report.figures.counts == {
        TaskStatus.COMPLETED_ON_TIME: 2,
        TaskStatus.COMPLETED_LATE: 1,
        TaskStatus.IN_PROGRESS: 1,
        TaskStatus.OVERDUE: 3,
        TaskStatus.NO_DEADLINE: 1,
    }
    assert (report.figures.total, report.figures.completed) == (8, 3)
    assert report.figures.completion_percent == 37.5  # 3 of 8
    assert report.figures.on_time_percent == 33.3  # 2 of the 6 whose outcome is known
    assert [(s.status, s.count, s.percent) for s in report.statuses] == [
        ("completed_on_time", 2, 25.0),
        ("completed_late", 1, 12.5),
        ("in_progress", 1, 12.5),
        ("overdue", 3, 37.5),
        ("no_deadline", 1, 12.5),
    ]


def test_work_plan_report_lists_overdue_tasks_oldest_first_with_days_late(org, report_data):
    report = work_plan_report(unit_id=org.home.pk, year=YEAR, today=TODAY)

    assert [(t.code, t.lead_unit, t.due_date, t.days_late, t.progress_percent) for t in report.overdue] == [
        ("NV07", "Sở Tư pháp Hà Nội", day(9, 30), 76, 0),
        ("NV05", "Sở Tư pháp Hà Nội", day(11, 30), 15, 40),
        ("NV06", "Văn phòng Sở", day(12, 10), 5, 80),
    ]
    assert report.overdue[1].content == "Tổng kết 10 năm thi hành Luật Hộ tịch"
    assert report.overdue[1].deadline == "30/11/2025"
    # the plan's own unit first, then the other lead units in Vietnamese name order
    assert [(line.name, line.figures.total, line.figures.overdue) for line in report.lead_units] == [
        ("Sở Tư pháp Hà Nội", 7, 2),
        ("Văn phòng Sở", 1, 1),
    ]


def test_work_plan_report_counts_the_petitions_the_unit_leads_in_the_year(org, report_data):
    petitions = work_plan_report(unit_id=org.home.pk, year=YEAR, today=TODAY).petitions

    assert (petitions.total, petitions.answered, petitions.answered_on_time, petitions.answered_late) == (4, 3, 2, 1)
    assert (petitions.unanswered, petitions.overdue, petitions.answered_percent, petitions.on_time_percent) == (
        1, 2, 75.0, 50.0,
    )
    assert [count for _label, count in petitions.by_class] == [1, 2, 0, 1]  # unanswered, resolved, in progress, explained


def test_work_plan_report_of_a_unit_without_a_plan_says_so(org):
    with pytest.raises(NoWorkPlan):
        work_plan_report(unit_id=org.home.pk, year=YEAR, today=TODAY)


def test_work_plan_report_of_an_empty_plan_has_no_rates(org):
    WorkPlanFactory(unit=org.home, year=YEAR)
    report = work_plan_report(unit_id=org.home.pk, year=YEAR, today=TODAY)
    assert (report.figures.total, report.figures.completion_percent, report.figures.on_time_percent) == (0, None, None)
    assert (report.overdue, report.lead_units, report.petitions.total, report.plan_issued_on_time) == ((), (), 0, None)


@pytest.mark.parametrize("size", [1, 3])
def test_work_plan_report_query_count_is_constant(org, django_assert_num_queries, size):
    plan = IssuedPlanFactory(unit=org.home, year=YEAR)
    for number in range(size):
        unit = UnitFactory(parent=org.home)
        task(plan, code=f"A{number}", due=day(6, 1), lead_unit=unit)
        task(plan, code=f"B{number}", due=day(3, 1), done=day(3, 2))
        PetitionFactory(batch=PetitionBatchFactory(received_on=day(2, 1)), lead_unit=org.home)
    with django_assert_num_queries(6):
        report = work_plan_report(unit_id=org.home.pk, year=YEAR, today=TODAY)
    assert (report.figures.total, len(report.overdue), len(report.lead_units), report.petitions.total) == (
        2 * size, size, size + 1, size,
    )


# --- Ministry-wide figures -------------------------------------------------------------------------


def test_ministry_figures_have_a_line_per_lead_unit_and_the_totals(org, report_data):
    WorkPlanFactory(unit=org.ministry, year=YEAR)  # a draft plan: counted among plans, not issued
    figures = ministry_work_plan_figures(year=YEAR, today=TODAY)

    assert [(line.name, line.figures.total, line.figures.overdue, line.petitions.total) for line in figures.units] == [
        ("Sở Tư pháp Hà Nội", 7, 2, 4),
        ("Sở Tư pháp Hải Phòng", 1, 1, 1),
        ("Văn phòng Sở", 1, 1, 0),
    ]
    home = figures.units[0]
    assert (home.figures.completed, home.figures.completion_percent, home.figures.on_time_percent) == (3, 42.9, 40.0)
    assert (home.petitions.answered, home.petitions.answered_on_time, home.petitions.answered_late) == (3, 2, 1)
    assert figures.totals.counts == {
        "completed_on_time": 2, "completed_late": 1, "in_progress": 1, "overdue": 4, "no_deadline": 1,
    }
    assert (figures.totals.total, figures.totals.completion_percent) == (9, 33.3)
    assert (figures.petitions.total, figures.petitions.answered, figures.petitions.overdue) == (5, 3, 3)
    assert (figures.plans.plans, figures.plans.issued, figures.plans.issued_on_time) == (3, 2, 1)  # other: 20/01/2026


def test_ministry_figures_without_an_issue_deadline_leave_on_time_plans_unknown(org):
    IssuedPlanFactory(unit=org.home, year=YEAR)
    figures = ministry_work_plan_figures(year=YEAR, today=TODAY)
    assert (figures.plans.plans, figures.plans.issued, figures.plans.issued_on_time) == (1, 1, None)
    assert figures.units == ()


@pytest.mark.parametrize("size", [1, 3])
def test_ministry_figures_query_count_is_constant(org, django_assert_num_queries, size):
    PlanYearFactory(year=YEAR)
    for number in range(size):
        plan = IssuedPlanFactory(unit=UnitFactory(parent=org.ministry), year=YEAR)
        task(plan, code=f"A{number}", due=day(6, 1))
        task(plan, code=f"B{number}", due=day(3, 1) + timedelta(days=number), done=day(3, 2))
        PetitionFactory(batch=PetitionBatchFactory(received_on=day(2, 1)), lead_unit=plan.unit)
    with django_assert_num_queries(6):
        figures = ministry_work_plan_figures(year=YEAR, today=TODAY)
    assert (figures.unit_count, figures.totals.total, figures.petitions.total) == (size, 2 * size, size)


# --- The printed document ------------------------------------------------------------------------------


class PdfText(str):
    """The PDF's text as pdftotext -layout prints it, white space collapsed; `lines` keeps each
    printed line (collapsed too), so a table row reads "1 Hoàn thành đúng hạn 2 25,0%"."""

    lines: list[str]


def pdf_text(pdf: bytes) -> PdfText:
    import subprocess

    raw = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    text = PdfText(" ".join(raw.split()))
    text.lines = [" ".join(line.split()) for line in raw.splitlines() if line.strip()]
    return text


def row(text: PdfText, start: str) -> str:
    return next((line for line in text.lines if line.startswith(start)), "")


@pytest.fixture
def on_report_day(monkeypatch):
    """The documents read "today" from django.utils.timezone: make it the fixtures' day."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def build(params: dict, user):
    from portal.documents import get_document_kind

    return get_document_kind(WORK_PLAN_REPORT).build(params, user, lambda percent: None)


def test_work_plan_report_prints_the_figures_in_the_nd30_layout(org, users, report_data, on_report_day):
    from portal.documents.render import render_pdf

    document = build({"unit": org.home.pk, "year": YEAR}, users.leader)
    rendered = render_pdf(document)
    text = pdf_text(rendered.pdf)

    assert document.title == "Báo cáo kết quả thực hiện Kế hoạch công tác năm 2025 – Sở Tư pháp Hà Nội"
    assert document.filename == "bao-cao-ke-hoach-cong-tac-2025-stp-hn"
    assert "BỘ TƯ PHÁP" in text and "SỞ TƯ PHÁP HÀ NỘI" in text and "/BC-STP-HN" in text
    assert "Hà Nội, ngày 15 tháng 12 năm 2025" in text
    assert "BÁO CÁO Kết quả thực hiện Kế hoạch công tác năm 2025" in text
    assert "văn bản số 15/KH-STP ngày 20/01/2025, đúng thời hạn quy định" in text
    assert "Tổng số nhiệm vụ trong Kế hoạch: 8 nhiệm vụ; đã hoàn thành 3 nhiệm vụ (đạt 37,5%)" in text
    assert "Tỷ lệ hoàn thành đúng hạn (trên số nhiệm vụ đã đến hạn): 33,3%" in text
    assert row(text, "1 Hoàn thành đúng hạn") == "1 Hoàn thành đúng hạn 2 25,0%"
    assert row(text, "4 Chưa hoàn thành, quá hạn") == "4 Chưa hoàn thành, quá hạn 3 37,5%"
    assert row(text, "Tổng số 8") == "Tổng số 8 100%"
    # the overdue tasks, oldest first, with lead unit, deadline and days late
    assert "còn 3 nhiệm vụ chưa hoàn thành đã quá thời hạn" in text
    assert row(text, "1 NV07").endswith(" quý III/2025 76 0%")
    assert row(text, "2 NV05 Tổng kết 10 năm").endswith(" 30/11/2025 15 40%")
    assert row(text, "3 NV06").endswith(" 10/12/2025 5 80%") and "Văn phòng Sở" in text
    assert "đã trả lời 3 kiến nghị (75,0%), trong đó đúng hạn 2, quá hạn 1; chưa trả lời 1 kiến nghị" in text
    assert "Nơi nhận:" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text and f"Trang 1/{rendered.page_count}" in text


def test_work_plan_report_of_a_unit_without_a_plan_fails_with_a_message(org, users):
    from portal.documents import DocumentError

    with pytest.raises(DocumentError, match="no work plan for 2025"), translation.override("en"):
        build({"unit": org.home.pk, "year": YEAR}, users.leader)


def test_work_plan_report_excel_has_the_tasks_the_summary_and_the_overdue_list(org, users, report_data, on_report_day):
    import io

    import openpyxl

    from portal.documents import get_document_kind

    buffer = io.BytesIO()
    get_document_kind(WORK_PLAN_REPORT).excel({"unit": org.home.pk, "year": YEAR}, users.leader).save(buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == ["Nhiệm vụ", "Tổng hợp", "Quá hạn"]
    tasks = list(workbook["Nhiệm vụ"].iter_rows(values_only=True))
    assert [task[1] for task in tasks[1:]] == [f"NV0{n}" for n in range(1, 9)]
    assert tasks[5][-1] == "Chưa hoàn thành, quá hạn"  # NV05, the task export's Tình trạng column
    summary = list(workbook["Tổng hợp"].iter_rows(values_only=True))
    assert ("Hoàn thành đúng hạn", 2, 25) in summary and ("Tổng số", 8, 100) in summary
    overdue = list(workbook["Quá hạn"].iter_rows(values_only=True))
    assert [(task[1], task[3], task[4], task[5]) for task in overdue[1:]] == [
        ("NV07", "Sở Tư pháp Hà Nội", "quý III/2025", 76),
        ("NV05", "Sở Tư pháp Hà Nội", "30/11/2025", 15),
        ("NV06", "Văn phòng Sở", "10/12/2025", 5),
    ]


ROLES = ("no_role", "staff", "leader", "outsider", "officer", "admin")


def test_the_report_is_printed_by_whoever_sees_the_plan(org, users, coordinator, report_data):
    from portal.documents import get_document_kind

    kind = get_document_kind(WORK_PLAN_REPORT)
    home = {"unit": org.home.pk, "year": YEAR}
    allowed = {role: kind.allows(getattr(users, role), home) for role in ROLES}
    assert allowed == dict(no_role=False, staff=True, leader=True, outsider=False, officer=True, admin=True)
    assert kind.allows(coordinator, home) is True
    assert kind.allows(users.leader, {"unit": org.home.pk, "year": YEAR + 1}) is False  # no plan that year
    assert kind.allows(users.leader, {"unit": "x", "year": YEAR}) is False
    assert kind.allows(users.no_role, None) is False and kind.allows(users.staff, None) is True


def test_the_parameter_form_offers_the_units_whose_plans_the_user_sees(org, users, report_data):
    from office.documents import WorkPlanReportForm

    assert WorkPlanReportForm(user=users.staff).fields["unit"].choices == [(org.home.pk, "Sở Tư pháp Hà Nội")]
    assert [name for _pk, name in WorkPlanReportForm(user=users.officer).fields["unit"].choices] == [
        "Sở Tư pháp Hà Nội", "Sở Tư pháp Hải Phòng",
    ]
    form = WorkPlanReportForm({"unit": str(org.home.pk), "year": "2025"}, user=users.staff)
    assert form.is_valid(), form.errors
    assert (form.params(), form.describe()) == ({"unit": org.home.pk, "year": 2025}, "Sở Tư pháp Hà Nội · 2025")
    with translation.override("en"):
        other_year = WorkPlanReportForm({"unit": str(org.home.pk), "year": "2030"}, user=users.staff)
        assert not other_year.is_valid()
        assert other_year.errors == {"year": ["This unit has no work plan for 2030."]}
    assert not WorkPlanReportForm({"unit": str(org.other.pk), "year": "2025"}, user=users.staff).is_valid()


def test_a_report_job_produces_the_pdf_and_the_excel(org, users, report_data, on_report_day):
    """Through the pipeline's own runner (portal.documents.services), in this process."""
    from portal.documents.services import report_job_run
    from portal.enums import ReportJobState
    from portal.models import ReportJob

    job = ReportJob.objects.create(
        kind=WORK_PLAN_REPORT, params={"unit": org.home.pk, "year": YEAR}, requester=users.leader, language="en"
    )
    assert report_job_run(job_id=job.pk) == ReportJobState.DONE
    job.refresh_from_db()
    assert (job.state, job.error, job.page_count) == (ReportJobState.DONE, "", 2)
    assert job.file.name.endswith("bao-cao-ke-hoach-cong-tac-2025-stp-hn.pdf")
    assert job.excel_file.name.endswith(".xlsx")
    with job.file.open("rb") as handle:
        text = pdf_text(handle.read())
    # a reader whose portal is in English still gets the Vietnamese paper
    assert "Chưa hoàn thành, quá hạn" in text and "Not done" not in text
