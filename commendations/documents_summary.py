"""The year-end summary (Báo cáo tổng kết công tác thi đua, khen thưởng năm N): the ministry-wide
paper of the emulation and commendation work of a year, with its Excel twin.

It gathers, for the year: the emulation campaigns and their results per cluster (leader and the
number of units per grade, from emulation.documents.campaign_ranking); the awards received
(commendations.AwardRecord of the year) by title or form, by kind, by level, by top-level unit
(each unit's sub-tree summed) and by gender; the dossiers and nominees by state; the work-plan
completion figures (office.documents.ministry_work_plan_figures); and, as its annex, the list of
every awardee. Charts are inline SVG drawn in Python (portal.documents.charts).

`year_end_summary()` reads everything in a fixed number of queries whatever the number of units,
people or awards (the campaigns of the year add a fixed number each), and hands plain values to
the template. Who may print it: the emulation officers, the system administrators and the
council members (the people who see the whole ministry's commendation work).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django import forms
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from commendations.enums import AwardCategory, AwardKind, AwardLevel, DossierState, NomineeState
from commendations.models import Award, AwardRecord, Dossier, Nominee
from commendations.rules import runs_commendations
from emulation.documents import CampaignRanking, campaign_ranking
from emulation.enums import CampaignState
from emulation.models import Campaign
from office.documents import MinistryWorkPlanFigures, ministry_work_plan_figures
from portal.documents import Document, DocumentError, charts, register_document
from portal.documents.forms import ReportParamsForm
from portal.enums import Gender
from portal.models import Unit
from portal.rules import is_council_member
from portal.templatetags.documents import format_vn_number

YEAR_END_SUMMARY = "commendations.year_end_summary"
MINISTRY_DEFAULT = "Bộ Tư pháp"
OUTSIDE_CLUSTERS = "Các đơn vị không thuộc cụm thi đua"
# How many units the "awards by unit" chart shows (the table lists them all).
CHART_TOP_UNITS = 15

summary_readers = runs_commendations | is_council_member


# --- The figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Awards counted twice over: to individuals and to collectives."""

    persons: int = 0
    collectives: int = 0

    @property
    def total(self) -> int:
        return self.persons + self.collectives

    def plus(self, *, person: bool) -> Tally:
        return Tally(self.persons + person, self.collectives + (not person))


@dataclass(frozen=True)
class AwardLine:
    """One title or form of the catalogue with the awards of the year."""

    code: str
    name: str
    category: str
    category_label: str
    level: str
    level_label: str
    tally: Tally


@dataclass(frozen=True)
class LabelledTally:
    key: str
    label: str
    tally: Tally
    percent: float | None = None  # share of all the awards of the year


@dataclass(frozen=True)
class UnitLine:
    """A top-level unit with the awards of its whole sub-tree (its people and its collectives)."""

    unit_id: int
    code: str
    name: str
    tally: Tally
    titles: int  # of which emulation titles (danh hiệu), the rest forms of commendation


@dataclass(frozen=True)
class GenderLine:
    gender: str
    label: str
    awards: int  # awards to individuals of that gender
    people: int  # distinct individuals awarded
    percent: float | None  # share of the awards to individuals


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


@dataclass(frozen=True)
class ClusterResult:
    name: str
    unit_count: int
    leader: str  # the unit ranked first ("" when nobody was ranked)
    leader_total: Decimal | None
    grade_counts: tuple[int, ...]  # in CampaignResult.grade_labels order (+ the ungraded, last)


@dataclass(frozen=True)
class CampaignResult:
    campaign_id: int
    name: str
    scheme_name: str
    state_label: str
    published: bool
    unit_count: int
    grade_labels: tuple[str, ...]  # best first; "Không đạt xếp loại" last when some unit has none
    clusters: tuple[ClusterResult, ...]
    grade_totals: tuple[int, ...]
    chart: SafeString = SafeString("")

    @property
    def grade_summary(self) -> tuple[tuple[str, int], ...]:
        return tuple(zip(self.grade_labels, self.grade_totals, strict=True))


