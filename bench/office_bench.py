"""Benchmark of the work-plan pages on PostgreSQL at ministry scale.

Creates a throwaway database (`portal_bench` on the server of DATABASE_URL), migrates it, fills it
with 120 units under a root, 120 issued plans and 30,000 tasks (a realistic mix of deadlines,
completions, cooperating units and assignees; reproducible with --seed), then renders through
django.test.Client, logged in as the Office's plan coordinator:

  * the ministry-wide dashboard (office:ministry_dashboard),
  * a filtered task list (office:task_list?status=overdue&year=Y&q=...),
  * and, for information, the same list without the search, and a leader's unit dashboard,

once to warm up, then N times each, and prints the median and 95th percentile in ms and the
query count of each page. The target is < 300 ms for the dashboard and the filtered list.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/office_bench.py

See bench/README.md for the options (--keep, --explain, --use-given-database --yes, ...).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300
UNITS = 120
TASKS = 30_000

# Words the generated task contents are made of (Vietnamese, with diacritics).
VERBS = ["Xây dựng", "Rà soát", "Tổng kết", "Hướng dẫn", "Kiểm tra", "Sửa đổi, bổ sung", "Theo dõi", "Tổ chức",
         "Triển khai", "Báo cáo", "Đánh giá", "Hoàn thiện"]
OBJECTS = ["Luật Hộ tịch", "Nghị định về xử lý vi phạm hành chính", "công tác thi hành án dân sự",
           "công tác bồi thường nhà nước", "Đề án chuyển đổi số", "công tác phổ biến, giáo dục pháp luật",
           "công tác trợ giúp pháp lý", "Thông tư hướng dẫn về công chứng", "công tác quản lý xử lý vi phạm",
           "hệ thống cơ sở dữ liệu quốc gia về pháp luật", "công tác thi đua, khen thưởng", "kế hoạch cải cách hành chính",
           "công tác kiểm soát thủ tục hành chính", "Chiến lược xây dựng và hoàn thiện hệ thống pháp luật",
           "công tác đăng ký biện pháp bảo đảm", "quy chế phối hợp với Tòa án nhân dân tối cao"]
SUFFIXES = ["năm", "giai đoạn 2026–2030", "6 tháng đầu năm", "tại các địa phương", "trong toàn ngành", "quý"]
OUTPUTS = ["Báo cáo", "Quyết định của Bộ trưởng", "Tờ trình Chính phủ", "Thông tư", "Kế hoạch", "Công văn hướng dẫn",
           "Đề án", "Hội nghị"]
PROVINCES = ["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng",
             "Đắk Lắk", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Tĩnh", "Hưng Yên", "Khánh Hòa",
             "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Nghệ An", "Ninh Bình", "Phú Thọ", "Quảng Ngãi",
             "Quảng Ninh", "Quảng Trị", "Sơn La", "Tây Ninh", "Thái Nguyên", "Thanh Hóa", "Tuyên Quang",
             "Vĩnh Long", "Hồ Chí Minh"]
CENTRAL = [
    ("VP", "Văn phòng Bộ", "office"), ("TTR", "Thanh tra Bộ", "inspectorate"),
    ("VPC", "Vụ Pháp chế", "department"), ("VCL", "Vụ Các vấn đề chung về xây dựng pháp luật", "department"),
    ("VHS", "Vụ Pháp luật hình sự – hành chính", "department"), ("VDS", "Vụ Pháp luật dân sự – kinh tế", "department"),
    ("VQT", "Vụ Pháp luật quốc tế", "department"), ("VHTQT", "Vụ Hợp tác quốc tế", "department"),
    ("VTCCB", "Vụ Tổ chức cán bộ", "department"), ("VKHTC", "Vụ Kế hoạch – Tài chính", "department"),
    ("VTDKT", "Vụ Thi đua – Khen thưởng", "department"), ("CKTVB", "Cục Kiểm tra văn bản", "agency"),
    ("CHTQT", "Cục Hộ tịch, quốc tịch, chứng thực", "agency"), ("CCN", "Cục Con nuôi", "agency"),
    ("CTGPL", "Cục Trợ giúp pháp lý", "agency"), ("CBTNN", "Cục Bồi thường nhà nước", "agency"),
    ("CDKQG", "Cục Đăng ký quốc gia giao dịch bảo đảm", "agency"), ("CCNTT", "Cục Công nghệ thông tin", "agency"),
    ("CQLTTHC", "Cục Quản lý xử lý vi phạm hành chính", "agency"), ("CBTTP", "Cục Bổ trợ tư pháp", "agency"),
    ("CPBGD", "Cục Phổ biến, giáo dục pháp luật", "agency"), ("THADS", "Cục Quản lý thi hành án dân sự", "agency"),
]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_bench", help="name of the throwaway database (default portal_bench)")
    parser.add_argument("--use-given-database", action="store_true",
                        help="fill the database named in DATABASE_URL itself instead of a throwaway one (needs --yes)")
    parser.add_argument("--yes", action="store_true", help="confirm --use-given-database")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards (to EXPLAIN, browse)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure an existing bench database kept with --keep, without refilling it")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--runs", type=int, default=10, help="timed renders per page (default 10)")
    parser.add_argument("--tasks", type=int, default=TASKS)
    parser.add_argument("--units", type=int, default=UNITS)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each page's slowest queries")
    return parser.parse_args(argv)


# --- The throwaway database ----------------------------------------------------------------------


def _server_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_database(url: str, name: str) -> str:
    given = urlsplit(url).path.lstrip("/")
    if name == given:
        sys.exit(f"Refusing: the throwaway database would be the one in DATABASE_URL ({given}). Pick another --database.")
    connection = _server_connection(url)
    with connection.cursor() as cursor:
        print(f"Creating the throwaway database {name!r} (dropped first if it exists)…")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return _with_database(url, name)


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
    # The production settings, minus what a test client on plain HTTP cannot use.
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_SECURE_COOKIES"] = "0"
    os.environ["DJANGO_MANIFEST_STATIC"] = "0"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
    import django

    django.setup()


# --- The data --------------------------------------------------------------------------------------


def populate(*, seed: int, year: int, today: date, units_wanted: int, tasks_wanted: int) -> dict:
    """Units, people, plans, tasks, cooperating units and assignees; returns the users to log in as."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from office.enums import DeadlineKind, PlanState, Priority, TaskSource
    from office.models import Task, WorkPlan
    from office.status import effective_due_date
    from portal.enums import Gender, Role, UnitKind
    from portal.models import Person, RoleGrant, Unit
    from portal.text import fold

    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        root = Unit.objects.create(code="BTP", name="Bộ Tư pháp", kind=UnitKind.MINISTRY)
        units: list[Unit] = []
        agencies: list[Unit] = []
        for code, name, kind in CENTRAL:
            unit = Unit.objects.create(code=code, name=name, kind=kind, parent=root)
            units.append(unit)
            if kind == "agency":
                agencies.append(unit)
        for province in PROVINCES:
            slug = fold(province).upper().replace(" ", "")[:12]
            units.append(Unit.objects.create(code=f"STP-{slug}", name=f"Sở Tư pháp {province}",
                                             kind=UnitKind.PROVINCIAL_JUSTICE, parent=root))
            units.append(Unit.objects.create(code=f"THA-{slug}", name=f"Cục Thi hành án dân sự {province}",
                                             kind=UnitKind.ENFORCEMENT_OFFICE, parent=root))
        # Divisions inside the agencies (a second level, as in the real tree) until there are enough.
        n = 0
        while len(units) < units_wanted:
            parent = agencies[n % len(agencies)]
            units.append(Unit.objects.create(code=f"{parent.code}-P{n // len(agencies) + 1}",
                                             name=f"Phòng nghiệp vụ {n // len(agencies) + 1} – {parent.name}",
                                             kind=UnitKind.DIVISION, parent=parent))
            n += 1
        units = units[:units_wanted]

        people_by_unit: dict[int, list[Person]] = {}
        given = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Minh", "Nga", "Phương", "Quân", "Thảo", "Tuấn"]
        for unit in units:
            people_by_unit[unit.pk] = [
                Person.objects.create(full_name=f"{rng.choice(['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng'])} "
                                                f"{rng.choice(['Văn', 'Thị', 'Đức', 'Minh'])} {rng.choice(given)}",
                                      gender=rng.choice([Gender.MALE, Gender.FEMALE]), position="Chuyên viên", unit=unit)
                for _ in range(2)
            ]

        issued_on = date(year, 1, 20)
        plans = WorkPlan.objects.bulk_create(
            WorkPlan(unit=unit, year=year, title=f"Kế hoạch công tác năm {year} của {unit.name}", state=PlanState.ISSUED,
                     issue_number=f"{i + 1}/KH-{unit.code}", issued_on=issued_on, signer="Nguyễn Văn Ký")
            for i, unit in enumerate(units)
        )
        # Last year's plans too, so the year filter has something to leave out.
        last_year_plans = WorkPlan.objects.bulk_create(
            WorkPlan(unit=unit, year=year - 1, title=f"Kế hoạch công tác năm {year - 1} của {unit.name}",
                     state=PlanState.ISSUED, issue_number=f"{i + 1}/KH-{unit.code}", issued_on=date(year - 1, 1, 20),
                     signer="Nguyễn Văn Ký")
            for i, unit in enumerate(units[:20])
        )

        tasks: list[Task] = []
        per_plan = math.ceil(tasks_wanted / len(plans))
        for plan in plans:
            for i in range(per_plan):
                if len(tasks) >= tasks_wanted:
                    break
                tasks.append(_task(rng, plan, i, year=year, today=today, effective_due_date=effective_due_date,
                                   kinds=DeadlineKind, sources=TaskSource, priorities=Priority, fold=fold))
        for plan in last_year_plans:
            for i in range(50):
                tasks.append(_task(rng, plan, i, year=year - 1, today=today, effective_due_date=effective_due_date,
                                   kinds=DeadlineKind, sources=TaskSource, priorities=Priority, fold=fold))
        Task.objects.bulk_create(tasks, batch_size=2000)

        cooperating = Task.cooperating_units.through
        assignees = Task.assignees.through
        coop_rows, assignee_rows = [], []
        for task in tasks:
            if rng.random() < 0.3:
                for unit in rng.sample(units, rng.randint(1, 3)):
                    if unit.pk != task.lead_unit_id:
                        coop_rows.append(cooperating(task_id=task.pk, unit_id=unit.pk))
            for person in rng.sample(people_by_unit[task.lead_unit_id], rng.randint(1, 2)):
                assignee_rows.append(assignees(task_id=task.pk, person_id=person.pk))
        cooperating.objects.bulk_create(coop_rows, batch_size=5000)
        assignees.objects.bulk_create(assignee_rows, batch_size=5000)

        User = get_user_model()

        def user(username: str, role: str, unit: Unit | None, person_unit: Unit, name: str):
            account = User(username=username, email=f"{username}@example.vn")
            account.set_unusable_password()
            account.save()
            Person.objects.create(full_name=name, gender=Gender.FEMALE, position="Chuyên viên", unit=person_unit,
                                  user=account)
            RoleGrant.objects.create(user=account, role=role, unit=unit)
            return account

        office_unit = units[0]
        busiest_agency = agencies[0]
        users = {
            "coordinator": user("bench_coordinator", Role.PLAN_COORDINATOR, None, office_unit, "Trịnh Thị Phòng"),
            "leader": user("bench_leader", Role.UNIT_LEADER, busiest_agency, busiest_agency, "Đặng Văn Lãnh"),
        }
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum would have done by the time anyone looks
    print(f"Filled {len(units)} units, {len(plans) + len(last_year_plans)} plans, {len(tasks):,} tasks, "
          f"{len(coop_rows):,} cooperating links, {len(assignee_rows):,} assignments "
          f"in {time.perf_counter() - started:.1f} s.")
    return users


