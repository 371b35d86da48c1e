"""The work-plan demo (office.demo, run by seed_demo): a year of plans with about a thousand
tasks in the national status mix, their history, a petition batch; deterministic and idempotent."""

import calendar
import io
import re
import unicodedata
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from office import reminders
from office.demo import build_office_demo
from office.enums import (
    AdjustmentState,
    DeadlineKind,
    PetitionClass,
    PlanState,
    ReminderKind,
    TaskSource,
    TaskStatus,
)
from office.models import (
    DeadlineAdjustment,
    Petition,
    PetitionBatch,
    PlanYear,
    ProgressReport,
    Task,
    WorkPlan,
)
from office.selectors import pending_adjustments_for, status_counts, with_status
from portal.demo import build_demo
from portal.enums import UnitKind
from portal.models import AuditLog, Notification, Unit
from portal.text import fold

TODAY = date(2026, 11, 27)
User = get_user_model()
OFFICE_MODELS = (
    PlanYear,
    WorkPlan,
    Task,
    Task.cooperating_units.through,
    Task.assignees.through,
    ProgressReport,
    DeadlineAdjustment,
    PetitionBatch,
    Petition,
)


@pytest.fixture
def demo(db):
    out = io.StringIO()
    result = build_demo(year=2026, today=TODAY, stdout=out)
    return result["office"], out.getvalue()


def office_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in OFFICE_MODELS}


def snapshot() -> list[tuple]:
    return list(
        Task.objects.order_by("plan__unit__code", "code").values_list(
            "plan__unit__code",
            "code",
            "parent__code",
            "content",
            "lead_unit__code",
            "source",
            "deadline_kind",
            "due_date",
            "original_due_date",
            "completed_on",
            "output",
            "output_document",
            "progress_percent",
        )
    )


def test_office_demo_sets_the_plan_year_and_a_plan_per_unit(demo):
    plan_year = PlanYear.objects.get(year=2026)
    assert (plan_year.plan_issue_deadline, plan_year.report_period_start, plan_year.report_period_end) == (
        date(2026, 1, 31),
        date(2025, 12, 15),
        date(2026, 12, 14),
    )
    units_with_plans = Unit.objects.exclude(kind=UnitKind.DIVISION)
    assert sorted(WorkPlan.objects.values_list("unit__code", flat=True)) == sorted(
        units_with_plans.values_list("code", flat=True)
    )
    states = {state: WorkPlan.objects.filter(state=state).count() for state in PlanState}
    assert states == {
        PlanState.ISSUED: units_with_plans.count() - 8,
        PlanState.SUBMITTED: 4,
        PlanState.DRAFT: 3,
        PlanState.RETURNED: 1,
    }
    returned = WorkPlan.objects.get(state=PlanState.RETURNED)
    assert returned.return_reason.startswith("Đề nghị bổ sung")
    programme = WorkPlan.objects.get(unit__code="BTP")
    assert programme.title == "Chương trình công tác năm 2026 của Bộ Tư pháp"
    assert re.fullmatch(r"\d+/QĐ-BTP", programme.issue_number)
    assert programme.signer.startswith("Bộ trưởng ")
    assert WorkPlan.objects.get(unit__code="STP-HN").state == PlanState.ISSUED
    for plan in WorkPlan.objects.filter(state=PlanState.ISSUED).exclude(unit__code="BTP"):
        assert re.fullmatch(r"\d+/KH-[A-Z]+", plan.issue_number), plan.issue_number
        assert date(2025, 12, 20) <= plan.issued_on <= date(2026, 2, 28)
        assert plan.signer
    late = WorkPlan.objects.filter(issued_on__gt=plan_year.plan_issue_deadline).count()
    assert 1 <= late <= WorkPlan.objects.filter(state=PlanState.ISSUED).count() // 2


def test_office_demo_has_about_a_thousand_tasks_in_the_national_status_mix(demo):
    counts = status_counts(Task.objects.all(), TODAY)
    total = sum(counts.values())

    assert 900 <= total <= 1100
    shares = {status: round(100 * count / total) for status, count in counts.items()}
    expected = {
        TaskStatus.COMPLETED_ON_TIME: 45,
        TaskStatus.COMPLETED_LATE: 10,
        TaskStatus.IN_PROGRESS: 30,
        TaskStatus.OVERDUE: 10,
        TaskStatus.NO_DEADLINE: 5,
    }
    for status, share in expected.items():
        assert abs(shares[status] - share) <= 4, (status, shares)
    # The programme spreads over the ministry's own units; every unit with a plan leads tasks.
    programme_leads = set(
        Task.objects.filter(plan__unit__code="BTP").values_list("lead_unit__code", flat=True)
    )
    assert len(programme_leads) >= 20
    assert "BTP" not in programme_leads
    assert (
        Task.objects.filter(plan__unit__code="BTP").count()
        == 140 + Task.objects.filter(plan__unit__code="BTP", parent__isnull=False).count()
    )


