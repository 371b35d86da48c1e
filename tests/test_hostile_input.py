"""Hostile input against every form and import of the portal (issue 7, point 5).

Each target is a page with a POST form, found on the demo data (`seed_demo`). The form's fields
are read from the page itself (inputs, selects, textareas, files), so a field added later is
fuzzed too. Hypothesis keeps the page's own values for most fields and replaces some with
hostile ones: scores "1,75"/"1.75"/NaN/huge, spreadsheet formulas, impossible dates, ids of
nothing, NUL, RTL override, combining marks, 5,000-character strings, path-traversal file names.
Imports get spreadsheets made from their own templates (or the scorecard's export) with hostile cells,
rows, columns and sheets, and broken files; the scheme import gets its own export turned into hostile
JSON; the printed documents get hostile parameters.

Whatever comes in, the portal must:
- never answer 500 (the test client re-raises the exception);
- on a rejection, write nothing (the row counts of every table of the portal are unchanged);
- on a rejection, say where: the error is attached to a field of the form, or the import's
  mistake table names the row and column (or the JSON path).
"""

import dataclasses
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.utils import get_column_letter

from portal.text import fold

HYPOTHESIS = settings(
    max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
PORTAL_APPS = ("portal", "office", "emulation", "commendations")

# --- hostile values --------------------------------------------------------------------------

HOSTILE_TEXT = [
    "", " ", "\t\n", "0", "-1", "1,75", "1.75", "1.234,5", "1e308", "-1e308", "NaN", "nan", "Infinity", "-inf",
    "99999999999999999999999", str(2**63), "-0", "0x1F", "½", "١٢٣", "٫5",
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "@SUM(A1:A9)", "-2+3", "=1/0",
    "31/02/2026", "2026-02-30", "00/00/0000", "29/02/2025", "9999-12-31", "0001-01-01", "32/13/2026", "2026",
    "<script>alert(1)</script>", "'; DROP TABLE portal_unit; --", "{{ 7*7 }}", "%s%s%n", "${jndi:ldap://x}",
    "../../../../etc/passwd", "..\\..\\windows\\win.ini", "a\x00b", "\x00",
    "\u202eexe.fdp", "Nguye\u0302\u0303n", "e\u0301" * 400, "ạ̷̛̣̖̱̗̰̫̭͓̲̭̬̀͂́͊̈́̋̈̐͛̀̕͘͝͠" * 20,
    "مرحبا بالعالم", "שלום", "𝕿𝖊𝖘𝖙 🏅🎖️", "\ufeffBOM", "\u200b", "x" * 5000, "Đ" * 301,
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=400),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)

HOSTILE_FILE_NAMES = [
    "../../../../etc/passwd", "..\\..\\boot.ini", "/etc/shadow", "a\x00.pdf", "\u202efdp.exe", "tờ trình.pdf",
    "Nguye\u0302\u0303n.xlsx", "x" * 300 + ".pdf", "." , "..", "", " .pdf", "CON.pdf", "báo cáo" * 40 + ".xlsx",
    "file.pdf.exe", "a/b/c.pdf", "%2e%2e%2fpasswd.pdf",
]
hostile_file_name = st.one_of(st.sampled_from(HOSTILE_FILE_NAMES), st.text(min_size=1, max_size=300))
hostile_bytes = st.one_of(
    st.sampled_from([b"", b"%PDF-1.4\n%%EOF", b"PK\x03\x04garbage", b"MZ\x90\x00", b"<html><script>x</script>",
                     b"\x00" * 100, "tờ trình".encode()]),
    st.binary(max_size=300),
)


# --- reading the form of a page --------------------------------------------------------------

class FormParser(HTMLParser):
    """The POST forms of a page: for each, its fields as (name, kind, value, options)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"),
                          "fields": [], "multipart": "multipart" in (attrs.get("enctype") or "")}
            self.forms.append(self._form)
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                checked = "checked" in attrs
                self._form["fields"].append({"name": name, "kind": kind, "value": attrs.get("value", "on"),
                                             "checked": checked})
            else:
                self._form["fields"].append({"name": name, "kind": kind, "value": attrs.get("value", "")})
        elif tag == "select":
            self._select = {"name": name, "kind": "select", "options": [], "value": None,
                            "multiple": "multiple" in attrs}
            self._form["fields"].append(self._select)
        elif tag == "textarea":
            self._textarea = {"name": name, "kind": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class _OptionAware(FormParser):
    def handle_starttag(self, tag, attrs):
        if tag == "option" and self._select is not None:
            values = dict(attrs)
            value = values.get("value", "")
            self._select["options"].append(value)
            if "selected" in values and self._select["value"] is None:
                self._select["value"] = value
            return
        super().handle_starttag(tag, attrs)


def post_form(html: str, action: str | None = None) -> dict | None:
    """The main POST form of a page: the POST form with the most fields, not the logout/language one
    (or the one whose action contains `action`)."""
    parser = _OptionAware()
    parser.feed(html)
    forms = [f for f in parser.forms if f["method"] == "post" and (action is None or action in (f["action"] or ""))
             and not any(field["name"] in {"language", "next"} and len(f["fields"]) <= 3 for field in f["fields"])]
    forms = [f for f in forms if len([x for x in f["fields"] if x["name"] != "csrfmiddlewaretoken"]) > 0]
    return max(forms, key=lambda f: len(f["fields"])) if forms else None


def baseline(form: dict) -> dict:
    """The values the page itself would send (first real option of a select without a selection)."""
    data: dict = {}
    for field in form["fields"]:
        name = field["name"]
        if name == "csrfmiddlewaretoken" or field["kind"] == "file":
            continue
        if field["kind"] in {"checkbox", "radio"}:
            if field["checked"]:
                data.setdefault(name, []).append(field["value"])
        elif field["kind"] == "select":
            value = field["value"]
            if value is None:
                real = [o for o in field["options"] if o]
                value = real[0] if real else ""
            data.setdefault(name, []).append(value)
        else:
            data.setdefault(name, []).append(field["value"])
    return data


# --- what a rejection must look like ---------------------------------------------------------

def table_counts() -> dict[str, int]:
    """The row count of every table of the portal, in one query (it runs twice per example)."""
    from django.db import connection

    models = [m for app in PORTAL_APPS for m in apps.get_app_config(app).get_models()]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT {index}, COUNT(*) FROM {quote(m._meta.db_table)}" for index, m in enumerate(models))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {models[index]._meta.label: count for index, count in cursor.fetchall()}


def context_forms(response) -> list:
    found = []
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else context.values():
            if isinstance(value, BaseForm | BaseFormSet) and value not in found:
                found.append(value)
            # objects holding a form (e.g. the scheme's NodeEditor)
            for attr in ("form", "tiers", "formset"):
                inner = getattr(value, attr, None)
                if isinstance(inner, BaseForm | BaseFormSet) and inner not in found:
                    found.append(inner)
    return found


def named_errors(response) -> tuple[bool, list]:
    """(was this a rejection, the errors that do not say where)."""
    rejected, unnamed = False, []
    for form in context_forms(response):
        if not form.is_bound:
            continue
        subforms = form.forms if isinstance(form, BaseFormSet) else [form]
        if isinstance(form, BaseFormSet) and form.non_form_errors():
            rejected = True
            unnamed += list(form.non_form_errors())
        for sub in subforms:
            if sub.errors:
                rejected = True
                fields = [name for name in sub.errors if name != "__all__"]
                if not fields:
                    unnamed += list(sub.non_field_errors())
    ctx = response.context
    if ctx is not None:
        for key in ("errors", "cell_errors"):
            errors = ctx.get(key) if hasattr(ctx, "get") else None
            if errors and not isinstance(errors, dict) and not isinstance(errors, str):
                try:
                    items = list(errors)
                except TypeError:
                    items = []
                for error in items:
                    if hasattr(error, "row") or hasattr(error, "column"):
                        rejected = True
                        if not (getattr(error, "row", None) or getattr(error, "column", None)):
                            unnamed.append(error)
        problems = ctx.get("problems") if hasattr(ctx, "get") else None
        if problems:
            rejected = True  # scheme import: each problem names its JSON path or line
        field_errors = ctx.get("field_errors") if hasattr(ctx, "get") else None
        if field_errors:
            rejected = True
    return rejected, unnamed


def check(client: Client, url: str, data: dict, *, counts_before: dict, target: str) -> str:
    response = client.post(url, data)
    assert response.status_code < 500, f"{target}: {response.status_code} for {data!r}"
    rejected, unnamed = named_errors(response)
    if response.status_code in (301, 302, 303) and not rejected:
        return "accepted"
    refusals = [str(m) for m in response.context.get("messages", [])] if response.context else []
    if not rejected and response.status_code in (400, 409) and refusals:
        # A domain refusal (already exists, someone else was faster, wrong state): said in a message.
        after = table_counts()
        changed = {k: (counts_before[k], after[k]) for k in after if after[k] != counts_before.get(k)}
        assert not changed, f"{target}: refused but wrote rows {changed} for {data!r}"
        return "refused"
    if rejected or response.status_code in (400, 409, 422):
        after = table_counts()
        changed = {k: (counts_before[k], after[k]) for k in after if after[k] != counts_before.get(k)}
        assert not changed, f"{target}: rejected but wrote rows {changed} for {data!r}"
        assert rejected, f"{target}: answered {response.status_code} without naming a field for {data!r}"
        assert not unnamed, f"{target}: rejection does not name the field: {unnamed} for {data!r}"
        return "rejected"
    return f"other {response.status_code}"


# --- the targets ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    """The media folder of the module: the demo's evidence files and the tests' uploads."""
    return tmp_path_factory.mktemp("hostile_media")


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, demo_media):
    """The demo organisation, seeded once for the whole module inside a transaction rolled back at
    its end (each test runs in its own savepoint on top, so what one test writes never reaches the
    next)."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(demo_media)), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, demo_media):
    """Overrides the conftest's: the demo's files must stay readable, so every test uses the module's folder."""
    settings.MEDIA_ROOT = str(demo_media)


