"""Documents of the emulation app: a campaign's ranking table per cluster with its section
breakdown (Bảng xếp hạng thi đua), and one unit's scorecard as appraised (Bảng điểm thẩm định:
self vs appraised score of every line, with the appraisal's reasons and the unit's explanations).

The data functions turn what the results pages compute (emulation.selectors_results.results_for and
scored_table, themselves on emulation.scoring) into plain values, in a fixed number of queries
whatever the number of units or lines, so the printed table is the table on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django import forms
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from emulation.enums import SHOWN_APPRAISAL_STATES, CampaignState, NodeKind, ScorecardState
from emulation.models import Campaign, SchemeGrade, SchemeNode, Scorecard
from emulation.results_excel import results_workbook
from emulation.scorecard_excel import GROUP_FILL, HEADER_FILL, HEADER_FONT, WRAP, excel_number, safe_cell
from emulation.selectors import campaigns_visible_to
from emulation.selectors_results import results_for, scored_table
from portal.access import scope_of
from portal.documents import Document, DocumentError, register_document
from portal.documents.forms import ReportParamsForm
from portal.text import fold

# --- The ranking of a campaign ---------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A top-level section of the scheme (A, B…): a column of the breakdown."""

    code: str
    title: str
    max_points: Decimal | None


@dataclass(frozen=True)
class RankedUnit:
    position: int
    unit_id: int
    unit_code: str
    unit_name: str
    scorecard_id: int
    total: Decimal  # appraised
    self_total: Decimal
    grade: str  # the grade's label, "" when none was reached
    sections: tuple[Decimal, ...]  # appraised score of each section, in Section order
    decided_by: str  # how a tie was settled, in words; "" when there was no tie

    @property
    def difference(self) -> Decimal:
        return self.total - self.self_total


@dataclass(frozen=True)
class GradeCount:
    grade: str  # label; "" for units without a grade
    count: int


@dataclass(frozen=True)
class ClusterTable:
    cluster_id: int | None  # None: units outside any cluster of the year
    cluster_code: str
    cluster_name: str
    rows: tuple[RankedUnit, ...]
    grades: tuple[GradeCount, ...]  # how many units reached each grade, best first

    @property
    def leader(self) -> RankedUnit | None:
        """The unit ranked first (the first in name order when a vote left several first)."""
        return self.rows[0] if self.rows else None


@dataclass(frozen=True)
class CampaignRanking:
    campaign_id: int
    campaign_name: str
    year: int
    scheme_name: str
    state: str
    published: bool
    sections: tuple[Section, ...]
    grade_labels: tuple[str, ...]  # best first
    clusters: tuple[ClusterTable, ...]

    @property
    def unit_count(self) -> int:
        return sum(len(cluster.rows) for cluster in self.clusters)


def campaign_ranking(*, campaign_id: int) -> CampaignRanking:
    """The ranking of every cluster on the appraised scores, as the results page shows it.

    Raises Campaign.DoesNotExist. A constant number of queries (about ten) whatever the number of
    units and lines.
    """
    campaign = Campaign.objects.select_related("scheme").get(pk=campaign_id)
    results = results_for(campaign)
    maxima = dict(
        SchemeNode.objects.filter(pk__in=[node.pk for node in results.sections]).values_list("pk", "max_points")
    )
    labels = tuple(SchemeGrade.objects.filter(scheme_id=campaign.scheme_id).order_by("position", "id").values_list("label", flat=True))
    clusters = []
    for group in results.clusters:
        rows = tuple(
            RankedUnit(
                position=line.position,
                unit_id=line.scorecard.unit_id,
                unit_code=line.scorecard.unit.code,
                unit_name=line.scorecard.unit.name,
                scorecard_id=line.scorecard.pk,
                total=line.total,
                self_total=line.self_total,
                grade=line.grade_label,
                sections=tuple(line.sections),
                decided_by=line.decided_by,
            )
            for line in group.rows
        )
        reached = [row.grade for row in rows]
        grades = [GradeCount(label, reached.count(label)) for label in labels]
        if "" in reached:
            grades.append(GradeCount("", reached.count("")))
        cluster = group.cluster
        clusters.append(
            ClusterTable(
                cluster_id=cluster.pk if cluster else None,
                cluster_code=cluster.code if cluster else "",
                cluster_name=cluster.name if cluster else "",
                rows=rows,
                grades=tuple(grades),
            )
        )
    return CampaignRanking(
        campaign_id=campaign.pk,
        campaign_name=campaign.name,
        year=campaign.year,
        scheme_name=str(campaign.scheme),
        state=campaign.state,
        published=campaign.state == CampaignState.PUBLISHED,
        sections=tuple(Section(node.code, node.title, maxima.get(node.pk)) for node in results.sections),
        grade_labels=labels,
        clusters=tuple(clusters),
    )


