"""The load test's journeys stay in step with the URL conf: every path bench/locustfile.py asks for
resolves to a view (ids filled with 1), and the file imports with its user classes."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import resolve

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
