"""Schemes as data and the editor's services: JSON and Excel export → import reproduce a scheme exactly,
invalid files are refused with every problem and create nothing, lines are added, changed, moved and
deleted with optimistic locking, a frozen scheme refuses every change, clones keep everything."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from emulation import schemes
from emulation.enums import NodeKind, TieBreakKind
from emulation.models import Scheme, SchemeGrade, SchemeGradeCap, SchemeNode, SchemeTieBreaker
from emulation.scheme_excel import (
    INFO_SHEET,
    RULES_SHEET,
    TABLE_SHEET,
    SchemeWorkbookError,
    numbering_level,
    read_workbook,
    scheme_workbook,
    text_to_tiers,
    tiers_to_text,
)
from emulation.schemes import NodeData, SchemeError, SchemeFrozenError
from portal.models import AuditLog
from portal.services import StaleVersionError
from tests.factories.emulation import MOJ_TIERS, SchemeFactory, build_scheme

D = Decimal
LATENESS = [
    {"points": "2", "lower": None, "upper": "0", "lower_inclusive": True, "upper_inclusive": True},
    {"points": "1.5", "lower": "1", "upper": "2", "lower_inclusive": True, "upper_inclusive": True},
    {"points": "0", "lower": "2", "upper": None, "lower_inclusive": False, "upper_inclusive": False},
]


def add(scheme, key, kind, *, parent=None, position=0, **fields) -> SchemeNode:
    fields.setdefault("title", f"Tiêu chí {key}")
    fields.setdefault("code", key.rsplit(".", 1)[-1])
    return SchemeNode.objects.create(scheme=scheme, key=key, kind=kind, parent=parent, position=position, **fields)


@pytest.fixture
def full_scheme(db):
    """One line of every kind, three levels deep, bonus and deduction groups, gates, grades, caps
    and tie-breakers of each kind: what an export must carry."""
    scheme = SchemeFactory(name="Bảng tiêu chí Sở Tư pháp", year=2025, legal_basis="Quyết định số 536/QĐ-BTP",
                           description="Dòng một\nDòng hai")
    a = add(scheme, "A", NodeKind.GROUP, code="A", title="Thực hiện nhiệm vụ chuyên môn", max_points=D("150"))
    a1 = add(scheme, "A.I", NodeKind.GROUP, parent=a, code="I", title="Công tác xây dựng pháp luật", max_points=D("20"))
    add(scheme, "A.I.1", NodeKind.MANUAL, parent=a1, code="1", max_points=D("2"), step=D("0.25"),
        guidance="Chấm theo kết quả thực tế.\nCó minh chứng.", requires_evidence=True, gate="evidence")
    add(scheme, "A.I.2", NodeKind.YES_NO, parent=a1, position=1, code="2", max_points=D("2"), gate="no_violation")
    add(scheme, "A.I.3", NodeKind.TIERED, parent=a1, position=2, code="3", max_points=D("2"), tiers=MOJ_TIERS,
        measure="Tỷ lệ văn bản đúng hạn (%)")
    add(scheme, "A.I.4", NodeKind.LATENESS, parent=a1, position=3, code="4", max_points=D("2"), tiers=LATENESS)
    add(scheme, "A.I.5", NodeKind.FORMULA, parent=a1, position=4, code="5", max_points=D("20"),
        formula="b / a * 20", inputs=["a", "b"])
    add(scheme, "A.II", NodeKind.GROUP, parent=a, position=1, code="II", title="Tự động", max_points=D("4"))
    a2 = SchemeNode.objects.get(scheme=scheme, key="A.II")
    add(scheme, "A.II.1", NodeKind.AUTO, parent=a2, code="1", max_points=D("2"), measure="office.on_time_rate",
        tiers=MOJ_TIERS)
    add(scheme, "A.II.2", NodeKind.AUTO, parent=a2, position=1, code="2", max_points=D("2"),
        measure="office.tasks_overdue", formula="2 - office_tasks_overdue * 0.5")
    bonus = add(scheme, "B", NodeKind.BONUS, position=1, code="B", title="Điểm thưởng", max_points=D("5"))
    add(scheme, "B.1", NodeKind.MANUAL, parent=bonus, code="1", max_points=D("3"))
    deduction = add(scheme, "C", NodeKind.DEDUCTION, position=2, code="C", title="Điểm trừ", max_points=D("10"))
    add(scheme, "C.1", NodeKind.MANUAL, parent=deduction, code="1", max_points=D("10"))
    SchemeGrade.objects.create(scheme=scheme, position=0, key="excellent", label="Xuất sắc", min_total=D("95"),
                               no_zero_lines=True)
    SchemeGrade.objects.create(scheme=scheme, position=1, key="good", label="Tốt", min_total=D("85.5"))
    SchemeGradeCap.objects.create(scheme=scheme, flag="leader_disciplined", label="Lãnh đạo bị kỷ luật", max_grade="good")
    SchemeTieBreaker.objects.create(scheme=scheme, position=0, kind=TieBreakKind.NODE, ref="A.I")
    SchemeTieBreaker.objects.create(scheme=scheme, position=1, kind=TieBreakKind.INPUT, ref="A.I.5:b", descending=False)
    SchemeTieBreaker.objects.create(scheme=scheme, position=2, kind=TieBreakKind.METRIC, ref="office.on_time_rate")
    return scheme


def without_identity(document: dict) -> dict:
    """The document except the scheme's name (import gives a new version, never the same row)."""
    document = json.loads(json.dumps(document))
    document["scheme"].pop("name")
    return document


