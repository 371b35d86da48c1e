"""A scoring scheme to and from Excel (.xlsx), in the column layout offices use for their tables:
STT | Nội dung tiêu chí | Điểm chuẩn | Cách chấm, then machine columns (key, kind, parent, tiers…)
that make export → import reproduce the scheme exactly. Grades, grade caps and tie-breakers sit on
a second sheet, the scheme's name and year on a third.

Headers, sheet names and kind words are the file format, so they are fixed Vietnamese text (a file
exported in one language imports in another); the kind keys (``manual``…) are accepted too. A file
an office typed itself, with only STT | Nội dung tiêu chí | Điểm chuẩn (| Cách chấm), imports as well:
the hierarchy is read from the numbering (A → I → 1 → 1.1 → a), every line is a points line whose
maximum is its Điểm chuẩn, and Cách chấm becomes the line's guidance.

Every cell is checked before anything is saved; every mistake is reported with its sheet, row and
column, and then nothing is created. Import goes through emulation.schemes.parse_scheme like JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from emulation.enums import GROUP_KINDS, NodeKind, TieBreakKind
from emulation.explain import rule_summary
from emulation.models import Scheme
from emulation.schemes import FORMAT, FORMAT_VERSION, MAX_NODES, SchemeError, parse_scheme, scheme_to_dict
from portal import spreadsheets
from portal.text import fold, nfc

XLSX_CONTENT_TYPE = spreadsheets.XLSX_CONTENT_TYPE
TABLE_SHEET = "Bảng tiêu chí"
RULES_SHEET = "Xếp loại"
INFO_SHEET = "Thông tin"
XLSX_FORMAT = "tdkt-portal/scheme-xlsx"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    text: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", "STT", 8, text=True),
    Column("title", "Nội dung tiêu chí", 60),
    Column("max_points", "Điểm chuẩn", 11),
    Column("rule", "Cách chấm", 45),
    Column("key", "Khóa", 14, text=True),
    Column("kind", "Loại", 16),
    Column("parent", "Cấp trên", 14, text=True),
    Column("tiers", "Bậc", 36, text=True),
    Column("step", "Bước điểm", 10),
    Column("formula", "Công thức", 22, text=True),
    Column("inputs", "Biến", 14, text=True),
    Column("measure", "Chỉ số", 24, text=True),
    Column("gate", "Điều kiện", 14, text=True),
    Column("requires_evidence", "Minh chứng", 11),
    Column("guidance", "Hướng dẫn chấm", 40),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_COLUMNS = ("title", "max_points")

KIND_WORDS = {
    NodeKind.GROUP: "Nhóm tiêu chí",
    NodeKind.BONUS: "Điểm thưởng",
    NodeKind.DEDUCTION: "Điểm trừ",
    NodeKind.MANUAL: "Chấm điểm",
    NodeKind.YES_NO: "Có/Không",
    NodeKind.TIERED: "Theo mức",
    NodeKind.LATENESS: "Theo ngày chậm",
    NodeKind.FORMULA: "Công thức",
    NodeKind.AUTO: "Tự động",
}
TIE_BREAK_WORDS = {TieBreakKind.NODE: "Điểm tiêu chí", TieBreakKind.INPUT: "Giá trị nhập", TieBreakKind.METRIC: "Chỉ số"}
YES, NO = "x", ""
TRUE_WORDS = {"x", "co", "yes", "true", "1", "dung"}
FALSE_WORDS = {"", "khong", "no", "false", "0", "sai"}
GATE_EVIDENCE_WORDS = {"evidence", "minh chung"}

GRADES_TITLE, CAPS_TITLE, TIES_TITLE = "Mức xếp loại", "Giới hạn xếp loại", "Tiêu chí phụ khi bằng điểm"
GRADE_HEADERS = ("Khóa", "Mức xếp loại", "Điểm tối thiểu", "Không có tiêu chí 0 điểm")
CAP_HEADERS = ("Cờ", "Mô tả", "Mức cao nhất (khóa)")
TIE_HEADERS = ("Thứ tự", "Loại", "Tham chiếu", "Cao hơn là tốt hơn")
INFO_ROWS = (
    ("format", "Định dạng"),
    ("version", "Phiên bản định dạng"),
    ("name", "Tên bảng tiêu chí"),
    ("year", "Năm"),
    ("legal_basis", "Căn cứ"),
    ("description", "Mô tả"),
)

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
MACHINE_FILL = PatternFill("solid", fgColor="5B6770")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


# --- Export ----------------------------------------------------------------------------------------


def _safe(value: Any) -> Any:
    """Text as openpyxl can store it (no control characters)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _number(value: str | None) -> Any:
    if value is None:
        return None
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else number


