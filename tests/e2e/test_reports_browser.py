"""Documents in the browser: ask for a report, watch its progress bar fill up while a real Celery
worker renders it, download the PDF. Without Redis the worker journeys skip (laptop) or fail (CI);
the in-process journey runs everywhere Chromium does."""

import re
import time
from datetime import date

import pytest
from django.utils import timezone

from portal.models import ReportJob
from tests.factories import PASSWORD
from tests.factories.office import IssuedPlanFactory, PlanYearFactory, TaskFactory
from tests.portal.reports_support import pdf_text, test_document_kinds  # noqa: F401 - a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("test_document_kinds")]


def log_in(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport={"width": 1366, "height": 900},
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#loginButton")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def watch_progress(page, timeout: float = 60) -> list[int]:
    """The progress bar's values as the page polls, until it reaches 100 % (or fails)."""
    values = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bar = page.locator("#jobProgress")
        value = int(bar.get_attribute("aria-valuenow"))
        if not values or values[-1] != value:
            values.append(value)
        if value == 100 or page.locator("#jobError").count():
            return values
        time.sleep(0.1)
    pytest.fail(f"progress stuck at {values}")


def download_pdf(page, tmp_path):
    with page.expect_download() as info:
        page.click("#downloadPdf")
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path


def a_plan_with_tasks(org):
    year = timezone.localdate().year - 1
    PlanYearFactory(year=year)
    plan = IssuedPlanFactory(unit=org.home, year=year, issue_number="21/KH-STP", issued_on=date(year, 1, 15))
    TaskFactory(plan=plan, code="NV01", due_date=date(year, 3, 31), completed_on=date(year, 3, 1))
    TaskFactory(plan=plan, code="NV02", content="Tổng kết công tác hòa giải ở cơ sở", due_date=date(year, 10, 31))
    return year


@pytest.mark.worker
def test_work_plan_report_journey_with_the_worker(celery_worker, browser, live_server, org, users, tmp_path):
    year = a_plan_with_tasks(org)
    context, page = log_in(browser, live_server, users.staff)
    page.goto("/reports/")
    page.click("#documentKinds [data-kind='office.work_plan_report']")
    page.fill("#id_year", str(year))
    page.select_option("#id_unit", str(org.home.pk))
    page.click("#requestReport")
    page.wait_for_url(re.compile(r"/reports/jobs/\d+/$"))

    values = watch_progress(page)
    assert values[-1] == 100 and values == sorted(values)
    assert page.get_attribute("#jobStatus", "data-state") == "done"
    name, path = download_pdf(page, tmp_path)
    context.close()

    job = ReportJob.objects.get()
    assert (job.kind, job.params, job.state, job.worker) == (
        "office.work_plan_report", {"year": year, "unit": org.home.pk}, "done", celery_worker.node
    )
    assert name == job.file.name.rsplit("/", 1)[-1]
    text = " ".join(pdf_text(path).split())
    assert "Tổng số nhiệm vụ trong Kế hoạch: 2 nhiệm vụ; đã hoàn thành 1 nhiệm vụ" in text
    assert "NV02 Tổng kết công tác hòa giải" in text


@pytest.mark.worker
def test_progress_bar_moves_while_the_worker_renders(celery_worker, browser, live_server, users, tmp_path):
    context, page = log_in(browser, live_server, users.staff)
    page.goto("/reports/tests.gated/")
    page.fill("#id_folder", str(tmp_path))
    page.click("#requestReport")
    # The build reports half of its step, then waits for the gate: the bar shows it.
    page.wait_for_selector("#jobStatus[data-state='running'][data-progress='21']", timeout=30_000)
    assert page.get_attribute("#jobStatus .badge", "data-state") == "running"
    assert page.locator("#downloadPdf").count() == 0
    (tmp_path / "go").touch()
    values = watch_progress(page)
    assert values[0] == 21 and values[-1] == 100
    assert page.get_attribute("#jobStatus .badge", "data-state") == "done"
    _name, path = download_pdf(page, tmp_path)
    context.close()
    assert "Lần chạy thứ 1." in pdf_text(path)


def test_report_journey_in_process(browser, live_server, org, users, tmp_path):
    """No broker: the request renders the document before the job page opens (a laptop's demo)."""
    year = a_plan_with_tasks(org)
    context, page = log_in(browser, live_server, users.staff)
    page.goto("/reports/office.work_plan_report/")
    page.fill("#id_year", str(year))
    page.select_option("#id_unit", str(org.home.pk))
    page.click("#requestReport")
    page.wait_for_url(re.compile(r"/reports/jobs/\d+/$"))
    assert watch_progress(page) == [100]
    _name, path = download_pdf(page, tmp_path)
    # Produce it again: a second job, both in the history of this kind.
    page.click("#requestAgain")
    page.wait_for_selector("#downloadPdf")
    page.goto("/reports/office.work_plan_report/")
    assert page.locator("#reportJobs tbody tr").count() == 2
    context.close()
    assert "NV02 Tổng kết công tác hòa giải" in " ".join(pdf_text(path).split())
