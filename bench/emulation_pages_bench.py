"""Benchmark of the emulation pages and of scoring a whole campaign, on PostgreSQL at ministry scale.

Creates a throwaway database (`portal_bench_emulation` on the server of DATABASE_URL), migrates it,
fills it with bulk_create: a 300-line scoring table shaped like the Ministry of Justice's table for
provincial Justice Departments (sections, criteria and lines of every kind, a bonus and a deduction
group), 200 units seated in 12 emulation clusters, a year of work plans (the figures auto-scored
lines read), and an open campaign whose 200 scorecards have every line filled in, evidence on the
lines that need it and a few lines appraised. Then it measures, once to warm up and N times each:

  * the scorecard page of one unit (emulation:scorecard_detail), as the unit's staff while
    self-scoring is open (the editable 300-line table),
  * the campaign results page (emulation:campaign_results), as the emulation officer,
  * for information, the result page of a submitted scorecard (emulation:result_detail),
  * the pure scoring + ranking of the 200 units (engine.score(explain=False) for each, as a ranking
    needs no explanation, and engine.rank per cluster, from inputs already loaded), and for
    information campaign_results() with its queries.

It prints the median and 95th percentile in ms and the query count of each; targets: scorecard page
< 300 ms, scoring + ranking < 500 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/emulation_pages_bench.py

Options as bench/office_bench.py (--keep, --reuse, --explain, --runs, --seed, --database,
--use-given-database --yes), plus --units, --clusters and --lines. See bench/README.md.
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
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from office_bench import (  # noqa: E402
    QueryRecorder,
    _with_database,
    create_database,
    drop_database,
    measure,
    setup_django,
)

SCORECARD_TARGET_MS = 300
SCORING_TARGET_MS = 500
UNITS = 200
CLUSTERS = 12
LINES = 300
D = Decimal

PROVINCES = ["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng",
             "Đắk Lắk", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Tĩnh", "Hưng Yên", "Khánh Hòa",
             "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Nghệ An", "Ninh Bình", "Phú Thọ", "Quảng Ngãi",
             "Quảng Ninh", "Quảng Trị", "Sơn La", "Tây Ninh", "Thái Nguyên", "Thanh Hóa", "Tuyên Quang",
             "Vĩnh Long", "Hồ Chí Minh"]
SUBJECTS = ["xây dựng, thẩm định văn bản quy phạm pháp luật", "kiểm tra, rà soát văn bản", "phổ biến, giáo dục pháp luật",
            "hòa giải ở cơ sở", "hộ tịch, chứng thực", "lý lịch tư pháp", "bổ trợ tư pháp", "trợ giúp pháp lý",
            "bồi thường nhà nước", "kiểm soát thủ tục hành chính", "tổ chức, cán bộ", "thi hành án dân sự"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
RATE_TIERS = [(2, 100, None), (1.75, 95, 100), (1.5, 80, 95), (1, 70, 80), (0.5, 60, 70), (0, None, 60)]
LATE_TIERS = [{"points": "2", "lower": None, "upper": "0", "lower_inclusive": True, "upper_inclusive": True},
              {"points": "1.5", "lower": "0", "upper": "2", "lower_inclusive": False, "upper_inclusive": True},
              {"points": "1", "lower": "2", "upper": "5", "lower_inclusive": False, "upper_inclusive": True},
              {"points": "0.5", "lower": "5", "upper": "10", "lower_inclusive": False, "upper_inclusive": True},
              {"points": "0", "lower": "10", "upper": None, "lower_inclusive": False, "upper_inclusive": False}]
KINDS = ("tiered", "manual", "yes_no", "lateness", "formula", "manual", "tiered", "yes_no", "formula", "auto")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_bench_emulation",
                        help="name of the throwaway database (default portal_bench_emulation)")
    parser.add_argument("--use-given-database", action="store_true",
                        help="fill the database named in DATABASE_URL itself instead of a throwaway one (needs --yes)")
    parser.add_argument("--yes", action="store_true", help="confirm --use-given-database")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards (to EXPLAIN, browse)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure an existing bench database kept with --keep, without refilling it")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--runs", type=int, default=10, help="timed renders per page (default 10)")
    parser.add_argument("--units", type=int, default=UNITS)
    parser.add_argument("--clusters", type=int, default=CLUSTERS)
    parser.add_argument("--lines", type=int, default=LINES, help="scored lines of the table (default 300)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each page's slowest queries")
    return parser.parse_args(argv)


# --- The scoring table ------------------------------------------------------------------------------


def _tiers(scale: int = 1) -> list[dict]:
    return [{"points": str(D(str(p)) * scale), "lower": None if lo is None else str(lo),
             "upper": None if hi is None else str(hi), "lower_inclusive": True, "upper_inclusive": False}
            for p, lo, hi in RATE_TIERS]


def _line(key: str, code: str, index: int, subject: str) -> dict:
    kind = KINDS[index % len(KINDS)]
    node = {"key": key, "code": code, "kind": kind, "max_points": "2", "title": "", "guidance": "", "step": None,
            "tiers": [], "formula": "", "inputs": [], "measure": "", "gate": "", "requires_evidence": index % 3 == 0,
            "children": []}
    if kind == "tiered":
        node.update(title=f"Tỷ lệ hồ sơ {subject} được giải quyết đúng thời hạn", tiers=_tiers(),
                    measure="tỷ lệ đúng hạn (%)",
                    guidance="Tỷ lệ 100%: 2 điểm; từ 95% đến dưới 100%: 1,75 điểm; từ 80% đến dưới 95%: 1,5 điểm; "
                             "từ 70% đến dưới 80%: 1 điểm; từ 60% đến dưới 70%: 0,5 điểm; dưới 60%: 0 điểm.")
    elif kind == "lateness":
        node.update(title=f"Báo cáo công tác {subject} gửi Bộ Tư pháp", tiers=LATE_TIERS, measure="số ngày gửi chậm",
                    guidance="Đúng hạn: 2 điểm; chậm 1–2 ngày: 1,5; 3–5 ngày: 1; 6–10 ngày: 0,5; trên 10 ngày: 0.")
    elif kind == "yes_no":
        node.update(title=f"Ban hành Kế hoạch triển khai công tác {subject} năm",
                    guidance="Ban hành Kế hoạch: 2 điểm; không ban hành: 0 điểm.",
                    gate="evidence" if index % 20 == 2 else "")
    elif kind == "manual":
        node.update(title=f"Kiểm tra, hướng dẫn nghiệp vụ {subject} cho cấp huyện, cấp xã", step="0.25",
                    guidance="Tự chấm từ 0 đến 2 điểm, bước 0,25 điểm.")
    elif kind == "formula":
        node.update(title=f"Tỷ lệ nhiệm vụ {subject} hoàn thành so với Kế hoạch", formula="b / a * 2",
                    inputs=["a", "b"], guidance="Điểm = b / a × 2 (a: số nhiệm vụ theo Kế hoạch, b: số đã hoàn thành).")
    else:
        node.update(title="Tỷ lệ nhiệm vụ trong Kế hoạch công tác năm hoàn thành đúng hạn (số liệu của Cổng)",
                    measure="office.on_time_rate", tiers=_tiers())
    return node


def scheme_document(year: int, lines: int) -> dict:
    """Sections A (most lines, in sub-sections of criteria), B, C, a bonus and a deduction group."""
    counter = 0

    def lines_for(prefix: str, count: int, subject: str) -> list[dict]:
        nonlocal counter
        out = []
        for n in range(1, count + 1):
            out.append(_line(f"{prefix}.{n}", str(n), counter, subject))
            counter += 1
        return out

    def group(key: str, code: str, title: str, children: list[dict], kind: str = "group", cap=None) -> dict:
        total = sum(D(child["max_points"]) for child in children)
        return {"key": key, "code": code, "title": title, "kind": kind, "guidance": "",
                "max_points": str(cap if cap is not None else total), "step": None, "tiers": [], "formula": "",
                "inputs": [], "measure": "", "gate": "", "requires_evidence": False, "children": children}

    extra = 10  # 5 bonus + 5 deduction lines
    in_a = int((lines - extra) * 0.85)
    in_b = (lines - extra - in_a) * 2 // 3
    in_c = lines - extra - in_a - in_b
    subsections, per_criterion = 12, 5
    a_children = []
    left = in_a
    for s in range(subsections):
        count = left // (subsections - s)
        left -= count
        criteria, c = [], 1
        while count > 0:
            take = min(per_criterion, count)
            subject = SUBJECTS[s % len(SUBJECTS)]
            criteria.append(group(f"A.{ROMAN[s]}.{c}", str(c), f"Kết quả thực hiện nhiệm vụ {subject} (nhóm {c})",
                                  lines_for(f"A.{ROMAN[s]}.{c}", take, subject)))
            count -= take
            c += 1
        a_children.append(group(f"A.{ROMAN[s]}", ROMAN[s], f"Công tác {SUBJECTS[s % len(SUBJECTS)]}", criteria))
    bonus = []
    for n in range(1, 6):
        bonus.append({**_line(f"D.{n}", str(n), 1, "thi đua"), "title": f"Sáng kiến, mô hình được Bộ ghi nhận ({n})"})
    deduction = []
    for n in range(1, 6):
        deduction.append({**_line(f"E.{n}", str(n), 1, "quản lý"), "title": f"Sai phạm bị cơ quan có thẩm quyền kết luận ({n})",
                          "requires_evidence": False})
    nodes = [
        group("A", "A", "CÔNG TÁC CHUYÊN MÔN, NGHIỆP VỤ", a_children),
        group("B", "B", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH, XÂY DỰNG ĐƠN VỊ", lines_for("B", in_b, "chỉ đạo, điều hành")),
        group("C", "C", "CÔNG TÁC THI ĐUA, KHEN THƯỞNG", lines_for("C", in_c, "thi đua, khen thưởng")),
        group("D", "D", "ĐIỂM THƯỞNG", bonus, kind="bonus", cap=6),
        group("E", "E", "ĐIỂM TRỪ", deduction, kind="deduction", cap=6),
    ]
    maximum = sum(D(node["max_points"]) for node in nodes[:3])
    first_formula = next(node["key"] for node in _leaves(nodes) if node["kind"] == "formula")
    return {
        "format": "tdkt-portal/scheme", "version": 1,
        "scheme": {"name": f"Bảng tiêu chí chấm điểm (bench) năm {year}", "year": year,
                   "legal_basis": "Quyết định số 536/QĐ-BTP", "description": ""},
        "nodes": nodes,
        "grades": [
            {"key": key, "label": label, "min_total": str((maximum * share).quantize(D("1"))), "no_zero_lines": key == "xuat_sac"}
            for key, label, share in (("xuat_sac", "Xuất sắc", D("0.95")), ("tot", "Tốt", D("0.85")),
                                      ("kha", "Khá", D("0.75")), ("trung_binh", "Trung bình", D("0.5")))
        ],
        "grade_caps": [{"flag": "lanh_dao_bi_ky_luat", "label": "Người đứng đầu bị kỷ luật", "max_grade": "tot"}],
        "tie_breakers": [{"kind": "node", "ref": "A", "descending": True},
                         {"kind": "node", "ref": first_formula, "descending": True},
                         {"kind": "metric", "ref": "office.on_time_rate", "descending": True}],
    }


def _leaves(nodes):
    for node in nodes:
        if node["children"]:
            yield from _leaves(node["children"])
        else:
            yield node


# --- The data ----------------------------------------------------------------------------------------


def _entry(rng: random.Random, node) -> dict:
    kind = node.kind
    if kind == "manual":
        return {"self_points": D(rng.choice([0, 1, 1.5, 1.75, 2, 2, 2])).quantize(D("0.01"))}
    if kind == "yes_no":
        return {"self_flag": rng.random() < 0.9}
    if kind == "tiered":
        return {"self_value": D(100) if rng.random() < 0.5 else D(str(round(rng.uniform(55, 99.99), 2)))}
    if kind == "lateness":
        return {"self_value": D(0) if rng.random() < 0.7 else D(rng.choice([1, 2, 3, 6, 12]))}
    if kind == "formula":
        whole = rng.randint(10, 500)
        return {"self_inputs": {"a": str(whole), "b": str(rng.randint(int(whole * 0.7), whole))}}
    return {}


def populate(*, seed: int, year: int, today: date, units_wanted: int, clusters_wanted: int, lines: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from emulation.enums import CampaignState, ScorecardState
    from emulation.models import Campaign, Evidence, Scorecard, ScoreLine
    from emulation.schemes import scheme_create_from_dict, scheme_freeze
    from emulation.services import SCORED_KINDS
    from office.enums import DeadlineKind, PlanState, Priority, TaskSource
    from office.models import Task, WorkPlan
    from portal.enums import ClusterKind, Gender, Role, UnitKind
    from portal.models import ClusterMembership, EmulationCluster, Person, RoleGrant, Unit
    from portal.text import fold

    rng = random.Random(seed)
    started = time.perf_counter()
    User = get_user_model()
    with transaction.atomic():
        root = Unit.objects.create(code="BTP", name="Bộ Tư pháp", kind=UnitKind.MINISTRY)
        tdkt = Unit.objects.create(code="TDKT", name="Vụ Thi đua – Khen thưởng", kind=UnitKind.DEPARTMENT, parent=root)
        units = []
        for i in range(units_wanted):
            province = PROVINCES[i % len(PROVINCES)]
            round_ = i // len(PROVINCES)
            justice = i % 2 == 0
            name = (f"Sở Tư pháp {province}" if justice else f"Cục Thi hành án dân sự {province}") + (
                f" ({round_ + 1})" if round_ else "")
            units.append(Unit.objects.create(
                code=f"U{i + 1:03d}", name=name, parent=root,
                kind=UnitKind.PROVINCIAL_JUSTICE if justice else UnitKind.ENFORCEMENT_OFFICE,
            ))
        clusters = [EmulationCluster.objects.create(code=f"CUM-{c + 1:02d}", name=f"Cụm thi đua số {c + 1}",
                                                    kind=ClusterKind.CLUSTER) for c in range(clusters_wanted)]
        ClusterMembership.objects.bulk_create(
            ClusterMembership(unit=unit, cluster=clusters[i % clusters_wanted], year=year, is_head=i < clusters_wanted)
            for i, unit in enumerate(units)
        )

        def user(username: str, role: str, unit, person_unit, name: str):
            account = User(username=username, email="")
            account.set_unusable_password()
            account.save()
            Person.objects.create(full_name=name, gender=Gender.FEMALE, position="Chuyên viên", unit=person_unit,
                                  user=account)
            RoleGrant.objects.create(user=account, role=role, unit=unit)
            return account

        officer = user("bench_officer", Role.EMULATION_OFFICER, None, tdkt, "Hoàng Thị Thi")
        staff = user("bench_staff", Role.STAFF, units[0], units[0], "Lê Văn Chấm")

        # A year of work plans: the figures the auto-scored lines read (office.on_time_rate).
        plans = WorkPlan.objects.bulk_create(
            WorkPlan(unit=unit, year=year, title=f"Kế hoạch công tác năm {year} của {unit.name}", state=PlanState.ISSUED,
                     issue_number=f"{i + 1}/KH-{unit.code}", issued_on=date(year, 1, 20), signer="Nguyễn Văn Ký")
            for i, unit in enumerate(units)
        )
        tasks = []
        for plan in plans:
            for n in range(40):
                due = date(year, 1, 1) + timedelta(days=rng.randrange(365))
                completed = None
                if due < today and rng.random() < 0.85:
                    completed = due + timedelta(days=rng.choice([-10, -3, 0, 0, 0, 2, 15]))
                content = f"Nhiệm vụ {n + 1} của {plan.unit.name}"
                tasks.append(Task(
                    plan=plan, code=f"{n + 1:03d}", content=content, lead_unit_id=plan.unit_id, source=TaskSource.OWN_PLAN,
                    deadline_kind=DeadlineKind.DATE, due_date=due, original_deadline_kind=DeadlineKind.DATE,
                    original_due_date=due, output="Báo cáo", priority=Priority.NORMAL, completed_on=completed,
                    progress_percent=100 if completed else 50, search_text=fold(content),
                ))
        Task.objects.bulk_create(tasks, batch_size=2000)

        scheme = scheme_create_from_dict(actor=officer, data=scheme_document(year, lines))
        scheme_freeze(actor=officer, scheme_id=scheme.pk)
        campaign = Campaign.objects.create(
            name=f"Thi đua năm {year} (bench)", year=year, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
            scheme=scheme, state=CampaignState.OPEN,
        )
        campaign.clusters.set(clusters)
        nodes = list(scheme.nodes.filter(kind__in=SCORED_KINDS).order_by("pk"))
        cards = Scorecard.objects.bulk_create(
            Scorecard(campaign=campaign, unit=unit, state=ScorecardState.DRAFT if i == 0 else ScorecardState.SUBMITTED,
                      flags=["lanh_dao_bi_ky_luat"] if i % 50 == 7 else [])
            for i, unit in enumerate(units)
        )
        rows = []
        for card in cards:
            appraised = set(rng.sample(range(len(nodes)), 3))
            for index, node in enumerate(nodes):
                entry = _entry(rng, node)
                line = ScoreLine(scorecard=card, node=node, **entry)
                if index in appraised and node.kind in ("manual", "tiered", "yes_no", "lateness", "formula"):
                    line.appraised = True
                    line.appraisal_reason = "Tài liệu minh chứng chưa thể hiện đầy đủ kết quả thực hiện."
                    line.appraised_by = officer
                    line.appr_points = D(0) if node.kind == "manual" else None
                    line.appr_flag = False if node.kind == "yes_no" else None
                    line.appr_value = D(50) if node.kind in ("tiered", "lateness") else None
                    line.appr_inputs = {"a": "10", "b": "5"} if node.kind == "formula" else {}
                rows.append(line)
        ScoreLine.objects.bulk_create(rows, batch_size=5000)
        needs = ScoreLine.objects.filter(scorecard__campaign=campaign, node__requires_evidence=True).values_list("pk", flat=True)
        Evidence.objects.bulk_create(
            (Evidence(line_id=pk, file=f"emulation/evidence/{year}/minh-chung-{pk}.pdf",
                      description="Báo cáo kết quả thực hiện", uploaded_by=staff) for pk in needs.iterator()),
            batch_size=5000,
        )
        evidence = Evidence.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Filled {len(units)} units in {clusters_wanted} clusters, {len(tasks):,} tasks, a {len(nodes)}-line table, "
          f"{len(cards)} scorecards, {len(rows):,} score lines, {evidence:,} evidence rows "
          f"in {time.perf_counter() - started:.1f} s.")
    return {"officer": officer, "staff": staff, "campaign": campaign, "scorecard": cards[0], "submitted": cards[1]}


# --- Scoring without pages ----------------------------------------------------------------------------


def measure_scoring(campaign, *, runs: int) -> list[dict]:
    """engine.score(explain=False) for every unit plus engine.rank per cluster, from inputs loaded once
    (the pure part: a ranking needs no explanation, so no trace is built, as in campaign_results());
    and campaign_results(), which also loads the lines, evidence counts and figures."""
    from django.db import connection
    from django.db.models import Count

    from emulation import engine
    from emulation.enums import Side
    from emulation.metrics import metrics_for_year
    from emulation.models import ScoreLine
    from emulation.schemes import engine_scheme
    from emulation.scoring import campaign_results, unit_inputs
    from portal.models import ClusterMembership

    scheme = engine_scheme(campaign.scheme)
    lines = ScoreLine.objects.filter(scorecard__campaign=campaign).select_related("node", "scorecard").annotate(
        evidence_count=Count("evidence"))
    by_card, counts = {}, {}
    for line in lines:
        by_card.setdefault(line.scorecard, []).append(line)
        counts[line.pk] = line.evidence_count
    metrics = metrics_for_year(campaign.year)
    seats = dict(ClusterMembership.objects.filter(year=campaign.year).values_list("unit_id", "cluster_id"))
    inputs = [(card, unit_inputs(card_lines, Side.APPRAISED, metrics.get(card.unit_id, {}), card.flags, counts))
              for card, card_lines in by_card.items()]

    def score_and_rank():
        groups = {}
        for card, unit in inputs:
            groups.setdefault(seats.get(card.unit_id), []).append((str(card.pk), engine.score(scheme, unit, explain=False), unit))
        return [engine.rank(rows, scheme.tie_breakers) for rows in groups.values()]

    def timed(function) -> list[float]:
        function()  # warm-up
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            function()
            timings.append((time.perf_counter() - started) * 1000)
        return sorted(timings)

    results = []
    for label, function in ((f"score+rank {len(inputs)} units (no traces)", score_and_rank),
                            ("campaign_results() incl. queries", lambda: campaign_results(campaign))):
        recorder = QueryRecorder()
        with connection.execute_wrapper(recorder):
            function()
        timings = timed(function)
        results.append({"label": label, "median": statistics.median(timings),
                        "p95": timings[max(math.ceil(0.95 * len(timings)) - 1, 0)], "queries": len(recorder.queries),
                        "sql_ms": sum(q[0] for q in recorder.queries), "bytes": 0, "slowest_ms": []})
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/portal", file=sys.stderr)
        return 2
    if args.use_given_database:
        if not args.yes:
            print(f"WARNING: --use-given-database writes {args.units} units, a campaign and "
                  f"{args.units * args.lines:,} score lines into {urlsplit(url).path.lstrip('/')!r} and never removes "
                  "them. Add --yes if that database is disposable.", file=sys.stderr)
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

    from emulation.models import Campaign

    today = timezone.localdate()
    year = today.year
    try:
        if args.reuse:
            User = get_user_model()
            campaign = Campaign.objects.get(name=f"Thi đua năm {year} (bench)")
            data = {"officer": User.objects.get(username="bench_officer"), "staff": User.objects.get(username="bench_staff"),
                    "campaign": campaign, "scorecard": campaign.scorecards.get(unit__code="U001"),
                    "submitted": campaign.scorecards.get(unit__code="U002")}
        else:
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"Migrated in {time.perf_counter() - started:.1f} s.")
            data = populate(seed=args.seed, year=year, today=today, units_wanted=args.units,
                            clusters_wanted=args.clusters, lines=args.lines)
        officer, staff = Client(), Client()
        officer.force_login(data["officer"])
        staff.force_login(data["staff"])
        card, campaign = data["scorecard"], data["campaign"]
        pages = [
            (staff, "scorecard page (unit staff, editable)", reverse("emulation:scorecard_detail", args=[card.pk])),
            (officer, "campaign results (officer)", reverse("emulation:campaign_results", args=[campaign.pk])),
            (officer, "one unit's result (officer)", reverse("emulation:result_detail", args=[data["submitted"].pk])),
        ]
        results = [measure(client, label, page, runs=args.runs, explain=args.explain) for client, label, page in pages]
        scoring = measure_scoring(campaign, runs=args.runs)
    finally:
        if throwaway and not args.keep:
            drop_database(url, throwaway)

    print(f"\n{'measure':40} {'median':>9} {'p95':>9} {'queries':>8} {'SQL':>9} {'HTML':>7}  slowest queries")
    for r in results + scoring:
        print(f"{r['label']:40} {r['median']:7.1f}ms {r['p95']:7.1f}ms {r['queries']:8d} {r['sql_ms']:7.1f}ms "
              f"{r['bytes'] / 1024:5.0f}kB  {', '.join(f'{ms} ms' for ms in r['slowest_ms'])}")
    print(f"\n({args.runs} timed runs each after one warm-up; SQL = time in the database during the warm-up; "
          f"targets: scorecard page < {SCORECARD_TARGET_MS} ms, scoring + ranking < {SCORING_TARGET_MS} ms)")
    slow = []
    if results[0]["p95"] >= SCORECARD_TARGET_MS:
        slow.append(f"SLOWER THAN {SCORECARD_TARGET_MS} ms: the scorecard page – run with --keep --explain.")
    if scoring[0]["p95"] >= SCORING_TARGET_MS:
        slow.append(f"SLOWER THAN {SCORING_TARGET_MS} ms: scoring + ranking of {args.units} units.")
    for message in slow:
        print(message)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
