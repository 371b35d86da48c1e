"""Every document kind the portal prints looks right: page 1, rendered to PNG with pdftoppm, is not
blank, and pdffonts lists the bundled Liberation Serif as embedded (and no other font).

Each kind is printed from the demo data with the parameters `manage.py make_document_samples` uses
(portal.management.commands.make_document_samples.SAMPLES), so the committed samples and this test
print the same documents. A registered kind without an entry there fails the test: add one.
The demo is seeded once for the module, inside a transaction rolled back at its end.
"""

import io
import re
import subprocess
from datetime import date

import pytest
from django.db import transaction
from PIL import Image

import commendations.documents_summary  # noqa: F401 - registers the year-end summary (also imported by commendations.documents)
from portal.demo import build_demo
from portal.documents.render import render_pdf
from portal.management.commands import make_document_samples
from portal.management.commands.make_document_samples import SAMPLES, printable_kinds, sample_printer

YEAR = 2026
TODAY = date(2026, 11, 27)
# pdffonts: "name type encoding emb sub uni object ID"; embedded subsets are named "ABCDEF+Liberation-Serif…".
FONT_LINE = re.compile(r"^(?P<name>\S+)\s+.*?\s(?P<emb>yes|no)\s+(?:yes|no)\s+(?:yes|no)\s+\d+\s+\d+\s*$")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo organisation of 2026 (history up to 2025), for every test of this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(year=YEAR, today=TODAY, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def page_one_png(pdf: bytes, folder) -> Image.Image:
    source = folder / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(folder / "page")], check=True, capture_output=True)
    return Image.open(folder / "page.png")


def ink_share(image: Image.Image) -> float:
    """The share of pixels that are not (nearly) white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    dark = sum(histogram[:200])
    return dark / (grey.width * grey.height)


def embedded_fonts(pdf: bytes) -> list[tuple[str, str]]:
    listing = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    fonts = []
    for line in listing.splitlines()[2:]:
        match = FONT_LINE.match(line)
        assert match, f"unexpected pdffonts line: {line!r}"
        fonts.append((match["name"].split("+")[-1], match["emb"]))
    return fonts


def test_every_registered_kind_has_sample_parameters():
    registered = {kind.kind for kind in printable_kinds()}
    missing = sorted(registered - set(SAMPLES))
    assert not missing, f"add sample parameters for {missing} to SAMPLES in {make_document_samples.__name__}"
    assert registered >= {
        "office.work_plan_report", "emulation.campaign_ranking", "emulation.scorecard", "commendations.year_end_summary",
    }


@pytest.mark.parametrize("kind_name", sorted(SAMPLES))
def test_page_one_is_not_blank_and_liberation_serif_is_embedded(demo, db, kind_name, tmp_path):
    kinds = {kind.kind: kind for kind in printable_kinds()}
    if kind_name not in kinds:
        pytest.skip(f"{kind_name} is not registered (yet)")
    kind = kinds[kind_name]
    params = SAMPLES[kind_name].params()
    user = sample_printer(kind, params)
    rendered = render_pdf(kind.build(params, user, lambda percent: None))

    image = page_one_png(rendered.pdf, tmp_path)
    assert image.width > 0 and 0.01 < ink_share(image) < 0.6, ink_share(image)
    fonts = embedded_fonts(rendered.pdf)
    assert ("Liberation-Serif", "yes") in fonts, fonts
    assert all(name.startswith("Liberation-Serif") and emb == "yes" for name, emb in fonts), fonts


def test_a_blank_page_is_told_apart(tmp_path):
    """The check itself: an empty document has no ink."""
    from weasyprint import HTML

    blank = HTML(string="<html><body></body></html>").write_pdf()
    assert ink_share(page_one_png(blank, tmp_path)) == 0