# --- A unit's scorecard as appraised -----------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardLine:
    """A row of the appraised table: a section or criterion (group) or a scored line."""

    number: str  # with its sections' numbers: "A.1", "II.2.3"
    code: str  # as printed in the scheme: "1"
    title: str
    depth: int
    is_group: bool
    max_points: Decimal | None
    self_entry: str  # what the unit entered, in the words of the line's kind ("Có", "3 ngày chậm")
    self_score: Decimal | None
    appraised_entry: str
    appraised_score: Decimal | None
    changed: bool  # the appraisal changed the unit's entry
    reason: str  # the appraisal's reason for the change
    response: str  # the unit's explanation
    note: str  # the unit's note on its entry

    @property
    def difference(self) -> Decimal | None:
        if self.self_score is None or self.appraised_score is None:
            return None
        return self.appraised_score - self.self_score


@dataclass(frozen=True)
class ScorecardReport:
    scorecard_id: int
    campaign_id: int
    campaign_name: str
    year: int
    scheme_name: str
    unit_id: int
    unit_code: str
    unit_name: str
    parent_name: str
    state: str
    state_label: str  # in the language active when read (documents: Vietnamese)
    final: bool
    appraised_at: datetime | None
    finalised_at: datetime | None
    lines: tuple[ScorecardLine, ...]
    self_total: Decimal
    appraised_total: Decimal
    self_grade: str
    appraised_grade: str
    max_total: Decimal | None

    @property
    def difference(self) -> Decimal:
        return self.appraised_total - self.self_total

    @property
    def changed(self) -> list[ScorecardLine]:
        return [line for line in self.lines if line.changed]

    @property
    def scored_count(self) -> int:
        return sum(1 for line in self.lines if not line.is_group)


def scorecard_report(*, scorecard_id: int) -> ScorecardReport:
    """One unit's scorecard with the self and appraised score of every row, as the result page
    shows it. Raises Scorecard.DoesNotExist. About ten queries whatever the size of the table."""
    scorecard = Scorecard.objects.select_related("campaign__scheme", "unit__parent").get(pk=scorecard_id)
    table = scored_table(scorecard)
    lines = []
    for row in table.rows:
        line = row.line
        lines.append(
            ScorecardLine(
                number=table.codes.get(row.node.key, row.node.code),
                code=row.node.code,
                title=row.node.title,
                depth=row.depth,
                is_group=row.is_group,
                max_points=row.node.max_points,
                self_entry=row.self_entry,
                self_score=row.self_result.score if row.self_result else None,
                appraised_entry=row.appraised_entry,
                appraised_score=row.appraised_result.score if row.appraised_result else None,
                changed=bool(line and line.appraised),
                reason=line.appraisal_reason if line and line.appraised else "",
                response=line.response if line else "",
                note=line.self_note if line else "",
            )
        )
    # điểm chuẩn of the table: its sections' maxima (bonus and deduction groups are not part of it)
    sections = [row.node for row in table.rows if row.depth == 0 and row.node.kind == NodeKind.GROUP]
    unit = scorecard.unit
    return ScorecardReport(
        scorecard_id=scorecard.pk,
        campaign_id=scorecard.campaign_id,
        campaign_name=scorecard.campaign.name,
        year=scorecard.campaign.year,
        scheme_name=str(scorecard.campaign.scheme),
        unit_id=unit.pk,
        unit_code=unit.code,
        unit_name=unit.name,
        parent_name=unit.parent.name if unit.parent_id else "",
        state=scorecard.state,
        state_label=str(ScorecardState(scorecard.state).label),
        final=scorecard.state == ScorecardState.FINAL,
        appraised_at=scorecard.appraised_at,
        finalised_at=scorecard.finalised_at,
        lines=tuple(lines),
        self_total=table.self_result.total,
        appraised_total=table.appraised_result.total,
        self_grade=table.self_grade_label,
        appraised_grade=table.appraised_grade_label,
        max_total=(
            sum((node.max_points for node in sections), Decimal(0))
            if sections and all(node.max_points is not None for node in sections)
            else None
        ),
    )


# --- The printed documents: permissions, parameters, builds, Excel -----------------------------------

CAMPAIGN_RANKING = "emulation.campaign_ranking"
SCORECARD = "emulation.scorecard"
OUTSIDE_CLUSTERS = "Các đơn vị không thuộc cụm thi đua"