@pytest.fixture
def demo(demo_data, db):
    """The demo data, inside this test's own transaction."""


def login(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client(raise_request_exception=True)
    client.force_login(get_user_model().objects.get(username=username))
    return client


def candidates(name: str):
    """(login, url) pairs that may show the form `name`; the first answering 200 with a form wins."""
    from commendations.models import CouncilMeeting, Dossier
    from emulation.models import Scorecard
    from office.models import PetitionBatch, Task
    from office.models import WorkPlan as Plan
    from portal.models import Person

    def each(model, url_name, users, limit=25, **filters):
        for obj in model.objects.filter(**filters).order_by("-pk")[:limit]:
            unit = getattr(obj, "unit", None) or getattr(obj, "lead_unit", None)
            own = [f"lanhdao.{unit.code.lower()}"] if unit is not None else []
            for user in [*own, *users]:
                yield user, reverse(url_name, args=[obj.pk])

    simple = {
        "plan_create": ("office:plan_create", ["vanphong", "quantri", "lanhdao"]),
        "petition_batch_create": ("office:petition_batch_create", ["vanphong", "quantri"]),
        "campaign_create": ("emulation:campaign_create", ["thiduakt"]),
        "scheme_create": ("emulation:scheme_create", ["thiduakt"]),
        "scheme_import": ("emulation:scheme_import", ["thiduakt"]),
        "history_import": ("commendations:history_import", ["thiduakt", "quantri"]),
        "dossier_create": ("commendations:dossier_create", ["canbo", "lanhdao"]),
        "meeting_create": ("commendations:meeting_create", ["thiduakt"]),
        "decision_create": ("commendations:decision_create", ["thiduakt"]),
    }
    if name in simple:
        url_name, users = simple[name]
        for user in users:
            yield user, reverse(url_name)
        return
    if name.startswith("report:"):
        for user in ["lanhdao", "thiduakt", "canbo"]:
            yield user, reverse("reports:request", args=[name.split(":", 1)[1]])
        return
    yield from {
        "task_create": lambda: each(Plan, "office:task_create", ["vanphong", "lanhdao", "canbo"]),
        "task_edit": lambda: each(Task, "office:task_edit", ["vanphong", "lanhdao", "canbo"]),
        "task_progress": lambda: each(Task, "office:task_detail", ["canbo", "lanhdao"]),
        "adjustment_request": lambda: each(Task, "office:task_detail", ["canbo", "lanhdao"]),
        "plan_import": lambda: each(Plan, "office:plan_import", ["vanphong", "lanhdao", "canbo"]),
        "petition_create": lambda: each(PetitionBatch, "office:petition_create", ["vanphong", "quantri"]),
        "person_edit": lambda: each(Person, "portal:person_edit", ["quantri", "lanhdao"], limit=3),
        "scorecard_save": lambda: each(Scorecard, "emulation:scorecard_detail", ["canbo", "lanhdao"], state="draft"),
        "scorecard_import": lambda: each(Scorecard, "emulation:scorecard_import", ["canbo", "lanhdao"], state="draft"),
        "dossier_edit": lambda: each(Dossier, "commendations:dossier_edit", ["canbo", "lanhdao"]),
        "nominee_add": lambda: each(Dossier, "commendations:nominee_add", ["canbo", "lanhdao"]),
        "document_upload": lambda: each(Dossier, "commendations:document_upload", ["canbo", "lanhdao"]),
        "meeting_edit": lambda: each(CouncilMeeting, "commendations:meeting_edit", ["thiduakt"]),
        "ballot_record": lambda: (
            (user, reverse("commendations:meeting_detail", args=[meeting.pk]))
            for meeting in CouncilMeeting.objects.order_by("-pk")[:5] for user in ["thiduakt"]
        ),
        "registration_add": lambda: (
            (user, reverse("commendations:registration_add", args=[unit, year]))
            for unit, year in _registration_targets() for user in ["canbo", "lanhdao"]
        ),
    }[name]()


def _registration_targets():
    from django.utils import timezone

    from portal.models import Unit

    unit = Unit.objects.get(code="STP-HN")
    year = timezone.localdate().year
    return [(unit.pk, year), (unit.pk, year + 1)]


# Forms shown on another page (the task page holds the progress and adjustment forms).
ACTION = {"task_progress": "/progress/", "adjustment_request": "/adjustment/", "scorecard_save": "/save/",
          "ballot_record": "/ballot/"}


def find_page(name: str):
    """(client, url, form) of the first candidate that shows a POST form."""
    from django.contrib.auth import get_user_model

    users = set(get_user_model().objects.values_list("username", flat=True))
    tried = []
    for user, url in candidates(name):
        if user not in users:
            continue
        client = login(user)
        response = client.get(url)
        tried.append((user, url, response.status_code))
        if response.status_code != 200:
            continue
        form = post_form(response.content.decode(), ACTION.get(name))
        if form:
            action = form["action"] or url
            return client, action if action.startswith("/") else url, form
    pytest.fail(f"no page with a POST form for {name}: tried {tried[:8]}")


FORM_TARGETS = [
    "plan_create", "task_create", "task_edit", "task_progress", "adjustment_request", "petition_batch_create",
    "petition_create", "person_edit", "campaign_create", "scheme_create", "dossier_create", "dossier_edit", "nominee_add", "document_upload",
    "meeting_create", "meeting_edit", "ballot_record", "decision_create", "registration_add",
]


@st.composite
def mutated(draw, base: dict, form: dict):
    """The page's own values with some fields replaced by hostile ones (and files attached)."""
    data = {name: list(values) for name, values in base.items()}
    names = [f["name"] for f in form["fields"] if f["name"] != "csrfmiddlewaretoken" and f["kind"] != "file"]
    names = sorted(set(names))
    if names:
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=min(4, len(names)), unique=True))
        for name in chosen:
            field = next(f for f in form["fields"] if f["name"] == name)
            if field["kind"] == "select" and field.get("options") and draw(st.booleans()):
                value = draw(st.sampled_from(field["options"] + ["999999999", "-1", str(2**64), "abc"]))
            else:
                value = draw(hostile_text)
            data[name] = [value] if draw(st.integers(0, 9)) != 0 else [value, draw(hostile_text)]
    for field in form["fields"]:
        if field["kind"] == "file" and draw(st.booleans()):
            name = draw(hostile_file_name)
            if name.strip(". ") == "" or "\x00" in name:
                name = "x" + name.replace("\x00", "")  # the test client itself refuses these names
            data[field["name"]] = SimpleUploadedFile(name, draw(hostile_bytes),
                                                     content_type=draw(st.sampled_from(
                                                         ["application/pdf", "application/octet-stream", "text/html"])))
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in data.items()}