def test_office_demo_tasks_are_stored_as_task_save_would_and_consistent_with_today(demo):
    adjusted = set(
        DeadlineAdjustment.objects.filter(state=AdjustmentState.APPROVED).values_list("task_id", flat=True)
    )
    tasks = list(Task.objects.select_related("plan", "lead_unit", "parent"))
    for task in tasks:
        assert unicodedata.is_normalized("NFC", task.content), task.code
        assert task.search_text == fold(f"{task.code} {task.content} {task.output}")
        if task.pk not in adjusted:
            assert (task.original_deadline_kind, task.original_due_date) == (
                task.deadline_kind,
                task.due_date,
            )
        if task.deadline_kind == DeadlineKind.MONTH:
            assert task.due_date.day == calendar.monthrange(task.due_date.year, task.due_date.month)[1]
        if task.deadline_kind == DeadlineKind.QUARTER:
            assert (task.due_date.month, task.due_date.day) in {(3, 31), (6, 30), (9, 30), (12, 31)}
        assert (task.deadline_kind == DeadlineKind.NONE) == (task.due_date is None)
        if task.completed_on is not None:
            assert date(2026, 1, 1) <= task.completed_on <= TODAY
            assert (task.progress_percent, bool(task.output_document)) == (100, True)
        else:
            assert task.progress_percent < 100
            assert task.output_document == ""
        assert task.lead_unit.path.startswith(task.plan.unit.path)
        if task.parent is not None:
            assert (task.parent.plan_id, task.code.startswith(task.parent.code + ".")) == (task.plan_id, True)
    assert 40 <= sum(task.parent_id is not None for task in tasks) <= 150


def test_office_demo_tasks_look_like_a_ministry_of_justice_year(demo):
    contents = list(Task.objects.values_list("content", flat=True))
    for phrase in (
        "Tổng kết 10 năm thi hành Luật Hộ tịch",
        "Báo cáo sơ kết 6 tháng đầu năm 2026",
        "Tổ chức hội nghị tập huấn nghiệp vụ",
        "Xây dựng, trình Bộ trưởng ban hành",
    ):
        assert any(phrase in content for content in contents), phrase
    outputs = set(Task.objects.values_list("output", flat=True))
    assert {"Quyết định của Bộ trưởng", "Báo cáo", "Kế hoạch", "Công văn"} <= outputs
    assert set(Task.objects.values_list("source", flat=True)) == set(TaskSource.values)
    assert set(Task.objects.values_list("deadline_kind", flat=True)) == set(DeadlineKind.values)
    # No plan repeats a task.
    for plan in WorkPlan.objects.all():
        plan_contents = list(plan.tasks.values_list("content", flat=True))
        assert len(plan_contents) == len(set(plan_contents)), plan.unit.code
    cooperating = Task.cooperating_units.through.objects.select_related("task", "unit")
    assert cooperating.count() >= 200
    assert all(row.unit_id != row.task.lead_unit_id for row in cooperating)
    assigned = Task.assignees.through.objects.select_related("task", "person")
    assert assigned.count() >= 800
    assert all(row.person.unit_id == row.task.lead_unit_id for row in assigned)


def test_office_demo_gives_the_demo_staff_login_tasks_due_soon_and_overdue(demo):
    canbo = User.objects.get(username="canbo")
    lanhdao = User.objects.get(username="lanhdao")
    mine = with_status(Task.objects.filter(assignees__user=canbo), TODAY)

    assert set(mine.values_list("plan__unit__code", flat=True)) == {"STP-HN"}
    statuses = set(mine.values_list("status", flat=True))
    assert {
        TaskStatus.IN_PROGRESS,
        TaskStatus.OVERDUE,
        TaskStatus.COMPLETED_ON_TIME,
        TaskStatus.COMPLETED_LATE,
    } <= statuses
    assert mine.filter(completed_on=None, due_date=TODAY + timedelta(days=7)).exists()
    kinds = {r.kind for r in reminders.reminders_for(today=TODAY) if r.recipient == canbo}
    assert kinds == {ReminderKind.DUE_SOON, ReminderKind.OVERDUE}
    # The demo leader has a deadline adjustment from their staff member to decide.
    pending = pending_adjustments_for(user=lanhdao)
    assert [(a.task.lead_unit.code, a.requested_by) for a in pending] == [("STP-HN", canbo)]
    assert pending[0].old_due_date < TODAY < pending[0].new_due_date


