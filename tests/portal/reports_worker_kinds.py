"""Imported by the test Celery workers (`-I`, see tests/conftest.py): they know the test-only
document kinds. With PORTAL_TEST_WORKER_EAGER=0 the worker also publishes the tasks it sends
(retries after a lost pool process) to the broker, as a production worker does, instead of
running them in-process as portal.settings_test would."""

import os

from tests.portal.reports_support import register_test_kinds

register_test_kinds()

if os.environ.get("PORTAL_TEST_WORKER_EAGER") == "0":
    from portal.celery import app

    app.conf.task_always_eager = False
