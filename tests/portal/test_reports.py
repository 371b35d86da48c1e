"""The report pipeline without a broker: jobs run eagerly, in-process (a newcomer's laptop)."""

import unicodedata
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.utils import timezone, translation

from portal.documents import (
    Document,
    DocumentError,
    get_document_kind,
    register_document,
    unregister_document,
)
from portal.documents.registry import UnknownDocument, document_kinds_for
from portal.documents.render import render_html
from portal.documents.services import (
    _claim,
    report_job_again,
    report_job_request,
    report_job_run,
    report_jobs_fail_stale,
)
from portal.enums import ReportJobState
from portal.models import ReportJob
from tests.portal.reports_support import pdf_text, test_document_kinds  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("test_document_kinds")


@pytest.fixture
def temporary_kind():
    """Register a one-off kind for a test: temporary_kind(build, permission=...) -> its name."""
    names = []

    def register(build, *, permission="portal.use_portal", excel=None):
        name = f"tests.temporary{len(names)}"
        register_document(name, label="Tạm", permission=permission, build=build, excel=excel)
        names.append(name)
        return name

    yield register
    for name in names:
        unregister_document(name)


def plain(template_body: str = "") -> Document:
    return Document("documents/base.html", {"title": "Tài liệu"}, "Tài liệu", "tai-lieu")


@pytest.mark.django_db(transaction=True)
def test_requested_job_runs_eagerly_and_stores_the_pdf_with_what_the_database_says(org, users, people):
    job = report_job_request(kind="tests.units", params={"unit": org.home.pk, "number": "7/BC-TĐKT"}, user=users.staff)
    job.refresh_from_db()
    assert (job.state, job.progress, job.error, job.attempts) == (ReportJobState.DONE, 100, "", 1)
    assert job.page_count == 1
    assert job.file.name.endswith("/don-vi-STP-HN.pdf")
    assert job.excel_file.name.endswith("/don-vi-STP-HN.xlsx")
    assert job.title == "Danh sách đơn vị thuộc Sở Tư pháp Hà Nội"
    text = pdf_text(job.file.path)
    # Văn phòng Sở has one person (people.own); home has staff and leader and no_role (3 logins).
    lines = {line.split()[1]: line.split()[-1] for line in text.splitlines() if line.strip().startswith(("1 ", "2 "))}
    assert lines == {"STP-HN": "3", "STP-HN-VP": "1"}
    assert "Số: 7/BC-TĐKT" in text
    assert "Sở Tư pháp Hải Phòng" not in text
    assert job.render_seconds >= job.weasyprint_seconds > 0
    assert job.query_seconds >= 0 and job.template_seconds > 0
    assert job.started_at <= job.finished_at


@pytest.mark.django_db(transaction=True)
def test_template_error_fails_the_job_with_a_readable_message(users):
    with translation.override("en"):
        job = report_job_request(kind="tests.broken", params={}, user=users.staff)
    job.refresh_from_db()
    assert job.state == ReportJobState.FAILED
    assert job.error.startswith("The document could not be produced because its template has an error.")
    assert "TemplateSyntaxError" in job.error
    assert not job.file


@pytest.mark.django_db(transaction=True)
def test_document_error_reaches_the_user_verbatim(users, temporary_kind):
    def build(params, user, progress):
        raise DocumentError("Chưa có kế hoạch năm 2025.")

    job = report_job_request(kind=temporary_kind(build), params={}, user=users.staff)
    job.refresh_from_db()
    assert (job.state, job.error) == (ReportJobState.FAILED, "Chưa có kế hoạch năm 2025.")


@pytest.mark.django_db(transaction=True)
def test_transient_error_in_process_fails_the_job_instead_of_hanging(users, temporary_kind):
    def build(params, user, progress):
        raise OperationalError("database went away")

    with translation.override("en"):
        job = report_job_request(kind=temporary_kind(build), params={}, user=users.staff)
    job.refresh_from_db()
    assert job.state == ReportJobState.FAILED
    assert job.error.startswith("The document could not be produced because of a temporary problem.")


@pytest.mark.django_db
def test_request_checks_the_permission_with_the_parameters(org, users):
    with pytest.raises(PermissionDenied):
        report_job_request(kind="tests.units", params={"unit": org.home.pk}, user=users.outsider)
    with pytest.raises(PermissionDenied):
        report_job_request(kind="tests.units", params={"unit": org.home.pk}, user=users.no_role)
    assert ReportJob.objects.count() == 0


@pytest.mark.django_db
def test_worker_rechecks_the_permission_of_the_requester(org, users):
    job = ReportJob.objects.create(kind="tests.units", params={"unit": org.home.pk}, requester=users.outsider, language="en")
    assert report_job_run(job_id=job.pk) == ReportJobState.FAILED
    job.refresh_from_db()
    assert (job.state, job.error) == (ReportJobState.FAILED, "You are no longer allowed to receive this document.")


@pytest.mark.django_db
def test_unknown_kind_fails_with_a_message(users):
    job = ReportJob.objects.create(kind="tests.gone", params={}, requester=users.staff, language="en")
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.error) == (ReportJobState.FAILED, "This kind of document is no longer available.")
    with pytest.raises(UnknownDocument):
        get_document_kind("tests.gone")