def _task(rng, plan, i, *, year, today, effective_due_date, kinds, sources, priorities, fold):
    from office.models import Task

    roll = rng.random()
    if roll < 0.10:
        kind, due = kinds.NONE, None
    else:
        kind = kinds.DATE if roll < 0.6 else kinds.MONTH if roll < 0.85 else kinds.QUARTER
        due = effective_due_date(kind, date(year, 1, 1) + timedelta(days=rng.randrange(365)))
    completed = None
    if due is None:
        if rng.random() < 0.4:
            completed = today - timedelta(days=rng.randrange(1, 200))
    elif due < today:
        outcome = rng.random()
        if outcome < 0.65:
            completed = due - timedelta(days=rng.randrange(0, 30))
        elif outcome < 0.80:
            completed = min(today, due + timedelta(days=rng.randint(1, 60)))
    elif rng.random() < 0.2:
        completed = today - timedelta(days=rng.randrange(0, 30))
    content = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(SUFFIXES)}"
    output = rng.choice(OUTPUTS)
    code = f"{i + 1:03d}"
    adjusted = due is not None and rng.random() < 0.05
    return Task(
        plan=plan, code=code, content=content, lead_unit_id=plan.unit_id, source=rng.choice(sources.values),
        deadline_kind=kind, due_date=due, original_deadline_kind=kind,
        original_due_date=due - timedelta(days=30) if adjusted else due, output=output,
        priority=rng.choice(priorities.values), completed_on=completed,
        progress_percent=100 if completed else rng.randrange(0, 95, 5), search_text=fold(f"{code} {content} {output}"),
    )