def tiers_to_text(tiers) -> str:
    """Tiers as "lower|upper|li|ui|points;…" (empty bound = open, li/ui = 1 inclusive, 0 not)."""
    return ";".join(
        "|".join(
            [
                tier.get("lower") or "",
                tier.get("upper") or "",
                "1" if tier.get("lower_inclusive", True) else "0",
                "1" if tier.get("upper_inclusive", False) else "0",
                tier["points"],
            ]
        )
        for tier in tiers or ()
    )


def _put(sheet, row: int, column: int, value: Any, *, text: bool = False):
    cell = sheet.cell(row=row, column=column)
    value = _safe(value)
    cell.value = value
    if text or (isinstance(value, str) and value.startswith("=")):
        cell.data_type = "s"
        cell.number_format = "@"
    return cell


def scheme_workbook(scheme: Scheme) -> Workbook:
    """The scheme as a workbook; emulation:scheme_import reads it back into the same scheme."""
    document = scheme_to_dict(scheme)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TABLE_SHEET
    for index, column in enumerate(COLUMNS, start=1):
        cell = _put(sheet, 1, index, column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL if index <= 4 else MACHINE_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "C2"
    row = 2
    with translation.override("vi"):

        def write(node: dict[str, Any], parent: str, depth: int) -> None:
            nonlocal row
            values = {
                "code": node["code"],
                "title": node["title"],
                "max_points": _number(node["max_points"]),
                "rule": rule_summary(node),
                "key": node["key"],
                "kind": KIND_WORDS.get(node["kind"], node["kind"]),
                "parent": parent,
                "tiers": tiers_to_text(node["tiers"]),
                "step": _number(node["step"]),
                "formula": node["formula"],
                "inputs": ", ".join(node["inputs"]),
                "measure": node["measure"],
                "gate": node["gate"],
                "requires_evidence": YES if node["requires_evidence"] else NO,
                "guidance": node["guidance"],
            }
            for index, column in enumerate(COLUMNS, start=1):
                cell = _put(sheet, row, index, values[column.key], text=column.text)
                if column.key in ("title", "rule", "guidance"):
                    cell.alignment = Alignment(wrap_text=True, vertical="top", indent=depth if column.key == "title" else 0)
                if node["kind"] in GROUP_KINDS and column.key in ("code", "title", "max_points"):
                    cell.font = BOLD
            row += 1
            for child in node["children"]:
                write(child, node["key"], depth + 1)

        for node in document["nodes"]:
            write(node, "", 0)

    rules = workbook.create_sheet(RULES_SHEET)
    _write_block(rules, 1, GRADES_TITLE, GRADE_HEADERS, [
        [g["key"], g["label"], _number(g["min_total"]), YES if g["no_zero_lines"] else NO] for g in document["grades"]
    ])
    start = rules.max_row + 2
    _write_block(rules, start, CAPS_TITLE, CAP_HEADERS, [[c["flag"], c["label"], c["max_grade"]] for c in document["grade_caps"]])
    start = rules.max_row + 2
    _write_block(rules, start, TIES_TITLE, TIE_HEADERS, [
        [index, TIE_BREAK_WORDS.get(t["kind"], t["kind"]), t["ref"], YES if t["descending"] else NO]
        for index, t in enumerate(document["tie_breakers"], start=1)
    ])
    for letter, width in {"A": 16, "B": 40, "C": 18, "D": 22}.items():
        rules.column_dimensions[letter].width = width

    info = workbook.create_sheet(INFO_SHEET)
    head = {**document["scheme"], "format": XLSX_FORMAT, "version": FORMAT_VERSION}
    for index, (key, label) in enumerate(INFO_ROWS, start=1):
        _put(info, index, 1, label).font = BOLD
        _put(info, index, 2, head[key], text=key not in ("year", "version"))
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 80
    workbook.active = 0
    return workbook


def _write_block(sheet, start: int, title: str, headers, rows) -> None:
    _put(sheet, start, 1, title).font = Font(bold=True, size=12)
    for index, header in enumerate(headers, start=1):
        cell = _put(sheet, start + 1, index, header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for offset, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            _put(sheet, start + offset, index, value, text=isinstance(value, str))


# --- Import ----------------------------------------------------------------------------------------


class SchemeWorkbookError(Exception):
    """The workbook cannot be imported; `errors` lists every mistake with its place."""

    def __init__(self, errors: list[CellError]):
        super().__init__("; ".join(error.message for error in errors[:5]))
        self.errors = errors


@dataclass(frozen=True, order=True)
class CellError:
    """One mistake: sheet, row as Excel numbers it (0: the sheet as a whole), column letter and header."""

    sheet: str
    row: int
    column: str
    header: str
    message: str


class _Invalid(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    """A number cell, or text with a decimal comma or point; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _Invalid(_("Enter a number such as 1,75 or 1.75."))
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if text.count(",") + text.count(".") > 1:
            raise _Invalid(_("Enter a number such as 1,75 or 1.75."))
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation as error:
            raise _Invalid(_("“%(value)s” is not a number; enter one such as 1,75 or 1.75.") % {"value": text}) from error
    if not number.is_finite():
        raise _Invalid(_("Enter a number such as 1,75 or 1.75."))
    number = number.normalize()
    return Decimal(format(number, "f"))


def _boolean(value: Any) -> bool:
    text = fold(_text(value))
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise _Invalid(_("Write x for yes, or leave the cell empty for no."))


def _dec_text(number: Decimal | None) -> str | None:
    return None if number is None else format(number, "f")


def text_to_tiers(text: str) -> list[dict[str, Any]]:
    """The Bậc cell back into tiers; _Invalid naming the faulty tier."""
    tiers = []
    for index, part in enumerate(piece for piece in text.split(";") if piece.strip()):
        fields = [field.strip() for field in part.split("|")]
        if len(fields) != 5:
            raise _Invalid(
                _("Tier %(number)d: write each tier as from|to|from included (1/0)|to included (1/0)|points, "
                  "tiers separated by “;”, e.g. 95|100|1|0|1,75.") % {"number": index + 1}
            )
        lower, upper, lower_inclusive, upper_inclusive, points = fields
        try:
            tier = {
                "lower": _dec_text(_decimal(lower)),
                "upper": _dec_text(_decimal(upper)),
                "lower_inclusive": _flag(lower_inclusive),
                "upper_inclusive": _flag(upper_inclusive),
                "points": _dec_text(_decimal(points)),
            }
        except _Invalid as error:
            raise _Invalid(_("Tier %(number)d: %(error)s") % {"number": index + 1, "error": error}) from error
        if tier["points"] is None:
            raise _Invalid(_("Tier %(number)d has no points.") % {"number": index + 1})
        tiers.append(tier)
    return tiers


def _flag(text: str) -> bool:
    if text in ("1", "x", "true"):
        return True
    if text in ("0", "", "false"):
        return False
    raise _Invalid(_("“included” is 1 (yes) or 0 (no)."))


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for key, label in NodeKind.choices:
        for text in (key, KIND_WORDS[key], str(label)):
            lookup[fold(text)] = key
    return lookup


def _tie_lookup() -> dict[str, str]:
    lookup = {}
    for key, label in TieBreakKind.choices:
        for text in (key, TIE_BREAK_WORDS[key], str(label)):
            lookup[fold(text)] = key
    return lookup


# The numbering of printed tables: A. → I. → 1. → 1.1. → a) → - (bullets)
_ROMAN = re.compile(r"(?=[IVXL])(L?X{0,3})(IX|IV|V?I{0,3})")
_LEVEL_PATTERNS = (
    (re.compile(r"[A-Z]"), 1),
    (re.compile(r"[0-9]+"), 3),
    (re.compile(r"[0-9]+(\.[0-9]+)+"), None),  # 4 + depth
    (re.compile(r"[a-zđ]"), 8),
    (re.compile(r"[-+•*]"), 9),
)


def numbering_level(code: str) -> int:
    """How deep a printed number sits: A (1), I (2), 1 (3), 1.1 (4), 1.1.1 (5), a (8), - (9)."""
    code = code.strip().rstrip(".)").strip()
    if not code:
        return 9
    if _ROMAN.fullmatch(code):
        return 2
    for pattern, level in _LEVEL_PATTERNS:
        if pattern.fullmatch(code):
            return level if level is not None else 3 + code.count(".")
    return 9


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def read_workbook(upload: IO[bytes]) -> dict[str, Any]:
    """The scheme document (the JSON format) of an uploaded workbook; SchemeWorkbookError with
    every mistake when a cell is wrong or the scheme would be invalid."""

    def whole(message: str) -> SchemeWorkbookError:
        return SchemeWorkbookError([CellError("", 0, "", "", message)])

    return spreadsheets.read_workbook(upload, read=lambda workbook: _WorkbookReader(workbook).document(), fail=whole)


class _WorkbookReader:
    def __init__(self, workbook):
        self.workbook = workbook
        self.errors: list[CellError] = []
        self.columns: dict[str, tuple[int, str, str]] = {}
        self.rows: list[_Row] = []
        # where each part of the document came from, to place parse_scheme's problems
        self.places: dict[str, tuple[str, int]] = {}
        self.rule_columns: dict[str, dict[str, tuple[str, str]]] = {}

    def fail(self, sheet: str, row: int, column: str, header: str, message: str) -> None:
        self.errors.append(CellError(sheet, row, column, header, message))

    def cell_fail(self, row: int, key: str, message: str) -> None:
        _index, letter, header = self.columns.get(key, (0, "", COLUMN_BY_KEY[key].header))
        self.fail(TABLE_SHEET, row, letter, header, message)

    # -- the sheets

    def document(self) -> dict[str, Any]:
        names = self.workbook.sheetnames
        table = self.workbook[TABLE_SHEET] if TABLE_SHEET in names else self.workbook.worksheets[0]
        self._read_table(table)
        head = self._read_info(self.workbook[INFO_SHEET]) if INFO_SHEET in names else {}
        grades, caps, ties = self._read_rules(self.workbook[RULES_SHEET]) if RULES_SHEET in names else ([], [], [])
        nodes = self._build_tree()
        if self.errors:
            raise SchemeWorkbookError(sorted(self.errors))
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "scheme": head,
            "nodes": nodes,
            "grades": grades,
            "grade_caps": caps,
            "tie_breakers": ties,
        }
        try:
            parse_scheme(document)
        except SchemeError as error:
            for path, message in error.problems:
                self._place(path, message)
            raise SchemeWorkbookError(sorted(self.errors)) from error
        return document

    def _read_table(self, sheet) -> None:
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        wanted = {fold(column.header): column.key for column in COLUMNS}
        for index, value in enumerate(header):
            key = wanted.get(fold(_text(value)))
            if key and key not in self.columns:
                self.columns[key] = (index, get_column_letter(index + 1), _text(value))
        missing = [COLUMN_BY_KEY[key].header for key in REQUIRED_COLUMNS if key not in self.columns]
        if missing:
            raise SchemeWorkbookError([CellError(
                sheet.title, 1, "", "",
                _("The first row must hold the column headers (STT | Nội dung tiêu chí | Điểm chuẩn | Cách chấm …); "
                  "missing: %(columns)s.") % {"columns": ", ".join(missing)},
            )])
        for number, values in enumerate(rows, start=2):
            row = {key: values[index] if index < len(values) else None for key, (index, _l, _h) in self.columns.items()}
            if all(_text(value) == "" for key, value in row.items() if key != "rule"):
                continue
            if len(self.rows) >= MAX_NODES:
                raise SchemeWorkbookError([CellError(
                    sheet.title, number, "", "", _("A scheme may have at most %(max)d lines.") % {"max": MAX_NODES}
                )])
            self.rows.append(_Row(number, row))
        if not self.rows:
            raise SchemeWorkbookError([CellError(sheet.title, 0, "", "", _("The sheet has no criteria under the header row."))])

    def _read_info(self, sheet) -> dict[str, Any]:
        labels = {fold(label): key for key, label in INFO_ROWS}
        head: dict[str, Any] = {"name": "", "year": None, "legal_basis": "", "description": ""}
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=2), start=1):
            if not values:
                continue
            key = labels.get(fold(_text(values[0])))
            value = values[1] if len(values) > 1 else None
            if key is None:
                continue
            self.places[f"scheme.{key}"] = (INFO_SHEET, number)
            if key == "format":
                if _text(value) not in ("", XLSX_FORMAT):
                    self.fail(INFO_SHEET, number, "B", _text(values[0]), _("This sheet is not from a scheme exported by the portal."))
            elif key == "version":
                if _text(value) not in ("", str(FORMAT_VERSION)):
                    self.fail(INFO_SHEET, number, "B", _text(values[0]),
                              _("Format version %(version)s is not supported.") % {"version": _text(value)})
            elif key == "year":
                try:
                    year = _decimal(value)
                except _Invalid:
                    year = None
                if year is None or year != year.to_integral_value():
                    self.fail(INFO_SHEET, number, "B", _text(values[0]), _("Enter the year, for example 2026."))
                else:
                    head["year"] = int(year)
            elif key == "description":
                head[key] = _text(value)
            else:
                head[key] = nfc(_text(value))
        return head

    def _read_rules(self, sheet) -> tuple[list, list, list]:
        titles = {fold(GRADES_TITLE): "grades", fold(CAPS_TITLE): "grade_caps", fold(TIES_TITLE): "tie_breakers"}
        blocks: dict[str, list[tuple[int, tuple]]] = {"grades": [], "grade_caps": [], "tie_breakers": []}
        current = None
        skip_header = False
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=4), start=1):
            values = tuple(values) + (None,) * (4 - len(values))
            first = fold(_text(values[0]))
            if first in titles:
                current, skip_header = titles[first], True
                continue
            if skip_header:
                skip_header = False
                continue
            if current is None or all(_text(v) == "" for v in values):
                continue
            blocks[current].append((number, values))
        grades, caps, ties = [], [], []
        for index, (number, (key, label, minimum, no_zero)) in enumerate(blocks["grades"]):
            self.places[f"grades[{index}]"] = (RULES_SHEET, number)
            try:
                min_total = _decimal(minimum)
            except _Invalid as error:
                self.fail(RULES_SHEET, number, "C", GRADE_HEADERS[2], str(error))
                min_total = None
            try:
                no_zero_lines = _boolean(no_zero)
            except _Invalid as error:
                self.fail(RULES_SHEET, number, "D", GRADE_HEADERS[3], str(error))
                no_zero_lines = False
            grades.append({"key": _text(key), "label": nfc(_text(label)), "min_total": _dec_text(min_total),
                           "no_zero_lines": no_zero_lines})
        for index, (number, (flag, label, max_grade, _unused)) in enumerate(blocks["grade_caps"]):
            self.places[f"grade_caps[{index}]"] = (RULES_SHEET, number)
            caps.append({"flag": _text(flag), "label": nfc(_text(label)), "max_grade": _text(max_grade)})
        kinds = _tie_lookup()
        ordered = []
        for index, (number, (order, kind, ref, descending)) in enumerate(blocks["tie_breakers"]):
            key = kinds.get(fold(_text(kind)))
            if key is None:
                self.fail(RULES_SHEET, number, "B", TIE_HEADERS[1],
                          _("“%(value)s” is not allowed here; use one of: %(values)s.")
                          % {"value": _text(kind), "values": "; ".join(TIE_BREAK_WORDS.values())})
                key = TieBreakKind.NODE
            try:
                higher = _boolean(descending)
            except _Invalid as error:
                self.fail(RULES_SHEET, number, "D", TIE_HEADERS[3], str(error))
                higher = True
            try:
                rank = _decimal(order)
            except _Invalid:
                rank = None
            ordered.append((rank if rank is not None else Decimal(index + 1), index, number,
                            {"kind": key, "ref": _text(ref), "descending": higher}))
        for position, (_rank, _index, number, tie) in enumerate(sorted(ordered, key=lambda item: (item[0], item[1]))):
            self.places[f"tie_breakers[{position}]"] = (RULES_SHEET, number)
            ties.append(tie)
        self.rule_columns = {
            "grades": {"key": ("A", GRADE_HEADERS[0]), "label": ("B", GRADE_HEADERS[1]), "min_total": ("C", GRADE_HEADERS[2]),
                       "no_zero_lines": ("D", GRADE_HEADERS[3])},
            "grade_caps": {"flag": ("A", CAP_HEADERS[0]), "label": ("B", CAP_HEADERS[1]), "max_grade": ("C", CAP_HEADERS[2])},
            "tie_breakers": {"kind": ("B", TIE_HEADERS[1]), "ref": ("C", TIE_HEADERS[2]), "descending": ("D", TIE_HEADERS[3])},
        }
        return grades, caps, ties

    # -- the tree

    def _node(self, row: _Row, *, inferred: bool) -> dict[str, Any]:
        values = row.values
        number = row.number
        node: dict[str, Any] = {
            "key": _text(values.get("key")),
            "code": nfc(_text(values.get("code"))),
            "title": nfc(_text(values.get("title"))),
            "guidance": _text(values.get("guidance")),
            "kind": None,
            "max_points": None,
            "step": None,
            "tiers": [],
            "formula": _text(values.get("formula")),
            "inputs": [name.strip() for name in re.split(r"[,;]", _text(values.get("inputs"))) if name.strip()],
            "measure": _text(values.get("measure")),
            "gate": _text(values.get("gate")),
            "requires_evidence": False,
            "children": [],
        }
        for key in ("max_points", "step"):
            try:
                node[key] = _dec_text(_decimal(values.get(key)))
            except _Invalid as error:
                self.cell_fail(number, key, str(error))
        kind_text = _text(values.get("kind"))
        if kind_text:
            node["kind"] = _kind_lookup().get(fold(kind_text))
            if node["kind"] is None:
                self.cell_fail(number, "kind", _("“%(value)s” is not allowed here; use one of: %(values)s.")
                               % {"value": kind_text, "values": "; ".join(KIND_WORDS.values())})
                node["kind"] = NodeKind.MANUAL
        try:
            node["tiers"] = text_to_tiers(_text(values.get("tiers")))
        except _Invalid as error:
            self.cell_fail(number, "tiers", str(error))
        try:
            node["requires_evidence"] = _boolean(values.get("requires_evidence"))
        except _Invalid as error:
            self.cell_fail(number, "requires_evidence", str(error))
        if fold(node["gate"]) in GATE_EVIDENCE_WORDS:
            node["gate"] = "evidence"
        if inferred and not node["guidance"]:
            node["guidance"] = _text(values.get("rule"))
        if not node["title"]:
            self.cell_fail(number, "title", _("Enter the criterion."))
        return node

    def _build_tree(self) -> list[dict[str, Any]]:
        inferred = not any(_text(row.values.get("key")) for row in self.rows)
        nodes = [self._node(row, inferred=inferred) for row in self.rows]
        if inferred:
            return self._tree_from_numbering(nodes)
        first_row: dict[str, int] = {}
        by_key: dict[str, dict[str, Any]] = {}
        for row, node in zip(self.rows, nodes, strict=True):
            key = node["key"]
            if not key:
                self.cell_fail(row.number, "key", _("Enter the key of this line (every line of the file needs one)."))
            elif key in first_row:
                self.cell_fail(row.number, "key", _("The key %(key)s is already used in row %(row)d.")
                               % {"key": key, "row": first_row[key]})
            else:
                first_row[key] = row.number
                by_key[key] = node
        roots: list[dict[str, Any]] = []
        parent_of: dict[str, str] = {}
        for row, node in zip(self.rows, nodes, strict=True):
            parent = _text(row.values.get("parent"))
            if not parent:
                roots.append(node)
            elif parent not in by_key:
                self.cell_fail(row.number, "parent", _("No line of the file has the key %(key)s.") % {"key": parent})
            elif parent == node["key"]:
                self.cell_fail(row.number, "parent", _("A line cannot be its own parent."))
            else:
                by_key[parent]["children"].append(node)
                parent_of[node["key"]] = parent
        for row, node in zip(self.rows, nodes, strict=True):
            seen, current = {node["key"]}, parent_of.get(node["key"])
            while current is not None:
                if current in seen:
                    self.cell_fail(row.number, "parent", _("The parents of this line go round in a circle."))
                    break
                seen.add(current)
                current = parent_of.get(current)
        for node in nodes:
            if node["kind"] is None:
                node["kind"] = NodeKind.GROUP if node["children"] else NodeKind.MANUAL
        self._remember(roots, "nodes", {id(node): row.number for row, node in zip(self.rows, nodes, strict=True)})
        return roots

    def _tree_from_numbering(self, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        roots: list[dict[str, Any]] = []
        stack: list[tuple[int, dict[str, Any]]] = []
        keys: set[str] = set()
        for node in nodes:
            level = numbering_level(node["code"])
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1] if stack else None
            base = re.sub(r"[^\w.\-]+", "", node["code"].rstrip(".)")) or "L"
            key = f"{parent['key']}.{base}" if parent else base
            candidate, suffix = key, 2
            while candidate in keys:
                candidate, suffix = f"{key}-{suffix}", suffix + 1
            node["key"] = candidate
            keys.add(candidate)
            (parent["children"] if parent else roots).append(node)
            stack.append((level, node))
        for node in nodes:
            if node["kind"] is None:
                node["kind"] = NodeKind.GROUP if node["children"] else NodeKind.MANUAL
        self._remember(roots, "nodes", {id(node): row.number for row, node in zip(self.rows, nodes, strict=True)})
        return roots

    def _remember(self, items: list[dict[str, Any]], path: str, rows: dict[int, int]) -> None:
        for index, item in enumerate(items):
            here = f"{path}[{index}]" if path == "nodes" else f"{path}.children[{index}]"
            self.places[here] = (TABLE_SHEET, rows[id(item)])
            self.places[item["key"]] = (TABLE_SHEET, rows[id(item)])
            self._remember(item["children"], here, rows)

    # -- placing parse_scheme's problems

    def _place(self, path: str, message: str) -> None:
        # engine problems: "nodes[0].children[1].tiers (A.I.2)"; reader problems: "nodes[0].tiers[1].points"
        engine_problem = re.fullmatch(r"(nodes[^ ]*?)(?:\.([a-z_]+))? \((.*)\)", path)
        if engine_problem and engine_problem.group(1) in self.places:
            sheet, row = self.places[engine_problem.group(1)]
            name = engine_problem.group(2)
            if name in COLUMN_BY_KEY:
                self.cell_fail(row, name, message)
            else:
                self.fail(sheet, row, "", "", message)
            return
        rule = re.fullmatch(r"(grades|grade_caps|tie_breakers)(\[[0-9]+\])?(?:\.(\w+))?", path)
        if rule:
            section, index, name = rule.groups()
            sheet, row = self.places.get(f"{section}{index or ''}", (RULES_SHEET, 0))
            letter, header = self.rule_columns.get(section, {}).get(name or "", ("", ""))
            self.fail(sheet, row, letter, header, message)
            return
        node = re.fullmatch(r"(nodes(?:\[[0-9]+\])?(?:\.children\[[0-9]+\])*)(?:\.(\w+))?(?:\[[0-9]+\])?(?:\.\w+)?", path)
        if node and node.group(1) in self.places:
            sheet, row = self.places[node.group(1)]
            name = node.group(2)
            if name in COLUMN_BY_KEY:
                self.cell_fail(row, name, message)
            else:
                self.fail(sheet, row, "", "", message)
            return
        if path.startswith("scheme."):
            sheet, row = self.places.get(path, (INFO_SHEET, 0))
            label = dict(INFO_ROWS).get(path.split(".", 1)[1], "")
            self.fail(sheet, row, "B" if row else "", label, message)
            return
        self.fail(TABLE_SHEET if path.startswith("nodes") else "", 0, "", "", f"{path}: {message}" if path else message)
