"""The report pipeline on a real Celery worker over Redis (CI): queued -> running -> done with the
database's figures in the PDF; a worker killed mid-render and a new one finishing the job; a
template error reaching the user as a message. Without a broker these skip (laptop) or fail (CI)."""

import os
import signal
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from office.models import Task
from portal.documents.services import report_job_request
from portal.enums import ReportJobState
from portal.models import ReportJob
from portal.tasks import render_report
from tests.conftest import require_broker, start_celery_worker, stop_celery_worker
from tests.factories.office import IssuedPlanFactory, PlanYearFactory, TaskFactory
from tests.portal.reports_support import pdf_text, test_document_kinds  # noqa: F401 - a fixture

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("test_document_kinds")]


def wait_for(job: ReportJob, until, timeout: float = 60) -> list[str]:
    """Poll the job's row until `until(job)`; returns the states seen, in order, without repeats."""
    seen = [job.state]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state != seen[-1]:
            seen.append(job.state)
        if until(job):
            return seen
        time.sleep(0.05)
    pytest.fail(f"job {job.pk} still {job.state} ({job.progress} %, {job.error!r}) after {timeout} s; states {seen}")


def wait_for_file(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{path.name} never appeared")
        time.sleep(0.05)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_work_plan_report_goes_through_the_worker_with_the_databases_figures(celery_worker, org, users):
    year = timezone.localdate().year - 1  # a finished year: every deadline has passed
    PlanYearFactory(year=year)
    plan = IssuedPlanFactory(unit=org.home, year=year, issue_number="15/KH-STP", issued_on=date(year, 1, 20))
    for code, due, done in [("NV01", (3, 31), (3, 30)), ("NV02", (6, 30), (6, 30)), ("NV03", (5, 31), (6, 10)),
                            ("NV04", (9, 30), None), ("NV05", (11, 30), None)]:
        TaskFactory(plan=plan, code=code, due_date=date(year, *due), completed_on=date(year, *done) if done else None)
    TaskFactory(plan=plan, code="NV09", content="Rà soát văn bản quy phạm pháp luật về hộ tịch", due_date=date(year, 12, 1))

    job = report_job_request(kind="office.work_plan_report", params={"unit": org.home.pk, "year": year}, user=users.staff)
    seen = wait_for(job, lambda j: j.state in (ReportJobState.DONE, ReportJobState.FAILED))

    assert seen[0] == ReportJobState.QUEUED and seen[-1] == ReportJobState.DONE, (seen, job.error)
    assert (job.progress, job.attempts, job.worker) == (100, 1, celery_worker.node)
    assert job.page_count >= 1 and job.weasyprint_seconds > 0
    text = flat(pdf_text(job.file.path))
    tasks = Task.objects.filter(plan=plan)
    total, completed = tasks.count(), tasks.filter(completed_on__isnull=False).count()
    overdue = list(tasks.filter(completed_on__isnull=True).order_by("due_date").values_list("code", "content"))
    assert (total, completed, len(overdue)) == (6, 3, 3)
    assert f"Tổng số nhiệm vụ trong Kế hoạch: {total} nhiệm vụ; đã hoàn thành {completed} nhiệm vụ" in text
    assert f"chưa hoàn thành, quá hạn {len(overdue)} nhiệm vụ" in text
    overdue_section = text[text.index("III. NHIỆM VỤ CHƯA HOÀN THÀNH"):text.index("IV. TRẢ LỜI")]
    positions = []
    for number, (code, content) in enumerate(overdue, start=1):
        # A table cell wraps: the row starts with its number, code and the content's first words.
        row_start = f"{number} {code} {' '.join(content.split()[:4])}"
        assert row_start in overdue_section, overdue_section
        positions.append(overdue_section.index(row_start))
    assert positions == sorted(positions)  # oldest deadline first, as the database orders them
    assert "SỞ TƯ PHÁP HÀ NỘI" in text and "15/KH-STP" in text


def test_progress_is_visible_while_the_worker_renders(celery_worker, users, tmp_path):
    job = report_job_request(kind="tests.gated", params={"folder": str(tmp_path)}, user=users.staff)
    seen = wait_for(job, lambda j: j.state == ReportJobState.RUNNING and j.progress >= 21)
    assert job.progress < 100 and not job.file
    (tmp_path / "go").touch()
    seen += wait_for(job, lambda j: j.state == ReportJobState.DONE)[1:]
    assert seen == [ReportJobState.QUEUED, ReportJobState.RUNNING, ReportJobState.DONE]
    assert "Lần chạy thứ 1." in pdf_text(job.file.path)


def test_template_error_on_the_worker_fails_the_job_with_a_message(celery_worker, users):
    job = report_job_request(kind="tests.broken", params={}, user=users.staff)
    wait_for(job, lambda j: j.state in (ReportJobState.DONE, ReportJobState.FAILED))
    assert job.state == ReportJobState.FAILED
    assert "TemplateSyntaxError" in job.error and "\n" in job.error  # message, then the technical detail
    assert not job.file


@pytest.fixture
def private_queue(settings, tmp_path_factory):
    """A queue of this test's own workers (the session worker never takes its messages), a media
    folder they share with the test, and the test process publishing to the broker."""
    from portal.celery import app

    require_broker()
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("kill-media"))
    app.conf.task_always_eager = False
    yield f"pdf-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = True


