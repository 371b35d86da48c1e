"""Hostile input against every form and import of the portal (issue 7, point 5).

Each target is a page with a POST form, found on the demo data (`seed_demo`). The form's fields
are read from the page itself (inputs, selects, textareas, files), so a field added later is
fuzzed too. Hypothesis keeps the page's own values for most fields and replaces some with
hostile ones: scores "1,75"/"1.75"/NaN/huge, spreadsheet formulas, impossible dates, ids of
nothing, NUL, RTL override, combining marks, 5,000-character strings, path-traversal file names.
Imports get spreadsheets made from their own templates with hostile cells, and the scheme import
hostile JSON.

Whatever comes in, the portal must:
- never answer 500 (the test client re-raises the exception);
- on a rejection, write nothing (the row counts of every table of the portal are unchanged);
- on a rejection, say where: the error is attached to a field of the form, or the import's
  mistake table names the row and column (or the JSON path).
"""

import io
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    return {m._meta.label: m._default_manager.count() for app in PORTAL_APPS for m in apps.get_app_config(app).get_models()}


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


REPORT_KINDS = ["office.plan_report", "emulation.ranking", "emulation.scorecard"]
