"""One pure pipeline from a Document to PDF bytes: Django template -> NFC HTML -> WeasyPrint.

No database access happens here when the build function hands over plain data (lists, dicts,
numbers), so the timings separate the three costs: queries (the build, measured by the caller),
templates and WeasyPrint. WeasyPrint only reads the portal's own static files (the stylesheet,
the bundled Liberation Serif fonts, images) and inline `data:` URLs; every other URL is refused,
so no document can make the worker fetch something from the network or the disk.
"""

from __future__ import annotations

import mimetypes
import time
import unicodedata
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from portal.documents.registry import Document

# The documents' base URL: relative and root-relative links ("/static/…") resolve against it.
BASE_URL = "https://portal.documents.invalid/"


class RenderedPdf(NamedTuple):
    pdf: bytes
    page_count: int
    timings: dict[str, float]  # template_seconds, weasyprint_seconds


def static_file_path(name: str) -> Path | None:
    """The file of a static name ("fonts/LiberationSerif-Regular.ttf"), collected or not."""
    name = name.lstrip("/")
    if ".." in Path(name).parts:
        return None
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (NotImplementedError, ValueError):  # remote storage, or a name it refuses
        pass
    found = finders.find(name)
    return Path(found) if found else None


class StaticFilesFetcher(URLFetcher):
    """Serve the portal's static files to WeasyPrint from disk; refuse everything else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static_prefix = urlsplit(BASE_URL + settings.STATIC_URL.lstrip("/")).path
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith(static_prefix):
            name = unquote(parts.path[len(static_prefix):])
            path = static_file_path(name)
            if path is None:
                # A template that links a missing file is a bug: fail loudly, not silently ugly.
                raise FatalURLFetchingError(f"Static file not found for the document: {name}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
        raise ValueError(f"Documents may only use the portal's static files, not {url}")


def document_context(document: Document) -> dict[str, Any]:
    """The context every document template gets: the defaults of the NĐ 30 layout, then the kind's own."""
    return {
        "document_title": document.title,
        "issuer_parent": "BỘ TƯ PHÁP",
        "place": "Hà Nội",
        "issued_on": timezone.localdate(),
        "default_recipients": ["Lưu: VT, TĐKT."],
        **document.context,
    }


def render_html(document: Document) -> str:
    """The document's HTML, normalised to Unicode NFC (text typed on some keyboards is NFD)."""
    return unicodedata.normalize("NFC", render_to_string(document.template_name, document_context(document)))


def render_pdf(document: Document, *, progress=None) -> RenderedPdf:
    """Render a Document to PDF bytes; returns (pdf, page_count, timings).

    `progress(percent)`, when given, hears 0-100 of this step (the layout is the long part).
    """
    started = time.perf_counter()
    html = render_html(document)
    template_seconds = time.perf_counter() - started
    if progress:
        progress(10)
    started = time.perf_counter()
    font_config = FontConfiguration()
    rendered = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render(font_config=font_config)
    if progress:
        progress(80)
    pdf = rendered.write_pdf()
    weasyprint_seconds = time.perf_counter() - started
    if progress:
        progress(100)
    return RenderedPdf(
        pdf=pdf,
        page_count=len(rendered.pages),
        timings={"template_seconds": template_seconds, "weasyprint_seconds": weasyprint_seconds},
    )


def pdf_filename(document: Document) -> str:
    name = document.filename or "document"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def excel_filename(document: Document) -> str:
    name = pdf_filename(document)
    return f"{name[:-4]}.xlsx"
