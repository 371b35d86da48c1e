"""Fixtures shared by every test: a small organisation and one user per role.

`home` is the unit under test; `home_child` sits below it; `other` is a sibling unit whose data
must never leak to home's staff and leader.
"""

import os
from types import SimpleNamespace

import pytest

from portal.enums import Role, UnitKind
from tests.factories import PersonFactory, UnitFactory, user_with_role

# When set (CI does), tests that need Redis, a worker or Chromium fail instead of skipping.
REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES", "") == "1"


def need_service(reason: str) -> None:
    """Fail (in CI) or skip (on a newcomer's laptop) when a required outside service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"Required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def org(db):
    ministry = UnitFactory(code="BTP", name="Bộ Tư pháp", kind=UnitKind.MINISTRY)
    home = UnitFactory(code="STP-HN", name="Sở Tư pháp Hà Nội", kind=UnitKind.PROVINCIAL_JUSTICE, parent=ministry)
    home_child = UnitFactory(code="STP-HN-VP", name="Văn phòng Sở", kind=UnitKind.DIVISION, parent=home)
    other = UnitFactory(code="STP-HP", name="Sở Tư pháp Hải Phòng", kind=UnitKind.PROVINCIAL_JUSTICE, parent=ministry)
    return SimpleNamespace(ministry=ministry, home=home, home_child=home_child, other=other)


@pytest.fixture
def users(org):
    """One user per role; staff and leader belong to `home`; `outsider` is staff of `other`."""
    return SimpleNamespace(
        staff=user_with_role(Role.STAFF, org.home, name="Lê Văn Cán"),
        leader=user_with_role(Role.UNIT_LEADER, org.home, name="Phạm Thị Lãnh"),
        officer=user_with_role(Role.EMULATION_OFFICER, org.ministry, name="Hoàng Văn Thi"),
        council=user_with_role(Role.COUNCIL_MEMBER, org.ministry, name="Vũ Thị Hội"),
        admin=user_with_role(Role.SYSTEM_ADMIN, org.ministry, name="Đỗ Văn Quản"),
        outsider=user_with_role(Role.STAFF, org.other, name="Bùi Thị Ngoài"),
        no_role=user_with_role(None, org.home, name="Ngô Văn Chưa"),
    )


@pytest.fixture
def people(org):
    """Two people without logins: one in `home_child` (below home), one in `other`."""
    return SimpleNamespace(
        own=PersonFactory(unit=org.home_child, full_name="Nguyễn Anh Tuấn"),
        other=PersonFactory(unit=org.other, full_name="Đặng Thị Đào"),
    )


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the configured broker, using the test database.

    Skips on a laptop without a broker (tasks run eagerly there); fails in CI.
    """
    import subprocess
    import sys
    import time

    from django.conf import settings

    from portal.celery import app

    broker = settings.CELERY_BROKER_URL
    if not broker:
        need_service("no CELERY_BROKER_URL: a real worker needs Redis")
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # noqa: BLE001 - any broker failure means the same thing here
        need_service(f"broker {broker} unreachable: {error}")
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "CELERY_BROKER_URL": broker,
        "PORTAL_TEST_DATABASE_NAME": str(database["NAME"]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--concurrency=1",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-Q", "celery", "-n", f"test-{os.getpid()}@%h"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Celery worker exited with {process.returncode}:\n{process.stdout.read()}")
        if app.control.ping(timeout=1.0):
            break
    else:
        process.kill()
        pytest.fail("Celery worker did not answer a ping within 60 s")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def celery_worker(celery_worker_process):
    """Send this test's tasks to the real worker instead of running them in-process."""
    from portal.celery import app

    app.conf.task_always_eager = False
    yield celery_worker_process
    app.conf.task_always_eager = True


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, db):
    """pytest-django's fixture, with the content-type cache warmed first: otherwise the first test
    of a run that reads an object's history pays one extra query, and counts depend on test order."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models())
    return django_assert_num_queries


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploaded and generated files of a test go to a throwaway folder, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
