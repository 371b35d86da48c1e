"""`manage.py backup` (make backup): the database and MEDIA_ROOT into a new timestamped folder."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


def default_backup_dir() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or Path(settings.BASE_DIR) / "var" / "backups")


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc, or a SQLite copy) and the media files into BACKUP_DIR/<timestamp>/."

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="backup_dir", help="Parent folder of the backups (default: $BACKUP_DIR or var/backups).")

    def handle(self, *args, backup_dir=None, **options):
        try:
            folder = backup_create(
                database=settings.DATABASES["default"],
                media_root=Path(settings.MEDIA_ROOT),
                backup_dir=Path(backup_dir) if backup_dir else default_backup_dir(),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
