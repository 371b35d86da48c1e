"""Tasks to and from Excel (.xlsx, openpyxl): the import template, the export of a filtered task
list, and the import of a plan's tasks from an uploaded workbook — every row is checked, every
mistake is reported by row and column, and the tasks are created all together or not at all.

The column headers and the words for sources, deadline kinds and priorities are the file
format, so they are fixed Vietnamese text rather than translated: a file exported in one
language imports in another. Keys (``own_plan``, ``quarter``...) are accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from office.enums import DeadlineKind, Priority, TaskSource, TaskStatus
from office.models import ROMAN_QUARTERS, Task, WorkPlan
from office.services import OfficeError
from office.status import effective_due_date
from portal import spreadsheets
from portal.audit import audit_log
from portal.models import Unit
from portal.text import fold, nfc

XLSX_CONTENT_TYPE = spreadsheets.XLSX_CONTENT_TYPE
MAX_ROWS = 5_000
TASK_SHEET = "Nhiệm vụ"
HELP_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
CODE_MAX_LENGTH = Task._meta.get_field("code").max_length
TEXT_MAX_LENGTH = Task._meta.get_field("output").max_length
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

# The words the file uses for each choice (the first is written on export and in the template).
SOURCE_WORDS = {
    TaskSource.GOVERNMENT: "Chính phủ/Thủ tướng Chính phủ giao",
    TaskSource.MINISTER: "Bộ trưởng giao",
    TaskSource.OWN_PLAN: "Kế hoạch của đơn vị",
    TaskSource.PETITION: "Kiến nghị cử tri",
}
DEADLINE_KIND_WORDS = {
    DeadlineKind.DATE: "ngày",
    DeadlineKind.MONTH: "tháng",
    DeadlineKind.QUARTER: "quý",
    DeadlineKind.NONE: "không",
}
PRIORITY_WORDS = {Priority.NORMAL: "Bình thường", Priority.HIGH: "Cao", Priority.URGENT: "Khẩn"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool
    help: Promise
    text: bool = False  # stored as text, so that Excel keeps "1.2" or "03/2026" as typed


COLUMNS: tuple[Column, ...] = (
    Column("number", "STT", 6, False, gettext_lazy("Row number, for your own use; not imported.")),
    Column(
        "code", "Mã nhiệm vụ", 14, True,
        gettext_lazy("Unique in the file and in the plan; at most %(limit)d characters."), text=True,
    ),
    Column(
        "parent", "Mã nhiệm vụ cha", 16, False,
        gettext_lazy(
            "For a sub-task: the code of its parent task, in this file (any row) or already in the plan. "
            "A sub-task cannot have sub-tasks of its own."
        ),
        text=True,
    ),
    Column("content", "Nội dung", 60, True, gettext_lazy("What is to be done.")),
    Column(
        "lead_unit", "Đơn vị chủ trì", 16, True,
        gettext_lazy("The code of an active unit (see the sheet “%(sheet)s”)."), text=True,
    ),
    Column(
        "cooperating", "Đơn vị phối hợp", 24, False,
        gettext_lazy("Codes of active units, separated by “;” or “,”; not the lead unit."), text=True,
    ),
    Column("source", "Nguồn", 32, False, gettext_lazy("One of: %(values)s. Empty: %(default)s.")),
    Column(
        "deadline_kind", "Loại thời hạn", 14, False,
        gettext_lazy("One of: %(values)s. Empty: taken from the form of Thời hạn (không when it is empty)."),
    ),
    Column(
        "deadline", "Thời hạn", 14, False,
        gettext_lazy(
            "ngày: dd/mm/yyyy (or an Excel date); tháng: mm/yyyy; quý: I/2026 to IV/2026 or Q1/2026 to Q4/2026; "
            "không: leave empty."
        ),
        text=True,
    ),
    Column("output", "Sản phẩm", 30, False, gettext_lazy("Expected output; at most %(limit)d characters.")),
    Column("priority", "Ưu tiên", 14, False, gettext_lazy("One of: %(values)s. Empty: %(default)s.")),
    Column(
        "completed_on", "Hoàn thành ngày", 16, False,
        gettext_lazy("Only for a task already completed: dd/mm/yyyy, not in the future."), text=True,
    ),
    Column(
        "output_document", "Văn bản kết quả", 32, False,
        gettext_lazy("Required when Hoàn thành ngày is filled in: number and title of the document."),
    ),
)
STATUS_COLUMN = Column("status", "Tình trạng", 26, False, gettext_lazy("Written by the export only; ignored on import."))
COLUMN_BY_KEY = {column.key: column for column in (*COLUMNS, STATUS_COLUMN)}
# Columns the import reads; STT and Tình trạng may be missing.
IMPORTED_KEYS = tuple(column.key for column in COLUMNS if column.key != "number")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
REQUIRED_FILL = PatternFill("solid", fgColor="9C2A2A")
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "DD/MM/YYYY"


def _column_help(column: Column) -> str:
    params = {
        "limit": CODE_MAX_LENGTH if column.key == "code" else TEXT_MAX_LENGTH,
        "sheet": LIST_SHEET,
        "values": "",
        "default": "",
    }
    words = {"source": SOURCE_WORDS, "deadline_kind": DEADLINE_KIND_WORDS, "priority": PRIORITY_WORDS}.get(column.key)
    if words:
        params["values"] = "; ".join(words.values())
        params["default"] = {"source": SOURCE_WORDS[TaskSource.OWN_PLAN], "priority": PRIORITY_WORDS[Priority.NORMAL]}.get(
            column.key, ""
        )
    return str(column.help) % params


# --- Writing: template and export --------------------------------------------------------------


def _safe(value: Any) -> Any:
    """Text as openpyxl can store it (no control characters)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _style_header(sheet, columns: Iterable[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"


def template_workbook(*, units: Iterable[Unit], lead_code: str, cooperating_code: str, year: int) -> Workbook:
    """Mẫu nhập nhiệm vụ: the header, two example rows, drop-down lists and the instructions."""
    units = list(units)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TASK_SHEET
    sheet.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, REQUIRED_FILL if column.required else HEADER_FILL, WRAP
    _style_header(sheet, COLUMNS)
    examples = [
        [
            1, "VD-01", "", "Xây dựng và triển khai Kế hoạch công tác năm của đơn vị", lead_code, cooperating_code,
            SOURCE_WORDS[TaskSource.OWN_PLAN], DEADLINE_KIND_WORDS[DeadlineKind.MONTH], f"03/{year}",
            "Kế hoạch", PRIORITY_WORDS[Priority.NORMAL], "", "",
        ],
        [
            2, "VD-01.1", "VD-01", "Tổ chức hội nghị sơ kết 6 tháng", lead_code, "",
            SOURCE_WORDS[TaskSource.MINISTER], DEADLINE_KIND_WORDS[DeadlineKind.QUARTER], f"II/{year}",
            "Báo cáo sơ kết", PRIORITY_WORDS[Priority.HIGH], "", "",
        ],
    ]
    for row in examples:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2, max_row=3):
        for cell in row:
            cell.alignment = WRAP
    sheet.freeze_panes = "C2"

    lists = workbook.create_sheet(LIST_SHEET)
    lists.append(["Loại thời hạn", "Nguồn", "Ưu tiên", "", "Mã đơn vị", "Tên đơn vị"])
    for cell in lists[1]:
        cell.font = Font(bold=True)
    vocabularies = [list(DEADLINE_KIND_WORDS.values()), list(SOURCE_WORDS.values()), list(PRIORITY_WORDS.values())]
    for offset in range(max(len(units), *(len(words) for words in vocabularies))):
        row = [words[offset] if offset < len(words) else None for words in vocabularies]
        unit = units[offset] if offset < len(units) else None
        row += [None, unit.code if unit else None, unit.name if unit else None]
        lists.append(row)
    for letter, width in {"A": 14, "B": 34, "C": 14, "D": 3, "E": 16, "F": 60}.items():
        lists.column_dimensions[letter].width = width
    last_row = MAX_ROWS + 1
    letters = {column.key: get_column_letter(index) for index, column in enumerate(COLUMNS, start=1)}
    for key, list_column, words in (
        ("deadline_kind", "A", DEADLINE_KIND_WORDS),
        ("source", "B", SOURCE_WORDS),
        ("priority", "C", PRIORITY_WORDS),
    ):
        validation = DataValidation(
            type="list",
            formula1=f"='{LIST_SHEET}'!${list_column}$2:${list_column}${len(words) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=COLUMN_BY_KEY[key].header,
            error=_("Choose a value from the list."),
        )
        validation.add(f"{letters[key]}2:{letters[key]}{last_row}")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET, 1)
    _write_help(help_sheet)
    workbook.active = 0
    return workbook


