"""Fail when the Vietnamese catalogue has untranslated or fuzzy entries, or a stale .mo file.

`--extract` first re-extracts the messages from the code (needs GNU gettext), so a string added
to the code without a translation fails too. CI runs it that way.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DOMAINS = ("django",)


class Command(BaseCommand):
    help = "Check that locale/vi is complete (no untranslated or fuzzy entries) and compiled."

    def add_arguments(self, parser):
        parser.add_argument("--extract", action="store_true", help="Run makemessages for vi first.")

    def handle(self, *args, extract: bool = False, **options):
        if extract:
            call_command("makemessages", locale=["vi"], add_location="file", no_obsolete=True, verbosity=0)
        problems = []
        for domain in DOMAINS:
            problems += catalogue_problems(Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES", domain)
        if problems:
            raise CommandError("locale/vi is not complete:\n" + "\n".join(f"  - {p}" for p in problems))
        self.stdout.write(self.style.SUCCESS("locale/vi: every message is translated and compiled."))


def catalogue_problems(folder: Path, domain: str) -> list[str]:
    po_path, mo_path = folder / f"{domain}.po", folder / f"{domain}.mo"
    if not po_path.exists():
        return [f"{po_path} is missing"]
    po = polib.pofile(str(po_path))
    problems = [f"untranslated: {entry.msgid!r}" for entry in po.untranslated_entries()]
    problems += [f"fuzzy: {entry.msgid!r}" for entry in po.fuzzy_entries()]
    if not mo_path.exists():
        return [*problems, f"{mo_path} is missing: run `manage.py compilemessages`"]
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(mo_path))}
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in po.translated_entries()
    }
    if {k: v for k, v in compiled.items() if k[1]} != source:
        problems.append(f"{mo_path.name} is older than {po_path.name}: run `manage.py compilemessages`")
    return problems