# --- The measurements ------------------------------------------------------------------------------


class QueryRecorder:
    """Counts and times every query through the connection's execute wrapper (no DEBUG needed)."""

    def __init__(self):
        self.queries: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql, params))


def measure(client, label: str, url: str, *, runs: int, explain: bool) -> dict:
    from django.db import connection

    recorder = QueryRecorder()
    with connection.execute_wrapper(recorder):  # the warm-up run also counts the queries
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{label}: HTTP {response.status_code} for {url}")
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(math.ceil(0.95 * len(timings)) - 1, 0)]
    slowest = sorted(recorder.queries, key=lambda q: q[0], reverse=True)[:3]
    result = {
        "label": label, "url": url, "median": statistics.median(timings), "p95": p95,
        "queries": len(recorder.queries), "sql_ms": sum(q[0] for q in recorder.queries),
        "slowest_ms": [round(q[0], 1) for q in slowest], "bytes": len(response.content),
    }
    if explain:
        with connection.cursor() as cursor:
            for ms, sql, params in slowest:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n      ".join(row[0] for row in cursor.fetchall())
                print(f"\n  {label}: {ms:.1f} ms\n    {cursor.mogrify(sql, params).decode()[:400]}…\n      {plan}")
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/portal", file=sys.stderr)
        return 2
    if args.use_given_database:
        if not args.yes:
            print(f"WARNING: --use-given-database writes 30,000 tasks and 120 units into {urlsplit(url).path.lstrip('/')!r}"
                  " and never removes them. Add --yes if that database is disposable.", file=sys.stderr)
            return 2
        bench_url, throwaway = url, None
    elif args.reuse:
        bench_url, throwaway = _with_database(url, args.database), None
    else:
        bench_url, throwaway = create_database(url, args.database), args.database

    setup_django(bench_url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    year = today.year
    try:
        if args.reuse:
            users = {key: get_user_model().objects.get(username=f"bench_{key}") for key in ("coordinator", "leader")}
        else:
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"Migrated in {time.perf_counter() - started:.1f} s.")
            users = populate(seed=args.seed, year=year, today=today, units_wanted=args.units, tasks_wanted=args.tasks)

        coordinator, leader = Client(), Client()
        coordinator.force_login(users["coordinator"])
        leader.force_login(users["leader"])
        task_list = reverse("office:task_list")
        pages = [
            (coordinator, "ministry dashboard", f"{reverse('office:ministry_dashboard')}?{urlencode({'year': year})}"),
            (coordinator, "task list: overdue + year + search",
             f"{task_list}?{urlencode({'status': 'overdue', 'year': year, 'q': 'bao cao'})}"),
            (coordinator, "task list: overdue + year", f"{task_list}?{urlencode({'status': 'overdue', 'year': year})}"),
            (leader, "unit dashboard (agency leader)", f"{reverse('office:home')}?{urlencode({'year': year})}"),
        ]
        results = [measure(client, label, page, runs=args.runs, explain=args.explain) for client, label, page in pages]
    finally:
        if throwaway and not args.keep:
            drop_database(url, throwaway)

    print(f"\n{'page':38} {'median':>9} {'p95':>9} {'queries':>8} {'SQL':>9} {'HTML':>7}  slowest queries")
    for r in results:
        print(f"{r['label']:38} {r['median']:7.1f}ms {r['p95']:7.1f}ms {r['queries']:8d} {r['sql_ms']:7.1f}ms "
              f"{r['bytes'] / 1024:5.0f}kB  {', '.join(f'{ms} ms' for ms in r['slowest_ms'])}")
    print(f"\n({args.runs} timed renders each after one warm-up; SQL = time in the database during the warm-up render;"
          f" target < {TARGET_MS} ms for the first two)")
    slow = [r for r in results[:2] if r["p95"] >= TARGET_MS]
    for r in slow:
        print(f"SLOWER THAN {TARGET_MS} ms: {r['label']} – run with --keep --explain to see the query plans.")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
