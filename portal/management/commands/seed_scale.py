"""Fill an empty, migrated database with a sector-sized data set (see portal/scale.py)."""

from django.core.management.base import BaseCommand, CommandError

from portal.scale import build_scale


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with a sector-sized data set, reproducibly from --seed: 150 units in "
        "12 clusters, 25,000 people with 10 years of history, 40,000 tasks, 3 campaigns with 300-line schemes, "
        "5,000 nominations (at --scale 1). For load tests and query budgets, never for production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (default 1)")
        parser.add_argument("--small", action="store_true", help="a small data set of the same shape (--scale 0.02)")
        parser.add_argument("--year", type=int, default=None, help="the current year (default: today's)")
        parser.add_argument("--password", default="scale-2026", help="password of every scale_* login")

    def handle(self, *args, seed, scale, small, year, password, **options):
        if small:
            scale = 0.02
        try:
            result = build_scale(seed=seed, scale=scale, year=year, password=password, stdout=self.stdout)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{name} {value:,}" for name, value in result["counts"].items())
        self.stdout.write(self.style.SUCCESS(f"Seeded year {result['year']} in {result['timings']['total']} s: {counts}"))
