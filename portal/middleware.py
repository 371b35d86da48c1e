"""The portal's own middleware: the language of a request, and the Content-Security-Policy header.

Language selection: Vietnamese unless the user picked another language with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many ministry
computers run English browsers; the portal must still open in Vietnamese for them.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PortalLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores the previous language afterwards, so one request's choice never
        # leaks into the next one handled by the same thread (or into the next test).
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# Scripts only from the portal's own static files, never inline (templates keep data in data-*
# attributes or json_script blocks; tests/test_security_csp.py scans templates/ for inline code).
# Inline style attributes stay allowed: Bootstrap's progress bars and a few widths use them, and
# CSS cannot run code. Images may be data: URIs (charts). Nothing may frame the portal.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    """Sets the Content-Security-Policy header on every response that has none yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
