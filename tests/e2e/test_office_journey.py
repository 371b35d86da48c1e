"""Work plans in the browser: staff create a task, report progress and ask for a new deadline;
the leader approves it; the Office sees the overdue figure of the ministry dashboard drop."""

from datetime import timedelta

import pytest
from django.utils import timezone

from office.models import DeadlineAdjustment, Task
from portal.enums import Role
from tests.factories import PASSWORD, user_with_role
from tests.factories.office import IssuedPlanFactory, PlanYearFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#loginButton")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def overdue_on_ministry_dashboard(page, year: int) -> int:
    page.goto(f"/office/ministry/?year={year}")
    return int(page.inner_text("[data-status-count=overdue] .display-6").replace(".", ""))


def test_task_adjustment_journey(browser, live_server, users, org):
    today = timezone.localdate()
    PlanYearFactory(year=today.year)
    plan = IssuedPlanFactory(unit=org.home, year=today.year)
    office = user_with_role(Role.PLAN_COORDINATOR, org.ministry, name="Trương Văn Phòng")

    office_context, office_page = log_in(browser, live_server, office)
    before = overdue_on_ministry_dashboard(office_page, today.year)

    # Staff create a task whose deadline has already passed (an overdue assignment).
    staff_context, page = log_in(browser, live_server, users.staff)
    page.goto(f"/office/plans/{plan.pk}/")
    page.click("#addTask")
    page.fill("#id_code", "NV-E2E")
    page.fill("#id_content", "Xây dựng báo cáo tổng kết công tác tư pháp")
    page.select_option("#id_deadline_kind", "date")
    page.fill("#id_deadline", (today - timedelta(days=2)).strftime("%d/%m/%Y"))
    page.fill("#id_output", "Báo cáo")
    page.click("#saveTask")
    page.wait_for_selector("#progressForm")
    task = Task.objects.get(plan=plan, code="NV-E2E")
    assert page.get_attribute("h1 [data-status]", "data-status") == "overdue"
    assert overdue_on_ministry_dashboard(office_page, today.year) == before + 1

    # Progress, then a request for a new deadline.
    page.fill("#progressForm #id_percent", "40")
    page.fill("#progressForm #id_note", "Đã xây dựng đề cương")
    page.click("#progressForm button[type=submit]")
    page.wait_for_selector("text=Đã xây dựng đề cương")
    new_deadline = today + timedelta(days=30)
    page.select_option("#adjustmentForm #id_new_kind", "date")
    page.fill("#adjustmentForm #id_new_deadline", new_deadline.strftime("%d/%m/%Y"))
    page.fill("#adjustmentForm #id_reason", "Chờ ý kiến góp ý của các đơn vị")
    page.click("#adjustmentForm button[type=submit]")
    page.wait_for_selector("#adjustmentsHeading ~ table")
    assert DeadlineAdjustment.objects.get(task=task).state == "pending"
    staff_context.close()

    # The leader finds the request in the list and approves it.
    leader_context, page = log_in(browser, live_server, users.leader)
    page.goto("/office/adjustments/")
    page.click("#adjustmentTable >> text=NV-E2E")
    page.check("#decideForm input[value=approve]")
    page.click("#decideForm button[type=submit]")
    page.wait_for_selector("#adjustmentsHeading ~ table .text-bg-success")
    assert page.get_attribute("h1 [data-status]", "data-status") == "in_progress"
    leader_context.close()

    task.refresh_from_db()
    assert (task.due_date, task.original_due_date) == (new_deadline, today - timedelta(days=2))
    assert overdue_on_ministry_dashboard(office_page, today.year) == before
    office_context.close()