def json_round_trip(scheme, actor) -> Scheme:
    text = json.dumps(schemes.scheme_to_dict(scheme), ensure_ascii=False)
    return schemes.scheme_create_from_dict(actor=actor, data=json.loads(text))


# --- JSON ---------------------------------------------------------------------------------------------


def test_json_export_then_import_reproduces_the_scheme_exactly(full_scheme, users):
    copy = json_round_trip(full_scheme, users.officer)
    assert copy.pk != full_scheme.pk
    assert copy.version == full_scheme.version + 1
    assert without_identity(schemes.scheme_to_dict(copy)) == without_identity(schemes.scheme_to_dict(full_scheme))
    assert schemes.scheme_to_dict(copy)["scheme"]["name"] == full_scheme.name
    assert copy.nodes.count() == full_scheme.nodes.count() == 14
    assert AuditLog.objects.filter(action="emulation.scheme.imported", object_id=str(copy.pk)).count() == 1


def test_json_export_has_the_documented_shape(full_scheme):
    document = schemes.scheme_to_dict(full_scheme)
    assert document["format"] == "tdkt-portal/scheme"
    assert document["version"] == 1
    assert set(document) == {"format", "version", "scheme", "nodes", "grades", "grade_caps", "tie_breakers"}
    line = document["nodes"][0]["children"][0]["children"][0]
    assert line == {
        "key": "A.I.1", "code": "1", "title": "Tiêu chí A.I.1", "guidance": "Chấm theo kết quả thực tế.\nCó minh chứng.",
        "kind": "manual", "max_points": "2", "step": "0.25", "tiers": [], "formula": "", "inputs": [], "measure": "",
        "gate": "evidence", "requires_evidence": True, "children": [],
    }
    assert document["grades"][1] == {"key": "good", "label": "Tốt", "min_total": "85.5", "no_zero_lines": False}


def test_a_scheme_that_round_trips_twice_stays_the_same(full_scheme, users):
    first = json_round_trip(full_scheme, users.officer)
    second = json_round_trip(first, users.officer)
    assert second.version == full_scheme.version + 2
    assert without_identity(schemes.scheme_to_dict(second)) == without_identity(schemes.scheme_to_dict(full_scheme))


def valid_document() -> dict:
    return {
        "format": "tdkt-portal/scheme",
        "version": 1,
        "scheme": {"name": "Bảng nhập", "year": 2026, "legal_basis": "", "description": ""},
        "nodes": [
            {"key": "A", "code": "A", "title": "Phần A", "kind": "group", "max_points": "10", "children": [
                {"key": "A.1", "code": "1", "title": "Dòng 1", "kind": "manual", "max_points": "2"},
                {"key": "A.2", "code": "2", "title": "Dòng 2", "kind": "tiered", "max_points": "2",
                 "tiers": [{"points": "2", "lower": "90"}, {"points": "1", "upper": "90"}]},
            ]},
        ],
        "grades": [{"key": "good", "label": "Tốt", "min_total": "8"}],
    }


def test_a_minimal_document_fills_defaults(users):
    scheme = schemes.scheme_create_from_dict(actor=users.officer, data=valid_document())
    line = scheme.nodes.get(key="A.2")
    assert line.tiers[0] == {"points": "2", "lower": "90", "upper": None, "lower_inclusive": True, "upper_inclusive": False}
    assert line.requires_evidence is False
    assert scheme.grades.get().no_zero_lines is False


def broken(change) -> dict:
    document = valid_document()
    change(document)
    return document


def _set(path, value):
    def change(document):
        target = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


