"""Plan and task pages: behaviour, permissions per role and unit, constant query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from office.enums import PlanState
from office.models import DeadlineAdjustment, Task, WorkPlan
from tests.factories.office import TaskFactory

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider", "coordinator"]


@pytest.fixture
def actors(users, coordinator):
    return {**vars(users), "coordinator": coordinator}


def login(client, actors, role):
    if role != "anonymous":
        client.force_login(actors[role])


# GET pages × role on objects of `home` (own) and `other`. 302 login, 404 outside scope, 403 not allowed.
GET_MATRIX = {
    ("office:plan_list", None): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200, coordinator=200),
    ("office:plan_create", None): dict(anonymous=302, no_role=403, staff=200, leader=200, officer=403, council=403, admin=200, outsider=200, coordinator=200),
    ("office:plan_detail", "plan"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404, coordinator=200),
    ("office:plan_detail", "other_plan"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=200, council=200, admin=200, outsider=200, coordinator=200),
    ("office:task_create", "plan"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=200, outsider=404, coordinator=200),
    ("office:task_create", "draft_plan"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=200, outsider=404, coordinator=200),
    ("office:task_list", None): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200, coordinator=200),
    ("office:task_detail", "task"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404, coordinator=200),
    ("office:task_detail", "other_task"): dict(anonymous=302, no_role=404, staff=404, leader=404, officer=200, council=200, admin=200, outsider=200, coordinator=200),
    ("office:task_edit", "task"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=200, outsider=404, coordinator=200),
    ("office:task_edit", "draft_task"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=200, outsider=404, coordinator=200),
    ("office:task_delete", "task"): dict(anonymous=302, no_role=404, staff=403, leader=403, officer=403, council=403, admin=403, outsider=404, coordinator=403),
    ("office:task_delete", "draft_task"): dict(anonymous=302, no_role=404, staff=200, leader=200, officer=403, council=403, admin=200, outsider=404, coordinator=200),
    ("office:adjustment_list", None): dict(anonymous=302, no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200, coordinator=200),
}


@pytest.fixture
def objects(plan, draft_plan, task, other_task, org):
    return {
        "plan": plan,
        "draft_plan": draft_plan,
        "other_plan": other_task.plan,
        "task": task,
        "draft_task": TaskFactory(plan=draft_plan, lead_unit=org.home, code="D01"),
        "other_task": other_task,
    }


def get_cases():
    for (name, kind), expected in GET_MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(get_cases()))
def test_office_get_matrix(client, actors, objects, url_name, kind, role, expected):
    login(client, actors, role)
    url = reverse(url_name, args=[objects[kind].pk] if kind else [])
    assert client.get(url).status_code == expected


# POST actions × role: 302 after a done action (or to the login page), 404 outside scope, 403 not allowed.
# `done` checks the database: only the roles answered 302 (other than anonymous) changed anything.
DONE_BY = {"staff", "leader", "admin", "coordinator"}
POST_MATRIX = {
    "progress-own": dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=302, outsider=404, coordinator=302),
    "progress-other": dict(anonymous=302, no_role=404, staff=404, leader=404, officer=403, council=403, admin=302, outsider=302, coordinator=302),
    "complete-own": dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=302, outsider=404, coordinator=302),
    "adjust-own": dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=302, outsider=404, coordinator=302),
    "decide-own": dict(anonymous=302, no_role=404, staff=403, leader=302, officer=403, council=403, admin=302, outsider=404, coordinator=302),
    "submit-own": dict(anonymous=302, no_role=404, staff=302, leader=302, officer=403, council=403, admin=302, outsider=404, coordinator=302),
    "issue-submitted": dict(anonymous=302, no_role=404, staff=403, leader=302, officer=403, council=403, admin=302, outsider=404, coordinator=302),
}


def post_action(case, objects, users):
    """(url, data, done()) for one POST case."""
    today = timezone.localdate()
    task, other_task = objects["task"], objects["other_task"]
    if case == "progress-own":
        return reverse("office:task_progress", args=[task.pk]), {"percent": "50", "note": "Dự thảo"}, lambda: Task.objects.get(pk=task.pk).progress_percent == 50
    if case == "progress-other":
        return reverse("office:task_progress", args=[other_task.pk]), {"percent": "50", "note": "Dự thảo"}, lambda: Task.objects.get(pk=other_task.pk).progress_percent == 50
    if case == "complete-own":
        data = {"completed_on": today.strftime("%d/%m/%Y"), "output_document": "Báo cáo số 1/BC"}
        return reverse("office:task_complete", args=[task.pk]), data, lambda: Task.objects.get(pk=task.pk).completed_on == today
    if case == "adjust-own":
        data = {"new_kind": "date", "new_deadline": (today + timedelta(days=90)).strftime("%d/%m/%Y"), "reason": "Chờ ý kiến"}
        return reverse("office:adjustment_request", args=[task.pk]), data, lambda: DeadlineAdjustment.objects.filter(task=task).exists()
    if case == "decide-own":
        adjustment = DeadlineAdjustment.objects.create(
            task=task, requested_by=users.staff, old_deadline_kind="date", old_due_date=task.due_date,
            new_deadline_kind="date", new_due_date=task.due_date + timedelta(days=9), reason="r",
        )
        return reverse("office:adjustment_decide", args=[adjustment.pk]), {"decision": "approve"}, lambda: DeadlineAdjustment.objects.get(pk=adjustment.pk).state == "approved"
    plan = objects["draft_plan"]
    if case == "submit-own":
        return reverse("office:plan_transition", args=[plan.pk, "submit"]), {"version": plan.version}, lambda: WorkPlan.objects.get(pk=plan.pk).state == PlanState.SUBMITTED
    WorkPlan.objects.filter(pk=plan.pk).update(state=PlanState.SUBMITTED)
    data = {"version": plan.version, "issue_number": "9/KH-STP", "issued_on": today.strftime("%d/%m/%Y"), "signer": "A"}
    return reverse("office:plan_transition", args=[plan.pk, "issue"]), data, lambda: WorkPlan.objects.get(pk=plan.pk).state == PlanState.ISSUED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(POST_MATRIX))
def test_office_post_matrix(client, actors, objects, users, role, case):
    url, data, done = post_action(case, objects, users)
    login(client, actors, role)
    response = client.post(url, data)
    expected = POST_MATRIX[case][role]
    assert response.status_code == expected
    assert done() is (expected == 302 and role != "anonymous")


def test_task_list_filters_by_status_and_search_without_diacritics(client, users, plan, org):
    today = timezone.localdate()
    TaskFactory(plan=plan, lead_unit=org.home, code="A1", content="Tổng kết thi hành Luật Hộ tịch", due_date=today - timedelta(days=3))
    TaskFactory(plan=plan, lead_unit=org.home, code="A2", content="Tổng kết thi hành Luật Công chứng", due_date=today + timedelta(days=3))
    client.force_login(users.leader)
    response = client.get(reverse("office:task_list"), {"q": "luat ho tich", "status": "overdue"})
    assert [t.code for t in response.context["page_obj"]] == ["A1"]
    response = client.get(reverse("office:task_list"), {"q": "tong ket", "due": "7"})
    assert [t.code for t in response.context["page_obj"]] == ["A2"]


def test_task_list_with_hostile_parameters_answers_200(client, users, task):
    client.force_login(users.leader)
    for params in ({"year": "²"}, {"unit": "abc"}, {"status": "x"}, {"sort": "password"}, {"page": "9" * 30}, {"q": "%'\\"}):
        response = client.get(reverse("office:task_list"), params)
        assert response.status_code == 200


def test_my_tasks_shows_only_assigned_ones(client, users, plan, org):
    mine = TaskFactory(plan=plan, lead_unit=org.home, code="M1")
    mine.assignees.add(users.staff.person)
    TaskFactory(plan=plan, lead_unit=org.home, code="M2")
    client.force_login(users.staff)
    response = client.get(reverse("office:task_list"), {"mine": "on"})
    assert [t.code for t in response.context["page_obj"]] == ["M1"]


def test_task_list_filters_by_assignee_name_without_diacritics(client, users, plan, org):
    first = TaskFactory(plan=plan, lead_unit=org.home, code="P1")
    first.assignees.add(users.staff.person)  # Lê Văn Cán
    second = TaskFactory(plan=plan, lead_unit=org.home, code="P2")
    second.assignees.add(users.leader.person)  # Phạm Thị Lãnh
    client.force_login(users.leader)
    response = client.get(reverse("office:task_list"), {"assignee": "le van can"})
    assert [t.code for t in response.context["page_obj"]] == ["P1"]
    response = client.get(reverse("office:task_list"), {"assignee": "lanh"})
    assert [t.code for t in response.context["page_obj"]] == ["P2"]


def test_create_task_with_bad_deadline_keeps_input(client, users, draft_plan, org):
    client.force_login(users.staff)
    response = client.post(
        reverse("office:task_create", args=[draft_plan.pk]),
        {"code": "X1", "content": "Soạn thảo thông tư", "lead_unit": org.home.pk, "deadline_kind": "date",
         "deadline": "31/02/2027", "source": "own_plan", "priority": "normal"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Soạn thảo thông tư" in content and 'value="X1"' in content
    assert Task.objects.filter(plan=draft_plan).count() == 0


def test_create_task_then_request_adjustment_then_leader_approves(client, users, draft_plan, org):
    client.force_login(users.staff)
    response = client.post(
        reverse("office:task_create", args=[draft_plan.pk]),
        {"code": "X1", "content": "Soạn thảo thông tư", "lead_unit": org.home.pk, "deadline_kind": "quarter",
         "deadline": "01/04/2027", "source": "minister", "priority": "high", "cooperating_units": [org.other.pk]},
    )
    task = Task.objects.get(plan=draft_plan, code="X1")
    assert response["Location"] == reverse("office:task_detail", args=[task.pk])
    assert task.due_date.isoformat() == "2027-06-30"
    WorkPlan.objects.filter(pk=draft_plan.pk).update(state=PlanState.ISSUED, issue_number="1/KH", issued_on=timezone.localdate())
    client.post(reverse("office:adjustment_request", args=[task.pk]), {"new_kind": "date", "new_deadline": "15/08/2027", "reason": "Chờ góp ý"})
    adjustment = DeadlineAdjustment.objects.get(task=task)
    client.force_login(users.leader)
    assert [a.pk for a in client.get(reverse("office:adjustment_list")).context["page_obj"]] == [adjustment.pk]
    client.post(reverse("office:adjustment_decide", args=[adjustment.pk]), {"decision": "approve", "note": ""})
    task.refresh_from_db()
    assert (task.due_date.isoformat(), task.original_due_date.isoformat()) == ("2027-08-15", "2027-06-30")


def test_stale_task_edit_is_refused_with_message_and_input_kept(client, users, draft_plan, org):
    task = TaskFactory(plan=draft_plan, lead_unit=org.home, code="E1")
    form = {"code": "E1", "content": "Nội dung mới của tôi", "lead_unit": org.home.pk, "deadline_kind": "none",
            "source": "own_plan", "priority": "normal", "version": task.version}
    client.force_login(users.leader)
    assert client.post(reverse("office:task_edit", args=[task.pk]), {**form, "content": "Người khác sửa"}).status_code == 302
    client.force_login(users.staff)
    response = client.post(reverse("office:task_edit", args=[task.pk]), form)
    assert response.status_code == 400
    assert "Nội dung mới của tôi" in response.content.decode()
    task.refresh_from_db()
    assert task.content == "Người khác sửa"


@pytest.mark.parametrize("rows", [1, 30])
def test_task_list_query_count(client, users, plan, org, rows, django_assert_num_queries):
    for number in range(rows):
        TaskFactory(plan=plan, lead_unit=org.home, code=f"Q{number:03d}")
    client.force_login(users.leader)
    with django_assert_num_queries(8):
        response = client.get(reverse("office:task_list"), {"year": plan.year, "status": ["in_progress", "overdue"]})
    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_plan_detail_query_count(client, users, plan, org, rows, django_assert_num_queries):
    for number in range(rows):
        TaskFactory(plan=plan, lead_unit=org.home, code=f"Q{number:03d}")
    client.force_login(users.leader)
    with django_assert_num_queries(10):
        response = client.get(reverse("office:plan_detail", args=[plan.pk]))
    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_plan_list_query_count(client, coordinator, org, rows, django_assert_num_queries):
    from tests.factories import UnitFactory
    from tests.factories.office import WorkPlanFactory

    for _ in range(rows):
        WorkPlanFactory(unit=UnitFactory(parent=org.ministry), year=2026)
    client.force_login(coordinator)
    with django_assert_num_queries(7):
        response = client.get(reverse("office:plan_list"), {"year": 2026})
    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_adjustment_list_query_count(client, users, plan, org, rows, django_assert_num_queries):
    for number in range(rows):
        task = TaskFactory(plan=plan, lead_unit=org.home, code=f"Q{number:03d}")
        DeadlineAdjustment.objects.create(
            task=task, requested_by=users.staff, old_deadline_kind="date", old_due_date=task.due_date,
            new_deadline_kind="date", new_due_date=task.due_date + timedelta(days=5), reason="r",
        )
    client.force_login(users.leader)
    with django_assert_num_queries(6):
        response = client.get(reverse("office:adjustment_list"))
    assert len(response.context["page_obj"]) == rows