@dataclass(frozen=True)
class AnnexRow:
    number: int  # STT within the award's list
    name: str
    unit: str  # the person's unit, or the collective itself's parent
    is_person: bool
    decision_number: str
    decided_on: date | None


@dataclass(frozen=True)
class AnnexSection:
    """The awardees of one top-level unit (its sub-tree) under one decision: individuals first,
    each in name order."""

    unit_name: str
    decision: str  # "Quyết định số 186/QĐ-BTTP ngày 20/12/2025", "" when not recorded
    rows: tuple[AnnexRow, ...]


@dataclass(frozen=True)
class AnnexGroup:
    """The awardees of one title or form of one kind, by top-level unit."""

    award_name: str
    kind_label: str
    sections: tuple[AnnexSection, ...]
    count: int


@dataclass(frozen=True)
class YearEndSummary:
    year: int
    as_of: date
    ministry_name: str
    campaigns: tuple[CampaignResult, ...]
    totals: Tally
    people_awarded: int  # distinct individuals
    units_awarded: int  # distinct collectives
    by_award: tuple[AwardLine, ...]
    by_kind: tuple[LabelledTally, ...]
    by_level: tuple[LabelledTally, ...]
    by_unit: tuple[UnitLine, ...]
    by_gender: tuple[GenderLine, ...]
    dossiers: tuple[StateCount, ...]
    nominees: tuple[StateCount, ...]
    work_plans: MinistryWorkPlanFigures
    annex: tuple[AnnexGroup, ...]
    charts: dict[str, SafeString] = field(default_factory=dict)

    @property
    def dossier_total(self) -> int:
        return sum(line.count for line in self.dossiers)

    @property
    def nominee_total(self) -> int:
        return sum(line.count for line in self.nominees)

    @property
    def titles(self) -> tuple[AwardLine, ...]:
        return tuple(line for line in self.by_award if line.category == AwardCategory.TITLE)

    @property
    def forms(self) -> tuple[AwardLine, ...]:
        return tuple(line for line in self.by_award if line.category == AwardCategory.FORM)

    def award(self, code: str) -> AwardLine | None:
        return next((line for line in self.by_award if line.code == code), None)

    @property
    def is_empty(self) -> bool:
        return not (self.campaigns or self.totals.total or self.dossiers or self.work_plans.totals.total
                    or self.work_plans.plans.plans)


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else round(part * 100 / whole, 1)


def _vn(value) -> str:
    return format_vn_number(Decimal(str(value)))


def _vn_percent(share: Decimal) -> str:
    return f"{format_vn_number(Decimal(share), 1)}%"


def _top_key(path: str, single_root: bool) -> str:
    """The path of the top-level unit a unit counts under: the ministry's direct children when the
    tree has one root (the root itself for its own people), else the roots."""
    parts = path.strip("/").split("/")
    keep = 2 if single_root and len(parts) >= 2 else 1
    return "/" + "/".join(parts[:keep]) + "/"


