"""Document kinds that exist only in tests, registered in the test process by fixtures and in a
test Celery worker by `-I tests.portal.reports_worker_kinds` (see tests/conftest.py).

`tests.units` prints real data (the units below a unit, with their people counts);
`tests.gated` waits for a flag file before it renders, so a test can kill the worker mid-job
or watch the progress bar stand still; `tests.broken` has a template with a syntax error.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from django import forms

from portal.documents import Document, register_document, unregister_document
from portal.documents.forms import ReportParamsForm

TEST_TEMPLATES = "documents/tests"
# The test kinds' templates live with the tests, not with the portal's templates.
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def add_test_templates() -> None:
    """Let the template engine (built already or not) find tests/portal/templates."""
    from django.conf import settings
    from django.template import engines

    dirs = settings.TEMPLATES[0]["DIRS"]
    if TEMPLATE_DIR not in dirs:
        dirs.append(TEMPLATE_DIR)
    for engine in engines.all():
        if hasattr(engine, "engine") and TEMPLATE_DIR not in engine.engine.dirs:
            engine.engine.dirs.append(TEMPLATE_DIR)


class UnitsParams(ReportParamsForm):
    unit = forms.ModelChoiceField(queryset=None, label="Đơn vị")
    number = forms.CharField(label="Số, ký hiệu", required=False, max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.access import scope_of
        from portal.models import Unit

        self.fields["unit"].queryset = Unit.objects.filter(scope_of(self.user).unit_filter()).order_by("path")


class GatedParams(ReportParamsForm):
    folder = forms.CharField(label="Thư mục", max_length=500)


def _units(params, user, progress) -> Document:
    from portal.models import Unit

    root = Unit.objects.get(pk=params["unit"])
    units = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
    rows = []
    for index, unit in enumerate(units, start=1):
        rows.append({"code": unit.code, "name": unit.name, "people": unit.people.filter(is_active=True).count()})
        progress(index * 100 // len(units))
    return Document(
        template_name=f"{TEST_TEMPLATES}/units.html",
        context={"rows": rows, "issuer": root.name, "number": params.get("number", ""), "total": sum(r["people"] for r in rows)},
        title=f"Danh sách đơn vị thuộc {root.name}",
        filename=f"don-vi-{root.code}",
    )


def _gated(params, user, progress) -> Document:
    """Writes `<folder>/started-<n>` (holding its process id) for the n-th run, reports 50 %,
    then waits for `<folder>/go`."""
    folder = Path(params["folder"])
    runs = len(list(folder.glob("started-*"))) + 1
    (folder / f"started-{runs}").write_text(str(os.getpid()))  # the process a test may kill
    progress(50)
    deadline = time.monotonic() + float(params.get("wait", 60))
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never opened the gate")
        time.sleep(0.1)
    progress(100)
    return Document(
        template_name=f"{TEST_TEMPLATES}/gated.html",
        context={"runs": runs, "lines": params.get("lines", 3)},
        title="Tài liệu thử nghiệm có cổng chờ",
        filename="cong-cho",
    )


def _broken(params, user, progress) -> Document:
    return Document(template_name=f"{TEST_TEMPLATES}/broken.html", context={}, title="Hỏng", filename="hong")


def _excel_units(params, user):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name"])
    return workbook


def _units_permission(user, params) -> bool:
    """Anyone with a role may ask; for a given unit, only someone whose scope reaches it."""
    if not user.has_perm("portal.use_portal"):
        return False
    if params is None:
        return True
    from portal.models import Unit

    unit = Unit.objects.filter(pk=params.get("unit")).first()
    return unit is not None and user.has_perm("portal.view_unit", unit)


KINDS = {
    "tests.units": dict(label="Danh sách đơn vị (thử nghiệm)", permission=_units_permission, build=_units, excel=_excel_units,
                        params_form=UnitsParams),
    "tests.gated": dict(label="Tài liệu có cổng chờ (thử nghiệm)", permission="portal.use_portal", build=_gated,
                        params_form=GatedParams),
    "tests.broken": dict(label="Tài liệu hỏng (thử nghiệm)", permission="portal.use_portal", build=_broken),
}


def register_test_kinds() -> None:
    add_test_templates()
    for kind, options in KINDS.items():
        register_document(kind, **options)


def unregister_test_kinds() -> None:
    for kind in KINDS:
        unregister_document(kind)


@pytest.fixture
def test_document_kinds():
    """The test-only kinds, registered for one test (use with pytest.mark.usefixtures)."""
    register_test_kinds()
    yield
    unregister_test_kinds()


def pdf_text(path_or_bytes) -> str:
    """The text of a PDF, laid out (pdftotext from poppler-utils)."""
    if isinstance(path_or_bytes, bytes):
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=path_or_bytes, capture_output=True, check=True).stdout.decode()
    return subprocess.run(["pdftotext", "-layout", str(path_or_bytes), "-"], capture_output=True, text=True, check=True).stdout
