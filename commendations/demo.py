"""Demo data of the commendation app for `manage.py seed_demo`: five years of history (year − 5 …
year − 1) for every demo person and unit — annual ratings, the LĐTT / CSTĐCS titles that follow
from them, a few Bằng khen and CSTĐ cấp Bộ, campaign and ad-hoc awards that must not count,
initiatives (some already used by an award), and a few holds — so that the eligibility page has
something to say.

Most people's histories are drawn with `random.Random`, seeded per person's e-mail, so the same
person always gets the same history. A handful of people of Sở Tư pháp Hà Nội (the demo leader's
and staff's unit) get a written script instead: one eligible for Chiến sĩ thi đua cấp Bộ, others
failing it for a visible reason (a broken CSTĐCS streak, an initiative already used, an
investigation in progress, a discipline that ended), one eligible for Bằng khen của Thủ tướng and
one failing it. The seed output names them, as judged by the engine itself.

A person (or unit) gets history once: when they have no rating yet. Rows are written with
bulk_create, so re-running creates nothing. No audit entries are written for demo rows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from commendations import eligibility
from commendations.enums import AwardKind, HoldKind, InitiativeLevel, RatingGrade
from commendations.histories import person_histories, rule_set
from commendations.models import Award, AwardRecord, Hold, Initiative, Rating
from portal.enums import UnitKind
from portal.models import Person, Unit

SEED = "tdkt-commendations-demo"
SHOWCASE_UNIT = "STP-HN"
MINISTER = "Bộ trưởng Bộ Tư pháp"
HTXS, HTT, HT, KHT = RatingGrade.HTXSNV, RatingGrade.HTTNV, RatingGrade.HTNV, RatingGrade.KHTNV
# (share, grade weights HTXSNV/HTTNV/HTNV/KHTNV): a few strong performers, most good, some weaker
PROFILES = ((15, (70, 28, 2, 0)), (55, (22, 68, 9, 1)), (30, (6, 66, 24, 4)))
# chance per year of a unit-level / ministry-level / national initiative, by profile
INITIATIVE_CHANCES = ((0.35, 0.10, 0.01), (0.12, 0.03, 0.0), (0.04, 0.0, 0.0))
TOPICS = (
    "Số hoá hồ sơ lý lịch tư pháp",
    "Rút ngắn thời gian cấp phiếu lý lịch tư pháp",
    "Ứng dụng chữ ký số trong chứng thực bản sao điện tử",
    "Chuẩn hoá quy trình đăng ký hộ tịch trực tuyến",
    "Mô hình tư vấn pháp luật lưu động cho đồng bào dân tộc thiểu số",
    "Bộ câu hỏi – đáp pháp luật trên nền tảng số",
    "Theo dõi thi hành án dân sự bằng bảng điều khiển điện tử",
    "Kiểm tra văn bản quy phạm pháp luật theo danh mục rủi ro",
    "Quy trình phối hợp liên thông khai sinh – thường trú – bảo hiểm y tế",
    "Cơ sở dữ liệu hoà giải ở cơ sở",
    "Tập huấn trực tuyến cho công chức tư pháp – hộ tịch cấp xã",
    "Sổ tay nghiệp vụ trợ giúp pháp lý",
)


@dataclass
class PlannedAward:
    code: str
    year: int
    kind: str = AwardKind.MERIT
    decision: str = ""
    decided_on: date | None = None
    signer: str = ""


@dataclass
class PlannedInitiative:
    title: str
    year: int
    level: str
    decision: str
    consumed_by: int | None = None  # index into the plan's awards


@dataclass
class Plan:
    """One person's (or unit's) history to write."""

    ratings: list[tuple[int, str, Decimal | None, int, int]] = field(default_factory=list)
    awards: list[PlannedAward] = field(default_factory=list)
    initiatives: list[PlannedInitiative] = field(default_factory=list)
    holds: list[tuple[str, date, date | None, str]] = field(default_factory=list)

    def add_award(self, award: PlannedAward) -> int:
        self.awards.append(award)
        return len(self.awards) - 1

    def merit(self, code: str) -> set[int]:
        return {a.year for a in self.awards if a.code == code and a.kind == AwardKind.MERIT}


@dataclass(frozen=True)
class Showcase:
    """A scripted person of the demo leader's unit, and what the eligibility page should say."""

    key: str
    award: str  # the award the script is about
    eligible: bool
    reason: str  # shown in the seed output (Vietnamese, with English in brackets)


