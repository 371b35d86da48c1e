"""The load test's journeys stay in step with the URL conf: every path bench/locustfile.py asks for
resolves to a view (ids filled with 1), the file imports with its user classes, and a short run of
it against a live server on the small sector data has no failure (the CI smoke version of
bench/load_run.sh)."""

import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import resolve
from django.utils import timezone

LOCUSTFILE = Path(__file__).resolve().parent.parent / "bench" / "locustfile.py"
PATHS = sorted({re.sub(r"\{[^}]*\}", "1", path).split("?")[0]
                for path in re.findall(r'f?"(/[a-z][^"]*|/)"', LOCUSTFILE.read_text())})


@pytest.mark.parametrize("path", PATHS)
def test_locustfile_path_resolves(path):
    assert resolve(path).func is not None


def test_locustfile_defines_the_role_journeys():
    # In a child process: importing locust monkey-patches the standard library with gevent, which
    # must never happen inside the test run (live servers, database connections, subprocesses).
    script = (
        "import locust  # first, as the locust command does: it patches the standard library\n"
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('portal_locustfile', {str(LOCUSTFILE)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print(' '.join(sorted(vars(module))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert {"StaffUser", "LeaderUser", "OfficerUser", "CouncilUser", "FloorUser"} <= set(result.stdout.split())


# --- A short run of the real thing ---------------------------------------------------------------

SMOKE_USERS, SMOKE_SECONDS, SMOKE_PASSWORD = 8, 20, "load-smoke-2026"


def _targets(year: int) -> dict:
    spec = importlib.util.spec_from_file_location("scale_targets", LOCUSTFILE.parent / "scale_targets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.targets(year)


@pytest.mark.django_db(transaction=True)
def test_a_short_load_run_on_the_small_sector_has_no_failure(live_server, tmp_path):
    """bench/locustfile.py's journeys (pages, scorecard entry, dossier transitions, report requests)
    for 20 seconds with 8 users against a live server on the small seed_scale data: every request
    answers as the journey expects (locust counts anything else as a failure)."""
    from portal.scale import build_scale
    from tests.factories.commendations import ensure_catalogue

    ensure_catalogue()  # a transactional test that ran before may have flushed the catalogue
    # SQLite (a newcomer's first run) locks its whole file per write: one user at a time there.
    users = SMOKE_USERS if connection.vendor == "postgresql" else 1
    year = timezone.localdate().year
    build_scale(scale=0.02, year=year, password=SMOKE_PASSWORD)
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps(_targets(year)))
    prefix = tmp_path / "smoke"
    env = {**os.environ, "LOAD_TARGETS": str(targets), "LOAD_PASSWORD": SMOKE_PASSWORD}
    result = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
         "-r", str(users), "-t", f"{SMOKE_SECONDS}s", "--host", live_server.url, "--csv", str(prefix),
         "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
         "StaffUser", "LeaderUser", "OfficerUser", "CouncilUser"],
        capture_output=True, text=True, timeout=SMOKE_SECONDS + 120, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {row["Name"]: row for row in csv.DictReader((tmp_path / "smoke_stats.csv").open())}
    failures = list(csv.DictReader((tmp_path / "smoke_failures.csv").open()))
    assert failures == [], failures
    assert int(rows["Aggregated"]["Failure Count"]) == 0
    assert int(rows["Aggregated"]["Request Count"]) >= 3 * users  # the users really worked
    assert {"dashboard", "scorecard (300 lines)"} <= set(rows)
