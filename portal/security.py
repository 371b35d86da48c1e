"""Login throttling glue for django-axes: who the client is, and the page a locked-out user sees.

Settings (portal/settings.py, AXES_*) lock a user name from one address after a few wrong
passwords; docs/security.md explains the choices.
"""

import ipaddress

from django.conf import settings
from django.shortcuts import render


def _valid(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address the login attempt came from.

    Behind the reverse proxy (DJANGO_BEHIND_PROXY=1) every request arrives from the proxy, which
    appends the address it saw to X-Forwarded-For ($proxy_add_x_forwarded_for in nginx). Only the
    right-most DJANGO_PROXY_COUNT entries were written by our own proxies; anything left of them
    came from the client and may be forged, so it is never used. Without a proxy: REMOTE_ADDR.
    None when there is no valid address (axes stores addresses in an inet column on PostgreSQL).
    """
    remote = _valid(request.META.get("REMOTE_ADDR"))
    if not getattr(settings, "PORTAL_BEHIND_PROXY", False):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    count = max(1, settings.PORTAL_PROXY_COUNT)
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote


def lockout_response(request, original_response=None, credentials=None):
    """429 with the login page's look: why, for how long, and what to do meanwhile."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
