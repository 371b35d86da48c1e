"""A scorecard to and from Excel (.xlsx, openpyxl), for units that fill the card offline.

The export is the table as printed (STT | Tiêu chí | Điểm chuẩn | Cách chấm | Tự chấm | Điểm |
Ghi chú) with a hidden technical column (Mã dòng: the line's stable key; a formula line has one
extra row per input, keyed ``key:input``). The import reads the same layout back, checks every
cell with the scorecard page's own form (emulation.forms.LineForm), reports each mistake by row
and column, and saves everything through emulation.services.scorecard_save_self — or nothing.

Headers and the yes/no words are the file format, fixed Vietnamese text as in office/excel.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from emulation import explain, selectors, services
from emulation.enums import GROUP_KINDS, NodeKind, Side
from emulation.forms import LineForm, decimal_text, input_field_name, line_initial
from emulation.models import Scorecard
from emulation.services import EmulationError
from portal import spreadsheets
from portal.text import fold, nfc

XLSX_CONTENT_TYPE = spreadsheets.XLSX_CONTENT_TYPE
CARD_SHEET = "Phiếu chấm điểm"
HELP_SHEET = "Hướng dẫn"
MAX_ROWS = 5_000
HEADER_SEARCH_ROWS = 15

YES, NO = "Có", "Không"
YES_WORDS = frozenset({"co", "x", "1", "yes", "true", "dat", "đat"})
NO_WORDS = frozenset({"khong", "0", "no", "false", "chua"})


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("code", "STT", 8),
    Column("title", "Tiêu chí", 60),
    Column("max", "Điểm chuẩn", 11),
    Column("rule", "Cách chấm", 40),
    Column("entry", "Tự chấm", 14),
    Column("score", "Điểm", 10),
    Column("note", "Ghi chú", 32),
    Column("key", "Mã dòng", 16),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
IMPORTED_KEYS = ("entry", "note", "key")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
GROUP_FILL = PatternFill("solid", fgColor="E7EEF7")
ENTRY_FILL = PatternFill("solid", fgColor="FFF9DB")
READONLY_FONT = Font(color="666666", italic=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def safe_cell(value: Any) -> Any:
    """A value openpyxl can write (characters illegal in XML removed)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def excel_number(value: Decimal | None):
    """A decimal as an Excel number (no trailing zeros), or an empty cell."""
    if value is None:
        return None
    from emulation.forms import trim_decimal

    return trim_decimal(Decimal(value))


# --- Export -----------------------------------------------------------------------------------


def _what_to_enter(node) -> str:
    kind = node.kind
    if kind == NodeKind.MANUAL:
        text = f"Điểm từ 0 đến {decimal_text(node.max_points, localize=False)}" if node.max_points is not None else "Điểm"
        if node.step:
            text += f", bước {decimal_text(node.step, localize=False)}"
        return text
    if kind == NodeKind.YES_NO:
        return f"{YES} / {NO}"
    if kind == NodeKind.TIERED:
        return f"Giá trị đo ({node.measure})" if node.measure else "Giá trị đo"
    if kind == NodeKind.LATENESS:
        return "Số ngày chậm (0 = đúng hạn)"
    if kind == NodeKind.AUTO:
        return "Tự động từ dữ liệu của Cổng (không nhập)"
    return ""


def scorecard_workbook(scorecard: Scorecard, *, blank: bool = False) -> Workbook:
    """The card as a workbook: blank (nothing entered) or with the unit's entries and scores."""
    with translation.override("vi"):
        workbook = _workbook(scorecard, blank=blank)
    # Units type the notes: text that starts with "=" must stay text, never a live formula in the
    # officer's Excel. The card itself writes no formulas.
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return workbook