@pytest.mark.parametrize("target", FORM_TARGETS)
def test_hostile_values_in_forms_never_500_nor_partial_write(demo, target):
    client, url, form = find_page(target)
    base = baseline(form)
    outcomes = []

    @HYPOTHESIS
    @given(data=mutated(base, form))
    def run(data):
        outcomes.append(check(client, url, data, counts_before=table_counts(), target=target))

    run()
    assert {"rejected", "refused"} & set(outcomes), f"{target}: no hostile value was ever rejected ({set(outcomes)})"


# --- imports: the import's own file, with hostile cells ---------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_EXAMPLES = settings(HYPOTHESIS, max_examples=25)


class FormulaText(str):
    """Text that reads like a formula, kept as text (a cell formatted as Text in Excel)."""


EXCEL_VALUES = [
    "=1/0", '=HYPERLINK("http://evil.example","Bấm vào đây")', "=SUM(A1:A9)", "=A1", "=cmd|' /C calc'!A0",
    FormulaText("=1/0"), FormulaText('=HYPERLINK("http://x","y")'), FormulaText("+1+1"), FormulaText("@SUM(A1:A9)"),
    "#DIV/0!", "#N/A", "#REF!", "#VALUE!",
    True, False, 0, -1, 1.75, -0.0, 0.1 + 0.2, 10**20, -(10**20), 2**63, 1e308, -1e308, 1e-300,
    float("nan"), float("inf"),  # no Excel writes these; a hand-made file can
    dt.datetime(2026, 2, 28, 13, 45), dt.datetime(1900, 3, 1), dt.date(9999, 12, 31), dt.date(2026, 12, 15),
    dt.time(23, 59), dt.timedelta(days=3, hours=1),
    "31/02/2026", "29/02/2025", "00/00/0000", "32/13/2026", "15/12/2025", " 15/12/2025 ", "15.12.2025", "2025-12-15",
    "2026-02-30", "12/2026", "13/2026", "00/2026", "I/2026", "IV/2026", "V/2026", "Q5/2026", "1,75", "1.234,5", "Có",
]


