"""History from Excel (.xlsx, openpyxl): one workbook template per table the eligibility rules read
— awards, annual ratings, initiatives, holds — and the import of a filled-in workbook: every row is
checked, every mistake is reported by row and column, and the rows are saved all together or not
at all, with one audit entry for the lot.

A row names a person by e-mail, or by full name + date of birth + unit code; a row with only a unit
code is about the collective (awards, ratings and holds of a unit). Awards are named by their
catalogue code (CSTDCS, BKBT…). The column headers and the words for kinds, grades, levels and holds
are the file format, so they are fixed Vietnamese text rather than translated; keys (``merit``,
``ministry``…) and the labels in the user's language are accepted too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from commendations.enums import AwardKind, HoldKind, InitiativeLevel, RatingGrade, Subject
from commendations.models import Award, AwardRecord, Hold, Initiative, Rating
from commendations.services import CommendationsError
from portal import spreadsheets
from portal.audit import audit_log
from portal.models import Person, Unit
from portal.text import fold, nfc

XLSX_CONTENT_TYPE = spreadsheets.XLSX_CONTENT_TYPE
MAX_ROWS = 20_000
HELP_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
EARLIEST_YEAR = 2000

# The words the file uses for each choice (the first is written in the template).
KIND_WORDS = {
    AwardKind.MERIT: "công trạng",
    AwardKind.CAMPAIGN: "theo đợt, chuyên đề",
    AwardKind.AD_HOC: "đột xuất",
    AwardKind.LONG_SERVICE: "quá trình cống hiến",
    AwardKind.FOREIGN: "đối ngoại",
}
GRADE_WORDS = {
    RatingGrade.HTXSNV: "HTXSNV",
    RatingGrade.HTTNV: "HTTNV",
    RatingGrade.HTNV: "HTNV",
    RatingGrade.KHTNV: "KHTNV",
}
GRADE_ALIASES = {
    RatingGrade.HTXSNV: ("HTXS", "Hoàn thành xuất sắc nhiệm vụ"),
    RatingGrade.HTTNV: ("HTT", "Hoàn thành tốt nhiệm vụ"),
    RatingGrade.HTNV: ("HT", "Hoàn thành nhiệm vụ"),
    RatingGrade.KHTNV: ("KHT", "Không hoàn thành nhiệm vụ"),
}
LEVEL_WORDS = {InitiativeLevel.UNIT: "cơ sở", InitiativeLevel.MINISTRY: "cấp Bộ", InitiativeLevel.NATIONAL: "toàn quốc"}
LEVEL_ALIASES = {
    InitiativeLevel.UNIT: ("cấp cơ sở", "đơn vị"),
    InitiativeLevel.MINISTRY: ("Bộ", "ngành", "cấp ngành"),
    InitiativeLevel.NATIONAL: ("quốc gia", "cấp toàn quốc"),
}
HOLD_WORDS = {HoldKind.DISCIPLINE: "kỷ luật", HoldKind.INVESTIGATION: "điều tra", HoldKind.COMPLAINT: "khiếu nại"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool
    help: Promise
    text: bool = False  # stored as text, so that Excel keeps "03/2026" or "0123" as typed


IDENTITY_COLUMNS = (
    Column("email", "E-mail", 28, False, gettext_lazy(
        "The person's e-mail as recorded in the portal. Or leave it empty and give the full name, the date of "
        "birth and the unit code."), text=True),
    Column("full_name", "Họ và tên", 26, False, gettext_lazy(
        "Full name with diacritics, as recorded in the portal; with the date of birth and the unit code.")),
    Column("date_of_birth", "Ngày sinh", 12, False, gettext_lazy("dd/mm/yyyy; needed with the full name."),
           text=True),
    Column("unit", "Mã đơn vị", 14, False, gettext_lazy(
        "The person's unit code (with the full name). For a collective, give only the unit code and leave "
        "the three columns before it empty."), text=True),
)
YEAR_COLUMN = Column("year", "Năm", 8, True, gettext_lazy("The year the record is for, from 2000 to this year."))


@dataclass(frozen=True)
class Table:
    key: str
    label: Promise
    sheet: str
    filename: str
    columns: tuple[Column, ...]
    collectives: bool  # whether a row may be about a unit

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns)

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


TABLES: dict[str, Table] = {
    "awards": Table(
        "awards", gettext_lazy("Awards"), "Khen thưởng", "mau-nhap-khen-thuong.xlsx",
        (
            *IDENTITY_COLUMNS,
            Column("award", "Mã khen thưởng", 16, True, gettext_lazy(
                "The catalogue code of the title or form (see the sheet “%(sheet)s”)."), text=True),
            YEAR_COLUMN,
            Column("kind", "Loại hình", 20, False, gettext_lazy("One of: %(values)s. Empty: %(default)s.")),
            Column("decision", "Số quyết định", 18, False, gettext_lazy("For example 123/QĐ-BTP."), text=True),
            Column("decided_on", "Ngày quyết định", 14, False, gettext_lazy("dd/mm/yyyy, not in the future."),
                   text=True),
            Column("signer", "Người ký", 24, False, gettext_lazy("Who signed the decision.")),
        ),
        collectives=True,
    ),
    "ratings": Table(
        "ratings", gettext_lazy("Annual ratings"), "Xếp loại", "mau-nhap-xep-loai.xlsx",
        (
            *IDENTITY_COLUMNS,
            YEAR_COLUMN,
            Column("grade", "Xếp loại", 12, True, gettext_lazy("One of: %(values)s.")),
            Column("score", "Điểm", 8, False, gettext_lazy("The score out of 100, if any (1,5 or 1.5 both work).")),
            Column("months", "Số tháng công tác", 10, False, gettext_lazy(
                "Months at work in the year, maternity leave not included; 0 to 12. Empty: 12.")),
            Column("maternity", "Số tháng nghỉ thai sản", 12, False, gettext_lazy(
                "Months of maternity leave in the year (they count as worked); 0 to 12. Empty: 0.")),
        ),
        collectives=True,
    ),
    "initiatives": Table(
        "initiatives", gettext_lazy("Initiatives"), "Sáng kiến", "mau-nhap-sang-kien.xlsx",
        (
            *IDENTITY_COLUMNS,
            Column("title", "Tên sáng kiến", 40, True, gettext_lazy(
                "One row per author: rows with the same title, year, level and decision are one initiative.")),
            YEAR_COLUMN,
            Column("level", "Cấp công nhận", 14, True, gettext_lazy("One of: %(values)s.")),
            Column("decision", "Số quyết định công nhận", 20, False, gettext_lazy("For example 45/QĐ-BTP."),
                   text=True),
            Column("used_award", "Đã dùng cho (mã khen thưởng)", 18, False, gettext_lazy(
                "When the initiative was already used for an award of this author: its catalogue code, "
                "with the year next to it. An initiative is used for one award only."), text=True),
            Column("used_year", "Năm khen thưởng", 10, False, gettext_lazy("The year of that award.")),
        ),
        collectives=False,
    ),
    "holds": Table(
        "holds", gettext_lazy("Discipline and holds"), "Tạm hoãn", "mau-nhap-tam-hoan.xlsx",
        (
            *IDENTITY_COLUMNS,
            Column("kind", "Loại", 14, True, gettext_lazy("One of: %(values)s.")),
            Column("start", "Từ ngày", 12, True, gettext_lazy("dd/mm/yyyy."), text=True),
            Column("end", "Đến ngày", 12, False, gettext_lazy(
                "dd/mm/yyyy, the last day (inclusive); empty while it is still running."), text=True),
            Column("note", "Ghi chú", 40, False, gettext_lazy("For example the decision number; at most 300 characters.")),
        ),
        collectives=True,
    ),
}

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
REQUIRED_FILL = PatternFill("solid", fgColor="9C2A2A")
WRAP = Alignment(wrap_text=True, vertical="top")


def _vocabulary_words(table: Table, key: str) -> dict[str, str] | None:
    if key == "kind":
        return KIND_WORDS if table.key == "awards" else HOLD_WORDS
    return {"grade": GRADE_WORDS, "level": LEVEL_WORDS}.get(key)


def column_help(table: Table, column: Column) -> str:
    words = _vocabulary_words(table, column.key)
    return str(column.help) % {
        "sheet": LIST_SHEET,
        "values": "; ".join(words.values()) if words else "",
        "default": KIND_WORDS[AwardKind.MERIT] if column.key == "kind" else "",
    }


# --- The template ----------------------------------------------------------------------------------


def _examples(table: Table, unit_code: str, year: int) -> list[list[Any]]:
    person = ["", "Nguyễn Văn An", "15/03/1985", unit_code]
    by_email = ["nguyenvanan@moj.gov.vn", "", "", ""]
    collective = ["", "", "", unit_code]
    last = year - 1
    if table.key == "awards":
        return [
            [*person, "CSTDCS", last, KIND_WORDS[AwardKind.MERIT], f"123/QĐ-{unit_code}", f"20/12/{last}", "Nguyễn Văn Ký"],
            [*collective, "TTLDXS", last, KIND_WORDS[AwardKind.MERIT], "45/QĐ-BTP", f"15/01/{year}", "Bộ trưởng"],
        ]
    if table.key == "ratings":
        return [[*person, last, "HTXSNV", 95, 12, 0], [*by_email, last, "HTTNV", 88, 6, 6]]
    if table.key == "initiatives":
        title = "Số hoá hồ sơ lý lịch tư pháp"
        return [
            [*person, title, last, LEVEL_WORDS[InitiativeLevel.MINISTRY], "45/QĐ-BTP", "", ""],
            [*by_email, title, last, LEVEL_WORDS[InitiativeLevel.MINISTRY], "45/QĐ-BTP", "CSTDCS", last],
        ]
    return [
        [*person, HOLD_WORDS[HoldKind.DISCIPLINE], f"01/03/{last}", f"28/02/{year}", "Quyết định kỷ luật số 12/QĐ-STP"],
        [*by_email, HOLD_WORDS[HoldKind.INVESTIGATION], f"10/10/{last}", "", ""],
    ]


def template_workbook(*, table: Table, awards: Iterable[Award], unit_code: str, year: int) -> Workbook:
    """Mẫu nhập: the header, two example rows, drop-down lists and the instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.sheet
    sheet.append([column.header for column in table.columns])
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, REQUIRED_FILL if column.required else HEADER_FILL, WRAP
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
    for row in _examples(table, unit_code, year):
        sheet.append(row)
    sheet.freeze_panes = "B2"

    lists = workbook.create_sheet(LIST_SHEET)
    vocabularies = [(column, _vocabulary_words(table, column.key)) for column in table.columns]
    vocabularies = [(column, words) for column, words in vocabularies if words]
    awards = list(awards)
    lists.append([column.header for column, _words in vocabularies] + ["", "Mã khen thưởng", "Tên", "Dành cho"])
    for cell in lists[1]:
        cell.font = Font(bold=True)
    longest = max([len(awards), *(len(words) for _column, words in vocabularies)])
    for offset in range(longest):
        row = [list(words.values())[offset] if offset < len(words) else None for _column, words in vocabularies]
        award = awards[offset] if offset < len(awards) else None
        row += [None, award.code if award else None, award.name if award else None,
                str(Subject(award.subject).label) if award else None]
        lists.append(row)
    for index in range(1, len(vocabularies) + 5):
        lists.column_dimensions[get_column_letter(index)].width = 22 if index != len(vocabularies) + 3 else 44
    letters = {column.key: get_column_letter(index) for index, column in enumerate(table.columns, start=1)}
    for position, (column, words) in enumerate(vocabularies, start=1):
        list_letter = get_column_letter(position)
        validation = DataValidation(
            type="list", formula1=f"='{LIST_SHEET}'!${list_letter}$2:${list_letter}${len(words) + 1}",
            allow_blank=True, showErrorMessage=True, errorStyle="warning", errorTitle=column.header,
            error=_("Choose a value from the list."),
        )
        validation.add(f"{letters[column.key]}2:{letters[column.key]}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET, 1)
    help_sheet.append([_("How to fill in the history import template")])
    help_sheet["A1"].font = Font(bold=True, size=14)
    for rule in (
        _("One record per row of the sheet “%(sheet)s”; keep the first row (the column headers) as it is.")
        % {"sheet": table.sheet},
        _("Replace the two example rows with your own. Empty rows are skipped."),
        _("Name a person by e-mail, or by full name, date of birth and unit code. A row with only the unit code "
          "is about the collective (the unit itself)."),
        _("At most %(limit)s rows per file.") % {"limit": f"{MAX_ROWS:,}".replace(",", ".")},
        _("Every row is checked before anything is saved. If any cell is wrong, nothing is imported and the page "
          "lists each mistake with its row and column; correct them and upload the file again."),
        _("Columns with a red header are required."),
        _("Award codes and the words for the lists are in the sheet “%(sheet)s”.") % {"sheet": LIST_SHEET},
    ):
        help_sheet.append([f"• {rule}"])
    help_sheet.append([])
    help_sheet.append([_("Column"), _("Header"), _("Required"), _("How to fill it in")])
    for cell in help_sheet[help_sheet.max_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for index, column in enumerate(table.columns, start=1):
        help_sheet.append([get_column_letter(index), column.header, _("yes") if column.required else "",
                           column_help(table, column)])
        help_sheet.cell(row=help_sheet.max_row, column=4).alignment = WRAP
    for letter, width in {"A": 9, "B": 26, "C": 10, "D": 100}.items():
        help_sheet.column_dimensions[letter].width = width
    workbook.active = 0
    return workbook


workbook_response = spreadsheets.workbook_response


# --- Reading an uploaded workbook ------------------------------------------------------------------


class WorkbookError(CommendationsError):
    """The file as a whole cannot be read as this table (not .xlsx, damaged, wrong headers...)."""


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
    columns: dict[str, tuple[int, str, str]]  # key -> (0-based index, letter, header as in the file)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(nfc(str(value)).split())


def read_workbook(upload: IO[bytes], table: Table) -> Sheet:
    """The rows of an .xlsx file for ``table``; WorkbookError when it cannot be read as one."""
    return spreadsheets.read_workbook(
        upload, read=lambda workbook: _read_sheet(spreadsheets.sheet_named(workbook, table.sheet), table), fail=WorkbookError
    )


def _read_sheet(worksheet, table: Table) -> Sheet:
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    wanted = {fold(column.header): column.key for column in table.columns}
    columns: dict[str, tuple[int, str, str]] = {}
    for index, value in enumerate(header):
        key = wanted.get(fold(cell_text(value)))
        if key and key not in columns:
            columns[key] = (index, get_column_letter(index + 1), cell_text(value))
    missing = [column.header for column in table.columns if column.key not in columns]
    if missing:
        raise WorkbookError(
            _("The first row must hold the column headers of the template “%(table)s”; missing: %(columns)s. "
              "Download the template and copy your rows into it.")
            % {"table": table.label, "columns": ", ".join(missing)}
        )
    sheet = Sheet(columns=columns)
    for number, values in enumerate(rows, start=2):
        row = {key: values[index] if index < len(values) else None for key, (index, _letter, _h) in columns.items()}
        if all(cell_text(value) == "" for value in row.values()):
            continue
        if len(sheet.rows) == MAX_ROWS:
            raise WorkbookError(
                _("The file has more than %(limit)s rows; split it into several files.")
                % {"limit": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        sheet.rows.append((number, row))
    if not sheet.rows:
        raise WorkbookError(_("The file has no rows under the header row."))
    return sheet


# --- Values ----------------------------------------------------------------------------------------


class _Invalid(ValueError):
    """A cell's value cannot be used; the message says why."""


_FULL_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def _date_message() -> str:
    return _("Enter the date as dd/mm/yyyy, for example 15/12/%(year)d.") % {"year": timezone.localdate().year}


def parse_date(value: Any) -> date | None:
    """A date cell, or text dd/mm/yyyy (also d-m-yyyy, d.m.yyyy and yyyy-mm-dd); None when empty."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = cell_text(value)
        if not text:
            return None
        if match := _FULL_DATE.fullmatch(text):
            day_, month, year = (int(part) for part in match.groups())
        elif match := _ISO_DATE.fullmatch(text):
            year, month, day_ = (int(part) for part in match.groups())
        else:
            raise _Invalid(_date_message())
        try:
            day = date(year, month, day_)
        except ValueError as error:
            raise _Invalid(_("%(day)02d/%(month)02d/%(year)d is not a date.") % {
                "day": day_, "month": month, "year": year}) from error
    if not 1900 <= day.year <= 2100:
        raise _Invalid(_date_message())
    return day


def parse_year(value: Any, today: date) -> int:
    text = cell_text(value)
    if not text:
        raise _Invalid(_("Enter the year."))
    if not re.fullmatch(r"[0-9]{4}", text):
        raise _Invalid(_("“%(value)s” is not a year; enter it as four digits, for example %(year)d.") % {
            "value": text, "year": today.year - 1})
    year = int(text)
    if not EARLIEST_YEAR <= year <= today.year:
        raise _Invalid(_("The year must be between %(start)d and %(end)d.") % {"start": EARLIEST_YEAR, "end": today.year})
    return year


def parse_decimal(value: Any) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    text = cell_text(value).replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise _Invalid(_("Enter a number, for example 92,5 or 92.5.")) from error
    if not number.is_finite():
        raise _Invalid(_("Enter a number, for example 92,5 or 92.5."))
    return number


def parse_months(value: Any, default: int) -> int:
    text = cell_text(value)
    if not text:
        return default
    if not re.fullmatch(r"[0-9]{1,2}", text) or int(text) > 12:
        raise _Invalid(_("Enter a whole number of months from 0 to 12."))
    return int(text)


def _vocabulary(words: dict[str, str], choices, aliases: dict[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """Folded word → key, for the file's words, aliases, the keys and the labels in the active language."""
    lookup = {}
    for key, label in choices.choices:
        for text in (key, words[key], str(label), *(aliases or {}).get(key, ())):
            lookup[fold(text)] = key
    return lookup


def _choose(lookup: dict[str, str], text: str, words: dict[str, str]) -> str:
    key = lookup.get(fold(text))
    if key is None:
        raise _Invalid(_("“%(value)s” is not allowed here; use one of: %(values)s.") % {
            "value": text, "values": "; ".join(words.values())})
    return key


def _too_long(text: str, limit: int) -> str:
    return _("At most %(limit)d characters; this cell has %(length)d.") % {"limit": limit, "length": len(text)}


def _name_key(name: str) -> str:
    return " ".join(nfc(name).split()).casefold()


# --- Checking the rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowSubject:
    """Who a row is about: a person or a unit (exactly one)."""

    person: Person | None = None
    unit: Unit | None = None

    @property
    def key(self) -> tuple[str, int]:
        return ("person", self.person.pk) if self.person is not None else ("unit", self.unit.pk)

    def __str__(self) -> str:
        return self.person.full_name if self.person is not None else self.unit.name


@dataclass
class _Lookups:
    """Everything the rows refer to, read in a fixed number of queries before any row is checked."""

    by_email: dict[str, list[Person]]
    by_name: dict[tuple[str, date, str], list[Person]]
    units: dict[str, Unit]
    awards: dict[str, Award]


def _lookups(table: Table, sheet: Sheet) -> _Lookups:
    emails, unit_codes, births = set(), set(), set()
    for _number, row in sheet.rows:
        if email := cell_text(row["email"]).lower():
            emails.add(email)
        if code := cell_text(row["unit"]).upper():
            unit_codes.add(code)
        try:
            if born := parse_date(row["date_of_birth"]):
                births.add(born)
        except _Invalid:
            pass
    by_email: dict[str, list[Person]] = defaultdict(list)
    if emails:
        for person in Person.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails).select_related(
            "unit"
        ):
            by_email[person.email_lower].append(person)
    by_name: dict[tuple[str, date, str], list[Person]] = defaultdict(list)
    if unit_codes and births:
        for person in Person.objects.filter(unit__code__in=unit_codes, date_of_birth__in=births).select_related("unit"):
            by_name[(_name_key(person.full_name), person.date_of_birth, person.unit.code)].append(person)
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=unit_codes)}
    awards = {award.code: award for award in Award.objects.all()}
    return _Lookups(by_email, by_name, units, awards)


class _Checker:
    """Checks every row of one table, collecting every mistake by row and column."""

    def __init__(self, table: Table, sheet: Sheet, lookups: _Lookups, today: date):
        self.table, self.sheet, self.lookups, self.today = table, sheet, lookups, today
        self.errors: list[CellError] = []

    def fail(self, number: int, key: str, message: str) -> None:
        index, letter, header = self.sheet.columns[key]
        self.errors.append(CellError(number, index, letter, header, message))

    def attempt(self, number: int, key: str, parse: Callable[[], Any]) -> Any:
        """parse() or, when it refuses, a mistake in that cell and None."""
        try:
            return parse()
        except _Invalid as error:
            self.fail(number, key, str(error))
            return None

    def subject(self, number: int, row: dict[str, Any]) -> RowSubject | None:
        """The person (by e-mail, or name + birth + unit) or, with only a unit code, the collective."""
        email = cell_text(row["email"])
        name = cell_text(row["full_name"])
        code = cell_text(row["unit"]).upper()
        if email:
            people = self.lookups.by_email.get(email.lower(), [])
            if len(people) == 1:
                return RowSubject(person=people[0])
            if people:
                self.fail(number, "email", _("Several people have the e-mail %(email)s; ask the administrator to "
                                             "correct their records.") % {"email": email})
            else:
                self.fail(number, "email", _("No person has the e-mail %(email)s.") % {"email": email})
            return None
        if name:
            born = self.attempt(number, "date_of_birth", lambda: parse_date(row["date_of_birth"]))
            ok = True
            if born is None and not cell_text(row["date_of_birth"]):
                self.fail(number, "date_of_birth", _("Give the date of birth with the full name, or the e-mail."))
                ok = False
            if not code:
                self.fail(number, "unit", _("Give the person's unit code with the full name, or the e-mail."))
                ok = False
            elif code not in self.lookups.units:
                self.fail(number, "unit", _("No unit has the code %(code)s.") % {"code": code})
                ok = False
            if not ok or born is None:
                return None
            people = self.lookups.by_name.get((_name_key(name), born, code), [])
            if len(people) == 1:
                return RowSubject(person=people[0])
            if people:
                self.fail(number, "full_name", _("Several people named %(name)s were born on that day in %(code)s; "
                                                 "give the e-mail instead.") % {"name": name, "code": code})
            else:
                self.fail(number, "full_name", _("No person named %(name)s, born on %(born)s, works in %(code)s.") % {
                    "name": name, "born": born.strftime("%d/%m/%Y"), "code": code})
            return None
        if cell_text(row["date_of_birth"]):
            self.fail(number, "full_name", _("Give the full name with the date of birth, or the e-mail."))
            return None
        if code:
            if not self.table.collectives:
                self.fail(number, "email", _("An initiative's author is a person: give the e-mail, or the full name, "
                                             "date of birth and unit code."))
                return None
            unit = self.lookups.units.get(code)
            if unit is None:
                self.fail(number, "unit", _("No unit has the code %(code)s.") % {"code": code})
                return None
            return RowSubject(unit=unit)
        self.fail(number, "email", _("Say who the row is about: the e-mail, or the full name, date of birth and unit "
                                     "code, or (for a collective) only the unit code."))
        return None

    def year(self, number: int, row: dict[str, Any], key: str = "year") -> int | None:
        return self.attempt(number, key, lambda: parse_year(row[key], self.today))

    def text(self, number: int, row: dict[str, Any], key: str, limit: int, *, required_message: str = "") -> str:
        text = cell_text(row[key])
        if not text and required_message:
            self.fail(number, key, required_message)
        elif len(text) > limit:
            self.fail(number, key, _too_long(text, limit))
        return text


def _owner(subject: RowSubject) -> dict[str, Any]:
    return {"person": subject.person, "unit": None} if subject.person is not None else {"person": None, "unit": subject.unit}


def _existing(model, subjects: list[RowSubject], *fields: str) -> set[tuple]:
    """The (owner key, *fields) of rows already recorded for these people and units, one query."""
    person_ids = {s.person.pk for s in subjects if s.person is not None}
    unit_ids = {s.unit.pk for s in subjects if s.unit is not None}
    if not person_ids and not unit_ids:
        return set()
    rows = model.objects.filter(Q(person_id__in=person_ids) | Q(unit_id__in=unit_ids))
    found = set()
    for person_id, unit_id, *values in rows.values_list("person_id", "unit_id", *fields):
        found.add((("person", person_id) if person_id else ("unit", unit_id), *values))
    return found


def _place(first_row: int | None) -> str:
    return _("in row %(row)d of this file") % {"row": first_row} if first_row else _("in the portal")


def _check_awards(checker: _Checker) -> list[AwardRecord]:
    kinds = _vocabulary(KIND_WORDS, AwardKind)
    checked: list[tuple[int, RowSubject, AwardRecord]] = []
    for number, row in checker.sheet.rows:
        errors = len(checker.errors)
        subject = checker.subject(number, row)
        code = cell_text(row["award"]).upper()
        award = checker.lookups.awards.get(code)
        if not code:
            checker.fail(number, "award", _("Enter the catalogue code of the award."))
        elif award is None:
            checker.fail(number, "award", _("No award in the catalogue has the code %(code)s.") % {"code": code})
        elif subject is not None and award.subject != Subject.BOTH:
            wanted = Subject.PERSON if subject.person is not None else Subject.COLLECTIVE
            if award.subject != wanted:
                message = (_("%(award)s is not given to a collective; name a person.") if wanted == Subject.COLLECTIVE
                           else _("%(award)s is given to collectives only; give only the unit code."))
                checker.fail(number, "award", message % {"award": award.name})
        year = checker.year(number, row)
        kind_text = cell_text(row["kind"])
        kind = checker.attempt(number, "kind", lambda text=kind_text: _choose(kinds, text, KIND_WORDS)) if kind_text \
            else AwardKind.MERIT
        decision = checker.text(number, row, "decision", AwardRecord._meta.get_field("decision_number").max_length)
        decided_on = checker.attempt(number, "decided_on", lambda row=row: parse_date(row["decided_on"]))
        if decided_on is not None and decided_on > checker.today:
            checker.fail(number, "decided_on", _("The decision date cannot be in the future."))
        elif decided_on is not None and year is not None and decided_on.year < year:
            checker.fail(number, "decided_on", _("The decision cannot come before the year it rewards (%(year)d).") % {
                "year": year})
        signer = checker.text(number, row, "signer", AwardRecord._meta.get_field("signer").max_length)
        if len(checker.errors) == errors:
            record = AwardRecord(award=award, year=year, kind=kind, decision_number=decision, decided_on=decided_on,
                                 signer=signer, **_owner(subject))
            checked.append((number, subject, record))
    existing = _existing(AwardRecord, [s for _n, s, _r in checked], "award_id", "year", "kind")
    first: dict[tuple, int] = {}
    for number, subject, record in checked:
        key = (subject.key, record.award.pk, record.year, record.kind)
        if key in existing or key in first:
            checker.fail(number, "award", _("%(award)s %(year)d (%(kind)s) of %(who)s is already recorded %(where)s.") % {
                "award": record.award.name, "year": record.year, "kind": KIND_WORDS[record.kind], "who": subject,
                "where": _place(first.get(key))})
        else:
            first[key] = number
    return [record for _n, _s, record in checked]


def _check_ratings(checker: _Checker) -> list[Rating]:
    grades = _vocabulary(GRADE_WORDS, RatingGrade, GRADE_ALIASES)
    checked: list[tuple[int, RowSubject, Rating]] = []
    for number, row in checker.sheet.rows:
        errors = len(checker.errors)
        subject = checker.subject(number, row)
        year = checker.year(number, row)
        grade_text = cell_text(row["grade"])
        grade = None
        if not grade_text:
            checker.fail(number, "grade", _("Enter the rating: %(values)s.") % {"values": "; ".join(GRADE_WORDS.values())})
        else:
            grade = checker.attempt(number, "grade", lambda text=grade_text: _choose(grades, text, GRADE_WORDS))
        score = checker.attempt(number, "score", lambda row=row: parse_decimal(row["score"]))
        if score is not None and not 0 <= score <= 100:
            checker.fail(number, "score", _("The score must be between 0 and 100."))
        elif score is not None and score != score.quantize(Decimal("0.01")):
            checker.fail(number, "score", _("At most two decimals."))
        months = checker.attempt(number, "months", lambda row=row: parse_months(row["months"], 12))
        maternity = checker.attempt(number, "maternity", lambda row=row: parse_months(row["maternity"], 0))
        if months is not None and maternity is not None and months + maternity > 12:
            checker.fail(number, "maternity", _("Months at work and months of maternity leave add up to more than 12."))
        if len(checker.errors) == errors:
            checked.append((number, subject, Rating(year=year, grade=grade, score=score, months_worked=months,
                                                    maternity_months=maternity, **_owner(subject))))
    existing = _existing(Rating, [s for _n, s, _r in checked], "year")
    first: dict[tuple, int] = {}
    for number, subject, rating in checked:
        key = (subject.key, rating.year)
        if key in existing or key in first:
            checker.fail(number, "year", _("%(who)s already has a rating for %(year)d %(where)s.") % {
                "who": subject, "year": rating.year, "where": _place(first.get(key))})
        else:
            first[key] = number
    return [rating for _n, _s, rating in checked]


def _check_holds(checker: _Checker) -> list[Hold]:
    kinds = _vocabulary(HOLD_WORDS, HoldKind)
    checked: list[tuple[int, RowSubject, Hold]] = []
    for number, row in checker.sheet.rows:
        errors = len(checker.errors)
        subject = checker.subject(number, row)
        kind_text = cell_text(row["kind"])
        kind = None
        if not kind_text:
            checker.fail(number, "kind", _("Enter the kind: %(values)s.") % {"values": "; ".join(HOLD_WORDS.values())})
        else:
            kind = checker.attempt(number, "kind", lambda text=kind_text: _choose(kinds, text, HOLD_WORDS))
        start = checker.attempt(number, "start", lambda row=row: parse_date(row["start"]))
        if start is None and not cell_text(row["start"]):
            checker.fail(number, "start", _("Enter the first day, as dd/mm/yyyy."))
        elif start is not None and start > checker.today:
            checker.fail(number, "start", _("The first day cannot be in the future."))
        end = checker.attempt(number, "end", lambda row=row: parse_date(row["end"]))
        if end is not None and start is not None and end < start:
            checker.fail(number, "end", _("The last day cannot come before the first day."))
        note = checker.text(number, row, "note", Hold._meta.get_field("note").max_length)
        if len(checker.errors) == errors:
            checked.append((number, subject, Hold(kind=kind, start=start, end=end, note=note, **_owner(subject))))
    existing = _existing(Hold, [s for _n, s, _h in checked], "kind", "start")
    first: dict[tuple, int] = {}
    for number, subject, hold in checked:
        key = (subject.key, hold.kind, hold.start)
        if key in existing or key in first:
            checker.fail(number, "start", _("This %(kind)s of %(who)s from %(start)s is already recorded %(where)s.") % {
                "kind": HOLD_WORDS[hold.kind], "who": subject, "start": hold.start.strftime("%d/%m/%Y"),
                "where": _place(first.get(key))})
        else:
            first[key] = number
    return [hold for _n, _s, hold in checked]


@dataclass
class _NewInitiative:
    initiative: Initiative
    first_row: int
    authors: list[Person] = field(default_factory=list)
    consumed_by: AwardRecord | None = None
    consumed_row: int | None = None


def _check_initiatives(checker: _Checker) -> list[_NewInitiative]:
    levels = _vocabulary(LEVEL_WORDS, InitiativeLevel, LEVEL_ALIASES)
    title_limit = Initiative._meta.get_field("title").max_length
    decision_limit = Initiative._meta.get_field("decision_number").max_length
    rows = []
    for number, row in checker.sheet.rows:
        errors = len(checker.errors)
        subject = checker.subject(number, row)
        title = checker.text(number, row, "title", title_limit, required_message=_("Enter the title of the initiative."))
        year = checker.year(number, row)
        level_text = cell_text(row["level"])
        level = None
        if not level_text:
            checker.fail(number, "level", _("Enter the level: %(values)s.") % {"values": "; ".join(LEVEL_WORDS.values())})
        else:
            level = checker.attempt(number, "level", lambda text=level_text: _choose(levels, text, LEVEL_WORDS))
        decision = checker.text(number, row, "decision", decision_limit)
        used_code = cell_text(row["used_award"]).upper()
        used_year = None
        if used_code:
            if used_code not in checker.lookups.awards:
                checker.fail(number, "used_award", _("No award in the catalogue has the code %(code)s.") % {
                    "code": used_code})
            used_year = checker.year(number, row, "used_year")
        elif cell_text(row["used_year"]):
            checker.fail(number, "used_award", _("Give the code of the award the initiative was used for, or leave "
                                                 "the year of the award empty."))
        if len(checker.errors) == errors:
            rows.append((number, subject.person, title, year, level, decision, used_code, used_year))

    people = {person.pk for _n, person, *_rest in rows}
    awards_of = defaultdict(list)
    for record in AwardRecord.objects.filter(person_id__in=people).select_related("award") if people else ():
        awards_of[(record.person_id, record.award.code, record.year)].append(record)
    known = {
        (person_id, fold(title), year)
        for person_id, title, year in Initiative.authors.through.objects.filter(person_id__in=people).values_list(
            "person_id", "initiative__title", "initiative__year")
    } if people else set()

    groups: dict[tuple, _NewInitiative] = {}
    authors_seen: dict[tuple, int] = {}
    for number, person, title, year, level, decision, used_code, used_year in rows:
        if (person.pk, fold(title), year) in known:
            checker.fail(number, "title", _("%(who)s already has the initiative “%(title)s” of %(year)d in the portal.")
                         % {"who": person.full_name, "title": title, "year": year})
            continue
        key = (fold(title), year, level, decision.upper())
        group = groups.get(key)
        if group is None:
            group = groups[key] = _NewInitiative(
                Initiative(title=title, year=year, level=level, decision_number=decision), first_row=number)
        if (key, person.pk) in authors_seen:
            checker.fail(number, "title", _("%(who)s is already an author of this initiative in row %(row)d.") % {
                "who": person.full_name, "row": authors_seen[(key, person.pk)]})
            continue
        authors_seen[(key, person.pk)] = number
        group.authors.append(person)
        if not used_code:
            continue
        records = [r for r in awards_of.get((person.pk, used_code, used_year), []) if r.kind == AwardKind.MERIT] or \
            awards_of.get((person.pk, used_code, used_year), [])
        if not records:
            checker.fail(number, "used_award", _("%(who)s has no %(code)s of %(year)d in the portal; import the awards "
                                                 "first.") % {"who": person.full_name, "code": used_code, "year": used_year})
        elif group.consumed_row is not None:
            checker.fail(number, "used_award", _("An initiative is used for one award only; row %(row)d already names "
                                                 "one.") % {"row": group.consumed_row})
        else:
            # An award may use several initiatives (Bằng khen Bộ trưởng needs two).
            group.consumed_by, group.consumed_row = records[0], number
    return list(groups.values())


def validate(table: Table, sheet: Sheet, *, today: date) -> tuple[list, list[CellError]]:
    """Check every row: the objects ready to save, or every mistake found (then no objects)."""
    checker = _Checker(table, sheet, _lookups(table, sheet), today)
    check = {"awards": _check_awards, "ratings": _check_ratings, "holds": _check_holds,
             "initiatives": _check_initiatives}[table.key]
    objects = check(checker)
    if checker.errors:
        return [], sorted(checker.errors)
    return objects, []


# --- The import service ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    errors: list[CellError]


def history_import(*, actor, table_key: str, upload: IO[bytes]) -> ImportResult:
    """Save every row of the uploaded workbook into the history table, or none when any cell is
    wrong; one audit entry for the lot (on the importing user's account)."""
    if not actor.has_perm("commendations.import_history"):
        raise PermissionDenied("commendations.import_history")
    table = TABLES[table_key]
    sheet = read_workbook(upload, table)
    today = timezone.localdate()
    with transaction.atomic():
        objects, errors = validate(table, sheet, today=today)
        if errors:
            return ImportResult(created=0, errors=errors)
        try:
            created = _save(table, objects)
        except IntegrityError as error:
            # Someone recorded one of these rows while the file was being checked.
            raise CommendationsError(_("The history changed while the file was being imported; upload it again.")) \
                from error
        audit_log(actor=actor, obj=actor, action="commendations.history.imported",
                  data={"table": table.key, "count": created})
    return ImportResult(created=created, errors=[])


def _save(table: Table, objects: list) -> int:
    if table.key == "awards":
        AwardRecord.objects.bulk_create(objects, batch_size=1000)
    elif table.key == "ratings":
        Rating.objects.bulk_create(objects, batch_size=1000)
    elif table.key == "holds":
        Hold.objects.bulk_create(objects, batch_size=1000)
    else:
        initiatives = [item.initiative for item in objects]
        for item in objects:
            item.initiative.title = nfc(item.initiative.title)
            item.initiative.consumed_by = item.consumed_by
        Initiative.objects.bulk_create(initiatives, batch_size=1000)
        through = Initiative.authors.through
        through.objects.bulk_create(
            [through(initiative_id=item.initiative.pk, person_id=person.pk) for item in objects for person in item.authors],
            batch_size=1000,
        )
        return sum(len(item.authors) for item in objects)
    return len(objects)
