"""`manage.py backup` / `manage.py restore` (make backup / make restore) round trips: write rows and a
media file, back up, damage both, restore, and find exactly what was backed up.

The PostgreSQL round trip works on a throwaway database next to the test database
(`<DATABASE_URL's name>_backup`), never on the one the other tests use. Without PostgreSQL it
skips on a laptop and fails in CI (PORTAL_REQUIRE_SERVICES=1). The SQLite round trip always runs.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parent.parent

WRITE_ROWS = """
from portal.enums import UnitKind
from portal.models import Person, Unit
ministry = Unit.objects.create(code="BTP", name="Bộ Tư pháp", kind=UnitKind.MINISTRY)
office = Unit.objects.create(code="BTP-VP", name="Văn phòng Bộ \u202e (RTL) e\u0301", kind=UnitKind.OFFICE, parent=ministry)
Person.objects.create(full_name="Nguyễn Thị Ánh", gender="female", unit=office)
"""

DAMAGE_ROWS = """
from portal.enums import UnitKind
from portal.models import Person, Unit
Person.objects.all().delete()
Unit.objects.filter(code="BTP-VP").update(name="changed after the backup")
Unit.objects.create(code="NEW", name="created after the backup", kind=UnitKind.AGENCY)
"""


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def snapshot(env: dict) -> str:
    return manage(env, "dumpdata", "portal.unit", "portal.person", "--indent=1")


def round_trip(tmp_path: Path, database_url: str) -> None:
    media = tmp_path / "media"
    backups = tmp_path / "backups"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(backups),
        "CELERY_BROKER_URL": "",
    }
    env.pop("PORTAL_TEST_DATABASE_NAME", None)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "shell", "-c", WRITE_ROWS)
    (media / "dossiers" / "2026").mkdir(parents=True)
    paper = media / "dossiers" / "2026" / "tờ trình.pdf"
    paper.write_bytes(b"%PDF-1.4 the original paper\n")
    before = snapshot(env)
    assert "Nguyễn Thị Ánh" in before

    output = manage(env, "backup")
    folders = [p for p in backups.iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1 and folders[0].name in output
    folder = folders[0]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", "media.tar.gz", "database.dump" if database_url.startswith("postgres") else "database.sqlite3"]
    )

    manage(env, "shell", "-c", DAMAGE_ROWS)
    paper.write_bytes(b"overwritten")
    (media / "stray.txt").write_text("added after the backup")
    assert snapshot(env) != before

    # Typing a wrong database name cancels; nothing changes.
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder)], cwd=ROOT, env=env, input="nope\n",
        capture_output=True, text=True, timeout=60,
    )
    assert refused.returncode != 0 and "cancelled" in refused.stderr
    assert paper.read_bytes() == b"overwritten"

    manage(env, "restore", str(folder), "--noinput")
    assert snapshot(env) == before
    assert paper.read_bytes() == b"%PDF-1.4 the original paper\n"
    assert not (media / "stray.txt").exists()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("media.before-restore-")]
    assert len(kept) == 1 and (kept[0] / "stray.txt").read_text() == "added after the backup"
    # The sequences came back too: a new row after the restore does not collide.
    manage(env, "shell", "-c", "from portal.models import Unit; Unit.objects.create(code='AFTER', name='x', kind='agency')")


def test_backup_restore_round_trip_sqlite(tmp_path):
    round_trip(tmp_path, f"sqlite:///{tmp_path / 'portal.sqlite3'}")


def test_backup_refuses_a_damaged_backup(tmp_path):
    from portal.backup import BackupError, backup_check, backup_create

    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}
    (tmp_path / "media").mkdir()
    folder = backup_create(database=database, media_root=tmp_path / "media", backup_dir=tmp_path / "backups")
    backup_check(folder)
    with open(folder / "media.tar.gz", "ab") as handle:
        handle.write(b"garbage")
    with pytest.raises(BackupError, match="damaged"):
        backup_check(folder)
    with pytest.raises(BackupError, match="not a backup folder"):
        backup_check(tmp_path)


def postgresql_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        need_service("DATABASE_URL does not point at PostgreSQL: the pg_dump/pg_restore round trip needs it")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore") or not shutil.which("psql"):
        need_service("the PostgreSQL client tools (pg_dump, pg_restore, psql) are not installed")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_backup"))


def psql(url: str, sql: str) -> subprocess.CompletedProcess:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-tAc", sql], capture_output=True, text=True, timeout=60)


def test_backup_restore_round_trip_postgresql(tmp_path):
    url = postgresql_url()
    name = urlsplit(url).path.lstrip("/")
    if psql(url, "SELECT 1").returncode != 0:
        need_service(f"PostgreSQL at {url} is not answering")
    psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    created = psql(url, f'CREATE DATABASE "{name}"')
    assert created.returncode == 0, created.stderr
    try:
        round_trip(tmp_path, url)
        # Restoring into a database that no longer exists creates it.
        psql(url, f'DROP DATABASE "{name}" WITH (FORCE)')
        folder = next(p for p in (tmp_path / "backups").iterdir() if not p.name.startswith("."))
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": url,
               "DJANGO_MEDIA_ROOT": str(tmp_path / "media"), "CELERY_BROKER_URL": ""}
        manage(env, "restore", str(folder), "--noinput")
        assert "Nguyễn Thị Ánh" in snapshot(env)
    finally:
        psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