def _int_param(params: dict | None, name: str) -> int | None:
    try:
        return int((params or {})[name])
    except (KeyError, TypeError, ValueError):
        return None


def may_print_ranking(user, params: dict | None) -> bool:
    """The results page's rule: emulation.view_results on the campaign (officers, council members
    and administrators at any time; everyone with a role once the results are published)."""
    if params is None:
        return bool(scope_of(user).roles)
    campaign = campaigns_visible_to(user).filter(pk=_int_param(params, "campaign")).first()
    return campaign is not None and user.has_perm("emulation.view_results", campaign)


def may_print_scorecard(user, scorecard: Scorecard) -> bool:
    """Whoever sees the appraisal of this scorecard on a page: the unit on its scorecard page once
    the appraisal was sent to it (emulation.views.scorecards), or the result page's readers
    (emulation.selectors_results.result_scorecards_visible_to + emulation.view_results)."""
    scope = scope_of(user)
    if not scope.roles:
        return False
    own = scope.reaches_unit(scorecard.unit)
    if own and scorecard.state in SHOWN_APPRAISAL_STATES:
        return True
    published = scorecard.campaign.state == CampaignState.PUBLISHED
    return (published or own) and user.has_perm("emulation.view_results", scorecard.campaign)


def may_print_scorecard_params(user, params: dict | None) -> bool:
    if params is None:
        return bool(scope_of(user).roles)
    scorecard = Scorecard.objects.select_related("campaign", "unit").filter(pk=_int_param(params, "scorecard")).first()
    return scorecard is not None and may_print_scorecard(user, scorecard)


class CampaignRankingForm(ReportParamsForm):
    """Phong trào: the campaigns whose results the user may see."""

    campaign = forms.TypedChoiceField(label=gettext_lazy("Campaign"), coerce=int)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        campaigns = campaigns_visible_to(user).exclude(state=CampaignState.DRAFT).order_by("-year", "name", "pk")
        self.fields["campaign"].choices = [
            (campaign.pk, f"{campaign.name} ({campaign.year})")
            for campaign in campaigns
            if user is not None and user.has_perm("emulation.view_results", campaign)
        ]

    def describe(self) -> str:
        return str(dict(self.fields["campaign"].choices).get(self.cleaned_data.get("campaign"), ""))


class ScorecardReportForm(ReportParamsForm):
    """Phiếu chấm điểm: the scorecards whose appraisal the user may see, grouped by campaign."""

    scorecard = forms.TypedChoiceField(label=gettext_lazy("Scorecard"), coerce=int)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        scorecards = (
            Scorecard.objects.filter(campaign__in=campaigns_visible_to(user))
            .select_related("campaign", "unit")
            .order_by("-campaign__year", "campaign__name", "campaign_id", "unit__sort_key", "pk")
        )
        groups: dict[int, tuple[str, list]] = {}
        self._names: dict[int, str] = {}
        for card in scorecards:
            if user is None or not may_print_scorecard(user, card):
                continue
            label = f"{card.campaign.name} ({card.campaign.year})"
            groups.setdefault(card.campaign_id, (label, []))[1].append((card.pk, card.unit.name))
            self._names[card.pk] = f"{card.unit.name} – {label}"
        self.fields["scorecard"].choices = list(groups.values())

    def describe(self) -> str:
        return self._names.get(self.cleaned_data.get("scorecard"), "")


def _ranking_for(params: dict) -> CampaignRanking:
    try:
        # Official papers are Vietnamese whatever the reader's language (templates/documents/base.html).
        with translation.override("vi"):
            return campaign_ranking(campaign_id=_int_param(params, "campaign"))
    except Campaign.DoesNotExist:
        raise DocumentError(gettext("This campaign no longer exists.")) from None


def build_campaign_ranking(params: dict, user, progress) -> Document:
    ranking = _ranking_for(params)
    progress(100)
    return Document(
        template_name="documents/emulation/campaign_ranking.html",
        context={
            "ranking": ranking,
            "outside_clusters": OUTSIDE_CLUSTERS,
            "title": "Bảng xếp hạng thi đua",
            "subtitle": f"{ranking.campaign_name} năm {ranking.year}" if str(ranking.year) not in ranking.campaign_name
            else ranking.campaign_name,
            "signer_authority": "TM. Hội đồng Thi đua - Khen thưởng",
            "signer_position": "Chủ tịch",
            "recipients": ["Các đơn vị thuộc Bộ;", "Lưu: VT, TĐKT."],
        },
        title=f"Bảng xếp hạng thi đua – {ranking.campaign_name}",
        filename=f"bang-xep-hang-{slugify(fold(ranking.campaign_name))[:60] or ranking.campaign_id}",
    )