def _campaign_result(ranking: CampaignRanking, state_label: str) -> CampaignResult:
    ungraded = any(grade.grade == "" and grade.count for cluster in ranking.clusters for grade in cluster.grades)
    labels = ranking.grade_labels + (("Không đạt xếp loại",) if ungraded else ())
    clusters = []
    for cluster in ranking.clusters:
        counts = {grade.grade: grade.count for grade in cluster.grades}
        leader = cluster.leader
        clusters.append(
            ClusterResult(
                name=cluster.cluster_name or OUTSIDE_CLUSTERS,
                unit_count=len(cluster.rows),
                leader=leader.unit_name if leader else "",
                leader_total=leader.total if leader else None,
                grade_counts=tuple(counts.get(label, 0) for label in ranking.grade_labels)
                + ((counts.get("", 0),) if ungraded else ()),
            )
        )
    totals = tuple(sum(cluster.grade_counts[i] for cluster in clusters) for i in range(len(labels)))
    chart = charts.stacked_bar_chart(
        [(cluster.name, cluster.grade_counts) for cluster in clusters], labels,
        title="Số đơn vị theo xếp loại trong từng cụm, khối thi đua", number=_vn,
    ) if clusters and labels else ""
    return CampaignResult(
        campaign_id=ranking.campaign_id,
        name=ranking.campaign_name,
        scheme_name=ranking.scheme_name,
        state_label=state_label,
        published=ranking.published,
        unit_count=ranking.unit_count,
        grade_labels=labels,
        clusters=tuple(clusters),
        grade_totals=totals,
        chart=mark_safe(chart),  # noqa: S308 - built by portal.documents.charts, which escapes every label
    )


def _decision_words(number: str, decided_on: date | None) -> str:
    if not number and not decided_on:
        return ""
    words = f"Quyết định số {number}" if number else "Quyết định"
    return f"{words} ngày {decided_on:%d/%m/%Y}" if decided_on else words


def _annex_group(award_name: str, kind: str, rows_by_top: dict[str, list[tuple]], tops: dict[str, dict]) -> AnnexGroup:
    """One award's list: sections by top-level unit (name order) and decision, individuals then
    collectives, numbered through."""
    order = sorted(rows_by_top, key=lambda path: (tops[path]["sort_key"], path) if path in tops else ("\uffff", path))
    sections, number = [], 0
    for path in order:
        by_decision: dict[tuple[str, date | None], list[tuple]] = defaultdict(list)
        for row in rows_by_top[path]:
            by_decision[(row[5], row[6])].append(row)
        for (decision_number, decided_on) in sorted(by_decision, key=lambda key: (key[1] or date.min, key[0])):
            rows = []
            for _collective, _sort, name, unit, is_person, _number, _on in sorted(by_decision[(decision_number, decided_on)],
                                                                                key=lambda r: r[:4]):
                number += 1
                rows.append(AnnexRow(number, name, unit, is_person, decision_number, decided_on))
            sections.append(AnnexSection(tops[path]["name"] if path in tops else "",
                                         _decision_words(decision_number, decided_on), tuple(rows)))
    label = str(AwardKind(kind).label) if kind in AwardKind.values else kind
    return AnnexGroup(award_name, label, tuple(sections), number)


