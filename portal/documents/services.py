"""Report jobs: asking for a document, producing it in the worker, and giving up on lost ones.

The web process only creates the row and queues `portal.render_report` after the commit; the
worker calls `report_job_run`, which re-checks the permission, activates the requester's
language, builds and renders the document with the pure pipeline and stores the files on the
row. Running a job is idempotent: a message delivered twice (a worker killed mid-render, a
Redis visibility timeout) re-renders a job that is not done yet and skips one that is.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from io import BytesIO

from billiard.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded, WorkerLostError
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.documents.registry import DocumentError, UnknownDocument, get_document_kind
from portal.enums import REPORT_JOB_PENDING_STATES, ReportJobState
from portal.models import ReportJob

logger = logging.getLogger(__name__)

# Errors worth another try a little later: the database or the disk hiccuped.
TRANSIENT_ERRORS = (OperationalError, OSError)
# Progress of the whole job: the build gets 2-40 %, the template and WeasyPrint 40-95 %.
BUILD_SHARE = (2, 40)
RENDER_SHARE = (40, 95)
# Runs of one job (first delivery, redeliveries after a lost worker, retries) before it fails.
MAX_ATTEMPTS = 5


def report_job_request(*, kind: str, params: dict, user, title: str = "") -> ReportJob:
    """Create a job for this user and queue its rendering once the transaction commits."""
    document_kind = get_document_kind(kind)
    if not document_kind.allows(user, params):
        raise PermissionDenied
    job = ReportJob.objects.create(
        kind=kind,
        params=params,
        requester=user,
        title=(title or str(document_kind.label))[:300],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: report_job_enqueue(job_id=job.pk))
    return job


def report_job_again(*, job: ReportJob, user) -> ReportJob:
    """Re-generate: a new job with the same kind and parameters (the old one stays in the history)."""
    return report_job_request(kind=job.kind, params=job.params, user=user, title=job.title)


def report_job_enqueue(*, job_id: int) -> None:
    """Send the job to the "pdf" queue. When that fails (the broker is down; or, without a
    broker, the in-process run gave up) the job fails at once with a message, never stays queued."""
    from portal.tasks import render_report

    try:
        if render_report.app.conf.task_always_eager:
            # In-process (no broker): throw=False lets Celery run the retries here too, instead
            # of raising its Retry exception into the request.
            result = render_report.apply(kwargs={"job_id": job_id}, throw=False)
        else:
            result = render_report.apply_async(kwargs={"job_id": job_id})
    except Exception:  # noqa: BLE001 - whatever went wrong, the requester must not wait forever
        logger.exception("Report job %s could not be queued", job_id)
        ReportJob.objects.filter(pk=job_id, state=ReportJobState.QUEUED).update(
            state=ReportJobState.FAILED,
            error=_("The document could not be queued for production. Please try again in a few minutes."),
            finished_at=timezone.now(),
        )
        return
    ReportJob.objects.filter(pk=job_id, task_id="").update(task_id=result.id or "")


class _ProgressWriter:
    """Writes the job's progress (and heartbeat) at most twice a second, always for big steps."""

    def __init__(self, job_id: int, attempt: int):
        self.job_id = job_id
        self.attempt = attempt
        self.percent = 0
        self.written_at = 0.0

    def __call__(self, percent: int) -> None:
        percent = max(0, min(100, int(percent)))
        now = time.monotonic()
        if percent <= self.percent and now - self.written_at < 5:
            return
        if percent - self.percent < 5 and now - self.written_at < 0.5:
            return
        self.percent = max(percent, self.percent)
        self.written_at = now
        ReportJob.objects.filter(pk=self.job_id, attempts=self.attempt, state=ReportJobState.RUNNING).update(
            progress=self.percent, heartbeat_at=timezone.now()
        )

    def share(self, low: int, high: int):
        """A progress callback for one step, mapping its 0-100 onto low-high of the job."""
        return lambda percent: self(low + (high - low) * max(0, min(100, int(percent))) // 100)


def _claim(job_id: int, *, worker: str, task_id: str) -> int | None:
    """Mark the job running for a new attempt; None when there is nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state == ReportJobState.DONE:
            return None
        if job.attempts >= MAX_ATTEMPTS:
            # Redelivered again and again: its worker keeps dying (a document too large for
            # the machine?). Stop here instead of looping forever.
            with translation.override(job.language or settings.LANGUAGE_CODE):
                job.error = _worker_lost_message()
            job.state = ReportJobState.FAILED
            job.finished_at = now
            job.save(update_fields=["error", "state", "finished_at"])
            return None
        job.attempts += 1
        job.state = ReportJobState.RUNNING
        job.progress = 1
        job.error = ""
        job.started_at = now
        job.heartbeat_at = now
        job.worker = worker[:255]
        job.task_id = task_id[:255] or job.task_id
        job.save(update_fields=["attempts", "state", "progress", "error", "started_at", "heartbeat_at", "worker", "task_id"])
        return job.attempts


def report_job_fail(*, job_id: int, message: str, attempt: int | None = None) -> bool:
    """Mark a job failed with a message for the requester (unless a newer attempt owns it)."""
    jobs = ReportJob.objects.filter(pk=job_id).exclude(state=ReportJobState.DONE)
    if attempt is not None:
        jobs = jobs.filter(attempts=attempt)
    return bool(jobs.update(state=ReportJobState.FAILED, error=message[:4000], finished_at=timezone.now()))


def report_job_give_up(*, job_id: int, error: BaseException | None) -> bool:
    """Celery gave up on the job's task: say why, in the requester's language."""
    language = ReportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        if isinstance(error, SoftTimeLimitExceeded | TimeLimitExceeded):
            message = _too_long_message()
        elif isinstance(error, WorkerLostError):
            message = _worker_lost_message()
        else:
            message = _(
                "The document could not be produced because of a temporary problem. Please try again later."
            )
    detail = f"{type(error).__name__}: {error}" if error is not None else ""
    return report_job_fail(job_id=job_id, message=f"{message}\n{detail}".strip())


def _too_long_message() -> str:
    return _("The document took too long to produce and was stopped. Ask for fewer pages or tell the administrators.")


def _worker_lost_message() -> str:
    return _(
        "The worker producing this document stopped several times (the document may be too large). "
        "Tell the administrators."
    )


def _failure_message(error: BaseException) -> str:
    if isinstance(error, DocumentError):
        return str(error)
    if isinstance(error, SoftTimeLimitExceeded):
        return _too_long_message()
    if isinstance(error, TemplateSyntaxError | TemplateDoesNotExist):
        reason = _("The document could not be produced because its template has an error.")
    else:
        reason = _("The document could not be produced because of an unexpected error.")
    detail = f"{type(error).__name__}: {error}".strip()
    return f"{reason} {_('The administrators can find the details in the worker log.')}\n{detail[:1000]}"


def report_job_run(*, job_id: int, worker: str = "", task_id: str = "") -> str:
    """Produce the job's document; returns the job's final state ("skipped" when already done).

    Transient errors (database, disk) propagate so the task retries; every other error marks the
    job failed with a message the requester can read.
    """
    attempt = _claim(job_id, worker=worker, task_id=task_id)
    if attempt is None:
        return "skipped"
    job = ReportJob.objects.select_related("requester").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            return _produce(job, attempt)
        except TRANSIENT_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - any bug in a document must reach the user as a message
            if not isinstance(error, DocumentError):
                logger.exception("Report job %s (%s) failed", job.pk, job.kind)
            report_job_fail(job_id=job.pk, message=_failure_message(error), attempt=attempt)
            return ReportJobState.FAILED
        except BaseException as error:
            # WeasyPrint's FatalURLFetchingError (a missing static file) is a BaseException.
            if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit):
                raise
            logger.exception("Report job %s (%s) failed", job.pk, job.kind)
            report_job_fail(job_id=job.pk, message=_failure_message(error), attempt=attempt)
            return ReportJobState.FAILED


def _produce(job: ReportJob, attempt: int) -> str:
    from portal.documents.render import excel_filename, pdf_filename, render_pdf

    progress = _ProgressWriter(job.pk, attempt)
    try:
        kind = get_document_kind(job.kind)
    except UnknownDocument:
        raise DocumentError(_("This kind of document is no longer available.")) from None
    user = job.requester
    if not kind.allows(user, job.params):
        raise DocumentError(_("You are no longer allowed to receive this document."))

    started = time.perf_counter()
    document = kind.build(job.params, user, progress.share(*BUILD_SHARE))
    query_seconds = time.perf_counter() - started
    progress(BUILD_SHARE[1])
    rendered = render_pdf(document, progress=progress.share(*RENDER_SHARE))
    workbook_bytes = None
    if kind.excel is not None:
        excel_started = time.perf_counter()
        workbook = kind.excel(job.params, user)
        if workbook is not None:
            buffer = BytesIO()
            workbook.save(buffer)
            workbook_bytes = buffer.getvalue()
        query_seconds += time.perf_counter() - excel_started
    render_seconds = time.perf_counter() - started

    job.file.save(pdf_filename(document), ContentFile(rendered.pdf), save=False)
    if workbook_bytes is not None:
        job.excel_file.save(excel_filename(document), ContentFile(workbook_bytes), save=False)
    finished = ReportJob.objects.filter(pk=job.pk, attempts=attempt, state=ReportJobState.RUNNING).update(
        state=ReportJobState.DONE,
        progress=100,
        error="",
        title=document.title[:300],
        file=job.file.name,
        excel_file=job.excel_file.name or "",
        page_count=rendered.page_count,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        render_seconds=render_seconds,
        query_seconds=query_seconds,
        template_seconds=rendered.timings["template_seconds"],
        weasyprint_seconds=rendered.timings["weasyprint_seconds"],
    )
    if not finished:
        # A newer attempt (a redelivered message) owns the job now: keep its result, not ours.
        for field_file in (job.file, job.excel_file):
            if field_file:
                field_file.delete(save=False)
        return "superseded"
    return ReportJobState.DONE


def report_jobs_fail_stale(*, now=None) -> int:
    """Fail pending jobs nobody has worked on for PORTAL_REPORT_STALE_SECONDS: the user sees a
    message instead of a progress bar that never moves. A message delivered later still runs."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.PORTAL_REPORT_STALE_SECONDS)
    stale = (
        ReportJob.objects.filter(state__in=REPORT_JOB_PENDING_STATES)
        .annotate(last_sign=Coalesce(F("heartbeat_at"), F("queued_at")))
        .filter(last_sign__lt=limit)
    )
    count = 0
    for language in set(stale.values_list("language", flat=True)):
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _(
                "No worker finished this document in time. Please request it again; "
                "if it fails again, tell the administrators."
            )
        count += stale.filter(language=language).update(state=ReportJobState.FAILED, error=message, finished_at=now)
    return count
