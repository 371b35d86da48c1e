"""The results of a campaign as an Excel workbook (.xlsx, openpyxl): the ranking of each cluster
with the columns of the results page. Written for people, not re-imported, so headers follow the
reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from emulation.selectors_results import CampaignResults
from portal import spreadsheets

XLSX_CONTENT_TYPE = spreadsheets.XLSX_CONTENT_TYPE
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
WRAP = Alignment(wrap_text=True, vertical="top")
POINTS_FORMAT = "0.00"


def _text(sheet, value: str):
    """Text as a cell that stays text (a name starting with "=" never becomes a formula)."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value or ""))
    cell.data_type = "s"
    return cell


def _points(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = POINTS_FORMAT
    return cell


def header(results: CampaignResults) -> list[str]:
    sections = [f"{node.code} {node.title}".strip() for node in results.sections]
    return [
        _("Cluster"), pgettext("ranking", "Rank"), _("Unit"), _("Appraised total"), _("Grade"), _("Self-scored total"),
        _("Difference"), *sections, _("Tie decided by"),
    ]


def results_workbook(results: CampaignResults) -> Workbook:
    """One sheet: every cluster's ranking one after the other, cluster name on every row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Results")[:31])
    columns = header(results)
    widths = [28, 9, 40, 12, 18, 12, 11, *([14] * len(results.sections)), 28]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "D2"
    cells = []
    for title in columns:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        cells.append(cell)
    sheet.append(cells)
    for cluster in results.clusters:
        cluster_name = cluster.cluster.name if cluster.cluster else _("Units outside any cluster")
        for row in cluster.rows:
            sheet.append(
                [
                    _text(sheet, cluster_name),
                    row.position,
                    _text(sheet, row.scorecard.unit.name),
                    _points(sheet, row.total),
                    _text(sheet, row.grade_label),
                    _points(sheet, row.self_total),
                    _points(sheet, row.difference),
                    *(_points(sheet, score) for score in row.sections),
                    _text(sheet, row.decided_by),
                ]
            )
    return workbook