def _workbook(scorecard: Scorecard, *, blank: bool) -> Workbook:
    rows = selectors.scorecard_table(scorecard)
    result = None if blank else selectors.scorecard_result(scorecard, rows, Side.SELF)
    metrics = selectors.unit_metrics(scorecard, rows)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = CARD_SHEET
    campaign = scorecard.campaign
    sheet.append(["PHIẾU CHẤM ĐIỂM THI ĐUA"])
    sheet.append([safe_cell(f"Phong trào: {campaign.name} ({campaign.year})")])
    sheet.append([safe_cell(f"Đơn vị: {scorecard.unit.name}")])
    sheet.append([safe_cell(f"Bảng tiêu chí: {campaign.scheme}")])
    sheet.append([])
    sheet["A1"].font = Font(bold=True, size=14)
    header_row = sheet.max_row + 1
    sheet.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.column_dimensions[get_column_letter(len(COLUMNS))].hidden = True
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    entry_letter = get_column_letter(_index("entry") + 1)

    def score_of(node):
        if result is None:
            return None
        node_result = result.nodes.get(node.key)
        return excel_number(node_result.score) if node_result else None

    for row in rows:
        node, line = row.node, row.line
        indent = "    " * row.depth
        values = {
            "code": node.code,
            "title": indent + node.title,
            "max": excel_number(node.max_points),
            "rule": explain.rule_summary(node),
            "score": score_of(node),
            "key": node.key,
        }
        if line is not None and not blank:
            values["note"] = line.self_note
            if node.kind == NodeKind.MANUAL:
                values["entry"] = excel_number(line.self_points)
            elif node.kind == NodeKind.YES_NO:
                values["entry"] = {True: YES, False: NO, None: None}[line.self_flag]
            elif node.kind in (NodeKind.TIERED, NodeKind.LATENESS):
                values["entry"] = excel_number(line.self_value)
        if node.kind == NodeKind.AUTO:
            values["entry"] = excel_number(metrics.get(node.measure))
        sheet.append([safe_cell(values.get(column.key)) for column in COLUMNS])
        number = sheet.max_row
        for cell in sheet[number]:
            cell.alignment = WRAP
        if node.kind in GROUP_KINDS:
            for cell in sheet[number]:
                cell.font, cell.fill = Font(bold=True), GROUP_FILL
        elif node.kind == NodeKind.AUTO:
            sheet[f"{entry_letter}{number}"].font = READONLY_FONT
        elif node.kind != NodeKind.FORMULA:
            sheet[f"{entry_letter}{number}"].fill = ENTRY_FILL
            if node.kind == NodeKind.YES_NO:
                yes_no.add(f"{entry_letter}{number}")
        if node.kind == NodeKind.FORMULA:
            inputs = (line.self_inputs or {}) if line is not None and not blank else {}
            for name in node.inputs or []:
                raw = inputs.get(name)
                sub = {
                    "title": f"{indent}    ↳ {name}",
                    "rule": f"Giá trị “{name}” của công thức {node.formula}",
                    "entry": excel_number(Decimal(str(raw))) if raw not in (None, "") else None,
                    "key": f"{node.key}:{name}",
                }
                sheet.append([safe_cell(sub.get(column.key)) for column in COLUMNS])
                sheet[f"{entry_letter}{sheet.max_row}"].fill = ENTRY_FILL
                for cell in sheet[sheet.max_row]:
                    cell.alignment = WRAP
    if result is not None:
        sheet.append([None, "TỔNG ĐIỂM", None, None, None, excel_number(result.total)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    _write_help(workbook.create_sheet(HELP_SHEET))
    return workbook


def _write_help(sheet) -> None:
    lines = [
        "Hướng dẫn điền phiếu chấm điểm",
        "1. Chỉ điền cột “Tự chấm” (ô nền vàng) và cột “Ghi chú”; không sửa, thêm hay xoá dòng.",
        "2. Dòng chấm điểm: điểm từ 0 đến điểm chuẩn, đúng bước điểm nếu có (ví dụ 1,75 hoặc 1.75).",
        f"3. Dòng Có/Không: ghi “{YES}” hoặc “{NO}”.",
        "4. Dòng chấm theo mức: ghi giá trị đo (ví dụ tỷ lệ % hoặc số ngày chậm); điểm được tính tự động.",
        "5. Dòng công thức: ghi từng giá trị ở các dòng “↳” bên dưới.",
        "6. Cột “Điểm” và các dòng tự động chỉ để xem; khi nhập lại, Cổng tính lại điểm.",
        "7. Ô để trống nghĩa là chưa chấm: khi nhập lại, giá trị đang lưu trên Cổng của dòng đó bị xoá.",
        "8. Nếu có ô sai, không dòng nào được nhập; danh sách lỗi ghi rõ dòng và cột cần sửa.",
    ]
    for text in lines:
        sheet.append([text])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110


def _index(key: str) -> int:
    return next(index for index, column in enumerate(COLUMNS) if column.key == key)


workbook_response = spreadsheets.workbook_response


# --- Import -----------------------------------------------------------------------------------


class WorkbookError(EmulationError):
    """The file as a whole cannot be read as a scorecard (not .xlsx, damaged, no header row)."""


@dataclass(frozen=True, order=True)
class CellError:
    """One mistake: the row as Excel numbers it, the column letter and header, and why."""

    row: int
    column_index: int
    column: str
    header: str
    message: str


@dataclass
class ImportResult:
    errors: list[CellError] = field(default_factory=list)
    changed: int = 0


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return nfc(str(value))


def _read_rows(upload: IO[bytes]) -> tuple[dict[str, tuple[int, str, str]], list[tuple[int, dict[str, Any]]]]:
    return spreadsheets.read_workbook(
        upload, read=lambda workbook: _read_sheet(spreadsheets.sheet_named(workbook, CARD_SHEET)), fail=WorkbookError
    )


def _read_sheet(worksheet):
    wanted = {fold(column.header): column.key for column in COLUMNS}
    columns: dict[str, tuple[int, str, str]] = {}
    rows = []
    header_found = False
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if not header_found:
            found = {}
            for index, value in enumerate(values):
                key = wanted.get(fold(_cell_text(value)))
                if key and key not in found:
                    found[key] = (index, get_column_letter(index + 1), _cell_text(value))
            if all(key in found for key in IMPORTED_KEYS):
                columns, header_found = found, True
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        row = {key: values[index] if index < len(values) else None for key, (index, _l, _h) in columns.items()}
        if _cell_text(row["key"]) == "":
            continue
        if len(rows) == MAX_ROWS:
            raise WorkbookError(_("The file has more than %(limit)d lines.") % {"limit": MAX_ROWS})
        rows.append((number, row))
    if not header_found:
        missing = ", ".join(COLUMN_BY_KEY[key].header for key in IMPORTED_KEYS)
        raise WorkbookError(
            _("The header row with the columns %(columns)s was not found. Export the card again and fill that file in.")
            % {"columns": missing}
        )
    return columns, rows


def _flag_text(text: str) -> str | None:
    folded = fold(text)
    if folded == "":
        return ""
    if folded in YES_WORDS:
        return "yes"
    if folded in NO_WORDS:
        return "no"
    return None


def check_rows(scorecard: Scorecard, columns, rows) -> tuple[dict[int, tuple[Any, LineForm]], list[CellError]]:
    """(line, form) of each line the file carries, the form bound to its cells; every mistake found."""
    table = selectors.scorecard_table(scorecard)
    by_key = {row.node.key: row for row in table}
    errors: list[CellError] = []

    def fail(number: int, column_key: str, message: str) -> None:
        index, letter, header = columns[column_key]
        errors.append(CellError(number, index, letter, header, message))

    data: dict[str, str] = {}
    places: dict[tuple[int, str], tuple[int, str]] = {}  # (line id, form field) -> (row number, column key)
    lines = {}
    seen: dict[str, int] = {}
    for number, row in rows:
        key = _cell_text(row["key"])
        entry = _cell_text(row.get("entry"))
        node_key, input_name = key, ""
        if key not in by_key and ":" in key:
            node_key, _sep, input_name = key.rpartition(":")
        if key in seen:
            fail(number, "key", _("The line “%(key)s” appears twice (also on row %(row)d).") % {"key": key, "row": seen[key]})
            continue
        seen[key] = number
        table_row = by_key.get(node_key)
        if table_row is None:
            fail(number, "key", _("“%(key)s” is not a line of this scorecard's scheme.") % {"key": key})
            continue
        node, line = table_row.node, table_row.line
        if line is None:
            if entry:
                fail(number, "entry", _("This row is a section total; leave “Tự chấm” empty."))
            continue
        prefix = f"l{line.pk}"
        if line.pk not in lines:
            lines[line.pk] = line
            data[f"{prefix}-version"] = str(line.version)
            # Fields the file does not carry keep what is saved.
            for name, value in line_initial(line).items():
                if name not in ("version", "note"):
                    data[f"{prefix}-{name}"] = "" if value is None else (
                        value if isinstance(value, str) else decimal_text(value, localize=False)
                    )
            data.setdefault(f"{prefix}-note", line.self_note)
        if input_name:
            if node.kind != NodeKind.FORMULA or input_name not in (node.inputs or []):
                fail(number, "key", _("“%(key)s” is not a line of this scorecard's scheme.") % {"key": key})
                continue
            data[f"{prefix}-{input_field_name(input_name)}"] = entry
            places[(line.pk, input_field_name(input_name))] = (number, "entry")
            continue
        if "note" in columns:
            data[f"{prefix}-note"] = _cell_text(row.get("note"))
            places[(line.pk, "note")] = (number, "note")
        kind = node.kind
        if kind == NodeKind.AUTO:
            continue
        if kind == NodeKind.FORMULA:
            if entry:
                fail(number, "entry", _("Enter the values of the formula on the “↳” rows below this one."))
            continue
        if kind == NodeKind.YES_NO:
            flag = _flag_text(entry)
            if flag is None:
                fail(number, "entry", _("Write “%(yes)s” or “%(no)s”, or leave the cell empty.") % {"yes": YES, "no": NO})
                continue
            data[f"{prefix}-flag"] = flag
            places[(line.pk, "flag")] = (number, "entry")
        elif kind == NodeKind.MANUAL:
            data[f"{prefix}-points"] = entry
            places[(line.pk, "points")] = (number, "entry")
        elif kind in (NodeKind.TIERED, NodeKind.LATENESS):
            data[f"{prefix}-value"] = entry
            places[(line.pk, "value")] = (number, "entry")
    forms = {}
    for line_id, line in lines.items():
        form = LineForm(data, node=line.node, prefix=f"l{line_id}")
        forms[line_id] = (line, form)
        if form.is_valid():
            continue
        for name, messages in form.errors.items():
            number, column_key = places.get((line_id, name), (seen.get(line.node.key, 0), "entry"))
            for message in messages:
                fail(number, column_key, message)
    return forms, sorted(errors)


def _unchanged(line, entry: services.LineInput) -> bool:
    return (entry.points, entry.flag, entry.value, entry.inputs or {}, nfc(entry.note)) == (
        line.self_points, line.self_flag, line.self_value, line.self_inputs or {}, line.self_note,
    )


def scorecard_import(*, actor, scorecard: Scorecard, upload: IO[bytes]) -> ImportResult:
    """Read a filled card back: every cell checked first; then all entries saved, or none."""
    columns, rows = _read_rows(upload)
    if not rows:
        raise WorkbookError(_("The file has no lines under the header row."))
    forms, errors = check_rows(scorecard, columns, rows)
    if errors:
        return ImportResult(errors=errors)
    entries = {line_id: form.line_input() for line_id, (_line, form) in forms.items()}
    changed = sum(1 for line_id, (line, _form) in forms.items() if not _unchanged(line, entries[line_id]))
    with transaction.atomic():
        _card, conflicts = services.scorecard_save_self(actor=actor, scorecard_id=scorecard.pk, entries=entries)
        if conflicts:
            raise WorkbookError(_("Someone saved this scorecard while the file was being imported; import it again."))
    return ImportResult(changed=changed)
