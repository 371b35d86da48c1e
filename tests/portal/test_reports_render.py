"""The look of the printed documents: NĐ 30 layout, bundled fonts embedded, pages not blank,
table headers repeated, Vietnamese dates and numbers, and no fetching outside the static files."""

import datetime
import subprocess

import pytest
from PIL import Image
from weasyprint.urls import FatalURLFetchingError

from portal.documents import Document
from portal.documents.render import BASE_URL, StaticFilesFetcher, render_pdf
from portal.documents.services import report_job_run
from portal.enums import ReportJobState
from portal.models import ReportJob
from portal.templatetags.documents import vn_long_date, vn_money, vn_number, vn_percent, vn_short_date
from tests.portal.reports_support import TEST_TEMPLATES, add_test_templates, pdf_text


@pytest.fixture(autouse=True)
def _test_templates():
    add_test_templates()


def long_table(rows: int = 80, **context) -> Document:
    data = [{"name": f"Sở Tư pháp tỉnh số {i}", "amount": 1_490_000 * i} for i in range(1, rows + 1)]
    return Document(
        template_name=f"{TEST_TEMPLATES}/long_table.html",
        context={"rows": data, "issuer": "Vụ Thi đua - Khen thưởng", "number": "12/QĐ-BTP",
                 "issued_on": datetime.date(2025, 12, 5), "signer_authority": "KT. BỘ TRƯỞNG",
                 "signer_position": "THỨ TRƯỞNG", "signer_name": "Nguyễn Văn Bình", **context},
        title="Quyết định khen thưởng",
        filename="quyet-dinh",
    )


@pytest.fixture(scope="module")
def rendered():
    add_test_templates()
    return render_pdf(long_table())


def page_text(pdf: bytes, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()


def test_national_header_title_date_and_signature_are_printed(rendered):
    first = page_text(rendered.pdf, 1)
    assert "BỘ TƯ PHÁP" in first and "VỤ THI ĐUA - KHEN THƯỞNG" in first
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "Độc lập - Tự do - Hạnh phúc" in first
    assert "Số: 12/QĐ-BTP" in first
    assert "Hà Nội, ngày 05 tháng 12 năm 2025" in first
    assert "QUYẾT ĐỊNH KHEN THƯỞNG" in first
    last = page_text(rendered.pdf, rendered.page_count)
    assert "Nơi nhận:" in last and "Lưu: VT, TĐKT." in last
    assert "KT. BỘ TRƯỞNG" in last and "Nguyễn Văn Bình" in last


def test_page_numbers_and_repeated_table_headers(rendered):
    assert rendered.page_count >= 3
    for page in range(1, rendered.page_count + 1):
        text = page_text(rendered.pdf, page)
        assert f"Trang {page}/{rendered.page_count}" in text
        assert "Tên đơn vị" in text and "Tiền thưởng" in text
    assert "119.200.000" in pdf_text(rendered.pdf)  # 80 × 1.490.000, Vietnamese grouping


def test_bundled_liberation_serif_is_embedded_and_nothing_else(rendered, tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(rendered.pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    names = {row[0].split("+", 1)[-1] for row in fonts}
    assert names == {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"} | (
        names & {"Liberation-Serif-Bold-Italic"}
    )
    # Columns: name type encoding emb sub uni object ID; "emb" must be "yes" for every font.
    assert all(row[-5] == "yes" for row in fonts), listing


def test_the_bundled_font_files_are_the_ones_loaded(monkeypatch):
    fetched = []
    original = StaticFilesFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url.rsplit("/", 1)[-1])
        return original(self, url, headers)

    monkeypatch.setattr(StaticFilesFetcher, "fetch", recording)
    render_pdf(long_table(rows=1))
    assert {"nd30.css", "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf"} <= set(fetched)


def test_page_one_is_not_blank(rendered, tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(rendered.pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width, height = image.size
    assert (width, height) == (331, 468)  # A4 at 40 dpi
    dark = sum(image.histogram()[:128])
    assert dark > 0.02 * width * height
    # The header is in the top fifth of the page, not somewhere else.
    header = image.crop((0, 0, width, height // 5))
    assert sum(header.histogram()[:128]) > 200


def test_fetcher_serves_static_files_and_refuses_everything_else():
    fetcher = StaticFilesFetcher()
    font = fetcher.fetch(f"{BASE_URL}static/fonts/LiberationSerif-Regular.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00"
    for url in ("file:///etc/passwd", "https://example.com/logo.png", "http://127.0.0.1:6379/"):
        with pytest.raises(ValueError, match="only use the portal's static files"):
            fetcher.fetch(url)
    for url in (f"{BASE_URL}static/missing.png", f"{BASE_URL}static/..%2Fportal/settings.py"):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)


def test_outside_images_are_skipped_not_fetched():
    result = render_pdf(long_table(rows=1, image="https://example.com/logo.png"))
    assert result.page_count == 1


@pytest.mark.django_db
def test_a_missing_static_file_fails_the_job_with_a_message(users):
    from portal.documents import register_document, unregister_document

    register_document("tests.missing_static", label="x", permission="portal.use_portal",
                      build=lambda params, user, progress: long_table(rows=1, image="/static/nope/missing.png"))
    try:
        job = ReportJob.objects.create(kind="tests.missing_static", requester=users.staff, language="en")
        assert report_job_run(job_id=job.pk) == ReportJobState.FAILED
    finally:
        unregister_document("tests.missing_static")
    job.refresh_from_db()
    assert "unexpected error" in job.error and "nope/missing.png" in job.error


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2025, 12, 15), "ngày 15 tháng 12 năm 2025"),
        (datetime.date(2025, 2, 5), "ngày 05 tháng 02 năm 2025"),
        (datetime.date(2025, 3, 9), "ngày 09 tháng 3 năm 2025"),
        (datetime.datetime(2025, 1, 1, 20, 0, tzinfo=datetime.UTC), "ngày 02 tháng 01 năm 2025"),  # Hà Nội is UTC+7
        ("2025-10-20", "ngày 20 tháng 10 năm 2025"),
        (None, "ngày … tháng … năm …"),
    ],
)
def test_vn_long_date(value, expected):
    assert vn_long_date(value) == expected


def test_vn_numbers_and_money():
    assert vn_number(1234567.5) == "1.234.567,5"
    assert vn_number("1234.5", 2) == "1.234,50"
    assert vn_number(-1000) == "-1.000"
    assert vn_number(0) == "0"
    assert vn_number(None) == ""
    assert vn_number("không") == "không"
    assert vn_money(1_490_000) == "1.490.000"
    assert vn_money(2_980_000.4, "đồng") == "2.980.000 đồng"
    assert vn_percent(87.54) == "87,5%"
    assert vn_short_date(datetime.date(2025, 2, 5)) == "05/02/2025"
