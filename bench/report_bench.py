"""Benchmark of the year-end report (Báo cáo tổng kết công tác thi đua, khen thưởng năm N) at ministry
scale, rendered the way the Celery worker renders it.

Creates a throwaway database (`portal_bench_reports` on the PostgreSQL server of DATABASE_URL),
migrates it (the award catalogue is seeded by a migration) and fills it with bulk_create,
reproducibly (--seed):

  * the organisation and work plans of bench/office_bench.py: 120 units under the ministry (central
    departments and agencies, provincial Justice Departments and enforcement offices, divisions), one
    issued plan each, 6,000 tasks;
  * 3,000 awardees of the year spread over the units (with their gender): Lao động tiên tiến for most,
    Chiến sĩ thi đua cơ sở for some, Bằng khen of the Minister, campaign Giấy khen; collective titles
    for two units in three; about 3,500 awards in all, every one listed in the report's annex;
  * the year's campaign: every top-level unit scored on a 12-line table, seated in 11 clusters and
    blocks, results published; 120 dossiers with 600 nominees in various states.

Then it requests the report as an emulation officer and runs the job (portal.documents.services.
report_job_run, the worker's own code) in a fresh child process, as a worker would, and prints the
total seconds, the child's peak RSS (resource.getrusage) and the split the job records: data
(queries, also for the Excel twin), template and WeasyPrint. Targets: < 20 s in all, < 600 MB, and
the time outside WeasyPrint under 15 % of the total; the script exits 1 when one is missed. It also
prints the CPU seconds of the job: on a machine busy with other work the wall time grows, the CPU
time hardly.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/report_bench.py

Options: --awardees, --tasks, --runs (jobs rendered, one child each; the median is reported),
--seed, --database NAME, --keep (keep the database), --keep-pdf PATH (copy the last PDF there).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from office_bench import create_database, drop_database, setup_django  # noqa: E402
from office_bench import populate as populate_work_plans  # noqa: E402

YEAR = 2025
TODAY = date(2025, 12, 15)
TARGET_SECONDS = 20.0
TARGET_MB = 600.0
TARGET_OUTSIDE_SHARE = 0.15
KIND = "commendations.year_end_summary"
D = Decimal


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_bench_reports")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
    parser.add_argument("--keep-pdf", default="", help="copy the rendered PDF to this path")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--awardees", type=int, default=3_000)
    parser.add_argument("--tasks", type=int, default=6_000)
    parser.add_argument("--runs", type=int, default=3, help="jobs rendered, each in a fresh child process")
    parser.add_argument("--render-job", type=int, default=0, help=argparse.SUPPRESS)  # the child's mode
    return parser.parse_args(argv)


# --- The data --------------------------------------------------------------------------------------

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = {"male": ["Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Công"], "female": ["Thị", "Thu", "Ngọc", "Thanh", "Thùy", "Minh"]}
GIVEN = {"male": ["An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Khánh", "Long", "Nam", "Quân", "Sơn", "Tuấn", "Việt"],
         "female": ["Anh", "Chi", "Giang", "Hà", "Hằng", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương", "Thảo", "Trang"]}


def populate(*, seed: int, awardees: int, tasks: int) -> dict:
    """The organisation and plans (office_bench), then the year's awards, campaign and dossiers."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from commendations.enums import AwardKind, DossierState, NomineeState
    from commendations.models import Award, AwardRecord, Dossier, Nominee
    from emulation.enums import CampaignState, NodeKind, ScorecardState
    from emulation.models import Campaign, Scheme, SchemeGrade, SchemeNode, Scorecard, ScoreLine
    from portal.enums import ClusterKind, Gender, Role, UnitKind
    from portal.models import ClusterMembership, EmulationCluster, Person, RoleGrant, Unit
    from portal.text import fold, person_sort_key, split_full_name

    populate_work_plans(seed=seed, year=YEAR, today=TODAY, units_wanted=120, tasks_wanted=tasks)
    rng = random.Random(seed + 1)
    started = time.perf_counter()
    awards = {award.code: award for award in Award.objects.all()}
    units = list(Unit.objects.filter(depth__gte=1).order_by("path"))
    tops = [unit for unit in units if unit.depth == 1]
    with transaction.atomic():
        people = []
        for n in range(awardees):
            gender = Gender.FEMALE if rng.random() < 0.52 else Gender.MALE
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
            family_name, middle_name, given_name = split_full_name(name)
            people.append(Person(full_name=name, family_name=family_name, middle_name=middle_name, given_name=given_name,
                                 gender=gender, position="Chuyên viên", unit=units[n % len(units)],
                                 email=f"bench{n}@example.vn", search_text=fold(name), sort_key=person_sort_key(name)))
        Person.objects.bulk_create(people, batch_size=2000)

        def record(code, *, person=None, unit=None, kind=AwardKind.MERIT, issuer="BTP", number=3000):
            return AwardRecord(person=person, unit=unit, award=awards[code], year=YEAR, kind=kind,
                               decision_number=f"{number}/QĐ-{issuer}", decided_on=date(YEAR, 12, 20 if number < 3000 else 28),
                               signer="Thủ trưởng đơn vị")

        records = []
        for person in people:
            roll = rng.random()
            issuer = person.unit.code
            if roll < 0.82:
                records.append(record("LDTT", person=person, issuer=issuer, number=100 + person.unit_id))
                if rng.random() < 0.18:
                    records.append(record("CSTDCS", person=person, issuer=issuer, number=200 + person.unit_id))
                if rng.random() < 0.03:
                    records.append(record("BKBT", person=person, number=3001))
            elif roll < 0.95:
                records.append(record("GK", person=person, kind=AwardKind.CAMPAIGN, issuer=issuer, number=300 + person.unit_id))
            else:
                records.append(record("BKBT", person=person, kind=AwardKind.AD_HOC, number=3002))
        for unit in units:
            if rng.random() < 0.66:
                code = "TTLDXS" if rng.random() < 0.3 else "TTLDTT"
                records.append(record(code, unit=unit, number=3003))
        AwardRecord.objects.bulk_create(records, batch_size=5000)

        # The year's campaign: a 12-line table, every top-level unit scored and ranked in its cluster.
        scheme = Scheme.objects.create(name=f"Bảng tiêu chí chấm điểm thi đua năm {YEAR}", year=YEAR, frozen_at=timezone.now())
        sections = SchemeNode.objects.bulk_create([
            SchemeNode(scheme=scheme, position=i, key=f"S{i}", code=chr(65 + i), title=f"Phần {chr(65 + i)}",
                       kind=NodeKind.GROUP, max_points=D(40)) for i in range(3)
        ])
        lines = SchemeNode.objects.bulk_create([
            SchemeNode(scheme=scheme, parent=sections[i // 4], position=i % 4, key=f"L{i}", code=str(i % 4 + 1),
                       title=f"Tiêu chí {i + 1}", kind=NodeKind.MANUAL, max_points=D(10), step=D("0.5"))
            for i in range(12)
        ])
        SchemeGrade.objects.bulk_create([
            SchemeGrade(scheme=scheme, position=0, key="xs", label="Xuất sắc", min_total=D(110)),
            SchemeGrade(scheme=scheme, position=1, key="tot", label="Tốt", min_total=D(95)),
            SchemeGrade(scheme=scheme, position=2, key="kha", label="Khá", min_total=D(80)),
        ])
        campaign = Campaign.objects.create(
            name=f"Thi đua thực hiện nhiệm vụ công tác tư pháp năm {YEAR}", year=YEAR, starts_on=date(YEAR, 1, 1),
            ends_on=date(YEAR, 12, 31), scheme=scheme, state=CampaignState.PUBLISHED, published_at=timezone.now(),
        )
        groups = {
            "STP": [u for u in tops if u.kind == UnitKind.PROVINCIAL_JUSTICE],
            "THA": [u for u in tops if u.kind == UnitKind.ENFORCEMENT_OFFICE],
            "TW": [u for u in tops if u.kind not in (UnitKind.PROVINCIAL_JUSTICE, UnitKind.ENFORCEMENT_OFFICE)],
        }
        clusters, seats = [], []
        for prefix, members, size in (("STP", groups["STP"], 6), ("THA", groups["THA"], 12), ("TW", groups["TW"], 9)):
            for index in range(0, len(members), size):
                cluster = EmulationCluster.objects.create(
                    code=f"{prefix}{index // size + 1}", kind=ClusterKind.BLOCK if prefix == "TW" else ClusterKind.CLUSTER,
                    name=(f"Khối thi đua các cơ quan thuộc Bộ số {index // size + 1}" if prefix == "TW" else
                          f"Cụm thi đua {'các Sở Tư pháp' if prefix == 'STP' else 'các Cục Thi hành án dân sự'} số {index // size + 1}"),
                )
                clusters.append(cluster)
                seats += [ClusterMembership(cluster=cluster, unit=unit, year=YEAR, is_head=n == 0)
                          for n, unit in enumerate(members[index:index + size])]
        ClusterMembership.objects.bulk_create(seats)
        cards = Scorecard.objects.bulk_create([
            Scorecard(campaign=campaign, unit=unit, state=ScorecardState.FINAL) for unit in tops
        ])
        ScoreLine.objects.bulk_create([
            ScoreLine(scorecard=card, node=node, self_points=D(rng.randint(12, 20)) / 2) for card in cards for node in lines
        ], batch_size=5000)

        dossiers = Dossier.objects.bulk_create([
            Dossier(unit=unit, year=YEAR, title=f"Hồ sơ đề nghị khen thưởng năm {YEAR} của {unit.name}",
                    state=rng.choice([DossierState.APPROVED, DossierState.APPRAISAL, DossierState.COUNCIL,
                                      DossierState.DECIDED]),
                    search_text=fold(f"Hồ sơ đề nghị khen thưởng năm {YEAR} của {unit.name}"))
            for unit in units
        ])
        by_unit = {}
        for person in people:
            by_unit.setdefault(person.unit_id, []).append(person)
        Nominee.objects.bulk_create([
            Nominee(dossier=dossier, person=person, award=awards["CSTDCS"], position=n,
                    state=rng.choice(list(NomineeState.values)), search_text=person.search_text)
            for dossier in dossiers for n, person in enumerate(by_unit.get(dossier.unit_id, [])[:5])
        ], batch_size=5000)

        officer = get_user_model().objects.create(username="bench_officer", email="bench_officer@example.vn")
        Person.objects.create(full_name="Hoàng Văn Thi", gender=Gender.MALE, position="Chuyên viên", unit=tops[0],
                              user=officer)
        RoleGrant.objects.create(user=officer, role=Role.EMULATION_OFFICER)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Filled {len(people):,} awardees and {len(records):,} awards of {YEAR}, a campaign of {len(cards)} units in "
          f"{len(clusters)} clusters, {len(dossiers)} dossiers in {time.perf_counter() - started:.1f} s.")
    return {"officer": officer}


