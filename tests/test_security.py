"""Login throttling, session cookies and CSRF on every state change (see docs/security.md)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.security import client_ip
from tests.factories import PASSWORD
from tests.test_url_matrix import PAGES, World, url_for

BASE_DIR = Path(settings.BASE_DIR)


def log_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


# --- login throttling (django-axes) ---------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_passwords_lock_the_account_on_that_address_even_for_the_right_password(client, users):
    limit = settings.AXES_FAILURE_LIMIT
    answers = [log_in(client, users.staff.username, "wrong").status_code for _ in range(limit)]

    assert answers == [200] * (limit - 1) + [429]
    locked = log_in(client, users.staff.username, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    page = locked.content.decode()
    assert 'id="lockedOut"' in page
    assert f"{settings.AXES_COOLOFF_TIME.seconds // 60}" in page


@pytest.mark.django_db
def test_lockout_is_per_user_name_and_address(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, users.staff.username, "wrong")

    # Another account from the same address, and the same account from another address, still log in.
    assert log_in(Client(), users.leader.username, PASSWORD).status_code == 302
    assert log_in(Client(), users.staff.username, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302
    assert log_in(Client(), users.staff.username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off_time(client, users):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, users.staff.username, "wrong")
    assert log_in(client, users.staff.username, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))

    assert log_in(client, users.staff.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client, users):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        log_in(client, users.staff.username, "wrong")
    assert log_in(client, users.staff.username, PASSWORD).status_code == 302
    client.logout()

    answers = [log_in(client, users.staff.username, "wrong").status_code for _ in range(limit - 1)]
    assert answers == [200] * (limit - 1)


@pytest.mark.django_db
def test_wrong_password_page_still_says_why(client, users):
    response = log_in(client, users.staff.username, "wrong")
    assert response.status_code == 200
    assert 'id="loginError"' in response.content.decode()


def test_client_address_without_a_proxy_is_the_socket_address(settings):
    settings.PORTAL_BEHIND_PROXY = False
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.5"


def test_client_address_behind_the_proxy_ignores_what_the_client_forged(settings):
    settings.PORTAL_BEHIND_PROXY, settings.PORTAL_PROXY_COUNT = True, 1
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it saw.
    request = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
    no_header = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1")
    assert client_ip(no_header) == "127.0.0.1"
    garbage = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-address")
    assert client_ip(garbage) == "127.0.0.1"


def test_client_address_is_none_rather_than_invalid(settings):
    """force_login() and some servers give no REMOTE_ADDR; axes stores None, never a bad inet value."""
    settings.PORTAL_BEHIND_PROXY = False
    request = RequestFactory().post("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None


# --- sessions ---------------------------------------------------------------------------------------


def test_session_settings():
    from portal import settings as production

    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.SESSION_COOKIE_SAMESITE == "Lax"
    assert production.CSRF_COOKIE_SAMESITE == "Lax"
    assert production.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert production.SESSION_COOKIE_AGE <= 8 * 3600


@pytest.mark.django_db
def test_session_cookie_after_login_is_http_only_same_site_and_ends_with_the_browser(client, users):
    response = log_in(client, users.staff.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (bool(cookie["httponly"]), cookie["samesite"], cookie["max-age"], cookie["expires"]) == (True, "Lax", "", "")


# --- CSRF -----------------------------------------------------------------------------------------


def test_no_view_is_exempt_from_csrf():
    offenders = [
        str(path.relative_to(BASE_DIR))
        for app in ("portal", "office", "emulation", "commendations")
        for path in (BASE_DIR / app).rglob("*.py")
        if "csrf_exempt" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_url_refuses_a_post_without_csrf_token(users, org, name):
    """Every URL of the portal (GET pages included: a POST to them is a state change attempt) answers
    403 to a POST without the CSRF token, before the view runs; nothing is written."""
    from portal.models import AuditLog

    client = Client(enforce_csrf_checks=True)
    client.force_login(users.admin)
    url = url_for(name, PAGES[name], World(org, users), org.home)
    response = client.post(url, {"version": "1"})
    assert response.status_code == 403
    assert b"CSRF" in response.content  # Django's CSRF failure page, not the view's own 403
    assert not AuditLog.objects.exists()


# --- production settings ------------------------------------------------------------------------------


def test_production_behind_the_proxy_passes_check_deploy_with_throttling_and_csp():
    """The Compose configuration (DJANGO_BEHIND_PROXY=1) is clean too, and axes' own checks pass."""
    from tests.portal.test_settings import run_manage

    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "q7v!m2x@k9#p4w$z8r%t1y^u6i&o3e*a5s(d0f)g-h_j+l=c;V4b.N7m,Q1w",
        "ALLOWED_HOSTS": "tdkt.moj.gov.vn",
        "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
        "DJANGO_BEHIND_PROXY": "1",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
    code = ("from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER[0], s.PORTAL_BEHIND_PROXY, "
            "s.AXES_CLIENT_IP_CALLABLE, 'portal.middleware.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE, "
            "s.MIDDLEWARE[-1], s.AUTHENTICATION_BACKENDS[0])")
    shown = run_manage("shell", "-c", code, env=env)
    assert shown.stdout.strip().splitlines()[-1].split() == ["HTTP_X_FORWARDED_PROTO", "True", "portal.security.client_ip", "True",
                                    "axes.middleware.AxesMiddleware", "axes.backends.AxesStandaloneBackend"]