def excel_text(text: str) -> str:
    """Text as a cell can hold it: XML has no control characters, a cell at most 32,767 of them."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:32_767]


excel_value = st.one_of(
    st.sampled_from(EXCEL_VALUES),
    hostile_text.map(excel_text),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
)
upload_name = st.one_of(
    st.just("nhap-tu-excel.xlsx"),
    hostile_file_name.map(lambda name: name + ".xlsx"),
    hostile_file_name,
).map(lambda name: "x" + name.replace("\x00", "") if name.strip(". ") == "" or "\x00" in name else name)


@dataclass
class ImportFile:
    """A clean file the import accepts (built from its own template or export), the form fields
    sent with it, and where its rows sit."""

    label: str
    fields: dict
    content: bytes = dataclasses.field(repr=False)
    created: str  # the model its rows become ("" when the import changes rows in place)
    sheet: str
    header_row: int
    rows: int  # data rows under the header
    columns: int
    read_columns: tuple[int, ...]  # 1-based columns the import reads


@dataclass
class ExcelImport:
    target: str
    client: Client
    url: str
    files: list[ImportFile]
    snapshot: Callable[[], Any]  # what an import changes in place (a scorecard's lines)


def download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return b"".join(response.streaming_content) if response.streaming else response.content


def import_file(label, fields, content, *, created, sheet, header_row, read_headers) -> ImportFile:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    worksheet = workbook[sheet]
    wanted = {fold(header) for header in read_headers}
    read = tuple(cell.column for cell in worksheet[header_row] if cell.value and fold(str(cell.value)) in wanted)
    assert len(read) == len(wanted), f"{label}: the headers {read_headers} are not all in row {header_row}"
    return ImportFile(label, fields, content, created, sheet, header_row, worksheet.max_row - header_row,
                      worksheet.max_column, read)


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plan_import() -> ExcelImport:
    from office.excel import COLUMNS, IMPORTED_KEYS, TASK_SHEET

    client, url, _form = find_page("plan_import")
    content = download(client, reverse("office:import_template"))
    headers = [column.header for column in COLUMNS if column.key in IMPORTED_KEYS]
    clean = import_file("template", {}, content, created="office.Task", sheet=TASK_SHEET, header_row=1,
                        read_headers=headers)
    return ExcelImport("plan_import", client, url, [clean], lambda: None)


def _draft_scorecard():
    """The demo's scorecards are all final: a new open campaign on the demo's scheme, with Hà Nội's
    card holding the entries of its final one (every kind of line filled)."""
    from emulation.models import Scorecard, ScoreLine
    from tests.factories.emulation import open_scorecard

    final = Scorecard.objects.select_related("campaign__scheme", "unit").filter(unit__code="STP-HN").order_by("pk").first()
    card = open_scorecard(scheme=final.campaign.scheme, unit=final.unit, year=dt.date.today().year)
    entries = {line.node_id: line for line in final.lines.all()}
    fields = ["self_points", "self_flag", "self_value", "self_inputs", "self_note"]
    lines = list(card.lines.all())
    for line in lines:
        for name in fields:
            setattr(line, name, getattr(entries[line.node_id], name))
    ScoreLine.objects.bulk_update(lines, fields)
    return card


def _scorecard_import() -> ExcelImport:
    from emulation.models import ScoreLine
    from emulation.scorecard_excel import CARD_SHEET, COLUMN_BY_KEY, IMPORTED_KEYS

    _draft_scorecard()
    client, url, _form = find_page("scorecard_import")
    pk = int(re.search(r"/scorecards/(\d+)/", url).group(1))
    content = download(client, reverse("emulation:scorecard_export", args=[pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(content))[CARD_SHEET]
    header_row = next(row[0].row for row in sheet.iter_rows(max_row=15) if any(c.value == "Mã dòng" for c in row))
    clean = import_file("export", {}, content, created="", sheet=CARD_SHEET, header_row=header_row,
                        read_headers=[COLUMN_BY_KEY[key].header for key in IMPORTED_KEYS])

    def lines():
        return list(ScoreLine.objects.filter(scorecard_id=pk).order_by("pk").values_list(
            "self_points", "self_flag", "self_value", "self_inputs", "self_note", "version"))

    return ExcelImport("scorecard_import", client, url, [clean], lines)


# The history rows of the clean files: real people (by e-mail) and units, in a year the demo
# leaves empty, over the template's own example rows.
HISTORY_YEAR = 2001
HISTORY_MODELS = {"awards": "commendations.AwardRecord", "ratings": "commendations.Rating",
                  "initiatives": "commendations.Initiative", "holds": "commendations.Hold"}


def _history_rows(table_key: str, emails: list[str], unit_code: str) -> list[dict]:
    person = {"full_name": "", "date_of_birth": "", "unit": ""}
    collective = {"email": "", "full_name": "", "date_of_birth": "", "unit": unit_code}
    year, next_year = HISTORY_YEAR, HISTORY_YEAR + 1
    return {
        "awards": [
            {**person, "email": emails[0], "award": "CSTDCS", "year": year, "decided_on": f"20/12/{year}"},
            {**collective, "award": "TTLDXS", "year": year, "decided_on": f"15/01/{next_year}"},
        ],
        "ratings": [
            {**person, "email": emails[0], "year": year},
            {**person, "email": emails[1], "year": year},
        ],
        "initiatives": [
            {**person, "email": emails[0], "year": year, "used_award": "", "used_year": ""},
            {**person, "email": emails[1], "year": year, "used_award": "", "used_year": ""},
        ],
        "holds": [
            {**person, "email": emails[0], "start": f"01/03/{year}", "end": f"28/02/{next_year}"},
            {**person, "email": emails[1], "start": f"10/10/{year}"},
        ],
    }[table_key]


def _history_import() -> ExcelImport:
    from django.db.models import Count
    from django.db.models.functions import Lower

    from commendations.excel import TABLES
    from portal.models import Person, Unit

    client, url, _form = find_page("history_import")
    unique = (Person.objects.exclude(email="").annotate(address=Lower("email")).values("address")
              .annotate(n=Count("pk")).filter(n=1).order_by("address").values_list("address", flat=True))
    emails = list(unique[:2])
    unit_code = Unit.objects.filter(is_active=True).order_by("path").values_list("code", flat=True)[1]
    files = []
    for key, table in TABLES.items():
        content = download(client, reverse("commendations:history_import_template", args=[key]))
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet = workbook[table.sheet]
        where = {fold(str(cell.value)): cell.column for cell in sheet[1] if cell.value}
        for offset, values in enumerate(_history_rows(key, emails, unit_code), start=2):
            for column_key, value in values.items():
                sheet.cell(row=offset, column=where[fold(table.column(column_key).header)], value=value)
        files.append(import_file(key, {"table": key}, workbook_bytes(workbook), created=HISTORY_MODELS[key],
                                 sheet=table.sheet, header_row=1, read_headers=[column.header for column in table.columns]))
    return ExcelImport("history_import", client, url, files, lambda: None)


def _scheme_excel_import() -> ExcelImport:
    from emulation.models import Scheme
    from emulation.scheme_excel import COLUMNS, TABLE_SHEET

    client, url, _form = find_page("scheme_import")
    scheme = Scheme.objects.order_by("pk").first()
    content = download(client, reverse("emulation:scheme_export_excel", args=[scheme.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(content))[TABLE_SHEET]
    header_row = next(row[0].row for row in sheet.iter_rows(max_row=15) if any(c.value == "Khóa" for c in row))
    headers = {column.header for column in COLUMNS} & {cell.value for cell in sheet[header_row]}
    clean = import_file("export", {}, content, created="emulation.Scheme", sheet=TABLE_SHEET, header_row=header_row,
                        read_headers=sorted(headers))
    return ExcelImport("scheme_import", client, url, [clean], lambda: None)


EXCEL_IMPORTS = {"plan_import": _plan_import, "scorecard_import": _scorecard_import, "history_import": _history_import,
                 "scheme_import": _scheme_excel_import}


def put(cell, value) -> None:
    if isinstance(cell, MergedCell):
        return
    cell.value = str(value) if isinstance(value, FormulaText) else value
    if isinstance(value, FormulaText):
        cell.data_type = "s"


EDIT_KINDS = ["cell"] * 10 + ["header", "blank_row", "extra_column", "drop_header", "sheet_before", "sheet_after",
                              "duplicate_row", "swap_columns", "clear_rows"]


@st.composite
def sheet_edits(draw, clean: ImportFile) -> list[tuple]:
    """A few edits of the clean file: mostly hostile cells in the columns the import reads."""
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(EDIT_KINDS))
        column = draw(st.one_of(st.sampled_from(clean.read_columns), st.integers(1, clean.columns + 1)))
        row = draw(st.integers(1, clean.rows + 2))
        if kind == "cell":
            edits.append(("cell", row, column, draw(excel_value)))
        elif kind == "header":
            edits.append(("header", column, draw(excel_value)))
        elif kind in ("blank_row", "duplicate_row"):
            edits.append((kind, row))
        elif kind == "extra_column":
            edits.append((kind, draw(excel_value), draw(st.lists(excel_value, max_size=3))))
        elif kind in ("sheet_before", "sheet_after"):
            edits.append((kind, draw(st.lists(excel_value, max_size=4)), draw(st.booleans())))
        elif kind == "swap_columns":
            edits.append((kind, column, draw(st.sampled_from(clean.read_columns))))
        else:
            edits.append((kind,))
    return edits


def edited(clean: ImportFile, edits: list[tuple]) -> tuple[bytes, int]:
    """The clean file with the edits applied, and the last row of its longest sheet."""
    workbook = openpyxl.load_workbook(io.BytesIO(clean.content))
    sheet = workbook[clean.sheet]
    top = clean.header_row
    for kind, *args in edits:
        if kind == "cell":
            put(sheet.cell(row=top + args[0], column=args[1]), args[2])
        elif kind == "header":
            put(sheet.cell(row=top, column=args[0]), args[1])
        elif kind == "blank_row":  # an empty row between data rows
            sheet.insert_rows(top + args[0])
        elif kind == "duplicate_row":
            sheet.append([cell.value for cell in sheet[top + args[0]]])
        elif kind == "extra_column":
            column = sheet.max_column + 1
            for offset, value in enumerate([args[0], *args[1]]):
                put(sheet.cell(row=top + offset, column=column), value)
        elif kind == "drop_header":
            sheet.delete_rows(top)
        elif kind in ("sheet_before", "sheet_after"):
            other = workbook.create_sheet("Sheet1", 0 if kind == "sheet_before" else None)
            for index, value in enumerate(args[0], start=1):
                put(other.cell(row=1, column=index), value)
            if args[1]:  # the import no longer finds its sheet by name
                sheet.title = "Bản sao"
        elif kind == "swap_columns":
            for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
                a, b = row[args[0] - 1] if args[0] <= len(row) else None, row[args[1] - 1]
                if a is not None and not isinstance(a, MergedCell) and not isinstance(b, MergedCell):
                    a.value, b.value = b.value, a.value
        elif kind == "clear_rows":
            for row in sheet.iter_rows(min_row=top + 1):
                for cell in row:
                    put(cell, None)
    return workbook_bytes(workbook), max(worksheet.max_row for worksheet in workbook.worksheets)


def post_file(client: Client, url: str, fields: dict, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content, content_type=XLSX if name.lower().endswith(".xlsx") else "application/octet-stream")
    return client.post(url, {**fields, "file": upload})


def check_import(response, *, target: str, counts_before: dict, snapshot_before, snapshot, header_row: int,
                 last_row: int, example) -> str:
    """The outcome of one upload, after asserting the import's promises: no 500; a rejection writes
    nothing and names the form field, or the row and column of every wrong cell."""
    assert response.status_code < 500, f"{target}: {response.status_code} for {example!r}"
    if response.status_code in (301, 302, 303):
        return "accepted"
    after = table_counts()
    changed = {k: (counts_before[k], after[k]) for k in after if after[k] != counts_before.get(k)}
    assert not changed, f"{target}: rejected but wrote rows {changed} for {example!r}"
    assert snapshot() == snapshot_before, f"{target}: rejected but changed what it imports into, for {example!r}"
    assert response.status_code == 400, f"{target}: answered {response.status_code} for {example!r}"
    context = response.context
    field_errors = dict(context["form"].errors)
    assert "__all__" not in field_errors, f"{target}: an error names no field: {field_errors} for {example!r}"
    cell_errors = list(context.get("errors") or [])
    sheet_errors = list(context.get("cell_errors") or [])  # the scheme workbook's: sheet, row (0: the whole sheet)
    problems = list(context.get("problems") or [])  # the scheme's own checks, by JSON path
    assert field_errors or cell_errors or sheet_errors or problems, f"{target}: rejected without saying why: {example!r}"
    content = response.content.decode()
    for error in cell_errors:
        where = f"{target}: {error!r} for {example!r}"
        assert isinstance(error.row, int) and 2 <= error.row <= last_row, f"row outside the sheet: {where}"
        assert error.column == get_column_letter(error.column_index + 1) and error.header.strip(), f"no column: {where}"
        assert str(error.message).strip(), f"no message: {where}"
    for error in sheet_errors:
        where = f"{target}: {error!r} for {example!r}"
        if not error.sheet:  # the file as a whole (not a workbook, damaged): then the only mistake
            assert error.row == 0 and len(sheet_errors) == 1, f"a mistake without its sheet: {where}"
        elif error.row:  # a cell, or the header row as a whole (columns missing)
            assert 1 <= error.row <= last_row and (error.column.strip() or error.row == header_row), f"no cell: {where}"
        assert str(error.message).strip(), f"no message: {where}"
    for path, message in problems:
        assert path and str(message).strip(), f"{target}: a problem without its place: {path!r} {message!r}"
    for error in [*cell_errors[:5], *sheet_errors[:5]]:
        assert escape(error.message) in content, f"{target}: the page does not show {error!r}"
    for messages_ in field_errors.values():
        assert all(str(message).strip() for message in messages_)
    return "rejected"


@dataclass
class Outcome:
    kind: str  # accepted, rejected
    created: dict[str, int]  # rows added per model
    changed_in_place: bool


def upload_once(spec: ExcelImport, clean: ImportFile, name: str, content: bytes, last_row: int, example,
                fields: dict | None = None) -> Outcome:
    """Post one file in a savepoint rolled back afterwards, so that examples do not see each other."""
    with transaction.atomic():
        counts, snapshot = table_counts(), spec.snapshot()
        response = post_file(spec.client, spec.url, clean.fields if fields is None else fields, name, content)
        kind = check_import(response, target=spec.target, counts_before=counts, snapshot_before=snapshot,
                            snapshot=spec.snapshot, header_row=clean.header_row, last_row=last_row, example=example)
        outcome = Outcome(kind, {k: v - counts[k] for k, v in table_counts().items() if v != counts[k]},
                          spec.snapshot() != snapshot)
        transaction.set_rollback(True)
    return outcome


@pytest.mark.parametrize("target", list(EXCEL_IMPORTS))
def test_clean_file_of_each_excel_import_is_accepted(demo, target):
    """The import's own template (filled with real people) or export goes through: the hostile
    tests below start from a file that works, so a rejection is the hostile cell's doing."""
    spec = EXCEL_IMPORTS[target]()
    for clean in spec.files:
        last_row = clean.header_row + clean.rows
        outcome = upload_once(spec, clean, "nhap-tu-excel.xlsx", clean.content, last_row, clean.label)
        assert outcome.kind == "accepted", f"{target} {clean.label}: the clean file was refused"
        if clean.created:
            assert outcome.created.get(clean.created, 0) > 0, f"{target} {clean.label}: created {outcome.created}"
        else:  # an export imported back as it is changes nothing
            assert not outcome.changed_in_place and not outcome.created, f"{target}: the export changed the card"


