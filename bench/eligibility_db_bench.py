"""Benchmark of "who is eligible" through the database, end to end, on PostgreSQL at ministry scale.

Creates a throwaway database (`portal_bench_commendations` on the server of DATABASE_URL), migrates
it (the migration seeds the award catalogue and its rules), and fills it with the same people as
bench/eligibility_bench.py — 5,000 people with 10 years of history, about 120,000 records: ratings,
merit / campaign / ad-hoc awards, initiatives (some used by an award) and holds — spread over 50
units under the ministry. Then, as an emulation officer, it asks the portal the page's question:

    commendations.histories.eligibility_for_unit(user, unit=<the ministry>, award_code=..., year, on)

for Chiến sĩ thi đua cấp Bộ and for Bằng khen của Thủ tướng: the people in scope, their histories
(one query per table), the rule version in force, and the engine's verdict on every one of them.
It prints the median time of each award and of both, the split between loading and judging, and
the number of queries, which must be the same for one unit of 100 people and for all 5,000. The
target is < 3 s per award; the script exits 1 above it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/eligibility_db_bench.py

Options: --nominees, --years, --units, --runs, --seed, --database NAME, --keep (keep the database).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_SECONDS = 3.0
YEAR = 2025
ON = date(2025, 12, 15)
AWARDS = ("CSTDBO", "BKTTG")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_bench_commendations")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--nominees", type=int, default=5_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measure (the median is reported)")
    return parser.parse_args(argv)


# --- The throwaway database ------------------------------------------------------------------------


def _server_connection(url: str):
    import psycopg2

    connection = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def create_database(url: str, name: str) -> str:
    if name == urlsplit(url).path.lstrip("/"):
        sys.exit(f"Refusing: the throwaway database would be the one in DATABASE_URL ({name}). Pick another --database.")
    connection = _server_connection(url)
    with connection.cursor() as cursor:
        print(f"Creating the throwaway database {name!r} (dropped first if it exists)…")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def drop_database(url: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    connection = _server_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()
    print(f"Dropped {name!r} (use --keep to keep it).")


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_SECURE_COOKIES"] = "0"
    os.environ["DJANGO_MANIFEST_STATIC"] = "0"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- The data --------------------------------------------------------------------------------------


def populate(*, seed: int, nominees: int, years: int, units_wanted: int) -> dict:
    """Units, people and their histories (the engine bench's generator, written as rows)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from eligibility_bench import generate

    from commendations.models import Award, AwardRecord, Hold, Initiative, Rating
    from portal.enums import Gender, Role, UnitKind
    from portal.models import Person, RoleGrant, Unit
    from portal.text import fold, person_sort_key, split_full_name

    rng = random.Random(seed)
    started = time.perf_counter()
    histories = list(generate(rng, nominees, YEAR - years + 1, YEAR).values())
    awards = {award.code: award for award in Award.objects.all()}
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
    middle = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Hữu", "Ngọc"]
    given = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Minh", "Nga", "Phương", "Quân", "Thảo"]
    with transaction.atomic():
        root = Unit.objects.create(code="BTP", name="Bộ Tư pháp", kind=UnitKind.MINISTRY)
        units = [Unit.objects.create(code=f"DV{n:03d}", name=f"Đơn vị số {n + 1}", kind=UnitKind.DEPARTMENT, parent=root)
                 for n in range(units_wanted)]
        people = []
        for n in range(nominees):
            name = f"{rng.choice(family)} {rng.choice(middle)} {rng.choice(given)}"
            family_name, middle_name, given_name = split_full_name(name)
            people.append(Person(full_name=name, family_name=family_name, middle_name=middle_name,
                                 given_name=given_name, gender=rng.choice([Gender.MALE, Gender.FEMALE]),
                                 position="Chuyên viên", unit=units[n % len(units)], search_text=fold(name),
                                 sort_key=person_sort_key(name)))
        Person.objects.bulk_create(people, batch_size=2000)

        ratings, records, holds = [], [], []
        record_of: dict[tuple[int, int], list[AwardRecord]] = {}
        for person, history in zip(people, histories, strict=True):
            for r in history.ratings:
                ratings.append(Rating(person=person, year=r.year, grade=r.grade, score=r.score,
                                      months_worked=r.months_worked, maternity_months=r.maternity_months))
            for a in history.awards:
                record = AwardRecord(person=person, award=awards[a.award], year=a.year, kind=a.kind,
                                     decision_number=a.decision, decided_on=a.decided_on)
                records.append(record)
                record_of.setdefault((person.pk, a.year), []).append(record)
            for h in history.holds:
                holds.append(Hold(person=person, kind=h.kind, start=h.start, end=h.end))
        Rating.objects.bulk_create(ratings, batch_size=5000)
        AwardRecord.objects.bulk_create(records, batch_size=5000)
        Hold.objects.bulk_create(holds, batch_size=5000)

        initiatives, authors, taken = [], [], set()
        for person, history in zip(people, histories, strict=True):
            for i in history.initiatives:
                consumed = None
                if i.consumed_by:  # an award of that year, each award using one initiative at most
                    consumed = next((r for r in record_of.get((person.pk, i.year), []) if r.pk not in taken), None)
                    if consumed is not None:
                        taken.add(consumed.pk)
                initiatives.append(Initiative(title=f"{i.title} {i.id}", year=i.year, level=i.level,
                                              consumed_by=consumed))
                authors.append(person.pk)
        Initiative.objects.bulk_create(initiatives, batch_size=5000)
        through = Initiative.authors.through
        through.objects.bulk_create([through(initiative_id=i.pk, person_id=pk) for i, pk in zip(initiatives, authors,
                                                                                                 strict=True)],
                                    batch_size=5000)

        officer = get_user_model().objects.create(username="bench_officer")
        Person.objects.create(full_name="Hoàng Văn Thi", gender=Gender.MALE, position="Chuyên viên", unit=root,
                              user=officer, is_active=False)
        RoleGrant.objects.create(user=officer, role=Role.EMULATION_OFFICER)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = len(ratings) + len(records) + len(holds) + len(initiatives)
    print(f"Filled {len(units)} units, {len(people):,} people and {total:,} history records "
          f"({len(ratings):,} ratings, {len(records):,} awards, {len(initiatives):,} initiatives, {len(holds):,} holds) "
          f"in {time.perf_counter() - started:.1f} s.")
    return {"officer": officer, "root": root, "unit": units[0]}


# --- The measurements ------------------------------------------------------------------------------


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(call, runs: int) -> tuple[float, object, int]:
    """The median time of ``call()`` over ``runs`` runs (after one warm-up), its result and its query count."""
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        result = call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result, counter.count


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/portal", file=sys.stderr)
        return 2
    bench_url = create_database(url, args.database)
    setup_django(bench_url)
    from django.core.management import call_command

    from commendations import eligibility
    from commendations.histories import eligibility_for_unit, person_histories, rule_set
    from portal.access import forget_scope
    from portal.models import Person

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"Migrated (with the seeded catalogue) in {time.perf_counter() - started:.1f} s.")
        data = populate(seed=args.seed, nominees=args.nominees, years=args.years, units_wanted=args.units)
        officer, root, small_unit = data["officer"], data["root"], data["unit"]

        def ask(award: str, unit):
            forget_scope(officer)
            return eligibility_for_unit(user=officer, unit=unit, award_code=award, year=YEAR, on=ON)

        results = {}
        for award in AWARDS:
            seconds, report, queries = timed(lambda award=award: ask(award, root), args.runs)
            _small_seconds, small, small_queries = timed(lambda award=award: ask(award, small_unit), 1)
            results[award] = (seconds, report, queries, small, small_queries)

        in_scope = Person.objects.filter(unit__path__startswith=root.path, is_active=True)
        people = list(in_scope)
        load, histories, load_queries = timed(
            lambda: person_histories(people, up_to_year=YEAR, among=in_scope), args.runs)
        rules = rule_set(ON)
        judge, _verdicts, _q = timed(
            lambda: [eligibility.evaluate_many(eligibility.rules_in_force(rules, award, ON, "person"), histories, YEAR, ON)
                     for award in AWARDS], args.runs)
    finally:
        if not args.keep:
            drop_database(url, args.database)

    print(f"\n{'question (as an emulation officer)':44} {'nominees':>9} {'eligible':>9} {'median':>9} {'queries':>8}"
          f" {'queries for 1 unit':>19}")
    worst = 0.0
    for award, (seconds, report, queries, small, small_queries) in results.items():
        worst = max(worst, seconds)
        print(f"{'eligibility_for_unit ' + award + ' (whole ministry)':44} {len(report.nominees):9,} "
              f"{report.eligible_count:9,} {seconds:8.2f}s {queries:8d} "
              f"{small_queries:9d} ({len(small.nominees)} people)")
    both = sum(r[0] for r in results.values())
    print(f"\nboth awards, one after the other: {both:.2f} s")
    print(f"of which, once: loading {len(histories):,} histories {load:.2f} s ({load_queries} queries); "
          f"judging both awards {judge:.2f} s")
    constant = all(r[2] == r[4] for r in results.values())
    print(f"query count {'the same' if constant else 'NOT the same'} for 100 and {args.nominees:,} nominees; "
          f"target < {TARGET_SECONDS} s per award: {'met' if worst < TARGET_SECONDS else 'MISSED'}")
    return 0 if worst < TARGET_SECONDS and constant else 1


if __name__ == "__main__":
    sys.exit(main())
