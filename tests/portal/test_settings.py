"""Settings come from the environment; a production configuration passes `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "portal.settings"}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**BASE_ENV, **env}, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "q7v!m2x@k9#p4w$z8r%t1y^u6i&o3e*a5s(d0f)g-h_j+l=c;V4b.N7m,Q1w",
            "ALLOWED_HOSTS": "tdkt.moj.gov.vn",
            "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_missing_secret_key_fails_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_database_comes_from_database_url():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"
    env = {**BASE_ENV, "DATABASE_URL": "postgres://someone@db.example:5432/portal_x"}
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["django.db.backends.postgresql", "portal_x"]
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=BASE_ENV, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["django.db.backends.sqlite3", str(ROOT / "var" / "db.sqlite3")]


def test_postgresql_connections_run_without_jit_unless_asked():
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}).get('options'))"
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    pg = {**BASE_ENV, "DATABASE_URL": "postgres://someone@db.example:5432/portal_x"}
    assert subprocess.run(run, cwd=ROOT, env=pg, capture_output=True, text=True, check=True).stdout.strip() == "-c jit=off"
    kept = subprocess.run(run, cwd=ROOT, env={**pg, "DJANGO_PG_JIT": "1"}, capture_output=True, text=True, check=True)
    assert kept.stdout.strip() == "None"
    with_path = {**pg, "DATABASE_URL": pg["DATABASE_URL"] + "?options=-c%20search_path%3Dportal"}
    both = subprocess.run(run, cwd=ROOT, env=with_path, capture_output=True, text=True, check=True)
    assert both.stdout.strip() == "-c search_path=portal -c jit=off"


@pytest.mark.django_db
def test_the_test_database_connection_has_jit_off():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (CI runs it)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