@pytest.mark.parametrize("target", list(EXCEL_IMPORTS))
def test_hostile_cells_in_excel_imports_never_500_nor_partial_write(demo, target):
    spec = EXCEL_IMPORTS[target]()
    outcomes = []

    @IMPORT_EXAMPLES
    @given(data=st.data())
    def run(data):
        clean = data.draw(st.sampled_from(spec.files))
        edits = data.draw(sheet_edits(clean))
        name = data.draw(st.one_of(st.just("nhap-tu-excel.xlsx"), upload_name) if data.draw(st.integers(0, 5)) == 0
                         else st.just("nhap-tu-excel.xlsx"))
        fields = clean.fields
        if fields and data.draw(st.integers(0, 5)) == 0:  # the file of one table sent as another
            fields = {**fields, "table": data.draw(st.sampled_from([f.label for f in spec.files] + ["", "x"]))}
        content, last_row = edited(clean, edits)
        outcomes.append(upload_once(spec, clean, name, content, last_row, (clean.label, name, edits, fields), fields).kind)

    run()
    assert "rejected" in outcomes, f"{target}: no hostile file was ever rejected ({set(outcomes)})"


OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rewritten(content: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return zip_of({info.filename: change(info.filename, archive.read(info.filename)) for info in archive.infolist()})


def huge_dimension(clean: ImportFile) -> bytes:
    """The sheet claims every cell of Excel (A1:XFD1048576) and has cells on row 20,000: read in
    bounded time and refused by that row. (A cell on row 1,048,576 works the same and costs 2-3 s.)"""
    index = openpyxl.load_workbook(io.BytesIO(clean.content), read_only=True).sheetnames.index(clean.sheet) + 1
    cells = "".join(f'<c r="{get_column_letter(column)}20000" t="inlineStr"><is><t>x</t></is></c>'
                    for column in sorted(clean.read_columns))

    def change(name: str, data: bytes) -> bytes:
        if name != f"xl/worksheets/sheet{index}.xml":
            return data
        text = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD1048576"/>', data.decode())
        far = f'<row r="20000">{cells}</row>'
        return text.replace("</sheetData>", far + "</sheetData>").encode()

    return rewritten(clean.content, change)


def declared_huge(content: bytes) -> bytes:
    """A zip whose directory says its first member unpacks to 4 GB (a zip bomb's signature)."""
    data = bytearray(content)
    at = data.index(b"PK\x01\x02")
    data[at + 24:at + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    return bytes(data)


def broken_files(clean: ImportFile) -> list[tuple[str, str, bytes]]:
    without_rows, _ = edited(clean, [("clear_rows",)])
    without_header, _ = edited(clean, [("drop_header",), ("drop_header",)] if clean.header_row > 1 else [("drop_header",)])
    other_sheet_first, _ = edited(clean, [("sheet_before", ["Mã", "Tên"], True)])
    return [
        ("empty file", "nhap.xlsx", b""),
        ("PDF renamed .xlsx", "nhap.xlsx", b"%PDF-1.4\n%%EOF\n"),
        ("old .xls renamed .xlsx", "nhap.xlsx", OLE_HEADER + bytes(600)),
        ("CSV renamed .xlsx", "nhap.xlsx", "STT,Mã nhiệm vụ\n1,VD-01\n".encode()),
        ("a zip that is no workbook", "nhap.xlsx", zip_of({"doc.txt": b"x" * 100})),
        ("half a workbook", "nhap.xlsx", clean.content[: len(clean.content) // 2]),
        ("a zip bomb's directory", "nhap.xlsx", declared_huge(clean.content)),
        ("a sheet claiming 17 billion cells", "nhap.xlsx", huge_dimension(clean)),
        ("no data rows", "nhap.xlsx", without_rows),
        ("no header row", "nhap.xlsx", without_header),
        ("another sheet first, the import's sheet renamed", "nhap.xlsx", other_sheet_first),
        ("the workbook named .xls", "nhap.xls", clean.content),
        ("the workbook without extension", "nhap", clean.content),
        ("the workbook named .csv", "nhap.csv", clean.content),
    ]


@pytest.mark.parametrize("target", list(EXCEL_IMPORTS))
def test_broken_files_in_excel_imports_are_refused_on_the_file_field(demo, target):
    """Whole-file problems (not a workbook, damaged, a bomb, no header, no rows, wrong name) are
    refused with a message on the file field or per cell, and write nothing."""
    spec = EXCEL_IMPORTS[target]()
    clean = spec.files[0]
    for label, name, content in broken_files(clean):
        outcome = upload_once(spec, clean, name, content, 20_000, label)
        assert outcome.kind == "rejected", f"{target}: {label} was {outcome}"


# --- the scheme import: hostile JSON ----------------------------------------------------------------

HOSTILE_FORMULAS = [
    "__import__('os').system('id')", "1/0", "a/0", "a/(b-b)", "10**10**10", "a**b", "9" * 499, "(" * 200 + "a" + ")" * 200,
    "(((((", "a" * 500, "a if b else c", "lambda: 1", "[a for a in b]", "a.__class__.__mro__", "open('/etc/passwd')",
    "round(a, 10**9)", "round(a, -1)", "max()", "min(*a)", "round(a, ndigits=1)", "a @ b", "a // 0", "a % 0",
    "1e308*1e308*a", "-" * 450 + "a", "a;b", "eval('1')", "__builtins__", "+".join(["a"] * 240), "a < b", "not a",
    "a and b", "'x' * 10**9", "{}", "a[0]", "f'{a}'", "(a := 1)", "a\u202eb", "ａ + ｂ", "a\x00",
]
JSON_VALUES = [
    None, True, False, 0, -1, 1.5, -0.0, 10**30, -(10**30), 1e308, float("nan"), float("inf"), float("-inf"),
    "", " ", "1,5", "1.234,5", "NaN", "Infinity", "1e999999", "1e-999999", "-0", "0.001", [], {}, [[[]]], {"": None},
    "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202eexe.fdp", "e\u0301", "𝕿𝖊𝖘𝖙 🏅", "A.I.1", "__total__", "manual",
    "formula", "group", "x" * 70_000,
]
json_leaf = st.one_of(st.sampled_from(JSON_VALUES), hostile_text, st.integers(-(10**40), 10**40), st.floats())
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.one_of(hostile_text, st.sampled_from(
        ["key", "kind", "children", "formula", "inputs", "tiers", "max_points", "step", "gate", "title"])), inner,
        max_size=3),
    max_leaves=6,
)


def json_paths(document, prefix=()) -> list[tuple]:
    """Every place of the document: (key or index, ...) from the top."""
    places = []
    children = document.items() if isinstance(document, dict) else enumerate(document) if isinstance(document, list) else ()
    for key, value in children:
        places.append((*prefix, key))
        places += json_paths(value, (*prefix, key))
    return places


def node_paths(document) -> list[tuple]:
    return [path for path in json_paths(document) if len(path) >= 2 and path[-2] in ("nodes", "children")
            and isinstance(path[-1], int)]


def at(document, path):
    for key in path:
        document = document[key]
    return document


JSON_EDITS = ["set"] * 6 + ["delete", "add_key", "formula", "duplicate_key", "gate_cycle", "deep", "many_nodes",
                            "tie_breaker", "grade_cap", "rename_top"]


@st.composite
def json_edit(draw) -> tuple:
    """One hostile change of a scheme document; places are picked by index when it is applied."""
    kind, where, other = draw(st.sampled_from(JSON_EDITS)), draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6))
    if kind == "set":
        return kind, where, draw(json_value), draw(st.sampled_from(HOSTILE_FORMULAS))
    if kind == "add_key":
        return kind, where, draw(hostile_text), draw(json_value)
    if kind == "formula":
        return kind, where, draw(st.sampled_from(HOSTILE_FORMULAS) | hostile_text), draw(st.sampled_from(
            [["a", "b"], ["a", "b", "c"], [], ["__import__"], ["a", "a"], ["1a"], "a", [1]]))
    if kind == "deep":
        return kind, draw(st.integers(8, 60))
    if kind == "tie_breaker":
        return kind, draw(st.sampled_from(["node", "metric", "x", None])), draw(json_leaf), draw(json_leaf)
    if kind == "grade_cap":
        return kind, draw(hostile_text), draw(json_leaf)
    if kind == "rename_top":
        return kind, draw(st.none() | hostile_text)
    return kind, where, other


