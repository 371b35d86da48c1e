"""`manage.py restore FOLDER` (make restore FROM=FOLDER): put a backup back into the configured
database and MEDIA_ROOT. Everything in the database is replaced."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from portal.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder (written by `manage.py backup`) into the database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The backup folder, e.g. var/backups/20260115-230000.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, folder, interactive=True, **options):
        database = settings.DATABASES["default"]
        try:
            manifest = backup_check(Path(folder))
        except BackupError as error:
            raise CommandError(str(error)) from error
        if interactive:
            self.stdout.write(
                f"Restore the backup of {manifest['created']} ({manifest['database']}) into database "
                f"{database['NAME']} and {settings.MEDIA_ROOT}?\nEverything now in that database is replaced."
            )
            if input(f"Type the database name ({database['NAME']}) to go on: ").strip() != str(database["NAME"]):
                raise CommandError("Restore cancelled.")
        connections.close_all()  # our own session would otherwise hold locks pg_restore waits for
        try:
            kept = backup_restore(folder=Path(folder), database=database, media_root=Path(settings.MEDIA_ROOT))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {folder} into {database['NAME']} and {settings.MEDIA_ROOT}."))
        if kept:
            self.stdout.write(f"The previous media folder was kept at {kept}; delete it once satisfied.")
