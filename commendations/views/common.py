"""Helpers shared by the commendation views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from commendations.services import CommendationsError
from portal.services import StaleVersionError


def require(user, perm: str, obj=None) -> None:
    """403 for what the user can see but may not do."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def run_service(request, call, *, success: str) -> bool:
    """Call a service; turn a refusal, invalid data or a stale version into a message. True on success."""
    try:
        call()
    except CommendationsError as error:
        messages.error(request, str(error))
        return False
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    except StaleVersionError:
        messages.error(
            request,
            _("Someone else changed this record while you were working on it. Reload the page and try again; "
              "what you typed is kept below."),
        )
        return False
    messages.success(request, success)
    return True