def edited_document(export: dict, edits: list[tuple]):
    """The export of a demo scheme with the edits applied."""
    document = json.loads(json.dumps(export))
    for kind, *args in edits:
        places = json_paths(document)
        nodes = [path for path in node_paths(document) if isinstance(at(document, path), dict)]
        if kind == "set" and places:
            path = places[args[0] % len(places)]
            at(document, path[:-1])[path[-1]] = args[2] if path[-1] == "formula" else args[1]
        elif kind == "delete" and places:
            path = places[args[0] % len(places)]
            del at(document, path[:-1])[path[-1]]
        elif kind == "add_key":
            dicts = [path for path in [(), *places] if isinstance(at(document, path), dict)]
            if dicts:
                at(document, dicts[args[0] % len(dicts)])[args[1]] = args[2]
        elif kind == "formula" and nodes:
            at(document, nodes[args[0] % len(nodes)]).update(kind="formula", formula=args[1], inputs=args[2], children=[])
        elif kind == "duplicate_key" and len(nodes) > 1:
            first, second = nodes[args[0] % len(nodes)], nodes[args[1] % len(nodes)]
            at(document, second)["key"] = at(document, first).get("key")
        elif kind == "gate_cycle" and nodes:
            first, second = at(document, nodes[args[0] % len(nodes)]), at(document, nodes[args[1] % len(nodes)])
            first["gate"], second["gate"] = second.get("key"), first.get("key")
        elif kind == "deep" and isinstance(document, dict) and isinstance(document.get("nodes"), list):
            deep: dict = {"key": "DEEP", "kind": "manual", "title": "Sâu", "max_points": "1", "children": []}
            for level in range(args[0]):
                deep = {"key": f"D{level}", "kind": "group", "title": "Nhóm", "children": [deep]}
            document["nodes"].append(deep)
        elif kind == "many_nodes" and isinstance(document, dict):
            document["nodes"] = [{"key": f"N{i}", "kind": "manual", "title": "Dòng", "max_points": "1"} for i in range(2001)]
        elif kind in ("tie_breaker", "grade_cap") and isinstance(document, dict):
            section = "tie_breakers" if kind == "tie_breaker" else "grade_caps"
            if isinstance(document.setdefault(section, []), list):
                document[section].append(dict(zip(("kind", "ref", "descending") if kind == "tie_breaker"
                                                  else ("flag", "max_grade"), args, strict=True)))
        elif kind == "rename_top":
            document = [document] if args[0] is None else {args[0]: document}
    return document