def campaign_ranking_workbook(params: dict, user) -> Workbook:
    """The results page's own export (emulation.results_excel), in Vietnamese."""
    with translation.override("vi"):
        try:
            campaign = Campaign.objects.select_related("scheme").get(pk=_int_param(params, "campaign"))
        except Campaign.DoesNotExist:
            raise DocumentError(gettext("This campaign no longer exists.")) from None
        return results_workbook(results_for(campaign))


def _scorecard_for(params: dict) -> ScorecardReport:
    try:
        with translation.override("vi"):
            return scorecard_report(scorecard_id=_int_param(params, "scorecard"))
    except Scorecard.DoesNotExist:
        raise DocumentError(gettext("This scorecard no longer exists.")) from None


def build_scorecard(params: dict, user, progress) -> Document:
    report = _scorecard_for(params)
    progress(100)
    return Document(
        template_name="documents/emulation/scorecard.html",
        context={
            "report": report,
            "title": "Bảng tổng hợp kết quả chấm điểm thi đua",
            "subtitle": f"{report.unit_name} – {report.campaign_name}",
            "signer_position": "Cơ quan thẩm định",
            "recipients": [f"{report.unit_name};", "Lưu: VT, TĐKT."],
        },
        title=f"Bảng điểm thẩm định – {report.unit_name} – {report.campaign_name}",
        filename=f"bang-diem-{slugify(fold(report.unit_code))}-{slugify(fold(report.campaign_name))[:50]}",
    )


SCORECARD_COLUMNS = (
    ("STT", 9), ("Tiêu chí", 56), ("Điểm chuẩn", 11), ("Đơn vị tự chấm", 16), ("Điểm tự chấm", 11),
    ("Kết quả thẩm định", 16), ("Điểm thẩm định", 11), ("Chênh lệch", 11), ("Lý do điều chỉnh", 36),
    ("Giải trình của đơn vị", 36),
)


def scorecard_workbook(params: dict, user) -> Workbook:
    """The appraised table as a workbook (the styles of emulation.scorecard_excel's card)."""
    report = _scorecard_for(params)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bảng điểm thẩm định"
    for text in (
        "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA",
        f"Phong trào: {report.campaign_name} ({report.year})",
        f"Đơn vị: {report.unit_name}",
        f"Bảng tiêu chí: {report.scheme_name}",
        "",
    ):
        sheet.append([safe_cell(text)] if text else [])
    sheet["A1"].font = Font(bold=True, size=14)
    header_row = sheet.max_row + 1
    sheet.append([title for title, _width in SCORECARD_COLUMNS])
    for index, (_title, width) in enumerate(SCORECARD_COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    for line in report.lines:
        sheet.append(
            [
                safe_cell(line.number),
                safe_cell("    " * line.depth + line.title),
                excel_number(line.max_points),
                None if line.is_group else safe_cell(line.self_entry),
                excel_number(line.self_score),
                None if line.is_group else safe_cell(line.appraised_entry if line.changed else "Giữ nguyên"),
                excel_number(line.appraised_score),
                excel_number(line.difference) if line.difference else None,
                safe_cell(line.reason),
                safe_cell(line.response),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = WRAP
            if line.is_group:
                cell.font, cell.fill = Font(bold=True), GROUP_FILL
    sheet.append([None, "TỔNG ĐIỂM", excel_number(report.max_total), None, excel_number(report.self_total), None,
                  excel_number(report.appraised_total), excel_number(report.difference) if report.difference else None])
    sheet.append([None, "XẾP LOẠI", None, None, report.self_grade or "—", None, report.appraised_grade or "—"])
    for row in sheet.iter_rows(min_row=sheet.max_row - 1):
        for cell in row:
            cell.font = Font(bold=True)
    # Reasons and explanations are typed by people: never let one become a live formula.
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    return workbook


register_document(
    CAMPAIGN_RANKING,
    label=gettext_lazy("Ranking table of a campaign"),
    description=gettext_lazy("Each cluster's ranking with the section breakdown and grades."),
    permission=may_print_ranking,
    build=build_campaign_ranking,
    excel=campaign_ranking_workbook,
    params_form=CampaignRankingForm,
)
register_document(
    SCORECARD,
    label=gettext_lazy("Appraised scorecard of a unit"),
    description=gettext_lazy("Self and appraised score of every line, with the reasons for changes."),
    permission=may_print_scorecard_params,
    build=build_scorecard,
    excel=scorecard_workbook,
    params_form=ScorecardReportForm,
)
