"""Backup and restore of the portal's data: the database (pg_dump custom format, or a SQLite copy)
and the uploaded/generated files under MEDIA_ROOT, written together into one timestamped folder.

A backup folder holds `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3`,
`media.tar.gz` and `manifest.json` (when, from which database, SHA-256 of each file). Restoring
checks the checksums first, so a truncated copy is refused before anything is overwritten.
See docs/operations.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_TAR = "media.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def _is_postgresql(database: dict) -> bool:
    return "postgresql" in database["ENGINE"]


def _pg_env(database: dict) -> dict[str, str]:
    """libpq settings as environment variables, so no password shows up in `ps`."""
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[name] = str(database[key])
    return env


def _run(command: list[str], *, env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools are needed): {error}") from error
    if result.returncode != 0:
        raise BackupError(f"{' '.join(command[:2])} … failed ({result.returncode}):\n{result.stderr.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup_create(*, database: dict, media_root: Path, backup_dir: Path, now: datetime | None = None) -> Path:
    """Write a new backup folder under `backup_dir` and return it.

    The folder is first written under a hidden name and renamed at the end, so a backup that
    failed half-way never looks like a complete one.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True)
    final = backup_dir / stamp
    suffix = 1
    while final.exists():
        suffix += 1
        final = backup_dir / f"{stamp}-{suffix}"
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=backup_dir))
    try:
        if _is_postgresql(database):
            dump = work / PG_DUMP
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", f"--dbname={database['NAME']}"],
                 env=_pg_env(database))
        else:
            source = sqlite3.connect(str(database["NAME"]))
            target = sqlite3.connect(str(work / SQLITE_COPY))
            try:
                source.backup(target)  # consistent even while the portal writes
            finally:
                target.close()
                source.close()
        media_root = Path(media_root)
        with tarfile.open(work / MEDIA_TAR, "w:gz") as tar:
            if media_root.is_dir():
                for child in sorted(media_root.iterdir()):
                    tar.add(child, arcname=child.name)
        files = sorted(p.name for p in work.iterdir())
        manifest = {
            "created": (now or datetime.now()).isoformat(timespec="seconds"),
            "engine": "postgresql" if _is_postgresql(database) else "sqlite",
            "database": str(database["NAME"]),
            "media_root": str(media_root),
            "sha256": {name: _sha256(work / name) for name in files},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def backup_check(folder: Path) -> dict:
    """The manifest of a complete, intact backup folder; BackupError otherwise."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup folder (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text())
    for name, expected in manifest["sha256"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{path} is missing.")
        if _sha256(path) != expected:
            raise BackupError(f"{path} is damaged (its SHA-256 differs from the manifest).")
    return manifest


def backup_restore(*, folder: Path, database: dict, media_root: Path) -> Path | None:
    """Restore `folder` into `database` and `media_root`.

    PostgreSQL: `pg_restore --clean --if-exists` into the target database (created when missing),
    in one transaction, so a failed restore leaves the database as it was. Media: the backup is
    unpacked next to MEDIA_ROOT and swapped in; the previous media folder is kept aside and its
    path returned (None when there was none), for the operator to delete once satisfied.
    """
    folder = Path(folder)
    manifest = backup_check(folder)
    engine = "postgresql" if _is_postgresql(database) else "sqlite"
    if manifest["engine"] != engine:
        raise BackupError(f"This backup holds a {manifest['engine']} database; the target is {engine}.")
    if engine == "postgresql":
        env = _pg_env(database)
        exists = subprocess.run(
            ["psql", "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{_sql_literal(database['NAME'])}'"],
            env=env, capture_output=True, text=True, check=False,
        )
        if exists.returncode != 0:
            raise BackupError(f"Cannot reach the PostgreSQL server:\n{exists.stderr.strip()}")
        if exists.stdout.strip() != "1":
            _run(["createdb", database["NAME"]], env=env)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={database['NAME']}", str(folder / PG_DUMP)], env=env)
    else:
        source = sqlite3.connect(str(folder / SQLITE_COPY))
        target = sqlite3.connect(str(database["NAME"]))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    return _restore_media(folder / MEDIA_TAR, Path(media_root))


def _restore_media(archive: Path, media_root: Path) -> Path | None:
    media_root.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{media_root.name}-restore-", dir=media_root.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(fresh, filter="data")  # refuses absolute paths, "..", devices
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    kept = None
    if media_root.exists():
        kept = media_root.with_name(f"{media_root.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        media_root.rename(kept)
    fresh.rename(media_root)
    return kept


def _sql_literal(value: str) -> str:
    return str(value).replace("'", "''")