def start(name, queue, settings, tmp_path, **options):
    return start_celery_worker(name=name, queues=queue, media_root=settings.MEDIA_ROOT, log_dir=tmp_path, **options)


def test_worker_killed_mid_render_the_job_completes_on_a_new_worker(private_queue, settings, users, tmp_path):
    """The whole worker dies (SIGKILL; the machine or container gone): its unacknowledged message
    goes back to the queue after the Redis visibility timeout (4 s here) and a new worker runs it."""
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "4", "CELERY_RESTORE_SWEEP_SECONDS": "1"}
    first = start("first", private_queue, settings, tmp_path, extra_env=fast_redelivery)
    second = None
    try:
        job = ReportJob.objects.create(kind="tests.gated", params={"folder": str(tmp_path)}, requester=users.staff)
        render_report.apply_async(kwargs={"job_id": job.pk}, queue=private_queue)
        wait_for_file(tmp_path / "started-1")
        wait_for(job, lambda j: j.state == ReportJobState.RUNNING)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        job.refresh_from_db()
        assert (job.state, job.attempts, job.worker) == (ReportJobState.RUNNING, 1, first.node)

        (tmp_path / "go").touch()
        second = start("second", private_queue, settings, tmp_path, extra_env=fast_redelivery)
        wait_for(job, lambda j: j.state in (ReportJobState.DONE, ReportJobState.FAILED), timeout=90)
    finally:
        stop_celery_worker(first)
        if second is not None:
            stop_celery_worker(second)
    assert (job.state, job.attempts, job.worker, job.error) == (ReportJobState.DONE, 2, second.node, "")
    assert "Lần chạy thứ 2." in pdf_text(job.file.path)


def test_pool_process_killed_mid_render_is_retried_at_once(private_queue, settings, users, tmp_path):
    """Only the pool process dies (the OOM killer's usual victim): the worker sees it lost and sends
    the task again (retry_on_worker_lost) without waiting for the 10-minute visibility timeout."""
    worker = start("prefork", private_queue, settings, tmp_path, pool="prefork",
                   extra_env={"PORTAL_TEST_WORKER_EAGER": "0", "CELERY_VISIBILITY_TIMEOUT": "600"})
    try:
        job = ReportJob.objects.create(kind="tests.gated", params={"folder": str(tmp_path)}, requester=users.staff)
        started = time.monotonic()
        render_report.apply_async(kwargs={"job_id": job.pk}, queue=private_queue)
        wait_for_file(tmp_path / "started-1")
        child = int((tmp_path / "started-1").read_text())
        assert child != worker.pid
        os.kill(child, signal.SIGKILL)
        (tmp_path / "go").touch()
        wait_for(job, lambda j: j.state in (ReportJobState.DONE, ReportJobState.FAILED), timeout=90)
        elapsed = time.monotonic() - started
    finally:
        stop_celery_worker(worker)
    assert (job.state, job.attempts, job.error) == (ReportJobState.DONE, 2, "")
    assert int((tmp_path / "started-2").read_text()) not in (child, worker.pid)  # a new pool process ran it
    assert elapsed < 60
