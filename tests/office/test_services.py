"""Work-plan services: plan transitions, tasks, progress, completion, deadline adjustments."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from office import services
from office.enums import AdjustmentState, DeadlineKind, PlanState, TaskStatus
from office.models import Task, WorkPlan
from office.selectors import with_status
from portal.models import AuditLog, Notification
from portal.services import StaleVersionError


def task_data(org, **changes) -> services.TaskData:
    values = dict(code="NV99", content="Tổ chức hội nghị tập huấn", lead_unit=org.home, deadline=date(2026, 9, 30))
    values.update(changes)
    return services.TaskData(**values)


def test_plan_goes_draft_submitted_returned_submitted_issued(draft_plan, users):
    plan = services.plan_transition(actor=users.staff, plan_id=draft_plan.pk, action="submit", version=1)
    assert plan.state == PlanState.SUBMITTED
    assert Notification.objects.filter(recipient=users.leader, kind="office.plan.submitted").count() == 1
    plan = services.plan_transition(actor=users.leader, plan_id=plan.pk, action="return", version=2, reason="Thiếu nhiệm vụ")
    assert (plan.state, plan.return_reason) == (PlanState.RETURNED, "Thiếu nhiệm vụ")
    plan = services.plan_transition(actor=users.staff, plan_id=plan.pk, action="submit", version=3)
    plan = services.plan_transition(
        actor=users.leader, plan_id=plan.pk, action="issue", version=4,
        issue_number="12/KH-STP", issued_on=date(2027, 1, 15), signer="Phạm Thị Lãnh",
    )
    assert (plan.state, plan.issue_number, plan.issued_on) == (PlanState.ISSUED, "12/KH-STP", date(2027, 1, 15))
    actions = list(AuditLog.objects.filter(object_id=str(plan.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["office.plan.submitted", "office.plan.returned", "office.plan.submitted", "office.plan.issued"]


def test_staff_cannot_issue_their_own_plan(draft_plan, users):
    services.plan_transition(actor=users.staff, plan_id=draft_plan.pk, action="submit", version=1)
    with pytest.raises(PermissionDenied):
        services.plan_transition(
            actor=users.staff, plan_id=draft_plan.pk, action="issue", version=2, issue_number="1/KH", issued_on=date(2027, 1, 2)
        )
    assert WorkPlan.objects.get(pk=draft_plan.pk).state == PlanState.SUBMITTED


def test_leader_of_another_unit_cannot_approve(draft_plan, users, org):
    from portal.enums import Role
    from tests.factories import user_with_role

    other_leader = user_with_role(Role.UNIT_LEADER, org.other)
    services.plan_transition(actor=users.staff, plan_id=draft_plan.pk, action="submit", version=1)
    with pytest.raises(PermissionDenied):
        services.plan_transition(actor=other_leader, plan_id=draft_plan.pk, action="return", version=2, reason="x")


def test_return_needs_a_reason_and_issue_needs_number_and_date(draft_plan, users):
    services.plan_transition(actor=users.staff, plan_id=draft_plan.pk, action="submit", version=1)
    with pytest.raises(services.OfficeError):
        services.plan_transition(actor=users.leader, plan_id=draft_plan.pk, action="return", version=2, reason="  ")
    with pytest.raises(services.OfficeError):
        services.plan_transition(actor=users.leader, plan_id=draft_plan.pk, action="issue", version=2, issue_number="")
    assert WorkPlan.objects.get(pk=draft_plan.pk).state == PlanState.SUBMITTED


def test_stale_plan_version_is_refused(draft_plan, users):
    services.plan_transition(actor=users.staff, plan_id=draft_plan.pk, action="submit", version=1)
    with pytest.raises(StaleVersionError):
        services.plan_transition(actor=users.leader, plan_id=draft_plan.pk, action="return", version=1, reason="x")


def test_issued_plan_cannot_be_submitted_again(plan, users):
    with pytest.raises(services.OfficeError):
        services.plan_transition(actor=users.staff, plan_id=plan.pk, action="submit", version=plan.version)


def test_task_create_month_deadline_runs_to_month_end(draft_plan, users, org):
    task = services.task_create(
        actor=users.staff, plan=draft_plan,
        data=task_data(org, deadline_kind=DeadlineKind.MONTH, deadline=date(2027, 2, 3), cooperating_units=[org.other]),
    )
    assert (task.due_date, task.original_due_date) == (date(2027, 2, 28), date(2027, 2, 28))
    assert list(task.cooperating_units.all()) == [org.other]


def test_task_create_refuses_duplicate_code_and_lead_as_cooperator(draft_plan, users, org):
    services.task_create(actor=users.staff, plan=draft_plan, data=task_data(org))
    with pytest.raises(services.OfficeError):
        services.task_create(actor=users.staff, plan=draft_plan, data=task_data(org))
    with pytest.raises(services.OfficeError):
        services.task_create(actor=users.staff, plan=draft_plan, data=task_data(org, code="NV2", cooperating_units=[org.home]))
    assert Task.objects.filter(plan=draft_plan).count() == 1


def test_staff_of_another_unit_cannot_add_tasks(draft_plan, users, org):
    with pytest.raises(PermissionDenied):
        services.task_create(actor=users.outsider, plan=draft_plan, data=task_data(org))


def test_deadline_cannot_be_edited_once_the_plan_is_issued(task, users, org, coordinator):
    data = task_data(org, code=task.code, content=task.content, deadline=task.due_date + timedelta(days=30))
    with pytest.raises(services.OfficeError):
        services.task_update(actor=coordinator, task_id=task.pk, version=task.version, data=data)


def test_staff_edit_tasks_of_an_issued_plan_except_the_deadline_and_report_progress(task, users):
    services.task_update(
        actor=users.staff, task_id=task.pk, version=1,
        data=services.TaskData(code=task.code, content="Nội dung sửa", lead_unit=task.lead_unit, deadline=task.due_date),
    )
    with pytest.raises(PermissionDenied):
        services.task_update(
            actor=users.outsider, task_id=task.pk, version=2,
            data=services.TaskData(code=task.code, content="x", lead_unit=task.lead_unit, deadline=task.due_date),
        )
    services.progress_report_add(actor=users.staff, task_id=task.pk, note="Đã xây dựng dự thảo", percent=40)
    task.refresh_from_db()
    assert task.progress_percent == 40


def test_progress_outside_0_to_100_is_refused(task, users):
    with pytest.raises(services.OfficeError):
        services.progress_report_add(actor=users.staff, task_id=task.pk, note="x", percent=101)


def test_completion_decides_on_time_or_late(task, users):
    today = timezone.localdate()
    services.task_complete(actor=users.staff, task_id=task.pk, completed_on=today, output_document="Báo cáo số 5/BC-STP")
    annotated = with_status(Task.objects.filter(pk=task.pk)).get()
    assert (annotated.status, annotated.progress_percent) == (TaskStatus.COMPLETED_ON_TIME, 100)
    with pytest.raises(PermissionDenied):  # a completed task is closed
        services.progress_report_add(actor=users.staff, task_id=task.pk, note="x", percent=10)


def test_completion_in_the_future_or_without_output_is_refused(task, users):
    with pytest.raises(services.OfficeError):
        services.task_complete(
            actor=users.staff, task_id=task.pk, completed_on=timezone.localdate() + timedelta(days=1), output_document="BC"
        )
    with pytest.raises(services.OfficeError):
        services.task_complete(actor=users.staff, task_id=task.pk, completed_on=timezone.localdate(), output_document=" ")
    assert Task.objects.get(pk=task.pk).completed_on is None


def test_adjustment_approved_moves_deadline_and_keeps_original(task, users):
    original = task.due_date
    new = original + timedelta(days=45)
    adjustment = services.adjustment_request(
        actor=users.staff, task_id=task.pk, new_kind=DeadlineKind.DATE, new_deadline=new, reason="Chờ ý kiến các Bộ"
    )
    assert Notification.objects.filter(recipient=users.leader, kind="office.adjustment.requested").count() == 1
    services.adjustment_decide(actor=users.leader, adjustment_id=adjustment.pk, approve=True)
    task.refresh_from_db()
    adjustment.refresh_from_db()
    assert (task.due_date, task.original_due_date, task.deadline_adjusted) == (new, original, True)
    assert adjustment.state == AdjustmentState.APPROVED
    assert Notification.objects.filter(recipient=users.staff, kind="office.adjustment.approved").count() == 1


def test_adjustment_rejected_needs_a_reason_and_leaves_deadline(task, users):
    adjustment = services.adjustment_request(
        actor=users.staff, task_id=task.pk, new_kind=DeadlineKind.NONE, new_deadline=None, reason="Không xác định được"
    )
    with pytest.raises(services.OfficeError):
        services.adjustment_decide(actor=users.leader, adjustment_id=adjustment.pk, approve=False, note="")
    services.adjustment_decide(actor=users.leader, adjustment_id=adjustment.pk, approve=False, note="Đề nghị giữ thời hạn")
    task.refresh_from_db()
    assert task.due_date is not None
    with pytest.raises(services.OfficeError):  # decided once only
        services.adjustment_decide(actor=users.leader, adjustment_id=adjustment.pk, approve=True)


def test_only_one_pending_adjustment_per_task(task, users):
    new = task.due_date + timedelta(days=10)
    services.adjustment_request(actor=users.staff, task_id=task.pk, new_kind="date", new_deadline=new, reason="a")
    with pytest.raises(services.OfficeError):
        services.adjustment_request(actor=users.staff, task_id=task.pk, new_kind="date", new_deadline=new, reason="b")


def test_staff_and_outsider_leaders_cannot_decide_but_the_office_can(task, users, org, coordinator):
    from portal.enums import Role
    from tests.factories import user_with_role

    new = task.due_date + timedelta(days=10)
    adjustment = services.adjustment_request(actor=users.staff, task_id=task.pk, new_kind="date", new_deadline=new, reason="a")
    for actor in (users.staff, user_with_role(Role.UNIT_LEADER, org.other), users.officer):
        with pytest.raises(PermissionDenied):
            services.adjustment_decide(actor=actor, adjustment_id=adjustment.pk, approve=True)
    services.adjustment_decide(actor=coordinator, adjustment_id=adjustment.pk, approve=True)
    task.refresh_from_db()
    assert task.due_date == new
