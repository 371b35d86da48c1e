"""A sector-sized data set for load tests and query budgets, generated reproducibly from a seed.

At scale 1: 150 units in 12 clusters, 25,000 people with 10 years of history (ratings, merit and
campaign awards, initiatives, a few holds), 40,000 tasks, 3 campaigns each with its own 300-line
scheme and a scorecard per unit, 5,000 nominations of the current year in one dossier per unit,
plus one of every other object a page can show (council meeting, decision, petitions, deadline
adjustments, progress reports, registrations, notifications, a report job). Everything but the
schemes is written with bulk_create; the schemes go through `scheme_create_from_dict` so they are
valid by construction. Logins share one password hash (hashing 300 passwords would take minutes).

Login names (all with the same password): scale_admin, scale_officer, scale_coordinator,
scale_council1..3, and per unit `scale_staff_<n>` / `scale_leader_<n>` (n = 1..units, unit U001…).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

D = Decimal
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = {"male": ["Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh"], "female": ["Thị", "Ngọc", "Thu", "Thanh", "Minh"]}
GIVEN = {"male": ["An", "Bình", "Dũng", "Hùng", "Khánh", "Long", "Minh", "Nam", "Quân", "Sơn", "Tuấn", "Việt"],
         "female": ["Anh", "Chi", "Giang", "Hà", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương", "Thảo", "Yến"]}
PROVINCES = ["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng",
             "Đắk Lắk", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Tĩnh", "Hưng Yên", "Khánh Hòa",
             "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Nghệ An", "Ninh Bình", "Phú Thọ", "Quảng Ngãi",
             "Quảng Ninh", "Quảng Trị", "Sơn La", "Tây Ninh", "Thái Nguyên", "Thanh Hóa", "Tuyên Quang",
             "Vĩnh Long", "Hồ Chí Minh"]
SUBJECTS = ["xây dựng, thẩm định văn bản", "kiểm tra, rà soát văn bản", "phổ biến, giáo dục pháp luật",
            "hòa giải ở cơ sở", "hộ tịch, chứng thực", "lý lịch tư pháp", "bổ trợ tư pháp", "trợ giúp pháp lý",
            "bồi thường nhà nước", "kiểm soát thủ tục hành chính", "tổ chức, cán bộ", "thi hành án dân sự"]
VERBS = ["Xây dựng", "Rà soát", "Tổng kết", "Hướng dẫn", "Kiểm tra", "Theo dõi", "Tổ chức", "Triển khai", "Báo cáo"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
RATE_TIERS = [(2, 100, None), (1.5, 80, 100), (1, 60, 80), (0, None, 60)]
GRADES = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
PROFILES = ((15, (80, 18, 2, 0)), (55, (25, 60, 12, 3)), (30, (5, 60, 28, 7)))
NOMINATED = ("LDTT", "CSTDCS", "BKBT", "CSTDBO")


@dataclass(frozen=True)
class Size:
    units: int
    clusters: int
    people: int
    years: int
    tasks: int
    campaigns: int
    lines: int
    nominations: int

    @classmethod
    def at(cls, scale: float) -> Size:
        def n(full: int, least: int) -> int:
            return max(least, round(full * scale))

        return cls(units=n(150, 12), clusters=12, people=n(25_000, 120), years=10 if scale >= 0.1 else 3,
                   tasks=n(40_000, 200), campaigns=3, lines=n(300, 30), nominations=n(5_000, 60))


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
        stdout.flush()


# --- The scoring table -------------------------------------------------------------------------------


def scheme_document(*, year: int, lines: int, name: str) -> dict[str, Any]:
    """A table of `lines` scored lines: section A in 12 sub-sections of 5-line criteria, B, C, a
    bonus and a deduction group; tiered, manual, yes/no, formula and lateness lines in turn."""
    kinds = ("tiered", "manual", "yes_no", "formula", "manual", "lateness")
    counter = 0

    def tiers() -> list[dict]:
        return [{"points": str(p), "lower": None if lo is None else str(lo), "upper": None if hi is None else str(hi),
                 "lower_inclusive": True, "upper_inclusive": False} for p, lo, hi in RATE_TIERS]

    def line(key: str, code: str, subject: str) -> dict:
        nonlocal counter
        kind = kinds[counter % len(kinds)]
        counter += 1
        node = {"key": key, "code": code, "kind": kind, "max_points": "2", "title": "", "guidance": "", "step": None,
                "tiers": [], "formula": "", "inputs": [], "measure": "", "gate": "",
                "requires_evidence": counter % 3 == 0, "children": []}
        if kind == "tiered":
            node.update(title=f"Tỷ lệ hồ sơ {subject} giải quyết đúng hạn", tiers=tiers(), measure="tỷ lệ (%)")
        elif kind == "lateness":
            node.update(title=f"Báo cáo công tác {subject} gửi đúng hạn", measure="số ngày chậm", tiers=[
                {"points": "2", "lower": None, "upper": "0", "lower_inclusive": True, "upper_inclusive": True},
                {"points": "1", "lower": "0", "upper": "5", "lower_inclusive": False, "upper_inclusive": True},
                {"points": "0", "lower": "5", "upper": None, "lower_inclusive": False, "upper_inclusive": False}])
        elif kind == "yes_no":
            node.update(title=f"Ban hành Kế hoạch công tác {subject}")
        elif kind == "formula":
            node.update(title=f"Tỷ lệ nhiệm vụ {subject} hoàn thành", formula="b / a * 2", inputs=["a", "b"])
        else:
            node.update(title=f"Hướng dẫn nghiệp vụ {subject} cho cơ sở", step="0.25")
        return node

    def group(key: str, code: str, title: str, children: list[dict], kind: str = "group", cap=None) -> dict:
        total = sum(D(child["max_points"]) for child in children)
        return {"key": key, "code": code, "title": title, "kind": kind, "guidance": "",
                "max_points": str(cap if cap is not None else total), "step": None, "tiers": [], "formula": "",
                "inputs": [], "measure": "", "gate": "", "requires_evidence": False, "children": children}

    in_a = int((lines - 4) * 0.8)
    in_b = (lines - 4 - in_a) // 2
    in_c = lines - 4 - in_a - in_b
    sections, left = [], in_a
    for s in range(12):
        count = left // (12 - s)
        left -= count
        criteria, c = [], 1
        while count > 0:
            take = min(5, count)
            subject = SUBJECTS[s]
            criteria.append(group(f"A.{ROMAN[s]}.{c}", str(c), f"Kết quả công tác {subject} (nhóm {c})",
                                  [line(f"A.{ROMAN[s]}.{c}.{k + 1}", str(k + 1), subject) for k in range(take)]))
            count -= take
            c += 1
        if criteria:
            sections.append(group(f"A.{ROMAN[s]}", ROMAN[s], f"Công tác {SUBJECTS[s]}", criteria))
    nodes = [
        group("A", "A", "CÔNG TÁC CHUYÊN MÔN, NGHIỆP VỤ", sections),
        group("B", "B", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", [line(f"B.{k + 1}", str(k + 1), "chỉ đạo") for k in range(in_b)]),
        group("C", "C", "CÔNG TÁC THI ĐUA, KHEN THƯỞNG", [line(f"C.{k + 1}", str(k + 1), "thi đua") for k in range(in_c)]),
        group("D", "D", "ĐIỂM THƯỞNG", [{**line(f"D.{k + 1}", str(k + 1), "thi đua"), "kind": "manual", "step": "0.25",
                                          "tiers": [], "formula": "", "inputs": [], "measure": ""} for k in range(2)],
              kind="bonus", cap=4),
        group("E", "E", "ĐIỂM TRỪ", [{**line(f"E.{k + 1}", str(k + 1), "quản lý"), "kind": "manual", "step": "0.25",
                                       "tiers": [], "formula": "", "inputs": [], "measure": "",
                                       "requires_evidence": False} for k in range(2)],
              kind="deduction", cap=4),
    ]
    maximum = sum(D(node["max_points"]) for node in nodes[:3])
    return {
        "format": "tdkt-portal/scheme", "version": 1,
        "scheme": {"name": name, "year": year, "legal_basis": "Quyết định số 536/QĐ-BTP", "description": ""},
        "nodes": nodes,
        "grades": [{"key": key, "label": label, "min_total": str((maximum * share).quantize(D("1"))),
                    "no_zero_lines": False}
                   for key, label, share in (("xuat_sac", "Xuất sắc", D("0.9")), ("tot", "Tốt", D("0.8")),
                                             ("kha", "Khá", D("0.7")), ("trung_binh", "Trung bình", D("0.5")))],
        "grade_caps": [{"flag": "lanh_dao_bi_ky_luat", "label": "Người đứng đầu bị kỷ luật", "max_grade": "tot"}],
        "tie_breakers": [{"kind": "node", "ref": "A", "descending": True}],
    }


def _entry(rng: random.Random, kind: str) -> dict:
    if kind == "manual":
        return {"self_points": D(rng.choice(["0", "1", "1.5", "1.75", "2", "2"]))}
    if kind == "yes_no":
        return {"self_flag": rng.random() < 0.9}
    if kind == "tiered":
        return {"self_value": D(100) if rng.random() < 0.5 else D(rng.randint(55, 99))}
    if kind == "lateness":
        return {"self_value": D(0) if rng.random() < 0.7 else D(rng.choice([1, 3, 6]))}
    if kind == "formula":
        whole = rng.randint(10, 500)
        return {"self_inputs": {"a": str(whole), "b": str(rng.randint(int(whole * 0.7), whole))}}
    return {}


# --- The whole data set ---------------------------------------------------------------------------------


def build_scale(*, seed: int = 20261127, scale: float = 1.0, year: int | None = None, password: str = "scale-2026",
                stdout=None) -> dict[str, Any]:
    """Fill an empty portal database; returns counts and timings. Refuses a database with units."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from commendations.enums import (
        DOSSIER_DOCUMENTS,
        AwardKind,
        DossierState,
        HoldKind,
        InitiativeLevel,
        NomineeState,
    )
    from commendations.models import (
        Award,
        AwardRecord,
        CouncilMeeting,
        Decision,
        Dossier,
        DossierDocument,
        Hold,
        Initiative,
        MeetingMember,
        Nominee,
        Quota,
        Rating,
        TitleRegistration,
    )
    from emulation.enums import CampaignState, ScorecardState
    from emulation.models import Campaign, Registration, Scorecard, ScoreLine
    from emulation.schemes import scheme_create_from_dict, scheme_freeze
    from emulation.services import SCORED_KINDS
    from office.enums import DeadlineKind, PlanState, Priority, TaskSource
    from office.models import (
        DeadlineAdjustment,
        Petition,
        PetitionBatch,
        PlanYear,
        ProgressReport,
        Task,
        WorkPlan,
    )
    from portal.enums import ClusterKind, Gender, Role, UnitKind
    from portal.models import (
        ClusterMembership,
        EmulationCluster,
        Notification,
        Person,
        ReportJob,
        RoleGrant,
        Unit,
        UnitMembership,
    )
    from portal.text import fold, person_sort_key, split_full_name, text_sort_key

    if Unit.objects.exists():
        raise RuntimeError("The database already has units: seed_scale fills an empty, migrated database only.")
    size = Size.at(scale)
    rng = random.Random(seed)
    year = year or timezone.localdate().year
    today = timezone.localdate()
    first_year = year - size.years + 1
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    clock = time.perf_counter()
    started = clock

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 2)
        clock = now
        _say(stdout, f"  {name}: {timings[name]:.1f} s")

    User = get_user_model()
    password_hash = make_password(password)
    with transaction.atomic():
        # Units: the ministry, then provincial Justice Departments and enforcement offices, coded U001….
        def unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
            path = f"{parent.path if parent else '/'}{code}/"
            return Unit(code=code, name=name, kind=kind, parent=parent, path=path, depth=path.count("/") - 2,
                        search_text=fold(f"{name}  {code}"), sort_key=text_sort_key(name))

        root = unit("BTP", "Bộ Tư pháp", UnitKind.MINISTRY, None)
        root.save()
        tdkt = unit("TDKT", "Vụ Thi đua – Khen thưởng", UnitKind.DEPARTMENT, root)
        tdkt.save()
        units = []
        for i in range(size.units):
            province = PROVINCES[(i // 2) % len(PROVINCES)]
            round_ = i // (2 * len(PROVINCES))
            justice = i % 2 == 0
            name = (f"Sở Tư pháp {province}" if justice else f"Cục Thi hành án dân sự {province}") + (
                f" ({round_ + 1})" if round_ else "")
            units.append(unit(f"U{i + 1:03d}", name, UnitKind.PROVINCIAL_JUSTICE if justice else UnitKind.ENFORCEMENT_OFFICE,
                              root))
        units = Unit.objects.bulk_create(units)
        clusters = EmulationCluster.objects.bulk_create(
            EmulationCluster(code=f"CUM-{c + 1:02d}", name=f"Cụm thi đua số {c + 1}", kind=ClusterKind.CLUSTER)
            for c in range(size.clusters))
        ClusterMembership.objects.bulk_create(
            ClusterMembership(unit=u, cluster=clusters[i % size.clusters], year=y, is_head=i < size.clusters)
            for y in (year - 1, year) for i, u in enumerate(units))
        counts["units"] = len(units) + 2
        counts["clusters"] = len(clusters)
        lap("units and clusters")

        # People, spread over the units; the first two of each unit get the staff and leader logins.
        people = []
        for n in range(size.people):
            gender = Gender.FEMALE if rng.random() < 0.55 else Gender.MALE
            full = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
            family, middle, given = split_full_name(full)
            people.append(Person(full_name=full, family_name=family, middle_name=middle, given_name=given,
                                 gender=gender, position="Chuyên viên", unit=units[n % len(units)],
                                 date_of_birth=date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28)),
                                 search_text=fold(full), sort_key=person_sort_key(full)))
        Person.objects.bulk_create(people, batch_size=5000)
        UnitMembership.objects.bulk_create(
            (UnitMembership(person=p, unit_id=p.unit_id, position=p.position, start_date=date(first_year, 1, 1))
             for p in people), batch_size=5000)
        counts["people"] = len(people)
        lap("people")

        logins: dict[str, Any] = {}

        def login(username: str, role: str | None, grant_unit: Unit | None, person: Person | None = None,
                  *, staff_flag: bool = False) -> Any:
            account = User(username=username, email=f"{username}@example.invalid", password=password_hash,
                           is_staff=staff_flag, is_superuser=staff_flag)
            logins[username] = (account, role, grant_unit, person)
            return account

        for i, u in enumerate(units):
            login(f"scale_staff_{i + 1}", Role.STAFF, u, people[i])
            login(f"scale_leader_{i + 1}", Role.UNIT_LEADER, u, people[i + len(units)] if len(people) > i + len(units) else None)
        login("scale_admin", Role.SYSTEM_ADMIN, None, staff_flag=True)
        login("scale_officer", Role.EMULATION_OFFICER, None)
        login("scale_coordinator", Role.PLAN_COORDINATOR, None)
        for k in range(1, 4):
            login(f"scale_council{k}", Role.COUNCIL_MEMBER, None)
        User.objects.bulk_create([account for account, *_ in logins.values()])
        RoleGrant.objects.bulk_create(RoleGrant(user=account, role=role, unit=grant_unit)
                                      for account, role, grant_unit, _ in logins.values())
        linked, extra = [], []
        for username, (account, _, _, person) in logins.items():
            if person is not None:
                person.user = account
                linked.append(person)
            else:
                full = f"Cán bộ {username.split('_', 1)[1]}"
                extra.append(Person(full_name=full, family_name="Cán", middle_name="bộ", given_name=username,
                                    gender=Gender.FEMALE, unit=tdkt, user=account, search_text=fold(full),
                                    sort_key=person_sort_key(full)))
        Person.objects.bulk_update(linked, ["user"], batch_size=2000)
        Person.objects.bulk_create(extra)
        admin = logins["scale_admin"][0]
        officer = logins["scale_officer"][0]
        counts["logins"] = len(logins)
        lap("logins")

        # Ten years of history: yearly ratings weighted by a profile, the merit titles they earn,
        # campaign awards, initiatives, a few holds.
        awards = {a.code: a for a in Award.objects.all()}
        profile_weights, profiles = zip(*PROFILES, strict=True)
        ratings, records, initiatives, authors, holds = [], [], [], [], []
        decision = 0
        for n, person in enumerate(people):
            weights = rng.choices(profiles, profile_weights)[0]
            run = 0
            for y in range(first_year, year):
                grade = rng.choices(GRADES, weights)[0]
                ratings.append(Rating(person=person, year=y, grade=grade, score=D(rng.randint(60, 100))))
                decision += 1
                on = date(y, 12, rng.randint(10, 28))
                number = f"{decision}/QĐ-BTP"
                if grade in ("HTXSNV", "HTTNV") and rng.random() < 0.62:
                    records.append(AwardRecord(person=person, award=awards["LDTT"], year=y, kind=AwardKind.MERIT,
                                               decision_number=number, decided_on=on))
                    if grade == "HTXSNV" and rng.random() < 0.6:
                        records.append(AwardRecord(person=person, award=awards["CSTDCS"], year=y,
                                                   kind=AwardKind.MERIT, decision_number=number, decided_on=on))
                        run += 1
                    else:
                        run = 0
                else:
                    run = 0
                if run >= 2 and rng.random() < 0.4:
                    records.append(AwardRecord(person=person, award=awards["BKBT"], year=y, kind=AwardKind.MERIT,
                                               decision_number=number, decided_on=on))
                if rng.random() < 0.05:
                    records.append(AwardRecord(person=person, award=awards["BKBT"], year=y, kind=AwardKind.CAMPAIGN,
                                               decision_number=number, decided_on=on))
                if rng.random() < 0.08:
                    initiatives.append(Initiative(title=f"Sáng kiến SK-{n}-{y}", year=y,
                                                  level=rng.choices(list(InitiativeLevel.values), (75, 22, 3))[0]))
                    authors.append(person)
            if rng.random() < 0.02:
                start = rng.randint(first_year, year - 1)
                holds.append(Hold(person=person, kind=HoldKind.DISCIPLINE, start=date(start, 3, 1),
                                  end=date(start, 12, 31)))
        for i, u in enumerate(units):  # collective titles of the units
            for y in range(first_year, year):
                if rng.random() < 0.6:
                    records.append(AwardRecord(unit=u, award=awards["TTLDTT"], year=y, kind=AwardKind.MERIT,
                                               decision_number=f"{i}-{y}/QĐ-BTP", decided_on=date(y, 12, 20)))
        Rating.objects.bulk_create(ratings, batch_size=10000)
        AwardRecord.objects.bulk_create(records, batch_size=10000)
        Initiative.objects.bulk_create(initiatives, batch_size=10000)
        through = Initiative.authors.through
        through.objects.bulk_create((through(initiative_id=i.pk, person_id=p.pk) for i, p in zip(initiatives, authors,
                                                                                                   strict=True)),
                                    batch_size=10000)
        Hold.objects.bulk_create(holds)
        counts.update(ratings=len(ratings), award_records=len(records), initiatives=len(initiatives), holds=len(holds))
        lap("history")

        # Work plans and tasks: this year (issued, the bulk of the tasks) and last year.
        PlanYear.objects.get_or_create(year=year, defaults={
            "plan_issue_deadline": date(year, 1, 31), "report_period_start": date(year - 1, 12, 15),
            "report_period_end": date(year, 12, 14)})
        plans = WorkPlan.objects.bulk_create(
            WorkPlan(unit=u, year=y, title=f"Kế hoạch công tác năm {y} của {u.name}", state=PlanState.ISSUED,
                     issue_number=f"{i + 1}/KH-{u.code}", issued_on=date(y, 1, 20), signer="Nguyễn Văn Ký")
            for y in (year - 1, year) for i, u in enumerate(units))
        people_of: dict[int, list[Person]] = {}
        for person in people:
            people_of.setdefault(person.unit_id, []).append(person)
        tasks, per_plan = [], size.tasks // len(plans) + 1
        for plan in plans:
            for k in range(per_plan):
                if len(tasks) >= size.tasks:
                    break
                content = f"{rng.choice(VERBS)} công tác {rng.choice(SUBJECTS)} năm {plan.year} ({k + 1})"
                if rng.random() < 0.1:
                    kind, due = DeadlineKind.NONE, None
                else:
                    kind, due = DeadlineKind.DATE, date(plan.year, 1, 1) + timedelta(days=rng.randrange(365))
                completed = None
                if due and due < today and rng.random() < 0.8:
                    completed = min(today, due + timedelta(days=rng.choice([-10, -3, 0, 0, 2, 15])))
                tasks.append(Task(plan=plan, code=f"{k + 1:03d}", content=content, lead_unit_id=plan.unit_id,
                                  source=rng.choice([TaskSource.OWN_PLAN, TaskSource.OWN_PLAN, TaskSource.MINISTER]),
                                  deadline_kind=kind, due_date=due, original_deadline_kind=kind, original_due_date=due,
                                  output="Báo cáo", priority=Priority.NORMAL, completed_on=completed,
                                  progress_percent=100 if completed else rng.choice([0, 20, 50, 80]),
                                  search_text=fold(content)))
        Task.objects.bulk_create(tasks, batch_size=5000)
        assignees = Task.assignees.through
        cooperating = Task.cooperating_units.through
        assignees.objects.bulk_create(
            (assignees(task_id=t.pk, person_id=rng.choice(people_of[t.lead_unit_id]).pk) for t in tasks
             if people_of.get(t.lead_unit_id)), batch_size=10000)
        cooperating.objects.bulk_create(
            (cooperating(task_id=t.pk, unit_id=rng.choice(units).pk) for t in tasks[::4]), batch_size=10000)
        staff_of = {logins[f"scale_staff_{i + 1}"][2].pk: logins[f"scale_staff_{i + 1}"][0] for i in range(len(units))}
        ProgressReport.objects.bulk_create(
            (ProgressReport(task=t, author=staff_of[t.lead_unit_id], note="Đang triển khai theo kế hoạch.",
                            percent=t.progress_percent) for t in tasks[::10]), batch_size=5000)
        DeadlineAdjustment.objects.bulk_create(
            DeadlineAdjustment(task=t, requested_by=staff_of[t.lead_unit_id], old_deadline_kind=t.deadline_kind,
                               old_due_date=t.due_date, new_deadline_kind=DeadlineKind.DATE,
                               new_due_date=date(year, 12, 31), reason="Chờ ý kiến của các bộ, ngành.")
            for t in [t for t in tasks if t.completed_on is None and t.due_date and t.plan.year == year][::40])
        batch = PetitionBatch.objects.create(body="national_assembly", session=f"Kỳ họp thứ 10 (năm {year})",
                                             received_on=date(year, 1, 10), answer_days=30)
        Petition.objects.bulk_create(
            Petition(batch=batch, code=f"KN-{k + 1:03d}", content=f"Cử tri kiến nghị về công tác {rng.choice(SUBJECTS)}",
                     constituency=rng.choice(PROVINCES), received_on=batch.received_on,
                     answer_deadline=batch.received_on + timedelta(days=30), lead_unit=units[k % len(units)],
                     search_text=fold(f"Cử tri kiến nghị KN-{k + 1:03d}"))
            for k in range(max(10, len(units) // 3)))
        counts["tasks"] = len(tasks)
        lap("tasks")

        # Three campaigns, each with its own scheme: last year's published, this year's two open.
        campaigns = []
        for c in range(size.campaigns):
            campaign_year = year - 1 if c == 0 else year
            scheme = scheme_create_from_dict(actor=admin, data=scheme_document(
                year=campaign_year, lines=size.lines, name=f"Bảng tiêu chí chấm điểm số {c + 1} năm {campaign_year}"))
            scheme_freeze(actor=admin, scheme_id=scheme.pk)
            campaign = Campaign.objects.create(
                name=f"Phong trào thi đua số {c + 1} năm {campaign_year}", year=campaign_year,
                starts_on=date(campaign_year, 1, 1), ends_on=date(campaign_year, 12, 31), scheme=scheme,
                state=CampaignState.PUBLISHED if c == 0 else CampaignState.OPEN,
                published_at=timezone.now() if c == 0 else None)
            campaign.clusters.set(clusters)
            nodes = list(scheme.nodes.filter(kind__in=SCORED_KINDS).order_by("pk"))
            state = ScorecardState.FINAL if c == 0 else None
            cards = Scorecard.objects.bulk_create(
                Scorecard(campaign=campaign, unit=u,
                          state=state or (ScorecardState.DRAFT if i % 3 == 0 else ScorecardState.SUBMITTED),
                          flags=["lanh_dao_bi_ky_luat"] if i % 50 == 7 else [])
                for i, u in enumerate(units))
            ScoreLine.objects.bulk_create(
                (ScoreLine(scorecard=card, node=node, **_entry(rng, node.kind)) for card in cards for node in nodes),
                batch_size=10000)
            Registration.objects.bulk_create(
                Registration(campaign=campaign, unit=u, target="Cờ thi đua của Bộ Tư pháp",
                             registered_by=logins[f"scale_leader_{i + 1}"][0]) for i, u in enumerate(units))
            campaigns.append(campaign)
        counts["campaigns"] = len(campaigns)
        counts["score_lines"] = ScoreLine.objects.count()
        lap("campaigns and scorecards")

        # This year's nominations: one year-end dossier per unit, in a spread of states.
        states = [DossierState.DRAFT, DossierState.SUBMITTED, DossierState.APPROVED, DossierState.APPRAISAL,
                  DossierState.RETURNED, DossierState.COUNCIL]
        meeting = CouncilMeeting.objects.create(title=f"Phiên họp Hội đồng Thi đua – Khen thưởng năm {year}",
                                                held_on=date(year, 12, 20), place="Hà Nội", created_by=officer)
        MeetingMember.objects.bulk_create(MeetingMember(meeting=meeting, user=logins[f"scale_council{k}"][0])
                                          for k in range(1, 4))
        dossiers = Dossier.objects.bulk_create(
            Dossier(unit=u, year=year, kind=AwardKind.MERIT, title=f"Hồ sơ đề nghị khen thưởng năm {year} – {u.name}",
                    search_text=fold(f"Hồ sơ đề nghị khen thưởng năm {year} – {u.name}"), state=states[i % len(states)],
                    meeting=meeting if states[i % len(states)] == DossierState.COUNCIL else None,
                    created_by=logins[f"scale_staff_{i + 1}"][0],
                    submitted_at=None if i % len(states) == 0 else timezone.now())
            for i, u in enumerate(units))
        nominees, per_dossier = [], size.nominations // len(dossiers) + 1
        for d in dossiers:
            candidates = people_of.get(d.unit_id, [])
            chosen = rng.sample(candidates, min(per_dossier, len(candidates)))
            for position, person in enumerate(chosen):
                if len(nominees) >= size.nominations:
                    break
                code = NOMINATED[position % len(NOMINATED)] if position % 7 else "CSTDCS"
                accepted = d.state in (DossierState.APPRAISAL, DossierState.COUNCIL) and position % 5 != 0
                nominees.append(Nominee(dossier=d, person=person, award=awards[code], position=position,
                                        state=NomineeState.ACCEPTED if accepted else NomineeState.PENDING,
                                        achievements="Hoàn thành xuất sắc nhiệm vụ được giao.",
                                        search_text=person.search_text))
        Nominee.objects.bulk_create(nominees, batch_size=5000)
        # The papers of the draft and submitted dossiers, complete (one stored file for them all), so
        # that the load test's unit leaders can move them round (submit ⇄ send back).
        paper = "scale/ho-so-mau.pdf"
        if not default_storage.exists(paper):
            paper = default_storage.save(paper, ContentFile(b"%PDF-1.4\n% seed_scale\n%%EOF\n"))
        movable = {d.pk for d in dossiers if d.state in (DossierState.DRAFT, DossierState.SUBMITTED)}
        papers = [DossierDocument(dossier_id=d_pk, kind=kind, file=paper, original_name=f"{kind}.pdf", size=24)
                  for d_pk in sorted(movable) for kind in DOSSIER_DOCUMENTS]
        papers += [DossierDocument(dossier_id=n.dossier_id, nominee=n, kind=kind, file=paper,
                                   original_name=f"{kind}.pdf", size=24)
                   for n in nominees if n.dossier_id in movable for kind in (n.award.required_documents or [])]
        DossierDocument.objects.bulk_create(papers, batch_size=5000)
        TitleRegistration.objects.bulk_create(
            TitleRegistration(year=year, unit=u, person=people_of[u.pk][0], award=awards["CSTDCS"],
                              created_by=logins[f"scale_staff_{i + 1}"][0])
            for i, u in enumerate(units) if people_of.get(u.pk))
        Quota.objects.create(year=year, award=awards["CSTDCS"], population="staff", max_percent=D(15))
        Decision.objects.create(number=f"1/QĐ-BTP-{year}", signed_on=date(year, 12, 30), signer="Bộ trưởng",
                                created_by=officer)
        counts.update(dossiers=len(dossiers), nominations=len(nominees))
        lap("dossiers and nominations")

        # A little of the rest, so that every page has something to show.
        Notification.objects.bulk_create(
            Notification(recipient=account, kind="office.adjustment.requested",
                         params={"actor": "Hệ thống", "task": "001"}, url="/office/adjustments/")
            for username, (account, *_) in logins.items() for _ in range(3))
        ReportJob.objects.create(kind="office.work_plan_report", params={"unit": units[0].pk, "year": year},
                                 title="Báo cáo", requester=logins["scale_staff_1"][0], state="failed",
                                 error="Mẫu dữ liệu (seed_scale).")
        lap("notifications and jobs")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lap("analyze")
    timings["total"] = round(time.perf_counter() - started, 1)
    return {"counts": counts, "timings": timings, "year": year, "size": size}