WHOLE_FILES = [
    "", " ", "null", "[]", "{}", "1", '"x"', "NaN", "{", '{"format": ', "[" * 100_000, '{"a":' * 50_000,
    "1" * 5000, "-" + "9" * 5000, '{"scheme": {"year": ' + "9" * 5000 + "}}", "\ufeff{}", '{"a": 1,}',
    '{"a": 1} {"b": 2}', "\x00", "// comment\n{}", "{'format': 1}", '{"nodes": [' + "1e999, " * 3 + "-1e999]}",
    '"\\ud800"', '{"scheme": {"name": "\\udfff", "year": 2025}}',
]
scheme_file = st.one_of(
    st.tuples(st.just("document"), st.lists(json_edit(), min_size=1, max_size=3), st.booleans(), st.sampled_from([None, 2])),
    st.tuples(st.just("broken"), st.lists(json_edit(), max_size=2), st.floats(0, 1),
              st.sampled_from(["", ",", "}", "]]", "\x00", "'", "NaN", " // x", "9" * 5000])),
    st.tuples(st.just("encoding"), st.lists(json_edit(), max_size=2),
              st.sampled_from(["utf-16", "latin-1", "cp1258", "utf-8-sig"])),
    st.tuples(st.just("whole"), st.integers(0, len(WHOLE_FILES) - 1)),
)


def scheme_bytes(export: dict, variant: tuple) -> bytes:
    kind, *args = variant
    if kind == "whole":
        return WHOLE_FILES[args[0]].encode("utf-8", "surrogatepass")
    document = edited_document(export, args[0])
    text = json.dumps(document, ensure_ascii=kind == "document" and args[1], indent=args[2] if kind == "document" else None)
    if kind == "broken":
        cut = int(len(text) * args[1])
        text = text[:cut] + args[2] + text[cut:]
    if kind == "encoding":
        return text.encode(args[1], "replace")
    return text.encode("utf-8", "surrogatepass")


def parsed(content: bytes):
    """The document the file holds, read as the import reads it (None when it holds none)."""
    try:  # an integer too long to convert still has a place in the document
        return json.loads(content.decode("utf-8-sig"), parse_int=lambda text: int(text) if len(text) < 4000 else 0)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def names_a_place(document, path: str) -> bool:
    """Whether a problem's path ("nodes[0].children[2].key (A.I.1)", "grades[1]") leads into the
    document (a missing field is named by its parent's path and its own name)."""
    path = re.sub(r" \([^()]*\)$", "", path)
    tokens = _PATH_TOKEN.findall(path)
    if not tokens:
        return False
    for position, (name, index) in enumerate(tokens):
        if index:
            if not isinstance(document, list) or int(index) >= len(document):
                return False
            document = document[int(index)]
        else:
            if not isinstance(document, dict):
                return False
            if name not in document:  # a missing field, named by where it belongs
                return all(not later_index for _name, later_index in tokens[position:])
            document = document[name]
    return True


def check_scheme_import(response, *, content: bytes, document, counts_before: dict, example) -> str:
    assert response.status_code < 500, f"scheme_import: {response.status_code} for {example!r}"
    if response.status_code in (301, 302, 303):
        return "accepted"
    after = table_counts()
    changed = {k: (counts_before[k], after[k]) for k in after if after[k] != counts_before.get(k)}
    assert not changed, f"scheme_import: rejected but wrote rows {changed} for {example!r}"
    assert response.status_code == 400, f"scheme_import: answered {response.status_code} for {example!r}"
    context = response.context
    field_errors = dict(context["form"].errors)
    assert "__all__" not in field_errors, f"scheme_import: an error names no field: {field_errors} for {example!r}"
    problems = list(context.get("problems") or [])
    assert field_errors or problems, f"scheme_import: rejected without saying what is wrong, for {example!r}"
    html = response.content.decode()
    for path, message in problems:
        assert str(message).strip(), f"scheme_import: a problem without a message at {path!r}, for {example!r}"
        if path:
            assert names_a_place(document, path), f"scheme_import: {path!r} is no place of the file ({message}) for {example!r}"
        else:
            # Only a problem of the whole file goes without a path; a syntax error still says its line.
            assert len(problems) == 1, f"scheme_import: {message!r} says no path among {problems!r} for {example!r}"
            try:
                json.loads(content.decode("utf-8-sig"))
            except json.JSONDecodeError as error:
                assert f"{error.lineno}" in message and f"{error.colno}" in message, f"no line/column: {message!r}"
            except (ValueError, RecursionError):
                pass
    for path, message in problems[:5]:
        assert escape(message) in html and escape(path) in html, f"scheme_import: the page does not show {path}: {message}"
    return "rejected"


def _scheme_export():
    from emulation.models import Scheme

    client, url, form = find_page("scheme_import")
    scheme = Scheme.objects.order_by("pk").first()
    return client, url, form, json.loads(download(client, reverse("emulation:scheme_export_json", args=[scheme.pk])))


def post_scheme(client, url, fields: dict, name: str, content: bytes, document, example) -> str:
    with transaction.atomic():
        counts = table_counts()
        upload = SimpleUploadedFile(name, content, content_type="application/json")
        response = client.post(url, {**fields, "file": upload})
        outcome = check_scheme_import(response, content=content, document=document, counts_before=counts,
                                      example=example)
        if outcome == "accepted":
            created = table_counts()["emulation.Scheme"] - counts["emulation.Scheme"]
            assert created == 1, f"scheme_import: accepted, {created} schemes created, for {example!r}"
        transaction.set_rollback(True)
    return outcome


