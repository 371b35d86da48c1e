"""Helpers shared by the work-plan views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from office.services import OfficeError
from portal.services import StaleVersionError


def visible_or_404(queryset, pk):
    return get_object_or_404(queryset, pk=pk)


def require(user, perm: str, obj) -> None:
    """403 for an object the user can see but may not act on."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def run_service(request, call, *, success: str, stale: str | None = None) -> bool:
    """Call a service; turn a domain refusal or a stale version into a message. True on success."""
    from django.utils.translation import gettext as _

    try:
        call()
    except OfficeError as error:
        messages.error(request, str(error))
        return False
    except StaleVersionError:
        messages.error(
            request,
            stale
            or _("Someone else changed this record while you were working on it. Reload the page and try again; "
                 "what you typed is kept below."),
        )
        return False
    messages.success(request, success)
    return True