SHOWCASES = (
    Showcase("cstdbo_ok", eligibility.CSTDBO, True, ""),
    Showcase("cstdbo_streak", eligibility.CSTDBO, False, "chuỗi CSTĐCS bị gián đoạn (broken CSTĐCS streak)"),
    Showcase("cstdbo_used", eligibility.CSTDBO, False, "sáng kiến cấp Bộ đã dùng cho khen thưởng khác (initiative already used)"),
    Showcase("cstdbo_hold", eligibility.CSTDBO, False, "đang bị điều tra (investigation in progress)"),
    Showcase("cstdbo_discipline", eligibility.CSTDBO, False, "kỷ luật đã hết, thành tích chỉ tính từ năm hết kỷ luật "
             "(discipline ended; achievements count only from its end)"),
    Showcase("bkttg_ok", eligibility.BKTTG, True, ""),
    Showcase("bkttg_short", eligibility.BKTTG, False, "chỉ 2 CSTĐCS sau Bằng khen cấp Bộ (only 2 CSTĐCS since the Bằng khen)"),
)


# --- Drawing histories -----------------------------------------------------------------------------


class DecisionNumbers:
    """Decision numbers: one per unit and year for unit-level titles, one per year at the ministry."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, int], int] = {}

    def number(self, issuer: str, year: int, base: int) -> str:
        key = (issuer, year)
        if key not in self.numbers:
            self.numbers[key] = base + len(self.numbers) % 90
        return f"{self.numbers[key]}/QĐ-{issuer}"


def _score(rng: random.Random, grade: str) -> Decimal:
    low, high = {HTXS: (90, 98), HTT: (80, 89), HT: (65, 79), KHT: (40, 60)}[grade]
    return Decimal(rng.randint(low * 2, high * 2)) / 2


def _unit_title(plan: Plan, code: str, year: int, unit: Unit, decisions: DecisionNumbers, kind: str = AwardKind.MERIT) -> int:
    return plan.add_award(PlannedAward(
        code, year, kind, decisions.number(unit.code, year, 100), date(year, 12, 20),
        f"Thủ trưởng {unit.short_name or unit.name}",
    ))


def _ministry_award(plan: Plan, code: str, year: int, decisions: DecisionNumbers, kind: str = AwardKind.MERIT) -> int:
    return plan.add_award(PlannedAward(code, year, kind, decisions.number("BTP", year, 3000), date(year, 12, 28), MINISTER))


def _initiative_title(rng: random.Random, unit: Unit) -> str:
    return f"{rng.choice(TOPICS)} tại {unit.short_name or unit.name}"


def _initiative_decision(level: str, year: int, unit: Unit) -> str:
    issuer = unit.code if level == InitiativeLevel.UNIT else "BTP" if level == InitiativeLevel.MINISTRY else "TTg"
    return f"{(year % 100) * 3 + 11}/QĐ-{issuer}"


def random_plan(person: Person, unit: Unit, years: range, decisions: DecisionNumbers) -> Plan:
    """A plausible history: ratings from a profile, the titles they earn, initiatives, a few awards."""
    rng = random.Random(f"{SEED}:{person.email or person.pk}")
    (profile,) = rng.choices(range(len(PROFILES)), weights=[share for share, _w in PROFILES])
    weights = PROFILES[profile][1]
    chances = INITIATIVE_CHANCES[profile]
    plan = Plan()
    free_unit: list[int] = []  # indexes of unused unit-level initiatives
    free_ministry: list[int] = []
    cstdcs_run = 0
    if profile == 0 and rng.random() < 0.35:
        # a Bằng khen of the Minister before the years shown: the Prime Minister's may follow
        _ministry_award(plan, eligibility.BKBT, years.start - rng.randint(1, 3), decisions)
    for year in years:
        months, maternity = 12, 0
        roll = rng.random()
        if roll < 0.03:
            months = rng.randint(2, 5)  # joined late, or a long illness: not rated
        elif roll < 0.07 and person.gender == "female":
            months, maternity = 6, 6
        grade = rng.choices((HTXS, HTT, HT, KHT), weights=weights)[0]
        rated = months + maternity >= eligibility.MIN_MONTHS_RATED
        plan.ratings.append((year, grade, _score(rng, grade) if rated else None, months, maternity))
        for level, chance, pool in ((InitiativeLevel.UNIT, chances[0], free_unit),
                                    (InitiativeLevel.MINISTRY, chances[1], free_ministry),
                                    (InitiativeLevel.NATIONAL, chances[2], None)):
            if rng.random() < chance:
                plan.initiatives.append(PlannedInitiative(
                    _initiative_title(rng, unit), year, level, _initiative_decision(level, year, unit)))
                if pool is not None:
                    pool.append(len(plan.initiatives) - 1)
        if rng.random() < 0.008:
            # a complaint against the person, settled within the year
            start = date(year, rng.randint(1, 8), rng.randint(1, 28))
            plan.holds.append((HoldKind.COMPLAINT, start, date(year, start.month + 3, start.day), "Đã giải quyết khiếu nại"))
        if not rated or grade not in (HTXS, HTT):
            cstdcs_run = 0
            continue
        _unit_title(plan, eligibility.LDTT, year, unit, decisions)
        this_year_unit = [i for i in free_unit if plan.initiatives[i].year == year]
        got_cstdcs = False
        if grade == HTXS and rng.random() < 0.6:
            _unit_title(plan, eligibility.CSTDCS, year, unit, decisions)
            got_cstdcs = True
        elif this_year_unit and rng.random() < 0.5:
            index = _unit_title(plan, eligibility.CSTDCS, year, unit, decisions)
            plan.initiatives[this_year_unit[0]].consumed_by = index
            free_unit.remove(this_year_unit[0])
            got_cstdcs = True
        cstdcs_run = cstdcs_run + 1 if got_cstdcs else 0
        recent_ministry = [i for i in free_ministry if plan.initiatives[i].year >= year - 2]
        if cstdcs_run >= 3 and recent_ministry and year < years.stop - 1 and rng.random() < 0.7:
            index = _ministry_award(plan, eligibility.CSTDBO, year, decisions)
            plan.initiatives[recent_ministry[0]].consumed_by = index
            free_ministry.remove(recent_ministry[0])
            cstdcs_run = 0
        elif cstdcs_run >= 2 and rng.random() < 0.25:
            _ministry_award(plan, eligibility.BKBT, year, decisions)
        if rng.random() < 0.06:
            _unit_title(plan, eligibility.GK, year, unit, decisions, kind=AwardKind.CAMPAIGN)
        if rng.random() < 0.015:
            _ministry_award(plan, eligibility.BKBT, year, decisions, kind=AwardKind.AD_HOC)
    return plan


# --- The scripted people ---------------------------------------------------------------------------


def _titles(plan: Plan, unit: Unit, decisions: DecisionNumbers, *, ldtt: list[int], cstdcs: list[int]) -> None:
    for year in sorted(set(ldtt) | set(cstdcs)):
        _unit_title(plan, eligibility.LDTT, year, unit, decisions)
        if year in cstdcs:
            _unit_title(plan, eligibility.CSTDCS, year, unit, decisions)


def scripted_plan(key: str, person: Person, unit: Unit, years: range, decisions: DecisionNumbers) -> Plan:
    """The history that makes the showcase say what SHOWCASES promises, for proposal year Y = last year."""
    y = years.stop - 1
    first = years.start
    plan = Plan()

    def rate(grades: dict[int, str]) -> None:
        for year in years:
            grade = grades.get(year, HTXS)
            plan.ratings.append((year, grade, _score(random.Random(f"{key}{year}"), grade), 12, 0))

    def initiative(year: int, level: str, consumed_by: int | None = None, topic: int = 0) -> None:
        plan.initiatives.append(PlannedInitiative(
            f"{TOPICS[topic % len(TOPICS)]} tại {unit.short_name or unit.name}", year, level,
            _initiative_decision(level, year, unit), consumed_by))

    everything = list(years)
    if key == "cstdbo_ok":
        rate({})
        _titles(plan, unit, decisions, ldtt=everything, cstdcs=[y - 2, y - 1, y])
        initiative(y - 1, InitiativeLevel.MINISTRY, topic=0)
        initiative(y - 3, InitiativeLevel.UNIT, topic=5)
        _unit_title(plan, eligibility.GK, y - 3, unit, decisions, kind=AwardKind.CAMPAIGN)
    elif key == "cstdbo_streak":
        rate({y - 1: HTT})
        _titles(plan, unit, decisions, ldtt=everything, cstdcs=[y - 2, y])
        initiative(y, InitiativeLevel.MINISTRY, topic=1)
    elif key == "cstdbo_used":
        rate({})
        _titles(plan, unit, decisions, ldtt=everything, cstdcs=[y - 3, y - 2, y - 1, y])
        bkbt = _ministry_award(plan, eligibility.BKBT, y - 2, decisions)
        initiative(y - 2, InitiativeLevel.MINISTRY, consumed_by=bkbt, topic=2)
    elif key == "cstdbo_hold":
        rate({})
        _titles(plan, unit, decisions, ldtt=everything, cstdcs=[y - 2, y - 1, y])
        initiative(y - 1, InitiativeLevel.MINISTRY, topic=3)
        plan.holds.append((HoldKind.INVESTIGATION, date(y, 10, 10), None, "Đang xác minh đơn tố cáo"))
    elif key == "cstdbo_discipline":
        # disciplined from March of Y-2 to February of Y-1: rated KHTNV in Y-2, counts again from Y-1
        rate({y - 2: KHT})
        _titles(plan, unit, decisions, ldtt=[year for year in everything if year != y - 2],
                cstdcs=[y - 4, y - 3, y - 1, y])
        initiative(y - 1, InitiativeLevel.MINISTRY, topic=4)
        plan.holds.append((HoldKind.DISCIPLINE, date(y - 2, 3, 1), date(y - 1, 2, 28), "Khiển trách, QĐ số 12/QĐ-STP"))
    elif key == "bkttg_ok":
        _ministry_award(plan, eligibility.BKBT, first - 1, decisions)
        rate({first: HTT, first + 2: HTT})
        _titles(plan, unit, decisions, ldtt=everything, cstdcs=[first + 1, first + 3, y])
    elif key == "bkttg_short":
        _ministry_award(plan, eligibility.BKBT, first - 1, decisions)
        rate({first: HTT, first + 1: HTT, first + 3: HTT})
        _titles(plan, unit, decisions, ldtt=everything, cstdcs=[first + 2, y])
        _ministry_award(plan, eligibility.BKBT, first + 1, decisions, kind=AwardKind.CAMPAIGN)
    return plan


def showcase_people(people: list[Person]) -> dict[str, Person]:
    """The scripted people: staff of the showcase unit itself without a login, by e-mail order."""
    candidates = sorted(
        (p for p in people if p.unit.code == SHOWCASE_UNIT and p.user_id is None and p.full_name != "Nguyễn Anh Tuấn"),
        key=lambda p: p.email,
    )
    return {showcase.key: person for showcase, person in zip(SHOWCASES, candidates, strict=False)}


def _unit_plans(units: list[Unit], plans: dict[int, Plan], people: list[Person], years: range,
                decisions: DecisionNumbers) -> dict[int, Plan]:
    """Each unit's own rating and collective title, consistent with its members' titles that year."""
    members: dict[int, list[int]] = defaultdict(list)
    by_path = {unit.path: unit.pk for unit in units}
    for person in people:
        parts = person.unit.path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            unit_id = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if unit_id is not None:
                members[unit_id].append(person.pk)
    by_pk = {unit.pk: unit for unit in units}
    unit_plans = {}
    for unit in units:
        if unit.kind == UnitKind.MINISTRY or not members[unit.pk]:
            continue
        rng = random.Random(f"{SEED}:unit:{unit.code}")
        plan = Plan()
        for year in years:
            grade = rng.choices((HTXS, HTT, HT), weights=(45, 50, 5))[0]
            plan.ratings.append((year, grade, None, 12, 0))
            staff = [plans[pk] for pk in members[unit.pk] if pk in plans]
            ldtt = sum(1 for p in staff if year in p.merit(eligibility.LDTT))
            cstdcs = sum(1 for p in staff if year in p.merit(eligibility.CSTDCS))
            grades = [r[1] for p in staff for r in p.ratings if r[0] == year and r[3] + r[4] >= 6]
            if grade == HTXS and staff and ldtt * 10 >= 7 * len(staff) and cstdcs and KHT not in grades:
                _ministry_award(plan, eligibility.TTLDXS, year, decisions)
            elif grade in (HTXS, HTT) and staff and ldtt * 2 >= len(staff):
                _unit_title(plan, eligibility.TTLDTT, year, by_pk.get(unit.parent_id, unit), decisions)
        unit_plans[unit.pk] = plan
    return unit_plans


# --- Writing ---------------------------------------------------------------------------------------


def _write(plans: dict[tuple[str, int], Plan], awards: dict[str, Award]) -> dict[str, int]:
    """Bulk-create every planned row; (\"person\"|\"unit\", id) → plan."""
    ratings, records, holds = [], [], []
    record_index: list[tuple[tuple[str, int], int]] = []
    for (kind, owner_id), plan in plans.items():
        owner = {f"{kind}_id": owner_id}
        for year, grade, score, months, maternity in plan.ratings:
            ratings.append(Rating(year=year, grade=grade, score=score, months_worked=months, maternity_months=maternity,
                                  **owner))
        for index, award in enumerate(plan.awards):
            records.append(AwardRecord(award=awards[award.code], year=award.year, kind=award.kind,
                                       decision_number=award.decision, decided_on=award.decided_on, signer=award.signer,
                                       **owner))
            record_index.append(((kind, owner_id), index))
        for hold_kind, start, end, note in plan.holds:
            holds.append(Hold(kind=hold_kind, start=start, end=end, note=note, **owner))
    Rating.objects.bulk_create(ratings, batch_size=2000)
    AwardRecord.objects.bulk_create(records, batch_size=2000)
    Hold.objects.bulk_create(holds, batch_size=2000)
    created = dict(zip(record_index, records, strict=True))

    initiatives, authors = [], []
    for (kind, owner_id), plan in plans.items():
        if kind != "person":
            continue
        for planned in plan.initiatives:
            consumed = created[((kind, owner_id), planned.consumed_by)] if planned.consumed_by is not None else None
            initiatives.append(Initiative(title=planned.title, year=planned.year, level=planned.level,
                                          decision_number=planned.decision, consumed_by=consumed))
            authors.append(owner_id)
    Initiative.objects.bulk_create(initiatives, batch_size=2000)
    through = Initiative.authors.through
    through.objects.bulk_create(
        [through(initiative_id=initiative.pk, person_id=person_id) for initiative, person_id in zip(initiatives, authors,
                                                                                                   strict=True)],
        batch_size=2000,
    )
    return {"ratings": len(ratings), "awards": len(records), "initiatives": len(initiatives), "holds": len(holds)}


def build_commendations_demo(*, year: int, people: list[Person], units: dict[str, Unit], today: date | None = None,
                             stdout=None) -> dict:
    """Write the five years of history that are missing; print the showcase people and verdicts."""
    today = today or timezone.localdate()
    years = range(year - 5, year)
    awards = {award.code: award for award in Award.objects.all()}
    people = sorted(people, key=lambda p: p.pk)
    unit_by_pk = {unit.pk: unit for unit in units.values()}
    for person in people:
        person.unit = unit_by_pk.get(person.unit_id) or person.unit
    decisions = DecisionNumbers()
    showcase = showcase_people(people)
    scripted = {person.pk: key for key, person in showcase.items()}
    plans = {
        person.pk: (scripted_plan(scripted[person.pk], person, person.unit, years, decisions) if person.pk in scripted
                    else random_plan(person, person.unit, years, decisions))
        for person in people
    }
    unit_plans = _unit_plans(list(units.values()), plans, people, years, decisions)
    rated_people = set(Rating.objects.filter(person__in=people).values_list("person_id", flat=True).distinct())
    rated_units = set(Rating.objects.filter(unit__in=units.values()).values_list("unit_id", flat=True).distinct())
    missing = {("person", pk): plan for pk, plan in plans.items() if pk not in rated_people}
    missing |= {("unit", pk): plan for pk, plan in unit_plans.items() if pk not in rated_units}
    counts = _write(missing, awards)
    _say(stdout, f"Lịch sử khen thưởng {years.start}–{years.stop - 1} (commendation history): "
                 f"xếp loại (ratings) mới {counts['ratings']}, khen thưởng (awards) mới {counts['awards']}, "
                 f"sáng kiến (initiatives) mới {counts['initiatives']}, tạm hoãn (holds) mới {counts['holds']}")
    verdicts = showcase_verdicts(showcase, year=years.stop - 1, on=max(today, date(year - 1, 12, 31)))
    for award_code, label in ((eligibility.CSTDBO, "Chiến sĩ thi đua cấp Bộ"), (eligibility.BKTTG, "Bằng khen Thủ tướng")):
        rows = [(s, showcase[s.key], verdicts[s.key]) for s in SHOWCASES if s.award == award_code and s.key in showcase]
        good = ", ".join(person.full_name for _s, person, verdict in rows if verdict.eligible)
        bad = "; ".join(f"{person.full_name} — {s.reason}" for s, person, verdict in rows if not verdict.eligible)
        _say(stdout, f"Xét {label} {years.stop - 1} tại {SHOWCASE_UNIT} (eligibility demo): "
                     f"đủ điều kiện (eligible): {good or '—'}; không đủ (not eligible): {bad or '—'}")
    return {**counts, "showcase": {key: person.full_name for key, person in showcase.items()}}


def showcase_verdicts(showcase: dict[str, Person], *, year: int, on: date) -> dict[str, eligibility.Verdict]:
    """What the engine says of each scripted person for the award their script is about."""
    histories = person_histories(showcase.values(), up_to_year=year)
    rules = rule_set(on)
    by_key = {s.key: s for s in SHOWCASES}
    return {
        key: eligibility.evaluate_in_force(rules, by_key[key].award, histories[person.pk], year, on)
        for key, person in showcase.items()
    }


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
