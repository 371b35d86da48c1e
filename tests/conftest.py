"""Fixtures shared by every test: a small organisation and one user per role.

`home` is the unit under test; `home_child` sits below it; `other` is a sibling unit whose data
must never leak to home's staff and leader.
"""

import os
from pathlib import Path
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


def require_broker() -> str:
    """The configured broker URL, after checking it answers and that a worker process can open the
    test database; otherwise skip (laptop) or fail (CI, PORTAL_REQUIRE_SERVICES=1)."""
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
    if database["ENGINE"].endswith("sqlite3") and "memory" in str(database["NAME"]):
        need_service("a worker process cannot share an in-memory SQLite test database: set DATABASE_URL")
    return broker


def start_celery_worker(*, name: str, queues: str, media_root, log_dir, extra_env: dict | None = None, pool: str = "solo"):
    """Start `celery worker --pool=solo` (or `pool`, one process) on the test database and wait
    until it answers a ping.

    The worker also imports the test-only document kinds (tests/portal/reports_worker_kinds.py)
    and stores files under `media_root`, which the test process reads. Its output goes to a log
    file (a pipe nobody reads would block a chatty worker). Returns the Popen, with `.node`,
    `.media_root` and `.log_path` attached.
    """
    import socket
    import subprocess
    import sys
    import time

    from django.conf import settings

    from portal.celery import app

    node = f"test-{os.getpid()}-{name}@{socket.gethostname()}"
    log_path = Path(log_dir) / f"worker-{name}-{time.monotonic_ns()}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PORTAL_TEST_DATABASE_NAME": str(settings.DATABASES["default"]["NAME"]),
        "DJANGO_MEDIA_ROOT": str(media_root),
        **(extra_env or {}),
    }
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", f"--pool={pool}", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-Q", queues, "-n", node,
             "-I", "tests.portal.reports_worker_kinds"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    process.node, process.media_root, process.log_path = node, Path(media_root), log_path
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Celery worker exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        if app.control.ping(destination=[node], timeout=1.0):
            return process
    process.kill()
    pytest.fail(f"Celery worker did not answer a ping within 60 s:\n{log_path.read_text()[-4000:]}")


def stop_celery_worker(process) -> None:
    import subprocess

    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the configured broker, consuming the "celery" and "pdf"
    queues, using the test database and a media folder shared with the test process.

    Skips on a laptop without a broker (tasks run eagerly there); fails in CI.
    """
    require_broker()
    process = start_celery_worker(
        name="main", queues="celery,pdf", media_root=tmp_path_factory.mktemp("worker-media"),
        log_dir=tmp_path_factory.mktemp("worker-logs"),
    )
    yield process
    stop_celery_worker(process)


@pytest.fixture
def celery_worker(celery_worker_process, settings):
    """Send this test's tasks to the real worker instead of running them in-process; files the
    worker stores are read from its media folder."""
    from portal.celery import app

    settings.MEDIA_ROOT = str(celery_worker_process.media_root)
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
def _empty_cache():
    """Each test starts with an empty cache: cached answers are keyed by ids, which a rolled-back
    SQLite test database hands out again."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploaded and generated files of a test go to a throwaway folder, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
