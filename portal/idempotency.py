"""Double-submitted forms create one object.

A create view with `SubmitOnceMixin` fingerprints each POST (the user, the path, every field but the
CSRF token, the uploaded files' names and contents) and stores the fingerprint in a unique row
(`portal.FormSubmission`) before the view runs. The same form sent again within
PORTAL_SUBMIT_ONCE_SECONDS — a double click, or "back" and send — finds the row: it is not handled
a second time; the user is told so and sent to what the first one created. The unique index makes
this hold across server processes and for two requests arriving together.

A POST that is not accepted (the form shows its errors, or the view fails) drops its fingerprint, so
sending the corrected — or the same — form again works. A fingerprint whose request never finished
(the server died mid-request) stops blocking after PENDING_SECONDS.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import FormSubmission

logger = logging.getLogger(__name__)

PENDING_SECONDS = 30
IGNORED_FIELDS = {"csrfmiddlewaretoken"}


def submission_key(request: HttpRequest) -> str:
    """The fingerprint of a POST: the same user sending the same form with the same values."""
    digest = hashlib.sha256(f"{request.user.pk}\0{request.path}\0".encode())
    for name in sorted(request.POST):
        if name in IGNORED_FIELDS:
            continue
        for value in request.POST.getlist(name):
            digest.update(f"{name}\0{value}\0".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"{name}\0{upload.name}\0{upload.size}\0".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _window() -> timedelta:
    return timedelta(seconds=getattr(settings, "PORTAL_SUBMIT_ONCE_SECONDS", 120))


def _claim(key: str, user) -> FormSubmission | None:
    """Store the fingerprint; None when the same form is already there (and still counts)."""
    now = timezone.now()
    FormSubmission.objects.filter(created_at__lt=now - _window()).delete()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return FormSubmission.objects.create(key=key, user=user, created_at=now)
        except IntegrityError:
            stale = FormSubmission.objects.filter(
                key=key, location="", created_at__lt=now - timedelta(seconds=PENDING_SECONDS)
            )
            if not stale.delete()[0]:
                return None
    return None


def _release(submission: FormSubmission) -> None:
    try:
        FormSubmission.objects.filter(pk=submission.pk).delete()
    except DatabaseError:  # the database itself failed the request: the row expires on its own
        logger.warning("Form fingerprint %s could not be dropped", submission.pk, exc_info=True)


class SubmitOnceMixin:
    """For views whose POST creates something: the same form sent twice creates it once."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST" or not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        key = submission_key(request)
        submission = _claim(key, request.user)
        if submission is None:
            earlier = FormSubmission.objects.filter(key=key).first()
            if earlier is not None and earlier.location:
                messages.warning(request, _("This form was already sent; it was not saved a second time."))
                return redirect(earlier.location)
            messages.warning(request, _("This form is still being saved; check the list before sending it again."))
            return redirect(request.path)
        try:
            response = super().dispatch(request, *args, **kwargs)
        except BaseException:
            _release(submission)
            raise
        if response.status_code in (301, 302, 303) and response.get("Location"):
            FormSubmission.objects.filter(pk=submission.pk).update(location=response["Location"][:500])
        else:
            _release(submission)
        return response