def _write_help(sheet) -> None:
    sheet.append([_("How to fill in the task import template")])
    sheet["A1"].font = Font(bold=True, size=14)
    rules = [
        _("One task per row of the sheet “%(sheet)s”; keep the first row (the column headers) as it is.")
        % {"sheet": TASK_SHEET},
        _("Replace the two example rows (VD-01, VD-01.1) with your own tasks. Empty rows are skipped."),
        _("At most %(limit)s tasks per file.") % {"limit": f"{MAX_ROWS:,}".replace(",", ".")},
        _(
            "Every row is checked before anything is saved. If any cell is wrong, nothing is imported and "
            "the page lists each mistake with its row and column; correct them and upload the file again."
        ),
        _("Columns with a red header are required."),
        _("Unit codes, and the words for Nguồn, Loại thời hạn and Ưu tiên, are listed in the sheet “%(sheet)s”.")
        % {"sheet": LIST_SHEET},
    ]
    for rule in rules:
        sheet.append([f"• {rule}"])
    sheet.append([])
    sheet.append([_("Column"), _("Header"), _("Required"), _("How to fill it in")])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for index, column in enumerate((*COLUMNS, STATUS_COLUMN), start=1):
        sheet.append(
            [
                get_column_letter(index) if column is not STATUS_COLUMN else "",
                column.header,
                _("yes") if column.required else "",
                _column_help(column),
            ]
        )
        sheet.cell(row=sheet.max_row, column=4).alignment = WRAP
    for letter, width in {"A": 9, "B": 20, "C": 10, "D": 100}.items():
        sheet.column_dimensions[letter].width = width