# --- One job, in a child process (the worker's code path) ------------------------------------------


def render_job(job_id: int) -> dict:
    """Run the job as the worker does, then report its recorded timings and this process's peak RSS."""
    import resource

    import commendations.documents_summary  # noqa: F401 - registers the kind (commendations.documents imports it too)
    from portal.documents.services import report_job_run
    from portal.models import ReportJob

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    started, cpu_started = time.perf_counter(), cpu()
    state = report_job_run(job_id=job_id, worker="bench")
    wall, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
    job = ReportJob.objects.get(pk=job_id)
    return {
        "state": state, "error": job.error, "wall": wall, "cpu": cpu_seconds, "render": job.render_seconds, "data": job.query_seconds,
        "template": job.template_seconds, "weasyprint": job.weasyprint_seconds, "pages": job.page_count,
        "pdf_bytes": job.file.size if job.file else 0, "pdf_path": job.file.path if job.file else "",
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(job_id: int, database_url: str, media_root: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_MEDIA_ROOT": media_root, "CELERY_BROKER_URL": ""}
    result = subprocess.run([sys.executable, __file__, "--render-job", str(job_id)], env=env, capture_output=True,
                            text=True)
    if result.returncode:
        sys.exit(f"The rendering child failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.render_job:
        setup_django(os.environ["DATABASE_URL"])
        print(json.dumps(render_job(args.render_job)))
        return 0
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/portal", file=sys.stderr)
        return 2
    bench_url = create_database(url, args.database)
    setup_django(bench_url)
    from django.core.management import call_command

    import commendations.documents_summary  # noqa: F401 - registers the kind
    from portal.models import ReportJob

    media = tempfile.mkdtemp(prefix="report-bench-media-")
    runs = []
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"Migrated in {time.perf_counter() - started:.1f} s.")
        officer = populate(seed=args.seed, awardees=args.awardees, tasks=args.tasks)["officer"]
        for _ in range(args.runs):
            # The row the request page creates (report_job_request), without queueing it: the child runs it.
            job = ReportJob.objects.create(kind=KIND, params={"year": YEAR, "annex": True}, requester=officer,
                                           title="Báo cáo tổng kết", language="vi")
            run = run_child(job.pk, bench_url, media)
            if run["state"] != "done":
                sys.exit(f"The job failed: {run['error']}")
            runs.append(run)
        if args.keep_pdf:
            shutil.copyfile(runs[-1]["pdf_path"], args.keep_pdf)
    finally:
        shutil.rmtree(media, ignore_errors=True)
        if not args.keep:
            drop_database(url, args.database)

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    total, weasy = median("render"), median("weasyprint")
    data, template = median("data"), median("template")
    outside = total - weasy
    peak = max(run["peak_rss_mb"] for run in runs)
    last = runs[-1]
    print(f"\nYear-end report {YEAR}: {last['pages']} pages, {last['pdf_bytes'] / 1024:,.0f} kB "
          f"(median of {len(runs)} jobs, each rendered in a fresh process)")
    print(f"  total (job render_seconds)   {total:6.2f} s   (wall in the worker's code {median('wall'):.2f} s, "
          f"CPU {median('cpu'):.2f} s: a busy machine shows as wall > CPU)")
    print(f"  data: queries + Excel twin   {data:6.2f} s")
    print(f"  template                     {template:6.2f} s")
    print(f"  WeasyPrint (layout + PDF)    {weasy:6.2f} s")
    print(f"  outside WeasyPrint           {outside:6.2f} s = {outside / total:.1%} of the total")
    print(f"  peak RSS of the process      {peak:6.0f} MB")
    met = total < TARGET_SECONDS and peak < TARGET_MB and outside / total < TARGET_OUTSIDE_SHARE
    print(f"targets: < {TARGET_SECONDS:.0f} s {'met' if total < TARGET_SECONDS else 'MISSED'}; "
          f"< {TARGET_MB:.0f} MB {'met' if peak < TARGET_MB else 'MISSED'}; "
          f"outside WeasyPrint < {TARGET_OUTSIDE_SHARE:.0%} {'met' if outside / total < TARGET_OUTSIDE_SHARE else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
