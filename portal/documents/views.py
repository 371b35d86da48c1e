"""Pages of the printed documents: ask for one, watch its progress bar, download it, see earlier ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from portal.documents.registry import UnknownDocument, document_kinds_for, get_document_kind
from portal.documents.selectors import report_jobs_visible_to
from portal.documents.services import report_job_again, report_job_request
from portal.enums import ReportJobState
from portal.files import file_response
from portal.idempotency import SubmitOnceMixin
from portal.views import paginate


def _kind_or_404(kind: str):
    try:
        return get_document_kind(kind)
    except UnknownDocument:
        raise Http404 from None


class ReportHomeView(LoginRequiredMixin, View):
    """Báo cáo, tài liệu in: the documents this user may ask for and their latest requests."""

    def get(self, request: HttpRequest) -> HttpResponse:
        kinds = document_kinds_for(request.user)
        if not kinds:
            raise PermissionDenied
        labels = {kind.kind: kind.label for kind in kinds}
        page_obj = paginate(request, report_jobs_visible_to(request.user).order_by("-queued_at", "-id"))
        return render(request, "reports/home.html", {"kinds": kinds, "labels": labels, "page_obj": page_obj, "jobs": page_obj})


class ReportRequestView(LoginRequiredMixin, SubmitOnceMixin, View):
    """One kind: the parameters form, and the earlier documents of this kind (history kept)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.document_kind = _kind_or_404(kwargs["kind"])
            if not self.document_kind.allows(request.user, None):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None, initial=None):
        form_class = self.document_kind.params_form
        return form_class(data=data, initial=initial, user=self.request.user) if form_class else None

    def page(self, form, status=200) -> HttpResponse:
        jobs = report_jobs_visible_to(self.request.user).filter(kind=self.document_kind.kind).order_by("-queued_at", "-id")
        page_obj = paginate(self.request, jobs)
        context = {"document_kind": self.document_kind, "form": form, "page_obj": page_obj, "jobs": page_obj,
                   "labels": {self.document_kind.kind: self.document_kind.label}}
        return render(self.request, "reports/request.html", context, status=status)

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        # A page may link here with its object chosen ("?decision=12"): the form opens preset, and
        # the choice is still checked against what the user may print when the form is sent.
        form_class = self.document_kind.params_form
        names = form_class.base_fields if form_class else {}
        initial = {name: request.GET[name] for name in names if request.GET.get(name)}
        return self.page(self.form(initial=initial))

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        form = self.form(request.POST)
        if form is not None and not form.is_valid():
            messages.error(request, _("Please correct the parameters below."))
            return self.page(form, status=400)
        params = form.params() if form is not None else {}
        title = str(self.document_kind.label)
        if form is not None and form.describe():
            title = f"{title} – {form.describe()}"
        job = report_job_request(kind=self.document_kind.kind, params=params, user=request.user, title=title)
        job.refresh_from_db(fields=["state", "error"])  # queued on commit: the broker may have refused it
        if job.state == ReportJobState.FAILED and job.error:
            messages.error(request, job.error)
        else:
            messages.success(request, _("Your document has been requested; it is produced in the background."))
        return redirect("reports:job", pk=job.pk)


class ReportJobMixin(LoginRequiredMixin):
    def get_job(self, pk: int):
        return get_object_or_404(report_jobs_visible_to(self.request.user), pk=pk)


class ReportJobView(ReportJobMixin, View):
    """One requested document: a progress bar that polls until it is ready, then the download."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.get_job(pk)
        try:
            label = get_document_kind(job.kind).label
        except UnknownDocument:
            label = job.kind
        return render(request, "reports/job.html", {"job": job, "label": label})


class ReportJobStatusView(ReportJobMixin, View):
    """The progress fragment the job page swaps in every second (htmx)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "reports/partials/job_status.html", {"job": self.get_job(pk)})


class ReportJobDownloadView(ReportJobMixin, View):
    """The PDF (or its Excel twin) of a finished job; the requester must still be allowed the kind."""

    excel = False

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.get_job(pk)
        try:
            allowed = get_document_kind(job.kind).allows(request.user, job.params)
        except UnknownDocument:
            allowed = False
        if not allowed and job.requester_id == request.user.pk:
            raise PermissionDenied
        return file_response(job.excel_file if self.excel else job.file)


class ReportJobAgainView(ReportJobMixin, View):
    """Re-generate with the same parameters: a new job, the old file stays in the history."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.get_job(pk)
        kind = _kind_or_404(job.kind)
        if not kind.allows(request.user, job.params):
            raise PermissionDenied
        new_job = report_job_again(job=job, user=request.user)
        messages.success(request, _("A new version of the document has been requested."))
        return redirect("reports:job", pk=new_job.pk)