@pytest.mark.django_db
def test_the_build_runs_in_the_requesters_language(users, temporary_kind):
    seen = []

    def build(params, user, progress):
        seen.append(translation.get_language())
        return plain()

    name = temporary_kind(build)
    for language in ("en", "vi"):
        job = ReportJob.objects.create(kind=name, params={}, requester=users.staff, language=language)
        report_job_run(job_id=job.pk)
    assert seen == ["en", "vi"]


@pytest.mark.django_db
def test_a_redelivered_message_for_a_done_job_changes_nothing(org, users):
    job = ReportJob.objects.create(kind="tests.units", params={"unit": org.home.pk}, requester=users.staff)
    assert report_job_run(job_id=job.pk) == ReportJobState.DONE
    job.refresh_from_db()
    before = (job.file.name, job.finished_at, job.attempts)
    assert report_job_run(job_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, job.attempts) == before


@pytest.mark.django_db
def test_a_job_left_running_by_a_killed_worker_runs_again(org, users):
    job = ReportJob.objects.create(kind="tests.units", params={"unit": org.home.pk}, requester=users.staff)
    assert _claim(job.pk, worker="killed@host", task_id="t1") == 1  # the worker died right after
    assert report_job_run(job_id=job.pk, worker="second@host") == ReportJobState.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts, job.worker) == (ReportJobState.DONE, 2, "second@host")


@pytest.mark.django_db
def test_an_older_attempt_finishing_late_does_not_overwrite_the_newer_one(users, temporary_kind):
    def build(params, user, progress):
        # While this attempt builds, the message is redelivered and a second attempt claims the job.
        _claim(params["job"], worker="other@host", task_id="t2")
        return plain()

    job = ReportJob.objects.create(kind=temporary_kind(build), params={}, requester=users.staff)
    job.params = {"job": job.pk}
    job.save()
    assert report_job_run(job_id=job.pk) == "superseded"
    job.refresh_from_db()
    assert (job.state, job.attempts, job.file.name) == (ReportJobState.RUNNING, 2, "")


@pytest.mark.django_db(transaction=True)
def test_progress_rises_during_the_build(users, temporary_kind):
    seen = []

    def build(params, user, progress):
        for percent in (0, 50, 100):
            progress(percent)
            seen.append(ReportJob.objects.get(pk=params["job"]).progress)
        return plain()

    job = ReportJob.objects.create(kind=temporary_kind(build), params={}, requester=users.staff)
    job.params = {"job": job.pk}
    job.save()
    report_job_run(job_id=job.pk)
    assert seen == [2, 21, 40]
    job.refresh_from_db()
    assert job.progress == 100


@pytest.mark.django_db(transaction=True)
def test_regenerating_keeps_the_history(org, users):
    first = report_job_request(kind="tests.units", params={"unit": org.home.pk}, user=users.staff)
    second = report_job_again(job=first, user=users.staff)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.pk != first.pk
    assert (first.state, second.state) == (ReportJobState.DONE, ReportJobState.DONE)
    assert first.file.name != second.file.name
    assert first.file.storage.exists(first.file.name)


@pytest.mark.django_db
def test_stale_pending_jobs_fail_with_a_message_and_others_are_untouched(users, settings):
    settings.PORTAL_REPORT_STALE_SECONDS = 600
    now = timezone.now()
    lost = ReportJob.objects.create(kind="tests.units", requester=users.staff, language="en", state=ReportJobState.RUNNING,
                                    queued_at=now - timedelta(hours=2), heartbeat_at=now - timedelta(minutes=11))
    waiting = ReportJob.objects.create(kind="tests.units", requester=users.staff, queued_at=now - timedelta(hours=1))
    busy = ReportJob.objects.create(kind="tests.units", requester=users.staff, state=ReportJobState.RUNNING,
                                    queued_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(minutes=1))
    fresh = ReportJob.objects.create(kind="tests.units", requester=users.staff)
    done = ReportJob.objects.create(kind="tests.units", requester=users.staff, state=ReportJobState.DONE,
                                    queued_at=now - timedelta(hours=3))
    assert report_jobs_fail_stale(now=now) == 2
    states = {job.pk: job.state for job in ReportJob.objects.all()}
    assert states == {lost.pk: "failed", waiting.pk: "failed", busy.pk: "running", fresh.pk: "queued", done.pk: "done"}
    lost.refresh_from_db()
    assert lost.error.startswith("No worker finished this document in time.")


@pytest.mark.django_db
def test_kinds_offered_follow_the_permission(users):
    offered = {kind.kind for kind in document_kinds_for(users.staff)}
    assert {"tests.units", "tests.gated", "tests.broken"} <= offered
    assert not {kind.kind for kind in document_kinds_for(users.no_role)} & offered


def test_registering_a_kind_twice_is_an_error():
    with pytest.raises(ValueError, match="already registered"):
        register_document("tests.units", label="x", permission="portal.use_portal", build=lambda *a: None)


def test_rendered_html_is_nfc_even_from_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Sở Tư pháp Hà Nội")
    document = Document("documents/base.html", {"issuer": decomposed}, decomposed, "x")
    html = render_html(document)
    assert decomposed not in html
    assert unicodedata.is_normalized("NFC", html)
    assert "SỞ TƯ PHÁP HÀ NỘI" in html.upper()