def test_scheme_export_imports_back(demo):
    client, url, form, export = _scheme_export()
    fields = {k: v for k, v in baseline(form).items() if k != "file"}
    content = json.dumps(export, ensure_ascii=False).encode()
    assert post_scheme(client, url, fields, "bang-tieu-chi.json", content, export, "export") == "accepted"


def test_hostile_json_in_scheme_import_never_500_nor_partial_write(demo):
    """Every problem of a refused file names its JSON path (or, for a file that is no JSON, its
    line and column), and nothing is created."""
    client, url, form, export = _scheme_export()
    fields = {k: v for k, v in baseline(form).items() if k != "file"}
    outcomes = []

    @settings(HYPOTHESIS, max_examples=30)
    @given(variant=scheme_file,
           name=st.sampled_from(["bang-tieu-chi.json"] * 6 + ["BẢNG.JSON", "a.json.exe", "x.xlsx"]),
           extra=st.fixed_dictionaries({}, optional={"name": hostile_text, "year": hostile_text}))
    def run(variant, name, extra):
        content = scheme_bytes(export, variant)
        outcomes.append(post_scheme(client, url, {**fields, **extra}, name, content, parsed(content),
                                    (name, extra, variant)))

    run()
    assert "rejected" in outcomes, f"scheme_import: no hostile file was ever rejected ({set(outcomes)})"


# Hostile documents tried every time (Hypothesis may not draw them): each refused with its path.
SCHEME_CASES = [
    ("lone surrogate in the name", [("set_path", ("scheme", "name"), "Bảng \ud800")]),
    ("lone surrogate in a node's kind", [("set_path", ("nodes", 0, "kind"), "\udfff")]),
    ("NUL in a title", [("set_path", ("nodes", 0, "title"), "Công tác\x00")]),
    ("NUL in a key", [("set_path", ("nodes", 0, "key"), "A\x00")]),
    ("a step too large to store", [("set_path", ("nodes", 0, "children", 0, "children", 0, "kind"), "manual"),
                                   ("set_path", ("nodes", 0, "children", 0, "children", 0, "step"), "50000")]),
    ("a step just too large to store", [("set_path", ("nodes", 0, "children", 0, "children", 3, "step"), "10000")]),
    ("a maximum too large to store", [("set_path", ("nodes", 0, "max_points"), "1000000")]),
    ("a grade threshold too large to store", [("set_path", ("grades", 0, "min_total"), 1e6)]),
    ("a kind that is a list", [("set_path", ("nodes", 0, "kind"), ["group"])]),
    ("a kind that is an object", [("set_path", ("nodes", 0, "kind"), {"group": 1})]),
    ("a tie-breaker kind that is a list", [("set_path", ("tie_breakers", 0, "kind"), ["node"])]),
    ("a formula of 10**10**10", [("formula", 5, "10**10**10", ["a"])]),
    ("a formula importing os", [("formula", 5, "__import__('os').system('id')", ["a"])]),
    ("a formula of 240 parentheses", [("formula", 5, "(" * 240 + "a" + ")" * 240, ["a"])]),
    ("the year as text", [("set_path", ("scheme", "year"), "2025")]),
    ("the year as a huge number", [("set_path", ("scheme", "year"), 10**30)]),
    ("a kind nested 900 deep", [("set_path", ("nodes", 0, "kind"), json.loads("[" * 900 + "]" * 900))]),
    ("a version nested 900 deep", [("set_path", ("version",), json.loads("{\"a\":" * 900 + "1" + "}" * 900))]),
    ("a key that is half a surrogate pair", [("set_path", ("nodes", 0, "\ud800"), 1)]),
]


def set_path(document, path, value):
    at(document, path[:-1])[path[-1]] = value
    return document


def test_broken_json_files_in_scheme_import_are_refused_with_their_place(demo):
    client, url, form, export = _scheme_export()
    fields = {k: v for k, v in baseline(form).items() if k != "file"}
    for index, text in enumerate(WHOLE_FILES):
        content = text.encode("utf-8", "surrogatepass")
        outcome = post_scheme(client, url, fields, "bang.json", content, parsed(content), ("whole", index, text[:40]))
        assert outcome == "rejected", f"scheme_import: {text[:40]!r} was {outcome}"
    for label, edits in SCHEME_CASES:
        document = json.loads(json.dumps(export))
        for kind, *args in edits:
            document = set_path(document, *args) if kind == "set_path" else edited_document(document, [(kind, *args)])
        content = json.dumps(document).encode()
        outcome = post_scheme(client, url, fields, "bang.json", content, parsed(content), label)
        assert outcome == "rejected", f"scheme_import: {label} was {outcome}"
    # A tier bound of a million decimals is a number like any other: taken or refused, never a 500.
    document = set_path(json.loads(json.dumps(export)), ("nodes", 0, "children", 0, "children", 1, "tiers", 0, "lower"),
                        "1e-999999")
    content = json.dumps(document).encode()
    post_scheme(client, url, fields, "bang.json", content, parsed(content), "a tier bound of a million decimals")


# --- report requests: hostile parameters ------------------------------------------------------------

REPORT_KINDS = [
    "office.work_plan_report", "emulation.campaign_ranking", "emulation.scorecard", "commendations.decision",
    "commendations.council_minutes", "commendations.certificates", "commendations.year_end_summary",
]


@pytest.mark.parametrize("kind", REPORT_KINDS)
def test_hostile_report_parameters_never_500_nor_partial_write(demo, kind):
    """The parameters of a printed document (year, unit, campaign, scorecard, decision, meeting,
    list numbers): a refused request names its field and queues nothing."""
    from portal.documents.registry import get_document_kind

    assert get_document_kind(kind).params_form is not None, kind
    client, url, form = find_page(f"report:{kind}")
    base = baseline(form)
    outcomes = []

    @settings(HYPOTHESIS, max_examples=15)
    @given(data=mutated(base, form))
    def run(data):
        with transaction.atomic():
            outcomes.append(check(client, url, data, counts_before=table_counts(), target=f"report:{kind}"))
            transaction.set_rollback(True)

    run()
    assert "rejected" in outcomes, f"report:{kind}: no hostile parameter was ever rejected ({set(outcomes)})"


LIMIT_VALUES = ["", "0", "-1", "1", "1999", "2000", "2001", "2100", "2101", "999999999", "1,5", "abc"]


@pytest.mark.parametrize("kind", [
    *REPORT_KINDS,
])
def test_report_parameters_at_their_limits_name_their_field(demo, kind):
    """Each parameter alone at and past its limits (a year without data, the first and last year
    allowed, ids of nothing): Hypothesis seldom draws these, so each is tried."""
    client, url, form = find_page(f"report:{kind}")
    base = {name: values[0] if len(values) == 1 else values for name, values in baseline(form).items()}
    for field in form["fields"]:
        if field["name"] == "csrfmiddlewaretoken" or field["kind"] in {"hidden", "checkbox", "radio"}:
            continue
        for value in [*field.get("options", []), *LIMIT_VALUES]:
            with transaction.atomic():
                check(client, url, {**base, field["name"]: value}, counts_before=table_counts(),
                      target=f"report:{kind} {field['name']}={value!r}")
                transaction.set_rollback(True)