def year_end_summary(*, year: int, today: date | None = None, annex: bool = True, progress=None) -> YearEndSummary:
    """Everything the year-end summary prints for `year`, as plain values.

    Awards are the AwardRecords of the year (every kind); a person counts under the top-level unit
    of the unit they work in now. Work-plan statuses are as of `today`. Read in Vietnamese (call
    it under translation.override("vi") for the paper). Queries: 6 here, 6 for the work plans and
    14 per campaign of the year, whatever the number of units, people or awards.
    """
    today = today or timezone.localdate()
    report = progress or (lambda percent: None)

    # 1. Campaigns of the year (any that got past the draft) and their results per cluster.
    campaigns = list(
        Campaign.objects.filter(year=year).exclude(state=CampaignState.DRAFT).order_by("name", "pk").values_list("pk", "state")
    )
    results = []
    for index, (campaign_id, state) in enumerate(campaigns, start=1):
        results.append(_campaign_result(campaign_ranking(campaign_id=campaign_id), str(CampaignState(state).label)))
        report(5 + 35 * index // len(campaigns))
    report(40)

    # 2. The organisation's top of the tree, and the catalogue.
    tops = list(
        Unit.objects.filter(depth__lte=1).order_by("sort_key", "pk")
        .values("pk", "code", "name", "path", "depth", "is_active", "sort_key")
    )
    roots = [unit for unit in tops if unit["depth"] == 0]
    single_root = len(roots) == 1
    top_units = [unit for unit in tops if unit["depth"] == (1 if single_root else 0)]
    ministry_name = roots[0]["name"] if single_root else MINISTRY_DEFAULT
    catalogue = {
        row["pk"]: row
        for row in Award.objects.order_by("position", "code").values("pk", "code", "name", "category", "level", "position")
    }

    # 3. The awards of the year, one row each (the annex lists them all).
    records = list(
        AwardRecord.objects.filter(year=year)
        .order_by()
        .values_list(
            "award_id", "kind", "person_id", "person__full_name", "person__gender", "person__sort_key",
            "person__unit__name", "person__unit__path", "unit_id", "unit__name", "unit__sort_key", "unit__path",
            "unit__parent__name", "decision_number", "decided_on",
        )
    )
    report(60)

    by_path = {unit["path"]: unit for unit in tops}
    by_award: dict[int, Tally] = defaultdict(Tally)
    by_kind: dict[str, Tally] = defaultdict(Tally)
    by_level: dict[str, Tally] = defaultdict(Tally)
    by_top: dict[str, Tally] = defaultdict(Tally)
    titles_by_top: Counter[str] = Counter()
    gender_awards: Counter[str] = Counter()
    gender_people: dict[str, set[int]] = defaultdict(set)
    people, collectives = set(), set()
    annex_rows: dict[tuple[int, str], dict[str, list[tuple]]] = {}
    for (award_id, kind, person_id, full_name, gender, person_sort, person_unit, person_path, unit_id, unit_name,
         unit_sort, unit_path, unit_parent, decision_number, decided_on) in records:
        is_person = person_id is not None
        award = catalogue[award_id]
        by_award[award_id] = by_award[award_id].plus(person=is_person)
        by_kind[kind] = by_kind[kind].plus(person=is_person)
        by_level[award["level"]] = by_level[award["level"]].plus(person=is_person)
        top = _top_key(person_path if is_person else unit_path, single_root)
        by_top[top] = by_top[top].plus(person=is_person)
        if award["category"] == AwardCategory.TITLE:
            titles_by_top[top] += 1
        if is_person:
            people.add(person_id)
            gender_awards[gender] += 1
            gender_people[gender].add(person_id)
        else:
            collectives.add(unit_id)
        if annex:
            rows = annex_rows.setdefault((award_id, kind), defaultdict(list))
            rows[top].append((
                not is_person, person_sort if is_person else unit_sort, full_name if is_person else unit_name,
                person_unit if is_person else (unit_parent or ""), is_person, decision_number or "", decided_on,
            ))
    report(70)

    # 4. Dossiers and nominees of the year by state.
    dossier_counts = dict(Dossier.objects.filter(year=year).order_by().values_list("state").annotate(n=Count("pk")))
    nominee_counts = dict(
        Nominee.objects.filter(dossier__year=year).order_by().values_list("state").annotate(n=Count("pk"))
    )
    report(75)

    # 5. The work plans of the year (H5's figures, the dashboards' own).
    work_plans = ministry_work_plan_figures(year=year, today=today)
    report(90)

    individual_awards = sum(gender_awards.values())
    genders = [
        GenderLine(choice.value, str(choice.label), gender_awards[choice.value], len(gender_people[choice.value]),
                   _percent(gender_awards[choice.value], individual_awards))
        for choice in Gender
    ]
    kind_order = {choice.value: index for index, choice in enumerate(AwardKind)}
    award_order = sorted(annex_rows, key=lambda key: (catalogue[key[0]]["position"], catalogue[key[0]]["code"],
                                                     kind_order.get(key[1], 99)))
    persons = sum(t.persons for t in by_award.values())
    collectives_total = sum(t.collectives for t in by_award.values())
    summary = YearEndSummary(
        year=year,
        as_of=today,
        ministry_name=ministry_name,
        campaigns=tuple(results),
        totals=Tally(persons, collectives_total),
        people_awarded=len(people),
        units_awarded=len(collectives),
        by_award=tuple(
            AwardLine(award["code"], award["name"], award["category"], str(AwardCategory(award["category"]).label),
                      award["level"], str(AwardLevel(award["level"]).label), by_award[pk])
            for pk, award in catalogue.items() if pk in by_award
        ),
        by_kind=tuple(LabelledTally(c.value, str(c.label), by_kind[c.value]) for c in AwardKind if c.value in by_kind),
        by_level=tuple(
            LabelledTally(c.value, str(c.label), by_level.get(c.value, Tally()),
                          _percent(by_level.get(c.value, Tally()).total, persons + collectives_total))
            for c in AwardLevel
        ),
        by_unit=tuple(
            UnitLine(unit["pk"], unit["code"], unit["name"], by_top.get(unit["path"], Tally()), titles_by_top[unit["path"]])
            for unit in ([roots[0]] if single_root and by_top.get(roots[0]["path"]) else []) + top_units
            if unit["is_active"] or unit["path"] in by_top
        ),
        by_gender=tuple(genders),
        dossiers=tuple(StateCount(s.value, str(s.label), dossier_counts[s.value]) for s in DossierState if s.value in dossier_counts),
        nominees=tuple(StateCount(s.value, str(s.label), nominee_counts[s.value]) for s in NomineeState if s.value in nominee_counts),
        work_plans=work_plans,
        annex=tuple(_annex_group(catalogue[award_id]["name"], kind, annex_rows[(award_id, kind)], by_path)
                    for award_id, kind in award_order),
    )
    summary = replace(summary, charts=summary_charts(summary))
    report(100)
    return summary


def summary_charts(summary: YearEndSummary) -> dict[str, SafeString]:
    """The charts of the paper, as SVG ready for the template (empty when there is nothing to draw)."""
    drawn = {
        "by_award": charts.bar_chart(
            [(line.name, line.tally.total) for line in summary.by_award],
            title="Số lượt khen thưởng theo danh hiệu, hình thức", number=_vn,
        ),
        "by_level": charts.pie_chart(
            [(line.label, line.tally.total) for line in summary.by_level],
            title="Cơ cấu khen thưởng theo cấp", number=_vn, percent=_vn_percent,
        ),
        "by_unit": charts.bar_chart(
            [(line.name, line.tally.total) for line in sorted(summary.by_unit, key=lambda u: -u.tally.total)[:CHART_TOP_UNITS]
             if line.tally.total],
            title=f"Các đơn vị có nhiều lượt khen thưởng nhất (tối đa {CHART_TOP_UNITS} đơn vị)", number=_vn,
            colour=charts.PALETTE[2],
        ),
        "by_gender": charts.pie_chart(
            [(line.label, line.awards) for line in summary.by_gender],
            title="Khen thưởng cá nhân theo giới tính", number=_vn, percent=_vn_percent,
        ),
        "tasks": charts.pie_chart(
            [(status.label, status.count) for status in summary.work_plans.totals.statuses],
            title="Tình hình thực hiện nhiệm vụ theo Kế hoạch công tác", number=_vn, percent=_vn_percent,
        ),
    }
    return {name: mark_safe(svg) for name, svg in drawn.items()}  # noqa: S308 - portal.documents.charts escapes labels


# --- The printed document: permission, parameters, build, Excel --------------------------------------


def may_print_summary(user, params: dict | None) -> bool:
    """Ministry-wide figures: emulation officers, system administrators and council members."""
    return bool(summary_readers.test(user))


class YearEndSummaryForm(ReportParamsForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    annex = forms.BooleanField(label=gettext_lazy("With the list of awardees (annex)"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def describe(self) -> str:
        year = self.cleaned_data.get("year")
        return f"{year}" if self.cleaned_data.get("annex") else f"{year} · {gettext('without the annex')}"


def _year(params: dict) -> int:
    try:
        return int(params["year"])
    except (KeyError, TypeError, ValueError):
        raise DocumentError(gettext("The year of the report is missing.")) from None


def _summary_for(params: dict, progress=None) -> YearEndSummary:
    year = _year(params)
    # Official papers are Vietnamese whatever the reader's language (templates/documents/base.html).
    with translation.override("vi"):
        summary = year_end_summary(year=year, annex=bool(params.get("annex", True)), progress=progress)
    if summary.is_empty:
        raise DocumentError(
            gettext("There is nothing to report for %(year)s: no campaign, award, dossier or work plan.") % {"year": year}
        )
    return summary


def build_year_end_summary(params: dict, user, progress) -> Document:
    summary = _summary_for(params, progress)
    title = f"Báo cáo tổng kết công tác thi đua, khen thưởng năm {summary.year}"
    return Document(
        template_name="documents/summary/year_end.html",
        context={
            "summary": summary,
            "issuer_parent": summary.ministry_name,
            "number": "\u00a0" * 8 + "/BC-BTP",
            "title": "Báo cáo",
            "subtitle": f"Tổng kết công tác thi đua, khen thưởng năm {summary.year}",
            "signer_authority": "KT. Bộ trưởng",
            "signer_position": "Thứ trưởng",
            "recipients": [
                "Ban Thi đua – Khen thưởng Trung ương;",
                "Bộ trưởng (để báo cáo);",
                "Các Thứ trưởng;",
                "Hội đồng Thi đua – Khen thưởng Bộ;",
                "Các đơn vị thuộc Bộ;",
                "Lưu: VT, TĐKT.",
            ],
        },
        title=title,
        filename=f"bao-cao-tong-ket-thi-dua-khen-thuong-{summary.year}",
    )


# --- Excel ------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet(workbook: Workbook, title: str, heading: str, columns: list[tuple[str, int]], rows) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([name for name, _width in columns])
    for index, (_name, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=3, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append(list(row))
    # Names typed by people must never become live formulas ("=…").
    for line in sheet.iter_rows(min_row=4):
        for cell in line:
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.freeze_panes = "A4"
    return sheet


def year_end_summary_workbook(params: dict, user) -> Workbook:
    """The paper's tables, one sheet each, and the annex list."""
    summary = _summary_for(params)
    year = summary.year
    workbook = Workbook()
    workbook.remove(workbook.active)
    campaign_rows = []
    for campaign in summary.campaigns:
        for cluster in campaign.clusters:
            grades = "; ".join(f"{label}: {n}" for label, n in zip(campaign.grade_labels, cluster.grade_counts, strict=True))
            campaign_rows.append([campaign.name, campaign.state_label, cluster.name, cluster.unit_count, cluster.leader,
                                  float(cluster.leader_total) if cluster.leader_total is not None else None, grades])
    _sheet(workbook, "Phong trào thi đua", f"Kết quả các phong trào thi đua năm {year}",
           [("Phong trào", 40), ("Trạng thái", 18), ("Cụm, khối thi đua", 36), ("Số đơn vị", 10),
            ("Đơn vị dẫn đầu", 36), ("Điểm", 10), ("Xếp loại (số đơn vị)", 50)], campaign_rows)
    _sheet(workbook, "Theo danh hiệu", f"Khen thưởng năm {year} theo danh hiệu thi đua, hình thức khen thưởng",
           [("Danh hiệu, hình thức", 48), ("Loại", 22), ("Cấp", 14), ("Cá nhân", 10), ("Tập thể", 10), ("Tổng số", 10)],
           [[line.name, line.category_label, line.level_label, line.tally.persons, line.tally.collectives, line.tally.total]
            for line in summary.by_award]
           + [["Tổng số", None, None, summary.totals.persons, summary.totals.collectives, summary.totals.total]])
    _sheet(workbook, "Theo loại hình", f"Khen thưởng năm {year} theo loại hình",
           [("Loại hình", 44), ("Cá nhân", 10), ("Tập thể", 10), ("Tổng số", 10)],
           [[line.label, line.tally.persons, line.tally.collectives, line.tally.total] for line in summary.by_kind])
    _sheet(workbook, "Theo cấp", f"Khen thưởng năm {year} theo cấp khen thưởng",
           [("Cấp", 24), ("Cá nhân", 10), ("Tập thể", 10), ("Tổng số", 10)],
           [[line.label, line.tally.persons, line.tally.collectives, line.tally.total] for line in summary.by_level])
    _sheet(workbook, "Theo đơn vị", f"Khen thưởng năm {year} theo đơn vị (gồm các đơn vị trực thuộc)",
           [("Mã", 12), ("Đơn vị", 48), ("Cá nhân", 10), ("Tập thể", 10), ("Tổng số", 10), ("Danh hiệu thi đua", 12)],
           [[line.code, line.name, line.tally.persons, line.tally.collectives, line.tally.total, line.titles]
            for line in summary.by_unit])
    _sheet(workbook, "Theo giới tính", f"Khen thưởng cá nhân năm {year} theo giới tính",
           [("Giới tính", 14), ("Lượt khen thưởng", 16), ("Số người", 12), ("Tỷ lệ (%)", 12)],
           [[line.label, line.awards, line.people, line.percent] for line in summary.by_gender])
    _sheet(workbook, "Hồ sơ đề nghị", f"Hồ sơ đề nghị khen thưởng năm {year}",
           [("Loại", 14), ("Trạng thái", 36), ("Số lượng", 12)],
           [["Hồ sơ", line.label, line.count] for line in summary.dossiers]
           + [["Người, tập thể được đề nghị", line.label, line.count] for line in summary.nominees])
    plans = summary.work_plans
    _sheet(workbook, "Kế hoạch công tác", f"Kết quả thực hiện Kế hoạch công tác năm {year} (đến {plans.as_of:%d/%m/%Y})",
           [("Đơn vị chủ trì", 44), ("Tổng số", 10)] + [(status.label, 14) for status in plans.totals.statuses]
           + [("Tỷ lệ hoàn thành (%)", 14), ("Tỷ lệ đúng hạn (%)", 14)],
           [[line.name, line.figures.total, *[status.count for status in line.figures.statuses],
             line.figures.completion_percent, line.figures.on_time_percent] for line in plans.units]
           + [["Toàn Bộ", plans.totals.total, *[status.count for status in plans.totals.statuses],
               plans.totals.completion_percent, plans.totals.on_time_percent]])
    annex_rows = [
        [group.award_name, group.kind_label, "Cá nhân" if row.is_person else "Tập thể", row.name, row.unit,
         section.unit_name, row.decision_number, row.decided_on]
        for group in summary.annex for section in group.sections for row in section.rows
    ]
    sheet = _sheet(workbook, "Danh sách khen thưởng", f"Danh sách cá nhân, tập thể được khen thưởng năm {year}",
                   [("Danh hiệu, hình thức", 36), ("Loại hình", 30), ("Đối tượng", 10), ("Họ và tên / Tập thể", 30),
                    ("Đơn vị", 40), ("Thuộc", 36), ("Số quyết định", 18), ("Ngày quyết định", 14)], annex_rows)
    for (cell,) in sheet.iter_rows(min_row=4, min_col=8, max_col=8):
        cell.number_format = "DD/MM/YYYY"
    return workbook


register_document(
    YEAR_END_SUMMARY,
    label=gettext_lazy("Year-end report on emulation and commendation work"),
    description=gettext_lazy(
        "Campaigns and their results per cluster, awards by title, kind, level, unit and gender, dossiers, "
        "work-plan completion, with charts and the list of awardees."
    ),
    permission=may_print_summary,
    build=build_year_end_summary,
    excel=year_end_summary_workbook,
    params_form=YearEndSummaryForm,
)