def test_office_demo_writes_progress_reports_and_adjustments_by_the_units_logins(demo):
    reports = list(ProgressReport.objects.select_related("task", "author__person"))
    assert len(reports) >= 200
    for report in reports:
        assert report.percent <= report.task.progress_percent
        assert report.author.person.unit_id == report.task.lead_unit_id
        assert timezone.localdate(report.created_at) <= TODAY
    adjustments = DeadlineAdjustment.objects.select_related("task")
    assert adjustments.filter(state=AdjustmentState.PENDING).count() == 2
    approved = adjustments.filter(state=AdjustmentState.APPROVED)
    assert 3 <= approved.count() <= 8
    for adjustment in approved:
        task = adjustment.task
        assert (task.original_due_date, task.due_date) == (adjustment.old_due_date, adjustment.new_due_date)
        assert task.original_due_date < task.due_date
        assert adjustment.requested_at < adjustment.decided_at
    assert AuditLog.objects.filter(action__startswith="office.").count() == 0
    assert Notification.objects.filter(kind__startswith="office.").count() == 0


def test_office_demo_adds_a_national_assembly_petition_batch(demo):
    batch = PetitionBatch.objects.get()
    assert (batch.body, batch.session, batch.answer_days) == (
        "national_assembly",
        "Kỳ họp thứ 10, Quốc hội khóa XV",
        60,
    )
    petitions = list(batch.petitions.all())
    assert len(petitions) == 20
    classes = {c: sum(p.classification == c for p in petitions) for c in PetitionClass}
    assert classes == {
        PetitionClass.RESOLVED: 7,
        PetitionClass.IN_PROGRESS: 5,
        PetitionClass.EXPLAINED: 5,
        PetitionClass.UNANSWERED: 3,
    }
    overdue = [
        p for p in petitions if p.classification == PetitionClass.UNANSWERED and p.answer_deadline < TODAY
    ]
    assert len(overdue) == 3
    for petition in petitions:
        assert petition.answer_deadline == batch.received_on + timedelta(days=60)
        assert petition.search_text == fold(f"{petition.code} {petition.content} {petition.constituency}")
        if petition.classification != PetitionClass.UNANSWERED:
            assert batch.received_on < petition.answered_on <= TODAY
            assert petition.answer_text
        if petition.classification == PetitionClass.IN_PROGRESS:
            assert petition.roadmap and petition.roadmap_deadline


def test_office_demo_prints_its_counts(demo):
    result, output = demo
    assert result["plans"] == WorkPlan.objects.count()
    assert result["tasks"] == Task.objects.count()
    assert f"Nhiệm vụ (tasks): {Task.objects.count()} — mới (new) {Task.objects.count()}" in output
    assert "Kiến nghị cử tri (voters' petitions): 20 — mới (new) 20" in output


def test_office_demo_twice_creates_nothing_even_days_later(demo):
    before, rows = office_counts(), snapshot()
    units = {unit.code: unit for unit in Unit.objects.all()}
    out = io.StringIO()

    again = build_office_demo(year=2026, units=units, today=TODAY + timedelta(days=9), stdout=out)

    assert again == {"plans": 0, "tasks": 0, "progress_reports": 0, "adjustments": 0, "petitions": 0}
    assert (office_counts(), snapshot()) == (before, rows)
    assert "mới (new) 0" in out.getvalue()


def test_office_demo_is_deterministic(demo):
    rows = snapshot()
    Task.objects.all().delete()
    WorkPlan.objects.all().delete()
    PetitionBatch.objects.all().delete()
    units = {unit.code: unit for unit in Unit.objects.all()}

    build_office_demo(year=2026, units=units, today=TODAY)

    assert snapshot() == rows


def test_office_demo_is_written_in_bulk(demo, django_assert_max_num_queries):
    Task.objects.all().delete()
    WorkPlan.objects.all().delete()
    PetitionBatch.objects.all().delete()
    units = {unit.code: unit for unit in Unit.objects.all()}

    # A few dozen statements for a thousand tasks (SQLite splits the inserts in batches of ~50 rows).
    with django_assert_max_num_queries(60):
        result = build_office_demo(year=2026, units=units, today=TODAY)

    assert result["tasks"] >= 900


@pytest.mark.django_db
def test_office_demo_for_a_year_not_begun_has_nothing_done_or_overdue_yet():
    build_demo(year=2030, today=TODAY)

    counts = status_counts(Task.objects.all(), TODAY)
    assert counts[TaskStatus.IN_PROGRESS] + counts[TaskStatus.NO_DEADLINE] == Task.objects.count() > 0
    assert not Task.objects.exclude(completed_on=None).exists()
    assert set(WorkPlan.objects.values_list("year", "state")) <= {
        (2030, PlanState.DRAFT),
        (2030, PlanState.SUBMITTED),
        (2030, PlanState.RETURNED),
    }
    assert not ProgressReport.objects.exists()