INVALID = {
    "wrong format key": (_set(["format"], "other/format"), "format", "must be “tdkt-portal/scheme”"),
    "unsupported version": (_set(["version"], 2), "version", "version 2 is not supported"),
    "unknown kind": (_set(["nodes", 0, "children", 0, "kind"], "magic"), "nodes[0].children[0].kind",
                     "“magic” is not a scoring kind"),
    "duplicate key": (_set(["nodes", 0, "children", 1, "key"], "A.1"), "nodes[0].children[1].key", "“A.1” is used twice"),
    "tier points above the max": (_set(["nodes", 0, "children", 1, "tiers", 0, "points"], "3"),
                                  "nodes[0].children[1].tiers (A.2)", "Tier 1 gives 3 points, more than the line's maximum of 2."),
    "formula with an undeclared input": (
        _set(["nodes", 0, "children", 0], {"key": "A.1", "title": "F", "kind": "formula", "max_points": "2",
                                          "formula": "b / a", "inputs": ["a"]}),
        "nodes[0].children[0].formula (A.1)", "The formula uses “b”, which is not one of its declared values (a).",
    ),
    "bonus group without a cap": (
        lambda document: document["nodes"].append({"key": "B", "title": "Thưởng", "kind": "bonus", "children": [
            {"key": "B.1", "title": "x", "kind": "manual", "max_points": "1"}]}),
        "nodes[1].max_points (B)", "A bonus group needs a maximum (its cap).",
    ),
    "a string where a number is expected": (_set(["nodes", 0, "max_points"], "mười"), "nodes[0].max_points",
                                            "“mười” is not a number"),
    "a list where a number is expected": (_set(["grades", 0, "min_total"], [8]), "grades[0].min_total", "must be a number"),
    "a year as text": (_set(["scheme", "year"], "2026"), "scheme.year", "must be a year between 1990 and 2100"),
    "too many decimals": (_set(["nodes", 0, "children", 0, "max_points"], "1.755"), "nodes[0].children[0].max_points",
                          "may have at most 2 decimal places"),
    "a key with a space": (_set(["nodes", 0, "children", 0, "key"], "A 1"), "nodes[0].children[0].key",
                           "use letters, digits, “.”, “-” and “_” only (no spaces), for example A.I.1"),
    "lines under a points line": (_set(["nodes", 0, "children", 0, "children"], [{"key": "x", "title": "x", "kind": "manual"}]),
                                  "nodes[0].children[0].children", "only sections, bonus and deduction groups can have lines under them"),
    "a cap naming no grade": (_set(["grade_caps"], [{"flag": "f", "label": "F", "max_grade": "best"}]), "grade_caps[0]",
                              "The grade cap for “f” names the grade “best”, which the scheme does not have."),
    "a tie-breaker naming no line": (_set(["tie_breakers"], [{"kind": "node", "ref": "Z"}]), "tie_breakers[0]",
                                     "The tie-breaker “Z” names a line that is not in the table."),
    "no lines": (_set(["nodes"], []), "nodes", "the scheme has no lines"),
    # Found by tests/test_hostile_input.py: a list as the kind was a TypeError (500), a step
    # above 9999.99 overflowed its column on PostgreSQL (500).
    "a list as the kind": (_set(["nodes", 0, "kind"], ["group"]), "nodes[0].kind", "“['group']” is not a scoring kind"),
    "an object as the kind": (_set(["nodes", 0, "kind"], {"group": 1}), "nodes[0].kind", "“{'group': 1}” is not a scoring kind"),
    "a step too large for its column": (_set(["nodes", 0, "children", 0, "step"], "10000"), "nodes[0].children[0].step",
                                        "must be a number between 0 and 9,999.99"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_an_invalid_document_is_refused_with_its_problem_and_creates_nothing(users, case):
    change, path, message = INVALID[case]
    before = (Scheme.objects.count(), SchemeNode.objects.count(), AuditLog.objects.count())
    with translation.override("en"), pytest.raises(SchemeError) as refused:
        schemes.scheme_create_from_dict(actor=users.officer, data=broken(change))
    assert (path, message) in refused.value.problems
    assert (Scheme.objects.count(), SchemeNode.objects.count(), AuditLog.objects.count()) == before


def test_every_problem_of_a_document_is_listed_at_once(users):
    def many(document):
        document["format"] = "x"
        document["nodes"][0]["children"][0]["kind"] = "magic"
        document["nodes"][0]["children"][1]["max_points"] = "abc"
    with translation.override("en"), pytest.raises(SchemeError) as refused:
        schemes.scheme_create_from_dict(actor=users.officer, data=broken(many))
    assert [path for path, _ in refused.value.problems] == ["format", "nodes[0].children[0].kind", "nodes[0].children[1].max_points"]
    assert Scheme.objects.count() == 0


@pytest.mark.parametrize("data", [None, [], "text", 42])
def test_a_document_that_is_not_an_object_is_refused(users, data):
    with pytest.raises(SchemeError):
        schemes.scheme_create_from_dict(actor=users.officer, data=data)
    assert Scheme.objects.count() == 0


def test_only_scheme_managers_may_import(users):
    for role in ("staff", "leader", "council", "outsider", "no_role"):
        with pytest.raises(PermissionDenied):
            schemes.scheme_create_from_dict(actor=getattr(users, role), data=valid_document())
    assert schemes.scheme_create_from_dict(actor=users.admin, data=valid_document()).nodes.count() == 3


# --- Excel ----------------------------------------------------------------------------------------------


def workbook_bytes(workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_excel_export_then_import_reproduces_the_scheme_exactly(full_scheme, users):
    document = read_workbook(workbook_bytes(scheme_workbook(full_scheme)))
    copy = schemes.scheme_create_from_dict(actor=users.officer, data=document)
    assert without_identity(schemes.scheme_to_dict(copy)) == without_identity(schemes.scheme_to_dict(full_scheme))
    assert copy.name == full_scheme.name


def test_excel_export_has_the_office_columns_and_rule_in_words(full_scheme):
    workbook = scheme_workbook(full_scheme)
    assert workbook.sheetnames == [TABLE_SHEET, RULES_SHEET, INFO_SHEET]
    sheet = workbook[TABLE_SHEET]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["STT", "Nội dung tiêu chí", "Điểm chuẩn", "Cách chấm"]
    assert header[4:] == ["Khóa", "Loại", "Cấp trên", "Bậc", "Bước điểm", "Công thức", "Biến", "Chỉ số", "Điều kiện",
                          "Minh chứng", "Hướng dẫn chấm"]
    rows = {row[4].value: row for row in sheet.iter_rows(min_row=2)}
    tiered = rows["A.I.3"]
    assert tiered[0].value == "3"
    assert tiered[2].value == 2
    assert tiered[3].value.startswith("≥ 100 = 2; 95–<100 = 1,75; 80–<95 = 1,5")
    assert tiered[6].value == "A.I"
    assert tiered[7].value == "100||1|0|2;95|100|1|0|1.75;80|95|1|0|1.5;70|80|1|0|1;60|70|1|0|0.5;|60|1|0|0"
    assert rows["A.I.1"][13].value == "x"
    assert rows["A"][1].font.b is True


def test_tier_text_round_trip():
    assert text_to_tiers(tiers_to_text(MOJ_TIERS)) == MOJ_TIERS
    assert text_to_tiers("95|100|1|0|1,75") == [
        {"lower": "95", "upper": "100", "lower_inclusive": True, "upper_inclusive": False, "points": "1.75"}
    ]


def office_workbook(rows, *, header=("STT", "Nội dung tiêu chí", "Điểm chuẩn", "Cách chấm")):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = TABLE_SHEET
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    return workbook


def test_an_office_table_without_machine_columns_imports_by_its_numbering(users):
    workbook = office_workbook([
        ("A", "Thực hiện nhiệm vụ chuyên môn", 150, ""),
        ("I", "Công tác văn bản", 20, ""),
        ("1", "Ban hành kế hoạch", 2, "Có = 2; không = 0"),
        ("1.1", "Đúng hạn", "1,5", ""),
        ("a", "Trước 31/01", 0.5, ""),
        ("2", "Tỷ lệ đúng hạn", 2, "100% = 2; 95–<100% = 1,75"),
        ("II", "Công tác kiểm tra", 10, ""),
        ("B", "Điểm thưởng", 5, ""),
    ])
    workbook.create_sheet(INFO_SHEET).append(["Tên bảng tiêu chí", "Bảng của văn phòng"])
    workbook[INFO_SHEET].append(["Năm", 2026])
    document = read_workbook(workbook_bytes(workbook))
    scheme = schemes.scheme_create_from_dict(actor=users.officer, data=document)
    tree = schemes.scheme_to_dict(scheme)["nodes"]
    assert [node["key"] for node in tree] == ["A", "B"]
    section = tree[0]
    assert [child["key"] for child in section["children"]] == ["A.I", "A.II"]
    assert [child["key"] for child in section["children"][0]["children"]] == ["A.I.1", "A.I.2"]
    assert section["children"][0]["children"][0]["kind"] == "group"
    assert section["children"][0]["children"][0]["children"][0]["key"] == "A.I.1.1.1"
    assert section["children"][0]["children"][0]["children"][0]["children"][0]["max_points"] == "0.5"
    line = section["children"][0]["children"][1]
    assert (line["kind"], line["max_points"], line["guidance"]) == ("manual", "2", "100% = 2; 95–<100% = 1,75")
    assert scheme.name == "Bảng của văn phòng"


@pytest.mark.parametrize(("code", "level"), [("A", 1), ("B.", 1), ("I", 2), ("IV", 2), ("XII", 2), ("1", 3), ("12.", 3),
                                             ("1.1", 4), ("1.2.3", 5), ("a", 8), ("b)", 8), ("-", 9), ("", 9)])
def test_numbering_levels(code, level):
    assert numbering_level(code) == level


def test_excel_mistakes_are_listed_by_sheet_row_and_column_and_nothing_is_created(full_scheme, users):
    workbook = scheme_workbook(full_scheme)
    sheet = workbook[TABLE_SHEET]
    rows = {row[4].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    sheet.cell(row=rows["A.I.1"], column=3).value = "hai"             # Điểm chuẩn
    sheet.cell(row=rows["A.I.2"], column=6).value = "Kiểu lạ"          # Loại
    sheet.cell(row=rows["A.I.3"], column=8).value = "100|1|2"         # Bậc
    sheet.cell(row=rows["A.I.4"], column=7).value = "Z.9"             # Cấp trên
    sheet.cell(row=rows["A.I.5"], column=14).value = "có lẽ"          # Minh chứng
    workbook[RULES_SHEET]["C3"].value = "tám"                          # first grade's minimum
    before = Scheme.objects.count()
    with translation.override("en"), pytest.raises(SchemeWorkbookError) as refused:
        read_workbook(workbook_bytes(workbook))
    places = {(error.sheet, error.row, error.column) for error in refused.value.errors}
    assert places == {
        (TABLE_SHEET, rows["A.I.1"], "C"), (TABLE_SHEET, rows["A.I.2"], "F"), (TABLE_SHEET, rows["A.I.3"], "H"),
        (TABLE_SHEET, rows["A.I.4"], "G"), (TABLE_SHEET, rows["A.I.5"], "N"), (RULES_SHEET, 3, "C"),
    }
    messages = {error.column: error.message for error in refused.value.errors if error.sheet == TABLE_SHEET}
    assert messages["C"] == "“hai” is not a number; enter one such as 1,75 or 1.75."
    assert messages["G"] == "No line of the file has the key Z.9."
    assert Scheme.objects.count() == before


def test_excel_scheme_problems_point_at_the_cell(full_scheme, users):
    workbook = scheme_workbook(full_scheme)
    sheet = workbook[TABLE_SHEET]
    rows = {row[4].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    sheet.cell(row=rows["A.I.5"], column=10).value = "b / c * 20"       # Công thức with an undeclared name
    sheet.cell(row=rows["B"], column=3).value = None                     # the bonus group loses its cap
    with translation.override("en"), pytest.raises(SchemeWorkbookError) as refused:
        read_workbook(workbook_bytes(workbook))
    found = {(error.row, error.column, error.message) for error in refused.value.errors}
    assert (rows["A.I.5"], "J", "The formula uses “c”, which is not one of its declared values (a, b).") in found
    assert (rows["B"], "C", "A bonus group needs a maximum (its cap).") in found


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a zip", "This file is not an Excel workbook"), (None, "missing: Điểm chuẩn")],
)
def test_an_unreadable_or_foreign_workbook_is_refused(content, message):
    if content is None:
        buffer = workbook_bytes(office_workbook([("1", "x")], header=("STT", "Nội dung tiêu chí")))
    else:
        buffer = io.BytesIO(content)
    with translation.override("en"), pytest.raises(SchemeWorkbookError) as refused:
        read_workbook(buffer)
    assert message in refused.value.errors[0].message


# --- Node services -------------------------------------------------------------------------------


def data(key, kind=NodeKind.MANUAL, **fields) -> NodeData:
    fields.setdefault("title", f"Dòng {key}")
    fields.setdefault("code", key.rsplit(".", 1)[-1])
    if kind in (NodeKind.MANUAL, NodeKind.YES_NO, NodeKind.BONUS, NodeKind.DEDUCTION):
        fields.setdefault("max_points", D("2"))
    return NodeData(key=key, kind=kind, **fields)


@pytest.fixture
def draft(db):
    scheme = SchemeFactory()
    a = add(scheme, "A", NodeKind.GROUP, max_points=D("10"))
    add(scheme, "A.1", NodeKind.MANUAL, parent=a, position=0, max_points=D("2"))
    add(scheme, "A.2", NodeKind.MANUAL, parent=a, position=1, max_points=D("2"))
    add(scheme, "A.3", NodeKind.MANUAL, parent=a, position=2, max_points=D("2"))
    add(scheme, "B", NodeKind.GROUP, position=1, max_points=D("10"))
    return scheme


def tree(scheme) -> list:
    """[(key, [children...])] in printed order."""
    return [(node["key"], _keys(node["children"])) for node in schemes.scheme_to_dict(scheme)["nodes"]]


def _keys(nodes):
    return [node["key"] if not node["children"] else (node["key"], _keys(node["children"])) for node in nodes]


def version(scheme) -> int:
    return Scheme.objects.get(pk=scheme.pk).edit_version


def test_node_create_adds_last_or_at_a_position_and_bumps_the_version(draft, users):
    a = draft.nodes.get(key="A")
    schemes.node_create(actor=users.officer, scheme_id=draft.pk, edit_version=1, data=data("A.4"), parent_id=a.pk)
    schemes.node_create(actor=users.officer, scheme_id=draft.pk, edit_version=2, data=data("A.0"), parent_id=a.pk, position=0)
    schemes.node_create(actor=users.officer, scheme_id=draft.pk, edit_version=3, data=data("C", NodeKind.GROUP))
    assert tree(draft) == [("A", ["A.0", "A.1", "A.2", "A.3", "A.4"]), ("B", []), ("C", [])]
    assert version(draft) == 4
    entry = AuditLog.objects.filter(action="emulation.scheme.changed").order_by("-id").first()
    assert entry.data["operation"] == "line_added"
    assert entry.data["key"] == "C"


def test_node_create_refuses_a_duplicate_key_and_a_line_as_parent(draft, users):
    line = draft.nodes.get(key="A.1")
    with translation.override("en"), pytest.raises(SchemeError) as refused:
        schemes.node_create(actor=users.officer, scheme_id=draft.pk, edit_version=1, data=data("A.2"))
    assert refused.value.problems == [("key", "Another line of this scheme already has the key “A.2”.")]
    with pytest.raises(SchemeError):
        schemes.node_create(actor=users.officer, scheme_id=draft.pk, edit_version=1, data=data("X"), parent_id=line.pk)
    assert version(draft) == 1


def test_node_update_records_what_changed_and_renames_tie_breakers(draft, users):
    SchemeTieBreaker.objects.create(scheme=draft, kind=TieBreakKind.NODE, ref="A.1")
    SchemeTieBreaker.objects.create(scheme=draft, kind=TieBreakKind.INPUT, ref="A.1:b", position=1)
    line = draft.nodes.get(key="A.1")
    schemes.node_update(actor=users.officer, node_id=line.pk, edit_version=1,
                        data=data("A.1.new", code="1", title="Dòng mới", max_points=D("3")))
    line.refresh_from_db()
    assert (line.key, line.title, line.max_points) == ("A.1.new", "Dòng mới", D("3"))
    assert list(draft.tie_breakers.order_by("position").values_list("ref", flat=True)) == ["A.1.new", "A.1.new:b"]
    entry = AuditLog.objects.get(action="emulation.scheme.changed")
    assert entry.data["changes"] == {"key": ["A.1", "A.1.new"], "title": ["Tiêu chí A.1", "Dòng mới"], "max_points": ["2", "3"]}
    assert version(draft) == 2


def test_node_update_keeps_a_section_with_lines_a_section(draft, users):
    section = draft.nodes.get(key="A")
    with pytest.raises(SchemeError):
        schemes.node_update(actor=users.officer, node_id=section.pk, edit_version=1, data=data("A", NodeKind.MANUAL))
    assert draft.nodes.get(key="A").kind == NodeKind.GROUP


def test_an_unchanged_save_changes_nothing(draft, users):
    line = draft.nodes.get(key="A.1")
    schemes.node_update(actor=users.officer, node_id=line.pk, edit_version=1,
                        data=data("A.1", title="Tiêu chí A.1", code="1", max_points=D("2")))
    assert version(draft) == 1
    assert not AuditLog.objects.filter(action="emulation.scheme.changed").exists()


@pytest.mark.parametrize(
    ("key", "direction", "expected"),
    [
        ("A.2", "up", [("A", ["A.2", "A.1", "A.3"]), ("B", [])]),
        ("A.2", "down", [("A", ["A.1", "A.3", "A.2"]), ("B", [])]),
        ("A.2", "outdent", [("A", ["A.1", "A.3"]), ("A.2", []), ("B", [])]),
        ("B", "up", [("B", []), ("A", ["A.1", "A.2", "A.3"])]),
        ("B", "indent", [("A", ["A.1", "A.2", "A.3", "B"])]),
    ],
)
def test_node_move_by_direction(draft, users, key, direction, expected):
    node = draft.nodes.get(key=key)
    schemes.node_move(actor=users.officer, node_id=node.pk, edit_version=1, direction=direction)
    assert tree(draft) == expected
    assert version(draft) == 2
    positions = {}
    for parent_id, position in draft.nodes.values_list("parent_id", "position"):
        positions.setdefault(parent_id, []).append(position)
    assert all(sorted(values) == list(range(len(values))) for values in positions.values())


@pytest.mark.parametrize(("key", "direction"), [("A.1", "up"), ("A.3", "down"), ("A", "outdent"), ("A", "indent"), ("A.2", "indent")])
def test_impossible_moves_are_refused(draft, users, key, direction):
    with pytest.raises(SchemeError):
        schemes.node_move(actor=users.officer, node_id=draft.nodes.get(key=key).pk, edit_version=1, direction=direction)
    assert version(draft) == 1


def test_node_move_to_a_new_parent_and_position(draft, users):
    b = draft.nodes.get(key="B")
    schemes.node_move(actor=users.officer, node_id=draft.nodes.get(key="A.3").pk, edit_version=1, parent_id=b.pk)
    schemes.node_move(actor=users.officer, node_id=draft.nodes.get(key="A.1").pk, edit_version=2, parent_id=b.pk, position=0)
    schemes.node_move(actor=users.officer, node_id=draft.nodes.get(key="A.2").pk, edit_version=3, parent_id=None, position=0)
    assert tree(draft) == [("A.2", []), ("A", []), ("B", ["A.1", "A.3"])]
    entry = AuditLog.objects.filter(action="emulation.scheme.changed").order_by("-id").first()
    assert entry.data["changes"] == {"parent": ["A", None]}


def test_a_section_cannot_move_under_its_own_lines(draft, users):
    a = draft.nodes.get(key="A")
    sub = schemes.node_create(actor=users.officer, scheme_id=draft.pk, edit_version=1, data=data("A.9", NodeKind.GROUP),
                              parent_id=a.pk)
    with pytest.raises(SchemeError):
        schemes.node_move(actor=users.officer, node_id=a.pk, edit_version=2, parent_id=sub.pk)
    with pytest.raises(SchemeError):
        schemes.node_move(actor=users.officer, node_id=a.pk, edit_version=2, parent_id=a.pk)


def test_node_delete_removes_the_line_and_everything_under_it(draft, users):
    schemes.node_delete(actor=users.officer, node_id=draft.nodes.get(key="A.2").pk, edit_version=1)
    assert tree(draft) == [("A", ["A.1", "A.3"]), ("B", [])]
    assert list(draft.nodes.get(key="A").children.order_by("position").values_list("position", flat=True)) == [0, 1]
    schemes.node_delete(actor=users.officer, node_id=draft.nodes.get(key="A").pk, edit_version=2)
    assert tree(draft) == [("B", [])]
    assert draft.nodes.get(key="B").position == 0
    entry = AuditLog.objects.filter(action="emulation.scheme.changed").order_by("-id").first()
    assert (entry.data["operation"], entry.data["count"]) == ("line_deleted", 3)


def test_a_stale_edit_version_is_a_conflict_and_changes_nothing(draft, users):
    line = draft.nodes.get(key="A.1")
    schemes.node_update(actor=users.admin, node_id=line.pk, edit_version=1, data=data("A.1", title="Bản của quản trị"))
    calls = [
        lambda: schemes.node_create(actor=users.officer, scheme_id=draft.pk, edit_version=1, data=data("Z")),
        lambda: schemes.node_update(actor=users.officer, node_id=line.pk, edit_version=1, data=data("A.1", title="Bản cũ")),
        lambda: schemes.node_move(actor=users.officer, node_id=line.pk, edit_version=1, direction="down"),
        lambda: schemes.node_delete(actor=users.officer, node_id=line.pk, edit_version=1),
        lambda: schemes.scheme_rules_update(actor=users.officer, scheme_id=draft.pk, edit_version=1, grades=[], caps=[],
                                            tie_breakers=[]),
        lambda: schemes.scheme_update(actor=users.officer, scheme_id=draft.pk, edit_version=1, data={"name": "Khác"}),
    ]
    for call in calls:
        with pytest.raises(StaleVersionError):
            call()
    line.refresh_from_db()
    assert line.title == "Bản của quản trị"
    assert tree(draft) == [("A", ["A.1", "A.2", "A.3"]), ("B", [])]
    assert version(draft) == 2


def test_a_frozen_scheme_refuses_every_change_with_a_clear_message(draft, users):
    Scheme.objects.filter(pk=draft.pk).update(frozen_at=timezone.now())
    line = draft.nodes.get(key="A.1")
    calls = [
        lambda: schemes.node_create(actor=users.officer, scheme_id=draft.pk, edit_version=None, data=data("Z")),
        lambda: schemes.node_update(actor=users.officer, node_id=line.pk, edit_version=None, data=data("A.1", title="x")),
        lambda: schemes.node_move(actor=users.officer, node_id=line.pk, edit_version=None, direction="down"),
        lambda: schemes.node_delete(actor=users.officer, node_id=line.pk, edit_version=None),
        lambda: schemes.scheme_rules_update(actor=users.officer, scheme_id=draft.pk, edit_version=None, grades=[], caps=[],
                                            tie_breakers=[]),
        lambda: schemes.scheme_update(actor=users.officer, scheme_id=draft.pk, edit_version=None, data={"name": "Khác"}),
    ]
    for call in calls:
        with translation.override("en"), pytest.raises(SchemeFrozenError) as refused:
            call()
        assert "has been frozen since" in refused.value.problems[0][1]
        assert "create a new version" in refused.value.problems[0][1]
    assert tree(draft) == [("A", ["A.1", "A.2", "A.3"]), ("B", [])]
    assert not AuditLog.objects.filter(action="emulation.scheme.changed").exists()


def test_node_services_need_the_permission(draft, users):
    line = draft.nodes.get(key="A.1")
    for role in ("staff", "leader", "council", "no_role"):
        actor = getattr(users, role)
        with pytest.raises(PermissionDenied):
            schemes.node_create(actor=actor, scheme_id=draft.pk, edit_version=1, data=data("Z"))
        with pytest.raises(PermissionDenied):
            schemes.node_delete(actor=actor, node_id=line.pk, edit_version=1)
        with pytest.raises(PermissionDenied):
            schemes.scheme_create(actor=actor, name="X", year=2026)
    assert draft.nodes.count() == 5


def test_rules_update_replaces_grades_caps_and_tie_breakers(draft, users):
    schemes.scheme_rules_update(
        actor=users.officer, scheme_id=draft.pk, edit_version=1,
        grades=[{"key": "excellent", "label": "Xuất sắc", "min_total": D("18"), "no_zero_lines": True},
                {"key": "good", "label": "Tốt", "min_total": D("15")}],
        caps=[{"flag": "disciplined", "label": "Kỷ luật", "max_grade": "good"}],
        tie_breakers=[{"kind": "node", "ref": "A"}, {"kind": "metric", "ref": "office.on_time_rate", "descending": False}],
    )
    document = schemes.scheme_to_dict(draft)
    assert document["grades"] == [
        {"key": "excellent", "label": "Xuất sắc", "min_total": "18", "no_zero_lines": True},
        {"key": "good", "label": "Tốt", "min_total": "15", "no_zero_lines": False},
    ]
    assert document["tie_breakers"] == [{"kind": "node", "ref": "A", "descending": True},
                                        {"kind": "metric", "ref": "office.on_time_rate", "descending": False}]
    entry = AuditLog.objects.get(action="emulation.scheme.changed")
    assert entry.data["changes"]["grades"] == ["", "Xuất sắc ≥ 18 *; Tốt ≥ 15"]


@pytest.mark.parametrize(
    ("grades", "caps", "ties", "path"),
    [
        ([{"key": "a", "label": "A", "min_total": D(5)}, {"key": "b", "label": "B", "min_total": D(9)}], [], [], "grades[1]"),
        ([{"key": "a", "label": "A", "min_total": D(5)}], [{"flag": "f", "label": "F", "max_grade": "zz"}], [], "grade_caps[0]"),
        ([], [], [{"kind": "node", "ref": "nope"}], "tie_breakers[0]"),
        ([{"key": "a", "label": "A", "min_total": D(5)}, {"key": "a", "label": "B", "min_total": D(1)}], [], [], "grades[0].key"),
    ],
)
def test_rules_update_refuses_rules_the_engine_cannot_use(draft, users, grades, caps, ties, path):
    with pytest.raises(SchemeError) as refused:
        schemes.scheme_rules_update(actor=users.officer, scheme_id=draft.pk, edit_version=1, grades=grades, caps=caps,
                                    tie_breakers=ties)
    assert path in [p for p, _ in refused.value.problems]
    assert not draft.grades.exists()
    assert version(draft) == 1


# --- Create, clone, new version, validation ----------------------------------------------------------------


def test_scheme_create_gives_the_next_version_for_the_same_name_and_year(users):
    first = schemes.scheme_create(actor=users.officer, name="Bảng A", year=2026, legal_basis="QĐ 1")
    second = schemes.scheme_create(actor=users.officer, name="Bảng A", year=2026)
    assert (first.version, second.version) == (1, 2)
    assert AuditLog.objects.filter(action="emulation.scheme.created").count() == 2


def test_clone_keeps_every_node_and_rule(full_scheme, users):
    copy = schemes.scheme_clone(actor=users.officer, scheme=full_scheme, year=2026)
    assert (copy.year, copy.version, copy.cloned_from_id, copy.frozen_at) == (2026, 1, full_scheme.pk, None)
    original, cloned = schemes.scheme_to_dict(full_scheme), schemes.scheme_to_dict(copy)
    assert cloned["scheme"]["year"] == 2026
    original["scheme"]["year"] = 2026
    assert cloned == original
    assert AuditLog.objects.get(action="emulation.scheme.cloned").data == {"source": str(full_scheme)}


def test_new_version_of_a_frozen_scheme_is_editable(full_scheme, users):
    Scheme.objects.filter(pk=full_scheme.pk).update(frozen_at=timezone.now())
    full_scheme.refresh_from_db()
    copy = schemes.scheme_new_version(actor=users.officer, scheme=full_scheme)
    assert (copy.name, copy.year, copy.version, copy.frozen_at) == (full_scheme.name, full_scheme.year, 2, None)
    schemes.node_delete(actor=users.officer, node_id=copy.nodes.get(key="C").pk, edit_version=copy.edit_version)
    assert full_scheme.nodes.filter(key="C").exists()


def test_scheme_problems_and_draft_problems(draft, users):
    assert [p.code for p in schemes.scheme_problems(draft) if p.level == "error"] == []
    a = draft.nodes.get(key="A")
    problems = schemes.draft_problems(
        draft, data=data("A.4", NodeKind.FORMULA, formula="b / a", inputs=["a"], max_points=D("2")), parent_id=a.pk
    )
    assert ("A.4", "formula_unknown_name") in {(p.key, p.code) for p in problems}
    line = draft.nodes.get(key="A.1")
    problems = schemes.draft_problems(draft, data=data("A.1", max_points=D("9")), node_id=line.pk)
    assert ("A", "children_exceed_parent") in {(p.key, p.code) for p in problems}
    assert problems == sorted(problems, key=lambda p: p.level != "error")


def test_build_scheme_factory_validates(db):
    scheme = build_scheme(lines=10)
    assert [p for p in schemes.scheme_problems(scheme) if p.level == "error"] == []


@pytest.mark.django_db
def test_a_frozen_schemes_engine_structure_is_built_once_a_draft_one_every_time(django_assert_num_queries):
    """Every scorecard page and save of a campaign needs the engine's structure of its (frozen,
    unchangeable) scheme: it is built once and kept in the cache; a draft scheme may change, so it
    is read again each time."""
    scheme = build_scheme(lines=5)
    with django_assert_num_queries(4):
        draft = schemes.frozen_engine_scheme(scheme)
    with django_assert_num_queries(4):
        assert schemes.frozen_engine_scheme(scheme) == draft
    assert schemes.scheme_cache_key(scheme) is None

    scheme.frozen_at = timezone.now()
    scheme.save(update_fields=["frozen_at"])
    with django_assert_num_queries(4):
        frozen = schemes.frozen_engine_scheme(scheme)
    with django_assert_num_queries(0):
        assert schemes.frozen_engine_scheme(scheme) == frozen == draft
