"""When parts of the platform fail (issue 7, point 6).

- PostgreSQL restarted: what a restart does to the application is kill its server connection. Here
  the backend of the very connection the portal uses is terminated (`pg_terminate_backend`, from a
  second connection), and requests go through Django's real WSGI handler, so the per-request
  connection handling (CONN_MAX_AGE + CONN_HEALTH_CHECKS, close_old_connections) runs as under
  gunicorn. Between requests: the next request reconnects by itself. During a write: that request
  answers 500 with nothing half-written, and the next one works, without restarting anything.
- Redis down: pages still work; a report request says the queue is unavailable, and the job is kept
  (failed, with that message); once the broker is back, "again" produces the document.
- A worker killed mid-task: tests/portal/test_reports_worker.py (redelivery after a killed worker).
- Double-submitted forms (two clicks): tests/test_faults_double_submit.py.
"""

from __future__ import annotations

import urllib.parse
from unittest import mock

import psycopg2
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.enums import ReportJobState
from tests.conftest import need_service
from tests.factories.office import WorkPlanFactory

YEAR = 2026


# --- PostgreSQL killed -------------------------------------------------------------------------

def _postgresql_only() -> None:
    if connection.vendor != "postgresql":  # SQLite has no server to lose; CI (PostgreSQL) must run these
        need_service("DATABASE_URL does not point at PostgreSQL: the lost-connection tests need a server")


def _terminate(pid: int) -> None:
    """Kill one backend from a second connection, as a server restart would (for that connection)."""
    params = connection.settings_dict
    killer = psycopg2.connect(dbname=params["NAME"], user=params["USER"], password=params["PASSWORD"] or None,
                              host=params["HOST"] or None, port=params["PORT"] or None)
    try:
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        killer.close()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class Browser:
    """Requests through Django's WSGI handler in this thread (so on this thread's connection), with
    the request_started/request_finished connection handling the test client switches off."""

    def __init__(self, user):
        client = Client()
        client.force_login(user)
        self.session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.csrf = _get_new_csrf_string()
        self.handler = WSGIHandler()

    def _call(self, request) -> tuple[int, dict]:
        environ = request.environ
        environ["HTTP_COOKIE"] = f"{settings.SESSION_COOKIE_NAME}={self.session}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

        body = self.handler(environ, start_response)
        try:
            b"".join(body)
        finally:
            body.close()  # request_finished: close_old_connections, as a WSGI server does
        return answer["status"], answer["headers"]

    def get(self, path: str) -> int:
        return self._call(RequestFactory().get(path))[0]

    def post(self, path: str, data: dict) -> tuple[int, dict]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True)
        return self._call(RequestFactory().post(path, body, content_type="application/x-www-form-urlencoded"))


def test_connection_settings_allow_recovery_without_restart():
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    if database["ENGINE"].endswith("postgresql"):
        assert database["CONN_MAX_AGE"] > 0  # persistent connections, checked before reuse


@pytest.mark.django_db(transaction=True)
def test_database_connection_killed_between_requests_the_next_request_reconnects(users):
    _postgresql_only()
    browser = Browser(users.staff)
    dashboard = reverse("portal:dashboard")
    assert browser.get(dashboard) == 200
    pid = _backend_pid()
    _terminate(pid)

    assert browser.get(dashboard) == 200  # the health check at first use found it dead and reconnected
    assert _backend_pid() != pid
    assert browser.get(dashboard) == 200


@pytest.mark.django_db(transaction=True)
def test_database_connection_killed_during_a_write_fails_cleanly_then_recovers(users, org):
    _postgresql_only()
    from office.models import WorkPlan
    from portal.models import AuditLog

    browser = Browser(users.admin)
    dashboard = reverse("portal:dashboard")
    assert browser.get(dashboard) == 200
    original_create = AuditLog.objects.create

    def create_after_the_server_went_away(**kwargs):
        # The plan row is inserted; the server goes away before its audit entry is.
        _terminate(_backend_pid())
        return original_create(**kwargs)

    with mock.patch.object(AuditLog.objects, "create", side_effect=create_after_the_server_went_away):
        status, _headers = browser.post(reverse("office:plan_create"),
                                        {"unit": org.home.pk, "year": 2031, "title": "Kế hoạch công tác năm 2031"})
    assert status == 500

    assert browser.get(dashboard) == 200  # recovered, no restart
    assert WorkPlan.objects.filter(year=2031).count() == 0  # nothing half-written
    assert not AuditLog.objects.filter(action="office.plan.created").exists()

    # The same form again now works.
    status, headers = browser.post(reverse("office:plan_create"),
                                   {"unit": org.home.pk, "year": 2031, "title": "Kế hoạch công tác năm 2031"})
    assert status == 302, status
    plan = WorkPlan.objects.get(year=2031)
    assert headers["Location"] == reverse("office:plan_detail", args=[plan.pk])
    assert AuditLog.objects.filter(action="office.plan.created").count() == 1


# --- Redis down ----------------------------------------------------------------------------------

@pytest.fixture
def broker_down(settings):
    """A broker nobody listens on (Redis down), with tasks sent to it instead of run in-process."""
    from portal.celery import app

    closed = "redis://127.0.0.1:9/7"
    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager", "broker_connection_max_retries")}
    settings.CELERY_BROKER_URL = closed
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = closed
    app.conf.task_always_eager = False
    app.conf.broker_connection_max_retries = 1
    app.pool.force_close_all()
    yield app
    app.conf.update(saved)
    app.pool.force_close_all()


@pytest.mark.django_db(transaction=True)
def test_redis_down_pages_work_report_request_says_queue_unavailable_and_again_works_once_back(broker_down, users, org):
    from portal.models import ReportJob

    WorkPlanFactory(unit=org.home, year=YEAR)
    client = Client()
    client.force_login(users.leader)
    for name in ("portal:dashboard", "reports:home", "office:plan_list"):
        assert client.get(reverse(name)).status_code == 200, name

    kind = "office.work_plan_report"
    url = reverse("reports:request", args=[kind])
    page = client.get(url)
    assert page.status_code == 200
    assert dict(page.context["form"].fields["unit"].choices) == {org.home.pk: org.home.name}

    response = client.post(url, {"year": YEAR, "unit": org.home.pk}, follow=True)
    job = ReportJob.objects.get(requester=users.leader)
    assert response.redirect_chain == [(reverse("reports:job", args=[job.pk]), 302)]
    assert job.state == ReportJobState.FAILED
    assert job.params == {"year": YEAR, "unit": org.home.pk}
    # Said in the reader's language (the default, Vietnamese): the msgid's translation.
    from django.utils.translation import gettext

    unavailable = gettext("The document could not be queued for production. Please try again in a few minutes.")
    assert job.error == unavailable
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [unavailable]
    assert unavailable in response.content.decode()  # the job page shows it too
    assert client.get(reverse("portal:dashboard")).status_code == 200  # still working

    # Broker back (in-process here, as a worker would): "again" produces the document; the failed
    # request stays in the history.
    broker_down.conf.task_always_eager = True
    again = client.post(reverse("reports:job_again", args=[job.pk]), follow=True)
    assert again.status_code == 200
    newest = ReportJob.objects.filter(requester=users.leader).latest("pk")
    assert newest.pk != job.pk
    assert (newest.kind, newest.params) == (job.kind, job.params)
    assert newest.state == ReportJobState.DONE, newest.error
    assert newest.file.read(5) == b"%PDF-"
    job.refresh_from_db()
    assert job.state == ReportJobState.FAILED