def export_queryset(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """What the export reads per task, in a fixed number of queries whatever the row count."""
    return tasks.select_related("lead_unit").annotate(parent_code=F("parent__code")).prefetch_related(
        Prefetch("cooperating_units", queryset=Unit.objects.order_by("code").only("pk", "code"))
    )


def _deadline_cell(sheet, task: Task) -> Any:
    if task.due_date is None or task.deadline_kind == DeadlineKind.NONE:
        return None
    if task.deadline_kind == DeadlineKind.MONTH:
        return f"{task.due_date.month:02d}/{task.due_date.year}"
    if task.deadline_kind == DeadlineKind.QUARTER:
        return f"{ROMAN_QUARTERS[(task.due_date.month - 1) // 3 + 1]}/{task.due_date.year}"
    return _date_cell(sheet, task.due_date)


def _date_cell(sheet, value: date | None) -> Any:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def _text_cell(sheet, value: str) -> Any:
    value = _safe(value)
    if value.startswith("="):
        # Never let exported text become a live formula.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def export_workbook(tasks: Iterable[Task]) -> Workbook:
    """The tasks in the import columns plus Tình trạng; `tasks` come from export_queryset
    (with the `status` annotation of office.selectors.with_status)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TASK_SHEET)
    columns = (*COLUMNS, STATUS_COLUMN)
    _style_header(sheet, columns)
    sheet.freeze_panes = "C2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        header.append(cell)
    sheet.append(header)
    for number, task in enumerate(tasks, start=1):
        sheet.append(
            [
                number,
                _text_cell(sheet, task.code),
                _text_cell(sheet, task.parent_code or ""),
                _text_cell(sheet, task.content),
                task.lead_unit.code,
                "; ".join(unit.code for unit in task.cooperating_units.all()),
                SOURCE_WORDS.get(task.source, task.source),
                DEADLINE_KIND_WORDS.get(task.deadline_kind, task.deadline_kind),
                _deadline_cell(sheet, task),
                _text_cell(sheet, task.output),
                PRIORITY_WORDS.get(task.priority, task.priority),
                _date_cell(sheet, task.completed_on),
                _text_cell(sheet, task.output_document),
                str(TaskStatus(task.status).label),
            ]
        )
    return workbook


# --- Reading and checking an uploaded workbook --------------------------------------------------


class WorkbookError(OfficeError):
    """The file as a whole cannot be read as a task list (not .xlsx, damaged, wrong headers...)."""


@dataclass(frozen=True, order=True)
class CellError:
    """One mistake: the row as Excel numbers it, the column letter and header, and why."""

    row: int
    column_index: int
    column: str
    header: str
    message: str


@dataclass
class Sheet:
    """The non-empty data rows of the task sheet, with where each imported column sits."""

    columns: dict[str, tuple[int, str, str]]  # key -> (0-based index, letter, header as in the file)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportRow:
    """A checked row, ready to become a task."""

    number: int
    code: str
    parent_code: str
    content: str
    lead_unit: Unit
    cooperating_units: tuple[Unit, ...]
    source: str
    deadline_kind: str
    due_date: date | None
    output: str
    priority: str
    completed_on: date | None
    output_document: str


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


def read_workbook(upload: IO[bytes]) -> Sheet:
    """The task rows of an .xlsx file; WorkbookError when the file is not a readable task list."""
    return spreadsheets.read_workbook(
        upload, read=lambda workbook: _read_sheet(spreadsheets.sheet_named(workbook, TASK_SHEET)), fail=WorkbookError
    )


def _read_sheet(worksheet) -> Sheet:
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    wanted = {fold(column.header): column.key for column in COLUMNS}
    columns: dict[str, tuple[int, str, str]] = {}
    for index, value in enumerate(header):
        key = wanted.get(fold(_cell_text(value)))
        if key and key not in columns:
            columns[key] = (index, get_column_letter(index + 1), _cell_text(value))
    missing = [COLUMN_BY_KEY[key].header for key in IMPORTED_KEYS if key not in columns]
    if missing:
        raise WorkbookError(
            _(
                "The first row must hold the column headers of the template; missing: %(columns)s. "
                "Download the template and copy your rows into it."
            )
            % {"columns": ", ".join(missing)}
        )
    sheet = Sheet(columns=columns)
    for number, values in enumerate(rows, start=2):
        row = {key: values[index] if index < len(values) else None for key, (index, _letter, _header) in columns.items()}
        if all(_cell_text(row[key]) == "" for key in IMPORTED_KEYS):
            continue
        if len(sheet.rows) == MAX_ROWS:
            raise WorkbookError(
                _("The file has more than %(limit)s tasks; split it into several files.")
                % {"limit": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        sheet.rows.append((number, row))
    if not sheet.rows:
        raise WorkbookError(_("The file has no task rows under the header row."))
    return sheet


def _vocabulary(words: dict[str, str], choices) -> dict[str, str]:
    """Folded word → key, for the file's words, the keys and the labels in the active language."""
    lookup = {}
    for key, label in choices.choices:
        for text in (key, words[key], str(label)):
            lookup[fold(text)] = key
    return lookup


_FULL_DATE = re.compile(r"([0-9]{1,2})[/-]([0-9]{1,2})[/-]([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_MONTH = re.compile(r"([0-9]{1,2})/([0-9]{4})")
_QUARTER = re.compile(r"(IV|I{1,3}|Q[1-4])/([0-9]{4})", re.IGNORECASE)
_QUARTER_NUMBERS = {"I": 1, "II": 2, "III": 3, "IV": 4, "Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4}


class _Invalid(ValueError):
    """A cell's value cannot be used; the message says why."""


def _in_range(year: int, month: int, day: int) -> date:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise _Invalid(_("The year must be between %(start)d and %(end)d.") % {"start": EARLIEST_YEAR, "end": LATEST_YEAR})
    try:
        return date(year, month, day)
    except ValueError as error:
        raise _Invalid(_("%(day)02d/%(month)02d/%(year)d is not a date.") % {"day": day, "month": month, "year": year}) from error


def _parse_date(value: Any, message: str) -> date | None:
    """A date cell, or text dd/mm/yyyy (also d-m-yyyy and yyyy-mm-dd); None when empty."""
    if isinstance(value, datetime):
        return _in_range(value.year, value.month, value.day)
    if isinstance(value, date):
        return _in_range(value.year, value.month, value.day)
    text = _cell_text(value)
    if not text:
        return None
    if match := _FULL_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return _in_range(year, month, day)
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _in_range(year, month, day)
    raise _Invalid(message)


def _date_message() -> str:
    return _("Enter the date as dd/mm/yyyy, for example 15/12/%(year)d.") % {"year": timezone.localdate().year}


def _parse_deadline(kind: str | None, value: Any) -> tuple[str, date | None]:
    """(deadline kind, effective due date) from the Loại thời hạn and Thời hạn cells."""
    text = _cell_text(value)
    is_date_cell = isinstance(value, date)
    if not text:
        if kind in (None, DeadlineKind.NONE):
            return DeadlineKind.NONE, None
        raise _Invalid(_("Give the deadline, or choose “không” (no deadline) in Loại thời hạn."))
    if kind == DeadlineKind.NONE:
        raise _Invalid(_("Loại thời hạn is “không” (no deadline): leave this cell empty."))
    if kind is None:
        if is_date_cell or _FULL_DATE.fullmatch(text) or _ISO_DATE.fullmatch(text):
            kind = DeadlineKind.DATE
        elif _MONTH.fullmatch(text):
            kind = DeadlineKind.MONTH
        elif _QUARTER.fullmatch(text):
            kind = DeadlineKind.QUARTER
        else:
            raise _Invalid(
                _("Enter the deadline as dd/mm/yyyy, mm/yyyy (a month) or I/%(year)d to IV/%(year)d (a quarter).")
                % {"year": timezone.localdate().year}
            )
    year = timezone.localdate().year
    if kind == DeadlineKind.DATE:
        day = _parse_date(value, _("Enter the deadline as dd/mm/yyyy, for example 15/12/%(year)d.") % {"year": year})
    elif kind == DeadlineKind.MONTH:
        if match := _MONTH.fullmatch(text):
            month, year_ = (int(part) for part in match.groups())
            if not 1 <= month <= 12:
                raise _Invalid(_("%(month)d is not a month.") % {"month": month})
            day = _in_range(year_, month, 1)
        else:
            day = _parse_date(value, _("Enter a month deadline as mm/yyyy, for example 06/%(year)d.") % {"year": year})
    else:
        if match := _QUARTER.fullmatch(text):
            quarter, year_ = _QUARTER_NUMBERS[match.group(1).upper()], int(match.group(2))
            day = _in_range(year_, quarter * 3, 1)
        else:
            day = _parse_date(
                value,
                _("Enter a quarter deadline as I/%(year)d to IV/%(year)d, or Q1/%(year)d to Q4/%(year)d.") % {"year": year},
            )
    return kind, effective_due_date(kind, day)


def _unit_codes(text: str) -> list[str]:
    codes = []
    for part in re.split(r"[;,]", text):
        code = part.strip().upper()
        if code and code not in codes:
            codes.append(code)
    return codes


def referenced_unit_codes(sheet: Sheet) -> set[str]:
    codes: set[str] = set()
    for _number, row in sheet.rows:
        codes.add(_cell_text(row["lead_unit"]).upper())
        codes.update(_unit_codes(_cell_text(row["cooperating"])))
    codes.discard("")
    return codes


def validate_rows(
    sheet: Sheet, *, units: dict[str, Unit], existing: dict[str, bool], today: date
) -> tuple[list[ImportRow], list[CellError]]:
    """Check every row; return the rows ready to import, or every mistake found (then no rows).

    `units`: unit code → unit (any referenced code not there is unknown); `existing`: the codes
    already in the plan → whether that task is itself a sub-task.
    """
    errors: list[CellError] = []
    sources = _vocabulary(SOURCE_WORDS, TaskSource)
    kinds = _vocabulary(DEADLINE_KIND_WORDS, DeadlineKind)
    priorities = _vocabulary(PRIORITY_WORDS, Priority)

    def fail(number: int, key: str, message: str) -> None:
        index, letter, header = sheet.columns[key]
        errors.append(CellError(number, index, letter, header, message))

    # First pass: the codes in the file, so that a parent may be listed after its sub-task.
    first_row_of: dict[str, int] = {}
    has_parent: dict[str, bool] = {}
    for number, row in sheet.rows:
        code = _cell_text(row["code"])
        if code and code not in first_row_of:
            first_row_of[code] = number
            has_parent[code] = bool(_cell_text(row["parent"]))

    def check(number: int, row: dict[str, Any]) -> ImportRow | None:
        error_count = len(errors)
        text = {key: _cell_text(row[key]) for key in IMPORTED_KEYS}

        code = text["code"]
        if not code:
            fail(number, "code", _("Enter the task code."))
        elif len(code) > CODE_MAX_LENGTH:
            fail(number, "code", _too_long(code, CODE_MAX_LENGTH))
        elif code in existing:
            fail(number, "code", _("The code %(code)s is already used in this plan.") % {"code": code})
        elif first_row_of[code] != number:
            fail(
                number, "code",
                _("The code %(code)s is already used in row %(row)d of this file.") % {"code": code, "row": first_row_of[code]},
            )

        parent = text["parent"]
        if parent:
            if parent == code:
                fail(number, "parent", _("A task cannot be its own parent."))
            elif parent in first_row_of:
                if has_parent[parent]:
                    fail(number, "parent", _sub_sub_task(parent))
            elif parent in existing:
                if existing[parent]:
                    fail(number, "parent", _sub_sub_task(parent))
            else:
                fail(
                    number, "parent",
                    _("No task has the code %(code)s, in this file or in the plan.") % {"code": parent},
                )

        content = text["content"]
        if not content:
            fail(number, "content", _("Enter the content of the task."))

        lead_unit = None
        lead_code = text["lead_unit"].upper()
        if not lead_code:
            fail(number, "lead_unit", _("Enter the code of the lead unit."))
        else:
            lead_unit = _active_unit(units, lead_code, lambda message: fail(number, "lead_unit", message))

        cooperating = []
        for unit_code in _unit_codes(text["cooperating"]):
            unit = _active_unit(units, unit_code, lambda message: fail(number, "cooperating", message))
            if unit is not None and lead_unit is not None and unit.pk == lead_unit.pk:
                fail(number, "cooperating", _("The lead unit cannot also be a cooperating unit."))
            elif unit is not None:
                cooperating.append(unit)

        source = _choose(sources, text["source"], SOURCE_WORDS, lambda m: fail(number, "source", m)) or TaskSource.OWN_PLAN
        priority = _choose(priorities, text["priority"], PRIORITY_WORDS, lambda m: fail(number, "priority", m))
        priority = priority or Priority.NORMAL

        kind = None
        kind_ok = True
        if text["deadline_kind"]:
            kind = _choose(kinds, text["deadline_kind"], DEADLINE_KIND_WORDS, lambda m: fail(number, "deadline_kind", m))
            kind_ok = kind is not None
        deadline_kind, due_date = DeadlineKind.NONE, None
        if kind_ok:
            try:
                deadline_kind, due_date = _parse_deadline(kind, row["deadline"])
            except _Invalid as error:
                fail(number, "deadline", str(error))

        output = text["output"]
        if len(output) > TEXT_MAX_LENGTH:
            fail(number, "output", _too_long(output, TEXT_MAX_LENGTH))

        completed_on = None
        try:
            completed_on = _parse_date(row["completed_on"], _date_message())
        except _Invalid as error:
            fail(number, "completed_on", str(error))
        else:
            if completed_on is not None and completed_on > today:
                fail(number, "completed_on", _("The completion date cannot be in the future."))
        output_document = text["output_document"]
        if len(output_document) > TEXT_MAX_LENGTH:
            fail(number, "output_document", _too_long(output_document, TEXT_MAX_LENGTH))
        elif text["completed_on"] and not output_document:
            fail(number, "output_document", _("Name the output document (number and title) that completes the task."))
        elif output_document and not text["completed_on"]:
            fail(
                number, "completed_on",
                _("Enter the completion date, or leave %(column)s empty.") % {"column": sheet.columns["output_document"][2]},
            )

        if len(errors) > error_count:
            return None
        return ImportRow(
            number=number,
            code=code,
            parent_code=parent,
            content=content,
            lead_unit=lead_unit,
            cooperating_units=tuple(cooperating),
            source=source,
            deadline_kind=deadline_kind,
            due_date=due_date,
            output=output,
            priority=priority,
            completed_on=completed_on,
            output_document=output_document,
        )

    checked = [checked_row for number, row in sheet.rows if (checked_row := check(number, row)) is not None]
    if errors:
        return [], sorted(errors)
    return checked, []


def _too_long(text: str, limit: int) -> str:
    return _("At most %(limit)d characters; this cell has %(length)d.") % {"limit": limit, "length": len(text)}


def _sub_sub_task(parent: str) -> str:
    return _("The task %(code)s is itself a sub-task; a sub-task cannot have sub-tasks.") % {"code": parent}


def _active_unit(units: dict[str, Unit], code: str, fail) -> Unit | None:
    unit = units.get(code)
    if unit is None:
        fail(_("No unit has the code %(code)s.") % {"code": code})
        return None
    if not unit.is_active:
        fail(_("The unit %(code)s is no longer active.") % {"code": code})
        return None
    return unit


def _choose(lookup: dict[str, str], text: str, words: dict[str, str], fail) -> str | None:
    if not text:
        return None
    key = lookup.get(fold(text))
    if key is None:
        fail(_("“%(value)s” is not allowed here; use one of: %(values)s.") % {"value": text, "values": "; ".join(words.values())})
    return key


# --- The import service ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    errors: list[CellError]


def tasks_import(*, actor, plan_id: int, upload: IO[bytes]) -> ImportResult:
    """Create every task of the uploaded workbook in the plan, or none when any cell is wrong.

    The same rules as office.services.task_create (permission office.add_task, unique code,
    deadline, parent in the same plan, lead unit not cooperating), checked for all rows before
    the first insert; parents are created before their sub-tasks; one audit entry for the lot.
    """
    sheet = read_workbook(upload)
    with transaction.atomic():
        plan = WorkPlan.objects.select_for_update().select_related("unit").get(pk=plan_id)
        if not actor.has_perm("office.add_task", plan):
            raise PermissionDenied("office.add_task")
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=referenced_unit_codes(sheet))}
        existing_tasks = {code: (pk, parent_id) for code, pk, parent_id in plan.tasks.values_list("code", "pk", "parent_id")}
        rows, errors = validate_rows(
            sheet,
            units=units,
            existing={code: parent_id is not None for code, (_pk, parent_id) in existing_tasks.items()},
            today=timezone.localdate(),
        )
        if errors:
            return ImportResult(created=0, errors=errors)
        task_ids = {code: pk for code, (pk, _parent_id) in existing_tasks.items()}
        through = Task.cooperating_units.through
        links = []
        try:
            for row in sorted(rows, key=lambda row: bool(row.parent_code)):  # parents first, file order kept
                task = Task(
                    plan=plan,
                    parent_id=task_ids[row.parent_code] if row.parent_code else None,
                    code=row.code,
                    content=row.content,
                    lead_unit=row.lead_unit,
                    source=row.source,
                    deadline_kind=row.deadline_kind,
                    due_date=row.due_date,
                    output=row.output,
                    priority=row.priority,
                    completed_on=row.completed_on,
                    output_document=row.output_document,
                    progress_percent=100 if row.completed_on else 0,
                )
                task.save()
                task_ids[row.code] = task.pk
                links += [through(task_id=task.pk, unit_id=unit.pk) for unit in row.cooperating_units]
            through.objects.bulk_create(links, batch_size=1000)
        except IntegrityError as error:
            # Someone added a task with one of these codes while the file was being checked.
            raise OfficeError(_("The plan changed while the file was being imported; upload it again.")) from error
        audit_log(actor=actor, obj=plan, action="office.import.completed", data={"count": len(rows)})
    return ImportResult(created=len(rows), errors=[])


def iter_export_tasks(tasks: QuerySet[Task]) -> Iterator[Task]:
    """The export's rows, fetched in chunks so that a ministry-wide list stays within memory."""
    return export_queryset(tasks).iterator(chunk_size=2000)
