"""Celery: eager in-process without a broker; a real worker process on Redis in CI."""

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app
from portal.tasks import health_check


def test_celery_configuration_is_safe_for_long_tasks():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_tasks_run_eagerly_exactly_when_no_broker_is_configured():
    import subprocess
    import sys

    code = "from portal.celery import app; print(app.conf.task_always_eager)"
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin"}
    without = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    with_broker = subprocess.run(
        [sys.executable, "-c", code], env={**env, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"},
        capture_output=True, text=True, check=True,
    )
    assert (without.stdout.strip(), with_broker.stdout.strip()) == ("True", "False")


def test_tasks_are_autodiscovered_under_their_stable_names():
    app.loader.import_default_modules()
    assert {"portal.health_check", "portal.send_notification_emails"} <= set(app.tasks)


@pytest.mark.django_db
def test_health_check_runs_in_process():
    assert health_check.apply().get()["database"] is True


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_answers_health_check_on_the_test_database(celery_worker):
    result = health_check.apply_async()
    answer = result.get(timeout=60)
    assert answer["database"] is True
    assert answer["vendor"] == connection.vendor
    assert answer["database_name"] == str(settings.DATABASES["default"]["NAME"])
